/**
 * Offline tuning of the behaviour model on features dumped by dump-features.ts (no capture re-reading):
 *   npx tsx bench/behavior/tune.ts FEATURES.json [--k 2] [--novelty 1] [--clip 3] [--norm 1] [--below 0.5]
 *     [--tail 0.1] [--gamma 0.5] [--far 0.01] [--peers 1] [--peerflows 1.5] [--adminbonus 2]
 *     [--labelweight 2] [--labelmean] [--labelq 0.9] [--othertype 4] [--othermin 3] [--beyond 0]
 *     [--beyondfree 0.69] [--vendor 1] [--vendorfree 2] [--vendorpackets 5] [--heldout] [--unseen]
 * Prints AUC (normal captures of the same length vs the group), detection and false alarms at the
 * model's calibrated threshold, per kind/family and length. Tune on non-heldout families only.
 */
import { readFileSync } from 'node:fs';
import { type BehaviorBin, macVendor } from '../../src/features/behavior.js';
import { BehaviorModel, type BehaviorOptions } from '../../src/models/behavior.js';

interface Row {
  id: string;
  split: string;
  kind: string;
  family: string | null;
  length: string | null;
  heldout: boolean;
  deviceType: string;
  wrongRoleType?: string | null;
  /** The device the injection rewrote (the one the pipeline scores). */
  device?: { mac: string };
  bins: BehaviorBin[];
}
const rows = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Row[];
const heldout = process.argv.includes('--heldout');

// Options not given keep the estimator's defaults.
const numeric = (name: string, key: keyof BehaviorOptions): Partial<BehaviorOptions> => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? { [key]: Number(process.argv[i + 1]) } : {};
};
const opts: BehaviorOptions = {
  ...numeric('k', 'k'),
  ...numeric('novelty', 'noveltyWeight'),
  ...numeric('peers', 'peerWeight'),
  ...numeric('peerflows', 'peerFlowWeight'),
  ...numeric('adminbonus', 'adminServiceBonus'),
  ...numeric('clip', 'clip'),
  ...numeric('local', 'localFloor'),
  ...numeric('calmin', 'calibrationMinCaptures'),
  ...numeric('far', 'falseAlarmRate'),
  ...numeric('norm', 'norm'),
  ...numeric('below', 'belowWeight'),
  ...numeric('tail', 'tailShare'),
  ...numeric('gamma', 'windowExponent'),
  ...numeric('labelweight', 'labelWeight'),
  ...numeric('othertype', 'otherTypeWeight'),
  ...numeric('labelq', 'labelNormalQuantile'),
  ...numeric('othermin', 'otherTypeMin'),
  ...numeric('beyond', 'beyondWeight'),
  ...numeric('beyondfree', 'beyondFree'),
  ...numeric('vendor', 'vendorWeight'),
  ...numeric('vendorfree', 'vendorFree'),
  ...numeric('vendorpackets', 'vendorMinPackets'),
  ...(process.argv.includes('--labelmean') ? { labelFit: 'mean' as const } : {}),
};
const model = new BehaviorModel(opts);
/** The device's MAC vendor prefix, as eval takes it from the scored host. */
function vendorOf(r: Row): { vendor?: string } {
  const v = r.device ? macVendor(r.device.mac) : undefined;
  return v === undefined ? {} : { vendor: v };
}
const train = rows.filter((r) => r.split === 'train');
if (process.argv.includes('--unseen')) {
  // Each type left out of training in turn: its test normals are then an unseen type, which must not
  // become false alarms.
  const types = [...new Set(train.map((r) => r.deviceType))].sort();
  let flagged = 0;
  let total = 0;
  const out: string[] = [];
  for (const t of types) {
    const m = new BehaviorModel(opts);
    m.fit(
      train
        .filter((r) => r.deviceType !== t)
        .flatMap((r) => r.bins.map((b) => ({ group: r.id, label: r.deviceType, ...vendorOf(r), ...b }))),
    );
    const ns = rows.filter(
      (r) => r.split === 'test' && r.kind === 'normal' && r.deviceType === t && r.bins.length,
    );
    const ab = ns.map((r) => m.score(r.bins).abnormality);
    const f = ab.filter((a) => a > m.state!.threshold).length;
    flagged += f;
    total += ns.length;
    out.push(`${t}: ${f}/${ns.length} (median ${[...ab].sort((x, y) => x - y)[ab.length >> 1]?.toFixed(3)})`);
  }
  process.stdout.write(`unseen types flagged ${flagged}/${total}: ${out.join(', ')}\n`);
  process.exit(0);
}
model.fit(
  train.flatMap((r) => r.bins.map((b) => ({ group: r.id, label: r.deviceType, ...vendorOf(r), ...b }))),
);
const threshold = model.state!.threshold;
const tests = rows.filter((r) => r.split === 'test' && (r.kind === 'normal' || r.heldout === heldout));
const scored = tests.map((r) => ({
  r,
  a: r.bins.length ? model.score(r.bins, undefined, undefined, vendorOf(r).vendor).abnormality : -1,
}));
function auc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
const lines: string[] = [];
for (const length of ['short', 'long']) {
  const normals = scored.filter((x) => x.r.kind === 'normal' && x.r.length === length);
  const na = normals.map((x) => x.a);
  const fa = normals.filter((x) => x.a > threshold).length / normals.length;
  const groups = new Map<string, typeof scored>();
  for (const x of scored) {
    if (x.r.kind === 'normal' || x.r.length !== length) continue;
    // Wrong-role pairs with a near-silent iKettle2 or Aria setup (5-50 packets) apart too: the merge of another
    // device with one looks like the other device alone.
    const silent = (t: string | null | undefined) => t === 'iKettle2' || t === 'Aria';
    const keys =
      x.r.kind === 'attack'
        ? ['attack', `  ${x.r.family}`]
        : ['wrongrole', silent(x.r.deviceType) || silent(x.r.wrongRoleType) ? '  wr-silent' : '  wr-other'];
    for (const k of keys) groups.set(k, [...(groups.get(k) ?? []), x]);
  }
  for (const [g, xs] of [...groups].sort()) {
    const det = xs.filter((x) => x.a > threshold).length / xs.length;
    const sortedN = [...na].sort((a, b) => a - b);
    const q98 = sortedN[Math.min(sortedN.length - 1, Math.ceil(0.98 * sortedN.length) - 1)]!;
    const det98 = xs.filter((x) => x.a > q98).length / xs.length;
    lines.push(
      `${length.padEnd(6)} ${g.padEnd(14)} n=${String(xs.length).padStart(3)} AUC ${auc(
        xs.map((x) => x.a),
        na,
      ).toFixed(
        3,
      )} det ${(det * 100).toFixed(0).padStart(3)}% (at 2% test FA: ${(det98 * 100).toFixed(0).padStart(3)}%)  FA ${(fa * 100).toFixed(1)}% (${normals.length})`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
