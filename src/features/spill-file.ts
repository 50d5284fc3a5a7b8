import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const owned = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
});

/**
 * A temporary file for data that outgrows memory, unlinked as soon as it is open: the descriptor keeps it
 * readable and writable, and nothing is left behind even if the process dies.
 */
export function openUnlinkedFile(prefix: string): number {
  const dir = mkdtempSync(join(tmpdir(), `networkml-${prefix}-`));
  const fd = openSync(join(dir, 'data'), 'w+');
  rmSync(dir, { recursive: true, force: true });
  return fd;
}

/** Closes `fd` once `owner` (whatever reads the file) is no longer reachable. */
export function closeWhenCollected(owner: object, fd: number): void {
  owned.register(owner, fd, owner);
}

/**
 * Undoes closeWhenCollected: `owner` hands its file to another owner (e.g. on another thread of this
 * process, which registers it there; descriptors are the process's).
 */
export function releaseWhenCollected(owner: object): void {
  owned.unregister(owner);
}

/** Closes `fd` now (a file whose data is no longer wanted). */
export function closeFile(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

/** Writes all of `bytes` at byte `position` (a write may take less than it is given). */
export function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Fills `bytes` from byte `position`; the file ending first is a bug of the writer, so it throws. */
export function readAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new Error('temporary file ended before the data written to it');
    done += n;
  }
}
