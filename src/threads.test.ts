import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { exitCode } from './test-helpers/worker-exits.js';
import { siblingModule, startWorker, stopWorker } from './threads.js';

it('a worker stopped while it is still starting is not terminated: it ends by itself once started', async () => {
  // From the sources a worker loads tsx and the pipeline first (~1 s): it is stopped long before it listens.
  const worker = startWorker(siblingModule(import.meta.url, 'pipeline/pool-worker'));
  const code = exitCode(worker);
  await stopWorker(worker);
  assert.equal(await code, 0, 'it ran and ended by itself (terminated: 1 while running, -1 before)');
  await stopWorker(worker); // an exited worker: resolves at once
});

it('a worker that does not end by itself is terminated after the grace time', async () => {
  const worker = new Worker('setInterval(() => {}, 1000);', { eval: true });
  const code = new Promise((resolve) => worker.once('exit', resolve));
  const started = Date.now();
  await stopWorker(worker, 300);
  assert.equal(await code, 1);
  assert.ok(Date.now() - started < 5000);
});
