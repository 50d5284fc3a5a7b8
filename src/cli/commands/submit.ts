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
    )
    .addHelpText(
      'after',
      '\nExamples:\n  RABBIT_HOST=broker networkml submit /files/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap\n' +
        '  networkml submit --rabbit-host 127.0.0.1 captures/*.pcap > jobs.jsonl',
    );
  addRabbitFlags(command).action(async (captures: string[], flags: RabbitFlags) => {
    await runSubmit(captures, flags);
  });
}
