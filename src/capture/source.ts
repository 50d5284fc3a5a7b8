/**
 * Byte sources: a path, '-' (standard input) or a stream, transparently gunzipped when the data starts
 * with the gzip magic (never judged by file name).
 */
import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

/** Large reads keep per-chunk overhead and straddling records rare. */
export const CHUNK_SIZE = 1024 * 1024;

export function openSource(source: string | NodeJS.ReadableStream): NodeJS.ReadableStream {
  if (typeof source !== 'string') return source;
  if (source === '-') return process.stdin;
  return createReadStream(source, { highWaterMark: CHUNK_SIZE });
}

export interface SourceState {
  gzip: boolean;
  /** The gunzip stream when compressed (for its compressed byte count in error messages). */
  gunzip: Gunzip | null;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'latin1');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('capture stream yielded a non-binary chunk');
}

/** Yields the (decompressed) capture bytes chunk by chunk. */
export async function* captureChunks(
  stream: NodeJS.ReadableStream,
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
    const gunzip = createGunzip({ chunkSize: CHUNK_SIZE });
    state.gunzip = gunzip;
    pipeline(Readable.from(raw(), { objectMode: false }), gunzip, () => {});
    for await (const chunk of gunzip) yield chunk as Buffer;
    return;
  }
  yield* raw();
}
