import { isMainThread } from 'node:worker_threads';
import { type BehaviorBin, hostBins, hostVendor } from '../features/behavior.js';
import { COMPAT_FEATURE_COUNT } from '../features/compat.js';
import { V2_FEATURE_COUNT } from '../features/v2/names.js';
import { type InspectRecord, inspectRecord } from '../outputs/inspect.js';
import type { CaptureResult } from '../result.js';
import { type AnalyzeOptions, analyzeCapture } from './analyze.js';
import {
  detachedHistory,
  type EvaluateOptions,
  evaluateCaptureDetailed,
  evaluateHosts,
  type ScoredUpdate,
  warningsOf,
} from './evaluate.js';
import type { HostFootprintEvalResult, PredictJsonOptions } from './host-footprint.js';
import { type PackedRows, packRows } from './packed-rows.js';

export interface CaptureFeatures {
  path: string;
  /** The rows a model sees, packed (unpackRows gives them back). */
  vectors: PackedRows;
  bytes: number;
  /** The capture device's behaviour windows, when the options ask for behaviour. */
  behavior?: BehaviorBin[];
  /** That device's MAC vendor prefix, when its host is a MAC with one. */
  behaviorVendor?: string;
  /** The reader's warnings (a truncated tail, skipped packets), when it had any. */
  warnings?: string[];
}

/** A capture device's behaviour windows and its MAC vendor prefix (see hostVendor). */
export interface DeviceBehavior {
  bins: BehaviorBin[];
  vendor?: string;
  /** The reader's warnings, when it had any. */
  warnings?: string[];
}

/**
 * The per-capture jobs that may run on worker threads. Inputs and outputs are plain data (structured
 * clone), so a job gives the same answer in a worker as in the calling thread.
 */
export interface Jobs {
  inspect: { input: { path: string; options: AnalyzeOptions }; output: InspectRecord };
  /** The vectors a model sees (compat bins, or the device's v2 bins with features 'v2'), for training. */
  features: { input: { path: string; options: AnalyzeOptions }; output: CaptureFeatures };
  /** The capture device's behaviour bins (src/features/behavior.ts), for training the behaviour model. */
  behavior: { input: { path: string; options: AnalyzeOptions }; output: DeviceBehavior };
  /**
   * One result per capture, or per host with perHost. History is applied by the caller on its own thread
   * (one database connection), from the entries returned beside the results.
   */
  eval: {
    input: { path: string; options: Omit<EvaluateOptions, 'history'>; perHost?: boolean };
    output: { result: CaptureResult; history: ScoredUpdate | null }[];
  };
  /** NetworkML v0.6.8's host-footprint model: every host of a capture (or the one srcmacid picks). */
  hostFootprint: { input: { path: string; options: PredictJsonOptions }; output: HostFootprintEvalResult };
}

export type JobName = keyof Jobs;
export type JobInput<N extends JobName> = Jobs[N]['input'];
export type JobOutput<N extends JobName> = Jobs[N]['output'];

const handlers: { [N in JobName]: (input: JobInput<N>) => Promise<JobOutput<N>> } = {
  inspect: async ({ path, options }) =>
    inspectRecord(await analyzeCapture(path, { sessionRows: false, ...options })),
  eval: async ({ path, options, perHost }) => {
    const evaluations = perHost
      ? await evaluateHosts(path, options)
      : [await evaluateCaptureDetailed(path, options)];
    // The history's per-bin representations and behaviour windows are computed when read; a worker's answer
    // is copied to the calling thread (structured clone), so there they are built once here.
    return evaluations.map((e) => {
      const h = e.history;
      return { result: e.result, history: !h || isMainThread ? h : detachedHistory(h) };
    });
  },
  // Imported when used: its features are a dozen modules every other job's start-up would load.
  hostFootprint: async ({ path, options }) =>
    (await import('./host-footprint.js')).evaluateHostFootprint(path, options),
  behavior: async ({ path, options }) => {
    const a = await analyzeCapture(path, { ...options, behavior: true });
    if (!a.behavior) return { bins: [], ...warningsOf(a) };
    const vendor = hostVendor(a.behavior);
    return { bins: hostBins(a.behavior), ...(vendor !== undefined ? { vendor } : {}), ...warningsOf(a) };
  },
  features: async ({ path, options }) => {
    const a = await analyzeCapture(path, { sessionRows: false, ...options });
    const v2 = a.v2;
    const bins = v2 ? v2.bins.filter((b) => b.host === v2.device) : a.compat.bins;
    const width = v2 ? V2_FEATURE_COUNT : COMPAT_FEATURE_COUNT;
    const vendor = a.behavior ? hostVendor(a.behavior) : undefined;
    return {
      path,
      vectors: packRows(bins.length, width, (i, out) => bins[i]!.writeVector(out)),
      bytes: a.summary.bytes,
      ...(a.behavior ? { behavior: hostBins(a.behavior) } : {}),
      ...(vendor !== undefined ? { behaviorVendor: vendor } : {}),
      ...warningsOf(a),
    };
  },
};

export function runJob<N extends JobName>(name: N, input: JobInput<N>): Promise<JobOutput<N>> {
  return handlers[name](input);
}
