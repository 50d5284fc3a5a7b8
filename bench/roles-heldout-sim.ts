/**
 * A 7-type corpus shaped like the held-out one the roles targets are measured on: roles-dev's 6 types plus
 * every 2nd capture (at most 9) of one IoT Sentinel type, a third of each type held out per split (seeded),
 * the v2 recipe trained on the rest with the split's seed. Prints accuracy per capture (Unknown counts
 * wrong), captures called Unknown and the misses per split.
 *
 *   node --import tsx bench/roles-heldout-sim.ts --cache FILE [--type HueBridge] [--open-set novelty|confidence]
 *
 * FILE is the feature cache `bench/roles-accuracy.ts --cache FILE` writes.
 */
import { readFileSync } from 'node:fs';
import { captureNovelty, isUnknown } from '../src/models/role-model.js';
import { type LabelledCapture, predictLabel } from '../src/training/select.js';
import { trainV2Model } from '../src/training/v2-recipe.js';
import { heldoutSplit, simulationCaptures } from './heldout-split.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const cache = arg('cache', '');
if (!cache) {
  console.error(
    'roles-heldout-sim: --cache FILE (written by bench/roles-accuracy.ts --cache FILE) is required',
  );
  process.exit(2);
}
const extraType = arg('type', 'HueBridge');
const openSetRule = arg('open-set', 'novelty') === 'confidence' ? 'confidence' : 'novelty';
const verbose = process.argv.includes('--verbose');
const raw = JSON.parse(readFileSync(cache, 'utf8')) as {
  name: string;
  captures: { name: string; label: string; rows: number[][] }[];
}[];
const corpus = (name: string): LabelledCapture[] =>
  (raw.find((c) => c.name === name)?.captures ?? []).map((x) => ({
    ...x,
    rows: x.rows.map((r) => Float64Array.from(r)),
  }));
const all = simulationCaptures(corpus('roles-dev'), corpus('iot-sentinel'), extraType).filter(
  (c) => c.rows.length > 0,
);
for (const seed of [0, 1, 2, 3, 4]) {
  const { train, test } = heldoutSplit(all, seed);
  const t0 = performance.now();
  const { model, selection } = trainV2Model(train, {
    seed,
    binDurationS: 900,
    warmupS: 0,
    dataset: 'bench',
    unknownRate: 0.02,
    estimateUnseen: false,
    openSetRule,
  });
  const seconds = (performance.now() - t0) / 1000;
  let right = 0;
  let unknown = 0;
  const wrong: string[] = [];
  const lines: string[] = [];
  for (const c of test) {
    const p = predictLabel(model, c.rows);
    const novelty = captureNovelty(model, c.rows);
    const u = isUnknown(model, p.top, p.secondTop, novelty);
    if (u) unknown++;
    if (!u && p.label === c.label) right++;
    else wrong.push(`${c.name}→${u ? 'Unknown' : p.label}`);
    lines.push(
      `  ${!u && p.label === c.label ? ' ' : '✗'} ${c.name.padEnd(56)} ${c.label.padEnd(20)} → ${(u ? 'Unknown' : (p.label ?? '(no bins)')).padEnd(20)} ` +
        `top ${p.label}:${p.top.toFixed(2)} ${p.second}:${p.secondTop.toFixed(2)}` +
        (novelty === null ? '' : ` novelty ${novelty.toFixed(2)}`),
    );
  }
  console.log(
    `split ${seed}: ${train.length} train / ${test.length} test, accuracy ${(right / test.length).toFixed(3)}, ` +
      `${unknown} called Unknown, ${selection.best.name}, ${seconds.toFixed(1)} s${wrong.length ? `\n  wrong: ${wrong.join(' ')}` : ''}`,
  );
  if (verbose) console.log(lines.join('\n'));
}
