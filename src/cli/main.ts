import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, CommanderError } from 'commander';
import { cannotWrite, ExitCode, errorMessage, NetworkmlError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import {
  applyConfig,
  CONFIG_FILE,
  findConfig,
  type LoadedConfig,
  namingItsSource,
  refuseBadRedisLocations,
  refuseBlankValues,
} from './config.js';
import { translateLegacyArgs } from './legacy.js';
import { translatePoseidonArgs } from './poseidon-args.js';

type Register = (program: Command) => void;

/**
 * Each command's module, imported only when needed: `eval` then does not load the service's RabbitMQ and
 * logging modules or the training code (issue 14: importing every command was ~380 ms of eval's start).
 * The order is the help's.
 */
const COMMANDS: [string, () => Promise<Register>][] = [
  ['info', async () => (await import('./commands/info.js')).registerInfo],
  ['inspect', async () => (await import('./commands/inspect.js')).registerInspect],
  ['eval', async () => (await import('./commands/eval.js')).registerEval],
  ['train', async () => (await import('./commands/train.js')).registerTrain],
  ['test', async () => (await import('./commands/test.js')).registerTest],
  ['explain', async () => (await import('./commands/explain.js')).registerExplain],
  ['watch', async () => (await import('./commands/watch.js')).registerWatch],
  ['report', async () => (await import('./commands/report.js')).registerReport],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
  ['submit', async () => (await import('./commands/submit.js')).registerSubmit],
  ['history', async () => (await import('./commands/history.js')).registerHistory],
  ['oneshot', async () => (await import('./commands/oneshot.js')).registerOneShot],
];

/** The program's options that take a value: the command name is the first argument that is neither. */
const VALUE_OPTIONS = new Set(['--config']);

/**
 * The command the arguments name, or null when they name none (help, version, a typo: every command is
 * then registered, so help lists them all and a typo gets its suggestion).
 */
export function commandNamed(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (arg === '--') return null;
    if (arg.startsWith('-')) continue;
    return COMMANDS.some(([name]) => name === arg) ? arg : null;
  }
  return null;
}

/**
 * Commander's usage error (`error: …`, and a `(Did you mean …?)` line after a typo) as the one line every
 * other failure gets: `networkml: unknown option '--frob' (run with --help for usage)`.
 */
export function usageErrorLine(text: string): string {
  const said = text
    .trim()
    .replace(/^error: /, '')
    .split(/\s*\n\s*/)
    .join(' ');
  return `networkml: ${said} (run with --help for usage)\n`;
}

/** buildProgram's `only` for a program without commands. */
const NO_COMMAND = '';

/**
 * The program with the named command only (NO_COMMAND: none), or with all of them (null: no command named,
 * or a settings file, which is checked against every command's options).
 */
async function buildProgram(only: string | null): Promise<Command> {
  const program = new Command('networkml')
    .description(
      'What role does a device play, and is it behaving normally for it? From packet headers only.',
    )
    .version(VERSION)
    .option(
      '--config <file>',
      `settings file (default: $NETWORKML_CONFIG, else ./${CONFIG_FILE} when present)`,
    )
    .configureOutput({ outputError: (text, write) => write(usageErrorLine(text)) })
    .exitOverride();
  const wanted = COMMANDS.filter(([name]) => only === null || name === only);
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program);
  refuseBlankValues(program);
  refuseBadRedisLocations(program);
  return program;
}

/**
 * `eval` of one large capture file reads it on a second thread: that thread starts here, before the
 * command's modules load (~0.25 s of start-up it then overlaps; issue 14), and eval takes it when reading
 * starts. A guess from the raw arguments: when it is wrong (an option value that is a large file, a reader
 * thread the options turn off) the thread is not used and ends with the process; results never depend on it.
 * Returns whether it started one.
 */
export async function prestartReading(args: readonly string[]): Promise<boolean> {
  if (args.some((a) => a.startsWith('--threads') || a === '--per-host') || availableParallelism() < 2)
    return false;
  const { READER_THREAD_MIN_BYTES, prestartReaderThread } = await import('../capture/reader-thread.js');
  let large = 0;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    try {
      const stat = statSync(arg);
      if (stat.isFile() && stat.size >= READER_THREAD_MIN_BYTES) large++;
    } catch {
      // not a file: an option value, the command name, a missing capture (eval reports it)
    }
  }
  if (large !== 1) return false;
  prestartReaderThread();
  return true;
}

/** Runs the CLI; resolves to the process exit code. Every user-facing failure is one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = undefined;
  // `networkml eval … | head`: a reader that goes away is not an error, just the end of the output.
  // Any other failure (a full disk, an I/O error) loses output, so it must not end in success.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`networkml: ${cannotWrite('standard output', err).message}\n`);
    process.exit(ExitCode.BAD_INPUT);
  });
  // The command being run, and the settings file: a usage error about a value names where the value came from.
  let running: Command | null = null;
  let settings: LoadedConfig | undefined;
  try {
    const given = argv.slice(2);
    // Taken out first (findConfig removes it), so a settings file goes with the original's and Poseidon's forms too.
    const config = findConfig(given);
    const args = translateLegacyArgs(translatePoseidonArgs(given));
    const command = config ? null : commandNamed(args);
    if (command === 'eval') await prestartReading(args);
    // `--version` alone needs no command: registering them all imported every command's modules (~0.2 s).
    const versionOnly = !config && args.length === 1 && (args[0] === '--version' || args[0] === '-V');
    const program = await buildProgram(versionOnly ? NO_COMMAND : command);
    if (config) applyConfig(program, config);
    settings = config ?? undefined;
    program.hook('preAction', (_program, action) => {
      running = action;
    });
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed help or the usage error.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (err instanceof UsageError && running) {
      process.stderr.write(`networkml: ${namingItsSource(running, errorMessage(err), settings)}\n`);
      return err.exitCode;
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
