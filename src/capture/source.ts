/**
 * Byte sources: a path, '-' (standard input) or a stream, transparently gunzipped when the data starts
 * with the gzip magic (never judged by file name).
 */
import { once } from 'node:events';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { constants, createGunzip, type Gunzip } from 'node:zlib';
import { CaptureError } from '../errors.js';
import { type FollowHooks, followChunks } from './follow.js';
import { openLive, untilAborted } from './live-source.js';

/** Large reads keep per-chunk overhead and straddling records rare. */
export const CHUNK_SIZE = 1024 * 1024;

/** Chunks read from a plain file between two yields to the event loop (signals, timers, aborts). */
const CHUNKS_PER_YIELD = 16;

/**
 * Reads a plain file with synchronous reads into one reused buffer: no thread-pool round trip and no
 * allocation per chunk, the reader's bottleneck otherwise. The yielded chunk is only valid until the
 * next one is requested (the reader copies what it keeps).
 */
function* fileChunks(fd: number, first: Buffer, firstLength: number): Generator<Buffer> {
  let buf = first;
  let n = firstLength;
  const spare = Buffer.allocUnsafe(CHUNK_SIZE);
  while (n > 0) {
    yield buf.subarray(0, n);
    // Alternate two buffers so the chunk just handed out stays intact while the next one is read.
    const next = buf === first ? spare : first;
    n = readSync(fd, next, 0, CHUNK_SIZE, null);
    buf = next;
  }
}

export function openSource(source: string | NodeJS.ReadableStream): NodeJS.ReadableStream {
  if (typeof source !== 'string') return source;
  if (source === '-') return standardInput();
  return createReadStream(source, { highWaterMark: CHUNK_SIZE });
}

/** process.stdin, refused when it is a directory: Node reads one as an empty stream, "not a capture (empty)". */
export function standardInput(): NodeJS.ReadableStream {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No descriptor 0 to look at: reading it reports the problem in its own words.
  }
  if (directory) throw new CaptureError('-: cannot read: is a directory');
  return process.stdin;
}

/**
 * Standard input that ends when `signal` aborts, even while a read is blocked (a live pipe with nothing to
 * say), so a reader stopped by Ctrl-C finishes with what it has (live-source.ts untilAborted).
 */
export function stdinUntil(signal: AbortSignal): { stream: NodeJS.ReadableStream; bytes(): number } {
  return untilAborted(standardInput() as Readable, signal);
}

/** How a path is read besides its bytes (ReadOptions: signal, follow). */
export interface PathReading {
  /** Ends the reading of a live path (a pipe) or a followed file even while it waits for bytes. */
  signal?: AbortSignal;
  /** Follow a regular file as it grows, is truncated or replaced (follow.ts). */
  follow?: FollowHooks;
}

/**
 * Yields a path's capture bytes; plain files take the synchronous fast path, a pipe or device the event
 * loop's (live-source.ts), a followed file follow.ts's.
 */
export async function* pathChunks(
  path: string,
  state: SourceState,
  reading: PathReading = {},
): AsyncGenerator<Buffer> {
  const live = openLive(path);
  if (live !== null) {
    try {
      yield* captureChunks(reading.signal ? untilAborted(live, reading.signal).stream : live, state);
    } finally {
      live.destroy();
    }
    return;
  }
  const fd = openSync(path, 'r');
  let closed = false;
  try {
    const first = Buffer.allocUnsafe(CHUNK_SIZE);
    const n = readSync(fd, first, 0, CHUNK_SIZE, null);
    if (reading.follow) {
      // Compressed or not (captureChunks tells): a followed file never ends by itself.
      yield* captureChunks(followChunks(path, fd, first, n, reading.follow, reading.signal), state);
      return;
    }
    if (!(n >= 2 && first[0] === 0x1f && first[1] === 0x8b)) {
      let k = 0;
      for (const chunk of fileChunks(fd, first, n)) {
        yield chunk;
        if (++k % CHUNKS_PER_YIELD === 0) await yieldToLoop();
      }
      return;
    }
    // Compressed: continue from where we are on the same descriptor (a pipe cannot be reopened).
    const head = Buffer.from(first.subarray(0, n));
    const rest = createReadStream(path, { fd, highWaterMark: CHUNK_SIZE, autoClose: true });
    closed = true;
    async function* all(): AsyncGenerator<Buffer> {
      yield head;
      for await (const chunk of rest) yield chunk as Buffer;
    }
    const stream = Readable.from(all(), { objectMode: false });
    try {
      yield* captureChunks(stream, state);
    } finally {
      stream.destroy();
      rest.destroy();
    }
  } finally {
    if (!closed) closeSync(fd);
  }
}

export interface SourceState {
  gzip: boolean;
  /** The gunzip stream when compressed (for its compressed byte count in error messages). */
  gunzip: Gunzip | null;
}

/**
 * Compressed bytes go to gunzip in pieces of exactly this size (the last one shorter), whatever sizes they
 * arrived in: zlib then sees the same calls for the same bytes, so how much of a corrupt or truncated
 * stream is decompressed before the error, and the error itself, never depend on the chunking. The price:
 * a live gzip stream is decompressed a piece at a time (the compressor itself buffers similar amounts).
 */
export const GZIP_PIECE = 16 * 1024;

/**
 * The most gunzip decompresses in one call. When the compressed data turns out corrupt, Node reports the error
 * instead of the bytes that call decompressed before it, so this bounds what is lost of the capture before
 * the corruption (gzip itself, writing out its 32 KiB window, loses as much); the packets before it still
 * count (a capture corrupt part-way). The price is more calls per byte than with CHUNK_SIZE: `info` of a
 * capture of 100 MB decompressed took ~0.2 s longer (1.03 s against 0.84 s, on a busy 2-core machine).
 */
export const GZIP_OUTPUT = 32 * 1024;

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'latin1');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('capture stream yielded a non-binary chunk');
}

/** Yields the (decompressed) capture bytes chunk by chunk. */
export async function* captureChunks(
  stream: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  state: SourceState,
): AsyncGenerator<Buffer> {
  const it = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let prefix: Buffer = Buffer.alloc(0);
  let done = false;
  while (prefix.length < 2) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = toBuffer(r.value);
    prefix = prefix.length === 0 ? chunk : Buffer.concat([prefix, chunk]);
  }
  async function* raw(): AsyncGenerator<Buffer> {
    if (prefix.length > 0) yield prefix;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield toBuffer(r.value);
    }
  }
  if (prefix.length >= 2 && prefix[0] === 0x1f && prefix[1] === 0x8b) {
    state.gzip = true;
    const gunzip = createGunzip({ chunkSize: GZIP_OUTPUT });
    state.gunzip = gunzip;
    const stop = new AbortController();
    const feeding = feedGunzip(raw(), gunzip, stop.signal).catch((err: unknown) => {
      // A source failure ends the decompressed stream with that error; gunzip's own errors are already on it.
      if (!gunzip.destroyed) gunzip.destroy(err instanceof Error ? err : new Error(String(err)));
    });
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } finally {
      // Not awaited: the feeder may be waiting for a source that stalls (a live pipe after an abort); it
      // ends with the source, and its errors are handled above.
      stop.abort();
      gunzip.destroy();
      void feeding;
    }
    return;
  }
  yield* raw();
}

/**
 * Writes the compressed bytes in GZIP_PIECE pieces, then flushes before ending. Node applies the final
 * flush (Z_FINISH) to the last write if the stream is already ending, and drops that write's output when
 * the data is truncated; flushing first means every piece is inflated the same way and only the empty
 * final call can fail.
 */
async function feedGunzip(source: AsyncIterable<Buffer>, gunzip: Gunzip, signal: AbortSignal): Promise<void> {
  let piece = Buffer.allocUnsafe(GZIP_PIECE);
  let fill = 0;
  const write = async (b: Buffer): Promise<void> => {
    if (!gunzip.write(b)) await once(gunzip, 'drain', { signal });
  };
  for await (const chunk of source) {
    let pos = 0;
    while (pos < chunk.length) {
      const take = Math.min(GZIP_PIECE - fill, chunk.length - pos);
      chunk.copy(piece, fill, pos, pos + take);
      fill += take;
      pos += take;
      if (fill === GZIP_PIECE) {
        // gunzip keeps a reference until it has inflated the piece: a fresh one for the next bytes.
        await write(piece);
        piece = Buffer.allocUnsafe(GZIP_PIECE);
        fill = 0;
      }
    }
    if (signal.aborted) return;
  }
  if (signal.aborted) return;
  if (fill > 0) await write(piece.subarray(0, fill));
  await new Promise<void>((resolve) => {
    gunzip.flush(constants.Z_SYNC_FLUSH, () => resolve());
    gunzip.once('close', resolve);
  });
  if (!gunzip.destroyed) gunzip.end();
}
