import { ModelError, UsageError } from '../errors.js';
import type { NonZeroReader } from '../features/compat.js';
import type { FeatureSemantics } from '../features/semantics.js';
import { accuracy, type ScaledCsr, toDense } from './data.js';
import { forestProba, RandomForest } from './forest.js';
import { csrFromDense, csrFromRows, csrTakeCols, csrToDense, zeros } from './matrix.js';
import { type MlpWeights, mlpHidden, mlpOutput, mlpProba, OneLayerMLP } from './mlp.js';
import { type Novelty, type NoveltyReference, noveltyOf } from './novelty.js';
import {
  applyNormalisation,
  csrVStack,
  fitNormalisation,
  type SelectionCandidate,
  selectFeatures,
  shuffledColumnsCopy,
  shuffledColumnsCopyCsr,
} from './preprocess.js';
import { type RankNnState, rankNnContributions, rankNnProba } from './rank-nn.js';
import { Rng } from './rng.js';
import { type TreeArrays, treePath } from './tree.js';

export type RoleAlgorithm = 'onelayer' | 'randomforest' | 'ranknn';
export const UNKNOWN_LABEL = 'Unknown';

export interface TrainingInfo {
  dataset: string;
  /** ISO 8601. */
  date: string;
  seed: number | null;
  nSamples: number | null;
  scores: Record<string, number>;
}

export interface ModelSource {
  attribution: string;
  licence: string;
  url?: string;
  /** Where the original weights came from, for converted models. */
  original?: string;
}

interface RoleModelBase {
  labels: string[];
  features: { semantics: FeatureSemantics; count: number; namesHash: string | null };
  capture: { binDurationS: number; warmupS: number };
  normalisation: { means: Float64Array; stds: Float64Array };
  /** Indices into the feature vector, in the order the estimator sees them. */
  selected: Int32Array;
  hyperParameters: Record<string, number | string | boolean | null>;
  /**
   * The calibrated open-set rule of v2 training: a capture whose open-set score is below this is called
   * Unknown; null: no such rule. Stored in the file as `hyperParameters.unknownThreshold`.
   */
  unknownThreshold: number | null;
  /**
   * The `--unknown-rate` the threshold was set for (`hyperParameters.unknownRate`). Null for models
   * calibrated before the open-set score existed: their threshold applies to the top probability alone.
   */
  unknownRate: number | null;
  /** Top-two gap below which both roles are reported as siblings (`hyperParameters.siblingMargin`). */
  siblingMargin: number | null;
  /**
   * The feature-space open-set rule of v2 training (models/novelty.ts): when present with a threshold, a
   * capture farther than that from every training capture is Unknown and the forest-confidence rule
   * (unknownThreshold) is not used. Stored in the file as `novelty`.
   */
  novelty: NoveltyReference | null;
  training: TrainingInfo | null;
  source: ModelSource | null;
}

export interface OneLayerRoleModel extends RoleModelBase {
  kind: 'onelayer';
  mlp: MlpWeights;
}

export interface ForestRoleModel extends RoleModelBase {
  kind: 'randomforest';
  trees: TreeArrays[];
}

/** Nearest training capture in rank space (models/rank-nn.ts); `selected` = its columns, no normalisation. */
export interface RankNnRoleModel extends RoleModelBase {
  kind: 'ranknn';
  rankNn: RankNnState;
}

/** A device-role classifier: normalise → select → estimator → probabilities in `labels` order. */
export type RoleModel = OneLayerRoleModel | ForestRoleModel | RankNnRoleModel;

/** z = ((x − means) / stds)[selected]. */
export function selectedZ(model: RoleModel, x: ArrayLike<number>, out?: Float64Array): Float64Array {
  if (x.length !== model.features.count) {
    throw new ModelError(`feature vector has ${x.length} values, the model expects ${model.features.count}`);
  }
  const sel = model.selected;
  const z = out ?? new Float64Array(sel.length);
  const { means, stds } = model.normalisation;
  for (let j = 0; j < sel.length; j++) {
    const f = sel[j]!;
    z[j] = (x[f]! - means[f]!) / stds[f]!;
  }
  return z;
}

/**
 * selectedZ of a row kept as its non-zero values: z starts as every selected feature's standardised zero
 * and the row's non-zero features overwrite their places, each with selectedZ's own expression, so z has
 * the same bits as selectedZ of the expanded row at the cost of the selected and non-zero features only.
 */
export class SparseSelection {
  /** (0 − mean) / std of each selected feature. */
  private readonly zeroZ: Float64Array;
  /** Feature → its place in z, −1 when not selected. */
  private readonly place: Int32Array;

  private constructor(private readonly model: RoleModel) {
    const { selected, normalisation } = model;
    this.place = new Int32Array(model.features.count).fill(-1);
    this.zeroZ = new Float64Array(selected.length);
    for (let j = 0; j < selected.length; j++) {
      const f = selected[j]!;
      this.place[f] = j;
      this.zeroZ[j] = (0 - normalisation.means[f]!) / normalisation.stds[f]!;
    }
  }

  /** Null when a feature is selected twice (one place per feature cannot say so) or out of range. */
  static of(model: RoleModel): SparseSelection | null {
    const seen = new Uint8Array(model.features.count);
    for (const f of model.selected) {
      if (!(f >= 0 && f < seen.length) || seen[f]) return null;
      seen[f] = 1;
    }
    return new SparseSelection(model);
  }

  /** z of the row whose value[k] is feature index[k], k in [from, to) (later entries win, as when expanded). */
  write(index: Uint16Array, value: Float64Array, from: number, to: number, z: Float64Array): void {
    const { means, stds } = this.model.normalisation;
    z.set(this.zeroZ);
    for (let k = from; k < to; k++) {
      const f = index[k]!;
      const j = f < this.place.length ? this.place[f]! : -1;
      if (j >= 0) z[j] = (value[k]! - means[f]!) / stds[f]!;
    }
  }
}

/** Row i's non-zero values, handed to `read` where the feature store keeps them. */
export type SparseRowSource = (i: number, read: NonZeroReader) => void;

/**
 * Each row's selectedZ into one reused `z`, from its non-zero values when the store keeps them and the model
 * allows it (SparseSelection), else from the row expanded by `write`. Returns the reader of row i.
 */
export function selectedZRows(
  model: RoleModel,
  write: (i: number, out: Float64Array) => void,
  sparse: SparseRowSource | undefined,
  z: Float64Array,
): (i: number) => Float64Array {
  const selection = sparse ? SparseSelection.of(model) : null;
  if (sparse && selection) {
    const read: NonZeroReader = (index, value, from, to) => selection.write(index, value, from, to, z);
    return (i) => {
      sparse(i, read);
      return z;
    };
  }
  const x = new Float64Array(model.features.count);
  return (i) => {
    write(i, x);
    return selectedZ(model, x, z);
  };
}

/** relu(z·W1 + b1): the one-layer model's hidden representation of one bin. */
export function hiddenRepresentation(model: RoleModel, x: ArrayLike<number>): Float64Array {
  if (model.kind !== 'onelayer') throw new ModelError('a hidden representation needs a onelayer model');
  return mlpHidden(model.mlp, selectedZ(model, x));
}

/** Probabilities (in `model.labels` order) of each bin's feature vector. */
export function predictBins(model: RoleModel, bins: ArrayLike<ArrayLike<number>>): Float64Array[] {
  const k = model.labels.length;
  const out: Float64Array[] = [];
  for (let b = 0; b < bins.length; b++) {
    if (model.kind === 'ranknn') {
      if (bins[b]!.length !== model.features.count)
        throw new ModelError(
          `feature vector has ${bins[b]!.length} values, the model expects ${model.features.count}`,
        );
      out.push(rankNnProba(model.rankNn, k, bins[b]!));
      continue;
    }
    const z = selectedZ(model, bins[b]!);
    if (model.kind === 'onelayer') out.push(mlpProba(model.mlp, z));
    else out.push(forestProba(model.trees, k, { rows: 1, cols: z.length, data: z }).data);
  }
  return out;
}

/**
 * A capture's probabilities from its bins, as the reference aggregates: onelayer = mean of the bins'
 * probabilities; randomforest (and ranknn) = the probabilities of the MEAN feature vector. Null for no bins.
 */
export function predictCapture(model: RoleModel, bins: ArrayLike<ArrayLike<number>>): Float64Array | null {
  if (bins.length === 0) return null;
  const k = model.labels.length;
  if (model.kind === 'onelayer') {
    const mean = new Float64Array(k);
    for (const p of predictBins(model, bins)) for (let c = 0; c < k; c++) mean[c]! += p[c]!;
    for (let c = 0; c < k; c++) mean[c]! /= bins.length;
    return mean;
  }
  return predictBins(model, [captureMean(model, bins)!])[0]!;
}

/** What `predictRows` returns: the capture's and each row's probabilities. */
export interface RowPredictions {
  /** The capture's probabilities (as predictCapture), or null for no rows. */
  mean: Float64Array | null;
  /** Each row's probabilities (as predictBins): views into one packed array. */
  bins: Float64Array[];
  /** The capture's mean feature vector (as captureMean), when the model needed it (not onelayer). */
  meanFeatures?: Float64Array;
  /**
   * A one-layer model's hidden layer of each row (hiddenRepresentation, what device history averages), kept
   * when there are at most HIDDEN_ROWS_KEPT rows: a longer capture's history computes them again.
   */
  hidden?: Float64Array[];
}

/** Rows whose hidden layers OneLayerRows keeps (32 values each: 4 MiB at most). */
export const HIDDEN_ROWS_KEPT = 16_384;

/**
 * predictCapture and predictBins in one pass, each row written by `write`
 * into one reused buffer: a long capture's rows are built on demand, and building each three times as
 * fresh 4,104-value arrays made memory grow with the bins. The sums run in the same order, so the same bits.
 */
export function predictRows(
  model: RoleModel,
  count: number,
  /** The rows' length (checked against the model's, as selectedZ does). */
  width: number,
  write: (i: number, out: Float64Array) => void,
  /** The rows' non-zero values where the store keeps them sparse (a one-layer model then reads only those). */
  sparse?: SparseRowSource,
): RowPredictions {
  if (count === 0) return { mean: null, bins: [] };
  const k = model.labels.length;
  const n = model.features.count;
  if (width !== n) throw new ModelError(`feature vector has ${width} values, the model expects ${n}`);
  const z = new Float64Array(model.selected.length);
  if (model.kind === 'onelayer') {
    const zOf = selectedZRows(model, write, sparse, z);
    const rows = new OneLayerRows(model);
    for (let b = 0; b < count; b++) rows.add(zOf(b));
    return rows.finish();
  }
  const probabilities = new Float64Array(count * k);
  const bins: Float64Array[] = [];
  const x = new Float64Array(n);
  const sum = new Float64Array(n);
  for (let b = 0; b < count; b++) {
    write(b, x);
    for (let f = 0; f < n; f++) sum[f]! += x[f]!;
    if (model.kind === 'ranknn') probabilities.set(rankNnProba(model.rankNn, k, x), b * k);
    else {
      selectedZ(model, x, z);
      probabilities.set(forestProba(model.trees, k, { rows: 1, cols: z.length, data: z }).data, b * k);
    }
    bins.push(probabilities.subarray(b * k, (b + 1) * k));
  }
  for (let f = 0; f < n; f++) sum[f]! /= count;
  return { mean: predictBins(model, [sum])[0]!, bins, meanFeatures: sum };
}

/** Rows per block of OneLayerRows' probabilities (a long capture's grow by blocks, never copied). */
const ROWS_PER_BLOCK = 1024;

/**
 * predictRows' one-layer pass, a row at a time: each row's probabilities kept in blocks, their sum in row
 * order, the mean at the end, so the same bits as predictRows whenever the rows come.
 */
export class OneLayerRows {
  private readonly sum: Float64Array;
  private readonly blocks: Float64Array[] = [];
  /** The rows' hidden layers, in blocks like `blocks`; null once there are more than HIDDEN_ROWS_KEPT. */
  private hiddenBlocks: Float64Array[] | null = [];
  private count = 0;

  constructor(private readonly model: OneLayerRoleModel) {
    this.sum = new Float64Array(model.labels.length);
  }

  /** The row whose standardised selected values are `z` (selectedZ). */
  add(z: Float64Array): void {
    const k = this.sum.length;
    const mlp = this.model.mlp;
    const hid = mlpHidden(mlp, z);
    const p = mlpOutput(mlp, hid);
    for (let c = 0; c < k; c++) this.sum[c]! += p[c]!;
    const at = this.count % ROWS_PER_BLOCK;
    if (at === 0) this.blocks.push(new Float64Array(ROWS_PER_BLOCK * k));
    this.blocks[this.blocks.length - 1]!.set(p, at * k);
    if (this.hiddenBlocks && this.count === HIDDEN_ROWS_KEPT) this.hiddenBlocks = null;
    if (this.hiddenBlocks) {
      if (at === 0) this.hiddenBlocks.push(new Float64Array(ROWS_PER_BLOCK * mlp.hiddenSize));
      this.hiddenBlocks[this.hiddenBlocks.length - 1]!.set(hid, at * mlp.hiddenSize);
    }
    this.count++;
  }

  finish(): RowPredictions {
    if (this.count === 0) return { mean: null, bins: [] };
    const k = this.sum.length;
    const mean = Float64Array.from(this.sum);
    for (let c = 0; c < k; c++) mean[c]! /= this.count;
    const hidden = this.hiddenBlocks
      ? rowViews(this.hiddenBlocks, this.count, this.model.mlp.hiddenSize)
      : null;
    return { mean, bins: rowViews(this.blocks, this.count, k), ...(hidden ? { hidden } : {}) };
  }
}

/** Row i of rows kept ROWS_PER_BLOCK to a block, `width` values each, as one view per row. */
function rowViews(blocks: Float64Array[], count: number, width: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let b = 0; b < count; b++) {
    const at = b % ROWS_PER_BLOCK;
    rows.push(blocks[Math.floor(b / ROWS_PER_BLOCK)]!.subarray(at * width, (at + 1) * width));
  }
  return rows;
}

/**
 * A one-layer model's predictions of compat bins made as the bins close (issue 14: the model then reads each
 * bin while the capture is read, not after it, when only one thread works): `read` takes a bin's non-zero
 * values. Null for a model whose rows cannot be read sparse (see SparseSelection).
 */
export class StreamedOneLayerPredictions {
  private readonly rows: OneLayerRows;
  private readonly z: Float64Array;
  readonly read: NonZeroReader;

  private constructor(model: OneLayerRoleModel, selection: SparseSelection) {
    this.rows = new OneLayerRows(model);
    this.z = new Float64Array(model.selected.length);
    this.read = (index, value, from, to) => {
      selection.write(index, value, from, to, this.z);
      this.rows.add(this.z);
    };
  }

  static for(model: RoleModel): StreamedOneLayerPredictions | null {
    if (model.kind !== 'onelayer' || model.features.semantics !== 'compat') return null;
    const selection = SparseSelection.of(model);
    return selection ? new StreamedOneLayerPredictions(model, selection) : null;
  }

  finish(): RowPredictions {
    return this.rows.finish();
  }
}

/**
 * The open-set score of a capture: the mass on its top two roles, p₁ + p₂. A device of a known type puts
 * nearly all its mass on one or two (sibling) roles; one of a type never trained on spreads it over many.
 */
export function openSetScore(top: number, second: number): number {
  return top + second;
}

/** The capture's mean feature vector (what the forest and the novelty rule see). */
export function captureMean(model: RoleModel, bins: ArrayLike<ArrayLike<number>>): Float64Array | null {
  if (bins.length === 0) return null;
  const n = model.features.count;
  const mean = new Float64Array(n);
  for (let b = 0; b < bins.length; b++) {
    const x = bins[b]!;
    for (let f = 0; f < n; f++) mean[f]! += x[f]!;
  }
  for (let f = 0; f < n; f++) mean[f]! /= bins.length;
  return mean;
}

/** Whether the model's Unknown rule is the feature-space novelty rule (it needs the capture's bins). */
export function usesNovelty(model: RoleModel): boolean {
  return model.novelty !== null && model.novelty.threshold !== null;
}

/**
 * Novelty of a capture (models/novelty.ts) for a model with that rule, in units of its threshold(s): the
 * largest novelty / threshold over the model's novelty rules (noveltyRatio); above 1 the capture is
 * Unknown. Null without the rule or bins.
 */
export function captureNovelty(
  model: RoleModel,
  bins: ArrayLike<ArrayLike<number>>,
  /** The bins' mean feature vector when already computed (predictRows), so they are not read again. */
  meanFeatures?: Float64Array,
): number | null {
  return captureNoveltyOf(model, bins, meanFeatures)?.ratio ?? null;
}

/** captureNovelty with the capture's rank among the training captures (Novelty.rank). */
export function captureNoveltyOf(
  model: RoleModel,
  bins: ArrayLike<ArrayLike<number>>,
  meanFeatures?: Float64Array,
): Novelty | null {
  if (!usesNovelty(model)) return null;
  const mean = meanFeatures ?? captureMean(model, bins);
  return mean === null ? null : noveltyOf(model.novelty!, mean);
}

/**
 * Whether the model's Unknown rule calls a capture Unknown: for a model with a novelty rule, its novelty
 * (captureNovelty, in units of the stored threshold(s)) above 1; otherwise its top-two known-role probabilities below the
 * forest-confidence threshold.
 */
export function isUnknown(
  model: RoleModel,
  top: number,
  second: number,
  novelty: number | null = null,
): boolean {
  if (usesNovelty(model)) {
    if (novelty === null) throw new ModelError("this model's Unknown rule needs the capture's novelty");
    return novelty > 1;
  }
  const threshold = model.unknownThreshold;
  if (threshold === null) return false;
  return (model.unknownRate === null ? top : openSetScore(top, second)) < threshold;
}

/**
 * Labels and probabilities after the model's calibrated Unknown rule: when the capture is Unknown
 * (isUnknown), "Unknown" leads, then the known roles with their probabilities. Its confidence is the
 * capture's novelty rank among the training captures when the rule has one (Novelty.rank: the evidence the
 * verdict rests on, above the rule's 1 − rate), else 1 − top (the share the known roles leave unclaimed),
 * which the classifier's confidence in a role the novelty rule overrules made a low figure ("Unknown 25%,
 * iKettle2 75%"). `novelty` is the capture's captureNoveltyOf, or its ratio (needed by models with that rule).
 */
export function applyUnknownThreshold(
  model: RoleModel,
  ranked: [string, number][],
  novelty: Novelty | number | null = null,
): [string, number][] {
  if ((model.unknownThreshold === null && !usesNovelty(model)) || ranked.length === 0) return ranked;
  const known = ranked.filter(([l]) => l !== UNKNOWN_LABEL);
  const { ratio, rank } =
    typeof novelty === 'number' || novelty === null ? { ratio: novelty, rank: null } : novelty;
  // Old-rule models compared the top entry as ranked, Unknown included.
  const unknown =
    model.unknownRate === null && !usesNovelty(model)
      ? ranked[0]![1] < model.unknownThreshold!
      : isUnknown(model, known[0]?.[1] ?? 0, known[1]?.[1] ?? 0, ratio);
  return unknown ? [[UNKNOWN_LABEL, rank ?? 1 - ranked[0]![1]], ...known] : ranked;
}

/**
 * The two roles the model cannot tell apart for this capture: the top two (Unknown aside) when their
 * probabilities are within the model's calibrated sibling margin; null otherwise or without a margin.
 */
export function siblingsOf(model: RoleModel, probabilities: ArrayLike<number>): [string, string] | null {
  const margin = model.siblingMargin;
  if (margin === null) return null;
  let a = -1;
  let b = -1;
  for (let c = 0; c < model.labels.length; c++) {
    if (model.labels[c] === UNKNOWN_LABEL) continue;
    if (a < 0 || probabilities[c]! > probabilities[a]!) {
      b = a;
      a = c;
    } else if (b < 0 || probabilities[c]! > probabilities[b]!) b = c;
  }
  if (a < 0 || b < 0 || probabilities[b]! <= 0) return null;
  return probabilities[a]! - probabilities[b]! < margin ? [model.labels[a]!, model.labels[b]!] : null;
}

export interface RankedLabels {
  labels: string[];
  confidences: number[];
}

/** The n most likely labels, descending; a stable sort, so ties keep label order. */
export function topLabels(labels: readonly string[], probs: ArrayLike<number>, n = 3): RankedLabels {
  const idx = Array.from({ length: labels.length }, (_, i) => i);
  idx.sort((a, b) => (probs[b]! > probs[a]! ? 1 : probs[b]! < probs[a]! ? -1 : a - b));
  const top = idx.slice(0, n);
  return { labels: top.map((i) => labels[i]!), confidences: top.map((i) => probs[i]!) };
}

export interface Contribution {
  /** Index into the 4,104-value feature vector. */
  feature: number;
  /** Normalised value z of the feature. */
  z: number;
  contribution: number;
}

export interface Explanation {
  label: string;
  probability: number;
  /** Part of the top label's score not attributed to any feature (biases / tree root prior). */
  base: number;
  /** Non-zero contributions, largest magnitude first. */
  contributions: Contribution[];
}

/**
 * Per-feature contributions to the top label of one bin.
 * onelayer: exact decomposition of the centred logit s = logit_top − mean_k logit_k along the active relu
 *   units: contribution_j = z_j · Σ_h W1[j,h] · 1[hidden_h > 0] · (W2[h,top] − mean_k W2[h,k]);
 *   s = base + Σ_j contribution_j.
 * randomforest: path decomposition (Saabas) of the top label's probability: at each split the change of
 *   the node's top-label share goes to the split feature, averaged over trees; p_top = base + Σ contributions.
 * ranknn: the log-odds of the label against the nearest other label, ln(p_t/p_u) = (d_u − d_t)/τ, split
 *   per column of the rank distance (models/rank-nn.ts); base = 0, so ln(p_t/p_u) = Σ contributions.
 */
export function explain(model: RoleModel, x: ArrayLike<number>, label?: string): Explanation {
  const z = selectedZ(model, x);
  const k = model.labels.length;
  const p = predictBins(model, [x])[0]!;
  // A capture explains its own top role in every bin, which need not be each bin's top.
  const t = model.labels.indexOf(label ?? topLabels(model.labels, p, 1).labels[0]!);
  if (t < 0) throw new ModelError(`the model has no label '${label}'`);
  const contrib = new Float64Array(z.length);
  let base = 0;
  if (model.kind === 'onelayer') {
    const m = model.mlp;
    const h = m.hiddenSize;
    const hid = mlpHidden(m, z);
    const dir = new Float64Array(h);
    for (let a = 0; a < h; a++) {
      if (hid[a]! <= 0) continue;
      let mean = 0;
      for (let c = 0; c < k; c++) mean += m.w2[a * k + c]!;
      dir[a] = m.w2[a * k + t]! - mean / k;
      base += m.b1[a]! * dir[a]!;
    }
    let bMean = 0;
    for (let c = 0; c < k; c++) bMean += m.b2[c]!;
    base += m.b2[t]! - bMean / k;
    for (let j = 0; j < z.length; j++) {
      let s = 0;
      for (let a = 0; a < h; a++) s += m.w1[j * h + a]! * dir[a]!;
      contrib[j] = z[j]! * s;
    }
  } else if (model.kind === 'ranknn') {
    contrib.set(rankNnContributions(model.rankNn, t, x));
  } else {
    for (const tree of model.trees) {
      const path = treePath(tree, z);
      base += tree.value[t]!;
      for (let q = 1; q < path.length; q++) {
        const parent = path[q - 1]!;
        contrib[tree.feature[parent]!]! += tree.value[path[q]! * k + t]! - tree.value[parent * k + t]!;
      }
    }
    base /= model.trees.length;
    for (let j = 0; j < z.length; j++) contrib[j]! /= model.trees.length;
  }
  const contributions: Contribution[] = [];
  for (let j = 0; j < z.length; j++) {
    if (contrib[j] !== 0)
      contributions.push({ feature: model.selected[j]!, z: z[j]!, contribution: contrib[j]! });
  }
  contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature - b.feature);
  return { label: model.labels[t]!, probability: p[t]!, base, contributions };
}

export interface TrainOptions {
  algorithm: RoleAlgorithm;
  seed: number;
  semantics: FeatureSemantics;
  binDurationS: number;
  warmupS: number;
  featureNamesHash: string | null;
  dataset: string;
  hiddenSize: number;
  alpha: number;
  maxIter: number;
  earlyStopping: boolean;
  nEstimators: number;
  minSamplesSplit: number;
  /** Feature selection (ExtraTrees + CV logistic regression); off keeps `columns` (default every feature). */
  selectFeatures: boolean;
  /** With selectFeatures off: the fixed feature indices the estimator sees (null = all). */
  columns: Int32Array | null;
  selectionMultipliers: number[];
  /** Add the column-shuffled copy labelled Unknown. */
  unknownAugmentation: boolean;
  /**
   * Run feature selection on the augmented rows (real + shuffled Unknown copy), so the chosen features
   * also separate real devices from the Unknown examples the model must learn.
   */
  selectWithUnknown: boolean;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  algorithm: 'onelayer',
  seed: 0,
  semantics: 'compat',
  binDurationS: 900,
  warmupS: 120,
  featureNamesHash: null,
  dataset: '',
  hiddenSize: 32,
  alpha: 0.1,
  maxIter: 1000,
  earlyStopping: false,
  nEstimators: 100,
  minSamplesSplit: 5,
  selectFeatures: true,
  columns: null,
  selectionMultipliers: [0, 0.5, 1, 2, 4],
  unknownAugmentation: true,
  selectWithUnknown: true,
};

export interface TrainReport {
  model: RoleModel;
  selection: SelectionCandidate[];
  /** Forests: per tree, the training rows its bootstrap drew (1) or left out (0). */
  inBag: Uint8Array[] | null;
  seconds: { normalise: number; select: number; fit: number; total: number };
}

/**
 * The reference training recipe (REFERENCE.md §5): normalise (means/stds of these rows; 'compat' keeps
 * the std ≤ 1 → 1 quirk) → select features → add the shuffled "Unknown" copy → fit the estimator.
 * Labels of the model: the distinct labels plus Unknown, sorted by code point.
 */
export function trainRoleModel(
  rows: ArrayLike<ArrayLike<number>>,
  labels: readonly string[],
  options: Partial<TrainOptions> = {},
): TrainReport {
  const o: TrainOptions = { ...TRAIN_DEFAULTS, ...options };
  if (o.algorithm === 'ranknn')
    throw new UsageError(
      'a ranknn model is fitted on capture means by v2 model selection (train --features v2)',
    );
  const t0 = performance.now();
  if (rows.length !== labels.length)
    throw new UsageError(`${rows.length} feature rows but ${labels.length} labels`);
  const distinct = [...new Set(labels)].filter((l) => l !== UNKNOWN_LABEL);
  if (distinct.length < 2) {
    throw new UsageError(
      `training needs at least two labels, found ${distinct.length}${distinct.length ? ` (${distinct[0]})` : ''}`,
    );
  }
  const modelLabels = [...distinct, UNKNOWN_LABEL].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const unknownIdx = modelLabels.indexOf(UNKNOWN_LABEL);
  const y = Int32Array.from(labels, (l) => modelLabels.indexOf(l));
  const width = rows[0]!.length;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.length !== width)
      throw new UsageError(`feature row ${i} has ${r.length} values, row 0 has ${width}`);
    for (let f = 0; f < width; f++) {
      if (!Number.isFinite(r[f]!)) throw new UsageError(`feature row ${i} has a non-finite value at ${f}`);
    }
  }
  const x = csrFromRows(rows, width);
  const k = modelLabels.length;
  const rng = new Rng(o.seed);

  const norm = fitNormalisation(x, o.semantics === 'compat' ? 'compat' : 'standard');
  const z = applyNormalisation(x, norm);
  const t1 = performance.now();

  let selected: Int32Array;
  let selection: SelectionCandidate[] = [];
  if (o.selectFeatures) {
    let zSel = z;
    let ySel = y;
    const selRng = new Rng(rng.fork());
    if (o.selectWithUnknown && o.unknownAugmentation) {
      zSel = applyNormalisation(csrVStack(x, shuffledColumnsCopyCsr(x, selRng)), norm);
      ySel = new Int32Array(x.rows * 2);
      ySel.set(y, 0);
      ySel.fill(unknownIdx, x.rows);
    }
    const res = selectFeatures(zSel, ySel, k, { seed: selRng.fork(), multipliers: o.selectionMultipliers });
    selected = res.selected;
    selection = res.candidates;
  } else if (o.columns) {
    for (const f of o.columns)
      if (!(f >= 0 && f < x.cols)) throw new UsageError(`feature column ${f} is outside 0..${x.cols - 1}`);
    selected = Int32Array.from(o.columns);
  } else {
    selected = Int32Array.from({ length: x.cols }, (_, i) => i);
  }
  const t2 = performance.now();

  // Estimator input: the selected raw columns (plus their column-shuffled copy) kept sparse, standardised
  // on the fly: products then cost O(non-zeros) instead of O(rows · features).
  const raw = csrToDense(csrTakeCols(x, selected));
  let stacked = raw;
  let yTrain: Int32Array = y;
  if (o.unknownAugmentation) {
    const shuffled = shuffledColumnsCopy(raw, new Rng(rng.fork()));
    stacked = zeros(raw.rows * 2, raw.cols);
    stacked.data.set(raw.data, 0);
    stacked.data.set(shuffled.data, raw.data.length);
    yTrain = new Int32Array(raw.rows * 2);
    yTrain.set(y, 0);
    yTrain.fill(unknownIdx, raw.rows);
  }
  const xTrain: ScaledCsr = {
    rows: stacked.rows,
    cols: stacked.cols,
    csr: csrFromDense(stacked),
    shift: Float64Array.from(selected, (f) => norm.means[f]!),
    scale: Float64Array.from(selected, (f) => norm.stds[f]!),
  };

  const base: RoleModelBase = {
    labels: modelLabels,
    features: { semantics: o.semantics, count: x.cols, namesHash: o.featureNamesHash },
    capture: { binDurationS: o.binDurationS, warmupS: o.warmupS },
    normalisation: norm,
    selected,
    hyperParameters: {},
    unknownThreshold: null,
    unknownRate: null,
    siblingMargin: null,
    novelty: null,
    training: null,
    source: null,
  };
  let model: RoleModel;
  let inBag: Uint8Array[] | null = null;
  const scores: Record<string, number> = {};
  const bestCv = selection.reduce((m, c) => Math.max(m, c.cvAccuracy), Number.NaN);
  if (!Number.isNaN(bestCv)) scores.selectionCvAccuracy = bestCv;
  if (o.algorithm === 'onelayer') {
    const mlp = new OneLayerMLP({
      hiddenSize: o.hiddenSize,
      alpha: o.alpha,
      maxIter: o.maxIter,
      earlyStopping: o.earlyStopping,
      seed: rng.fork(),
    }).fit(xTrain, yTrain, k);
    const st = mlp.state!;
    scores.trainAccuracy = accuracy(mlp.predict(xTrain), yTrain);
    scores.loss = st.loss;
    scores.iterations = st.nIter;
    model = {
      ...base,
      kind: 'onelayer',
      mlp: { hiddenSize: o.hiddenSize, w1: st.w1, b1: st.b1, w2: st.w2, b2: st.b2 },
      hyperParameters: {
        hiddenSize: o.hiddenSize,
        activation: 'relu',
        alpha: o.alpha,
        solver: 'adam',
        learningRate: mlp.params.learningRate,
        maxIter: o.maxIter,
        earlyStopping: o.earlyStopping,
        tol: mlp.params.tol,
      },
    };
  } else {
    const rf = new RandomForest({
      nEstimators: o.nEstimators,
      minSamplesSplit: o.minSamplesSplit,
      classWeight: 'balanced',
      seed: rng.fork(),
    }).fit(xTrain, yTrain, k);
    scores.trainAccuracy = accuracy(rf.predict(toDense(xTrain)), yTrain);
    inBag = rf.state!.inBag;
    model = {
      ...base,
      kind: 'randomforest',
      trees: rf.state!.trees,
      hyperParameters: {
        nEstimators: o.nEstimators,
        criterion: 'gini',
        maxFeatures: 'sqrt',
        minSamplesSplit: o.minSamplesSplit,
        bootstrap: true,
        classWeight: 'balanced',
      },
    };
  }
  const t3 = performance.now();
  model.training = {
    dataset: o.dataset,
    date: new Date().toISOString(),
    seed: o.seed,
    nSamples: rows.length,
    scores,
  };
  return {
    model,
    selection,
    inBag,
    seconds: {
      normalise: (t1 - t0) / 1000,
      select: (t2 - t1) / 1000,
      fit: (t3 - t2) / 1000,
      total: (t3 - t0) / 1000,
    },
  };
}
