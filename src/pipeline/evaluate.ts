import { createReadStream, createWriteStream, mkdtempSync, rmSync, type Stats, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { captureSpanSeconds } from '../capture/info.js';
import { framesStartWithMacs } from '../capture/packet.js';
import { openSource } from '../capture/source.js';
import { behaviorOf, decide } from '../decisions/decide.js';
import type { DeviceUpdate } from '../decisions/history.js';
import { NetworkmlError } from '../errors.js';
import {
  COMPAT_FEATURE_COUNT,
  type CompatFeatures,
  captureHostAddresses,
  captureHosts,
  compatFeatures,
} from '../features/compat.js';
import { type SessionVectors, sessionVectors } from '../features/session-vectors.js';
import { V2_FEATURE_COUNT, v2FeatureVersion } from '../features/v2/names.js';
import type { V2Result } from '../features/v2/result.js';
import { collectGarbage, GarbagePacer } from '../gc.js';
import { lazyArray } from '../lazy-array.js';
import type { LoadedModel } from '../models/format.js';
import { mlpHidden } from '../models/mlp.js';
import {
  applyUnknownThreshold,
  captureNoveltyOf,
  type OneLayerRoleModel,
  predictRows,
  type RoleModel,
  type RowPredictions,
  type SparseRowSource,
  StreamedOneLayerPredictions,
  selectedZRows,
  siblingsOf,
} from '../models/role-model.js';
import { noSessionsReason } from '../outputs/no-sessions.js';
import type {
  BehaviorDetail,
  BinDetail,
  CaptureErrorDetail,
  CaptureResult,
  DeviceResult,
  ValidDeviceResult,
} from '../result.js';
import type { PacketStore } from '../sessions/packet-store.js';
import {
  type AnalyzeOptions,
  analyzeCapture,
  analyzeHosts,
  analyzeWholeCapture,
  type CaptureAnalysis,
} from './analyze.js';
import {
  type AnomalyModelName,
  type AnomalyOutcome,
  anomalyScorer,
  type BehaviorWindowTypes,
} from './anomaly.js';
import {
  type BehaviorWindowScore,
  loadedBehaviorModel,
  windowsHistoryMayDecide,
  withOwnHistory,
} from './behavior-anomaly.js';
import { captureKey } from './capture-key.js';
import { roleModelFor } from './model-registry.js';

/** The heap in use from which the anomaly stage starts with a collection (collectGarbage). */
const BEFORE_ANOMALY_GC_BYTES = 20 * 1024 * 1024;

export type { AnomalyModelName };

/** Seconds after which a device not seen again is worth a look (the original's "look time"). */
export const LOOK_TIME_S = 86_400;

/** What evaluation needs from the device history (SQLite or Redis); see src/decisions. */
export interface HistoryPort {
  /** Time (epoch s) of the device's latest update before `before`, or null. */
  lastUpdate(mac: string, before: number): Promise<number | null>;
  /** Services the device used in its updates before `before` (null: no earlier update with behaviour). */
  pastServices?(mac: string, before: number): Promise<Set<number> | null>;
  record(update: DeviceUpdate, result: CaptureResult): Promise<void>;
}

/** What evaluation hands the history: the device update, plus the behaviour model's bins when it scored. */
export interface ScoredUpdate extends DeviceUpdate {
  /**
   * Behaviour model only: its path and each bin's score and services, to add the device's own history;
   * `calibratedOn`: the role whose own calibration scored it (null: the population's); `types`: each window's
   * `detail.types` fields, with the one-type term (from a worker, only those of windows history may make deciding).
   */
  behavior?: {
    modelPath: string;
    bins: BehaviorWindowScore[];
    calibratedOn: string | null;
    types?: BehaviorWindowTypes[];
  };
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
  /** The LSTM's second scoring thread: false for `--threads 1` (default 'auto'). */
  lstmThread?: boolean | 'auto';
}

/** A capture's reader warnings as a result (or a training job) carries them: absent when there are none. */
export function warningsOf(analysis: CaptureAnalysis): { warnings?: string[] } {
  const { warnings } = analysis.summary;
  return warnings.length ? { warnings: warnings.map((w) => w.message) } : {};
}

/**
 * A corrupt capture's error as its result carries it (AnalyzeOptions.partialOnCorrupt: the result is of the
 * packets before the corrupt record): absent when the capture was read to its end.
 */
export function captureErrorOf(analysis: CaptureAnalysis): { capture_error?: CaptureErrorDetail } {
  const corrupt = analysis.corrupt;
  return corrupt ? { capture_error: { kind: 'corrupt', ...corrupt } } : {};
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
  history: ScoredUpdate | null;
  /** The feature rows the role model saw, one per bin (compat or v2, as the model was trained). */
  vectors: Float64Array[];
}

/** Evaluates one capture: roles, abnormality, decisions; records it in the history when one is given. */
export async function evaluateCapture(path: string, options: EvaluateOptions = {}): Promise<CaptureResult> {
  const evaluation = await evaluateCaptureDetailed(path, options);
  if (options.history) await applyHistory(evaluation.result, evaluation.history, options.history);
  return evaluation.result;
}

/**
 * evaluateCapture for a service that publishes what it evaluated: a device history that fails (a NetworkmlError:
 * Redis down) costs what it adds, not the evaluation. The result comes back with the history's error, for the
 * caller to publish without it (the one-shot mode) or to retry the job first (the worker).
 */
export async function evaluateCaptureKeepingResult(
  path: string,
  options: EvaluateOptions,
  history: HistoryPort | null,
): Promise<{ result: CaptureResult; historyError: NetworkmlError | null }> {
  const evaluation = await evaluateCaptureDetailed(path, options);
  if (!history) return { result: evaluation.result, historyError: null };
  try {
    await applyHistory(evaluation.result, evaluation.history, history);
  } catch (err) {
    if (!(err instanceof NetworkmlError)) throw err;
    return { result: evaluation.result, historyError: err };
  }
  return { result: evaluation.result, historyError: null };
}

export async function evaluateCaptureDetailed(
  path: string,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const loaded = roleModelFor(options.modelPath);
  const analysis = await analyzeFor(path, loaded, options);
  // The v2 and behaviour results' finishing leaves garbage (~10 MiB on the ~11 GB stream) that the view
  // and the predictions would otherwise grow the heap past: the end phase's peak (bench/README.md).
  collectGarbage();
  const { key, labels } = captureKey(path);
  const view = wholeCaptureView(key, labels, analysis, loaded);
  // Made while reading, of the very bins the compat view holds.
  const made = analysis.v2 ? undefined : analysis.rolePredictions;
  return evaluateView(path, analysis, view, loaded, options, { made });
}

/**
 * The v2 vector width a model reads: its own feature-set version's (a model trained before the per-port
 * block gets the vector without it, so it answers as before), else the current one (predictRows then
 * says the widths differ).
 */
function v2WidthFor(loaded: LoadedModel): number {
  const n = loaded.model.features.count;
  return v2FeatureVersion(n) === null ? V2_FEATURE_COUNT : n;
}

function wholeCaptureView(
  key: string,
  labels: string | null,
  analysis: CaptureAnalysis,
  loaded: LoadedModel,
): DeviceView {
  const { compat, sessions, v2 } = analysis;
  if (!v2) return compatView(key, labels, compat, sessions, deviceMacOf(analysis));
  const otherIps = [...new Set(compat.bins.flatMap((b) => b.otherIps))].sort();
  return v2View(key, labels, v2, v2.device, sessions, otherIps, v2WidthFor(loaded));
}

/** A host's evaluation as per-host mode returns it: the result, and its history entry detached from the capture. */
export type HostEvaluation = Pick<Evaluation, 'result' | 'history'>;

/**
 * Hosts whose own traffic one read keeps at once (per-host mode). Each host has its own packet store and
 * feature extractors, sized for a busy capture (~0.5 MiB; ~1.5 MiB with the v2 and behaviour extractors):
 * a LAN capture of 1.4 MB can name 10,000 hosts, which all at once took 5 GiB (22 GiB and minutes of garbage
 * collection with a v2 model). A capture with more hosts is read once per group of them.
 */
export const HOSTS_PER_READ = 32;

/**
 * Per-host mode: one evaluation per host of a capture that holds several (every unicast MAC speaking
 * from a private address), keyed by MAC; where frames do not begin with MACs (raw IP, loopback, Linux cooked),
 * every private address speaking, keyed by address. A capture without such hosts gives one invalid result. Each
 * host is evaluated on its own traffic (what `tcpdump 'ether host MAC'` or `'host ADDR'` keeps), with bins and
 * warm-up from its own first packet, so its answer is the one its own capture would get.
 */
export async function evaluateHosts(
  path: string,
  options: EvaluateOptions = {},
  /** Hosts per read (tests: any grouping gives the same evaluations). */
  hostsPerRead = HOSTS_PER_READ,
): Promise<HostEvaluation[]> {
  const loaded = roleModelFor(options.modelPath);
  // The capture is read twice (hosts first, then each host's traffic): a stream is kept in a file first.
  const spooled = await spoolIfStream(path);
  try {
    const file = spooled?.path ?? path;
    // Messages name what the user gave ('-', the pipe), not the temporary file.
    if (spooled)
      options = {
        ...options,
        capture: { ...options.capture, read: { ...options.capture?.read, name: path } },
      };
    const countPublic = options.capture?.publicSessions ?? false;
    const { key, labels } = captureKey(path);
    const found = await hostsOfCapture(file, loaded, options, countPublic);
    if ('analysis' in found) {
      const { analysis } = found;
      const e = evaluateView(
        path,
        analysis,
        wholeCaptureView(key, labels, analysis, loaded),
        loaded,
        options,
      );
      return [{ result: e.result, history: e.history }];
    }
    const evaluations: HostEvaluation[] = [];
    const pacer = new GarbagePacer(BEFORE_ANOMALY_GC_BYTES);
    for (let first = 0; first < found.hosts.length; first += hostsPerRead) {
      // Where frames begin with MACs a host is its MAC, else its address (shown without a MAC, as eval shows it).
      const hosts: { key: string; mac: string; address: string | null }[] = found.byAddress
        ? found.hosts
            .slice(first, first + hostsPerRead)
            .map(({ address }) => ({ key: address, mac: '', address }))
        : found.hosts
            .slice(first, first + hostsPerRead)
            .map(({ mac, address }) => ({ key: mac, mac, address }));
      const own = await analyzeHosts(
        file,
        found.byAddress ? { addresses: hosts.map((h) => h.key) } : { macs: hosts.map((h) => h.key) },
        analyzeOptionsFor(loaded, options),
      );
      for (const [i, { key: hostKey, mac, address }] of hosts.entries()) {
        const host = own[i]!;
        if (spooled) host.source = path;
        // By address, the compat capture source is inferred from the host's own traffic, as eval of it would.
        const macId = mac === '' ? -1 : host.store.macs.find(mac);
        const compat = compatFeatures(host.store, host.bins, countPublic, macId);
        // The host's address as found in the whole capture, in the host's own address table.
        const ownAddress = address === null ? -1 : host.store.addresses.text.indexOf(address);
        const sessions = sessionVectors(host.store, host.bins, countPublic, ownAddress);
        const otherIps = [...new Set(compat.bins.flatMap((b) => b.otherIps))].sort();
        const view = host.v2
          ? v2View(
              hostKey,
              labels,
              host.v2,
              v2HostOf(host.v2, mac, address),
              sessions,
              otherIps,
              v2WidthFor(loaded),
            )
          : {
              ...compatView(hostKey, labels, compat, sessions, mac),
              ...(mac === '' ? { deviceIp: address } : {}),
            };
        const e = evaluateView(path, host, { ...view, ownPackets: host.store }, loaded, options, {
          collect: () => pacer.collect(),
        });
        evaluations.push({ result: e.result, history: e.history && detachedHistory(e.history) });
      }
    }
    return evaluations;
  } finally {
    spooled?.remove();
  }
}

/**
 * A per-host mode host's place among its own read's v2 hosts: by its MAC, or (mac '') by its address where
 * v2 keys hosts by address (raw IP), else the device v2 chooses in the host's own traffic, as eval of it would.
 */
function v2HostOf(v2: V2Result, mac: string, address: string | null): number {
  if (mac !== '') return v2.hosts.findIndex((h) => h.key === mac);
  const i = v2.hosts.findIndex((h) => h.kind === 'ip' && h.key === address);
  return i >= 0 ? i : v2.device;
}

/**
 * A history entry that no longer reaches into its capture's analysis, to keep past it (per-host mode lets each
 * group's packets go) or to send to another thread (a pool worker's answer): the representations (made from the
 * bins' feature rows when read) and the behaviour windows are made now, the same values as made later; of the
 * windows' `types`, only those of windows the device's history could make the deciding one (applyOwnHistory
 * reads no other; each is scored again when made: a long capture has ~17,000).
 */
export function detachedHistory(h: ScoredUpdate): ScoredUpdate {
  const representations = Array.from(h.representations);
  if (!h.behavior) return { ...h, representations };
  const { types, ...rest } = h.behavior;
  const bins = Array.from(rest.bins);
  const model = loadedBehaviorModel(rest.modelPath);
  if (!types || !model) return { ...h, representations, behavior: { ...rest, bins } };
  const deciding: BehaviorWindowTypes[] = [];
  for (const i of windowsHistoryMayDecide(model, bins)) deciding[i] = types[i]!;
  return { ...h, representations, behavior: { ...rest, bins, types: deciding } };
}

/**
 * The hosts of a capture by MAC and address text (captureHosts), or by address alone where frames do not
 * begin with MACs (captureHostAddresses: their "MACs" are header bytes); the capture's analysis only when it
 * has none (it is then evaluated as one device). Finding them needs every host's sessions at once, so the capture is
 * stored whole, but without the per-packet features (v2, behaviour): with hosts found they would be thrown
 * away, as each host's own traffic is read again; without, a model that needs them reads the capture once more,
 * as eval would. The packets are not kept past this call otherwise: holding both was the per-host mode's peak.
 */
async function hostsOfCapture(
  file: string,
  loaded: LoadedModel,
  options: EvaluateOptions,
  countPublic: boolean,
): Promise<
  | { hosts: []; analysis: CaptureAnalysis }
  | { byAddress: false; hosts: { mac: string; address: string | null }[] }
  | { byAddress: true; hosts: { address: string }[] }
> {
  const analyzeOptions = analyzeOptionsFor(loaded, options);
  const extracting = analyzeOptions.features === 'v2' || analyzeOptions.behavior === true;
  const analysis = await analyzeWholeCapture(file, {
    ...analyzeOptions,
    features: 'compat',
    behavior: false,
  });
  const { store, bins } = analysis;
  if (!framesStartWithMacs(analysis.summary.linkTypes)) {
    const hosts = captureHostAddresses(store, bins, countPublic).map((h) => ({
      address: store.addresses.text[h.address]!,
    }));
    if (hosts.length > 0) return { byAddress: true, hosts };
  } else {
    const hosts = captureHosts(store, bins, countPublic).map((h) => ({
      mac: store.macs.text(h.mac),
      address: h.address < 0 ? null : store.addresses.text[h.address]!,
    }));
    if (hosts.length > 0) return { byAddress: false, hosts };
  }
  return { hosts: [], analysis: extracting ? await analyzeCapture(file, analyzeOptions) : analysis };
}

function analyzeFor(path: string, loaded: LoadedModel, options: EvaluateOptions): Promise<CaptureAnalysis> {
  return analyzeCapture(path, analyzeOptionsFor(loaded, options));
}

/** The capture options a model was trained with, overridden by the caller's. */
function analyzeOptionsFor(loaded: LoadedModel, options: EvaluateOptions): AnalyzeOptions {
  const model = loaded.model;
  const scorer = anomalyScorer(options, loaded);
  const rolePredictions = StreamedOneLayerPredictions.for(model);
  const analyzeOptions: AnalyzeOptions = {
    durationS: model.capture.binDurationS,
    warmupS: model.capture.warmupS,
    features: model.features.semantics,
    sessionRows: scorer.name === 'lstm',
    ...(rolePredictions ? { rolePredictions } : {}),
    ...(scorer.whileReading ? { whileReading: scorer.whileReading() } : {}),
    ...(scorer.needsBehavior
      ? { behavior: true, ...(scorer.behaviorWindowS ? { behaviorWindowS: scorer.behaviorWindowS } : {}) }
      : {}),
    ...options.capture,
  };
  return analyzeOptions;
}

/**
 * Standard input or a pipe cannot be read twice: its bytes go to a temporary file first. Null for a
 * regular file (or a missing one, which the reader reports in its own words).
 */
async function spoolIfStream(path: string): Promise<{ path: string; remove(): void } | null> {
  const stat = path === '-' ? null : statOrNull(path);
  if (path !== '-' && (!stat || stat.isFile())) return null;
  const dir = mkdtempSync(join(tmpdir(), 'networkml-per-host-'));
  const file = join(dir, 'capture');
  await pipeline(path === '-' ? openSource('-') : createReadStream(path), createWriteStream(file));
  return { path: file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * The role model's rows as an array whose element i is built when read (and not kept): the models read
 * rows one at a time, and a long capture has thousands of bins of 4,104 values each.
 */
function lazyRows(length: number, row: (i: number) => Float64Array): Float64Array[] {
  return lazyArray(length, row);
}

/**
 * The one-layer model's hidden representation of each row, computed when read (the history reads each once),
 * for a capture longer than the predictions keep them for (HIDDEN_ROWS_KEPT bins): kept for every bin, they
 * were 32 values per bin, the largest per-bin cost of a long capture.
 */
function hiddenRows(model: OneLayerRoleModel, view: DeviceView): Float64Array[] {
  // hiddenRepresentation's steps through one reused standardised row: a fresh one per read was ~20 MiB of
  // short-lived buffers at the history write of the ~11 GB stream.
  const zOf = selectedZRows(model, view.writeRow, view.readNonZeros, new Float64Array(model.selected.length));
  return lazyRows(view.vectors.length, (i) => mlpHidden(model.mlp, zOf(i)));
}

/** What one device looks like in a capture: the whole capture's source, or one host of it. */
interface DeviceView {
  key: string;
  pcapLabels: string | null;
  mac: string;
  /** The rows the role model sees, one per non-empty bin, with each bin's time and capture address. */
  vectors: Float64Array[];
  /** Row i written into `out` (vectors[i] without a fresh array), and the rows' length. */
  writeRow: (i: number, out: Float64Array) => void;
  /** Row i's non-zero values, where the rows are kept sparse (compat bins). */
  readNonZeros?: SparseRowSource;
  width: number;
  timestamps: number[];
  captureIps: (string | null)[];
  /** The device's address where it is not the capture's (a v2 device, chosen by its MAC). */
  deviceIp?: string | null;
  otherIps: string[];
  sessions: SessionVectors;
  /** Per-host mode: the host's own packets, for its no-sessions reason (not the whole capture's). */
  ownPackets?: PacketStore;
}

/**
 * The compat capture source's MAC as the device's address ('' when none): only where frames begin with MACs
 * (framesStartWithMacs). Elsewhere it is header bytes, and a device keyed by them would get a history under a
 * made-up address that changes with the warm-up; such a device is shown without one, like a v2 device without a MAC.
 */
function deviceMacOf(analysis: Pick<CaptureAnalysis, 'compat' | 'summary'>): string {
  const mac = analysis.compat.captureMac;
  return mac !== null && framesStartWithMacs(analysis.summary.linkTypes) ? mac : '';
}

function compatView(
  key: string,
  pcapLabels: string | null,
  compat: CompatFeatures,
  sessions: SessionVectors,
  mac: string,
): DeviceView {
  // One pass over the bins: a long capture's bins are packed, and each read makes a view of one.
  const timestamps: number[] = [];
  const captureIps: (string | null)[] = [];
  const otherIps = new Set<string>();
  for (const bin of compat.bins) {
    timestamps.push(bin.timestamp);
    captureIps.push(bin.captureIp);
    for (const ip of bin.otherIps) otherIps.add(ip);
  }
  return {
    key,
    pcapLabels,
    mac,
    vectors: lazyRows(compat.bins.length, (i) => compat.bins[i]!.vector),
    writeRow: (i, out) => compat.bins[i]!.writeVector(out),
    readNonZeros: compat.readNonZeros,
    width: COMPAT_FEATURE_COUNT,
    timestamps,
    captureIps,
    otherIps: [...otherIps].sort(),
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
  width: number,
): DeviceView {
  const bins = v2.bins.filter((b) => b.host === host);
  const hostInfo = v2.hosts[host];
  const mac = hostInfo?.kind === 'mac' ? hostInfo.key : '';
  // The device's own address, not the capture's: the compat rule can pick a busier host or a broadcast.
  const ip = (hostInfo?.kind === 'ip' ? hostInfo.key : sessions.addressOf?.(mac)) ?? sessions.sourceIp;
  return {
    key,
    pcapLabels,
    mac,
    vectors: lazyRows(bins.length, (i) => {
      const v = new Float64Array(width);
      bins[i]!.writeVector(v);
      return v;
    }),
    writeRow: (i, out) => bins[i]!.writeVector(out),
    width,
    timestamps: bins.map((b) => b.start),
    captureIps: bins.map(() => ip),
    deviceIp: ip,
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
  how: {
    /** The view's rows' predictions when already made (while the capture was read). */
    made?: RowPredictions | undefined;
    /**
     * Collects the garbage of the read before the anomaly model (default: when the heap holds 20 MiB).
     * Per-host mode paces its collections (GarbagePacer): one per host made 10,000 hosts take minutes.
     */
    collect?: () => void;
  } = {},
): Evaluation {
  const { made } = how;
  const model = loaded.model;
  const { key, pcapLabels, vectors } = view;
  const pcap = path === '-' ? '-' : basename(path);
  // Every row is read once here, through one buffer (see predictRows), unless read as the capture was.
  const predictions =
    made && made.bins.length === vectors.length
      ? made
      : predictRows(model, vectors.length, view.width, view.writeRow, view.readNonZeros);
  const mean = predictions.mean;
  if (!mean) {
    const invalid: DeviceResult = { valid: false, pcap };
    return {
      result: {
        file: path,
        key,
        valid: false,
        data: { [key]: invalid, pcap },
        reason: view.ownPackets
          ? hostNoSessionsReason(analysis, view.ownPackets)
          : noSessionsReason(analysis),
        ...warningsOf(analysis),
        ...captureErrorOf(analysis),
      },
      analysis,
      ranked: [],
      binProbabilities: [],
      anomaly: null,
      history: null,
      vectors,
    };
  }
  const novelty = captureNoveltyOf(model, vectors, predictions.meanFeatures);
  const ranked = applyUnknownThreshold(model, rankLabels(model.labels, mean), novelty);
  // An Unknown verdict already says "none of these"; siblings qualify a role the model does report.
  const siblings = ranked[0]![0] === 'Unknown' ? null : siblingsOf(model, mean);
  const top = ranked.slice(0, 3);
  const binProbabilities = predictions.bins;

  // What reading the capture left behind goes before the anomaly model adds its own (its second thread,
  // ~11 MiB). From 20 MiB of heap, not gc.ts's 32: V8 used to shrink the heap while the LSTM scored every
  // sequence; with repeats left out scoring ends before, and without this the ~11 GB stream's peak reached
  // 137–143 MiB (27 → 15 MiB of heap here; bench/README.md). A 1 GB capture's ~12 MiB is left alone.
  if (how.collect) how.collect();
  else collectGarbage(BEFORE_ANOMALY_GC_BYTES);
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
    observedS: captureSpanSeconds(analysis.summary.firstTime, analysis.summary.lastTime),
  });
  const abnormality = anomaly.abnormality;
  const mac = view.mac;
  const timestamp = view.timestamps[0]!;
  const sourceIp = view.deviceIp ?? view.sessions.sourceIp ?? view.captureIps.find((ip) => ip) ?? '';

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
    // Array.from keeps the values unboxed (a spread of a typed array boxes each one): ~125 B less per bin.
    probabilities: Array.from(binProbabilities[i]!),
  }));
  const result: CaptureResult = {
    file: path,
    key,
    valid: true,
    data: { [key]: device, pcap },
    ...warningsOf(analysis),
    ...captureErrorOf(analysis),
    detail: {
      labels: [...model.labels],
      probabilities: [...mean],
      bins,
      bin_duration_s: analysis.options.durationS,
      abnormality,
      ...(!anomaly.scored && anomaly.note ? { abnormality_note: anomaly.note } : {}),
      anomaly_model: anomalyName,
      ...(anomalyName !== 'none' ? { threshold: anomaly.threshold } : {}),
      ...(anomaly.detail ? { behavior: anomaly.detail } : {}),
      model: loaded.hash,
      ...(siblings ? { siblings } : {}),
      // Infinite only against a zero threshold (a single-rule model trained at rate 0): JSON cannot hold it.
      ...(novelty && Number.isFinite(novelty.ratio) ? { role_novelty: novelty.ratio } : {}),
      ...(novelty?.beyond != null && Number.isFinite(novelty.beyond)
        ? { role_novelty_beyond: novelty.beyond }
        : {}),
    },
  };
  const history: ScoredUpdate | null = mac
    ? {
        mac,
        // The original averaged the one-layer model's hidden layer; a forest has none, so its class
        // probabilities stand in (the history keeps averages per model, see decisions/history.ts).
        representations:
          model.kind === 'onelayer' ? (predictions.hidden ?? hiddenRows(model, view)) : binProbabilities,
        timestamps: view.timestamps,
        labels: device.classification.labels,
        confidences: device.classification.confidences,
        otherIps: view.otherIps,
        modelHash: loaded.hash,
        ...(anomaly.bins && scorer.modelPath
          ? {
              behavior: {
                modelPath: scorer.modelPath,
                bins: anomaly.bins,
                calibratedOn: anomaly.calibratedOn ?? null,
                ...(anomaly.types ? { types: anomaly.types } : {}),
              },
            }
          : {}),
      }
    : null;
  return { result, analysis, ranked, binProbabilities, anomaly, history, vectors };
}

/**
 * noSessionsReason for one host of a capture (`--per-host`): its warm-up starts at its own first packet,
 * so the span and packets that explain it are the host's, not the whole capture's (months, for a host
 * that spoke for 20 s in a merged capture).
 */
function hostNoSessionsReason(analysis: CaptureAnalysis, own: PacketStore): string {
  const warmup = analysis.options.warmupS;
  const times = own.timeUs.data;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < own.length; i++) {
    if (times[i]! < first) first = times[i]!;
    if (times[i]! > last) last = times[i]!;
  }
  const span = own.length > 0 ? (last - first) / 1e6 : 0;
  if (warmup > 0)
    return `no sessions after the ${warmup} s warm-up: every address:port pair of this host first appears within it (its traffic spans ${span.toFixed(1)} s); --warmup 0 keeps its early sessions`;
  return `no sessions: none of this host's ${own.length} IP packets forms an IP session of one device`;
}

/**
 * Completes a result with the device's history: `investigate` when its previous update is more than the
 * look time before this one (REFERENCE.md §7), then records this update.
 */
export async function applyHistory(
  result: CaptureResult,
  entry: ScoredUpdate | null,
  history: HistoryPort,
): Promise<void> {
  const device = result.data[result.key];
  if (!entry || !device || typeof device !== 'object' || !device.valid) return;
  const previous = await history.lastUpdate(entry.mac, device.timestamp);
  if (previous !== null && device.timestamp - previous > LOOK_TIME_S) device.decisions.investigate = true;
  await applyOwnHistory(result, entry, history);
  await history.record(entry, result);
}

/**
 * Once a device has history, its own past is part of normal: services it never used before add to its
 * behaviour score (and may make it abnormal). Reads the history only; `explain` uses it alone, so that it
 * explains the decision eval made.
 */
export async function applyOwnHistory(
  result: CaptureResult,
  entry: ScoredUpdate | null,
  history: Pick<HistoryPort, 'pastServices'>,
): Promise<void> {
  const device = result.data[result.key];
  const detail = result.detail;
  if (!entry?.behavior || !device || typeof device !== 'object' || !device.valid) return;
  if (!detail?.behavior || !history.pastServices) return;
  const past = await history.pastServices(entry.mac, device.timestamp);
  const model = past ? loadedBehaviorModel(entry.behavior.modelPath) : null;
  if (!past || !model) return;
  detail.behavior.own_history = true;
  const own = withOwnHistory(model, entry.behavior.bins, past, entry.behavior.calibratedOn ?? undefined);
  if (own && own.abnormality > detail.abnormality) {
    detail.abnormality = own.abnormality;
    const { bins, types } = entry.behavior;
    describeDecidingWindow(detail.behavior, bins[own.worst]!, own, types?.[own.worst]);
    device.decisions.behavior = behaviorOf(own.abnormality, detail.threshold);
  }
}

/**
 * The behaviour detail describes the window whose score the abnormality now comes from: the one the history
 * raised most, which need not be the model's worst. The model's reasons stay only when they are that window's.
 */
export function describeDecidingWindow(
  behavior: BehaviorDetail,
  window: BehaviorWindowScore,
  own: { score: number; novelty: number; reasons: string[] },
  types: BehaviorWindowTypes | undefined,
): void {
  const same = window.window.index === behavior.worst_bin.index;
  behavior.reasons = [...own.reasons, ...(same ? behavior.reasons : [])].slice(0, 5);
  if (!same) {
    behavior.worst_bin = { ...window.window };
    behavior.distance = window.distance;
    if (behavior.types && types) Object.assign(behavior.types, types);
  }
  behavior.novelty = (same ? behavior.novelty : window.novelty) + own.novelty;
  behavior.score = own.score;
}

export type { RoleModel };
