import { Command, CommanderError } from 'commander';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerEval } from './commands/eval.js';
import { registerExplain } from './commands/explain.js';
import { registerHistory } from './commands/history.js';
import { registerInfo } from './commands/info.js';
import { registerInspect } from './commands/inspect.js';
import { registerOneShot } from './commands/oneshot.js';
import { registerReport } from './commands/report.js';
import { registerSubmit } from './commands/submit.js';
import { registerTest } from './commands/test.js';
import { registerTrain } from './commands/train.js';
import { registerWatch } from './commands/watch.js';
import { registerWorker } from './commands/worker.js';
import { applyConfig, CONFIG_FILE, findConfig } from './config.js';
import { translateLegacyArgs } from './legacy.js';
import { translatePoseidonArgs } from './poseidon-args.js';

function buildProgram(): Command {
  const program = new Command('networkml')
    .description(
      'What role does a device play, and is it behaving normally for it? From packet headers only.',
    )
    .version(VERSION)
    .option('--config <file>', `settings file (default ./${CONFIG_FILE} when present, or NETWORKML_CONFIG)`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerInfo(program);
  registerInspect(program);
  registerEval(program);
  registerTrain(program);
  registerTest(program);
  registerExplain(program);
  registerWatch(program);
  registerReport(program);
  registerWorker(program);
  registerSubmit(program);
  registerHistory(program);
  registerOneShot(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. Every user-facing failure is one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = undefined;
  // `networkml eval … | head`: a reader that goes away is not an error, just the end of the output.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    const args = translateLegacyArgs(translatePoseidonArgs(argv.slice(2)));
    const config = findConfig(args);
    const program = buildProgram();
    if (config) applyConfig(program, config);
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed help or the usage error.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (err instanceof NetworkmlError) {
      process.stderr.write(`networkml: ${errorMessage(err)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`networkml: internal error: ${errorMessage(err)}\n`);
    if (process.env.NETWORKML_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
    return ExitCode.INTERNAL;
  }
}
