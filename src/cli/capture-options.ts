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
 * An option's number: Number() reads '' and '  ' (`--threshold ''`, `NETWORKML_THRESHOLD=`) as 0, which
 * would silently mean something nobody asked for; those are NaN here, so every range check refuses them.
 */
export function optionNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * A whole number written in decimal digits, from `min` to `max`: not '' (Number('') is 0), not '0x10',
 * '1e3' or ' 7', and never beyond what a double holds exactly.
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

/** A whole-number option >= `min` (usage error otherwise), or undefined when not given. */
export function wholeNumberOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = optionNumber(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number >= ${min}, not '${text}'`);
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
  return wholeNumberOption('threads', cli.threads, 1);
}
