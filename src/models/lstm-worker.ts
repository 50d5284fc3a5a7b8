/**
 * The LSTM's second thread (lstm-threads.ts starts it): builds the same scorer from the weights it is
 * given, opens the shared rows and scores the chunks it claims until none is left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, ModelError, NetworkmlError } from '../errors.js';
import { sharedRowReader } from '../features/shared-rows.js';
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

// The scorer is built at start, before the rows exist (the thread may be started while the capture is
// read); a failure here is reported with the job, through its port.
let lstm: LstmCore | null = null;
let startFailure: unknown = null;
try {
  lstm = new LstmCore((workerData as LstmWorkerData).model);
} catch (err) {
  startFailure = err;
}

parentPort!.once('message', (data: LstmThreadData) => {
  const control = new Int32Array(data.control);
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
});
