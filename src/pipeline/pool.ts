import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { siblingModule, startWorker, stopWorker } from '../threads.js';
import type { JobInput, JobName, JobOutput } from './jobs.js';
import { runJob } from './jobs.js';

export interface PoolOptions {
  /** Worker threads at most (default: one per core). 1 runs in this thread. */
  threads?: number;
  /** Called after each item finishes, in completion order (for progress bars). */
  onDone?: (index: number) => void;
  /** Heap limit (MiB) of each worker thread: one capture that needs more fails alone, with a one-line error. */
  workerHeapMb?: number;
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
  const results = new Array<Settled<N>>(inputs.length);
  const inline = async (i: number) => {
    results[i] = await settle(() => runJob(name, inputs[i]!));
    options.onDone?.(i);
  };
  // A worker thread's process.stdin is not this process's standard input (it reads as empty): '-' is read
  // here, whatever the thread count, while the workers take the files.
  const queue: number[] = [];
  const here: number[] = [];
  for (let i = 0; i < inputs.length; i++) (describe(inputs[i]) === '-' ? here : queue).push(i);
  const requested = Math.max(1, options.threads ?? availableParallelism());
  const threads = Math.min(requested, queue.length);
  if (requested === 1 || threads === 0 || (threads === 1 && here.length === 0)) {
    for (let i = 0; i < inputs.length; i++) await inline(i);
    return results;
  }
  let next = 0;
  const workerUrl = siblingModule(import.meta.url, 'pool-worker');
  const heap = options.workerHeapMb;
  const alive = new Set<Worker>();
  const start = () => {
    const worker = startWorker(workerUrl, heap ? { resourceLimits: { maxOldGenerationSizeMb: heap } } : {});
    alive.add(worker);
    worker.once('exit', () => alive.delete(worker));
    // A worker failing between jobs must not throw in this thread: the 'exit' that follows marks it dead.
    worker.on('error', () => {});
    return worker;
  };
  const onHere = async () => {
    for (const i of here) await inline(i);
  };
  await Promise.all([
    ...Array.from({ length: threads }, async () => {
      let worker = start();
      try {
        while (next < queue.length) {
          const i = queue[next++]!;
          if (!alive.has(worker)) worker = start();
          const { settled, dead } = await runOn<N>(worker, name, inputs[i]!);
          results[i] = settled;
          // A worker that died (out of memory, a crash) takes only its own input with it: a new one
          // takes the next, so no other result is lost and nothing waits for an answer that cannot come.
          if (dead) {
            await stopWorker(worker);
            worker = start();
          }
          options.onDone?.(i);
        }
      } finally {
        // Not terminate(): this worker may still be starting (the other took every input) or compiling.
        await stopWorker(worker);
      }
    }),
    onHere(),
  ]);
  return results;
}

/** Runs one job on `worker`; `dead` when the worker failed or stopped instead of answering. */
function runOn<N extends JobName>(
  worker: Worker,
  name: N,
  input: JobInput<N>,
): Promise<{ settled: Settled<N>; dead: boolean }> {
  return new Promise((resolve) => {
    const done = (settled: Settled<N>, dead: boolean) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve({ settled, dead });
    };
    const onMessage = (msg: Settled<N>) => done(msg, false);
    const onError = (err: unknown) => {
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      const error = oom
        ? `${describe(input)}: out of memory in its worker thread`
        : `internal error: worker thread failed on ${describe(input)}: ${errorMessage(err)}`;
      done({ ok: false, error, exitCode: oom ? ExitCode.BAD_INPUT : ExitCode.INTERNAL }, true);
    };
    const onExit = (code: number) =>
      done(
        {
          ok: false,
          error: `internal error: worker thread stopped (exit code ${code}) on ${describe(input)}`,
          exitCode: ExitCode.INTERNAL,
        },
        true,
      );
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage({ name, input });
  });
}

/** The input's capture path when it has one (every job reads a capture), for error messages. */
function describe(input: unknown): string {
  const path = (input as { path?: unknown }).path;
  return typeof path === 'string' ? path : 'a job';
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
