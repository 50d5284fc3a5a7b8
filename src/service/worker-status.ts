/**
 * What a running worker reports about itself, for the metrics and health endpoints (metrics.ts): how each job
 * ended, and whether it is consuming right now. Types only, so that worker.ts depends on nothing more.
 */
import type { ResultMessage } from './messages.js';

/**
 * How the worker was done with one delivery:
 * - `result`: a result with `valid: true` was published and the job acked;
 * - `invalid_result`: a result with `valid: false` (no usable sessions, or no device Poseidon can key) was
 *   published and the job acked;
 * - `dead_lettered`: an error result was published and the job rejected to the dead-letter queue;
 * - `requeued`: the worker handed the job back to the queue (a service such as Redis failed, or the broker
 *   refused the result);
 * - `unroutable`: the broker returned the result (no queue bound to receive it) and the job went back;
 * - `redelivered`: the connection closed before the job was acked (the broker hands it out again);
 * - `retried`: the capture could not be read yet (missing, not readable: capture-retry.ts); the job was put in
 *   a retry queue, to come back after a pause.
 */
export type JobOutcome =
  | 'result'
  | 'invalid_result'
  | 'dead_lettered'
  | 'requeued'
  | 'unroutable'
  | 'redelivered'
  | 'retried';

export const JOB_OUTCOMES: readonly JobOutcome[] = [
  'result',
  'invalid_result',
  'dead_lettered',
  'requeued',
  'unroutable',
  'redelivered',
  'retried',
];

/**
 * - `connecting`: before the first connection consumes;
 * - `consuming`: connected, the consumer registered: the only ready state;
 * - `reconnecting`: the connection was lost or could not be made, and the worker retries (forever);
 * - `draining`: stop() was called (SIGTERM): finishing the jobs in hand, taking no more.
 */
export type WorkerState = 'connecting' | 'consuming' | 'reconnecting' | 'draining';

export interface WorkerStatus {
  state: WorkerState;
  /** One line: why the state is not `consuming` (the last connection error, …); null when consuming. */
  reason: string | null;
  /** Jobs being evaluated or published now. */
  inFlight: number;
  /** Jobs the broker handed over that have not started (prefetch beyond concurrency). */
  prefetched: number;
}

/** Whether what was published for a job is a usable result (`valid: true`), in either message format. */
export function publishedValid(messages: readonly ResultMessage[]): boolean {
  const first = messages[0];
  if (first === undefined) return false;
  if ('tool' in first) return first.valid;
  if (first.valid === false || first.data === '') return false;
  return Object.values(first.data).some((device) => typeof device === 'object' && device.valid);
}
