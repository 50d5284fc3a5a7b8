import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cannotWrite, ExitCode, NetworkmlError, UsageError } from '../errors.js';
import { throughLinks } from '../file-links.js';
import { writeJsonPieces } from '../outputs/json-pieces.js';
import type { CaptureResult } from '../result.js';
import { statOrUndefined } from './inputs.js';

/** 'whole': the file appears whole at close (results of a run); 'stream': written as it comes (a watch). */
export type OutputMode = 'whole' | 'stream';

export interface Output {
  write(text: string): void;
  close(): Promise<void>;
  /**
   * Ends an output the run has nothing for (every input failed): a file that was there stays as it was,
   * rather than being replaced by an empty one; a FIFO or device is closed as close() would.
   */
  abandon(): Promise<void>;
}

/** /dev/stdout, /dev/fd/3, /proc/self/fd/1: another name for an open descriptor, whatever it is. */
const FD_ALIAS = /^\/(dev\/(stdout|stderr|fd\/)|proc\/)/;

/**
 * Standard output, or a file. A regular file (or a link to one) is written under a short temporary name
 * beside the real file and renamed over it at close, so a reader never sees half a results file and a
 * failure leaves the old one as it was. Anything else (a FIFO, a terminal, /dev/null, /dev/stdout) is
 * written in place: renaming over it would replace the special file itself.
 *
 * The temporary file is created at the first write, not here: the commands write only once every result
 * is in, so a run interrupted or failing before that leaves nothing behind and Ctrl-C keeps its default
 * meaning during the work. The path is checked here all the same, so a typo fails before the work.
 *
 * The file is written synchronously, as standard output is on Linux: a stream would queue a long result's
 * pieces in memory until the event loop ran.
 *
 * `mode` 'stream' (watch): a regular file is written in place too, from its start, as `tee` and
 * `tcpdump -w` write theirs, so each update is in the file once printed (`tail -f` shows it, a crash keeps
 * it); the same checks come first.
 */
export async function openOutput(path: string | undefined, mode: OutputMode = 'whole'): Promise<Output> {
  if (!path || path === '-') {
    return { write: (t) => void process.stdout.write(t), close: async () => {}, abandon: async () => {} };
  }
  let stat: Stats | undefined;
  try {
    stat = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw cannotWrite(path, e);
  }
  if (stat?.isDirectory()) throw cannotWrite(path, { code: 'EISDIR' });
  if (stat && (!stat.isFile() || FD_ALIAS.test(resolve(path)))) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw cannotWrite(path, e);
    }
    return inPlaceOutput(path);
  }
  if (!stat && isLink(path)) {
    // A dangling link: written through, in place, which creates its target (nothing there to replace).
    return inPlaceOutput(path);
  }
  let target = path;
  try {
    // Emptied now, as tee does: a watch's file holds this run's updates only, from the start.
    if (mode === 'stream') return inPlaceOutput(path, true);
    if (stat) target = realpathSync(path);
    else {
      // Creating the name itself (not only the temporary one) also proves the name is legal, e.g. not too long.
      closeSync(openSync(path, 'wx'));
      unlinkSync(path);
    }
  } catch (e) {
    throw cannotWrite(path, e);
  }
  return atomicOutput(path, target, stat ? stat.mode & 0o7777 : undefined);
}

/**
 * Refuses, before the work, a file to be replaced through a temporary file beside it and a rename (the
 * model `train --save` writes, at the end of a training that can take hours): a directory or other file
 * that is not a regular one, or a folder that is missing or cannot be written.
 */
export function refuseUnreplaceable(path: string): void {
  // A symbolic link is written through (writeModelText): its target is what gets replaced.
  const target = throughLinks(path);
  try {
    const stat = statSync(target, { throwIfNoEntry: false });
    if (stat?.isDirectory()) throw cannotWrite(path, { code: 'EISDIR' });
    // Renamed over, /dev/null or a FIFO would itself be replaced by a regular file.
    if (stat && !stat.isFile())
      throw new NetworkmlError(`${path}: cannot write: not a regular file (the file is replaced whole)`);
    accessSync(dirname(target), constants.W_OK);
    if (stat) return;
    // Creating the name itself also proves it legal (not too long), as openOutput does.
    closeSync(openSync(target, 'wx'));
    unlinkSync(target);
  } catch (e) {
    throw e instanceof NetworkmlError ? e : cannotWrite(path, e);
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Written in place, opened at the first write (or at once: `now`, whose failure is the caller's to say). */
function inPlaceOutput(path: string, now = false): Output {
  let fd: number | undefined;
  const open = () => {
    fd ??= openSync(path, 'w');
    return fd;
  };
  if (now) open();
  const close = async () => {
    try {
      closeSync(open());
    } catch (e) {
      throw cannotWrite(path, e);
    }
  };
  return { write: writeTo(path, open, () => {}), close, abandon: close };
}

/** Writes each piece to the descriptor `open` gives; a failure runs `onFailure`, then is `path`'s one-line error. */
function writeTo(path: string, open: () => number, onFailure: () => void): (text: string) => void {
  return (text) => {
    try {
      writeFileSync(open(), text);
    } catch (e) {
      onFailure();
      throw cannotWrite(path, e);
    }
  };
}

/** Written to a temporary file beside `target` (the real file behind `path`'s links), renamed over it at close. */
function atomicOutput(path: string, target: string, mode: number | undefined): Output {
  // Short, so that a name near the length limit still has a temporary name; hidden, so directory walks skip it.
  const temp = join(dirname(target), `.networkml-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  const discard = () => {
    process.off('exit', discard);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {}
    try {
      unlinkSync(temp);
    } catch {}
    fd = undefined;
  };
  // Dying on the signal as before, minus the temporary file.
  const onSignal = (signal: NodeJS.Signals) => {
    discard();
    process.kill(process.pid, signal);
  };
  const open = () => {
    if (fd !== undefined) return fd;
    fd = openSync(temp, 'wx', mode ?? 0o666);
    process.on('exit', discard);
    for (const signal of SIGNALS) process.on(signal, onSignal);
    // The replaced file's permissions, not the umask's: replacing a file should not change who can read it.
    if (mode !== undefined) fchmodSync(fd, mode);
    return fd;
  };
  return {
    write: writeTo(path, open, discard),
    close: async () => {
      try {
        closeSync(open());
        fd = undefined;
        renameSync(temp, target);
      } catch (e) {
        fd = undefined;
        try {
          unlinkSync(temp);
        } catch {}
        discard();
        throw cannotWrite(path, e);
      }
      discard();
    },
    abandon: async () => discard(),
  };
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Refuses an output file that is one of the inputs (the same file, through any link or other name): the
 * results would replace the capture they were read from. Unreadable paths are for the reader and openOutput
 * to report, in their own words.
 */
export function refuseOutputOverInput(output: string | undefined, inputs: readonly string[]): void {
  if (!output || output === '-') return;
  const out = statOrUndefined(output);
  if (!out?.isFile()) return;
  for (const input of inputs) {
    // Standard input redirected from the output file (`-o cap.pcap - < cap.pcap`) is that file too.
    const stat = input === '-' ? standardInputStat() : statOrUndefined(input);
    if (stat && stat.dev === out.dev && stat.ino === out.ino)
      throw new UsageError(
        `${output}: is also an input (${input === '-' ? 'standard input' : input}); refusing to overwrite it`,
      );
  }
}

/** Standard input's status, or undefined when it has none (closed). */
function standardInputStat(): Stats | undefined {
  try {
    return fstatSync(0);
  } catch {
    return undefined;
  }
}

/**
 * Writes `${JSON.stringify(result)}\n` in pieces, the same bytes: a long capture's result lists every bin
 * (20 MB of JSON for 56,000 bins), and that one string plus its bytes on the way out doubled the peak.
 */
export function writeJsonLine(out: Output, result: CaptureResult): void {
  writeJsonPieces(result, out.write);
  out.write('\n');
}

/**
 * A capture corrupt part-way, once its result (of the packets before the corrupt record) is written: the
 * reader's error on stderr and exit 1, as tcpdump and tshark end such a read. Nothing when it was read whole.
 */
export function reportCorruptAfterResult(corrupt: { message: string } | undefined): void {
  if (!corrupt) return;
  process.stderr.write(`networkml: ${corrupt.message}\n`);
  process.exitCode = ExitCode.BAD_INPUT;
}

/**
 * A capture's reader warnings (a truncated tail, skipped link types, times out of range) on stderr, one line
 * each: the capture's results stand, but the user should know what they were computed from.
 */
export function writeCaptureWarnings(
  result: { warnings?: readonly string[] | undefined },
  err: NodeJS.WritableStream = process.stderr,
): void {
  for (const warning of result.warnings ?? []) err.write(`networkml: warning: ${warning}\n`);
}
