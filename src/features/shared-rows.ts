/**
 * A device's session rows as another thread of this process can open them: packed rows (the first
 * `stored` of each row's `width` values; the rest are zero) in shared memory, or in a temporary file read
 * through its descriptor (descriptors are the process's, so a worker thread reads the same file).
 */
import { fstatSync } from 'node:fs';
import { readAt } from './spill-file.js';

export interface SharedRows {
  readonly length: number;
  /** Values per row as read (the model's input width). */
  readonly width: number;
  /** Values per row as stored (the first ones of a row; the others are zero). */
  readonly stored: number;
  /** Rows in shared memory, `stored` float64 each… */
  readonly buffer?: SharedArrayBuffer;
  /** …or in this file, from offset 0, read `chunkRows` rows at a time. */
  readonly fd?: number;
  readonly chunkRows: number;
}

/** Rows read one at a time into a caller's buffer (the LSTM's RowSource). */
export interface SharedRowReader {
  readonly length: number;
  readonly width: number;
  read(i: number, out: Float64Array): void;
}

/** Reads shared rows on this thread (its own read buffer: one per thread). */
export function sharedRowReader(rows: SharedRows): SharedRowReader {
  const { length, width, stored, chunkRows } = rows;
  if (rows.buffer) {
    const packed = new Float64Array(rows.buffer, 0, length * stored);
    return {
      length,
      width,
      read: (i, out) => {
        out.fill(0, stored, width);
        // Value by value: a subarray per row read was millions of short-lived views.
        const o = i * stored;
        for (let k = 0; k < stored; k++) out[k] = packed[o + k]!;
      },
    };
  }
  const fd = rows.fd;
  if (fd === undefined) throw new Error('shared rows: neither a buffer nor a file');
  fstatSync(fd); // a descriptor that is not open fails here, before any row is claimed
  const read = fileRowReader(fd, stored, width, chunkRows);
  return { length, width, read: (i, out) => read(i, out, length) };
}

/**
 * Rows of a file of packed rows (`stored` float64 each from offset 0, expanded to `width` values, the rest
 * zero), read `chunkRows` at a time: `read(i, out, final)` reads row i of the first `final` rows, which
 * are all written. The file may grow between reads (the LSTM's second thread reads a device's rows while
 * they are written: lstm-worker.ts); a chunk read when fewer of its rows were final is read again.
 */
export function fileRowReader(
  fd: number,
  stored: number,
  width: number,
  chunkRows: number,
): (i: number, out: Float64Array, final: number) => void {
  const chunk = new Float64Array(chunkRows * stored);
  const bytes = new Uint8Array(chunk.buffer);
  let from = 0;
  let count = 0;
  return (i, out, final) => {
    if (i < from || i >= from + count) {
      from = i - (i % chunkRows);
      count = Math.min(chunkRows, final - from);
      readAt(fd, bytes.subarray(0, count * stored * 8), from * stored * 8);
    }
    const o = (i - from) * stored;
    out.fill(0, stored, width);
    for (let k = 0; k < stored; k++) out[k] = chunk[o + k]!;
  };
}

/** Rows given as arrays, copied into shared memory (the whole-capture path keeps them as arrays). */
export function shareRowArrays(rows: readonly Float64Array[], width: number): SharedRows {
  const buffer = new SharedArrayBuffer(rows.length * width * 8);
  const packed = new Float64Array(buffer);
  for (let i = 0; i < rows.length; i++) packed.set(rows[i]!.subarray(0, width), i * width);
  return { length: rows.length, width, stored: width, buffer, chunkRows: rows.length };
}

/** Packed rows of this thread's memory, copied into shared memory. */
export function sharePackedRows(
  packed: Float64Array,
  length: number,
  width: number,
  stored: number,
): SharedRows {
  const buffer = new SharedArrayBuffer(length * stored * 8);
  new Float64Array(buffer).set(packed.subarray(0, length * stored));
  return { length, width, stored, buffer, chunkRows: length };
}
