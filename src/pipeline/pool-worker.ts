import { parentPort } from 'node:worker_threads';
import { receiveUntilStop } from '../threads.js';
import { type JobName, runJob } from './jobs.js';
import { settle } from './pool.js';

// The pool stops a worker after its last job (stopWorker): the port closes and the thread ends by itself.
receiveUntilStop(async (msg: { name: JobName; input: never }) => {
  parentPort!.postMessage(await settle(() => runJob(msg.name, msg.input)));
});
