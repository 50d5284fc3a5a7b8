import { basename } from 'node:path';
import { behaviorOf, decide } from '../decisions/decide.js';
import { type CompatFeatures, captureHosts, compatFeatures } from '../features/compat.js';
import { type SessionVectors, sessionVectors } from '../features/session-vectors.js';
import type { V2Result } from '../features/v2.js';
import { DEFAULT_MODEL_PATH, type LoadedModel, loadModel } from '../models/format.js';
import {
  hiddenRepresentation,
  predictBins,
  predictCapture,
  type RoleModel,
  selectedZ,
} from '../models/role-model.js';
import type { BinDetail, CaptureResult, DeviceResult, ValidDeviceResult } from '../outputs/result.js';
import { applyUnknownThreshold } from '../training/v2-recipe.js';
import { type AnalyzeOptions, analyzeCapture, type CaptureAnalysis } from './analyze.js';
import { type AnomalyModelName, type AnomalyOutcome, anomalyScorer, lstmFor } from './anomaly.js';
import { type BehaviorBinScore, loadedBehaviorModel, withOwnHistory } from './behavior-anomaly.js';
import { captureKey } from './capture-key.js';

export type { AnomalyModelName };

/** Seconds after which a device not seen again is worth a look (the original's "look time"). */
export const LOOK_TIME_S = 86_400;

/** What evaluation needs from the device history (SQLite or Redis); see src/decisions. */
export interface HistoryPort {
  /** Time (epoch s) of the device's latest update before `before`, or null. */
  lastUpdate(mac: string, before: number): Promise<number | null>;
  /** Services the device used in its updates before `before` (null: no earlier update with behaviour). */
  pastServices?(mac: string, before: number): Promise<Set<number> | null>;
  record(entry: HistoryEntry, result: CaptureResult): Promise<void>;
}

export interface HistoryEntry {
  mac: string;
  time: number;
  /** Per-bin hidden representations and their times, for the moving average. */
  representations: Float64Array[];
  timestamps: number[];
  labels: string[];
  confidences: number[];
  otherIps: string[];
  modelHash: string;
  /** Behaviour model only: its path and each bin's score and services, to add the device's own history. */
  behavior?: { modelPath: string; bins: BehaviorBinScore[] };
}

export interface EvaluateOptions {
  /** Role model file (default: the bundled NetworkML v0.4.8 one-layer model). */
  modelPath?: string;
  anomaly?: AnomalyModelName;
  /** Path of the anomaly model (default: the bundled SoS LSTM). */
  anomalyModelPath?: string;
  /** `behavior` is abnormal above this (default 0.99; the behaviour model's calibrated threshold for it). */
  threshold?: number;
  /** Capture options; unset ones come from the model (what it was trained with). */
  capture?: AnalyzeOptions;
  history?: HistoryPort;
}

const roleModels = new Map<string, LoadedModel>();

/** Models are loaded and validated once per process and path. */
export function roleModelFor(path = DEFAULT_MODEL_PATH): LoadedModel {
  let loaded = roleModels.get(path);
  if (!loaded) {
    loaded = loadModel(path);
    roleModels.set(path, loaded);
  }
  return loaded;
}

export { lstmFor };

function warningsOf(analysis: CaptureAnalysis): { warnings?: string[] } {
  const { warnings } = analysis.summary;
  return warnings.length ? { warnings: warnings.map((w) => w.message) } : {};
}

/** Labels and probabilities sorted by probability, most likely first; ties keep the model's label order. */
export function rankLabels(labels: readonly string[], probabilities: ArrayLike<number>): [string, number][] {
  return labels.map((label, i) => [label, probabilities[i]!] as [string, number]).sort((a, b) => b[1] - a[1]);
}

export interface Evaluation {
  result: CaptureResult;
  analysis: CaptureAnalysis;
  ranked: [string, number][];
  binProbabilities: Float64Array[];
  anomaly: AnomalyOutcome | null;
  /** What to record in the device history (null for invalid results or when no MAC is known). */
  history: HistoryEntry | null;
  /** The feature rows the role model saw, one per bin (compat or v2, as the model was trained). */
  vectors: Float64Array[];
}

/** Evaluates one capture: roles, abnormality, decisions; records it in the history when one is given. */
export async function evaluateCapture(path: string, options: EvaluateOptions = {}): Promise<CaptureResult> {
  const evaluation = await evaluateCaptureDetailed(path, options);
  if (options.history) await applyHistory(evaluation.result, evaluation.history, options.history);
  return evaluation.result;
}

export async function evaluateCaptureDetailed(
  path: string,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const loaded = roleModelFor(options.modelPath);
  const analysis = await analyzeFor(path, loaded, options);
  const { key, labels } = captureKey(path);
  return evaluateView(path, analysis, wholeCaptureView(key, labels, analysis), loaded, options);
}

function wholeCaptureView(key: string, labels: string | null, analysis: CaptureAnalysis): DeviceView {
  const { compat, sessions, v2 } = analysis;
  if (!v2) return compatView(key, labels, compat, sessions);
  const otherIps = [...new Set(compat.bins.flatMap((b) => b.otherIps))].sort();
  return v2View(key, labels, v2, v2.device, sessions, otherIps);
}

/**
 * Per-host mode: one evaluation per host of a capture that holds several (every unicast MAC speaking
 * from a private address), keyed by MAC; a capture without such hosts gives one invalid result.
 */
export async function evaluateHosts(path: string, options: EvaluateOptions = {}): Promise<Evaluation[]> {
  const loaded = roleModelFor(options.modelPath);
  const analysis = await analyzeFor(path, loaded, options);
  const { store, bins, v2 } = analysis;
  const countPublic = options.capture?.publicSessions ?? false;
  const hosts = captureHosts(store, bins, countPublic);
  const { key, labels } = captureKey(path);
  if (hosts.length === 0)
    return [evaluateView(path, analysis, wholeCaptureView(key, labels, analysis), loaded, options)];
  return hosts.map(({ mac, address }) => {
    const macText = store.macs.text[mac]!;
    const compat = compatFeatures(store, bins, countPublic, mac);
    const sessions = sessionVectors(store, bins, countPublic, address);
    const view = v2
      ? v2View(
          macText,
          labels,
          v2,
          v2.hosts.findIndex((h) => h.key === macText),
          sessions,
          [...new Set(compat.bins.flatMap((b) => b.otherIps))].sort(),
        )
      : compatView(macText, labels, compat, sessions);
    return evaluateView(path, analysis, view, loaded, options);
  });
}

async function analyzeFor(
  path: string,
  loaded: LoadedModel,
  options: EvaluateOptions,
): Promise<CaptureAnalysis> {
  const model = loaded.model;
  return analyzeCapture(path, {
    durationS: model.capture.binDurationS,
    warmupS: model.capture.warmupS,
    features: model.features.semantics,
    ...(anomalyScorer(options, loaded).needsBehavior ? { behavior: true } : {}),
    ...options.capture,
  });
}

/** What one device looks like in a capture: the whole capture's source, or one host of it. */
interface DeviceView {
  key: string;
  pcapLabels: string | null;
  mac: string;
  /** The rows the role model sees, one per non-empty bin, with each bin's time and capture address. */
  vectors: Float64Array[];
  timestamps: number[];
  captureIps: (string | null)[];
  otherIps: string[];
  sessions: SessionVectors;
}

function compatView(
  key: string,
  pcapLabels: string | null,
  compat: CompatFeatures,
  sessions: SessionVectors,
): DeviceView {
  return {
    key,
    pcapLabels,
    mac: compat.captureMac ?? '',
    vectors: compat.bins.map((b) => b.vector),
    timestamps: compat.bins.map((b) => b.timestamp),
    captureIps: compat.bins.map((b) => b.captureIp),
    otherIps: [...new Set(compat.bins.flatMap((b) => b.otherIps))].sort(),
    sessions,
  };
}

/** A v2 model sees one host's v2 bins; addresses and peers still come from the compat sessions. */
function v2View(
  key: string,
  pcapLabels: string | null,
  v2: V2Result,
  host: number,
  sessions: SessionVectors,
  otherIps: string[],
): DeviceView {
  const bins = v2.bins.filter((b) => b.host === host);
  const hostInfo = v2.hosts[host];
  return {
    key,
    pcapLabels,
    mac: hostInfo?.kind === 'mac' ? hostInfo.key : '',
    vectors: bins.map((b) => b.vector),
    timestamps: bins.map((b) => b.start),
    captureIps: bins.map(() => sessions.sourceIp),
    otherIps,
    sessions,
  };
}

function evaluateView(
  path: string,
  analysis: CaptureAnalysis,
  view: DeviceView,
  loaded: LoadedModel,
  options: EvaluateOptions,
): Evaluation {
  const model = loaded.model;
  const { key, pcapLabels, vectors } = view;
  const pcap = path === '-' ? '-' : basename(path);
  const mean = predictCapture(model, vectors);
  if (!mean) {
    const invalid: DeviceResult = { valid: false, pcap };
    return {
      result: { file: path, key, valid: false, data: { [key]: invalid, pcap }, ...warningsOf(analysis) },
      analysis,
      ranked: [],
      binProbabilities: [],
      anomaly: null,
      history: null,
      vectors,
    };
  }
  const ranked = applyUnknownThreshold(model, rankLabels(model.labels, mean));
  const top = ranked.slice(0, 3);
  const binProbabilities = predictBins(model, vectors);

  const scorer = anomalyScorer(options, loaded);
  const anomalyName = scorer.name;
  const anomaly = scorer.score({
    get sessions() {
      return view.sessions;
    },
    vectors,
    role: ranked[0]![0],
    hostKey: view.mac,
    behavior: analysis.behavior,
  });
  const abnormality = anomaly.abnormality;
  const mac = view.mac;
  const timestamp = view.timestamps[0]!;
  const sourceIp = view.sessions.sourceIp ?? view.captureIps.find((ip) => ip) ?? '';

  const device: ValidDeviceResult = {
    // `investigate` for a device seen long ago is added by applyHistory (history lives with the caller).
    decisions: decide({
      topLabel: ranked[0]![0],
      abnormality,
      scored: anomaly.scored,
      threshold: anomaly.threshold,
      timestamp: view.timestamps[0]!,
      previousUpdate: null,
    }),
    classification: { labels: top.map(([l]) => l), confidences: top.map(([, p]) => p) },
    timestamp,
    valid: true,
    source_ip: sourceIp,
    source_mac: mac,
    pcap_labels: pcapLabels,
  };
  const bins: BinDetail[] = view.timestamps.map((t, i) => ({
    timestamp: t,
    capture_ip: view.captureIps[i] ?? '',
    probabilities: [...binProbabilities[i]!],
  }));
  const result: CaptureResult = {
    file: path,
    key,
    valid: true,
    data: { [key]: device, pcap },
    ...warningsOf(analysis),
    detail: {
      labels: [...model.labels],
      probabilities: [...mean],
      bins,
      abnormality,
      ...(!anomaly.scored && anomaly.note ? { abnormality_note: anomaly.note } : {}),
      anomaly_model: anomalyName,
      ...(anomalyName === 'behavior' ? { threshold: anomaly.threshold } : {}),
      ...(anomaly.detail ? { behavior: anomaly.detail } : {}),
      model: loaded.hash,
    },
  };
  const history: HistoryEntry | null = mac
    ? {
        mac,
        time: view.timestamps.at(-1)!,
        // The one-layer model's hidden layer (the original's); a forest's normalised selected features (as SOS
        // sees it): an empty list made the history refuse every forest-model result.
        representations: vectors.map((v) =>
          model.kind === 'onelayer' ? hiddenRepresentation(model, v) : selectedZ(model, v),
        ),
        timestamps: view.timestamps,
        labels: device.classification.labels,
        confidences: device.classification.confidences,
        otherIps: view.otherIps,
        modelHash: loaded.hash,
        ...(anomaly.bins && options.anomalyModelPath
          ? { behavior: { modelPath: options.anomalyModelPath, bins: anomaly.bins } }
          : {}),
      }
    : null;
  return { result, analysis, ranked, binProbabilities, anomaly, history, vectors };
}

/**
 * Completes a result with the device's history: `investigate` when its previous update is more than the
 * look time before this one (REFERENCE.md §7), then records this update.
 */
export async function applyHistory(
  result: CaptureResult,
  entry: HistoryEntry | null,
  history: HistoryPort,
): Promise<void> {
  const device = result.data[result.key];
  if (!entry || !device || typeof device !== 'object' || !device.valid) return;
  const previous = await history.lastUpdate(entry.mac, device.timestamp);
  if (previous !== null && device.timestamp - previous > LOOK_TIME_S) device.decisions.investigate = true;
  const detail = result.detail;
  if (entry.behavior && detail?.behavior && history.pastServices) {
    // Once a device has history, its own past is part of normal: services it never used before add up.
    const past = await history.pastServices(entry.mac, device.timestamp);
    const model = past ? loadedBehaviorModel(entry.behavior.modelPath) : null;
    if (past && model) {
      detail.behavior.own_history = true;
      const own = withOwnHistory(model, entry.behavior.bins, past);
      if (own && own.abnormality > detail.abnormality) {
        detail.abnormality = own.abnormality;
        detail.behavior.reasons = [...own.reasons, ...detail.behavior.reasons].slice(0, 5);
        device.decisions.behavior = behaviorOf(own.abnormality, detail.threshold);
      }
    }
  }
  await history.record(entry, result);
}

export type { RoleModel };
