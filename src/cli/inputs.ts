import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  type Dirent,
  openSync,
  readdirSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { errorMessage, NetworkmlError, UsageError } from '../errors.js';

const MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

/** A path's status, or undefined when it cannot be had (missing, no permission). */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The first `length` bytes of a file (fewer when it is shorter), or null when it cannot be read. */
export function fileHead(path: string, length: number): Buffer | null {
  const head = Buffer.alloc(length);
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    return head.subarray(0, readSync(fd, head, 0, length, 0));
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function looksLikeCapture(path: string): boolean {
  const head = fileHead(path, 4);
  if (head === null || head.length < 4) return false;
  return (head[0] === 0x1f && head[1] === 0x8b) || MAGICS.includes(head.readUInt32BE(0));
}

/** Names that say "capture": such a file found in a directory is read even when its bytes do not look like one. */
const CAPTURE_NAME = /\.(pcap|pcapng|cap)(\.gz)?$/i;

/**
 * A file found in a directory that is taken as a capture: its magic number is a capture's, or its name says it
 * is one. A file so named that cannot be read (empty, cut short, not a capture at all) is then reported by the
 * reader and the exit is 1, as when it is given by name: skipped, it would leave the results one device short
 * without a word. Other files (notes, labels, scripts) are passed over.
 */
function isCaptureInDirectory(path: string): boolean {
  return CAPTURE_NAME.test(path) || looksLikeCapture(path);
}

/**
 * The paths that name distinct files, each by the first of its names, and the later names of one already
 * named ([later, first]): a capture given twice, inside a directory given beside it, or linked to from two
 * places. Paths that cannot be looked at (missing, '-') are kept, for the reader to report or read.
 */
export function distinctFiles(paths: readonly string[]): { files: string[]; repeated: [string, string][] } {
  const firstName = new Map<string, string>();
  const files: string[] = [];
  const repeated: [string, string][] = [];
  for (const path of paths) {
    const id = path === '-' ? null : fileId(path);
    const first = id === null ? undefined : firstName.get(id);
    if (first !== undefined) {
      repeated.push([path, first]);
      continue;
    }
    if (id !== null) firstName.set(id, path);
    files.push(path);
  }
  return { files, repeated };
}

/**
 * Each capture file once (distinctFiles), with one warning when some were reached twice. `train` and
 * `test` need it: a capture trained on twice is its own nearest neighbour in cross-validation and in the
 * Unknown rule's calibration (the threshold then falls and new captures of known types are called
 * Unknown), and one tested twice counts twice in every figure. `done`: what happens to each ('trained on').
 */
export function onceEach(paths: readonly string[], done: string): string[] {
  const { files, repeated } = distinctFiles(paths);
  if (repeated.length > 0) process.stderr.write(`networkml: warning: ${repeatedWarning(repeated, done)}\n`);
  return files;
}

/** What onceEach says of the files distinctFiles found again: `done` is what happens to each ('trained on'). */
export function repeatedWarning(
  repeated: readonly [string, string][],
  done: string,
  what = 'capture',
): string {
  const [again, first] = repeated[0]!;
  const more = repeated.length > 1 ? `, and ${repeated.length - 1} more` : '';
  return `${repeated.length === 1 ? `1 ${what} was` : `${repeated.length} ${what}s were`} given more than once (${again} is ${first}${more}); each is ${done} once`;
}

/**
 * The captures given under other names as copies of one given before ([copy, first], in input order of the
 * copies): byte-identical, or the same capture once gzip-compressed (`x.pcap` beside `x.pcap.gz`), as the
 * reader sees them. Only captures of equal content size can be equal, so only those sharing one are read
 * (and hashed); empty files (each its own error) and anything but a regular file (a pipe read here would be
 * consumed) are left alone, as are files that cannot be read, for the reader to report.
 */
export async function identicalCopies(
  paths: readonly string[],
  digests: FileDigests = new Map(),
): Promise<[string, string][]> {
  const bySize = new Map<number, string[]>();
  for (const path of paths) {
    const stat = path === '-' ? undefined : statOrUndefined(path);
    if (!stat?.isFile() || stat.size === 0) continue;
    const size = contentSize(path, stat.size);
    if (size === undefined || size === 0) continue;
    const group = bySize.get(size);
    if (group) group.push(path);
    else bySize.set(size, [path]);
  }
  const copies: [string, string][] = [];
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const firstByDigest = new Map<string, string>();
    for (const path of group) {
      const digest = await digestOf(path, digests);
      if (digest === undefined) continue;
      const first = firstByDigest.get(digest);
      if (first === undefined) firstByDigest.set(digest, path);
      else copies.push([path, first]);
    }
  }
  const order = new Map(paths.map((p, i) => [p, i]));
  return copies.sort((a, b) => order.get(a[0])! - order.get(b[0])!);
}

/**
 * Files' SHA-256 already read in this command, by path (undefined: unreadable): the split's leak check and the
 * once-per-content rule look at the same files, which are read once.
 */
export type FileDigests = Map<string, string | undefined>;

async function digestOf(path: string, digests: FileDigests): Promise<string | undefined> {
  if (!digests.has(path)) digests.set(path, await sha256OfFile(path));
  return digests.get(path);
}

/** The SHA-256 of a capture's content: of the file, or of what it decompresses to when it is gzip. */
async function sha256OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    const file = createReadStream(path);
    const content = isGzip(path) ? file.pipe(createGunzip()) : file;
    // A gunzip error does not reach the file stream: the loop reads (and fails on) the one it iterates.
    file.on('error', (err) => content.destroy(err));
    for await (const chunk of content) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/** Whether a file starts with gzip's magic number (the reader detects compression the same way). */
function isGzip(path: string): boolean {
  return gzipContentSize(path) !== null;
}

/**
 * A capture's content size: its file size, or for a gzip file named `.gz` the size gzip's trailer records of
 * what it compressed (modulo 2³²; a multi-member file's last member only, so such a copy may go unnoticed,
 * never wrongly found: digests decide). Other files are not opened. Undefined when it cannot be read.
 */
function contentSize(path: string, fileSize: number): number | undefined {
  if (!/\.gz$/i.test(path)) return fileSize;
  try {
    return gzipContentSize(path, fileSize) ?? fileSize;
  } catch {
    return undefined;
  }
}

/** gzip's recorded content size, or null for a file that is not gzip (header and trailer: 18 bytes at least). */
function gzipContentSize(path: string, fileSize = statSync(path).size): number | null {
  if (fileSize < 18) return null;
  const fd = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(4);
    readSync(fd, bytes, 0, 2, 0);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return null;
    readSync(fd, bytes, 0, 4, fileSize - 4);
    return bytes.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Each capture's content once (identicalCopies), under its first name, with one warning when copies were
 * left out: like a file given twice (onceEach), a copy is its own nearest neighbour in training and counts
 * twice in a test. A copy labelled otherwise than its first is a labelling conflict, named rather than
 * settled silently (the first name's label stands). `labelOf`: a capture's label, undefined when it has none.
 */
export async function onceEachContent(
  paths: readonly string[],
  done: string,
  labelOf: (path: string) => string | undefined,
  digests?: FileDigests,
): Promise<string[]> {
  const copies = await identicalCopies(paths, digests);
  if (copies.length === 0) return [...paths];
  process.stderr.write(
    `networkml: warning: ${copiesText(copies, labelOf)}; each content is ${done} once, under its first name\n`,
  );
  const skipped = new Set(copies.map(([c]) => c));
  return paths.filter((p) => !skipped.has(p));
}

/**
 * Warns when a capture the split lists for testing is a copy of one it lists for training (identicalCopies; among the
 * captures given, before either list is applied): its test score would measure what the model memorised, not
 * how it does on a device it has not seen. The split is not changed.
 */
export async function warnOfSplitLeaks(
  paths: readonly string[],
  split: { train: readonly string[]; test: readonly string[] },
  digests?: FileDigests,
): Promise<void> {
  const train = new Set(split.train);
  const test = new Set(split.test);
  const listed = paths.filter((p) => train.has(basename(p)) || test.has(basename(p)));
  const firstOf = new Map<string, string>();
  for (const [copy, first] of await identicalCopies(listed, digests)) firstOf.set(copy, first);
  // Each content's names, under its first.
  const groups = new Map<string, string[]>();
  for (const path of listed) {
    const first = firstOf.get(path) ?? path;
    const group = groups.get(first);
    if (group) group.push(path);
    else groups.set(first, [path]);
  }
  const leaks: [string, string][] = [];
  for (const names of groups.values()) {
    const inTrain = names.find((p) => train.has(basename(p)));
    if (!inTrain) continue;
    for (const p of names) if (test.has(basename(p)) && !train.has(basename(p))) leaks.push([p, inTrain]);
  }
  if (leaks.length === 0) return;
  const [copy, original] = leaks[0]!;
  const more = leaks.length > 1 ? `, and ${leaks.length - 1} more` : '';
  const counted =
    leaks.length === 1
      ? "1 capture of the split's test list is a copy of one of its train list"
      : `${leaks.length} captures of the split's test list are copies of captures of its train list`;
  process.stderr.write(
    `networkml: warning: ${counted} (${copy} is a copy of ${original}${more}): their test scores measure what the model memorised, not how it does on devices it has not seen\n`,
  );
}

/** The copies counted, one named (a labelling conflict first, the warning's point), and the conflicts counted. */
function copiesText(copies: [string, string][], labelOf: (path: string) => string | undefined): string {
  const conflicts = copies.filter(([copy, first]) => {
    const [a, b] = [labelOf(copy), labelOf(first)];
    return a !== undefined && b !== undefined && a !== b;
  });
  const [copy, first] = conflicts[0] ?? copies[0]!;
  const named =
    conflicts.length > 0
      ? `${copy}, labelled ${labelOf(copy)}, is a copy of ${first}, labelled ${labelOf(first)}`
      : `${copy} is a copy of ${first}`;
  const more = copies.length > 1 ? `, and ${copies.length - 1} more` : '';
  const counted =
    copies.length === 1 ? '1 capture is a copy of one' : `${copies.length} captures are copies of captures`;
  const conflict =
    conflicts.length === 0
      ? ''
      : conflicts.length === 1
        ? '; a labelling conflict: 1 copy is labelled otherwise than its first, whose label is kept'
        : `; a labelling conflict: ${conflicts.length} copies are labelled otherwise than their first, whose labels are kept`;
  return `${counted} given before (${named}${more})${conflict}`;
}

/** Device and inode (exact, as bigints: a number would round large inode numbers), or null. */
function fileId(path: string): string | null {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return null;
  }
}

/** A second '-' could only read an exhausted stream: refused up front rather than reported as empty input. */
export function refuseStdinTwice(args: readonly string[]): void {
  if (args.filter((a) => a === '-').length > 1)
    throw new UsageError(
      "'-' (standard input) is given more than once: standard input can be read only once",
    );
}

/**
 * Expands the command line's captures: files as given ('-' is standard input), directories to every
 * capture below them (recognised by magic number or a capture's name, in name order).
 *
 * A directory without captures, or one that cannot be listed, is that input's error, like a capture that
 * cannot be read: when other inputs remain, it is reported on one line and the exit code becomes 1 while they
 * are processed; when none does, it is thrown (one line, exit 1, and nothing to do). `allOrNothing`: thrown
 * whatever remains, for a command that refuses a capture it cannot read (train).
 */
export function expandCaptureArgs(args: string[], options: { allOrNothing?: boolean } = {}): string[] {
  refuseStdinTwice(args);
  const errors: NetworkmlError[] = [];
  const out = expand(args, errors);
  reportInputsLeftOut(errors, out.length > 0 && !options.allOrNothing);
  return out;
}

/**
 * Inputs left out, each its one-line error: with others still to process, written on stderr and the exit code
 * set (the last one's); with none, the last is thrown (the CLI writes it) after the others are written.
 */
export function reportInputsLeftOut(errors: readonly NetworkmlError[], othersLeft: boolean): void {
  if (errors.length === 0) return;
  const last = errors.at(-1)!;
  for (const e of othersLeft ? errors : errors.slice(0, -1))
    process.stderr.write(`networkml: ${e.message}\n`);
  if (!othersLeft) throw last;
  process.exitCode = last.exitCode;
}

function expand(args: string[], errors: NetworkmlError[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push(arg);
      continue;
    }
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(arg);
    } catch {
      out.push(arg); // the reader reports the missing file in its own words
      continue;
    }
    if (!stat.isDirectory()) {
      out.push(arg);
      continue;
    }
    const unreadable: NetworkmlError[] = [];
    const found = walk(arg, unreadable).filter(isCaptureInDirectory);
    errors.push(...unreadable);
    if (found.length === 0 && unreadable.length === 0)
      errors.push(new NetworkmlError(`${arg}: no capture files in this directory`));
    out.push(...found);
  }
  return out;
}

/**
 * Every file below `dir` in name order, following symbolic links to files and directories (data sets are
 * often directories of links). A directory already being walked or walked before (same device and inode,
 * whatever the path) is not entered again, so a link back up the tree cannot loop. A directory that cannot be
 * listed (no permission: a root-owned rotation folder in a shared tree) is that directory's error in
 * `unreadable`, the rest of the tree still walked; a dangling link with a capture's name is kept for the
 * reader to report, like a capture so named that cannot be read; names starting with '.' are passed over.
 */
function walk(dir: string, unreadable: NetworkmlError[], seen = new Set<string>()): string[] {
  const id = directoryId(dir);
  if (id === null || seen.has(id)) return [];
  seen.add(id);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    unreadable.push(
      new NetworkmlError(`${dir}: cannot read directory: ${CANNOT_LIST[code] ?? errorMessage(err)}`),
    );
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = statOrNull(path);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? CAPTURE_NAME.test(entry.name);
    }
    if (isDirectory) out.push(...walk(path, unreadable, seen));
    else if (isFile) out.push(path);
  }
  return out;
}

const CANNOT_LIST: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'input/output error',
};

function directoryId(dir: string): string | null {
  const stat = statOrNull(dir);
  return stat ? `${stat.dev}:${stat.ino}` : null;
}

/** What a path (through its links) is, or null for a dangling or self-referencing link. */
function statOrNull(path: string) {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return null;
  }
}
