import { parentPort, Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a module URL. From TypeScript sources (tests, development) the worker registers the
 * tsx loader before importing the module.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** The URL of a sibling module, as built (.js) or as source (.ts) like the caller. */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(callerUrl.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, callerUrl);
}

/** Atomics.waitAsync (Node 16+; not in the ES2022 lib this project compiles against). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
export const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The message that asks one of our workers to end by itself (receiveUntilStop, stopWorker). */
const WORKER_STOP = 'networkml:stop';
/** How long stopWorker waits for a worker to end by itself before it is terminated. */
const STOP_GRACE_MS = 10_000;

/**
 * Ends `worker` the way it ends by itself, not with terminate(). A rare abort of the whole process (about
 * once in 2,000 eval batches under load on Node 20: "NodePlatform::ForIsolate ... (data.first) != nullptr",
 * a worker's V8 isolate disposed with a background compile job still in flight; not reproduced on demand)
 * loses every result; disposing a worker only once it is idle leaves that race the least room. The worker
 * gets WORKER_STOP (receiveUntilStop closes its port once it is listening, so it ends when idle);
 * terminate() is only the fallback for one still running after `graceMs` (a bug). Resolves when it has
 * exited.
 */
export function stopWorker(worker: Worker, graceMs = STOP_GRACE_MS): Promise<void> {
  if (worker.threadId === -1) return Promise.resolve(); // already exited
  worker.ref(); // a process that ended before it would tear it down mid-way
  worker.postMessage(WORKER_STOP);
  // The fallback does not keep the process alive by itself: the ref'd worker does, until it exits.
  const fallback = setTimeout(() => void worker.terminate(), graceMs);
  fallback.unref();
  return new Promise<void>((resolve) =>
    worker.once('exit', () => {
      clearTimeout(fallback);
      resolve();
    }),
  );
}

/**
 * In a worker: hands each message from the parent to `handle` until WORKER_STOP, which closes the port, so
 * the thread ends by itself once idle.
 */
export function receiveUntilStop<T>(handle: (message: T) => void): void {
  const port = parentPort!;
  port.on('message', (message: T | typeof WORKER_STOP) => {
    if (message === WORKER_STOP) port.close();
    else handle(message);
  });
}
