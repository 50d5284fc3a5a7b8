/**
 * Open-set calibration: when is a capture "Unknown", and when are its top two labels siblings the headers
 * cannot tell apart. Both rules are set from out-of-fold (cross-validated) outcomes of the chosen model, and
 * their cost is estimated the same way: known-type rejection from cross-validation, unseen-type rejection
 * by leaving each type out of training in turn.
 */
import { UsageError } from '../errors.js';
import {
  calibrationRank,
  fitNovelty,
  leaveOneOutNovelty,
  type NoveltyReference,
  noveltyRatio,
  noveltySubset,
  thresholdRatio,
} from '../models/novelty.js';
import { captureMean, openSetScore, type RoleModel, selectedZ, UNKNOWN_LABEL } from '../models/role-model.js';
import { applyTree } from '../models/tree.js';
import {
  type Candidate,
  type CaptureOutcome,
  type FittedCandidate,
  type LabelledCapture,
  predictLabel,
  trainCandidate,
} from './select.js';

/** The default share of known-type captures the user accepts seeing called Unknown. */
export const DEFAULT_UNKNOWN_RATE = 0.02;

/** Sibling margins are kept inside these bounds (probability points between the top two). */
export const SIBLING_MARGIN_BOUNDS = { min: 0.05, max: 0.25, fallback: 0.1 } as const;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-13). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(x, a, b)) / a
    : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/**
 * Harrell–Davis estimate of the q-quantile: Σᵢ wᵢ·x₍ᵢ₎ with wᵢ = I_{i/n}(a, b) − I_{(i−1)/n}(a, b),
 * a = q(n+1), b = (1−q)(n+1). A weighted mean of all order statistics instead of one of them, so a low
 * quantile of a few hundred scores does not jump with whichever capture happens to be the 3rd lowest.
 */
export function harrellDavisQuantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1 || q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[n - 1]!;
  const a = q * (n + 1);
  const b = (1 - q) * (n + 1);
  let sum = 0;
  let prev = 0;
  for (let i = 1; i <= n; i++) {
    const cur = incompleteBeta(i / n, a, b);
    sum += (cur - prev) * sorted[i - 1]!;
    prev = cur;
  }
  return sum;
}

/**
 * The rejection threshold: the `rate`-quantile (Harrell–Davis) of out-of-fold open-set scores of known
 * types, so that the cross-validated share of known-type captures called Unknown is the rate asked for.
 */
export function rejectionThreshold(scores: readonly number[], rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new UsageError(`--unknown-rate must be in [0, 1), not ${rate}`);
  if (rate === 0 || scores.length === 0) return 0;
  return harrellDavisQuantile(scores, rate);
}

/**
 * Split-conformal threshold: the k-th smallest of n calibration scores, k = ⌊rate·(n+1)⌋. A new capture
 * exchangeable with the calibration ones falls strictly below it with probability (k−1)/(n+1)…k/(n+1) ≤ rate.
 * Null when k < 1 (fewer than 1/rate − 1 scores): no threshold keeps that promise.
 */
export function conformalThreshold(scores: readonly number[], rate: number): number | null {
  if (!(rate >= 0 && rate < 1)) throw new UsageError(`--unknown-rate must be in [0, 1), not ${rate}`);
  const sorted = scores.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  const k = Math.floor(rate * (sorted.length + 1) + 1e-9);
  return k < 1 ? null : sorted[k - 1]!;
}

/**
 * Out-of-bag outcomes of a forest on its own training captures: each capture is scored (mean feature
 * vector, as predictCapture) by the trees whose bootstrap drew none of its bins. These are scores of the
 * final model's own trees on captures they did not see, so they are as sure as the final model is on new
 * captures; cross-validation models, trained on 4/5 of the data, are less sure, which made a threshold
 * set on their scores reject about a quarter to a half of the rate asked for. Null for other estimators;
 * a capture no tree left out is skipped.
 */
export function outOfBagOutcomes(
  fitted: FittedCandidate,
  captures: readonly LabelledCapture[],
): CaptureOutcome[] | null {
  const { model, inBag, rowCapture } = fitted;
  if (model.kind !== 'randomforest' || inBag === null || inBag.length !== model.trees.length) return null;
  const k = model.labels.length;
  const rowsOf: number[][] = captures.map(() => []);
  for (let j = 0; j < rowCapture.length; j++) rowsOf[rowCapture[j]!]?.push(j);
  const out: CaptureOutcome[] = [];
  const p = new Float64Array(k);
  captures.forEach((c, i) => {
    const rows = rowsOf[i]!;
    if (rows.length === 0) return;
    const n = model.features.count;
    const mean = new Float64Array(n);
    for (const r of c.rows) for (let f = 0; f < n; f++) mean[f]! += r[f]! / c.rows.length;
    const z = selectedZ(model, mean);
    p.fill(0);
    let trees = 0;
    model.trees.forEach((t, ti) => {
      const bag = inBag[ti]!;
      for (const j of rows) if (bag[j]) return;
      trees++;
      const leaf = applyTree(t, z) * k;
      for (let q = 0; q < k; q++) p[q]! += t.value[leaf + q]!;
    });
    if (trees === 0) return;
    let a = 0;
    for (let q = 1; q < k; q++) if (p[q]! > p[a]!) a = q;
    let b = a === 0 ? 1 : 0;
    for (let q = 0; q < k; q++) if (q !== a && p[q]! > p[b]!) b = q;
    out.push({
      capture: i,
      label: c.label,
      predicted: model.labels[a]!,
      top: p[a]! / trees,
      second: b < k ? model.labels[b]! : null,
      secondTop: b < k ? p[b]! / trees : 0,
    });
  });
  return out;
}

/** The open-set score (p₁ + p₂) lives with the rule that uses it at inference. */
export { openSetScore };

/**
 * Sibling margin m: the top two labels are reported as siblings when p₁ − p₂ < m. m is the largest
 * top-two gap among out-of-fold captures the model got wrong with the truth in second place (the pairs it
 * actually confuses), clamped to [0.05, 0.25]; 0.1 when there is no such capture.
 */
export function siblingMargin(outcomes: readonly CaptureOutcome[]): number {
  const gaps = outcomes
    .filter((o) => o.predicted !== null && o.predicted !== o.label && o.second === o.label)
    .map((o) => o.top - o.secondTop);
  if (gaps.length === 0) return SIBLING_MARGIN_BOUNDS.fallback;
  const m = Math.max(...gaps) + 1e-9;
  return Math.min(SIBLING_MARGIN_BOUNDS.max, Math.max(SIBLING_MARGIN_BOUNDS.min, m));
}

export interface UnseenOutcome {
  top: number;
  secondTop: number;
  /** The model's own top label is Unknown. */
  unknown?: boolean;
  /** The held-out label. */
  label: string;
}

export interface OpenSetCalibration {
  /** The target: share of known-type captures accepted as Unknown (`--unknown-rate`). */
  unknownRate: number;
  /**
   * Where the threshold comes from: 'out-of-bag' = split-conformal on the final forest's out-of-bag
   * scores; 'cross-validation' = Harrell–Davis quantile of cross-validated scores (other estimators, or
   * too few captures for a conformal threshold at this rate).
   */
  method: 'novelty' | 'out-of-bag' | 'cross-validation';
  /**
   * 'novelty': a capture whose novelty (models/novelty.ts) is ABOVE this is called Unknown; otherwise a
   * capture whose open-set score (openSetScore) is below this is.
   */
  threshold: number;
  /**
   * 'novelty' with a secondary (service-role) rule: that rule's threshold at the rate, alone. Null
   * otherwise.
   */
  secondaryThreshold?: number | null;
  /**
   * With a secondary rule: the capture is Unknown when the larger of its two scores' ranks among the
   * training captures' leave-one-out scores is above this (models/novelty.ts); `threshold` and
   * `secondaryThreshold` are then each rule's own threshold at the rate, alone.
   */
  jointThreshold?: number | null;
  /** With a secondary rule: its score is divided by this first (above 1 only for too few captures). */
  secondaryMargin?: number;
  /** Top-two gap below which both labels are reported as siblings. */
  siblingMargin: number;
  /**
   * Known-type captures of the calibration scores (novelty: leave-one-out; else out-of-bag or out-of-fold)
   * called Unknown, each at the threshold the other captures' scores set (leaveOneOutRejected): what the
   * rule does to a new capture like them. (Counted at the threshold they set together it is at most the rate
   * by construction, whatever the rule does.)
   */
  knownUnknownRate: number;
  /** Out-of-fold known-type captures labelled right, before / after the Unknown rule. */
  knownAccuracyBefore: number;
  knownAccuracyAfter: number;
  knownCaptures: number;
  /**
   * Novelty rule: the labels with one capture, whose captures are not among the `knownCaptures` (a
   * capture with no other of its type measures an unseen type); absent when none.
   */
  knownLeftOut?: string[];
  /** Leave-one-type-out captures called Unknown at the threshold; null when not estimated. */
  unseenUnknownRate: number | null;
  unseenCaptures: number;
  /** The same, per held-out type. */
  unseenByLabel: Record<string, number>;
  /**
   * Novelty rule: the types the leave-one-type-out estimate could not leave out (the rest had fewer than
   * two captures), absent when none.
   */
  unseenNotEstimated?: string[];
}

function called(top: number, threshold: number, unknown: boolean): boolean {
  return unknown || top < threshold;
}

/**
 * Each calibration value judged at the threshold the others alone set (`thresholdOf`, null: none): whether
 * `rejects` it. The share rejected estimates the rule's rate on a new capture like these — a threshold set
 * from n values keeps at most the rate of those very values beyond it by construction, so counting them says
 * nothing about the rule (a joint rule's ties at its top, or too few values for the rate, kept the printed
 * figure at 0 % while new captures of known types were called Unknown). Quadratic in n: a few hundred
 * training captures take milliseconds.
 */
export function leaveOneOutRejected(
  values: readonly number[],
  thresholdOf: (others: number[]) => number | null,
  rejects: (i: number, threshold: number | null) => boolean,
): boolean[] {
  return values.map((_, i) => rejects(i, thresholdOf(values.filter((_, j) => j !== i))));
}

/**
 * The threshold, the sibling margin and their estimated costs. `known` are cross-validated outcomes (the
 * sibling margin and accuracy figures come from them); with `outOfBag` (forests) the threshold is the
 * split-conformal one on those scores, unless there are too few of them for the rate, when it falls back
 * to the Harrell–Davis quantile of the cross-validated scores.
 */
export function calibrateOpenSet(
  known: readonly CaptureOutcome[],
  unseen: readonly UnseenOutcome[] | null,
  unknownRate = DEFAULT_UNKNOWN_RATE,
  outOfBag: readonly CaptureOutcome[] | null = null,
): OpenSetCalibration {
  const scored = known.filter((o) => o.predicted !== null);
  if (scored.length === 0)
    throw new UsageError('calibrating the Unknown threshold needs known-type outcomes');
  const margin = siblingMargin(scored);
  const score = (o: { top: number; secondTop: number }) => openSetScore(o.top, o.secondTop);
  const openScore = (o: CaptureOutcome) => (o.predicted === UNKNOWN_LABEL ? 0 : score(o));
  const oob = outOfBag?.filter((o) => o.predicted !== null) ?? [];
  const conformal = oob.length > 0 ? conformalThreshold(oob.map(openScore), unknownRate) : null;
  const method = conformal === null ? 'cross-validation' : 'out-of-bag';
  const threshold = conformal ?? rejectionThreshold(scored.map(openScore), unknownRate);
  const calibration = conformal === null ? scored : oob;
  const thresholdOf = (others: number[]): number | null => {
    if (conformal === null) return rejectionThreshold(others, unknownRate);
    // One score fewer can be too few for the rate (k = 0) where all of them were not (k = 1): the rule the
    // model keeps is then their smallest, and so is the one a capture is judged at without itself.
    const finite = others.filter((v) => Number.isFinite(v));
    return conformalThreshold(finite, unknownRate) ?? (finite.length > 0 ? Math.min(...finite) : null);
  };
  const rejected = leaveOneOutRejected(calibration.map(openScore), thresholdOf, (i, t) => {
    const o = calibration[i]!;
    return o.predicted === UNKNOWN_LABEL || (t !== null && score(o) < t);
  });
  // Cross-validated outcomes set the threshold themselves unless out-of-bag ones did: then each is judged
  // without itself too.
  const calledUnknown = (o: CaptureOutcome, i: number) =>
    conformal === null ? rejected[i]! : called(score(o), threshold, false);
  const right = scored.filter((o) => o.predicted === o.label);
  // A Map: a label may be any name, 'constructor' or '__proto__' too.
  const byLabel = new Map<string, [number, number]>();
  for (const u of unseen ?? []) {
    const c = byLabel.get(u.label) ?? [0, 0];
    byLabel.set(u.label, c);
    c[0] += called(score(u), threshold, Boolean(u.unknown)) ? 1 : 0;
    c[1]++;
  }
  const unseenCalled = [...byLabel.values()].reduce((a, [x]) => a + x, 0);
  return {
    unknownRate,
    method,
    threshold,
    siblingMargin: margin,
    knownUnknownRate: rejected.filter(Boolean).length / calibration.length,
    knownAccuracyBefore: right.length / scored.length,
    knownAccuracyAfter:
      scored.filter((o, i) => o.predicted === o.label && !calledUnknown(o, i)).length / scored.length,
    knownCaptures: calibration.length,
    unseenUnknownRate: unseen && unseen.length > 0 ? unseenCalled / unseen.length : null,
    unseenCaptures: unseen?.length ?? 0,
    unseenByLabel: rates(byLabel),
  };
}

/**
 * Per label, the share called Unknown, as an object with an own property per label (Object.fromEntries
 * defines '__proto__' as one, where assigning it would set the prototype).
 */
function rates(byLabel: ReadonlyMap<string, readonly [number, number]>): Record<string, number> {
  return Object.fromEntries([...byLabel].map(([l, [x, n]]) => [l, x / n]));
}

/**
 * Leave-one-type-out: for each label, a model trained without it predicts its captures. Labels are
 * left out in at most `maxGroups` groups (round-robin over the sorted labels), so 27 types cost as
 * much as 10 fits.
 */
export function leaveOneClassOut(
  captures: readonly LabelledCapture[],
  candidate: Candidate,
  train: Parameters<typeof trainCandidate>[2],
  seed: number,
  maxGroups = 10,
): UnseenOutcome[] {
  const labels = [...new Set(captures.filter((c) => c.rows.length > 0).map((c) => c.label))].sort();
  if (labels.length < 3) throw new UsageError('leave-one-type-out needs at least three labels');
  const groups = Math.min(maxGroups, labels.length);
  const out: UnseenOutcome[] = [];
  for (let g = 0; g < groups; g++) {
    const held = new Set(labels.filter((_, i) => i % groups === g));
    const rest = captures.filter((c) => !held.has(c.label) && c.rows.length > 0);
    const model = trainCandidate(rest, candidate, train, seed + 7919 * (g + 1));
    for (const c of captures) {
      if (!held.has(c.label) || c.rows.length === 0) continue;
      const p = predictLabel(model, c.rows);
      out.push({ top: p.top, secondTop: p.secondTop, unknown: p.label === UNKNOWN_LABEL, label: c.label });
    }
  }
  return out;
}

/**
 * Conformal upper threshold of novelty scores: the k-th smallest of n calibration scores,
 * k = ⌈(1 − rate)(n + 1)⌉, so a new capture exchangeable with them lies above it with probability ≤ rate.
 * With fewer than 1/rate − 1 scores (k > n) it is the largest score: the best promise n scores make is
 * 1/(n + 1).
 */
export function noveltyThreshold(scores: readonly number[], rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new UsageError(`--unknown-rate must be in [0, 1), not ${rate}`);
  const sorted = scores.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) throw new UsageError('calibrating the novelty threshold needs scores');
  const k = Math.ceil((1 - rate) * (sorted.length + 1) - 1e-9);
  return sorted[Math.min(k, sorted.length) - 1]!;
}

/** Whether n calibration scores are too few for the rate: noveltyThreshold then gives the largest. */
export function conformalFallback(n: number, rate: number): boolean {
  return Math.ceil((1 - rate) * (n + 1) - 1e-9) > n;
}

/**
 * The secondary (service-role) rule's margin when its calibration falls back to the largest score: its
 * score must pass 1.25 × the largest leave-one-out score of the training captures. With two rules each
 * thresholded at its largest score, a known capture passes one or the other up to twice as often as one
 * rule alone (≤ 2/(n + 1)), and the service role's three columns put its scores on a coarse lattice whose
 * largest value says little about the tail. In the held-out-like simulation (35 splits of 29 training and
 * 14 test captures, bench/novelty-lab.ts `--all-extras`) the margin cut known captures called Unknown from
 * 10 to 3 of 490 and the splits with two of them from 2 to 0; leave-one-type-out on roles-dev kept 91.2 %
 * of unseen-type captures Unknown for margins 1.2–1.4 (1.5: 85.3 %; the left-out MELSEC PLC, which only
 * this rule catches, passes between 1.4 and 1.5 × its largest score). From 1/rate − 1 calibration captures on (49 at 2 %) the
 * conformal threshold holds and there is no margin.
 */
export const SMALL_N_SECONDARY_MARGIN = 1.25;

/**
 * A calibrated novelty reference of these captures: leave-one-out novelty (each capture's distance to
 * the nearest type among the others, models/novelty.ts) of the captures whose type has at least two
 * captures — a type of one has no other capture of its kind, so its distance measures an unseen type, not
 * a known one — and the conformal threshold of those. With `secondary` columns (a subset of `columns`) a
 * second rule on them is scored the same way and the two are calibrated jointly: each calibration
 * capture's u = max over the rules of its score's mid-rank among that rule's calibration scores, and the
 * conformal threshold of those u (jointThreshold), so a capture exchangeable with the training ones is
 * called Unknown by either rule with probability ≤ rate. Each rule also keeps its own threshold at the
 * rate (what it would do alone; printed by `train`). Returns the reference and, per calibration capture,
 * its novelty in units of the threshold (above 1: called Unknown).
 */
export function calibratedNovelty(
  captures: readonly LabelledCapture[],
  columns: Int32Array,
  rate: number,
  secondary: Int32Array | null = null,
): {
  reference: NoveltyReference;
  ratios: number[];
  /**
   * Per calibration capture (as `ratios`), whether the rule calls it Unknown at the threshold the other
   * calibration captures alone set (leaveOneOutRejected): the estimate `train` prints. Made on request: the
   * leave-one-type-out estimates calibrate a reference per group and need none.
   */
  heldOutRejected: () => boolean[];
  /** Index among the captures with bins of each calibration capture (as `ratios`). */
  calibrationOf: number[];
} {
  const withBins = captures.filter((c) => c.rows.length > 0);
  const width = withBins[0]?.rows[0]?.length ?? 0;
  const means = withBins.map((c) => meanRow(c.rows, width));
  const names = [...new Set(withBins.map((c) => c.label))].sort();
  const labels = Int32Array.from(withBins, (c) => names.indexOf(c.label));
  const count = new Map<string, number>();
  for (const c of withBins) count.set(c.label, (count.get(c.label) ?? 0) + 1);
  const calibrating = withBins.map((c) => count.get(c.label)! >= 2);
  const anyCalibrating = calibrating.some(Boolean);
  // Calibration scores: leave-one-out novelty of the captures of types with two or more.
  const calibrate = (ref: NoveltyReference): number[] => {
    const scores = Array.from(leaveOneOutNovelty(ref)).filter((_, i) => !anyCalibrating || calibrating[i]);
    ref.threshold = noveltyThreshold(scores, rate);
    return scores;
  };
  const calibrationOf = withBins.flatMap((_, i) => (!anyCalibrating || calibrating[i] ? [i] : []));
  const reference = fitNovelty(columns, means, labels);
  const scores = calibrate(reference);
  if (secondary === null)
    return {
      reference,
      ratios: scores.map((v) => thresholdRatio(v, reference.threshold)),
      heldOutRejected: () =>
        leaveOneOutRejected(
          scores,
          (others) => (others.length > 0 ? noveltyThreshold(others, rate) : null),
          (i, t) => t !== null && scores[i]! > t,
        ),
      calibrationOf,
    };
  const second = noveltySubset(reference, secondary);
  reference.secondary = second;
  const scores2 = calibrate(second);
  reference.calibration = Float64Array.from(scores).sort();
  second.calibration = Float64Array.from(scores2).sort();
  const u = scores.map((v, i) =>
    Math.max(calibrationRank(reference.calibration!, v), calibrationRank(second.calibration!, scores2[i]!)),
  );
  reference.jointThreshold = noveltyThreshold(u, rate);
  const ratios = u.map((v) => thresholdRatio(v, reference.jointThreshold));
  if (conformalFallback(u.length, rate)) reference.secondaryMargin = SMALL_N_SECONDARY_MARGIN;
  return {
    reference,
    ratios,
    heldOutRejected: () => jointLeaveOneOut(scores, scores2, rate, reference.secondaryMargin),
    calibrationOf,
  };
}

/**
 * The joint rule's leave-one-out check: for each calibration capture i, both rules' calibration scores
 * without it, the others' joint ranks among those and their conformal threshold, and i ranked against them
 * as a new capture is (noveltyOf: its secondary score divided by the margin first). O(n² log n).
 */
function jointLeaveOneOut(
  scores: readonly number[],
  scores2: readonly number[],
  rate: number,
  margin: number,
): boolean[] {
  return scores.map((_, i) => {
    const others = scores.filter((_, j) => j !== i);
    const others2 = scores2.filter((_, j) => j !== i);
    if (others.length === 0) return false;
    const a = Float64Array.from(others).sort();
    const b = Float64Array.from(others2).sort();
    const u = others.map((v, j) => Math.max(calibrationRank(a, v), calibrationRank(b, others2[j]!)));
    const threshold = noveltyThreshold(u, rate);
    return Math.max(calibrationRank(a, scores[i]!), calibrationRank(b, scores2[i]! / margin)) > threshold;
  });
}

function meanRow(rows: readonly Float64Array[], width: number): Float64Array {
  const mean = new Float64Array(width);
  for (const r of rows) for (let f = 0; f < width; f++) mean[f]! += r[f]! / rows.length;
  return mean;
}

/**
 * The novelty rule's calibration and its estimated costs: known-type rejection = the calibration
 * captures' leave-one-out novelty above the threshold; unseen-type rejection = each type (in at most
 * `maxGroups` round-robin groups, as leaveOneClassOut) left out of the reference and its threshold,
 * its captures scored against the rest. `known` (cross-validated outcomes of the chosen model) gives the
 * sibling margin and the accuracy figures.
 */
export function calibrateNoveltyRule(
  captures: readonly LabelledCapture[],
  known: readonly CaptureOutcome[],
  columns: Int32Array,
  unknownRate = DEFAULT_UNKNOWN_RATE,
  estimateUnseen = true,
  maxGroups = 10,
  secondary: Int32Array | null = null,
): { calibration: OpenSetCalibration; reference: NoveltyReference } {
  const withBins = captures.filter((c) => c.rows.length > 0);
  const calibrated = calibratedNovelty(withBins, columns, unknownRate, secondary);
  const { reference, calibrationOf } = calibrated;
  const heldOutRejected = calibrated.heldOutRejected();
  // Per capture with bins: called Unknown by the threshold the others set, for the calibration captures.
  const heldOut = new Map(calibrationOf.map((w, k) => [w, heldOutRejected[k]!]));
  const threshold = reference.threshold!;
  const scored = known.filter((o) => o.predicted !== null);
  if (scored.length === 0)
    throw new UsageError('calibrating the Unknown threshold needs known-type outcomes');
  // Per capture index of `captures`, whether the rule calls it Unknown, for the accuracy-after figure: a
  // calibration capture at the threshold the others set, any other by its leave-one-out novelty.
  const loo = leaveOneOutNovelty(reference);
  const loo2 = reference.secondary === null ? null : leaveOneOutNovelty(reference.secondary);
  const ratioOf = (w: number): number =>
    loo2 === null
      ? thresholdRatio(loo[w]!, threshold)
      : thresholdRatio(
          Math.max(
            calibrationRank(reference.calibration!, loo[w]!),
            calibrationRank(reference.secondary!.calibration!, loo2[w]! / reference.secondaryMargin),
          ),
          reference.jointThreshold,
        );
  const calledOf = new Map<number, boolean>();
  let w = 0;
  captures.forEach((c, i) => {
    if (c.rows.length === 0) return;
    calledOf.set(i, heldOut.get(w) ?? ratioOf(w) > 1);
    w++;
  });
  const right = scored.filter((o) => o.predicted === o.label);
  const byLabel = new Map<string, [number, number]>();
  const notEstimated: string[] = [];
  if (estimateUnseen) {
    const labels = [...new Set(withBins.map((c) => c.label))].sort();
    const groups = Math.min(maxGroups, labels.length);
    for (let g = 0; g < groups; g++) {
      const held = new Set(labels.filter((_, i) => i % groups === g));
      const rest = withBins.filter((c) => !held.has(c.label));
      if (rest.length < 2) {
        notEstimated.push(...held);
        continue;
      }
      const ref = calibratedNovelty(rest, columns, unknownRate, secondary).reference;
      const width = rest[0]!.rows[0]!.length;
      for (const c of withBins) {
        if (!held.has(c.label)) continue;
        const counts = byLabel.get(c.label) ?? [0, 0];
        byLabel.set(c.label, counts);
        counts[0] += noveltyRatio(ref, meanRow(c.rows, width)) > 1 ? 1 : 0;
        counts[1]++;
      }
    }
  }
  // The labels calibratedNovelty leaves out of the calibration (one capture; unless every label has one).
  const perLabel = new Map<string, number>();
  for (const c of withBins) perLabel.set(c.label, (perLabel.get(c.label) ?? 0) + 1);
  const singles = [...perLabel].flatMap(([l, n]) => (n === 1 ? [l] : [])).sort();
  const unseen = [...byLabel.values()].reduce((a, [, n]) => a + n, 0);
  const unseenCalled = [...byLabel.values()].reduce((a, [x]) => a + x, 0);
  const calibration: OpenSetCalibration = {
    unknownRate,
    method: 'novelty',
    threshold,
    secondaryThreshold: reference.secondary?.threshold ?? null,
    jointThreshold: reference.jointThreshold,
    secondaryMargin: reference.secondaryMargin,
    siblingMargin: siblingMargin(scored),
    knownUnknownRate: heldOutRejected.filter(Boolean).length / heldOutRejected.length,
    knownAccuracyBefore: right.length / scored.length,
    knownAccuracyAfter: right.filter((o) => !(calledOf.get(o.capture) ?? false)).length / scored.length,
    knownCaptures: heldOutRejected.length,
    ...(singles.length > 0 && singles.length < withBins.length ? { knownLeftOut: singles } : {}),
    unseenUnknownRate: unseen > 0 ? unseenCalled / unseen : null,
    unseenCaptures: unseen,
    unseenByLabel: rates(byLabel),
    ...(notEstimated.length > 0 ? { unseenNotEstimated: notEstimated.sort() } : {}),
  };
  return { calibration, reference };
}

/**
 * Novelty of a capture under a model's stored reference, in units of its threshold(s) (noveltyRatio;
 * above 1: Unknown); null without one or without bins.
 */
export function modelNovelty(model: RoleModel, rows: readonly Float64Array[]): number | null {
  const mean = captureMean(model, rows);
  return model.novelty === null || mean === null ? null : noveltyRatio(model.novelty, mean);
}
