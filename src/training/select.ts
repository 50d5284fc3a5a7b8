/**
 * Model selection by k-fold cross-validation at the CAPTURE level: folds hold whole captures (stratified by
 * label, shuffled with a seed), every candidate is trained with the real training recipe on the other
 * folds' bins, and scored by how many held-out captures it labels right when their bins are aggregated the
 * way prediction does (predictCapture). Bins of one capture never straddle train and test.
 */
import { UsageError } from '../errors.js';
import { V2_FEATURE_COUNT, V2_OWN_COUNT, V2_PORT_COUNT, V2_PORT_OFFSET } from '../features/v2/index.js';
import { fitRankNn } from '../models/rank-nn.js';
import { Rng } from '../models/rng.js';
import {
  predictCapture,
  type RankNnRoleModel,
  type RoleAlgorithm,
  type RoleModel,
  TRAIN_DEFAULTS,
  type TrainOptions,
  trainRoleModel,
  UNKNOWN_LABEL,
} from '../models/role-model.js';

/** One labelled capture: its bins' feature vectors. */
export interface LabelledCapture {
  name: string;
  label: string;
  rows: Float64Array[];
}

export interface Candidate {
  algorithm: RoleAlgorithm;
  /**
   * Which columns the estimator sees: 'header' = v2's own header aggregates (the first V2_OWN_COUNT), 'all'
   * (default) = every column, the compat port shares included.
   */
  features?: 'header' | 'all';
  /** randomforest (ranknn: none; it always uses the header aggregates) */
  nEstimators?: number;
  minSamplesSplit?: number;
  /** onelayer */
  hiddenSize?: number;
  alpha?: number;
}

/**
 * The default grid: first the nearest-capture model in rank space (models/rank-nn.ts: nothing random, so
 * it is the choice unless a forest beats it beyond chance, see selectModel; per-capture CV, seeds 0–4:
 * roles-dev 0.912 every seed against the forest's 0.824–0.882, IoT Sentinel 1.000 both, pooled
 * 0.977–0.983 against 0.971–0.983), then 300-tree forests (trainV2Model sizes them with forestSize: 300
 * from 100 captures on) on the header aggregates alone and on the whole vector. No one-layer MLP by default: on leave-one-type-out it
 * is as sure of unseen types as of known ones (median top probability 0.65, 90th percentile 0.998 on
 * IoT Sentinel + roles-dev, against 0.26 / 0.33 for the forest), so no threshold can reject them; it stays
 * selectable with `--algorithm onelayer`.
 */
export const DEFAULT_GRID: readonly Candidate[] = [
  { algorithm: 'ranknn', features: 'header' },
  { algorithm: 'randomforest', nEstimators: 300, minSamplesSplit: 2, features: 'header' },
  { algorithm: 'randomforest', nEstimators: 300, minSamplesSplit: 2, features: 'all' },
];

/** Forest sizes of the default grid: at least `min` trees, up to `max` for few training captures. */
export const FOREST_SIZE = { min: 300, max: 1000, treeCaptures: 30_000 } as const;

/**
 * Trees for a training set of n captures: clamp(30,000 / n, 300, 1000). On a few dozen captures one
 * borderline capture's top label and the Unknown threshold (a low quantile of few scores) follow the
 * forest's randomness; more trees remove that (roles-dev, outer folds fixed: 300 trees gave 2 of 5 seeds a
 * different accuracy, 1000 none), and a forest on so few rows costs little. From 100 captures on it is 300.
 */
export function forestSize(captures: number): number {
  const t = Math.round(FOREST_SIZE.treeCaptures / Math.max(1, captures));
  return Math.min(FOREST_SIZE.max, Math.max(FOREST_SIZE.min, t));
}

/** The default grid with forestSize(captures) trees per forest. */
export function defaultGrid(captures: number): Candidate[] {
  const nEstimators = forestSize(captures);
  return DEFAULT_GRID.map((c) => (c.algorithm === 'randomforest' ? { ...c, nEstimators } : { ...c }));
}

/** Candidates for `--algorithm onelayer`. */
export const ONELAYER_GRID: readonly Candidate[] = [
  { algorithm: 'onelayer', hiddenSize: 32, alpha: 0.1 },
  { algorithm: 'onelayer', hiddenSize: 128, alpha: 0.1 },
];

export function candidateName(c: Candidate): string {
  const cols = c.features === 'header' ? ',features=header' : '';
  if (c.algorithm === 'ranknn') return 'ranknn(neighbours=1,features=header)';
  return c.algorithm === 'randomforest'
    ? `randomforest(trees=${c.nEstimators ?? 100},minSamplesSplit=${c.minSamplesSplit ?? 5}${cols})`
    : `onelayer(hidden=${c.hiddenSize ?? 32},alpha=${c.alpha ?? 0.1}${cols})`;
}

export interface CaptureOutcome {
  /** Index into the captures given. */
  capture: number;
  label: string;
  /** Top label, or null when the capture had no bins. */
  predicted: string | null;
  /** Probability of the top label (0 without bins). */
  top: number;
  /** Second label and its probability (null / 0 without bins). */
  second: string | null;
  secondTop: number;
}

export interface CvResult {
  candidate: Candidate;
  name: string;
  /** Held-out captures labelled right / all held-out captures. */
  accuracy: number;
  foldAccuracies: number[];
  outcomes: CaptureOutcome[];
  /**
   * Folds left out because their training captures hold fewer than two known labels (a label whose only
   * capture is held out, with one other label): their captures have no outcome.
   */
  skippedFolds: number;
}

export interface SelectOptions {
  folds: number;
  seed: number;
  /** Training-recipe options shared by all candidates (semantics, bins, augmentation, …). */
  train: Partial<TrainOptions>;
  /**
   * selectModel: a later candidate replaces the current choice only when McNemar's exact test on their
   * per-capture outcomes rejects "equally good" at this two-sided level (default 0.05).
   */
  alpha?: number;
}

export const SELECT_DEFAULTS: SelectOptions = {
  folds: 5,
  seed: 0,
  train: { semantics: 'v2', selectFeatures: false, unknownAugmentation: false },
};

/**
 * Capture indices dealt to k folds per label after a seeded shuffle, so every fold holds a share of every
 * label with at least k captures; the same seed always gives the same folds.
 */
export function captureFolds(labels: readonly string[], k: number, seed: number): number[][] {
  if (!(k >= 2)) throw new UsageError(`cross-validation needs at least 2 folds, got ${k}`);
  const rng = new Rng(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const list = byLabel.get(l) ?? [];
    list.push(i);
    byLabel.set(l, list);
  });
  const folds: number[][] = Array.from({ length: k }, () => []);
  let offset = 0;
  for (const l of [...byLabel.keys()].sort()) {
    const idx = Int32Array.from(byLabel.get(l)!);
    rng.shuffle(idx);
    for (let i = 0; i < idx.length; i++) folds[(offset + i) % k]!.push(idx[i]!);
    offset += idx.length;
  }
  for (const f of folds) f.sort((a, b) => a - b);
  return folds;
}

/** A trained candidate with what out-of-bag scoring needs: which capture each training row came from. */
export interface FittedCandidate {
  model: RoleModel;
  /** Forests: per tree, the training rows its bootstrap drew (1) or left out (0); null otherwise. */
  inBag: Uint8Array[] | null;
  /** Per training row, the index (into the captures given) of the capture it came from. */
  rowCapture: Int32Array;
}

/**
 * Weight of the per-port block's mean |share difference| in the nearest-capture model (models/rank-nn.ts).
 * On the development corpora every weight from 0.1 to 0.5 labelled the broadcasting MELSEC engineering
 * PCs right and moved no other capture; 0.08 missed some, 0.75 took an S7 client to the engineering PCs
 * (bench/README.md, per-port service features). 0.2: inside that window on a log scale.
 */
export const PORT_BLOCK_WEIGHT = 0.2;

/**
 * The nearest-capture model (models/rank-nn.ts) of these captures on v2's header aggregates (and, on
 * vectors that have it, the per-port block as a weighted second term): one
 * reference point per capture (its mean vector), labels as trainRoleModel gives them (Unknown included,
 * code-point order). No randomness, no normalisation (ranks need none).
 */
export function fitRankNnModel(
  captures: readonly LabelledCapture[],
  train: Partial<TrainOptions>,
): RankNnRoleModel {
  const o: TrainOptions = { ...TRAIN_DEFAULTS, ...train };
  const withBins = captures.filter((c) => c.rows.length > 0);
  const distinct = [...new Set(withBins.map((c) => c.label))].filter((l) => l !== UNKNOWN_LABEL);
  if (distinct.length < 2)
    throw new UsageError(`training needs at least two labels, found ${distinct.length}`);
  const labels = [...distinct, UNKNOWN_LABEL].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const width = withBins[0]!.rows[0]!.length;
  const block = width >= V2_FEATURE_COUNT ? V2_PORT_COUNT : 0;
  const columns = Int32Array.from({ length: Math.min(V2_OWN_COUNT, width) + block }, (_, i) =>
    i < V2_OWN_COUNT ? i : V2_PORT_OFFSET + i - V2_OWN_COUNT,
  );
  const means = withBins.map((c) => {
    const m = new Float64Array(width);
    for (const r of c.rows) for (let f = 0; f < width; f++) m[f]! += r[f]! / c.rows.length;
    return m;
  });
  const rankNn = fitRankNn(
    columns,
    means,
    withBins.map((c) => labels.indexOf(c.label)),
    block,
    PORT_BLOCK_WEIGHT,
  );
  return {
    kind: 'ranknn',
    rankNn,
    labels,
    features: { semantics: o.semantics, count: width, namesHash: o.featureNamesHash },
    capture: { binDurationS: o.binDurationS, warmupS: o.warmupS },
    normalisation: { means: new Float64Array(width), stds: new Float64Array(width).fill(1) },
    selected: columns,
    hyperParameters: {
      neighbours: 1,
      temperature: rankNn.temperature,
      space: 'ranks',
      ...(block > 0 ? { portBlockWeight: PORT_BLOCK_WEIGHT } : {}),
    },
    unknownThreshold: null,
    unknownRate: null,
    siblingMargin: null,
    novelty: null,
    training: {
      dataset: o.dataset,
      date: new Date().toISOString(),
      seed: o.seed,
      nSamples: withBins.length,
      scores: {},
    },
    source: null,
  };
}

/** Trains one candidate on the bins of `captures` with the shared recipe. */
export function fitCandidate(
  captures: readonly LabelledCapture[],
  candidate: Candidate,
  train: Partial<TrainOptions>,
  seed: number,
): FittedCandidate {
  if (candidate.algorithm === 'ranknn') {
    // No randomness of its own, but the seed chose it (the folds of model selection): the model says which.
    const model = fitRankNnModel(captures, { ...train, seed });
    return { model, inBag: null, rowCapture: new Int32Array(0) };
  }
  const rows: Float64Array[] = [];
  const labels: string[] = [];
  const owner: number[] = [];
  captures.forEach((c, i) => {
    for (const r of c.rows) {
      rows.push(r);
      labels.push(c.label);
      owner.push(i);
    }
  });
  const opts: Partial<TrainOptions> = { ...train, algorithm: candidate.algorithm, seed };
  if (candidate.nEstimators !== undefined) opts.nEstimators = candidate.nEstimators;
  if (candidate.minSamplesSplit !== undefined) opts.minSamplesSplit = candidate.minSamplesSplit;
  if (candidate.hiddenSize !== undefined) opts.hiddenSize = candidate.hiddenSize;
  if (candidate.alpha !== undefined) opts.alpha = candidate.alpha;
  if (candidate.features === 'header') opts.columns = Int32Array.from({ length: V2_OWN_COUNT }, (_, i) => i);
  const report = trainRoleModel(rows, labels, opts);
  return { model: report.model, inBag: report.inBag, rowCapture: Int32Array.from(owner) };
}

/** Trains one candidate on the bins of `captures` with the shared recipe. */
export function trainCandidate(
  captures: readonly LabelledCapture[],
  candidate: Candidate,
  train: Partial<TrainOptions>,
  seed: number,
): RoleModel {
  return fitCandidate(captures, candidate, train, seed).model;
}

export interface PredictedLabel {
  label: string | null;
  top: number;
  second: string | null;
  secondTop: number;
}

/** Top two labels and their probabilities for one capture (the first in label order wins a tie). */
export function predictLabel(model: RoleModel, rows: readonly Float64Array[]): PredictedLabel {
  const p = predictCapture(model, rows);
  if (p === null) return { label: null, top: 0, second: null, secondTop: 0 };
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  let next = best === 0 ? 1 : 0;
  for (let c = 0; c < p.length; c++) if (c !== best && p[c]! > p[next]!) next = c;
  return {
    label: model.labels[best]!,
    top: p[best]!,
    second: next < p.length ? model.labels[next]! : null,
    secondTop: next < p.length ? p[next]! : 0,
  };
}

export function crossValidate(
  captures: readonly LabelledCapture[],
  candidate: Candidate,
  options: Partial<SelectOptions> = {},
): CvResult {
  const o = { ...SELECT_DEFAULTS, ...options, train: { ...SELECT_DEFAULTS.train, ...options.train } };
  const folds = captureFolds(
    captures.map((c) => c.label),
    o.folds,
    o.seed,
  );
  const outcomes: CaptureOutcome[] = [];
  const foldAccuracies: number[] = [];
  let skippedFolds = 0;
  folds.forEach((test, f) => {
    if (test.length === 0) return;
    const inTest = new Set(test);
    const trainSet = captures.filter((c, i) => !inTest.has(i) && c.rows.length > 0);
    // A label with one capture leaves the other folds without it: when that leaves the training
    // captures one known label, no candidate can be fitted on them, and this fold's captures go unscored.
    if (fittableLabels(trainSet) < 2) {
      skippedFolds++;
      return;
    }
    const model = trainCandidate(trainSet, candidate, o.train, o.seed + 1000 * (f + 1));
    let right = 0;
    for (const i of test) {
      const c = captures[i]!;
      const p = predictLabel(model, c.rows);
      if (p.label === c.label) right++;
      outcomes.push({
        capture: i,
        label: c.label,
        predicted: p.label,
        top: p.top,
        second: p.second,
        secondTop: p.secondTop,
      });
    }
    foldAccuracies.push(right / test.length);
  });
  outcomes.sort((a, b) => a.capture - b.capture);
  const right = outcomes.filter((x) => x.predicted === x.label).length;
  return {
    candidate,
    name: candidateName(candidate),
    accuracy: outcomes.length > 0 ? right / outcomes.length : 0,
    foldAccuracies,
    outcomes,
    skippedFolds,
  };
}

/** Known labels (not Unknown) among captures with bins: a candidate needs two to be fitted. */
function fittableLabels(captures: readonly LabelledCapture[]): number {
  const labels = new Set(captures.filter((c) => c.rows.length > 0).map((c) => c.label));
  labels.delete(UNKNOWN_LABEL);
  return labels.size;
}

/**
 * Whether `challenger` labels more captures right than `incumbent` beyond chance, by McNemar's exact test on
 * the captures exactly one of them gets right (both were cross-validated on the same folds): b = right only
 * for the challenger, c = right only for the incumbent; if the two were equally good each of those b + c
 * captures would be a fair coin, so the challenger wins when b > c and 2·P(X ≥ b), X ~ Binomial(b + c, ½),
 * is at most `alpha`.
 */
export function significantlyBetter(challenger: CvResult, incumbent: CvResult, alpha: number): boolean {
  const rightOf = (r: CvResult) => new Map(r.outcomes.map((o) => [o.capture, o.predicted === o.label]));
  const incumbentRight = rightOf(incumbent);
  let b = 0;
  let c = 0;
  for (const [capture, right] of rightOf(challenger)) {
    const other = incumbentRight.get(capture);
    if (other === undefined || other === right) continue;
    if (right) b++;
    else c++;
  }
  return b > c && 2 * binomialUpperTail(b, b + c) <= alpha;
}

/** P(X ≥ k) for X ~ Binomial(n, ½), summed in log space (2^-n underflows from n = 1075). */
export function binomialUpperTail(k: number, n: number): number {
  let logChoose = 0; // ln C(n, 0)
  let tail = 0;
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += Math.exp(logChoose - n * Math.LN2);
    logChoose += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, tail);
}

export interface Selection {
  best: CvResult;
  /** Every candidate's result, in grid order. */
  results: CvResult[];
  /** Scores for the model's metadata (training.scores): `cv.<candidate>` = CV accuracy per capture. */
  scores: Record<string, number>;
  /** Null for a full selection; else one line on the folds left out, or that there was no selection. */
  note: string | null;
}

/**
 * Cross-validates every candidate. The grid lists simpler candidates first; the first is the choice, and each
 * later one takes its place only if it is better beyond chance on the same folds (`significantlyBetter`). A
 * few captures' difference in one CV is noise: when the first lost only by more than a one-capture
 * tolerance, a forest won some seeds' inner CV by two captures and then swapped the MELSEC PLC and
 * engineering PCs on the outer test, so the model, and the accuracy, changed with the seed.
 */
export function selectModel(
  captures: readonly LabelledCapture[],
  grid: readonly Candidate[] = DEFAULT_GRID,
  options: Partial<SelectOptions> = {},
): Selection {
  if (grid.length === 0) throw new UsageError('model selection needs at least one candidate');
  const labels = fittableLabels(captures);
  if (labels < 2) throw new UsageError(`model selection needs at least two labels, found ${labels}`);
  const results = grid.map((c) => crossValidate(captures, c, options));
  const alpha = options.alpha ?? 0.05;
  const folds = options.folds ?? SELECT_DEFAULTS.folds;
  const skipped = results[0]!.skippedFolds;
  const scores: Record<string, number> = {};
  // No fold could be fitted (every label's captures sit in one fold, e.g. one capture per label): there is
  // nothing to select on, so the first candidate (the grid's simplest) is taken as it is.
  if (results.every((r) => r.outcomes.length === 0)) {
    scores.cvFolds = folds;
    scores.cvSkippedFolds = skipped;
    return {
      best: results[0]!,
      results,
      scores,
      note:
        `no cross-validation fold could be fitted (with a label's only capture held out, one label is left), ` +
        `so ${results[0]!.name} was taken without model selection and without cross-validated scores`,
    };
  }
  let best = results[0]!;
  for (const r of results.slice(1)) if (significantlyBetter(r, best, alpha)) best = r;
  for (const r of results) scores[`cv.${r.name}`] = r.accuracy;
  scores.cvBestAccuracy = best.accuracy;
  scores.cvFolds = folds;
  if (skipped > 0) scores.cvSkippedFolds = skipped;
  const note =
    skipped > 0
      ? `${skipped} of ${folds} cross-validation folds left out (with a label's only capture held out, one label ` +
        `is left): model selection rests on the other folds' ${best.outcomes.length} ${best.outcomes.length === 1 ? 'capture' : 'captures'}`
      : null;
  return { best, results, scores, note };
}
