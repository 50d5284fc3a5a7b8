import type { Worker } from 'node:worker_threads';

/**
 * Watches the worker threads this thread starts while `run` runs, and resolves with how each one ended,
 * once every one has: its exit code (0 when it ended by itself, 1 when terminated while running) or -1 when
 * it never ran (terminated before it started, which also exits with code 0).
 */
export async function workerExitCodes<T>(run: () => Promise<T> | T): Promise<{ value: T; codes: number[] }> {
  const exits: Promise<number>[] = [];
  const onWorker = (w: Worker) => exits.push(exitCode(w));
  process.on('worker', onWorker);
  try {
    const value = await run();
    await new Promise((resolve) => setImmediate(resolve)); // 'worker' is emitted on the next tick
    return { value, codes: await Promise.all(exits) };
  } finally {
    process.off('worker', onWorker);
  }
}

/** How `worker` ends, as workerExitCodes says; watch from before it is online. */
export function exitCode(worker: Worker): Promise<number> {
  let online = false;
  worker.once('online', () => {
    online = true;
  });
  return new Promise((resolve) => worker.once('exit', (code: number) => resolve(online ? code : -1)));
}
