/**
 * The nearest-capture classifier's rank space and the variants the roles labs compare
 * (bench/roles-classifier-lab.ts, bench/port-role-lab.ts): forced decisions, distance to the nearest
 * training capture in rank space over the 168 v2 header aggregates.
 */
import { V2_OWN_COUNT, v2FeatureNames } from '../src/features/v2/index.js';
import { midRank } from '../src/models/novelty.js';
import { captureFolds } from '../src/training/select.js';
import { heldoutSplit, simulationCaptures } from './heldout-split.js';
import type { Cap } from './rank-corpora.js';

const H = V2_OWN_COUNT;
/** Every header-aggregate column. */
export const ALL = Array.from({ length: H }, (_, i) => i);
const HOST_IS_SERVER = v2FeatureNames().indexOf('out.service.hostIsServer');

/** The training captures in rank space on some columns. */
export class Space {
  readonly sorted: Float64Array[];
  readonly ranks: Float64Array[];
  readonly n: number;
  constructor(
    readonly cols: number[],
    train: readonly Cap[],
  ) {
    this.n = train.length;
    this.sorted = cols.map((c) => Float64Array.from(train, (t) => t.x[c]!).sort());
    this.ranks = train.map((t) => this.rank(t.x));
  }
  rank(x: Float64Array): Float64Array {
    return Float64Array.from(this.cols, (c, f) => midRank(this.sorted[f]!, 0, this.n, x[c]!));
  }
  dist(q: Float64Array, i: number, w: Float64Array | null = null): number {
    const r = this.ranks[i]!;
    let s = 0;
    let sw = 0;
    for (let f = 0; f < q.length; f++) {
      const wf = w === null ? 1 : w[f]!;
      s += wf * Math.abs(q[f]! - r[f]!);
      sw += wf;
    }
    return sw > 0 ? s / sw : 0;
  }
}

export type Classifier = (x: Float64Array) => string;
export type Variant = (train: readonly Cap[]) => Classifier;

/** The label of the smallest distance (code-point order breaks ties). */
export function nearestLabel(train: readonly Cap[], d: (i: number) => number | null): string {
  let best = '';
  let bestD = Number.POSITIVE_INFINITY;
  train.forEach((t, i) => {
    const v = d(i);
    if (v !== null && (v < bestD || (v === bestD && t.label < best))) {
      bestD = v;
      best = t.label;
    }
  });
  return best;
}

export function additive(sec: number[], lambda: number): Variant {
  return (train) => {
    const a = new Space(ALL, train);
    const b = new Space(sec, train);
    return (x) => {
      const qa = a.rank(x);
      const qb = b.rank(x);
      return nearestLabel(train, (i) => a.dist(qa, i) + lambda * b.dist(qb, i));
    };
  };
}

/** The nearest capture whose value in column `col` is within `gap` of the query's (none: the nearest). */
export function columnVeto(col: number, gap: number): Variant {
  return (train) => {
    const a = new Space(ALL, train);
    return (x) => {
      const q = a.rank(x);
      const kept = nearestLabel(train, (i) =>
        Math.abs(x[col]! - train[i]!.x[col]!) >= gap ? null : a.dist(q, i),
      );
      return kept || nearestLabel(train, (i) => a.dist(q, i));
    };
  };
}

/** columnVeto on out.service.hostIsServer. */
export function veto(gap: number): Variant {
  return columnVeto(HOST_IS_SERVER, gap);
}

export function fisher(power: number): Variant {
  return (train) => {
    const a = new Space(ALL, train);
    const n = train.length;
    const labels = [...new Set(train.map((t) => t.label))];
    const w = new Float64Array(H);
    for (let f = 0; f < H; f++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += a.ranks[i]![f]! / n;
      let total = 0;
      for (let i = 0; i < n; i++) total += (a.ranks[i]![f]! - mean) ** 2;
      let within = 0;
      for (const l of labels) {
        const idx = train.flatMap((t, i) => (t.label === l ? [i] : []));
        let m = 0;
        for (const i of idx) m += a.ranks[i]![f]! / idx.length;
        for (const i of idx) within += (a.ranks[i]![f]! - m) ** 2;
      }
      w[f] = total > 0 ? Math.max(0, 1 - within / total) ** power : 0;
    }
    return (x) => {
      const q = a.rank(x);
      return nearestLabel(train, (i) => a.dist(q, i, w));
    };
  };
}

const short = (name: string): string => name.replace(/-[A-Z][a-z]{2}\d{4}-n00\.pcap$/, '');

/**
 * Prints each variant's forced-decision accuracy: per-capture 5-fold CV, seeds 0–4, on iot-sentinel, roles-dev
 * and pooled (with the captures it gets wrong), then the held-out-like simulation with roles-dev + each
 * extra type: HueBridge and DLinkCam, or with `--all-extras` every iot-sentinel type. `chosen` non-empty:
 * only those variants.
 */
export function reportVariants(
  variants: Record<string, Variant>,
  corpora: Record<string, Cap[]>,
  chosen: readonly string[],
): void {
  const extras = process.argv.includes('--all-extras')
    ? [...new Set((corpora['iot-sentinel'] ?? []).map((c) => c.label))].sort()
    : ['HueBridge', 'DLinkCam'];
  for (const [vn, make] of Object.entries(variants)) {
    if (chosen.length && !chosen.includes(vn)) continue;
    console.log(`== ${vn}`);
    for (const cn of ['iot-sentinel', 'roles-dev', 'pooled']) {
      const caps = corpora[cn] ?? [];
      if (caps.length === 0) continue;
      const accs: string[] = [];
      const wrong = new Set<string>();
      for (const seed of [0, 1, 2, 3, 4]) {
        let right = 0;
        for (const test of captureFolds(
          caps.map((c) => c.label),
          5,
          seed,
        )) {
          const held = new Set(test);
          const classify = make(caps.filter((_, i) => !held.has(i)));
          for (const i of test) {
            const p = classify(caps[i]!.x);
            if (p === caps[i]!.label) right++;
            else wrong.add(`${short(caps[i]!.name)}→${p}`);
          }
        }
        accs.push((right / caps.length).toFixed(3));
      }
      console.log(`  ${cn.padEnd(16)} ${accs.join(' ')}  wrong: ${[...wrong].join(' ') || '—'}`);
    }
    let simWrong = 0;
    let simTotal = 0;
    for (const extra of extras) {
      const all = simulationCaptures(corpora['roles-dev'] ?? [], corpora['iot-sentinel'] ?? [], extra);
      const accs: string[] = [];
      const wrong: string[] = [];
      for (const seed of [0, 1, 2, 3, 4]) {
        const { train, test } = heldoutSplit(all, seed);
        const classify = make(train);
        let right = 0;
        for (const c of test) {
          const p = classify(c.x);
          if (p === c.label) right++;
          else wrong.push(`${seed}:${short(c.name)}→${p}`);
        }
        accs.push((right / test.length).toFixed(3));
        simWrong += test.length - right;
        simTotal += test.length;
      }
      console.log(`  sim+${extra.padEnd(12)} ${accs.join(' ')}  wrong: ${wrong.join(' ') || '—'}`);
    }
    console.log(`  simulation: ${simWrong} of ${simTotal} held-out captures wrong`);
  }
}
