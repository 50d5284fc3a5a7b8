/**
 * Experiment: compat vs v2 features on a train/test split of labelled captures (default: the IoT Sentinel
 * dev split in test-data). Trains the original recipe on compat features, selects a v2 model by capture-level
 * CV, calibrates its Unknown threshold by leave-one-class-out, and reports per-capture test accuracy.
 *
 *   node --import tsx bench/v2-accuracy.ts [--split FILE] [--dir DIR] [--warmup S] [--duration S] [--per-label N] [--json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UNKNOWN_LABEL } from '../src/models/role-model.js';
import { captureFeatureSet } from '../src/test-helpers/v2-capture.js';
import { calibrateOpenSet, leaveOneClassOut, openSetScore } from '../src/training/calibrate.js';
import { labelOf as labelOfCapture } from '../src/training/dataset.js';
import {
  DEFAULT_GRID,
  type LabelledCapture,
  predictLabel,
  SELECT_DEFAULTS,
  selectModel,
  trainCandidate,
} from '../src/training/select.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const splitPath = arg('split', 'test-data/iot-sentinel/dev-split.json');
const dir = arg('dir', 'test-data/iot-sentinel/setups');
const warmupS = Number(arg('warmup', '0'));
const durationS = Number(arg('duration', '900'));
const seed = Number(arg('seed', '0'));
const split = JSON.parse(readFileSync(splitPath, 'utf8')) as { train: string[]; test: string[] };
// --per-label N keeps only the first N training captures of each label (a harder, data-poor setting).
const perLabel = Number(arg('per-label', '0'));
if (perLabel > 0) {
  const seen = new Map<string, number>();
  split.train = split.train.filter((n) => {
    const l = labelOfCapture(n);
    seen.set(l, (seen.get(l) ?? 0) + 1);
    return seen.get(l)! <= perLabel;
  });
}

async function load(names: string[]): Promise<{ compat: LabelledCapture[]; v2: LabelledCapture[] }> {
  const compat: LabelledCapture[] = [];
  const v2: LabelledCapture[] = [];
  for (const name of names) {
    const f = await captureFeatureSet(join(dir, name), { durationS, warmupS });
    const label = labelOfCapture(name);
    compat.push({ name, label, rows: f.compatRows });
    v2.push({ name, label, rows: f.v2Rows });
  }
  return { compat, v2 };
}

const t0 = performance.now();
const train = await load(split.train);
const test = await load(split.test);
const tLoad = performance.now();

function testAccuracy(model: Parameters<typeof predictLabel>[0], caps: LabelledCapture[], threshold = 0) {
  let right = 0;
  const wrong: string[] = [];
  for (const c of caps) {
    const p = predictLabel(model, c.rows);
    const score = openSetScore(p.top, p.secondTop);
    const label = p.label !== null && score < threshold ? UNKNOWN_LABEL : p.label;
    if (label === c.label) right++;
    else wrong.push(`${c.name}→${label ?? 'no bins'}(${p.top.toFixed(2)})`);
  }
  return { accuracy: right / caps.length, wrong };
}

// Baseline: the original's recipe on compat features.
const compatRecipe = { semantics: 'compat' as const, warmupS, binDurationS: durationS };
const compatOne = trainCandidate(
  train.compat.filter((c) => c.rows.length > 0),
  { algorithm: 'onelayer', hiddenSize: 32, alpha: 0.1 },
  { ...compatRecipe, selectFeatures: true, unknownAugmentation: true },
  seed,
);
const compatRf = trainCandidate(
  train.compat.filter((c) => c.rows.length > 0),
  { algorithm: 'randomforest', nEstimators: 100, minSamplesSplit: 5 },
  { ...compatRecipe, selectFeatures: true, unknownAugmentation: true },
  seed,
);
const tCompat = performance.now();

const trainOpts = { ...SELECT_DEFAULTS.train, warmupS, binDurationS: durationS };
const sel = selectModel(train.v2, DEFAULT_GRID, {
  folds: Math.min(5, perLabel > 0 ? perLabel : 5),
  seed,
  train: trainOpts,
});
const best = sel.best.candidate;
const v2Model = trainCandidate(
  train.v2.filter((c) => c.rows.length > 0),
  best,
  trainOpts,
  seed,
);
const tSelect = performance.now();
const unseen = leaveOneClassOut(train.v2, best, trainOpts, seed);
const cal = calibrateOpenSet(sel.best.outcomes, unseen);
const tCal = performance.now();

const report = {
  split: splitPath,
  warmupS,
  durationS,
  trainCaptures: split.train.length,
  testCaptures: split.test.length,
  compat: {
    onelayerOriginalRecipe: testAccuracy(compatOne, test.compat),
    randomforestOriginalRecipe: testAccuracy(compatRf, test.compat),
  },
  v2: {
    cv: sel.results.map((r) => ({ name: r.name, accuracy: r.accuracy, folds: r.foldAccuracies })),
    chosen: sel.best.name,
    test: testAccuracy(v2Model, test.v2),
    testWithUnknownThreshold: testAccuracy(v2Model, test.v2, cal.threshold),
    calibration: cal,
  },
  seconds: {
    features: (tLoad - t0) / 1000,
    compatTraining: (tCompat - tLoad) / 1000,
    v2Selection: (tSelect - tCompat) / 1000,
    calibration: (tCal - tSelect) / 1000,
  },
};
if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 1));
else {
  console.log(
    `split ${splitPath} (train ${report.trainCaptures}, test ${report.testCaptures}), warm-up ${warmupS} s`,
  );
  console.log(
    `compat onelayer (original recipe): ${report.compat.onelayerOriginalRecipe.accuracy.toFixed(3)}`,
  );
  console.log(
    `compat randomforest (original recipe): ${report.compat.randomforestOriginalRecipe.accuracy.toFixed(3)}`,
  );
  for (const r of report.v2.cv) console.log(`v2 CV ${r.name}: ${r.accuracy.toFixed(3)}`);
  console.log(
    `v2 chosen ${report.v2.chosen}: test ${report.v2.test.accuracy.toFixed(3)} ${report.v2.test.wrong.join(' ')}`,
  );
  console.log(
    `v2 with Unknown threshold ${cal.threshold.toFixed(3)}: test ${report.v2.testWithUnknownThreshold.accuracy.toFixed(3)} ${report.v2.testWithUnknownThreshold.wrong.join(' ')}`,
  );
  console.log(
    `leave-one-type-out: unseen types called Unknown ${(cal.unseenUnknownRate ?? 0).toFixed(3)} ${JSON.stringify(cal.unseenByLabel)}; known types called Unknown ${cal.knownUnknownRate.toFixed(3)}; known CV accuracy ${cal.knownAccuracyBefore.toFixed(3)} → ${cal.knownAccuracyAfter.toFixed(3)}`,
  );
  console.log(`seconds ${JSON.stringify(report.seconds)}`);
}
