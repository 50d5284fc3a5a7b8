import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { AnalyzeOptions } from '../pipeline/analyze.js';

/** Options every command that reads captures accepts (and a trained model remembers). */
export interface CaptureCliOptions {
  duration?: string;
  warmup?: string;
  publicSessions?: boolean;
  threads?: string;
}

export function addCaptureOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--duration <seconds>', "time-bin length (default 900, or the model's)").env(
        'NETWORKML_DURATION',
      ),
    )
    .addOption(
      new Option(
        '--warmup <seconds>',
        "ignore sessions first seen this soon after the capture's first packet (default 120, or the model's; 0: none)",
      ).env('NETWORKML_WARMUP'),
    )
    .addOption(
      new Option(
        '--public-sessions',
        'count public addresses too when finding the capture source (the original POSEIDON_PUBLIC_SESSIONS)',
      ).env('POSEIDON_PUBLIC_SESSIONS'),
    )
    .addOption(
      new Option(
        '--threads <n>',
        'worker threads for several captures; one large capture is read, and its LSTM scored, on a second thread (default: one per core; 1: one thread)',
      ).env('NETWORKML_THREADS'),
    );
}

/**
 * An option's number, written in decimal ('120', '0.5', '.5', '1e-3'); NaN for anything else, so every range
 * check refuses it: Number() would read '' and '  ' as 0, '0x10' and '0b11' as 16 and 3, and accept blanks
 * around the digits, none of which anybody writes for seconds or a probability on purpose.
 */
export function optionNumber(text: string): number {
  return /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i.test(text) ? Number(text) : Number.NaN;
}

/**
 * A whole number written in decimal digits, from `min` to `max`: not '' (Number('') is 0), not '0x10',
 * '1e3', '3.0' or ' 7', and never beyond what a double holds exactly.
 */
export function decimalWholeNumber(
  name: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max))
    throw new UsageError(
      `--${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}, not '${text}'`,
    );
  return n;
}

function nonNegative(name: string, text: string | undefined, positive = false): number | undefined {
  if (text === undefined) return undefined;
  const value = optionNumber(text);
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new UsageError(
      `--${name} must be a ${positive ? 'positive' : 'non-negative'} number of seconds, not '${text}'`,
    );
  }
  return value;
}

export function analyzeOptionsFrom(cli: CaptureCliOptions): AnalyzeOptions {
  const options: AnalyzeOptions = {};
  const durationS = nonNegative('duration', cli.duration, true);
  const warmupS = nonNegative('warmup', cli.warmup);
  if (durationS !== undefined) options.durationS = durationS;
  if (warmupS !== undefined) options.warmupS = warmupS;
  if (cli.publicSessions) options.publicSessions = true;
  if (threadsFrom(cli) === 1) options.readerThread = false;
  return options;
}

export function threadsFrom(cli: CaptureCliOptions): number | undefined {
  return cli.threads === undefined ? undefined : decimalWholeNumber('threads', cli.threads, 1);
}
