/**
 * The LSTM's second thread (lstm-threads.ts starts it): builds the same scorer from the weights it is
 * given, opens the shared rows and scores the chunks it claims until none is left.
 */
import { workerData } from 'node:worker_threads';
import { errorMessage, ModelError, NetworkmlError } from '../errors.js';
import { sharedRowReader } from '../features/shared-rows.js';
import { LstmCore } from './lstm-core.js';
import {
  BY_WORKER,
  type LstmThreadData,
  type LstmThreadFailure,
  STATE,
  scoreChunks,
  WORKER_FAILED,
  WORKER_RUNNING,
} from './lstm-threads.js';

const data = workerData as LstmThreadData;
const control = new Int32Array(data.control);
try {
  const lstm = new LstmCore(data.model);
  const rows = sharedRowReader(data.rows);
  if (rows.width !== lstm.inputSize) {
    throw new ModelError(
      `session vector has ${rows.width} values, the sos-lstm model expects ${lstm.inputSize}`,
    );
  }
  Atomics.store(control, STATE, WORKER_RUNNING);
  Atomics.notify(control, STATE);
  scoreChunks(
    lstm,
    rows,
    data.labelVector,
    data.sequences,
    control,
    new Float64Array(data.results),
    BY_WORKER,
  );
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
}
