/**
 * Role accuracy of the v2 recipe on labelled corpora, the way a user meets it: per-capture cross-validation
 * (each outer fold trains the whole recipe — inner CV model choice, conformal Unknown threshold — on the
 * other folds and labels the held-out captures) and leave-one-type-out (the recipe trained without a type
 * labels that type's captures: they should be Unknown), for several seeds.
 *
 *   node --import tsx bench/roles-accuracy.ts [--dir DIR]... [--seeds 0,1,2,3,4] [--unknown-rate 0.02]
 *       [--fold-seed N] [--corpus NAME]... [--scale N] [--cache FILE] [--open-set novelty|confidence] [--json]
 *
 * Default corpora: ../shared/pcaps/iot-sentinel/setups and ../shared/pcaps/roles-dev (test-data's copies
 * when ../shared is absent); each is scored alone and all of them together. `--scale N` also times one
 * training on the pooled captures replicated N times (with 1 % multiplicative jitter, so copies differ).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Rng } from '../src/models/rng.js';
import { captureFeatureSet } from '../src/test-helpers/v2-capture.js';
import { labelOf } from '../src/training/dataset.js';
import { captureFolds, type LabelledCapture } from '../src/training/select.js';
import { trainV2Model } from '../src/training/v2-recipe.js';
import { decideCapture } from './role-decision.js';

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && i + 1 < process.argv.length) out.push(process.argv[i + 1]!);
  });
  return out;
}

const shared = '../shared/pcaps';
const dirs = args('dir').length
  ? args('dir')
  : existsSync(shared)
    ? [`${shared}/iot-sentinel/setups`, `${shared}/roles-dev`]
    : ['test-data/iot-sentinel/setups', 'test-data/roles-dev'];
const seeds = (args('seeds')[0] ?? '0,1,2,3,4').split(',').map(Number);
const unknownRate = Number(args('unknown-rate')[0] ?? '0.02');
const scale = Number(args('scale')[0] ?? '0');
const cache = args('cache')[0];
// --fold-seed N: the outer folds stay those of seed N and only the training seed varies (what `--seed`
// changes for a user with a fixed train / test split); without it the folds change with the seed too.
const foldSeedArg = args('fold-seed')[0];
const foldSeed = foldSeedArg === undefined ? null : Number(foldSeedArg);
// --open-set confidence: the forest-confidence rule (p1 + p2, conformal out-of-bag) instead of novelty.
const openSetRule = args('open-set')[0] === 'confidence' ? 'confidence' : 'novelty';

interface Corpus {
  name: string;
  captures: LabelledCapture[];
}

async function loadCorpora(): Promise<Corpus[]> {
  if (cache && existsSync(cache)) {
    const raw = JSON.parse(readFileSync(cache, 'utf8')) as {
      name: string;
      captures: { name: string; label: string; rows: number[][] }[];
    }[];
    return raw.map((c) => ({
      name: c.name,
      captures: c.captures.map((x) => ({ ...x, rows: x.rows.map((r) => Float64Array.from(r)) })),
    }));
  }
  const out: Corpus[] = [];
  for (const dir of dirs) {
    const files = readdirSync(dir)
      .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
      .sort();
    const captures: LabelledCapture[] = [];
    for (const f of files) {
      const s = await captureFeatureSet(join(dir, f), { durationS: 900, warmupS: 0 });
      captures.push({ name: f, label: labelOf(f), rows: s.v2Rows });
    }
    out.push({ name: basename(dir) === 'setups' ? 'iot-sentinel' : basename(dir), captures });
  }
  if (cache) {
    writeFileSync(
      cache,
      JSON.stringify(
        out.map((c) => ({
          name: c.name,
          captures: c.captures.map((x) => ({ ...x, rows: x.rows.map((r) => [...r]) })),
        })),
      ),
    );
  }
  return out;
}

interface SeedResult {
  seed: number;
  accuracy: number;
  forcedAccuracy: number;
  knownCalledUnknown: number;
  unseenCalledUnknown: number;
  trainSeconds: number;
  chosen: string;
  threshold: number;
  estimatedKnownUnknown: number;
  estimatedUnseenUnknown: number | null;
  wrong: string[];
  /** Captures of a type left out of training that were not called Unknown, and what they were called. */
  unseenMissed: string[];
}

function runSeed(captures: LabelledCapture[], seed: number): SeedResult {
  const options = {
    seed,
    binDurationS: 900,
    warmupS: 0,
    dataset: 'bench',
    unknownRate,
    openSetRule,
  } as const;
  // Outer per-capture CV: the whole recipe inside each fold.
  const folds = captureFolds(
    captures.map((c) => c.label),
    5,
    foldSeed ?? seed,
  );
  let right = 0;
  let forcedRight = 0;
  let unknown = 0;
  const wrong: string[] = [];
  folds.forEach((test, f) => {
    const inTest = new Set(test);
    const { model } = trainV2Model(
      captures.filter((_, i) => !inTest.has(i)),
      { ...options, seed: seed + 100 * (f + 1), estimateUnseen: false },
    );
    for (const i of test) {
      const c = captures[i]!;
      const d = decideCapture(model, c);
      if (d.label === c.label) right++;
      else wrong.push(`${c.name}→${d.label}`);
      if (d.forced === c.label) forcedRight++;
      if (d.label === 'Unknown') unknown++;
    }
  });
  // Leave-one-type-out: every capture of the held-out type should be Unknown.
  const labels = [...new Set(captures.map((c) => c.label))].sort();
  let unseen = 0;
  let unseenUnknown = 0;
  const unseenMissed: string[] = [];
  labels.forEach((held, i) => {
    const { model } = trainV2Model(
      captures.filter((c) => c.label !== held),
      { ...options, seed: seed + 10_000 * (i + 1), estimateUnseen: false },
    );
    for (const c of captures) {
      if (c.label !== held) continue;
      unseen++;
      const label = decideCapture(model, c).label;
      if (label === 'Unknown') unseenUnknown++;
      else unseenMissed.push(`${c.name}→${label}`);
    }
  });
  // The training a user runs: everything, with its own estimates.
  const t0 = performance.now();
  const full = trainV2Model(captures, options);
  const trainSeconds = (performance.now() - t0) / 1000;
  return {
    seed,
    accuracy: right / captures.length,
    forcedAccuracy: forcedRight / captures.length,
    knownCalledUnknown: unknown / captures.length,
    unseenCalledUnknown: unseenUnknown / unseen,
    trainSeconds,
    chosen: full.selection.best.name,
    threshold: full.calibration?.threshold ?? 0,
    estimatedKnownUnknown: full.calibration?.knownUnknownRate ?? 0,
    estimatedUnseenUnknown: full.calibration?.unseenUnknownRate ?? null,
    wrong,
    unseenMissed,
  };
}

function jittered(captures: LabelledCapture[], copies: number): LabelledCapture[] {
  const rng = new Rng(12345);
  const out: LabelledCapture[] = [];
  for (let k = 0; k < copies; k++) {
    for (const c of captures) {
      out.push({
        name: `${c.name}#${k}`,
        label: c.label,
        rows: c.rows.map((r) => (k === 0 ? r : r.map((v) => v * (1 + 0.01 * (rng.next() - 0.5) * 2)))),
      });
    }
  }
  return out;
}

const loaded = await loadCorpora();
if (loaded.length > 1) loaded.push({ name: 'pooled', captures: loaded.flatMap((c) => c.captures) });
// --corpus NAME (repeatable) scores only those corpora (iot-sentinel, roles-dev, pooled).
const only = args('corpus');
const corpora = only.length ? loaded.filter((c) => only.includes(c.name)) : loaded;
const report: Record<string, unknown>[] = [];
for (const corpus of corpora) {
  const types = new Set(corpus.captures.map((c) => c.label)).size;
  const results = seeds.map((s) => runSeed(corpus.captures, s));
  const accs = results.map((r) => r.accuracy);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = {
    corpus: corpus.name,
    captures: corpus.captures.length,
    types,
    unknownRate,
    foldSeed,
    perSeed: results,
    accuracySpread: Math.max(...accs) - Math.min(...accs),
    meanAccuracy: mean(accs),
    meanKnownCalledUnknown: mean(results.map((r) => r.knownCalledUnknown)),
    meanUnseenCalledUnknown: mean(results.map((r) => r.unseenCalledUnknown)),
    medianTrainSeconds: results.map((r) => r.trainSeconds).sort((a, b) => a - b)[results.length >> 1]!,
  };
  report.push(summary);
  if (!process.argv.includes('--json')) {
    console.log(
      `\n${corpus.name}: ${corpus.captures.length} captures, ${types} types, --unknown-rate ${unknownRate}` +
        (foldSeed === null ? ', outer folds change with the seed' : `, outer folds of seed ${foldSeed}`) +
        `, Unknown rule ${openSetRule}`,
    );
    console.log('seed  accuracy  forced  known→Unknown  unseen→Unknown  train s  threshold  chosen');
    for (const r of results) {
      console.log(
        `${String(r.seed).padStart(4)}  ${r.accuracy.toFixed(3).padStart(8)}  ${r.forcedAccuracy.toFixed(3).padStart(6)}  ` +
          `${r.knownCalledUnknown.toFixed(3).padStart(13)}  ${r.unseenCalledUnknown.toFixed(3).padStart(14)}  ` +
          `${r.trainSeconds.toFixed(1).padStart(7)}  ${r.threshold.toFixed(3).padStart(9)}  ${r.chosen}`,
      );
      if (r.wrong.length) console.log(`      wrong: ${r.wrong.join(' ')}`);
      if (r.unseenMissed.length) console.log(`      unseen, not Unknown: ${r.unseenMissed.join(' ')}`);
    }
    console.log(
      `spread ${summary.accuracySpread.toFixed(3)}, mean accuracy ${summary.meanAccuracy.toFixed(3)}, ` +
        `known→Unknown ${summary.meanKnownCalledUnknown.toFixed(3)}, unseen→Unknown ${summary.meanUnseenCalledUnknown.toFixed(3)}, ` +
        `median training ${summary.medianTrainSeconds.toFixed(1)} s`,
    );
  }
}
if (scale > 1) {
  const pooled = loaded[loaded.length - 1]!.captures;
  const big = jittered(pooled, scale);
  const t0 = performance.now();
  const full = trainV2Model(big, {
    seed: 0,
    binDurationS: 900,
    warmupS: 0,
    dataset: 'bench',
    unknownRate,
    openSetRule,
  });
  const seconds = (performance.now() - t0) / 1000;
  report.push({ scaled: big.length, seconds, phases: full.seconds });
  if (!process.argv.includes('--json'))
    console.log(
      `\ntraining on ${big.length} captures (pooled × ${scale}, jittered): ${seconds.toFixed(1)} s ${JSON.stringify(full.seconds)}`,
    );
}
if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 1));
