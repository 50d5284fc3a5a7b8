/**
 * The LSTM's second thread (lstm-threads.ts starts it): builds the same scorer from the weights it is
 * given, opens the shared rows and scores the chunks it claims until none is left.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, ModelError, NetworkmlError } from '../errors.js';
import { fileRowReader, sharedRowReader } from '../features/shared-rows.js';
import { ColumnTable } from '../sessions/columns.js';
import { waitAsync } from '../threads.js';
import {
  EARLY_CHECKED,
  EARLY_ENDED,
  EARLY_ROWS,
  EARLY_RUNNING,
  EARLY_SCORED,
  EARLY_STATE,
  EARLY_STOP,
  type EarlyWork,
  type LstmEarlyData,
  stopEarlyWork,
} from './lstm-background.js';
import { LstmCore } from './lstm-core.js';
import {
  BY_WORKER,
  type LstmThreadData,
  type LstmThreadFailure,
  type LstmWorkerData,
  STATE,
  scoreChunks,
  WORKER_FAILED,
  WORKER_RUNNING,
} from './lstm-threads.js';
import { SequenceMemo } from './sequence-memo.js';

// The scorer is built at start, before the rows exist (the thread may be started while the capture is
// read); a failure here is reported with the job, through its port.
let lstm: LstmCore | null = null;
let startFailure: unknown = null;
try {
  lstm = new LstmCore((workerData as LstmWorkerData).model);
} catch (err) {
  startFailure = err;
}

/** Rows read from the leader's file at a time (88 KiB). */
const EARLY_READ_ROWS = 1024;
/** The lowest priority (nice 19): work while reading takes only a core the read leaves idle. */
const IDLE_PRIORITY = 19;

/** Sets this thread's priority (Linux: per thread); lowering a raised nice needs privileges, so it may fail. */
function trySetPriority(priority: number): void {
  try {
    setPriority(priority);
  } catch {
    // Not permitted: the priority stays as it is.
  }
}

/**
 * The vote leader's sequences while the capture is read (lstm-background.ts), from its rows file as the
 * main thread says they are final, until told to stop: each checked for repeats as soon as it is final
 * (cheap: the main thread then need not), and the new ones scored for every label when none is left to
 * check. Once stopped it posts what it did (EarlyWork).
 */
async function scoreWhileReading(data: LstmEarlyData): Promise<void> {
  const control = new Int32Array(data.control);
  const shared = new Float64Array(data.maxByLabel);
  Atomics.store(control, EARLY_STATE, EARLY_RUNNING);
  trySetPriority(IDLE_PRIORITY);
  try {
    const scorer = lstm;
    if (!scorer || scorer.inputSize !== data.width) return;
    const { seqLen, inputSize } = scorer;
    const block = new Float64Array(seqLen * inputSize);
    const rows = Array.from({ length: seqLen }, (_, t) => block.subarray(t * inputSize, (t + 1) * inputSize));
    const readRow = fileRowReader(data.fd, data.stored, inputSize, EARLY_READ_ROWS);
    /** Reads sequence s's rows (all final: below `final`) into `rows`. */
    const readSequence = (s: number, final: number): void => {
      for (let t = 0; t < seqLen; t++) readRow(s * seqLen + t, rows[t]!, final);
    };
    const memo = new SequenceMemo(inputSize, seqLen);
    const maxByLabel = new Float64Array(shared.length);
    const distinctRows = new ColumnTable(1024);
    const distinct = distinctRows.int();
    let found = 0;
    let checked = 0;
    let scored = 0;
    for (;;) {
      if (Atomics.load(control, EARLY_STOP) !== 0) {
        const work: EarlyWork = { checked, pending: distinct.data.slice(scored, found), memo: memo.toData() };
        data.port.postMessage(work);
        return;
      }
      const final = Atomics.load(control, EARLY_ROWS);
      if ((checked + 1) * seqLen <= final) {
        readSequence(checked, final);
        for (let t = 0; t < seqLen; t++) memo.setRow(t, rows[t]!);
        if (!memo.seenBefore()) {
          distinctRows.ensure(found + 1);
          distinct.data[found++] = checked;
        }
        checked++;
      } else if (scored < found) {
        readSequence(distinct.data[scored]!, final);
        scorer.scoreSequenceByLabel(rows, 0, maxByLabel);
        // Published as the maxima of the first `scored` new sequences (read once this thread has stopped).
        for (let l = 0; l < maxByLabel.length; l++) shared[l] = maxByLabel[l]!;
        scored++;
        Atomics.store(control, EARLY_SCORED, scored);
      } else {
        const wait = waitAsync(control, EARLY_ROWS, final, 1000);
        if (wait.async) await wait.value;
      }
      Atomics.store(control, EARLY_CHECKED, checked);
    }
  } catch {
    // The file could not be read (closed: the rows were dropped): nothing is posted, nothing is used.
  } finally {
    trySetPriority(0);
    data.port.close();
    Atomics.store(control, EARLY_STATE, EARLY_ENDED);
    Atomics.notify(control, EARLY_STATE);
  }
}

/** The job once the capture's rows are shared: score the chunks claimed until none is left. */
function score(data: LstmThreadData): void {
  const control = new Int32Array(data.control);
  trySetPriority(0);
  try {
    if (!lstm) throw startFailure;
    const rows = sharedRowReader(data.rows);
    if (rows.width !== lstm.inputSize) {
      throw new ModelError(
        `session vector has ${rows.width} values, the sos-lstm model expects ${lstm.inputSize}`,
      );
    }
    Atomics.store(control, STATE, WORKER_RUNNING);
    Atomics.notify(control, STATE);
    scoreChunks(lstm, rows, data.labelVector, data.order, control, new Float64Array(data.results), BY_WORKER);
  } catch (err) {
    const failure: LstmThreadFailure = {
      message: errorMessage(err),
      exitCode: err instanceof NetworkmlError ? err.exitCode : undefined,
    };
    // The message is queued before the state says so: the other thread reads it as soon as it sees FAILED.
    data.port.postMessage(failure);
    Atomics.store(control, STATE, WORKER_FAILED);
    Atomics.notify(control, STATE);
  } finally {
    data.port.close();
    // Nothing else comes: the thread ends (the parent terminates it too).
    parentPort!.close();
  }
}

/** The work while reading under way, if any: a new capture's stops it (one at a time per thread). */
let reading: Int32Array | null = null;

parentPort!.on('message', (message: LstmThreadData | { early: LstmEarlyData }) => {
  if ('early' in message) {
    if (reading) stopEarlyWork(reading);
    reading = new Int32Array(message.early.control);
    void scoreWhileReading(message.early);
  } else {
    score(message);
  }
});
