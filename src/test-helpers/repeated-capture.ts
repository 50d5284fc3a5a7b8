import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** A little-endian µs pcap's bytes and its records (header and data), in file order. */
function pcapRecords(path: string): { bytes: Buffer; records: Buffer[] } {
  const bytes = readFileSync(path);
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
  const records: Buffer[] = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const len = bytes.readUInt32LE(o + 8);
    records.push(bytes.subarray(o, o + 16 + len));
    o += 16 + len;
  }
  return { bytes, records };
}

/** The first `count` packets of a little-endian µs pcap, as `editcap -r IN OUT 1-count` keeps them. */
export function captureHead(path: string, count: number): Buffer {
  const { bytes, records } = pcapRecords(path);
  return Buffer.concat([bytes.subarray(0, 24), ...records.slice(0, count)]);
}

/**
 * A little-endian µs pcap made of a real capture's records repeated, each copy shifted past the previous
 * one's end so times never go back, until it is `minBytes` long: a long capture for tests of large inputs
 * without storing one. `shiftS` moves every record that many seconds later (the total must stay a uint32).
 */
export function repeatedCapture(path: string, minBytes: number, shiftS = 0): Buffer {
  const { bytes, records } = pcapRecords(path);
  const span = records.at(-1)!.readUInt32LE(0) - records[0]!.readUInt32LE(0) + 1;
  const out: Buffer[] = [bytes.subarray(0, 24)];
  let size = 24;
  for (let copy = 0; size < minBytes; copy++) {
    for (const r of records) {
      const c = Buffer.from(r);
      c.writeUInt32LE(r.readUInt32LE(0) + shiftS + copy * span, 0);
      out.push(c);
      size += c.length;
    }
  }
  return Buffer.concat(out);
}

/**
 * Little-endian µs pcaps (same link type) one after the other in one file, as `mergecap` writes captures
 * that do not overlap in time: a multi-window capture of one device from short real ones.
 */
export function concatenatedCaptures(paths: readonly string[]): Buffer {
  const files = paths.map((p) => readFileSync(p));
  for (const f of files) assert.equal(f.readUInt32LE(0), 0xa1b2c3d4);
  return Buffer.concat([files[0]!.subarray(0, 24), ...files.map((f) => f.subarray(24))]);
}
