/**
 * Paths whose reads wait for a writer: a named pipe (mkfifo), process substitution `<(tcpdump -w - …)`
 * (/dev/fd/N, a pipe), a terminal or another character device. The synchronous reads that make plain
 * files fast would block the event loop there for as long as the writer is quiet, and with it every signal
 * handler (watch's Ctrl-C). These are read as standard input is: the event loop waits for their bytes.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, type Stats, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';

/** Reads of a live stream are as large as those of a file (source.ts CHUNK_SIZE). */
const LIVE_CHUNK_SIZE = 1024 * 1024;

/** Neither a regular file nor a block device: a read may wait for a writer indefinitely. */
export function isLive(stat: Stats): boolean {
  return stat.isFIFO() || stat.isCharacterDevice() || stat.isSocket();
}

/**
 * Opens a live path as a stream the event loop waits on; null for anything else (a regular file, a
 * directory, a path that cannot be stat'ed: the caller's own open reports those in its words).
 */
export function openLive(path: string): Readable | null {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  if (!isLive(stat)) return null;
  // A named pipe opened without O_NONBLOCK waits in open() for a writer, and the event loop with it. Opened
  // non-blocking it returns at once, and the pipe's reads wait in epoll instead: Linux reports no hang-up
  // (end of stream) until a writer has come and gone, so a watch started before tcpdump waits for it.
  const fd = openSync(path, stat.isFIFO() ? constants.O_RDONLY | constants.O_NONBLOCK : constants.O_RDONLY);
  try {
    const type = fstatSync(fd);
    // libuv reads pipes and sockets as process.stdin's pipe: non-blocking, and destroy() stops a read in progress.
    if (type.isFIFO() || type.isSocket()) return new Socket({ fd, readable: true, writable: false });
    if (isatty(fd)) return new TtyReadStream(fd);
    // Another character device: its reads wait on a thread-pool thread, never on the event loop.
    return createReadStream('', { fd, highWaterMark: LIVE_CHUNK_SIZE });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'latin1');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('capture stream yielded a non-binary chunk');
}

/**
 * A live stream's chunks until it ends or `signal` aborts, even while a read is blocked (a quiet pipe), so a
 * reader stopped by Ctrl-C finishes with what it has. Reading stops for good at the end: the stream is
 * destroyed and its descriptor cannot keep the process alive. `bytes` counts what was handed on.
 */
export function untilAborted(
  live: Readable,
  signal: AbortSignal,
): { stream: NodeJS.ReadableStream; bytes(): number } {
  let bytes = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    const it = live[Symbol.asyncIterator]();
    const aborted = new Promise<null>((resolve) => {
      if (signal.aborted) resolve(null);
      else signal.addEventListener('abort', () => resolve(null), { once: true });
    });
    try {
      for (;;) {
        const r = await Promise.race([it.next(), aborted]);
        if (r === null || r.done) return;
        const chunk = toBuffer(r.value);
        bytes += chunk.length;
        yield chunk;
      }
    } finally {
      // Not it.return(): it would wait for the read in progress, which may never come. Not push(null)
      // either: the read in progress would then push after the end (ERR_STREAM_PUSH_AFTER_EOF, a crash).
      // A read cut short by this rejects into the settled race above, where nobody waits for it.
      live.destroy();
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), bytes: () => bytes };
}
