/**
 * Scoring a long capture's sequences on this thread and a worker thread (lstm-worker.ts). Both claim
 * chunks of sequences from a shared counter and publish each chunk's maximum; the capture's abnormality is
 * the maximum over chunks, which does not depend on who scored what or in which order. This thread never
 * waits for the worker's chunks: one the worker has not finished when the counter runs out is scored here
 * too (at most CHUNK_SEQUENCES sequences twice), so a slow, stopped or crashed worker cannot hang or change
 * the result. A worker that reports a failure (it cannot read the rows, a model error) makes scoring throw
 * its one-line error. The worker is terminated on every path.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { type ExitCodeValue, NetworkmlError } from '../errors.js';
import type { SharedRows } from '../features/shared-rows.js';
import { siblingModule, startWorker } from '../threads.js';
import type { LstmCore, LstmParts, RowSource } from './lstm-core.js';

/** Sequences per claim (≈ 5 ms of scoring): the most this thread may score twice at the end. */
export const CHUNK_SEQUENCES = 16;
/** How long this thread waits, once done, for a worker that has not started to say whether it could. */
const START_WAIT_MS = 10_000;

/**
 * Int32 control words: the next unclaimed chunk, the worker's state, how many entries of `order` are
 * published and whether that count is final, then one "finished" flag per chunk.
 */
const NEXT = 0;
export const STATE = 1;
const PUBLISHED = 2;
const ALL_PUBLISHED = 3;
const FINISHED = 4;
/** Longest single wait (ms) of the worker for more of `order` before it looks again. */
const PUBLISH_WAIT_MS = 50;
export const WORKER_STARTING = 0;
export const WORKER_RUNNING = 1;
export const WORKER_FAILED = 2;

/** The worker's workerData: the weights, so it builds its scorer before the rows are ready. */
export interface LstmWorkerData {
  model: LstmParts;
}

/** The job posted to the worker once the capture's rows are shared. */
export interface LstmThreadData {
  rows: SharedRows;
  labelVector: Float64Array;
  /**
   * The sequences to score (fillDistinct: shared memory, so the worker reads it without a copy); only
   * its first PUBLISHED entries are set, all of them once ALL_PUBLISHED is 1.
   */
  order: Int32Array;
  control: SharedArrayBuffer;
  /** One float64 per chunk: its maximum score, valid once its finished flag is set. */
  results: SharedArrayBuffer;
  /** The worker's failure, if any, comes back on this port (read synchronously here). */
  port: MessagePort;
}

export interface LstmThreadFailure {
  message: string;
  exitCode: ExitCodeValue | undefined;
}

/** A chunk's finished flag: 0 not finished, else who scored it. */
export const BY_THIS_THREAD = 1;
export const BY_WORKER = 2;

/**
 * Claims chunks of the sequences in `order` until none is left, scoring each and publishing its maximum.
 * Both threads run this; a chunk not yet wholly published is waited for (only the worker claims one then).
 */
export function scoreChunks(
  lstm: LstmCore,
  rows: RowSource | readonly Float64Array[],
  labelVector: Float64Array,
  order: Int32Array,
  control: Int32Array,
  results: Float64Array,
  by: typeof BY_THIS_THREAD | typeof BY_WORKER,
): void {
  for (;;) {
    const c = Atomics.add(control, NEXT, 1);
    const published = publishedFor(control, c);
    if (published < 0) return;
    results[c] = scoreChunk(lstm, rows, labelVector, order, published, c);
    Atomics.store(control, FINISHED + c, by);
  }
}

/** How many entries of `order` are published once chunk c is wholly among them; -1: c is past the end. */
function publishedFor(control: Int32Array, c: number): number {
  const end = (c + 1) * CHUNK_SEQUENCES;
  for (;;) {
    // The count before the flag: a final flag seen after it means that count was final too.
    const published = Atomics.load(control, PUBLISHED);
    if (Atomics.load(control, ALL_PUBLISHED) !== 0) {
      const final = Atomics.load(control, PUBLISHED);
      return c < Math.ceil(final / CHUNK_SEQUENCES) ? final : -1;
    }
    if (published >= end) return published;
    Atomics.wait(control, PUBLISHED, published, PUBLISH_WAIT_MS);
  }
}

/** Chunk c of the first `count` entries of `order`: the maximum score of its sequences. */
function scoreChunk(
  lstm: LstmCore,
  rows: RowSource | readonly Float64Array[],
  labelVector: Float64Array,
  order: Int32Array,
  count: number,
  c: number,
): number {
  const from = c * CHUNK_SEQUENCES;
  return lstm.scoreRange(rows, from, Math.min(count, from + CHUNK_SEQUENCES), labelVector, order);
}

/**
 * The maximum score (0 when none is higher) over the sequences in `order` (ascending sequence indexes; in
 * a SharedArrayBuffer, else the worker is given a copy), scored on this thread and a worker thread.
 * With `fill`, `order` is empty room: this thread fills it first (fill returns how many entries it set,
 * and calls `publish(count)` as it goes) while the worker scores what is published; without, it is whole.
 * `stats`, when given, receives how many chunks the worker's results were taken from (tests, measurements).
 */
export function scoreOnTwoThreads(
  lstm: LstmCore,
  rows: RowSource | readonly Float64Array[],
  shared: SharedRows,
  labelVector: Float64Array,
  order: Int32Array,
  stats?: { chunks: number; workerChunks: number },
  fill?: (publish: (count: number) => void) => number,
): number {
  if (fill && !(order.buffer instanceof SharedArrayBuffer))
    throw new Error('order to fill: not shared memory');
  const room = Math.ceil(order.length / CHUNK_SEQUENCES);
  const control = new Int32Array(new SharedArrayBuffer((FINISHED + room) * 4));
  const results = new Float64Array(new SharedArrayBuffer(Math.max(room, 1) * 8));
  if (!fill) {
    control[PUBLISHED] = order.length;
    control[ALL_PUBLISHED] = 1;
  }
  const { port1, port2 } = new MessageChannel();
  const data: LstmThreadData = {
    rows: shared,
    labelVector,
    order,
    control: control.buffer as SharedArrayBuffer,
    results: results.buffer as SharedArrayBuffer,
    port: port2,
  };
  const worker = takeWorker(lstm);
  worker.postMessage(data, [port2]);
  try {
    if (fill) {
      const publish = (count: number) => {
        Atomics.store(control, PUBLISHED, count);
        Atomics.notify(control, PUBLISHED);
      };
      const count = fill(publish);
      Atomics.store(control, PUBLISHED, count);
      Atomics.store(control, ALL_PUBLISHED, 1);
      Atomics.notify(control, PUBLISHED);
    }
    const count = Atomics.load(control, PUBLISHED);
    const chunks = Math.ceil(count / CHUNK_SEQUENCES);
    scoreChunks(lstm, rows, labelVector, order, control, results, BY_THIS_THREAD);
    let max = 0;
    let workerChunks = 0;
    for (let c = 0; c < chunks; c++) {
      const by = Atomics.load(control, FINISHED + c);
      if (by === BY_WORKER) workerChunks++;
      const m = by !== 0 ? results[c]! : scoreChunk(lstm, rows, labelVector, order, count, c);
      if (m > max) max = m;
    }
    if (stats) {
      stats.chunks = chunks;
      stats.workerChunks = workerChunks;
    }
    // A worker that has not started yet is given a bounded time to say whether it could (rows it cannot
    // read, a module that failed to load): this thread's result is complete either way.
    Atomics.wait(control, STATE, WORKER_STARTING, START_WAIT_MS);
    if (Atomics.load(control, STATE) === WORKER_FAILED) {
      const failure = receiveMessageOnPort(port1)?.message as LstmThreadFailure | undefined;
      // The worker's own error when it was one a user can act on (same message and exit code); else a bug.
      if (failure?.exitCode !== undefined) throw new NetworkmlError(failure.message, failure.exitCode);
      throw new Error(`the LSTM scoring thread failed: ${failure?.message ?? 'no message'}`);
    }
    return max;
  } finally {
    // No more claims, and no more waiting for entries, if it is still running.
    Atomics.store(control, NEXT, room);
    Atomics.store(control, ALL_PUBLISHED, 1);
    Atomics.notify(control, PUBLISHED);
    port1.close();
    void worker.terminate();
  }
}

/** A worker started ahead of scoring (prestartLstmWorker), with the scorer it was started for. */
let spare: { worker: Worker; lstm: LstmCore; exited: boolean } | null = null;

function startLstmWorker(lstm: LstmCore): Worker {
  const workerData: LstmWorkerData = { model: lstm.parts() };
  const worker = startWorker(siblingModule(import.meta.url, 'lstm-worker'), { workerData });
  worker.unref();
  // Failures come back through the control words and the port; an 'error' event after scoring is moot.
  worker.on('error', () => {});
  return worker;
}

/**
 * Starts the second scoring thread now, while the capture is still being read (issue 14): its module
 * loading and scorer set-up (~0.1 s) then happen on the idle core instead of at the start of scoring, when
 * every millisecond of it is a millisecond of this thread scoring alone. Used by the next two-thread
 * scoring with the same `lstm`; one never used ends with the process (it is unref'd and idle).
 */
export function prestartLstmWorker(lstm: LstmCore): void {
  if (spare && !spare.exited && spare.lstm === lstm) return;
  if (spare) void spare.worker.terminate();
  const entry = { worker: startLstmWorker(lstm), lstm, exited: false };
  entry.worker.once('exit', () => {
    entry.exited = true;
  });
  spare = entry;
}

/**
 * Posts `message` to the worker prestarted for `lstm` (its work while the capture is read, before the
 * scoring job); false when there is none.
 */
export function sendToSpareWorker(lstm: LstmCore, message: unknown, transfer: MessagePort[] = []): boolean {
  const entry = spare;
  if (!entry || entry.exited || entry.lstm !== lstm) return false;
  entry.worker.postMessage(message, transfer);
  return true;
}

/** The prestarted worker when it was started for `lstm` and is alive, else a new one. */
function takeWorker(lstm: LstmCore): Worker {
  const entry = spare;
  spare = null;
  if (entry && !entry.exited && entry.lstm === lstm) return entry.worker;
  if (entry) void entry.worker.terminate();
  return startLstmWorker(lstm);
}
