/** `networkml submit <capture...>`: enqueue capture jobs for `networkml worker`. */
import type { Command } from 'commander';
import { addRabbitFlags, type RabbitFlags, rabbitFromFlags } from '../../service/cli-flags.js';
import { submitJobs } from '../../service/submit.js';

export async function runSubmit(
  captures: string[],
  flags: RabbitFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  await submitJobs(captures, {
    rabbit: rabbitFromFlags(flags),
    onSubmitted: (job) => out.write(`${JSON.stringify({ id: job.id, file_path: job.file_path })}\n`),
  });
}

export function registerSubmit(program: Command): void {
  const command = program
    .command('submit')
    .description('enqueue one job {"id","file_path"} per capture; prints each job as a JSON line')
    .argument(
      '<capture...>',
      "capture paths as workers should see them (relative ones resolve against the worker's --capture-root)",
    );
  addRabbitFlags(command).action(async (captures: string[], flags: RabbitFlags) => {
    await runSubmit(captures, flags);
  });
}
