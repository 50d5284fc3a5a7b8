/**
 * `networkml worker` without the rest of the CLI, for spawning worker processes in tests and benchmarks:
 * `node --import tsx src/test-helpers/worker-main.ts [worker flags]`.
 */
import { Command, CommanderError } from 'commander';
import { registerWorker } from '../cli/commands/worker.js';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';

const program = new Command('networkml').exitOverride();
registerWorker(program);
try {
  await program.parseAsync(['worker', ...process.argv.slice(2)], { from: 'user' });
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed the usage error.
    process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  } else {
    process.stderr.write(`networkml: ${errorMessage(err)}\n`);
    process.exitCode = err instanceof NetworkmlError ? err.exitCode : ExitCode.INTERNAL;
  }
}
