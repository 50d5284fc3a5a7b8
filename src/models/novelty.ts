/**
 * Feature-space novelty of a capture for the open-set (Unknown) rule: how far the capture lies from its
 * k nearest training captures once every feature is replaced by its mid-rank among the training captures
 * (an empirical copula): d(q) = mean of the k smallest D(q, i), D(q, i) = (1/H) Σ_f |F_f(q_f) − F_f(x_if)|,
 * F_f(v) = (#{x_jf < v} + ½ #{x_jf = v}) / n over the n training captures' mean vectors x_j and the H
 * columns used. k = 3 (NOVELTY_NEIGHBOURS): on leave-one-type-out it separated unseen types from held-out
 * known captures better than k = 1, 2 or 5 (roles-dev, pooled; IoT Sentinel alike for all).
 *
 * Why ranks: the header aggregates are heavy-tailed counts and rates; on standardised values one or two
 * huge columns decide a Euclidean distance, so a known capture of a type with 2–3 examples looked as far as
 * an unseen type did. Ranks weigh every column alike and a capture of a type never trained on differs from
 * every training capture in many columns at once. Unlike the forest's confidence it does not need the
 * unseen type to fall between the known classes: a forest of 5 types gives an unseen type's capture its
 * nearest class with confidence.
 *
 * With the training captures' labels (`labels`), the novelty is the distance to the nearest known TYPE:
 * d(q) = min over labels c of the mean of the min(k, n_c) smallest D(q, i) with label i = c. A capture that
 * sits next to one atypical capture of a type but far from the rest of it (or between captures of several
 * types) is no longer "known" by borrowing neighbours from different types: on leave-one-type-out this
 * caught every left-out phasor measurement unit of roles-dev (3 of 7 were missed), at the same known-type
 * cost on IoT Sentinel and pooled.
 *
 * A reference may carry a `secondary` rule on a few columns (the host's service role: whether it sends
 * from the lower port, which side opened its flows): the two ends of one conversation differ there and
 * almost nowhere else, so among 168 columns they look alike. The two rules are calibrated jointly: each
 * rule's score is ranked among its training captures' leave-one-out scores (u_r = F_r(d_r), a mid-rank
 * CDF), and the capture is Unknown when max(u₁, u₂) is above the conformal threshold of the training
 * captures' own max(u₁, u₂) (`jointThreshold`). That spends the rate on the two rules together, as their
 * scores co-vary, where splitting it in halves (Bonferroni) made each rule laxer than it had to be
 * (pooled corpus: 97.1 % of unseen-type captures rejected, against 98.3 % jointly).
 */
import { ModelError } from '../errors.js';

/** Neighbours averaged (at most n − 1 for the leave-one-out scores). */
export const NOVELTY_NEIGHBOURS = 3;

export interface NoveltyReference {
  /** Indices into the capture's feature vector of the columns the distance uses (H of them). */
  columns: Int32Array;
  /** Number of training captures. */
  n: number;
  /** The training captures' mean vectors on `columns`, n × H row-major (what the file stores). */
  points: Float64Array;
  /** Per column, the n training values sorted ascending, H × n (derived from points). */
  sorted: Float64Array;
  /** The training captures' mid-ranks, n × H (derived from points). */
  ranks: Float64Array;
  /** A capture whose novelty is above this is called Unknown; null: not calibrated. */
  threshold: number | null;
  /** k: the novelty is the mean distance to this many nearest training captures. */
  neighbours: number;
  /**
   * Per training capture, the index of its type (only equality matters); with it the novelty is the
   * distance to the nearest type (min over types of the mean of its min(k, n_c) nearest). Null: the mean
   * of the k nearest captures whatever their type (models from before).
   */
  labels: Int32Array | null;
  /** A second rule on a subset of `columns`, calibrated jointly with this one (noveltyRatio); null: none. */
  secondary: NoveltyReference | null;
  /** With a secondary rule: this rule's leave-one-out calibration scores, ascending; null otherwise. */
  calibration: Float64Array | null;
  /** With a secondary rule: Unknown when max(u₁, u₂) is above this (see above); null otherwise. */
  jointThreshold: number | null;
  /**
   * With a secondary rule: its score is divided by this before it is ranked (1: as is). Set above 1 only
   * when too few training captures calibrated the rule for its rate (training/calibrate.ts).
   */
  secondaryMargin: number;
}

/** Mid-rank of v among the sorted values sorted[offset .. offset + n): (#below + ½ #equal) / n. */
export function midRank(sorted: Float64Array, offset: number, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[offset + m]! < v) lo = m + 1;
    else hi = m;
  }
  let up = lo;
  hi = n;
  while (up < hi) {
    const m = (up + hi) >> 1;
    if (sorted[offset + m]! <= v) up = m + 1;
    else hi = m;
  }
  return (lo + 0.5 * (up - lo)) / n;
}

/** The reference from stored points (n × columns.length); sorted columns and ranks are derived. */
export function noveltyFromPoints(
  columns: Int32Array,
  points: Float64Array,
  threshold: number | null = null,
  neighbours = NOVELTY_NEIGHBOURS,
  labels: Int32Array | null = null,
): NoveltyReference {
  if (!(Number.isInteger(neighbours) && neighbours >= 1))
    throw new ModelError(`novelty reference: ${neighbours} neighbours`);
  const h = columns.length;
  if (h === 0 || points.length === 0 || points.length % h !== 0)
    throw new ModelError(`novelty reference: ${points.length} values for ${h} columns`);
  const n = points.length / h;
  if (labels !== null && (labels.length !== n || labels.some((l) => !(l >= 0))))
    throw new ModelError(`novelty reference: ${labels.length} labels for ${n} points`);
  const sorted = new Float64Array(h * n);
  const col = new Float64Array(n);
  for (let f = 0; f < h; f++) {
    for (let i = 0; i < n; i++) col[i] = points[i * h + f]!;
    col.sort();
    sorted.set(col, f * n);
  }
  const ranks = new Float64Array(n * h);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < h; f++) ranks[i * h + f] = midRank(sorted, f * n, n, points[i * h + f]!);
  return {
    columns,
    n,
    points,
    sorted,
    ranks,
    threshold,
    neighbours,
    labels,
    secondary: null,
    calibration: null,
    jointThreshold: null,
    secondaryMargin: 1,
  };
}

/** The reference of training captures given by their (full-width) mean feature vectors. */
export function fitNovelty(
  columns: Int32Array,
  means: readonly ArrayLike<number>[],
  labels: Int32Array | null = null,
): NoveltyReference {
  const h = columns.length;
  const points = new Float64Array(means.length * h);
  means.forEach((x, i) => {
    for (let f = 0; f < h; f++) points[i * h + f] = x[columns[f]!]!;
  });
  return noveltyFromPoints(columns, points, null, NOVELTY_NEIGHBOURS, labels);
}

/**
 * The reference on a subset of ref's columns (same training captures and labels), e.g. for a secondary
 * rule; every column of `columns` must be one of ref's.
 */
export function noveltySubset(
  ref: NoveltyReference,
  columns: Int32Array,
  threshold: number | null = null,
  neighbours = ref.neighbours,
): NoveltyReference {
  const h = ref.columns.length;
  const at = Array.from(columns, (c) => ref.columns.indexOf(c));
  if (at.some((a) => a < 0)) throw new ModelError('novelty reference: a secondary column is not a column');
  const points = new Float64Array(ref.n * columns.length);
  for (let i = 0; i < ref.n; i++)
    for (let f = 0; f < at.length; f++) points[i * at.length + f] = ref.points[i * h + at[f]!]!;
  return noveltyFromPoints(columns, points, threshold, neighbours, ref.labels);
}

/** Mean rank distance from ranks q (length H) to training capture i. */
function rankDistance(ref: NoveltyReference, q: ArrayLike<number>, i: number): number {
  const h = ref.columns.length;
  let s = 0;
  const o = i * h;
  for (let f = 0; f < h; f++) s += Math.abs(q[f]! - ref.ranks[o + f]!);
  return s / h;
}

/** Mean of the k smallest of d (d is reordered). */
function meanOfSmallest(d: Float64Array, k: number): number {
  d.sort();
  const m = Math.min(k, d.length);
  let s = 0;
  for (let i = 0; i < m; i++) s += d[i]!;
  return s / m;
}

/**
 * Distance to the nearest type: min over labels c of the mean of the min(k, n_c) smallest d[i] with
 * labels[i] = c, skipping index `skip` (its own label then has one capture fewer).
 */
function nearestTypeDistance(d: ArrayLike<number>, labels: Int32Array, k: number, skip: number): number {
  const order = Array.from({ length: d.length }, (_, i) => i).filter((i) => i !== skip);
  order.sort((a, b) => d[a]! - d[b]!);
  const count = new Map<number, number>();
  for (const i of order) count.set(labels[i]!, (count.get(labels[i]!) ?? 0) + 1);
  const sum = new Map<number, number>();
  const taken = new Map<number, number>();
  let best = Number.POSITIVE_INFINITY;
  for (const i of order) {
    const c = labels[i]!;
    const t = taken.get(c) ?? 0;
    const want = Math.min(k, count.get(c)!);
    if (t >= want) continue;
    const s = (sum.get(c) ?? 0) + d[i]!;
    sum.set(c, s);
    taken.set(c, t + 1);
    if (t + 1 === want) best = Math.min(best, s / want);
  }
  return best;
}

/**
 * Novelty of one capture given its mean feature vector (full width): mean distance to its k nearest
 * training captures, or with labels to the k nearest of its nearest type.
 */
export function noveltyScore(ref: NoveltyReference, x: ArrayLike<number>): number {
  const h = ref.columns.length;
  const q = new Float64Array(h);
  for (let f = 0; f < h; f++) q[f] = midRank(ref.sorted, f * ref.n, ref.n, x[ref.columns[f]!]!);
  const d = new Float64Array(ref.n);
  for (let i = 0; i < ref.n; i++) d[i] = rankDistance(ref, q, i);
  return ref.labels === null
    ? meanOfSmallest(d, ref.neighbours)
    : nearestTypeDistance(d, ref.labels, ref.neighbours, -1);
}

/** score / threshold, above 1 when the score is above the threshold (a threshold of 0: 0 or ∞). */
export function thresholdRatio(score: number, threshold: number | null): number {
  if (threshold === null) throw new ModelError('novelty reference: not calibrated');
  if (threshold > 0) return score / threshold;
  return score > threshold ? Number.POSITIVE_INFINITY : 0;
}

/** Mid-rank of v among the ascending calibration scores: (#below + ½ #equal) / m. */
export function calibrationRank(calibration: Float64Array, v: number): number {
  return midRank(calibration, 0, calibration.length, v);
}

/** A capture's novelty: in units of the threshold (noveltyRatio), and ranked (noveltyOf). */
export interface Novelty {
  /** Above 1 the capture is Unknown. */
  ratio: number;
  /**
   * With a secondary rule: the larger over the two rules of the capture's score ranked among the m training
   * captures' calibration scores and its own, (#below + ½ #equal) / (m + 1) — how much more novel it is than
   * the captures the rule was calibrated on, at most m / (m + 1) (a capture beyond every one of 109 training
   * captures: 0.991): the confidence an Unknown verdict is given. Null for a one-rule reference.
   */
  rank: number | null;
  /**
   * With a secondary rule: the larger over the two rules of the capture's score over the largest of the
   * rule's calibration scores — how far past the most unusual training capture it lies (above 1: past it).
   * The ratio and the rank stop at the top rank (every capture past all the training captures reads the same);
   * this does not. Null for a one-rule reference (whose ratio is a score over a threshold already).
   */
  beyond: number | null;
}

/**
 * Novelty in units of the threshold: above 1 the capture is Unknown. One rule: its score / threshold.
 * With a secondary rule: max(u₁, u₂) / jointThreshold, u_r the rule's score ranked among its calibration
 * scores (the secondary score divided by secondaryMargin first).
 */
export function noveltyRatio(ref: NoveltyReference, x: ArrayLike<number>): number {
  return noveltyOf(ref, x).ratio;
}

/** noveltyRatio, with the capture's rank among the training captures (Novelty.rank). */
export function noveltyOf(ref: NoveltyReference, x: ArrayLike<number>): Novelty {
  const s = noveltyScore(ref, x);
  if (ref.secondary === null) return { ratio: thresholdRatio(s, ref.threshold), rank: null, beyond: null };
  if (ref.calibration === null || ref.secondary.calibration === null)
    throw new ModelError("novelty reference: a secondary rule needs both rules' calibration scores");
  const m1 = ref.calibration.length;
  const m2 = ref.secondary.calibration.length;
  const u1 = calibrationRank(ref.calibration, s);
  const s2 = noveltyScore(ref.secondary, x) / ref.secondaryMargin;
  const u2 = calibrationRank(ref.secondary.calibration, s2);
  return {
    ratio: thresholdRatio(Math.max(u1, u2), ref.jointThreshold),
    // Among the m calibration scores and the capture's own: (#below + ½ #equal) / (m + 1).
    rank: Math.max((u1 * m1) / (m1 + 1), (u2 * m2) / (m2 + 1)),
    beyond: Math.max(
      thresholdRatio(s, ref.calibration[m1 - 1] ?? 0),
      thresholdRatio(s2, ref.secondary.calibration[m2 - 1] ?? 0),
    ),
  };
}

/**
 * Leave-one-out novelty of the training captures: each one's mean distance to its k nearest other
 * training captures, or with labels to the nearest type among the others (ranks among all n, itself
 * included — the same table a new capture is ranked against).
 */
export function leaveOneOutNovelty(ref: NoveltyReference): Float64Array {
  const h = ref.columns.length;
  const n = ref.n;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const q = ref.ranks.subarray(i * h, (i + 1) * h);
    for (let j = i + 1; j < n; j++) {
      const d = rankDistance(ref, q, j);
      dist[i * n + j] = d;
      dist[j * n + i] = d;
    }
  }
  const out = new Float64Array(n);
  const row = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) {
    if (ref.labels !== null) {
      out[i] = nearestTypeDistance(dist.subarray(i * n, (i + 1) * n), ref.labels, ref.neighbours, i);
      continue;
    }
    let w = 0;
    for (let j = 0; j < n; j++) if (j !== i) row[w++] = dist[i * n + j]!;
    out[i] = n > 1 ? meanOfSmallest(row, ref.neighbours) : Number.POSITIVE_INFINITY;
  }
  return out;
}
