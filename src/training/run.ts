/**
 * Training from labelled captures, as `networkml train` runs it: features of every capture on worker
 * threads, then one of the algorithms below, the model written to `save`, and a typed summary returned.
 */
import { unlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { errorMessage, NetworkmlError, UsageError } from '../errors.js';
import type { BehaviorBin } from '../features/behavior.js';
import { v2FeatureVersion } from '../features/v2/index.js';
import { BehaviorModel, type TrainingSample } from '../models/behavior.js';
import {
  documentToText,
  loadModelDocument,
  roleModelText,
  sha256Hex,
  writeModelText,
} from '../models/format.js';
import {
  type RoleAlgorithm,
  type RoleModel,
  type TrainReport,
  trainRoleModel,
} from '../models/role-model.js';
import { RoleConditionedSos } from '../models/sos.js';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import { behaviorModelDocument, companionBehaviorPath } from '../pipeline/behavior-anomaly.js';
import { roleModelFor } from '../pipeline/model-registry.js';
import { unpackRows } from '../pipeline/packed-rows.js';
import { type PoolOptions, runJobs } from '../pipeline/pool.js';
import { deviceRepresentation, representationName, saveSosModel } from '../pipeline/sos-anomaly.js';
import { DEFAULT_BIN_OPTIONS } from '../sessions/bins.js';
import type { OpenSetCalibration } from './calibrate.js';
import { type LabelAssignments, trainingLabelsOf } from './dataset.js';
import type { LabelledCapture } from './select.js';
import { trainV2Model } from './v2-recipe.js';

/**
 * A role model; or an anomaly model that goes with one: behavior (what normal host-bins look like) or
 * sos (the role-conditioned outlier model over the role model's view of devices).
 */
export type TrainAlgorithm = RoleAlgorithm | 'sos' | 'behavior';
export type TrainFeatureSet = 'compat' | 'v2';

export interface TrainRunOptions {
  /** Labelled captures: the label is the file-name prefix, or its entry in `labels`. */
  paths: readonly string[];
  /** Where the model is written (JSON). */
  save: string;
  /** Default: onelayer for compat features; for v2 the algorithm model selection chooses. */
  algorithm?: TrainAlgorithm;
  /** Role models only (default compat). */
  features?: TrainFeatureSet;
  /** File-name prefix → role name. */
  labels?: LabelAssignments;
  /** Recorded in the model's training info. */
  dataset?: string;
  /** Role and behavior models (default 0): same seed, same data, same model. */
  seed?: number;
  /** v2 only (default 0.02): share of known-type captures accepted as Unknown. */
  unknownRate?: number;
  /** Compat onelayer only: hidden units (default: the recipe's). */
  hiddenSize?: number;
  /** Capture reading: bin duration, warm-up, public sessions (default: the feature set's). */
  capture?: AnalyzeOptions;
  /** Worker threads for feature extraction (default: one per core). */
  threads?: number;
  /** sos and behavior: the role model the anomaly model goes with (default: bundled). */
  roleModel?: string;
  /** sos only: the effective number of neighbours (default: the estimator's). */
  perplexity?: number;
  /** behavior only: share of normal captures allowed to be called abnormal (default: the estimator's). */
  falseAlarmRate?: number;
  /** behavior only: nearest normal host-bins compared (default: the estimator's). */
  neighbours?: number;
  /**
   * Role models (default true): also learn normal behaviour from the same captures, written beside the
   * role model as NAME.behavior.json, which eval then uses as its anomaly model.
   */
  behavior?: boolean;
  /** Role models: called with (0, total) before feature extraction and as each capture is done. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Each capture's reader warnings (a truncated tail, packets skipped), in input order once every capture is
   * read: what the model was trained on, as eval and test say it.
   */
  onWarning?: (message: string) => void;
}

/** The behaviour model trained beside a role model (or by itself with algorithm behavior). */
export interface BehaviorFitSummary {
  model: string;
  bins: number;
  false_alarm_rate: number;
  threshold: number;
  /**
   * Roles trained on fewer than calibrationMinCaptures captures, judged by the pooled tail of `windows`
   * cross-validated windows (thinCalibration); null when the model has no such tail.
   */
  thin_roles: { roles: string[]; windows: number; min_captures: number } | null;
  /** Label pairs whose cross-validated windows the model cannot tell apart: one type to its one-type term. */
  one_type_labels: [string, string][];
}

interface RoleSummaryBase {
  model: string;
  /** The companion behaviour model, or null when not trained (behavior: false). */
  behavior: BehaviorFitSummary | null;
  /**
   * A companion behaviour model found beside `model` when none was trained: it went with the model
   * replaced (eval would refuse it), so it was removed; null when there was none.
   */
  removed_behavior: string | null;
  /** Labels of the captures given that the model does not know: none of their captures had a bin. */
  labels_without_sessions: string[];
  features: TrainFeatureSet;
  algorithm: RoleAlgorithm;
  captures: number;
  captures_without_sessions: number;
  bins: number;
  labels: string[];
  warmup_s: number;
  duration_s: number;
}

export interface CompatTrainSummary extends RoleSummaryBase {
  features: 'compat';
  selected_features: number;
  fit_seconds: TrainReport['seconds'];
  seconds: { features: number; total: number };
}

export interface V2TrainSummary extends RoleSummaryBase {
  features: 'v2';
  /** The candidate model selection chose. */
  selected: string;
  /** Cross-validated accuracy per candidate. */
  cv: Record<string, number>;
  /**
   * Present when cross-validation was partial or impossible (a label with one capture): what was left out,
   * or that the first candidate was taken without selection.
   */
  selection_note?: string;
  calibration: OpenSetCalibration | null;
  /** One line on what of the Unknown rule or its estimates could not be made (absent: nothing missing). */
  open_set_note?: string;
  seconds: { features: number; total: number };
}

export interface SosTrainSummary {
  model: string;
  algorithm: 'sos';
  role_model: string;
  devices: number;
  per_role: Record<string, number>;
  seconds: number;
}

export interface BehaviorTrainSummary {
  model: string;
  algorithm: 'behavior';
  role_model: string;
  captures: number;
  captures_without_ip: number;
  bins: number;
  per_label: Record<string, number>;
  false_alarm_rate: number;
  threshold: number;
  thin_roles: BehaviorFitSummary['thin_roles'];
  one_type_labels: BehaviorFitSummary['one_type_labels'];
  seconds: number;
}

export type TrainSummary = CompatTrainSummary | V2TrainSummary | SosTrainSummary | BehaviorTrainSummary;

/** Each capture's reader warnings to options.onWarning, in input order. */
function reportWarnings(
  results: readonly ({ ok: true; value: { warnings?: string[] } } | { ok: false })[],
  o: TrainRunOptions,
): void {
  for (const r of results) if (r.ok) for (const w of r.value.warnings ?? []) o.onWarning?.(w);
}

/** Trains the chosen model on labelled captures, writes it to `options.save` and summarises the run. */
export async function trainFromCaptures(options: TrainRunOptions): Promise<TrainSummary> {
  const started = performance.now();
  const paths = [...options.paths];
  const captureLabels = trainingLabelsOf(paths, options.labels);
  const algorithm = options.algorithm;
  switch (algorithm) {
    // Normal behaviour can be learnt from one kind of device; telling roles apart needs two.
    case 'behavior':
      return trainBehavior(paths, captureLabels, options, started);
    case 'sos':
      needsTwoLabels(captureLabels);
      return trainSos(paths, captureLabels, options, started);
    case 'onelayer':
    case 'randomforest':
    case 'ranknn':
    case undefined:
      needsTwoLabels(captureLabels);
      return trainRole(paths, captureLabels, algorithm, options, started);
  }
}

/** Worker-pool options: the caller's thread count, and progress (0, then one tick per capture) if asked. */
function poolOptions(o: TrainRunOptions, total: number, progress: boolean): PoolOptions {
  const threads = o.threads !== undefined ? { threads: o.threads } : {};
  if (!progress || !o.onProgress) return threads;
  const onProgress = o.onProgress;
  let done = 0;
  onProgress(done, total);
  return { ...threads, onDone: () => onProgress(++done, total) };
}

function needsTwoLabels(captureLabels: readonly string[]): void {
  const distinct = [...new Set(captureLabels)];
  if (distinct.length < 2)
    throw new UsageError(
      `training needs captures of at least two labels; found only ${distinct.join(', ') || 'none'}`,
    );
}

async function trainRole(
  paths: string[],
  captureLabels: string[],
  algorithm: RoleAlgorithm | undefined,
  o: TrainRunOptions,
  started: number,
): Promise<CompatTrainSummary | V2TrainSummary> {
  const v2 = o.features === 'v2';
  const options: AnalyzeOptions = { ...o.capture };
  // v2 is the corrected feature set: no warm-up unless asked for (the model records what it used).
  if (v2 && options.warmupS === undefined) options.warmupS = 0;
  if (v2) options.features = 'v2';
  const withBehavior = o.behavior !== false;
  const behaviorModel = withBehavior ? newBehaviorModel(o) : null;
  if (behaviorModel) {
    options.behavior = true;
    options.behaviorWindowS = behaviorModel.windowS;
  }
  const binDurationS = options.durationS ?? DEFAULT_BIN_OPTIONS.durationS;
  const warmupS = options.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS;
  const results = await runJobs(
    'features',
    paths.map((path) => ({ path, options })),
    poolOptions(o, paths.length, true),
  );
  reportWarnings(results, o);
  const features = results.map((r) => {
    if (!r.ok) throw new NetworkmlError(r.error);
    return r.value;
  });
  const captures: LabelledCapture[] = features.map((f, i) => ({
    name: basename(paths[i]!),
    label: captureLabels[i]!,
    rows: unpackRows(f.vectors),
  }));
  const empty = captures.filter((c) => c.rows.length === 0).length;
  const bins = captures.reduce((n, c) => n + c.rows.length, 0);
  const usable = [...new Set(captures.filter((c) => c.rows.length > 0).map((c) => c.label))];
  if (usable.length < 2)
    throw new UsageError(
      `fewer than two labels have captures with usable sessions (${usable.length === 0 ? 'none' : `only ${usable[0]}`})` +
        (warmupS > 0 ? `; try a smaller --warmup than ${warmupS} s` : ''),
    );
  const featureSeconds = (performance.now() - started) / 1000;
  const seed = o.seed ?? 0;
  const dataset = o.dataset ?? '';
  const behaviorBins = features.map((f) => f.behavior ?? []);
  const behaviorVendors = features.map((f) => f.behaviorVendor);
  /** Fits the companion behaviour model, tied to the role model file about to be written (its hash). */
  const companion = (roleHash: string): FittedBehavior | null =>
    // Normal behaviour is learnt by comparing captures with each other: it needs two with IP traffic.
    behaviorModel && behaviorBins.filter((b) => b.length > 0).length >= 2
      ? fitBehavior(
          behaviorModel,
          behaviorBins,
          behaviorVendors,
          paths,
          captureLabels,
          roleHash,
          companionBehaviorPath(o.save),
          seed,
        )
      : null;
  const base = <F extends TrainFeatureSet>(features: F, model: RoleModel) => ({
    model: o.save,
    features,
    algorithm: model.kind,
    captures: paths.length,
    captures_without_sessions: empty,
    bins,
    labels: model.labels,
    labels_without_sessions: [...new Set(captureLabels)].filter((l) => !usable.includes(l)).sort(),
    warmup_s: warmupS,
    duration_s: binDurationS,
  });
  const seconds = () => ({ features: featureSeconds, total: (performance.now() - started) / 1000 });
  if (v2) {
    const report = trainV2Model(captures, {
      seed,
      binDurationS,
      warmupS,
      dataset,
      ...(o.unknownRate !== undefined ? { unknownRate: o.unknownRate } : {}),
      ...(algorithm ? { algorithm } : {}),
    });
    return {
      ...base('v2', report.model),
      ...saveWithCompanion(o.save, report.model, companion),
      selected: report.selection.best.name,
      cv: Object.fromEntries(
        report.selection.results.filter((r) => r.outcomes.length > 0).map((r) => [r.name, r.accuracy]),
      ),
      ...(report.selection.note !== null ? { selection_note: report.selection.note } : {}),
      calibration: report.calibration,
      ...(report.openSetNote !== null ? { open_set_note: report.openSetNote } : {}),
      seconds: seconds(),
    };
  }
  const rows = captures.flatMap((c) => c.rows);
  const labels = captures.flatMap((c) => c.rows.map(() => c.label));
  const report = trainRoleModel(rows, labels, {
    algorithm: algorithm ?? 'onelayer',
    seed,
    semantics: 'compat',
    binDurationS,
    warmupS,
    dataset,
    ...(o.hiddenSize !== undefined ? { hiddenSize: o.hiddenSize } : {}),
  });
  return {
    ...base('compat', report.model),
    ...saveWithCompanion(o.save, report.model, companion),
    selected_features: report.model.selected.length,
    fit_seconds: report.seconds,
    seconds: seconds(),
  };
}

/**
 * sos: one reference set of device representations per role (the capture labels), as the chosen role
 * model sees each capture, for eval's `--anomaly sos`.
 */
async function trainSos(
  paths: string[],
  labels: string[],
  o: TrainRunOptions,
  started: number,
): Promise<SosTrainSummary> {
  const role = roleModelFor(o.roleModel);
  const options = {
    durationS: role.model.capture.binDurationS,
    warmupS: role.model.capture.warmupS,
    features: role.model.features.semantics,
    ...o.capture,
  };
  const results = await runJobs(
    'features',
    paths.map((path) => ({ path, options })),
    poolOptions(o, paths.length, false),
  );
  reportWarnings(results, o);
  const rows: Float64Array[] = [];
  const roles: string[] = [];
  results.forEach((r, i) => {
    if (!r.ok) throw new NetworkmlError(r.error);
    // A v2 role model from before the per-port block reads the head of the rows (eval does the same).
    const n = role.model.features.count;
    const bins = unpackRows(r.value.vectors);
    const seen =
      role.model.features.semantics === 'v2' && v2FeatureVersion(n) !== null
        ? bins.map((x) => (x.length > n ? x.subarray(0, n) : x))
        : bins;
    const representation = deviceRepresentation(role.model, seen);
    if (representation) {
      rows.push(representation);
      roles.push(labels[i]!);
    }
  });
  if (rows.length === 0)
    throw new UsageError(
      `no capture has usable sessions${(options.warmupS ?? 0) > 0 ? `; try a smaller --warmup than ${options.warmupS} s` : ''}`,
    );
  const sos = new RoleConditionedSos({
    representation: representationName(role),
    ...(o.perplexity ? { perplexity: o.perplexity } : {}),
  }).fit(rows, roles);
  saveSosModel(o.save, sos);
  const perRole = Object.fromEntries(
    [...new Set(roles)].sort().map((r) => [r, roles.filter((x) => x === r).length]),
  );
  return {
    model: o.save,
    algorithm: 'sos',
    role_model: role.path,
    devices: rows.length,
    per_role: perRole,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * behavior: what normal looks like, from normal captures (every capture's device host-bins), with a
 * threshold calibrated by cross-validation to the stated false-alarm rate.
 */
async function trainBehavior(
  paths: string[],
  labels: string[],
  o: TrainRunOptions,
  started: number,
): Promise<BehaviorTrainSummary> {
  const role = roleModelFor(o.roleModel);
  const model = newBehaviorModel(o);
  const options: AnalyzeOptions = {
    durationS: role.model.capture.binDurationS,
    behaviorWindowS: model.windowS,
    ...o.capture,
  };
  const results = await runJobs(
    'behavior',
    paths.map((path) => ({ path, options })),
    poolOptions(o, paths.length, true),
  );
  reportWarnings(results, o);
  const perCapture = results.map((r) => {
    if (!r.ok) throw new NetworkmlError(r.error);
    return r.value.bins;
  });
  const vendors = results.map((r) => (r.ok ? r.value.vendor : undefined));
  const fitted = fitBehavior(model, perCapture, vendors, paths, labels, role.hash, o.save, o.seed ?? 0);
  writeModelText(o.save, fitted.text);
  const fit = fitted.summary;
  return {
    model: o.save,
    algorithm: 'behavior',
    role_model: role.path,
    captures: paths.length,
    captures_without_ip: perCapture.filter((b) => b.length === 0).length,
    bins: fit.bins,
    per_label: Object.fromEntries(
      [...new Set(labels)].sort().map((l) => [l, labels.filter((x) => x === l).length]),
    ),
    false_alarm_rate: fit.false_alarm_rate,
    threshold: fit.threshold,
    thin_roles: fit.thin_roles,
    one_type_labels: fit.one_type_labels,
    seconds: (performance.now() - started) / 1000,
  };
}

function newBehaviorModel(o: TrainRunOptions): BehaviorModel {
  return new BehaviorModel({
    seed: o.seed ?? 0,
    ...(o.falseAlarmRate !== undefined ? { falseAlarmRate: o.falseAlarmRate } : {}),
    ...(o.neighbours !== undefined ? { k: o.neighbours } : {}),
  });
}

/** A fitted behaviour model: what train says of it, and its file's text, not yet written. */
interface FittedBehavior {
  summary: BehaviorFitSummary;
  text: string;
}

/**
 * Writes the role model and the companion behaviour model, both fitted before either file is written, so
 * a training stopped or failing on the way leaves the old pair as it was. With no companion this time
 * (--no-behavior, too few captures with IP traffic), one left beside the old model is tied to that model,
 * and eval --model would refuse it rather than fall back to its default: it is removed.
 */
function saveWithCompanion(
  save: string,
  model: RoleModel,
  fitCompanion: (roleHash: string) => FittedBehavior | null,
): { behavior: BehaviorFitSummary | null; removed_behavior: string | null } {
  const text = roleModelText(save, model);
  const companion = fitCompanion(sha256Hex(text));
  const companionPath = companionBehaviorPath(save);
  writeModelText(save, text);
  if (companion) {
    writeModelText(companionPath, companion.text);
    return { behavior: companion.summary, removed_behavior: null };
  }
  return { behavior: null, removed_behavior: removeBehaviorModel(companionPath) ? companionPath : null };
}

/** Removes the behaviour model at `path`; false when there is none (another file there is left alone). */
function removeBehaviorModel(path: string): boolean {
  try {
    loadModelDocument(path, 'behavior');
  } catch {
    return false;
  }
  try {
    unlinkSync(path);
  } catch (err) {
    throw new NetworkmlError(
      `${path}: cannot remove the behaviour model of the model replaced (${errorMessage(err)})`,
    );
  }
  return true;
}

/** Fits the behaviour model on every capture's device windows, tied to its role model; not yet written. */
function fitBehavior(
  model: BehaviorModel,
  perCapture: readonly BehaviorBin[][],
  vendors: readonly (string | undefined)[],
  paths: readonly string[],
  labels: readonly string[],
  roleHash: string,
  save: string,
  seed: number,
): FittedBehavior {
  const samples: TrainingSample[] = [];
  perCapture.forEach((bins, i) => {
    const vendor = vendors[i];
    for (const b of bins)
      samples.push({
        group: basename(paths[i]!),
        label: labels[i]!,
        ...(vendor !== undefined ? { vendor } : {}),
        packets: b.packets,
        values: b.values,
        services: b.services,
        publicPeers: b.publicPeers,
        publicPeerFlows: b.publicPeerFlows,
        ...(b.publicPeerResumes ? { publicPeerResumes: b.publicPeerResumes } : {}),
        ...(b.publicPeerOneWayBytes ? { publicPeerOneWayBytes: b.publicPeerOneWayBytes } : {}),
        stacks: b.stacks,
        arpClaims: b.arpClaims ?? 0,
        ...(b.foreignSources ? { foreignSources: b.foreignSources } : {}),
        ...(b.beacons ? { beacons: b.beacons } : {}),
        ...(b.heldSessions ? { heldSessions: b.heldSessions } : {}),
        ...(b.lanConnections ? { lanConnections: b.lanConnections } : {}),
        ...(b.acceptedServices ? { acceptedServices: b.acceptedServices } : {}),
      });
  });
  model.fit(samples);
  const threshold = model.state?.threshold;
  if (threshold === undefined) throw new NetworkmlError('behaviour model was not fitted');
  const text = documentToText(
    behaviorModelDocument(model, roleHash, {
      dataset: paths.length === 1 ? basename(paths[0]!) : `${paths.length} captures`,
      date: new Date().toISOString(),
      seed,
      captures: paths.length,
      bins: samples.length,
    }),
  );
  const thin = model.state?.thinTail;
  const summary: BehaviorFitSummary = {
    model: save,
    bins: samples.length,
    false_alarm_rate: model.falseAlarmRate,
    threshold,
    thin_roles: thin
      ? {
          roles: model.state?.thinRoles ?? [],
          windows: thin.cvScores.length,
          min_captures: model.calibrationMinCaptures,
        }
      : null,
    one_type_labels: model.state?.confusableLabels ?? [],
  };
  return { summary, text };
}
