import { parentPort } from 'node:worker_threads';
import { type JobName, runJob } from './jobs.js';
import { settle } from './pool.js';

parentPort?.on('message', async (msg: { name: JobName; input: never }) => {
  parentPort?.postMessage(await settle(() => runJob(msg.name, msg.input)));
});
