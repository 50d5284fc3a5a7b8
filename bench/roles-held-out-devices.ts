/**
 * Held-out devices: per-capture cross-validation lets a device's other captures into training, which is not
 * what a user meets with a new device of a known type. Here each physical device (roles-dev's LABELS.tsv
 * `device` column) of a type with two or more devices is left out in turn; the v2 recipe trained on every
 * other capture labels its captures. Prints per seed: accuracy on them (Unknown counts wrong), how many were
 * called Unknown, the estimate of that share the full training prints, and each miss.
 *
 *   node --import tsx bench/roles-held-out-devices.ts [--pooled] [--seeds 0,1,2] [--unknown-rate 0.02]
 *
 * Captures: ../shared/pcaps/roles-dev (test-data/roles-dev when ../shared is absent: fewer devices), and with
 * --pooled the IoT Sentinel setups too (one device per type there: training only).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureFeatureSet } from '../src/test-helpers/v2-capture.js';
import { labelOf } from '../src/training/dataset.js';
import type { LabelledCapture } from '../src/training/select.js';
import { trainV2Model } from '../src/training/v2-recipe.js';
import { decideCapture } from './role-decision.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const shared = '../shared/pcaps';
const rolesDev = existsSync(`${shared}/roles-dev`) ? `${shared}/roles-dev` : 'test-data/roles-dev';
const sentinel = existsSync(`${shared}/iot-sentinel/setups`)
  ? `${shared}/iot-sentinel/setups`
  : 'test-data/iot-sentinel/setups';
const pooled = process.argv.includes('--pooled');
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const unknownRate = Number(arg('unknown-rate', '0.02'));

/** File name → device, from LABELS.tsv (columns file, type, device, …). */
function devicesOf(dir: string): Map<string, string> {
  const [head, ...rows] = readFileSync(join(dir, 'LABELS.tsv'), 'utf8').trim().split('\n');
  const columns = head!.split('\t');
  const file = columns.indexOf('file');
  const device = columns.indexOf('device');
  return new Map(rows.map((r) => r.split('\t')).map((c) => [c[file]!, c[device]!]));
}

async function load(dir: string): Promise<LabelledCapture[]> {
  const out: LabelledCapture[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => /\.pcap$/.test(x))
    .sort()) {
    const s = await captureFeatureSet(join(dir, f), { durationS: 900, warmupS: 0 });
    out.push({ name: f, label: labelOf(f), rows: s.v2Rows });
  }
  return out;
}

const deviceOf = devicesOf(rolesDev);
const held = await load(rolesDev);
const others = pooled ? await load(sentinel) : [];
// Types with two or more devices: a device of a type with one has no other of its kind to be known by.
const devicesOfType = new Map<string, Set<string>>();
for (const c of held) {
  const set = devicesOfType.get(c.label) ?? new Set<string>();
  set.add(deviceOf.get(c.name)!);
  devicesOfType.set(c.label, set);
}
const testDevices = [
  ...new Set(held.filter((c) => devicesOfType.get(c.label)!.size >= 2).map((c) => deviceOf.get(c.name)!)),
].sort();

const options = { binDurationS: 900, warmupS: 0, dataset: 'held-out-devices', unknownRate } as const;
for (const seed of seeds) {
  let right = 0;
  let unknown = 0;
  let tested = 0;
  const misses: string[] = [];
  testDevices.forEach((device, d) => {
    const train = [...others, ...held.filter((c) => deviceOf.get(c.name) !== device)];
    const { model } = trainV2Model(train, { ...options, seed: seed + 100 * (d + 1), estimateUnseen: false });
    for (const c of held) {
      if (deviceOf.get(c.name) !== device) continue;
      tested++;
      const { label } = decideCapture(model, c);
      if (label === c.label) right++;
      else misses.push(`${c.name}→${label}`);
      if (label === 'Unknown') unknown++;
    }
  });
  const full = trainV2Model([...others, ...held], { ...options, seed, estimateUnseen: false });
  const estimate = full.calibration?.knownUnknownRate ?? 0;
  console.log(
    `seed ${seed}: ${testDevices.length} devices held out, ${tested} captures: accuracy ${(right / tested).toFixed(3)} ` +
      `(${right}/${tested}), called Unknown ${unknown}/${tested} (${((unknown / tested) * 100).toFixed(1)} %; ` +
      `the full training's leave-one-out estimate ${(estimate * 100).toFixed(1)} %)`,
  );
  for (const m of misses) console.log(`  ${m}`);
}
