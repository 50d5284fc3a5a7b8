/**
 * NetworkML v0.6.8's prediction path (what current Poseidon runs), from our reader: capture → per-host
 * footprint (src/features/host-footprint) → the pretrained MLP → top 3 → the original's `predict.json`.
 */
import { basename } from 'node:path';
import { readCapture } from '../capture/reader.js';
import { type CaptureSummary, CorruptCaptureError, type ReadOptions } from '../capture/reader-api.js';
import { errorMessage } from '../errors.js';
import { csvRoundTrip } from '../features/host-footprint/csv-float.js';
import {
  type HostFootprint,
  HostFootprintExtractor,
  type HostSelection,
} from '../features/host-footprint/extractor.js';
import {
  HOST_FOOTPRINT_MODEL_NAME,
  type HostFootprintModel,
  loadHostFootprintModel,
  predictProba,
} from '../models/host-footprint.js';
import type { CaptureErrorDetail } from '../result.js';
import type { CorruptRecord } from './analyze.js';

export type { HostFootprint, HostSelection };

export interface HostFootprintOptions {
  /** 'srcmacid' (the original's default): only the MAC it takes for the capture's device; 'no-srcmacid': every unicast MAC. */
  selection?: HostSelection;
  /** Model name or path (default: the bundled host-footprint-v0.6.8). */
  model?: string;
  /** pandas read-chunk rows of the original (IPv6 rounding; see docs/features-host-footprint.md). */
  csvChunkRows?: number;
  read?: ReadOptions;
  /**
   * A corrupt record after packets: the hosts of the packets before it, with `corrupt` set, rather than the
   * error (AnalyzeOptions.partialOnCorrupt, as the other models' eval, inspect and explain).
   */
  partialOnCorrupt?: boolean;
}

export interface HostFootprintAnalysis {
  source: string;
  summary: CaptureSummary;
  hosts: HostFootprint[];
  /** Why no host came out (where the original would have given no result). */
  note?: string;
  /** HostFootprintOptions.partialOnCorrupt: the capture is corrupt there; the hosts are of the packets before it. */
  corrupt?: CorruptRecord;
}

/** Reads a capture once and computes the footprint of its hosts. */
export async function analyzeHostFootprint(
  source: string | NodeJS.ReadableStream,
  options: HostFootprintOptions = {},
): Promise<HostFootprintAnalysis> {
  const extractor = new HostFootprintExtractor(
    options.csvChunkRows !== undefined ? { csvChunkRows: options.csvChunkRows } : {},
  );
  let summary: CaptureSummary;
  let corrupt: CorruptRecord | null = null;
  try {
    summary = await readCapture(source, (p) => extractor.add(p), options.read);
  } catch (err) {
    if (!(options.partialOnCorrupt && err instanceof CorruptCaptureError)) throw err;
    // Every packet before the corrupt record went to the extractor: its hosts are those packets' hosts.
    summary = err.partial;
    corrupt = { offset: err.partial.bytes, message: errorMessage(err) };
  }
  const { hosts, note } = extractor.finish(options.selection ?? 'srcmacid');
  return {
    source: typeof source === 'string' ? source : '-',
    summary,
    hosts,
    ...(note ? { note } : {}),
    ...(corrupt ? { corrupt } : {}),
  };
}

/** A corrupt capture's error as a result carries it (`capture_error`, as eval's other models): absent when read whole. */
export function hostFootprintCaptureError(analysis: HostFootprintAnalysis): {
  capture_error?: CaptureErrorDetail;
} {
  return analysis.corrupt ? { capture_error: { kind: 'corrupt', ...analysis.corrupt } } : {};
}

export interface HostPrediction {
  host: HostFootprint;
  /** What the scaler saw: the features after the original's CSV write and pandas re-read. */
  modelInput: Float64Array;
  /** Per class, in the model's `classes` order. */
  probabilities: Float64Array;
  /** (label, p) by p descending, ties in class order; `labels` are the shown role names. */
  ranked: { class: string; label: string; p: number }[];
  /** The top class, or 'Unknown' when its probability is ≤ 0.5. */
  topRole: string;
}

export function predictHost(model: HostFootprintModel, host: HostFootprint): HostPrediction {
  const modelInput = host.features.map((v) => csvRoundTrip(v));
  const probabilities = predictProba(model, modelInput);
  const ranked = model.classes
    .map((c, i) => ({ class: c, label: model.labels[i]!, p: probabilities[i]! }))
    .sort((a, b) => b.p - a.p);
  const topRole = ranked[0]!.p > 0.5 ? ranked[0]!.class : 'Unknown';
  return { host, modelInput, probabilities, ranked, topRole };
}

/** One host's entry of predict.json's `data.mac_addresses`, with the original's keys in its order. */
export interface PredictDevice {
  uid: string;
  file_path: string;
  pcap: string;
  pcap_key: string | null;
  pcap_labels: string | null;
  timestamp: number;
  source_ip: string | null;
  decisions: { investigate: boolean };
  classification: { labels: string[]; confidences: number[] };
}

/** The original's predict.json. */
export interface PredictJson {
  tool: 'networkml';
  data: { mac_addresses: Record<string, PredictDevice> };
}

/**
 * NetworkML v0.6.8's pcap_key / pcap_labels: `trace_<hex>_<date>-(client|server)-<labels>.pcap` → (hex,
 * labels), `trace_<hex>_….pcap` → (hex, null), other `trace_…` names → (null, null), else (the name up to its
 * first '.', null).
 */
export function pcapKeyV068(pcap: string): { key: string | null; labels: string | null } {
  const full = /^trace_([0-9a-f]+)_([0-9_-]+)-(?:client|server)-(.+)\.pcap$/.exec(pcap);
  if (full) return { key: full[1]!, labels: full[3]! };
  const plain = /^trace_([0-9a-f]+)_.*\.pcap$/.exec(pcap);
  if (plain) return { key: plain[1]!, labels: null };
  if (pcap.startsWith('trace_')) return { key: null, labels: null };
  return { key: pcap.split('.')[0]!, labels: null };
}

export interface PredictJsonOptions extends HostFootprintOptions {
  /** The job id (Poseidon's env `id`); the original wrote the string "None" without one. */
  uid?: string | null;
  /** The path reported as file_path (Poseidon's env `file_path`); default: the capture path as given. */
  filePath?: string;
}

/** predict.json from predictions already made (see hostFootprintPredict). */
export function predictJsonOf(
  predictions: HostPrediction[],
  capturePath: string,
  options: Pick<PredictJsonOptions, 'uid' | 'filePath'> = {},
): PredictJson {
  const filePath = options.filePath ?? capturePath;
  const pcap = basename(filePath);
  const { key, labels } = pcapKeyV068(pcap);
  const macAddresses: Record<string, PredictDevice> = {};
  for (const p of predictions) {
    const top = p.ranked.slice(0, 3);
    macAddresses[p.host.mac] = {
      uid: options.uid ?? 'None',
      file_path: filePath,
      pcap,
      pcap_key: key,
      pcap_labels: labels,
      timestamp: p.host.timestamp,
      source_ip: p.host.sourceIp,
      decisions: { investigate: p.topRole === 'Unknown' },
      classification: { labels: top.map((r) => r.label), confidences: top.map((r) => r.p) },
    };
  }
  return { tool: 'networkml', data: { mac_addresses: macAddresses } };
}

/**
 * The content of the original's `predict.json` for one capture: `networkml [--no-srcmacid] -o DIR FILE`
 * of NetworkML v0.6.8–v0.6.10, per host, computed from our reader (no tshark). Throws a one-line
 * NetworkmlError for an unreadable capture or a bad model. A capture without a usable host (no Ethernet
 * frames, or srcmacid picking a non-unicast MAC — the original then wrote nothing) gives no MAC addresses.
 */
export async function hostFootprintPredict(
  path: string,
  options: PredictJsonOptions = {},
): Promise<PredictJson & { warnings: string[]; capture_error?: CaptureErrorDetail }> {
  const model = loadHostFootprintModel(options.model ?? HOST_FOOTPRINT_MODEL_NAME);
  const analysis = await analyzeHostFootprint(path, options);
  const predict = predictJsonOf(
    analysis.hosts.map((h) => predictHost(model, h)),
    path,
    options,
  );
  // Beside predict.json, not in it: the reader's warnings are for the log, not Poseidon; so is a corrupt
  // capture's error (options.partialOnCorrupt), which the caller marks its message with.
  return {
    ...predict,
    warnings: analysis.summary.warnings.map((w) => w.message),
    ...hostFootprintCaptureError(analysis),
  };
}

/** What `networkml eval --model host-footprint-v0.6.8 --json` prints per capture (one JSON line). */
export interface HostFootprintEvalResult {
  /** The capture's path as given. */
  file: string;
  /** At least one host was classified. */
  valid: boolean;
  /** The original's predict.json body: per MAC, uid … classification. */
  tool: 'networkml';
  data: PredictJson['data'];
  /** Why no host came out (the original gave no result then). */
  note?: string;
  warnings?: string[];
  /** The capture is corrupt at a record: these hosts are of the packets before it (as eval's other models). */
  capture_error?: CaptureErrorDetail;
  /** Ours: every class's probability per host, the model's top role (or Unknown), all source addresses. */
  detail: {
    model: string;
    selection: HostSelection;
    classes: string[];
    labels: string[];
    hosts: Record<string, { probabilities: number[]; top_role: string; srcips: string[] }>;
  };
}

export async function evaluateHostFootprint(
  path: string,
  options: PredictJsonOptions = {},
): Promise<HostFootprintEvalResult> {
  const model = loadHostFootprintModel(options.model ?? HOST_FOOTPRINT_MODEL_NAME);
  const selection = options.selection ?? 'srcmacid';
  const analysis = await analyzeHostFootprint(path, { ...options, selection });
  const predictions = analysis.hosts.map((h) => predictHost(model, h));
  const predict = predictJsonOf(predictions, path, options);
  const warnings = analysis.summary.warnings.map((w) => w.message);
  return {
    file: path,
    valid: predictions.length > 0,
    tool: 'networkml',
    data: predict.data,
    ...(analysis.note ? { note: analysis.note } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...hostFootprintCaptureError(analysis),
    detail: {
      model: model.hash,
      selection,
      classes: model.classes,
      labels: model.labels,
      hosts: Object.fromEntries(
        predictions.map((p) => [
          p.host.mac,
          { probabilities: [...p.probabilities], top_role: p.topRole, srcips: p.host.srcips },
        ]),
      ),
    },
  };
}
