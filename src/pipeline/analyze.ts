import { readCapture } from '../capture/reader.js';
import type { CaptureSummary, ReadOptions } from '../capture/reader-api.js';
import { BehaviorExtractor, type BehaviorResult } from '../features/behavior.js';
import { type CompatFeatures, compatFeatures } from '../features/compat.js';
import { type SessionVectors, sessionVectors } from '../features/session-vectors.js';
import { V2Extractor, type V2Result } from '../features/v2.js';
import {
  type BinOptions,
  type Bins,
  buildBins,
  DEFAULT_BIN_OPTIONS,
  sessionsPerBin,
} from '../sessions/bins.js';
import { PacketStore } from '../sessions/packet-store.js';

export type FeatureSemantics = 'compat' | 'v2';

export interface AnalyzeOptions extends Partial<BinOptions> {
  /** 'v2' also runs the header-feature extractor in the same pass (compat is always computed). */
  features?: FeatureSemantics;
  /** Count public addresses too when inferring the capture source (the original's POSEIDON_PUBLIC_SESSIONS). */
  publicSessions?: boolean;
  /** Also run the behaviour extractor (src/features/behavior.ts) in the same pass. */
  behavior?: boolean;
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
  /** The anomaly model's per-session rows: computed on first use (inspect and training never need them). */
  readonly sessions: SessionVectors;
  /** The v2 header features per host and bin, when asked for. */
  v2: V2Result | null;
  /** The behaviour features per host and bin, when asked for. */
  behavior: BehaviorResult | null;
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
  const v2 = options.features === 'v2' ? new V2Extractor(binOptions) : null;
  const behavior = options.behavior ? new BehaviorExtractor({ durationS: binOptions.durationS }) : null;
  const summary = await readCapture(
    source,
    behavior
      ? v2
        ? (p) => {
            store.add(p);
            v2.add(p);
            behavior.add(p);
          }
        : (p) => {
            store.add(p);
            behavior.add(p);
          }
      : v2
        ? (p) => {
            store.add(p);
            v2.add(p);
          }
        : (p) => {
            store.add(p);
          },
    options.read,
  );
  const bins = buildBins(store, binOptions);
  const publicSessions = options.publicSessions ?? false;
  const compat = compatFeatures(store, bins, publicSessions);
  let sessions: SessionVectors | undefined;
  return {
    source: typeof source === 'string' ? source : '-',
    summary,
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
  };
}
