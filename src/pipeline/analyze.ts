import { readCapture } from '../capture/reader.js';
import type { CaptureSummary, ReadOptions } from '../capture/reader-api.js';
import { type CompatFeatures, compatFeatures } from '../features/compat.js';
import { type SessionVectors, sessionVectors } from '../features/session-vectors.js';
import {
  type BinOptions,
  type Bins,
  buildBins,
  DEFAULT_BIN_OPTIONS,
  sessionsPerBin,
} from '../sessions/bins.js';
import { PacketStore } from '../sessions/packet-store.js';

export interface AnalyzeOptions extends Partial<BinOptions> {
  /** Count public addresses too when inferring the capture source (the original's POSEIDON_PUBLIC_SESSIONS). */
  publicSessions?: boolean;
  read?: ReadOptions;
}

/** Everything the models need from one capture, computed in one pass over it. */
export interface CaptureAnalysis {
  source: string;
  summary: CaptureSummary;
  store: PacketStore;
  bins: Bins;
  /** Sessions per bin, empty bins included. */
  sessionsPerBin: number[];
  compat: CompatFeatures;
  sessions: SessionVectors;
  options: BinOptions;
}

export async function analyzeCapture(
  source: string | NodeJS.ReadableStream,
  options: AnalyzeOptions = {},
): Promise<CaptureAnalysis> {
  const binOptions: BinOptions = {
    durationS: options.durationS ?? DEFAULT_BIN_OPTIONS.durationS,
    warmupS: options.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS,
  };
  const store = new PacketStore();
  const summary = await readCapture(source, (p) => store.add(p), options.read);
  const bins = buildBins(store, binOptions);
  const publicSessions = options.publicSessions ?? false;
  return {
    source: typeof source === 'string' ? source : '-',
    summary,
    store,
    bins,
    sessionsPerBin: sessionsPerBin(bins),
    compat: compatFeatures(store, bins, publicSessions),
    sessions: sessionVectors(store, bins, publicSessions),
    options: binOptions,
  };
}
