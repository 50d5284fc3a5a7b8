import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { PackedPacket, type PackedRecords } from '../capture/packed.js';
import { PacketRecord } from '../capture/packet.js';
import { readCapture } from '../capture/reader.js';
import {
  type CaptureSummary,
  type CaptureWarning,
  CorruptCaptureError,
  type ReadOptions,
} from '../capture/reader-api.js';
import {
  prestartReaderThread,
  READER_THREAD_MIN_BYTES,
  readCaptureOnThread,
} from '../capture/reader-thread.js';
import { errorMessage, NetworkmlError } from '../errors.js';
import { BehaviorExtractor, type BehaviorResult } from '../features/behavior.js';
import { CompatAccumulator, type CompatFeatures, compatFeatures } from '../features/compat.js';
import type { FeatureSemantics } from '../features/semantics.js';
import {
  type RowWork,
  SessionRowAccumulator,
  type SessionVectors,
  sessionVectors,
} from '../features/session-vectors.js';
import { closeFile, openUnlinkedFile } from '../features/spill-file.js';
import { TextIds } from '../features/text-ids.js';
import type { V2Closed, V2Extractor } from '../features/v2/extractor.js';
import type { V2ClosedData } from '../features/v2/reader-side.js';
import type { V2Result } from '../features/v2/result.js';
import type { RowPredictions, StreamedOneLayerPredictions } from '../models/role-model.js';
import { BinStream } from '../sessions/bin-stream.js';
import {
  type BinOptions,
  type Bins,
  buildBins,
  DEFAULT_BIN_OPTIONS,
  sessionsPerBin,
} from '../sessions/bins.js';
import { PacketStore } from '../sessions/packet-store.js';
import { siblingModule } from '../threads.js';
import { AddressHostMatcher, type HostMatcher, MacHostMatcher } from './host-matcher.js';

export interface AnalyzeOptions extends Partial<BinOptions> {
  /** 'v2' also runs the header-feature extractor in the same pass (compat is always computed). */
  features?: FeatureSemantics;
  /** Count public addresses too when inferring the capture source (the original's POSEIDON_PUBLIC_SESSIONS). */
  publicSessions?: boolean;
  /**
   * Keep the anomaly model's per-session rows (default true). Without them `sessions.sourceIp` is still
   * known; reading `sessions.rows` then throws. Inspect, training and `--anomaly none|sos` leave them out.
   */
  sessionRows?: boolean;
  /** Also run the behaviour extractor (src/features/behavior.ts) in the same pass. */
  behavior?: boolean;
  /** The behaviour extractor's window (s); default: the bin duration. */
  behaviorWindowS?: number;
  /**
   * Read and decode on a second thread while this one builds sessions and features (`analyzeCapture`
   * only). Default 'auto': for a capture file of READER_THREAD_MIN_BYTES or more, on the main thread of a
   * machine with two cores or more. false: never (`--threads 1`); true: whenever possible (tests). Never
   * for standard input or streams. The v2 extractor then runs on the reader thread, on the records it packs
   * (which balances the two: read + v2 there, sessions + compat + behaviour here); the behaviour
   * extractor here, on packets unpacked from the ring.
   */
  readerThread?: boolean | 'auto';
  /**
   * Work on the device's session rows, done in this thread's idle time while the reader thread reads (the
   * LSTM's first sequences, lstm-early.ts). Only with the reader thread and session rows; the streamed
   * analysis then hands it back as `sessions.whileRead`.
   */
  whileReading?: RowWork;
  /**
   * The role model's predictions of each compat bin, made as the bin closes (issue 14: not after the read,
   * when only this thread works). Streamed analyses only, which return them as `rolePredictions`.
   */
  rolePredictions?: StreamedOneLayerPredictions;
  /**
   * A corrupt record after packets (the reader's CorruptCaptureError): analyse the packets before it and
   * return that analysis with `corrupt` set, as tcpdump and tshark print what they read before the error
   * (eval, inspect, explain; the caller still reports the error and fails). Default false: the error is
   * thrown, and no part of the capture is used (train, test: a model is never fitted or scored on part of a
   * data set without being told).
   */
  partialOnCorrupt?: boolean;
  read?: ReadOptions;
}

/** Where a capture was corrupt (its analysis is of the packets before that record) and the reader's error. */
export interface CorruptRecord {
  /**
   * Byte offset of the corrupt record in the (decompressed) capture: where reading stopped (for corrupt gzip
   * data, the start of the record it cut short).
   */
  offset: number;
  /** The reader's one-line error, as it is reported when no result is given. */
  message: string;
}

/**
 * The summary of `read`; with options.partialOnCorrupt, that of the packets before a corrupt record, and
 * where it was, instead of its error.
 */
async function readKeepingPartial(
  read: Promise<CaptureSummary>,
  options: AnalyzeOptions,
): Promise<{ summary: CaptureSummary; corrupt: CorruptRecord | null }> {
  try {
    return { summary: await read, corrupt: null };
  } catch (err) {
    if (!(options.partialOnCorrupt && err instanceof CorruptCaptureError)) throw err;
    return { summary: err.partial, corrupt: { offset: err.partial.bytes, message: errorMessage(err) } };
  }
}

export { READER_THREAD_MIN_BYTES };

function useReaderThread(source: string | NodeJS.ReadableStream, options: AnalyzeOptions): source is string {
  if (typeof source !== 'string' || source === '-') return false;
  const mode = options.readerThread ?? 'auto';
  if (mode !== 'auto') return mode;
  // Worker threads of a pool (several captures) already use every core.
  if (!isMainThread || availableParallelism() < 2) return false;
  try {
    const stat = statSync(source);
    return stat.isFile() && stat.size >= READER_THREAD_MIN_BYTES;
  } catch {
    return false; // the reader gives the one-line error
  }
}

/**
 * Starts the reader thread that analyzeCapture(source, options) will read with, ahead of it (issue 14: its
 * start-up then overlaps the caller's, e.g. loading the models). Same reading and results either way.
 */
export function prepareReading(source: string, options: AnalyzeOptions = {}): void {
  if (useReaderThread(source, options)) prestartReaderThread();
}

/** Why a capture was read whole instead of bin by bin, when it was. */
export const REORDERED_WARNING_KIND = 'reordered-whole-capture';

/** Everything the models need from one capture, computed in one pass over it. */
export interface CaptureAnalysis {
  source: string;
  summary: CaptureSummary;
  /** IP packets kept, and repeats of an earlier (time, source, destination) dropped. */
  ipPackets: number;
  duplicates: number;
  /** Sessions per bin, empty bins included. */
  sessionsPerBin: number[];
  compat: CompatFeatures;
  /** The anomaly model's per-session rows and the capture address chosen over all bins. */
  readonly sessions: SessionVectors;
  /** The v2 header features per host and bin, when asked for. */
  v2: V2Result | null;
  /** The behaviour features per host and bin, when asked for. */
  behavior: BehaviorResult | null;
  options: BinOptions;
  /**
   * 'stream': bins were built and featurised while reading, one bin in memory. 'whole': the capture's
   * times went back across a bin (or into the warm-up), so it was stored whole for exact results
   * (memory grows with the capture; a warning in summary.warnings says so).
   */
  path: 'stream' | 'whole';
  /** The role model's per-bin predictions made while reading (AnalyzeOptions.rolePredictions; stream path). */
  rolePredictions?: RowPredictions;
  /**
   * AnalyzeOptions.partialOnCorrupt: the capture is corrupt at this record, and the analysis is of the packets
   * before it. Absent when the capture was read to its end.
   */
  corrupt?: CorruptRecord;
}

/** The whole-capture analysis: every packet and session kept (per-host mode needs them all). */
export interface WholeCaptureAnalysis extends CaptureAnalysis {
  store: PacketStore;
  bins: Bins;
}

/** Per-packet feature extractors fed by the same read as the sessions (v2 today; more plug in here). */
interface PacketExtractors {
  v2: V2Extractor | null;
  behavior: BehaviorExtractor | null;
  add: (p: PacketRecord) => void;
}

/** The v2 feature modules: imported by the first analysis that asks for v2 features (a compat eval never does). */
interface V2Modules {
  extractor: typeof import('../features/v2/extractor.js');
  readerSide: typeof import('../features/v2/reader-side.js');
}
let v2Modules: Promise<V2Modules> | null = null;

function v2ModulesFor(options: AnalyzeOptions): Promise<V2Modules> | null {
  if (options.features !== 'v2') return null;
  v2Modules ??= Promise.all([
    import('../features/v2/extractor.js'),
    import('../features/v2/reader-side.js'),
  ]).then(([extractor, readerSide]) => ({ extractor, readerSide }));
  return v2Modules;
}

function packetExtractors(
  options: AnalyzeOptions,
  binOptions: BinOptions,
  /** Loaded when options.features is 'v2' (v2ModulesFor). */
  v2Lib: V2Modules | null,
  /** false: the v2 extractor runs elsewhere (on the reader thread). */
  v2Here = true,
): PacketExtractors {
  const v2 = v2Lib && v2Here ? new v2Lib.extractor.V2Extractor(binOptions) : null;
  const behavior = options.behavior
    ? new BehaviorExtractor({ durationS: options.behaviorWindowS ?? binOptions.durationS })
    : null;
  const add: (p: PacketRecord) => void =
    v2 && behavior
      ? (p) => {
          v2.add(p);
          behavior.add(p);
        }
      : v2
        ? (p) => v2.add(p)
        : behavior
          ? (p) => behavior.add(p)
          : () => {};
  return { v2, behavior, add };
}

/**
 * What this thread does with each record from the reader thread: IP packets to the bins (stopping the
 * read once the capture needs the whole-capture path), and, with per-packet extractors here, every
 * packet unpacked into one reused record for them.
 */
function packedConsumer(
  stream: BinStream,
  extractors: PacketExtractors,
  abort: AbortController,
): (records: PackedRecords, index: number) => void {
  if (extractors.v2 === null && extractors.behavior === null) {
    return (records, i) => {
      stream.addPacked(records, i);
      if (!stream.exact) abort.abort();
    };
  }
  const behavior = extractors.behavior;
  if (extractors.v2 === null && behavior !== null) {
    // The behaviour extractor alone (v2 runs on the reader thread): it reads the record's fields loaded into a
    // PackedPacket, which skips what a whole PacketRecord also holds (unpack's frame head, time conversion).
    const packet = new PackedPacket();
    return (records, i) => {
      if (records.isIp(i)) stream.addPacked(records, i);
      if (!stream.exact) {
        abort.abort();
        return;
      }
      records.load(i, packet);
      behavior.add(packet);
    };
  }
  const rec = new PacketRecord();
  const add = extractors.add;
  return (records, i) => {
    if (records.isIp(i)) stream.addPacked(records, i);
    if (!stream.exact) {
      abort.abort();
      return;
    }
    records.unpack(i, rec);
    add(rec);
  };
}

function binOptionsOf(options: AnalyzeOptions): BinOptions {
  return {
    durationS: options.durationS ?? DEFAULT_BIN_OPTIONS.durationS,
    warmupS: options.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS,
  };
}

/**
 * Reads a capture once, building bins and features as it goes (memory: one bin's packets, plus the warm-up
 * pairs, the per-bin results and, for the anomaly rows, the sessions that could involve the device). A
 * capture whose times go back too far for that to be exact (see `BinStream`) is read again whole; one read
 * from a stream (standard input) cannot be, and is refused with a clear error.
 */
export async function analyzeCapture(
  source: string | NodeJS.ReadableStream,
  options: AnalyzeOptions = {},
): Promise<CaptureAnalysis> {
  const binOptions = binOptionsOf(options);
  const publicSessions = options.publicSessions ?? false;
  // One id table for the addresses both keep per host of the capture.
  const addresses = new TextIds();
  const compat = new CompatAccumulator(publicSessions, addresses);
  const rows = new SessionRowAccumulator(publicSessions, options.sessionRows ?? true, { addresses });
  const threaded = useReaderThread(source, options);
  const v2Lib = await v2ModulesFor(options);
  const extractors = packetExtractors(options, binOptions, v2Lib, !threaded);
  const predictions = options.rolePredictions ?? null;
  const work = threaded && (options.sessionRows ?? true) ? (options.whileReading ?? null) : null;
  const stream = new BinStream(binOptions, (store, bins, index) => {
    // Per-bin feature extractors plug in here.
    // The session rows infer the bin's capture source as compat does (the same countPublic): once for both.
    const own = rows.addBin(store, bins);
    const before = compat.count;
    compat.addBin(store, bins, index, own);
    if (predictions && compat.count > before) compat.readNonZeros(before, predictions.read);
    work?.binAdded?.(rows);
  });
  const abort = new AbortController();
  const outer = options.read?.signal;
  const onOuterAbort = () => abort.abort();
  outer?.addEventListener('abort', onOuterAbort);
  let summary: CaptureSummary;
  let corrupt: CorruptRecord | null;
  let threadV2: V2Closed | null = null;
  // The reader thread's v2 features of a long capture go to a file opened here: a worker's own files
  // are closed when it exits. Adopted with the features at the end; closed here if they never come.
  const v2OnThread = threaded && options.features === 'v2';
  const v2Spill = v2OnThread ? openUnlinkedFile('v2') : -1;
  try {
    if (threaded) {
      const read = readCaptureOnThread(
        source,
        packedConsumer(stream, extractors, abort),
        { ...options.read, signal: abort.signal },
        {
          nonIp: extractors.behavior !== null,
          partial: options.partialOnCorrupt ?? false,
          ...(work ? { idle: () => work.step(rows) } : {}),
          ...(v2OnThread
            ? {
                extractor: {
                  module: siblingModule(import.meta.url, '../features/v2/reader-side'),
                  options: { ...binOptions, spillFd: v2Spill },
                  onResult: (data: unknown) => {
                    threadV2 = v2Lib!.readerSide.adoptV2(data as V2ClosedData);
                  },
                },
              }
            : {}),
        },
      );
      ({ summary, corrupt } = await readKeepingPartial(read, options));
      if (v2OnThread && threadV2 === null) throw new Error('the capture reader thread gave no v2 features');
    } else {
      const read = readCapture(
        source,
        (p) => {
          stream.add(p);
          if (!stream.exact) {
            abort.abort();
            return;
          }
          extractors.add(p);
        },
        { ...options.read, signal: abort.signal },
      );
      ({ summary, corrupt } = await readKeepingPartial(read, options));
    }
  } catch (err) {
    rows.dropSpill();
    if (v2Spill >= 0 && threadV2 === null) closeFile(v2Spill);
    throw err;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
  if (!stream.exact && !outer?.aborted) {
    rows.dropSpill();
    if (typeof source !== 'string' || source === '-') {
      throw new NetworkmlError(
        `${typeof source === 'string' ? source : '-'}: packet times go back across a ${binOptions.durationS} s bin; ` +
          'a stream cannot be re-read for exact results: save it to a file and give the file',
      );
    }
    const whole = await analyzeWholeCapture(source, options);
    const warning: CaptureWarning = {
      kind: REORDERED_WARNING_KIND,
      message:
        'packet times go back across a bin (or into the warm-up): the capture was read again and stored whole ' +
        'for exact results (memory grows with the capture)',
    };
    whole.summary.warnings.push(warning);
    options.read?.onWarning?.(warning);
    return whole;
  }
  stream.finish();
  const compatFeatures = compat.finish();
  const sessions = rows.finish();
  if (work) sessions.whileRead = work;
  return {
    source: typeof source === 'string' ? source : '-',
    summary,
    ipPackets: stream.ipPackets,
    duplicates: stream.duplicates,
    sessionsPerBin: stream.sessionsPerBin,
    compat: compatFeatures,
    sessions,
    v2: extractors.v2
      ? extractors.v2.finish(compatFeatures)
      : threadV2 !== null
        ? v2Lib!.extractor.v2Result(threadV2, compatFeatures)
        : null,
    behavior: extractors.behavior ? extractors.behavior.finish() : null,
    options: binOptions,
    path: 'stream',
    ...(predictions ? { rolePredictions: predictions.finish() } : {}),
    ...(corrupt ? { corrupt } : {}),
  };
}

/**
 * The whole-capture path: every IP packet stored (with the original's dedup by overwrite) before sessions
 * are built. Exact for any packet order; memory grows with the capture.
 */
export async function analyzeWholeCapture(
  source: string | NodeJS.ReadableStream,
  options: AnalyzeOptions = {},
): Promise<WholeCaptureAnalysis> {
  const binOptions = binOptionsOf(options);
  const store = new PacketStore();
  const extractors = packetExtractors(options, binOptions, await v2ModulesFor(options));
  const { summary, corrupt } = await readKeepingPartial(
    useReaderThread(source, options)
      ? readStoresOnThread(source, [{ store, extractors }], null, options)
      : readCapture(
          source,
          (p) => {
            store.add(p);
            extractors.add(p);
          },
          options.read,
        ),
    options,
  );
  return wholeAnalysis(
    typeof source === 'string' ? source : '-',
    { summary, corrupt },
    store,
    extractors,
    binOptions,
    options,
  );
}

/**
 * One whole-capture analysis per host of what it sent or received, in one pass over the capture: hosts given
 * by MAC (frame bytes 0..5 or 6..11 equal to it, as `tcpdump 'ether host MAC'` selects) or, where frames do
 * not begin with MACs, by address (`tcpdump 'host ADDR'`; see HostMatcher). Each host's bins and warm-up
 * start at its own first packet, so a host of a merged capture is seen exactly as in a capture of its own.
 */
export async function analyzeHosts(
  path: string,
  hosts: { macs: readonly string[] } | { addresses: readonly string[] },
  options: AnalyzeOptions = {},
): Promise<WholeCaptureAnalysis[]> {
  const binOptions = binOptionsOf(options);
  const v2Lib = await v2ModulesFor(options);
  const keys = 'macs' in hosts ? hosts.macs : hosts.addresses;
  const matcher = 'macs' in hosts ? new MacHostMatcher(hosts.macs) : new AddressHostMatcher(hosts.addresses);
  const states = keys.map(() => ({
    store: new PacketStore(),
    extractors: packetExtractors(options, binOptions, v2Lib),
  }));
  const read = await readKeepingPartial(
    useReaderThread(path, options)
      ? readStoresOnThread(path, states, matcher, options)
      : readCapture(
          path,
          (p) => {
            matcher.matchRecord(p);
            const { src, dst } = matcher;
            if (dst >= 0) {
              states[dst]!.store.add(p);
              states[dst]!.extractors.add(p);
            }
            if (src >= 0 && src !== dst) {
              states[src]!.store.add(p);
              states[src]!.extractors.add(p);
            }
          },
          options.read,
        ),
    options,
  );
  return states.map((h) => wholeAnalysis(path, read, h.store, h.extractors, binOptions, options));
}

/**
 * A whole-capture read with decoding on the reader thread (a capture file of READER_THREAD_MIN_BYTES or more,
 * as analyzeCapture's): each record goes to the stores of the hosts `matcher` finds in it (null: every record
 * to the one store, analyzeWholeCapture), packed, and to their extractors unpacked, once, into one reused
 * record (the fields both paths give the same).
 */
function readStoresOnThread(
  path: string,
  hosts: readonly { store: PacketStore; extractors: PacketExtractors }[],
  matcher: HostMatcher | null,
  options: AnalyzeOptions,
): Promise<CaptureSummary> {
  const rec = new PacketRecord();
  const extracting = hosts.some((h) => h.extractors.v2 !== null || h.extractors.behavior !== null);
  const add = (h: number, records: PackedRecords, i: number, ip: boolean) => {
    const host = hosts[h]!;
    if (ip) host.store.addPacked(records, i);
    if (extracting) host.extractors.add(rec);
  };
  return readCaptureOnThread(
    path,
    (records, i) => {
      let dst = 0;
      let src = -1;
      let unpacked = false;
      if (matcher !== null) {
        unpacked = matcher.matchPacked(records, i, rec);
        dst = matcher.dst;
        src = matcher.src;
        if (dst < 0 && src < 0) return;
      }
      const ip = records.isIp(i);
      if (extracting && !unpacked) records.unpack(i, rec);
      if (dst >= 0) add(dst, records, i, ip);
      if (src >= 0 && src !== dst) add(src, records, i, ip);
    },
    options.read,
    // Non-IP packets only for the extractors and the address matcher (the stores keep IP packets only).
    { nonIp: extracting },
  );
}

function wholeAnalysis(
  source: string,
  { summary, corrupt }: { summary: CaptureSummary; corrupt: CorruptRecord | null },
  store: PacketStore,
  extractors: PacketExtractors,
  binOptions: BinOptions,
  options: AnalyzeOptions,
): WholeCaptureAnalysis {
  const { v2, behavior } = extractors;
  const bins = buildBins(store, binOptions);
  const publicSessions = options.publicSessions ?? false;
  const compat = compatFeatures(store, bins, publicSessions);
  let sessions: SessionVectors | undefined;
  return {
    source,
    summary,
    ipPackets: store.length,
    duplicates: store.duplicates,
    store,
    bins,
    sessionsPerBin: sessionsPerBin(bins),
    compat,
    get sessions() {
      sessions ??= sessionVectors(store, bins, publicSessions);
      return sessions;
    },
    v2: v2 ? v2.finish(compat) : null,
    behavior: behavior ? behavior.finish() : null,
    options: binOptions,
    path: 'whole',
    ...(corrupt ? { corrupt } : {}),
  };
}
