/**
 * The nearest-capture classifier's rank space and the variants the roles labs compare
 * (bench/roles-classifier-lab.ts, bench/port-role-lab.ts): forced decisions, distance to the nearest
 * training capture in rank space over the 168 v2 header aggregates.
 */
import { V2_OWN_COUNT, v2FeatureNames } from '../src/features/v2/index.js';
import { midRank } from '../src/models/novelty.js';
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

export function veto(gap: number): Variant {
  return (train) => {
    const a = new Space(ALL, train);
    return (x) => {
      const q = a.rank(x);
      const kept = nearestLabel(train, (i) =>
        Math.abs(x[HOST_IS_SERVER]! - train[i]!.x[HOST_IS_SERVER]!) >= gap ? null : a.dist(q, i),
      );
      return kept || nearestLabel(train, (i) => a.dist(q, i));
    };
  };
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
