/** `networkml submit <capture...>`: enqueue capture jobs for `networkml worker`. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { cannotWrite, ExitCode, NetworkmlError, UsageError } from '../../errors.js';
import { addRabbitFlags, type RabbitFlags, rabbitFromFlags } from '../../service/cli-flags.js';
import { climbsUp, type Job } from '../../service/job.js';
import { submitJobs } from '../../service/submit.js';
import { statOrUndefined } from '../inputs.js';
import { onStopSignals } from '../stop-signals.js';

/** Paths every worker refuses whatever its capture root: sent, they would only fill the dead-letter queue. */
function refuseUnusablePath(path: string): void {
  if (path === '') throw new UsageError('submit: an empty capture path (workers refuse it)');
  if (climbsUp(path))
    throw new UsageError(
      `submit: ${path}: workers refuse '..' in a job's path; give it relative to their --capture-root, or absolute`,
    );
  // Workers usually share this file system (docs/service.md); a path missing here may still exist there.
  if (statOrUndefined(path)?.isDirectory())
    throw new UsageError(
      `submit: ${path}: is a directory; a job names one capture file (e.g. ${join(path, '*.pcap')})`,
    );
}

/**
 * The receipts on standard output. They are a record of the work, not the work: a reader that goes away
 * (`| head -1`) only ends the printing, while any other write failure stops the submitting, since the ids of
 * what follows would be lost.
 */
class Receipts {
  private readonly others: ((...args: unknown[]) => void)[];
  private closed = false;
  private failure: unknown;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly onFailure: () => void,
  ) {
    // The CLI's own handler ends the process on EPIPE, which here would drop the jobs not yet sent.
    this.others = out.listeners('error') as ((...args: unknown[]) => void)[];
    out.removeAllListeners('error');
    out.on('error', this.onError);
  }

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.closed = true;
    if (err.code === 'EPIPE') return;
    this.failure ??= err;
    this.onFailure();
  };

  print(job: Job): void {
    if (!this.closed) this.out.write(`${JSON.stringify({ id: job.id, file_path: job.file_path })}\n`);
  }

  /** Hands standard output back to the CLI's handlers. */
  release(): void {
    this.out.off('error', this.onError);
    for (const listener of this.others) this.out.on('error', listener);
  }

  throwIfFailed(submitted: number, total: number): void {
    if (this.failure === undefined) return;
    const why = cannotWrite('standard output', this.failure).message;
    throw new NetworkmlError(
      `${why}; ${submitted} of ${total} jobs were submitted before it, the other ${total - submitted} were not sent`,
    );
  }
}

export async function runSubmit(
  captures: string[],
  flags: RabbitFlags,
  out: NodeJS.WritableStream = process.stdout,
  interrupt?: AbortSignal,
): Promise<void> {
  for (const path of captures) refuseUnusablePath(path);
  const rabbit = rabbitFromFlags(flags);
  const stop = new AbortController();
  interrupt?.addEventListener('abort', () => stop.abort(), { once: true });
  const receipts = new Receipts(out, () => stop.abort());
  let jobs: Job[];
  try {
    jobs = await submitJobs(captures, {
      rabbit,
      signal: stop.signal,
      onSubmitted: (job) => receipts.print(job),
    });
  } finally {
    receipts.release();
  }
  receipts.throwIfFailed(jobs.length, captures.length);
  if (jobs.length < captures.length)
    throw new NetworkmlError(
      `interrupted: ${jobs.length} of ${captures.length} jobs submitted (printed above); the other ${captures.length - jobs.length} were not sent`,
      ExitCode.INTERRUPTED,
    );
}

export function registerSubmit(program: Command): void {
  const command = program
    .command('submit')
    .description('enqueue one job {"id","file_path"} per capture; prints each job as a JSON line')
    .argument(
      '<capture...>',
      "capture paths as workers should see them (relative ones resolve against the worker's --capture-root)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  RABBIT_HOST=broker networkml submit /files/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap\n' +
        '  networkml submit --rabbit-host 127.0.0.1 captures/*.pcap > jobs.jsonl',
    );
  addRabbitFlags(command).action(async (captures: string[], flags: RabbitFlags) => {
    // The first signal stops sending and waits for the broker to confirm what was sent, so that what is
    // printed is what is queued; a second one exits at once.
    const interrupt = new AbortController();
    const removeSignals = onStopSignals(() => interrupt.abort());
    try {
      await runSubmit(captures, flags, process.stdout, interrupt.signal);
    } finally {
      removeSignals();
    }
  });
}
