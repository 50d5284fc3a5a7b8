/**
 * Jobs whose capture cannot be read *yet*. Poseidon writes a capture to a shared volume and queues its job at
 * once; on NFS (or any volume whose metadata lags), the worker can see the job before the file, or see it
 * half-set-up (permissions, a stale handle). Such a job is tried again a few times, with growing pauses,
 * before it gets its error result and goes to the dead-letter queue. A capture that is there and is not a
 * capture, is corrupt, or lies outside the capture root is no better a minute later: dead-lettered at once.
 *
 * The pause is the broker's, not the worker's: the job is published again to a retry queue whose messages
 * expire after the pause into the job queue (a dead-letter route), and only then acked. The worker holds
 * nothing meanwhile (no concurrency slot, no prefetch: other jobs go on), a worker stopped or killed during
 * the pause loses nothing, and any worker may take the next try.
 */
import { CaptureError } from '../errors.js';

/**
 * System error codes of a capture that may be readable later: not there yet (ENOENT), not readable yet
 * (EACCES), or a shared volume failing for a moment (EIO, ESTALE, EAGAIN, EBUSY, ETIMEDOUT).
 */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ENOENT',
  'EACCES',
  'EIO',
  'ESTALE',
  'EAGAIN',
  'EBUSY',
  'ETIMEDOUT',
]);

/** The system error code of a capture error worth trying again later, else null (a permanent error). */
export function transientCode(err: unknown): string | null {
  if (!(err instanceof CaptureError) || err.code === undefined) return null;
  return TRANSIENT_CODES.has(err.code) ? err.code : null;
}

export interface CaptureRetrySettings {
  /** Tries after the first, 0 for none. */
  retries: number;
  /** Pause before the first of them; each further pause is twice the one before. */
  initialDelayMs: number;
}

/** 3 more tries, 3 s, 6 s and 12 s later: a capture still unreadable 21 s after its job is given up. */
export const DEFAULT_CAPTURE_RETRY: CaptureRetrySettings = { retries: 3, initialDelayMs: 3000 };

/** The job header counting the tries made so far after the first. */
export const RETRIES_HEADER = 'x-networkml-capture-retries';

/** The pause before try `retry` + 1 (retry 0: the first retry). */
export function retryDelayMs(settings: CaptureRetrySettings, retry: number): number {
  return settings.initialDelayMs * 2 ** retry;
}

/** Every pause the settings can ask for, each its own retry queue. */
export function retryDelays(settings: CaptureRetrySettings): number[] {
  return Array.from({ length: settings.retries }, (_, i) => retryDelayMs(settings, i));
}

/**
 * The retry queue of one pause: every message in it waits as long, so they leave in the order they came
 * (a queue expires only the message at its head: one shared by several pauses would hold a short one behind
 * a long one).
 */
export function retryQueueName(jobQueue: string, delayMs: number): string {
  return `${jobQueue}.retry-${delayMs}ms`;
}

/** The tries already made after the first, from the job's header (0 for a job as submitted). */
export function retriesSoFar(headers: Record<string, unknown> | undefined): number {
  const n: unknown = headers?.[RETRIES_HEADER];
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
}
