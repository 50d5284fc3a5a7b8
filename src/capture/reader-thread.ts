/**
 * Reading on a second thread: the worker (reader-worker.ts) reads, decodes and packs every IP packet (or
 * every packet) into a shared ring of fixed-size records (ring.ts, packed.ts); this thread takes them in
 * batches. A per-packet extractor can run on the worker too, on the records it packs (`ReaderExtractor`): its
 * result comes back once, at the end. The summary, warnings and errors come back as the one-thread reader
 * gives them (same messages, same error classes and exit codes).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { CaptureError, type ExitCodeValue, NetworkmlError } from '../errors.js';
import { siblingModule, startWorker } from '../threads.js';
import type { PackedRecords } from './packed.js';
import {
  type CaptureSummary,
  type CaptureWarning,
  CorruptCaptureError,
  type ReadOptions,
} from './reader-api.js';
import { createRingBuffer, RingReader, RingState } from './ring.js';

/** Smaller captures are read on the calling thread: starting the reader thread costs more than it saves. */
export const READER_THREAD_MIN_BYTES = 16 * 1024 * 1024;

/** Records in the ring (104 bytes each: 3.25 MiB). */
const RING_RECORDS = 32 * 1024;
/** Batches taken between two yields to the event loop (signals, the worker's messages). */
const BATCHES_PER_YIELD = 64;
/** Slices of idle work (~0.1 ms each) between two yields to the event loop. */
const SLICES_PER_YIELD = 64;

/**
 * Per-packet work on the reader thread. A module whose `createReaderExtractor(options)` returns one is
 * named by URL in `ReaderThreadOptions.extractor`; the worker feeds it every packet (IP or not) in capture
 * order, packed, until the end or a stop.
 */
export interface ReaderExtractor {
  /**
   * Every packet read, in order, as record i of `records` (packed.ts; the ring's record, or a scratch one
   * for a non-IP packet the ring does not carry): valid only during the call.
   */
  addPacked(records: PackedRecords, i: number): void;
  /**
   * The result, sent back by structured clone (called once, after the last packet), and the buffers in it
   * to move rather than copy (unusable on the reader thread afterwards).
   */
  finish(): { result: unknown; transfer: ArrayBuffer[] };
  /** Frees what the result would have held (temporary files) when reading failed. */
  dispose(): void;
}

export interface ReaderThreadOptions {
  /** Pack every decoded packet, non-IP ones too (version 0), for consumers that read them. */
  nonIp?: boolean;
  /** An extractor run on the reader thread, and who takes its result (on this thread, once). */
  extractor?: { module: URL; options: unknown; onResult: (result: unknown) => void };
  /**
   * On a corrupt record after packets, also finish the extractor and hand its result (of the packets before
   * the record) to `extractor.onResult` before the CorruptCaptureError is thrown: the caller keeps what came
   * before it (AnalyzeOptions.partialOnCorrupt). Otherwise the extractor's work is dropped with the error.
   */
  partial?: boolean;
  /**
   * Work for this thread instead of sleeping while less than half the ring is filled: one short slice
   * (~0.1 ms) a call, false when there is none now (it then sleeps as usual).
   */
  idle?: () => boolean;
}

export interface ReaderThreadData {
  path: string;
  name: string;
  buffer: SharedArrayBuffer;
  nonIp: boolean;
  extractor: { module: string; options: unknown } | null;
  /** ReaderThreadOptions.partial. */
  partial: boolean;
}

export type ReaderThreadMessage =
  | { type: 'warning'; warning: CaptureWarning }
  | { type: 'done'; summary: CaptureSummary; extracted: unknown }
  | {
      type: 'error';
      kind: 'capture' | 'networkml' | 'other';
      message: string;
      offset: number | undefined;
      /** CaptureError.code. */
      code?: string;
      exitCode: ExitCodeValue | undefined;
      /** A corrupt record after packets: what came before it (CorruptCaptureError.partial). */
      partial?: CaptureSummary;
      /** Then, with ReaderThreadOptions.partial, the extractor's result of the packets before it. */
      extracted?: unknown;
    };

/** The error the one-thread reader would have thrown, class included. */
function rebuild(m: Extract<ReaderThreadMessage, { type: 'error' }>): Error {
  if (m.kind === 'capture' && m.partial) return new CorruptCaptureError(m.message, m.offset ?? 0, m.partial);
  if (m.kind === 'capture') return new CaptureError(m.message, m.offset, m.code);
  if (m.kind === 'networkml') return new NetworkmlError(m.message, m.exitCode);
  return new Error(m.message);
}

/**
 * Reads the capture file at `path` on a worker thread and calls `onRecord` with each IP packet, packed
 * (non-IP packets are counted in the summary only, unless `thread.nonIp`), in capture order. Resolves with
 * the summary the one-thread `readCapture` gives; rejects with the error it would throw. `options.signal`
 * stops reading (a reader-thread extractor then has seen the packets read so far, which can be up to a
 * ring's worth more than `onRecord` was given).
 */
export async function readCaptureOnThread(
  path: string,
  onRecord: (records: PackedRecords, index: number) => void,
  options: ReadOptions = {},
  thread: ReaderThreadOptions = {},
): Promise<CaptureSummary> {
  const buffer = createRingBuffer(RING_RECORDS);
  const extractor = thread.extractor;
  const data: ReaderThreadData = {
    path,
    name: options.name ?? path,
    buffer,
    nonIp: thread.nonIp ?? false,
    extractor: extractor ? { module: extractor.module.href, options: extractor.options } : null,
    partial: thread.partial ?? false,
  };
  const spareWorker = takeSpare();
  const worker = spareWorker ?? startWorker(readerWorkerUrl(), { workerData: data });
  if (spareWorker) {
    spareWorker.ref();
    spareWorker.postMessage(data);
  }
  const reader = new RingReader(buffer);
  let outcome: Exclude<ReaderThreadMessage, { type: 'warning' }> | null = null;
  let crash: Error | null = null;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  worker.on('message', (m: ReaderThreadMessage) => {
    if (m.type === 'warning') {
      options.onWarning?.(m.warning);
      return;
    }
    outcome = m;
    // Taken at once, so what it holds (a temporary file) has an owner even if reading then fails here.
    if (m.type === 'done' && extractor) extractor.onResult(m.extracted);
    if (m.type === 'error' && m.extracted !== undefined && extractor) extractor.onResult(m.extracted);
    settle();
  });
  worker.on('error', (err) => {
    crash ??= err;
    reader.wake();
    settle();
  });
  worker.on('exit', (code) => {
    if (outcome === null) crash ??= new Error(`the capture reader thread stopped (exit code ${code})`);
    reader.wake();
    settle();
  });
  const signal = options.signal;
  const idle = thread.idle;
  try {
    let batches = 0;
    let slices = 0;
    for (;;) {
      if (signal?.aborted) {
        reader.stop();
        break;
      }
      // The records are taken when half the ring is filled, as after a sleep; till then, the idle work.
      if (
        idle &&
        crash === null &&
        reader.state === RingState.RUNNING &&
        reader.pending < reader.capacity / 2 &&
        idle()
      ) {
        if (++slices % SLICES_PER_YIELD === 0) await yieldToLoop();
        continue;
      }
      if (reader.drain(onRecord) > 0) {
        if (++batches % BATCHES_PER_YIELD === 0) await yieldToLoop();
        continue;
      }
      if (reader.state !== RingState.RUNNING) {
        if (reader.empty) break;
        continue;
      }
      if (crash !== null) throw crash;
      await reader.waitForRecords(reader.capacity / 2, 100);
    }
    await settled;
    if (crash !== null && outcome === null) throw crash;
    const result = outcome as Exclude<ReaderThreadMessage, { type: 'warning' }> | null;
    if (result === null) throw new Error('the capture reader thread ended without a result');
    if (result.type === 'error') throw rebuild(result);
    return result.summary;
  } finally {
    reader.stop();
    await worker.terminate();
  }
}

function readerWorkerUrl(): URL {
  return siblingModule(import.meta.url, 'reader-worker');
}

/** A reader thread started before its capture is known (prestartReaderThread). */
let spare: { worker: Worker; exited: boolean } | null = null;

/**
 * Starts the next reader thread now, to be told its capture when reading starts (issue 14): its start-up
 * (a V8 isolate, the reader's modules) then overlaps the caller's own (loading the models) instead of
 * delaying the first packet. One never used ends with the process (it is unref'd and idle).
 */
export function prestartReaderThread(): void {
  if (spare && !spare.exited) return;
  const entry = { worker: startWorker(readerWorkerUrl(), { workerData: null }), exited: false };
  entry.worker.unref();
  // A failure to start comes back as the fresh worker's would: this one is then not used.
  entry.worker.on('error', () => {});
  entry.worker.once('exit', () => {
    entry.exited = true;
  });
  spare = entry;
}

/** Whether a prestarted reader thread waits for its capture (tests). */
export function spareReaderThread(): boolean {
  return spare !== null && !spare.exited;
}

function takeSpare(): Worker | null {
  const entry = spare;
  spare = null;
  return entry && !entry.exited ? entry.worker : null;
}
