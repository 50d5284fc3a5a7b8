import { createHash } from 'node:crypto';
import { v2FeatureNames } from '../features/v2.js';
import type { RoleAlgorithm, RoleModel } from '../models/role-model.js';
import { type Calibration, chooseThreshold, knownFromCv, leaveOneClassOut } from './calibrate.js';
import {
  type Candidate,
  DEFAULT_GRID,
  type LabelledCapture,
  SELECT_DEFAULTS,
  type Selection,
  selectModel,
  trainCandidate,
} from './select.js';

/** Name of the hyper-parameter holding a v2 model's calibrated Unknown threshold. */

export interface V2TrainOptions {
  seed: number;
  binDurationS: number;
  warmupS: number;
  dataset: string;
  /** Restrict model selection to one algorithm (default: the whole grid). */
  algorithm?: RoleAlgorithm;
  folds?: number;
}

export interface V2TrainReport {
  model: RoleModel;
  selection: Selection;
  /** Null when fewer than three labels make leave-one-class-out impossible. */
  calibration: Calibration | null;
}

/** SHA-256 of the v2 feature names: a model records which feature set (and order) it was trained on. */
export function v2NamesHash(): string {
  return createHash('sha256').update(v2FeatureNames().join('\n')).digest('hex');
}

/**
 * The v2 recipe: k-fold CV per capture over a small grid picks the estimator; it is refitted on every
 * training capture; then the Unknown threshold is calibrated by leaving each label out in turn, so that a
 * capture of a type never seen is called Unknown more often than not without hurting known types. Both the
 * CV scores and the calibration rates go into the model's training scores.
 */
export function trainV2Model(captures: readonly LabelledCapture[], options: V2TrainOptions): V2TrainReport {
  const grid: readonly Candidate[] = options.algorithm
    ? DEFAULT_GRID.filter((c) => c.algorithm === options.algorithm)
    : DEFAULT_GRID;
  const train = {
    ...SELECT_DEFAULTS.train,
    binDurationS: options.binDurationS,
    warmupS: options.warmupS,
    featureNamesHash: v2NamesHash(),
    dataset: options.dataset,
  };
  const minPerLabel = Math.min(
    ...[...new Set(captures.map((c) => c.label))].map((l) => captures.filter((c) => c.label === l).length),
  );
  const folds = Math.max(2, Math.min(options.folds ?? SELECT_DEFAULTS.folds, minPerLabel));
  const selection = selectModel(captures, grid, { folds, seed: options.seed, train });
  const best = selection.best.candidate;
  const model = trainCandidate(
    captures.filter((c) => c.rows.length > 0),
    best,
    train,
    options.seed,
  );
  const labels = new Set(captures.filter((c) => c.rows.length > 0).map((c) => c.label));
  let calibration: Calibration | null = null;
  if (labels.size >= 3) {
    calibration = chooseThreshold(
      knownFromCv(selection.best.outcomes),
      leaveOneClassOut(captures, best, train, options.seed),
    );
    model.unknownThreshold = calibration.threshold;
  }
  model.hyperParameters.selected = selection.best.name;
  if (model.training) {
    model.training.scores = {
      ...model.training.scores,
      ...selection.scores,
      ...(calibration
        ? {
            unseenCalledUnknown: calibration.unseenUnknownRate,
            knownCalledUnknown: calibration.knownUnknownRate,
          }
        : {}),
    };
  }
  return { model, selection, calibration };
}
