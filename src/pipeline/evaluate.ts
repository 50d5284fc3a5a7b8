import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { errorMessage, ModelError, UsageError } from '../errors.js';
import { type CompatFeatures, captureHosts, compatFeatures } from '../features/compat.js';
import { type SessionVectors, sessionVectors } from '../features/session-vectors.js';
import type { V2Result } from '../features/v2.js';
import {
  DEFAULT_MODEL_PATH,
  DEFAULT_SOS_MODEL_PATH,
  type LoadedModel,
  loadModel,
  loadModelDocument,
} from '../models/format.js';
import { type LstmScore, SessionSequenceLstm } from '../models/lstm.js';
import { hiddenRepresentation, predictBins, predictCapture, type RoleModel } from '../models/role-model.js';
import type { BinDetail, CaptureResult, DeviceResult, ValidDeviceResult } from '../outputs/result.js';
import { applyUnknownThreshold, siblingsOf } from '../training/v2-recipe.js';
import { type AnalyzeOptions, analyzeCapture, type CaptureAnalysis } from './analyze.js';
import { captureKey } from './capture-key.js';
import { deviceRepresentation, type LoadedSos, loadSosModel } from './sos-anomaly.js';

export type AnomalyModelName = 'lstm' | 'sos' | 'none';

/** Seconds after which a device not seen again is worth a look (the original's "look time"). */
export const LOOK_TIME_S = 86_400;

/** What evaluation needs from the device history (SQLite or Redis); see src/decisions. */
export interface HistoryPort {
  /** Time (epoch s) of the device's latest update before `before`, or null. */
  lastUpdate(mac: string, before: number): Promise<number | null>;
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
}

export interface EvaluateOptions {
  /** Role model file (default: the bundled NetworkML v0.4.8 one-layer model). */
  modelPath?: string;
  anomaly?: AnomalyModelName;
  /** Path of the SoS LSTM model (default: bundled). */
  anomalyModelPath?: string;
  /** `behavior` is abnormal above this (default 0.99). */
  threshold?: number;
  /** Capture options; unset ones come from the model (what it was trained with). */
  capture?: AnalyzeOptions;
  history?: HistoryPort;
}

const roleModels = new Map<string, LoadedModel>();
const lstmModels = new Map<string, SessionSequenceLstm>();

/** Models are loaded and validated once per process and path. */
export function roleModelFor(path = DEFAULT_MODEL_PATH): LoadedModel {
  let loaded = roleModels.get(path);
  if (!loaded) {
    loaded = loadModel(path);
    roleModels.set(path, loaded);
  }
  return loaded;
}

/**
 * The session-sequence LSTM. Files in our format are checksum-verified like every model of ours (a flipped
 * weight would still be a finite number); the original's converted export is read as published.
 */
export function lstmFor(path = DEFAULT_SOS_MODEL_PATH): SessionSequenceLstm {
  let model = lstmModels.get(path);
  if (!model) {
    model = isOurFormat(path)
      ? fromDocument(path, loadModelDocument(path, 'sos-lstm').doc)
      : SessionSequenceLstm.load(path);
    lstmModels.set(path, model);
  }
  return model;
}

function isOurFormat(path: string): boolean {
  try {
    return /"format"\s*:\s*"networkml-model"/.test(readFileSync(path, 'utf8').slice(0, 4096));
  } catch {
    return false; // SessionSequenceLstm.load reports the unreadable file
  }
}

function fromDocument(path: string, doc: unknown): SessionSequenceLstm {
  try {
    return SessionSequenceLstm.fromJSON(doc);
  } catch (err) {
    throw new ModelError(`${path}: ${errorMessage(err)}`);
  }
}

const sosModels = new Map<string, LoadedSos>();

function warningsOf(analysis: CaptureAnalysis): { warnings?: string[] } {
  const { warnings } = analysis.summary;
  return warnings.length ? { warnings: warnings.map((w) => w.message) } : {};
}

/** The device's outlier probability among the reference devices of its predicted role. */
function sosScore(
  loaded: LoadedModel,
  options: EvaluateOptions,
  vectors: Float64Array[],
  role: string,
): LstmScore {
  const path = options.anomalyModelPath;
  if (!path)
    throw new UsageError(
      '--anomaly sos needs --anomaly-model FILE (made by `networkml train --algorithm sos`)',
    );
  let model = sosModels.get(path);
  if (!model) {
    model = loadSosModel(path, loaded);
    sosModels.set(path, model);
  }
  const representation = deviceRepresentation(loaded.model, vectors)!;
  const [score] = model.sos.score([representation], [role]);
  const abnormality = score!.probability;
  return {
    abnormality,
    behavior: abnormality > (options.threshold ?? 0.99) ? 'abnormal' : 'normal',
    sequences: 0,
    scored: score!.scored,
    ...(score!.note ? { note: score!.note } : {}),
  };
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
  anomaly: LstmScore | null;
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
      result: {
        file: path,
        key,
        valid: false,
        data: { [key]: invalid, pcap },
        reason: noSessionsReason(analysis),
        ...warningsOf(analysis),
      },
      analysis,
      ranked: [],
      binProbabilities: [],
      anomaly: null,
      history: null,
      vectors,
    };
  }
  const ranked = applyUnknownThreshold(model, rankLabels(model.labels, mean));
  // An Unknown verdict already says "none of these"; siblings qualify a role the model does report.
  const siblings = ranked[0]![0] === 'Unknown' ? null : siblingsOf(model, mean);
  const top = ranked.slice(0, 3);
  const binProbabilities = predictBins(model, vectors);

  const anomalyName = options.anomaly ?? 'lstm';
  let anomaly: LstmScore | null = null;
  if (anomalyName === 'lstm') {
    // The scorer's own behaviour uses its default threshold; ours is decided below from `threshold`.
    anomaly = lstmFor(options.anomalyModelPath).score(view.sessions.rows, ranked[0]![0]);
  } else if (anomalyName === 'sos') {
    anomaly = sosScore(loaded, options, vectors, ranked[0]![0]);
  }
  const threshold = options.threshold ?? 0.99;
  const abnormality = anomaly?.abnormality ?? 0;
  const mac = view.mac;
  const timestamp = view.timestamps[0]!;
  const sourceIp = view.sessions.sourceIp ?? view.captureIps.find((ip) => ip) ?? '';

  const device: ValidDeviceResult = {
    // `investigate` for a device seen long ago is added by applyHistory (history lives with the caller).
    decisions: {
      behavior: abnormality > threshold ? 'abnormal' : 'normal',
      investigate: ranked[0]![0] === 'Unknown',
    },
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
      ...(anomaly && !anomaly.scored && anomaly.note ? { abnormality_note: anomaly.note } : {}),
      anomaly_model: anomalyName,
      model: loaded.hash,
      ...(siblings ? { siblings } : {}),
    },
  };
  const history: HistoryEntry | null = mac
    ? {
        mac,
        time: view.timestamps.at(-1)!,
        representations: model.kind === 'onelayer' ? vectors.map((v) => hiddenRepresentation(model, v)) : [],
        timestamps: view.timestamps,
        labels: device.classification.labels,
        confidences: device.classification.confidences,
        otherIps: view.otherIps,
        modelHash: loaded.hash,
      }
    : null;
  return { result, analysis, ranked, binProbabilities, anomaly, history, vectors };
}

/**
 * Why a capture has nothing to classify. The usual case for compat models: every session starts inside
 * the warm-up (120 s, as the original), so a short capture yields no bin at all; the original dropped
 * such captures silently, we say so.
 */
export function noSessionsReason(analysis: CaptureAnalysis): string {
  const { packets, firstTimeNs, lastTimeNs } = analysis.summary;
  const warmup = analysis.options.warmupS;
  if (packets === 0) return 'no sessions: the capture holds no packets';
  const span = firstTimeNs !== null && lastTimeNs !== null ? (lastTimeNs - firstTimeNs) / 1e9 : 0;
  if (warmup > 0)
    return `no sessions after the ${warmup} s warm-up (the capture spans ${span.toFixed(1)} s); --warmup 0 keeps its early sessions`;
  return `no sessions: none of its ${packets} packets forms an IP session of one device`;
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
  await history.record(entry, result);
}

export type { RoleModel };
