/**
 * Nearest-capture classifier in rank space: the training captures' mean vectors, each column replaced by
 * its mid-rank among them (models/novelty.ts), and a capture takes the label of its nearest one.
 * Probabilities: p_c ∝ exp(−(d_c − d_min) / τ), d_c = rank distance to the nearest training capture of
 * label c (labels without captures get 0), τ = m / ln 20 with m the median margin of the training
 * captures (distance to the nearest capture of another label minus that to the nearest other capture of
 * its own): a capture at the typical margin weighs its own label 20× the nearest other one. (τ from the
 * within-type distance alone made every capture ~100 % sure of its top label; from the between-type
 * distance, ~35 % sure of its own with 7 labels.)
 * It has no randomness: with few captures per type it does not flip a borderline capture with the seed, and
 * on the development corpora it labelled held-out captures as well as or better than the forest (roles-dev
 * 0.912 vs 0.853 per capture).
 *
 * Optionally the last columns are a second block (v2's per-port service features, shares in [0, 1]) whose
 * mean absolute difference of raw values is added with a weight: d = mean rank distance over the first
 * `primary` columns + weight × mean |x − point| over the rest. Appended to the 168 header columns
 * unweighted, six columns could not outweigh the dozens in which the two ends of one recording (a MELSEC
 * engineering PC and its PLC) agree. Raw shares, not ranks: among ties at 0 a share of 0.01 ranks far
 * from 0, which made the same term in rank space work only for weights 0.2–0.25; on raw shares every
 * weight from 0.1 to 0.5 labelled those captures right without moving any other (bench/README.md).
 */
import { ModelError } from '../errors.js';
import { fitNovelty, midRank, type NoveltyReference } from './novelty.js';

export interface RankNnState {
  /** The training captures in rank space (threshold unused). */
  reference: NoveltyReference;
  /** Per training capture, the index of its label in the model's labels. */
  pointLabels: Int32Array;
  /** τ of the probabilities. */
  temperature: number;
  /** The first `primary` reference columns make the main distance; the rest the weighted block. */
  primary: number;
  /** Weight of the second block's mean distance (0 with no second block: models from before). */
  blockWeight: number;
}

/**
 * Distance of a query to training capture i; q holds the query's ranks on the first `primary` columns and
 * its raw values on the block's. The mean rank distance over the primary columns, plus `weight` × the mean
 * |raw difference| over the block when there is one (with none, exactly the plain mean as before).
 */
function distance(
  state: Pick<RankNnState, 'primary' | 'blockWeight'>,
  ref: NoveltyReference,
  i: number,
  q: ArrayLike<number>,
  h: number,
): number {
  const o = i * h;
  const p = state.primary;
  const ranks = ref.ranks;
  let s = 0;
  for (let f = 0; f < p; f++) s += Math.abs(q[f]! - ranks[o + f]!);
  if (p >= h) return s / h;
  const points = ref.points;
  let t = 0;
  for (let f = p; f < h; f++) t += Math.abs(q[f]! - points[o + f]!);
  return s / p + (state.blockWeight * t) / (h - p);
}

/** A vector's query form (see distance): ranks on the primary columns, raw values on the block's. */
function queryOf(
  state: Pick<RankNnState, 'primary'>,
  ref: NoveltyReference,
  x: ArrayLike<number>,
): Float64Array {
  const h = ref.columns.length;
  const q = new Float64Array(h);
  for (let f = 0; f < h; f++) {
    const v = x[ref.columns[f]!]!;
    q[f] = f < state.primary ? midRank(ref.sorted, f * ref.n, ref.n, v) : v;
  }
  return q;
}

/**
 * Fits the state on capture mean vectors (full width) with their label indices; `block` = the number of
 * trailing `columns` that form the weighted second block, `blockWeight` its weight.
 */
export function fitRankNn(
  columns: Int32Array,
  means: readonly ArrayLike<number>[],
  labelIndex: readonly number[],
  block = 0,
  blockWeight = 0,
): RankNnState {
  if (means.length < 2) throw new ModelError('a nearest-capture model needs at least two captures');
  if (!(block >= 0 && block < columns.length))
    throw new ModelError('ranknn: the second block must leave main columns');
  const reference = fitNovelty(columns, means);
  reference.neighbours = 1;
  const h = columns.length;
  const n = reference.n;
  const shape = { primary: h - block, blockWeight: block > 0 ? blockWeight : 0 };
  const other = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const same = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const qi = reference.ranks.slice(i * h, (i + 1) * h);
    for (let f = shape.primary; f < h; f++) qi[f] = reference.points[i * h + f]!;
    for (let j = i + 1; j < n; j++) {
      const s = distance(shape, reference, j, qi, h);
      const near = labelIndex[i] === labelIndex[j] ? same : other;
      if (s < near[i]!) near[i] = s;
      if (s < near[j]!) near[j] = s;
    }
  }
  const margins: number[] = [];
  for (let i = 0; i < n; i++)
    if (Number.isFinite(other[i]!) && Number.isFinite(same[i]!)) margins.push(other[i]! - same[i]!);
  margins.sort((a, b) => a - b);
  const m = margins.length > 0 ? margins[margins.length >> 1]! : 0;
  const median = m / Math.log(20);
  return {
    reference,
    pointLabels: Int32Array.from(labelIndex),
    temperature: median > 0 ? median : 1e-6,
    ...shape,
  };
}

/** Probabilities over k labels for one (full-width) feature vector. */
export function rankNnProba(state: RankNnState, k: number, x: ArrayLike<number>): Float64Array {
  const ref = state.reference;
  const h = ref.columns.length;
  const q = queryOf(state, ref, x);
  const best = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < ref.n; i++) {
    const d = distance(state, ref, i, q, h);
    const c = state.pointLabels[i]!;
    if (d < best[c]!) best[c] = d;
  }
  let min = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) min = Math.min(min, best[c]!);
  const p = new Float64Array(k);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    p[c] = Number.isFinite(best[c]!) ? Math.exp(-(best[c]! - min) / state.temperature) : 0;
    sum += p[c]!;
  }
  for (let c = 0; c < k; c++) p[c]! /= sum;
  return p;
}

/**
 * Per-column parts of the log-odds of label t against the nearest other label u:
 * ln(p_t / p_u) = (d_u − d_t) / τ = Σ_f (|q_f − r_uf| − |q_f − r_tf|) / (H·τ), with r_t, r_u the nearest
 * training captures of t and of any other label. Positive: the column brings the capture nearer t.
 */
export function rankNnContributions(state: RankNnState, t: number, x: ArrayLike<number>): Float64Array {
  const ref = state.reference;
  const h = ref.columns.length;
  const q = queryOf(state, ref, x);
  let own = -1;
  let other = -1;
  let ownD = Number.POSITIVE_INFINITY;
  let otherD = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ref.n; i++) {
    const s = distance(state, ref, i, q, h);
    if (state.pointLabels[i] === t) {
      if (s < ownD) [ownD, own] = [s, i];
    } else if (s < otherD) [otherD, other] = [s, i];
  }
  const out = new Float64Array(h);
  if (own < 0 || other < 0) return out;
  const p = state.primary;
  for (let f = 0; f < h; f++) {
    const r = f < p ? ref.ranks : ref.points;
    const diff = Math.abs(q[f]! - r[other * h + f]!) - Math.abs(q[f]! - r[own * h + f]!);
    out[f] =
      p >= h
        ? diff / h / state.temperature
        : (f < p ? diff / p : (state.blockWeight * diff) / (h - p)) / state.temperature;
  }
  return out;
}
