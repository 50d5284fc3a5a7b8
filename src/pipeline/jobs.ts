import { type InspectRecord, inspectRecord } from '../outputs/inspect.js';
import type { CaptureResult } from '../outputs/result.js';
import { type AnalyzeOptions, analyzeCapture } from './analyze.js';
import { type EvaluateOptions, evaluateCapture } from './evaluate.js';

/**
 * The per-capture jobs that may run on worker threads. Inputs and outputs are plain data (structured
 * clone), so a job gives the same answer in a worker as in the calling thread.
 */
export interface Jobs {
  inspect: { input: { path: string; options: AnalyzeOptions }; output: InspectRecord };
  /** Without history: the caller applies history decisions on its own thread. */
  eval: { input: { path: string; options: Omit<EvaluateOptions, 'history'> }; output: CaptureResult };
}

export type JobName = keyof Jobs;
export type JobInput<N extends JobName> = Jobs[N]['input'];
export type JobOutput<N extends JobName> = Jobs[N]['output'];

const handlers: { [N in JobName]: (input: JobInput<N>) => Promise<JobOutput<N>> } = {
  inspect: async ({ path, options }) => inspectRecord(await analyzeCapture(path, options)),
  eval: ({ path, options }) => evaluateCapture(path, options),
};

export function runJob<N extends JobName>(name: N, input: JobInput<N>): Promise<JobOutput<N>> {
  return handlers[name](input);
}
