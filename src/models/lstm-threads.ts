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

/** Int32 control words: the next unclaimed chunk, the worker's state, then one "finished" flag per chunk. */
const NEXT = 0;
export const STATE = 1;
const FINISHED = 2;
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
  /** The sequences to score (distinctSequences: shared memory, so the worker reads it without a copy). */
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
 * Both threads run this.
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
  const chunks = Math.ceil(order.length / CHUNK_SEQUENCES);
  for (;;) {
    const c = Atomics.add(control, NEXT, 1);
    if (c >= chunks) return;
    results[c] = scoreChunk(lstm, rows, labelVector, order, c);
    Atomics.store(control, FINISHED + c, by);
  }
}

function scoreChunk(
  lstm: LstmCore,
  rows: RowSource | readonly Float64Array[],
  labelVector: Float64Array,
  order: Int32Array,
  c: number,
): number {
  const from = c * CHUNK_SEQUENCES;
  return lstm.scoreRange(rows, from, Math.min(order.length, from + CHUNK_SEQUENCES), labelVector, order);
}

/**
 * The maximum score (0 when none is higher) over the sequences in `order` (ascending sequence indexes; in
 * a SharedArrayBuffer, else the worker is given a copy), scored on this thread and a worker thread.
 * `stats`, when given, receives how many chunks the worker's results were taken from (tests, measurements).
 */
export function scoreOnTwoThreads(
  lstm: LstmCore,
  rows: RowSource | readonly Float64Array[],
  shared: SharedRows,
  labelVector: Float64Array,
  order: Int32Array,
  stats?: { chunks: number; workerChunks: number },
): number {
  const chunks = Math.ceil(order.length / CHUNK_SEQUENCES);
  const control = new Int32Array(new SharedArrayBuffer((FINISHED + chunks) * 4));
  const results = new Float64Array(new SharedArrayBuffer(chunks * 8));
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
    scoreChunks(lstm, rows, labelVector, order, control, results, BY_THIS_THREAD);
    let max = 0;
    let workerChunks = 0;
    for (let c = 0; c < chunks; c++) {
      const by = Atomics.load(control, FINISHED + c);
      if (by === BY_WORKER) workerChunks++;
      const m = by !== 0 ? results[c]! : scoreChunk(lstm, rows, labelVector, order, c);
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
    Atomics.store(control, NEXT, chunks); // no more claims, if it is still running
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

/** The prestarted worker when it was started for `lstm` and is alive, else a new one. */
function takeWorker(lstm: LstmCore): Worker {
  const entry = spare;
  spare = null;
  if (entry && !entry.exited && entry.lstm === lstm) return entry.worker;
  if (entry) void entry.worker.terminate();
  return startLstmWorker(lstm);
}
