/**
 * The full result an update stores in the SQLite history, packed: `NMLR`, a format byte (1), then the zlib
 * deflate of `JSON.stringify(result)`, built from the JSON's pieces (outputs/json-pieces). A long capture's
 * result lists every bin (~20 MB of JSON for 56,100 bins); one string of it, its UTF-8 copy and SQLite's
 * copy of that were ~65–85 MiB of eval's peak. Packed, it is a few hundred KiB to a few MiB.
 *
 * Versions before this one stored the JSON text as TEXT in the same column, and such values still read as
 * before: a TEXT value is the old format, a BLOB the packed one (its format byte says how to read it).
 */
import { once } from 'node:events';
import { createDeflate, inflateSync } from 'node:zlib';
import { JsonPieces } from '../outputs/json-pieces.js';

const MAGIC = 'NMLR';
export const STORED_RESULT_FORMAT = 1;

/** Packs a result (its JSON text is exactly JSON.stringify's) without ever holding the text whole. */
export async function packResult(result: unknown): Promise<Buffer> {
  const deflate = createDeflate();
  const chunks: Buffer[] = [Buffer.from(MAGIC, 'latin1'), Buffer.of(STORED_RESULT_FORMAT)];
  deflate.on('data', (chunk: Buffer) => void chunks.push(chunk));
  const ended = once(deflate, 'end');
  const pieces = new JsonPieces(result);
  for (let piece = pieces.next(); piece !== null; piece = pieces.next())
    if (!deflate.write(piece)) await once(deflate, 'drain');
  deflate.end();
  await ended;
  return Buffer.concat(chunks);
}

/** The stored result: JSON text (older versions) or a packed BLOB; null stays null. */
export function unpackResult(stored: string | Uint8Array | null): unknown {
  if (stored === null) return null;
  if (typeof stored === 'string') return JSON.parse(stored) as unknown;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bytes.length < MAGIC.length + 1 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw new SyntaxError('stored result is neither JSON text nor a packed result');
  const format = bytes[MAGIC.length]!;
  if (format !== STORED_RESULT_FORMAT)
    throw new SyntaxError(
      `stored result has format ${format}, written by a newer networkml (this one reads 1)`,
    );
  return JSON.parse(inflateSync(bytes.subarray(MAGIC.length + 1)).toString('utf8')) as unknown;
}
