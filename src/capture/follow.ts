/**
 * `watch --follow`: a regular file read like `tail -F` reads it. At its end the reader waits and looks again
 * (a stat poll: a capture's bins are minutes long, a quarter second of latency is nothing, and polling
 * works on every file system, network ones included). A file truncated in place (tcpdump -w restarted on the
 * same name) is read again from its start; a file replaced at its path (rotated: renamed away and created
 * again) is left for the new one, read from its start. Either way the reader is told (onNewFile) before the
 * new file's first byte, so that the new capture header is read as one.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';

/** How often a followed file at its end is looked at again. */
export const FOLLOW_POLL_MS = 250;

const CHUNK_SIZE = 1024 * 1024;
/** Chunks read between two yields to the event loop while catching up (signals, timers). */
const CHUNKS_PER_YIELD = 16;

export interface FollowHooks {
  /** One line for the user: the file was truncated or replaced, and reading starts again at its start. */
  onRestart(message: string): void;
  /** Called just before the first byte of the restarted file is handed on (nothing is pending then). */
  onNewFile(): void;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * The bytes of the file open as `fd` (its first `firstLength` already in `first`), then whatever is added,
 * until `signal` aborts; never ends by itself. Chunks are valid until the next one is requested (two buffers
 * alternate, as for a plain file). `fd` stays the caller's to close; a replacement's descriptor is closed here.
 */
export async function* followChunks(
  path: string,
  fd: number,
  first: Buffer,
  firstLength: number,
  hooks: FollowHooks,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const spare = Buffer.allocUnsafe(CHUNK_SIZE);
  let current = fd;
  let buf = first;
  let n = firstLength;
  /** Bytes of the current file handed on: reads are positioned, so a truncation is seen against it. */
  let pos = 0;
  let k = 0;
  const readNext = (): void => {
    // Alternate the two buffers so the chunk just handed out stays intact while the next one is read.
    buf = buf === first ? spare : first;
    n = readSync(current, buf, 0, CHUNK_SIZE, pos);
  };
  const restart = (message: string): void => {
    // The old file's incomplete last record (the reader's warning) is told before the restart is.
    hooks.onNewFile();
    hooks.onRestart(message);
    pos = 0;
  };
  try {
    for (;;) {
      if (n > 0) {
        yield buf.subarray(0, n);
        pos += n;
        if (++k % CHUNKS_PER_YIELD === 0) await yieldToLoop();
        if (signal?.aborted) return;
        readNext();
        continue;
      }
      try {
        await sleep(FOLLOW_POLL_MS, undefined, signal ? { signal } : {});
      } catch {
        return; // aborted: the caller stops reading
      }
      readNext();
      if (n > 0) continue;
      const size = fstatSync(current).size;
      if (size < pos) {
        restart(`${path}: truncated to ${size} bytes while followed; reading it again from its start`);
        readNext();
        continue;
      }
      const now = statOrNull(path);
      const open = fstatSync(current);
      // Gone (rotated away, not yet created again): keep waiting, on the old file and for a new one.
      if (now === null || (now.ino === open.ino && now.dev === open.dev)) continue;
      // Only a regular file is followed (opening a named pipe put there would wait for its writer).
      if (!now.isFile()) continue;
      // Replaced. The old file was read to its end just above.
      let next: number;
      try {
        next = openSync(path, 'r');
      } catch {
        continue; // removed again, or not readable yet: look at the next poll
      }
      if (current !== fd) closeSync(current);
      current = next;
      restart(`${path}: replaced by a new file while followed; reading the new file from its start`);
      readNext();
    }
  } finally {
    if (current !== fd) closeSync(current);
  }
}
