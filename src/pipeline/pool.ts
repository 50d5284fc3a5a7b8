import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import type { JobInput, JobName, JobOutput } from './jobs.js';
import { runJob } from './jobs.js';

export interface PoolOptions {
  /** Worker threads at most (default: one per core). 1 runs in this thread. */
  threads?: number;
  /** Called after each item finishes, in completion order (for progress bars). */
  onDone?: (index: number) => void;
}

type Settled<N extends JobName> =
  | { ok: true; value: JobOutput<N> }
  | { ok: false; error: string; exitCode: number };

/**
 * Runs one job per input on worker threads and returns the outcomes in INPUT order, whatever order they
 * finish in. A failing input does not stop the others: its outcome carries the one-line error.
 */
export async function runJobs<N extends JobName>(
  name: N,
  inputs: JobInput<N>[],
  options: PoolOptions = {},
): Promise<Settled<N>[]> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), inputs.length));
  const results = new Array<Settled<N>>(inputs.length);
  if (threads === 1) {
    for (let i = 0; i < inputs.length; i++) {
      results[i] = await settle(() => runJob(name, inputs[i]!));
      options.onDone?.(i);
    }
    return results;
  }
  let next = 0;
  const workerUrl = new URL(
    import.meta.url.endsWith('.ts') ? './pool-worker.ts' : './pool-worker.js',
    import.meta.url,
  );
  await Promise.all(
    Array.from({ length: threads }, async () => {
      const worker = startWorker(workerUrl);
      try {
        while (next < inputs.length) {
          const i = next++;
          results[i] = await new Promise<Settled<N>>((resolve, reject) => {
            const onMessage = (msg: Settled<N>) => {
              worker.off('error', reject);
              resolve(msg);
            };
            worker.once('message', onMessage);
            worker.once('error', reject);
            worker.postMessage({ name, input: inputs[i] });
          });
          options.onDone?.(i);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}

/** The outcome of one job; anything but a NetworkmlError is a bug and says so. */
export async function settle<T>(
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string; exitCode: number }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const message = errorMessage(err);
    return err instanceof NetworkmlError
      ? { ok: false, error: message, exitCode: err.exitCode }
      : { ok: false, error: `internal error: ${message}`, exitCode: ExitCode.INTERNAL };
  }
}

/** From TypeScript sources (tests, development) the worker registers the tsx loader before importing. */
function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}
