/**
 * Reading a job message and confining its path to the capture root. A job comes from whoever can publish
 * to the queue, so its path is untrusted: it must name a regular file that is, after following every
 * symlink, inside the root.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { CaptureError, NetworkmlError } from '../errors.js';
import type { JobIdentity } from './messages.js';

export interface Job {
  id: string;
  file_path: string;
}

const jobSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  file_path: z.string().min(1),
});

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
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new JobError(`malformed job: not JSON (${body.length} bytes)`, { id: null, file_path: null });
  }
  const result = jobSchema.safeParse(parsed);
  if (!result.success) {
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : null;
    const filePath = typeof record.file_path === 'string' ? record.file_path : null;
    throw new JobError('malformed job: expected {"id": string, "file_path": non-empty string}', {
      id,
      file_path: filePath,
    });
  }
  return result.data;
}

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a job's path against the root and returns an absolute path (its last component as the job named
 * it, so trace-name keys survive) whose real location is a regular file inside the root's real location.
 */
export async function resolveJobPath(root: string, filePath: string): Promise<string> {
  if (filePath.includes('\0')) throw new CaptureError('refused: the path contains a NUL byte');
  if (filePath.split(/[\\/]/).includes('..')) throw new CaptureError(`refused: '..' in path ${filePath}`);
  const lexicalRoot = resolve(root);
  const realRoot = await realpath(lexicalRoot).catch(() => {
    throw new NetworkmlError(`capture root ${root} does not exist`);
  });
  const candidate = isAbsolute(filePath) ? resolve(filePath) : resolve(lexicalRoot, filePath);
  if (!inside(lexicalRoot, candidate) && !inside(realRoot, candidate)) {
    throw new CaptureError(`refused: ${filePath} is outside the capture root ${lexicalRoot}`);
  }
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CaptureError(`${filePath}: no such file`);
    throw new CaptureError(`${filePath}: cannot be read (${code ?? 'error'})`);
  }
  if (!inside(realRoot, real)) {
    throw new CaptureError(`refused: ${filePath} leads outside the capture root through a symlink`);
  }
  const info = await stat(real);
  if (!info.isFile()) throw new CaptureError(`${filePath}: not a regular file`);
  return candidate;
}
