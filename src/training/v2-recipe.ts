import { createHash } from 'node:crypto';
import { V2_OWN_COUNT, v2FeatureNames } from '../features/v2/index.js';
import type { RoleAlgorithm, RoleModel } from '../models/role-model.js';
import {
  calibrateNoveltyRule,
  calibrateOpenSet,
  DEFAULT_UNKNOWN_RATE,
  leaveOneClassOut,
  type OpenSetCalibration,
  outOfBagOutcomes,
} from './calibrate.js';
import {
  type Candidate,
  defaultGrid,
  fitCandidate,
  type LabelledCapture,
  ONELAYER_GRID,
  SELECT_DEFAULTS,
  type Selection,
  selectModel,
} from './select.js';

export interface V2TrainOptions {
  seed: number;
  binDurationS: number;
  warmupS: number;
  dataset: string;
  /** Restrict model selection to one algorithm (default: the forest grid). */
  algorithm?: RoleAlgorithm;
  folds?: number;
  /** Share of known-type captures accepted as Unknown (default 0.02). */
  unknownRate?: number;
  /** Estimate unseen-type rejection by leave-one-type-out (default true; experiments skip it). */
  estimateUnseen?: boolean;
  /** Override the candidate grid. */
  grid?: readonly Candidate[];
  /**
   * The Unknown rule: 'novelty' (default) = rank distance to the nearest training capture above a
   * conformal threshold of leave-one-out distances (models/novelty.ts); 'confidence' = the forest's
   * p₁ + p₂ below the conformal out-of-bag threshold (the rule before).
   */
  openSetRule?: 'novelty' | 'confidence';
}

/** Columns of the novelty rule: v2's own header aggregates (the first V2_OWN_COUNT of the vector). */
export const NOVELTY_COLUMNS = (): Int32Array => Int32Array.from({ length: V2_OWN_COUNT }, (_, i) => i);

/**
 * The host's service role, the novelty rule's secondary columns: the share of its outgoing and of its
 * incoming packets where it holds the lower port (it serves), and the share of its flows it opened. The
 * two ends of one conversation (an engineering PC and its PLC) differ here and hardly anywhere else.
 */
export const SERVICE_ROLE_FEATURES = [
  'out.service.hostIsServer',
  'in.service.hostIsServer',
  'host.flows.initiatedShare',
] as const;

/** Indices of SERVICE_ROLE_FEATURES in the v2 vector. */
export const SERVICE_ROLE_COLUMNS = (): Int32Array => {
  const names = v2FeatureNames();
  return Int32Array.from(SERVICE_ROLE_FEATURES, (f) => names.indexOf(f));
};

export interface V2TrainReport {
  model: RoleModel;
  selection: Selection;
  /**
   * Null when no cross-validation fold could be fitted, or for the confidence rule with two labels (no
   * open-set rule possible; `openSetNote` says why).
   */
  calibration: OpenSetCalibration | null;
  /** One line on what of the Unknown rule or its estimates could not be made, or null. */
  openSetNote: string | null;
  seconds: { selection: number; fit: number; calibration: number };
}

/** SHA-256 of the v2 feature names: a model records which feature set (and order) it was trained on. */
export function v2NamesHash(): string {
  return createHash('sha256').update(v2FeatureNames().join('\n')).digest('hex');
}

/**
 * The v2 recipe: k-fold CV per capture over a small grid picks the estimator; it is refitted on every
 * training capture; the Unknown rule is feature-space novelty (models/novelty.ts: distance to the nearest
 * known type, and the same on the service-role columns) above the conformal `1 − unknownRate / 2` quantile
 * of the training captures' leave-one-out novelty, per rule (calibrateNoveltyRule), the
 * sibling margin comes from the out-of-fold outcomes, and leaving types out of the novelty reference
 * estimates how many captures of an unseen type the rule calls Unknown. With `openSetRule: 'confidence'`
 * the rule before: p₁ + p₂ below the split-conformal quantile of the final forest's out-of-bag scores
 * (the Harrell–Davis quantile of out-of-fold scores for other estimators or too few captures), unseen
 * rejection by refitting without each type. Everything goes into the model.
 */
export function trainV2Model(captures: readonly LabelledCapture[], options: V2TrainOptions): V2TrainReport {
  const withBins = captures.filter((c) => c.rows.length > 0);
  const forests = defaultGrid(withBins.length);
  const grid: readonly Candidate[] =
    options.grid ??
    (options.algorithm === 'onelayer'
      ? ONELAYER_GRID
      : options.algorithm
        ? forests.filter((c) => c.algorithm === options.algorithm)
        : forests);
  const unknownRate = options.unknownRate ?? DEFAULT_UNKNOWN_RATE;
  const train = {
    ...SELECT_DEFAULTS.train,
    binDurationS: options.binDurationS,
    warmupS: options.warmupS,
    featureNamesHash: v2NamesHash(),
    dataset: options.dataset,
  };
  const minPerLabel = Math.min(
    ...[...new Set(withBins.map((c) => c.label))].map((l) => withBins.filter((c) => c.label === l).length),
  );
  const folds = Math.max(2, Math.min(options.folds ?? SELECT_DEFAULTS.folds, minPerLabel));
  const t0 = performance.now();
  const selection = selectModel(withBins, grid, { folds, seed: options.seed, train });
  const best = selection.best.candidate;
  const t1 = performance.now();
  const fitted = fitCandidate(withBins, best, train, options.seed);
  const model = fitted.model;
  const t2 = performance.now();
  const labels = new Set(withBins.map((c) => c.label));
  let calibration: OpenSetCalibration | null = null;
  let openSetNote: string | null = null;
  const rule = options.openSetRule ?? 'novelty';
  // Without a cross-validated outcome (no fold could be fitted, selectModel) nothing calibrates the rule.
  const outcomes = selection.best.outcomes.length > 0;
  if (!outcomes) {
    openSetNote =
      'no Unknown rule: no cross-validation fold could be fitted, so nothing calibrates it and the model never answers Unknown (more captures per label make one)';
  } else if (rule === 'novelty') {
    // Two labels suffice: the threshold comes from the known captures' leave-one-out novelty, and leaving
    // one type out for the unseen-type estimate leaves the other as the reference.
    const estimateUnseen = options.estimateUnseen !== false;
    const novelty = calibrateNoveltyRule(
      withBins,
      selection.best.outcomes,
      NOVELTY_COLUMNS(),
      unknownRate,
      estimateUnseen,
      10,
      SERVICE_ROLE_COLUMNS(),
    );
    calibration = novelty.calibration;
    model.novelty = novelty.reference;
    model.unknownThreshold = null;
    model.siblingMargin = calibration.siblingMargin;
    model.unknownRate = unknownRate;
    model.hyperParameters.unknownCalibration = 'novelty';
    const missing = calibration.unseenNotEstimated ?? [];
    if (estimateUnseen && missing.length > 0)
      openSetNote =
        `leave-one-type-out not estimated for ${missing.join(', ')}: leaving ${missing.length === 1 ? 'it' : 'each'} out ` +
        'leaves fewer than two training captures to compare with';
  } else if (labels.size >= 3) {
    const unseen =
      options.estimateUnseen === false ? null : leaveOneClassOut(withBins, best, train, options.seed);
    calibration = calibrateOpenSet(
      selection.best.outcomes,
      unseen,
      unknownRate,
      outOfBagOutcomes(fitted, withBins),
    );
    model.unknownThreshold = calibration.threshold;
    model.siblingMargin = calibration.siblingMargin;
    model.unknownRate = unknownRate;
    model.hyperParameters.unknownCalibration = calibration.method;
  } else {
    // With two labels the top two probabilities always sum to 1: the confidence rule has nothing to judge.
    openSetNote =
      'no Unknown rule: the confidence rule needs three labels (with two the top two probabilities always sum to 1)';
  }
  const t3 = performance.now();
  model.hyperParameters.selected = selection.best.name;
  if (selection.note !== null) model.hyperParameters.selectionNote = selection.note;
  if (model.training) {
    model.training.scores = {
      ...model.training.scores,
      ...selection.scores,
      ...(calibration
        ? {
            knownCalledUnknown: calibration.knownUnknownRate,
            cvAccuracyAfterUnknown: calibration.knownAccuracyAfter,
            ...(calibration.unseenUnknownRate !== null
              ? { unseenCalledUnknown: calibration.unseenUnknownRate }
              : {}),
          }
        : {}),
    };
  }
  return {
    model,
    selection,
    calibration,
    openSetNote,
    seconds: { selection: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, calibration: (t3 - t2) / 1000 },
  };
}
