import { readCapture } from '../capture/reader.js';
import type { CaptureSummary, ReadOptions } from '../capture/reader-api.js';
import { type CompatFeatures, compatFeatures } from '../features/compat.js';
import type { FeatureSemantics } from '../features/semantics.js';
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

export interface AnalyzeOptions extends Partial<BinOptions> {
  /** 'v2' also runs the header-feature extractor in the same pass (compat is always computed). */
  features?: FeatureSemantics;
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
  /** The anomaly model's per-session rows: computed on first use (inspect and training never need them). */
  readonly sessions: SessionVectors;
  /** The v2 header features per host and bin, when asked for. */
  v2: V2Result | null;
  options: BinOptions;
}

export async function analyzeCapture(
  source: string | NodeJS.ReadableStream,
  options: AnalyzeOptions = {},
): Promise<CaptureAnalysis> {
  const binOptions = binOptionsOf(options);
  const store = new PacketStore();
  const v2 = options.features === 'v2' ? new V2Extractor(binOptions) : null;
  const summary = await readCapture(
    source,
    v2
      ? (p) => {
          store.add(p);
          v2.add(p);
        }
      : (p) => {
          store.add(p);
        },
    options.read,
  );
  return finish(typeof source === 'string' ? source : '-', summary, store, v2, binOptions, options);
}

/**
 * One analysis per host MAC of what it sent or received (frame bytes 0..5 or 6..11 equal to it, as
 * `tcpdump 'ether host MAC'` selects), in one pass over the capture: each host's bins and warm-up start at
 * its own first packet, so a host of a merged capture is seen exactly as in a capture of its own.
 */
export async function analyzeHosts(
  path: string,
  macs: readonly string[],
  options: AnalyzeOptions = {},
): Promise<CaptureAnalysis[]> {
  const binOptions = binOptionsOf(options);
  const hosts = macs.map(() => ({
    store: new PacketStore(),
    v2: options.features === 'v2' ? new V2Extractor(binOptions) : null,
  }));
  const hostOf = new Map(macs.map((m, i) => [macNumber(m), i]));
  const summary = await readCapture(
    path,
    (p) => {
      const dst = hostOf.get(macAt(p.frameHead, 0));
      const src = hostOf.get(macAt(p.frameHead, 6));
      if (dst !== undefined) {
        hosts[dst]!.store.add(p);
        hosts[dst]!.v2?.add(p);
      }
      if (src !== undefined && src !== dst) {
        hosts[src]!.store.add(p);
        hosts[src]!.v2?.add(p);
      }
    },
    options.read,
  );
  return hosts.map((h) => finish(path, summary, h.store, h.v2, binOptions, options));
}

function macAt(bytes: Uint8Array, offset: number): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + bytes[offset + i]!;
  return n;
}

function macNumber(text: string): number {
  return macAt(Uint8Array.from(text.split(':').map((h) => Number.parseInt(h, 16))), 0);
}

function binOptionsOf(options: AnalyzeOptions): BinOptions {
  return {
    durationS: options.durationS ?? DEFAULT_BIN_OPTIONS.durationS,
    warmupS: options.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS,
  };
}

function finish(
  source: string,
  summary: CaptureSummary,
  store: PacketStore,
  v2: V2Extractor | null,
  binOptions: BinOptions,
  options: AnalyzeOptions,
): CaptureAnalysis {
  const bins = buildBins(store, binOptions);
  const publicSessions = options.publicSessions ?? false;
  const compat = compatFeatures(store, bins, publicSessions);
  let sessions: SessionVectors | undefined;
  return {
    source,
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
    options: binOptions,
  };
}
