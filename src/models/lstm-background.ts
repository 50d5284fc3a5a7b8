/**
 * The capture device's first LSTM sequences, checked and scored on the LSTM's second thread while the
 * capture is read (issue 14). EarlySequences (lstm-early.ts) scores them on this thread when it waits for
 * the reader; on a long capture this thread is rarely idle, but the other core is, for a quarter or a third
 * of the read. So once the vote leader's rows go to a temporary file (the capture is long), the second
 * thread, started ahead of scoring and at the lowest priority (it takes only idle time), reads them from
 * that file as bins close: it checks each sequence for repeats as soon as its rows are final, and scores
 * the new ones for every label when it has caught up. The same argument as EarlySequences makes the result
 * exact: the leader's rows written so far are the first rows of its final rows, so if it is the device in
 * the end, the maximum for its label over the sequences scored is part of the answer.
 *
 * Whatever the thread does or fails to do, the result is the same: after the read this thread stops it and
 * takes what it did (how many sequences it checked, its memo of them, the new ones it had no time to score)
 * and scores the rest itself; a thread that did not answer gives nothing, and everything is scored here. The
 * work is used only when the file the thread read is the very one the device's rows end up in (never closed:
 * the leader never lost its lead once its rows were on file).
 */

import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import {
  type LeaderRowsFile,
  type ProvisionalRows,
  ROW_STORED,
  SESSION_VECTOR_LENGTH,
} from '../features/session-vectors.js';
import type { LstmCore } from './lstm-core.js';
import type { ScoredPrefix } from './lstm-early.js';
import { sendToSpareWorker } from './lstm-threads.js';
import { SequenceMemo, type SequenceMemoData } from './sequence-memo.js';

/** Int32 control words shared with the second thread. */
export const EARLY_ROWS = 0; // rows of the file that are final (this thread)
export const EARLY_STOP = 1; // 1: stop (this thread)
export const EARLY_CHECKED = 2; // sequences from the first checked for repeats (the second thread)
export const EARLY_SCORED = 3; // new sequences among them scored (the second thread)
export const EARLY_STATE = 4; // EARLY_NOT_STARTED, EARLY_RUNNING, then EARLY_ENDED (the second thread)
const CONTROL_WORDS = 5;
export const EARLY_NOT_STARTED = 0;
export const EARLY_RUNNING = 1;
export const EARLY_ENDED = 2;
/** Asks the work on `control` to stop (wakes the second thread if it waits for rows). */
export function stopEarlyWork(control: Int32Array): void {
  Atomics.store(control, EARLY_STOP, 1);
  Atomics.notify(control, EARLY_ROWS);
}

/** How long scoring waits for the second thread to finish its sequence and stop (it may be starved). */
const STOP_WAIT_MS = 1000;
/** How long NETWORKML_DEBUG_LSTM_WAIT lets scoring wait for the second thread to catch up, and to stop. */
const WAIT_FOR_CATCH_UP_MS = 60_000;

/** The message that starts the second thread's work while reading (lstm-worker.ts). */
export interface LstmEarlyData {
  control: SharedArrayBuffer;
  /** Float64 per label (model order): the maximum over the first EARLY_SCORED new sequences. */
  maxByLabel: SharedArrayBuffer;
  fd: number;
  /** Values stored per row in the file, and the row width they expand to (the rest zero). */
  stored: number;
  width: number;
  /** Where the thread, once stopped, posts what it did (EarlyWork). */
  port: MessagePort;
}

/**
 * What the second thread did, posted once it stopped: sequences [0, checked) were checked for repeats
 * (`memo` knows them); of the new ones, those in `pending` (ascending) are not scored, the others are, and
 * their maxima are the shared maxByLabel.
 */
export interface EarlyWork {
  checked: number;
  pending: Int32Array;
  memo: SequenceMemoData;
}

export class BackgroundSequences {
  private followed: { ip: string | undefined; file: LeaderRowsFile } | null = null;
  private ended = false;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly maxByLabel: Float64Array;
  private port: MessagePort | null = null;

  constructor(private readonly lstm: LstmCore) {
    this.maxByLabel = new Float64Array(new SharedArrayBuffer(8 * lstm.labelOrder.length));
  }

  /** True while the second thread follows the leader's rows (EarlySequences then leaves them to it). */
  get following(): boolean {
    return this.followed !== null && !this.ended;
  }

  /** After each bin: tells the second thread how many of the leader's rows on file are final. */
  binAdded(rows: ProvisionalRows): void {
    if (this.ended) return;
    const leader = rows.leaderFile?.() ?? null;
    const followed = this.followed;
    if (followed === null) {
      if (leader === null) return;
      const { port1, port2 } = new MessageChannel();
      const early: LstmEarlyData = {
        control: this.control.buffer as SharedArrayBuffer,
        maxByLabel: this.maxByLabel.buffer as SharedArrayBuffer,
        fd: leader.file.fd,
        stored: ROW_STORED,
        width: SESSION_VECTOR_LENGTH,
        port: port2,
      };
      // A model of another input width scores nothing ahead (as EarlySequences); no spare thread, no work.
      if (
        this.lstm.inputSize !== SESSION_VECTOR_LENGTH ||
        !sendToSpareWorker(this.lstm, { early }, [port2])
      ) {
        port1.close();
        this.ended = true;
        return;
      }
      this.port = port1;
      this.followed = { ip: rows.addressText(leader.address), file: leader.file };
    } else if (leader === null || leader.file !== followed.file) {
      // Another leader: these rows are dropped, and no other leader's rows go to a file during this read.
      this.stop();
      return;
    }
    Atomics.store(this.control, EARLY_ROWS, leader.file.rows);
    Atomics.notify(this.control, EARLY_ROWS);
  }

  private stop(): void {
    this.ended = true;
    stopEarlyWork(this.control);
  }

  /**
   * With NETWORKML_DEBUG_LSTM_WAIT set, scoring first waits (at most WAIT_FOR_CATCH_UP_MS) until the second
   * thread has started and checked every sequence the read made final, and as long for it to stop. How much
   * it does otherwise depends on the machine's load (it runs at the lowest priority, and a loaded machine may
   * not start it before a short read ends); the wait makes its share the same on every machine, for tests of
   * the hand-over.
   */
  private waitForCatchUp(): void {
    const deadline = Date.now() + WAIT_FOR_CATCH_UP_MS;
    for (;;) {
      const state = Atomics.load(this.control, EARLY_STATE);
      if (state === EARLY_ENDED || Date.now() > deadline) return;
      const final = Math.floor(Atomics.load(this.control, EARLY_ROWS) / this.lstm.seqLen);
      if (state === EARLY_RUNNING && Atomics.load(this.control, EARLY_CHECKED) >= final) return;
      Atomics.wait(this.control, EARLY_STATE, state, 10);
    }
  }

  /** Sequences the second thread checked, and the new ones among them it scored, so far. */
  get progress(): { checked: number; scored: number } {
    return {
      checked: Atomics.load(this.control, EARLY_CHECKED),
      scored: Atomics.load(this.control, EARLY_SCORED),
    };
  }

  /**
   * Stops the second thread and gives what it did, if it holds for the capture's device `sourceIp` and the
   * scorer `lstm`; else null. Call after the read, before the device's rows are scored.
   */
  prefixFor(lstm: LstmCore, sourceIp: string | null): ScoredPrefix | null {
    const followed = this.followed;
    if (followed === null) return null;
    const waitForIt = Boolean(process.env.NETWORKML_DEBUG_LSTM_WAIT);
    if (waitForIt) this.waitForCatchUp();
    this.stop();
    // A thread that has not started on it (still loading, or starved) did nothing: it is not waited for.
    if (Atomics.load(this.control, EARLY_STATE) === EARLY_NOT_STARTED) {
      this.port?.close();
      this.port = null;
      return null;
    }
    // Its last sequence finishes first (well under a millisecond); one that does not stop in time is ignored.
    Atomics.wait(this.control, EARLY_STATE, EARLY_RUNNING, waitForIt ? WAIT_FOR_CATCH_UP_MS : STOP_WAIT_MS);
    const port = this.port;
    this.port = null;
    const ended = Atomics.load(this.control, EARLY_STATE) === EARLY_ENDED;
    const work = ended && port ? (receiveMessageOnPort(port)?.message as EarlyWork | undefined) : undefined;
    port?.close();
    if (
      !work ||
      lstm !== this.lstm ||
      followed.file.closed ||
      sourceIp === null ||
      followed.ip !== sourceIp
    ) {
      return null;
    }
    if (work.checked === 0 || work.memo.width !== lstm.inputSize || work.memo.seqLen !== lstm.seqLen)
      return null;
    return {
      sequences: work.checked,
      maxByLabel: Float64Array.from(this.maxByLabel),
      memo: SequenceMemo.fromData(work.memo),
      pending: work.pending,
    };
  }
}
