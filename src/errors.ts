import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Errors a user can act on. The CLI prints `networkml: <message>` on one line and exits with `exitCode`;
 * anything else that escapes is a bug and exits 70 (EX_SOFTWARE).
 */
export const ExitCode = {
  OK: 0,
  /** A capture (or other input file) is missing, unreadable, not a capture, or corrupt. */
  BAD_INPUT: 1,
  /** Wrong command-line usage or an invalid configuration value. */
  USAGE: 2,
  /** A model file is missing, corrupt, foreign or of an unsupported version. */
  BAD_MODEL: 3,
  /** An external service (RabbitMQ, Redis, the history database) failed or could not be reached. */
  SERVICE: 4,
  /** Interrupted (SIGINT / SIGTERM) before the work finished. */
  INTERRUPTED: 130,
  /** A bug: an unexpected exception. */
  INTERNAL: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class NetworkmlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.BAD_INPUT,
  ) {
    super(message);
    this.name = 'NetworkmlError';
  }
}

/** A capture that cannot be read (not a capture, corrupt, or an I/O failure). */
export class CaptureError extends NetworkmlError {
  constructor(
    message: string,
    /** Byte offset in the (decompressed) capture where the problem was found, when known. */
    readonly offset?: number,
    /**
     * The system error code behind it (ENOENT, EACCES, EIO, ...), when the file system or input failed: what
     * tells a file that may yet be readable (the service retries those) from one that never will be.
     */
    readonly code?: string,
  ) {
    super(message, ExitCode.BAD_INPUT);
    this.name = 'CaptureError';
  }
}

export class ModelError extends NetworkmlError {
  constructor(message: string) {
    super(message, ExitCode.BAD_MODEL);
    this.name = 'ModelError';
  }
}

export class UsageError extends NetworkmlError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
    this.name = 'UsageError';
  }
}

/** One line, whatever was thrown: for the CLI and for error results of the service. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

const WHY: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
};

/** The one-line error for an output path that cannot be written. */
export function cannotWrite(path: string, e: unknown): NetworkmlError {
  const code = (e as NodeJS.ErrnoException).code;
  // ENOENT is also what a folder that exists but takes no new file says (/proc, a sysfs or FUSE mount).
  const why =
    code === 'ENOENT' && isDirectory(dirname(path))
      ? 'its folder takes no new file'
      : (code && WHY[code]) || errorMessage(e);
  return new NetworkmlError(`${path}: cannot write: ${why}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
