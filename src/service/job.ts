/**
 * Reading a job message and confining its path to the capture root. A job comes from whoever can publish
 * to the queue, so its path is untrusted: it must name a regular file that is, after following every
 * symlink, inside the root.
 */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { CaptureError, NetworkmlError } from '../errors.js';
import { clipText, type JobIdentity } from './messages.js';

export interface Job {
  id: string;
  file_path: string;
}

const jobSchema = z.object({
  // Any JSON number: one beyond a double (1e400 parses as Infinity) keeps its literal text (idText).
  // An empty id too: Poseidon's network tap sends `"id": ""` (ncontrol starts it without one).
  id: z.union([z.string(), z.custom<number>((v) => typeof v === 'number')]),
  file_path: z.string().min(1),
});

/** Index just past the JSON string starting at `start` (an opening quote). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The literal text of the top-level object's "id" member when it is a number (the last one, as JSON.parse
 * keeps), else null. `text` is JSON that parsed already.
 */
export function numericIdLiteral(text: string): string | null {
  let depth = 0;
  let expectKey = false;
  let key: string | null = null;
  let literal: string | null = null;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        key = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      depth--;
      i++;
    } else if (c === ',') {
      if (depth === 1) expectKey = true;
      i++;
    } else if (c === ':' && depth === 1) {
      i++;
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (key === 'id') {
        NUMBER.lastIndex = i;
        literal = NUMBER.exec(text)?.[0] ?? null;
      }
    } else i++;
  }
  return literal;
}

/**
 * The id as text. A number JSON.parse could not hold exactly (an integer beyond 2^53, say a 20-digit id)
 * keeps the digits its sender wrote, from the raw text, so the result's id is the job's: `String()` of the
 * parsed number would give 12345678901234567000 for 12345678901234567890.
 */
function idText(id: string | number, text: string): string {
  if (typeof id === 'string' || Number.isSafeInteger(id)) return String(id);
  return numericIdLiteral(text) ?? String(id);
}

export class JobError extends NetworkmlError {
  constructor(
    message: string,
    /** What could be recovered from the job, for the error result. */
    readonly identity: JobIdentity,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** Parses `{"id", "file_path"}`; other fields (Poseidon adds `type`, ...) are ignored. */
export function parseJob(body: Buffer): Job {
  let parsed: unknown;
  const text = body.toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JobError(`malformed job: not JSON (${body.length} bytes)`, { id: null, file_path: null });
  }
  const result = jobSchema.safeParse(parsed);
  if (!result.success) {
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const id =
      typeof record.id === 'string' || typeof record.id === 'number' ? idText(record.id, text) : null;
    const filePath = typeof record.file_path === 'string' ? record.file_path : null;
    throw new JobError('malformed job: expected {"id": string or number, "file_path": non-empty string}', {
      id,
      file_path: filePath,
    });
  }
  const id = idText(result.data.id, text);
  // A success result carries the id twice (the message's and each device's uid): one of megabytes made it
  // larger than the broker's message size limit, and the job went round until dead-lettered, with no result.
  if (id.length > MAX_ID_CHARS)
    throw new JobError(`malformed job: an id of ${id.length} characters (at most ${MAX_ID_CHARS})`, {
      id,
      file_path: result.data.file_path,
    });
  return { id, file_path: result.data.file_path };
}

/** The longest job id taken (Poseidon's are uuids or short numbers). */
export const MAX_ID_CHARS = 1024;

/** A `..` step anywhere (either slash): refused whatever the root, so that no job can leave it. */
export function climbsUp(filePath: string): boolean {
  // A search, not split(): a path of millions of segments would be millions of strings.
  return /(?:^|[\\/])\.\.(?:[\\/]|$)/.test(filePath);
}

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a job's path against the root and returns an absolute path (its last component as the job named
 * it, so trace-name keys survive) whose real location is a regular file inside the root's real location.
 */
/** Linux's PATH_MAX: the longest path, its terminating NUL included. */
export const PATH_MAX = 4096;

export async function resolveJobPath(root: string, filePath: string): Promise<string> {
  // Errors quote the path clipped: it comes from the job and may be megabytes long.
  const shown = clipText(filePath);
  if (filePath.includes('\0')) throw new CaptureError('refused: the path contains a NUL byte');
  // No file has a longer name (Linux's PATH_MAX), and taking a megabytes-long path apart costs far more than
  // its size: a 40 MB one made of '/' took the worker to 2.5 GB.
  if (Buffer.byteLength(filePath, 'utf8') >= PATH_MAX)
    throw new CaptureError(`${shown}: no such file (a path is shorter than ${PATH_MAX} bytes)`);
  if (climbsUp(filePath)) throw new CaptureError(`refused: '..' in path ${shown}`);
  const lexicalRoot = resolve(root);
  // The root was there at start: gone now, it is a mount that went away (or is slow to come back), which
  // the worker may retry (the code says so).
  const realRoot = await realpath(lexicalRoot).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CaptureError(
      `capture root ${root} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`,
      undefined,
      code,
    );
  });
  const candidate = isAbsolute(filePath) ? resolve(filePath) : resolve(lexicalRoot, filePath);
  if (!inside(lexicalRoot, candidate) && !inside(realRoot, candidate)) {
    throw new CaptureError(`refused: ${shown} is outside the capture root ${lexicalRoot}`);
  }
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CaptureError(`${shown}: no such file`, undefined, code);
    throw new CaptureError(`${shown}: cannot be read (${code ?? 'error'})`, undefined, code);
  }
  if (!inside(realRoot, real)) {
    throw new CaptureError(`refused: ${shown} leads outside the capture root through a symlink`);
  }
  let info: Stats;
  try {
    info = await stat(real);
  } catch (err) {
    // Gone or unreadable since realpath found it (a file being replaced, a stale NFS handle).
    const code = (err as NodeJS.ErrnoException).code;
    throw new CaptureError(`${shown}: cannot be read (${code ?? 'error'})`, undefined, code);
  }
  if (!info.isFile()) throw new CaptureError(`${shown}: not a regular file`);
  return candidate;
}
