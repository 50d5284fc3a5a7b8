/**
 * Corrupt copies of real captures, for the tests of what the commands give for the packets before a corrupt
 * record: a record header or block length that cannot be (as the reader and libpcap judge it), with the rest
 * of the capture after it, and the clean capture of exactly the bytes before it to compare with; and
 * gzip-compressed captures whose compressed data turns corrupt part-way.
 */
import { constants, deflateRawSync, gzipSync } from 'node:zlib';

/**
 * A little-endian classic pcap (`bytes`) whose first record starting at or after `fraction` of the file claims
 * `caplen` captured bytes (default 300,000: above libpcap's 262,144). `at` is that record's offset; `before`,
 * the capture cut there (a clean capture of the packets before it) and `packets`, how many it holds.
 */
export function corruptPcap(
  bytes: Buffer,
  fraction = 0.6,
  caplen = 300_000,
): { bytes: Buffer; at: number; before: Buffer; packets: number } {
  if (bytes.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('a little-endian µs pcap');
  let at = 24;
  let packets = 0;
  while (at < bytes.length * fraction) {
    at += 16 + bytes.readUInt32LE(at + 8);
    packets++;
  }
  if (at + 16 > bytes.length) throw new Error('no record there');
  const out = Buffer.from(bytes);
  out.writeUInt32LE(caplen, at + 8);
  return { bytes: out, at, before: bytes.subarray(0, at), packets };
}

/**
 * A little-endian pcapng (`bytes`) whose first block starting at or after `fraction` of the file has an odd
 * (impossible) block length; `at`, `before` and `packets` (the blocks before it that are not the section
 * header or an interface description) as corruptPcap's.
 */
export function corruptPcapng(
  bytes: Buffer,
  fraction = 0.6,
): { bytes: Buffer; at: number; before: Buffer; packets: number } {
  if (bytes.readUInt32LE(0) !== 0x0a0d0d0a || bytes.readUInt32LE(8) !== 0x1a2b3c4d)
    throw new Error('a little-endian pcapng');
  let at = 0;
  let packets = 0;
  while (at < bytes.length * fraction) {
    const type = bytes.readUInt32LE(at);
    if (type === 6 || type === 3) packets++;
    at += bytes.readUInt32LE(at + 4);
  }
  if (at + 12 > bytes.length) throw new Error('no block there');
  const out = Buffer.from(bytes);
  out.writeUInt32LE(bytes.readUInt32LE(at + 4) + 2, at + 4);
  return { bytes: out, at, before: bytes.subarray(0, at), packets };
}

/**
 * A gzip-compressed copy of `bytes` whose compressed data is corrupt after `fraction` of the capture: the
 * bytes before `corruptAt` (decompressed) are deflated and flushed to a byte boundary, then comes a block
 * header of the reserved type, which zlib refuses ("invalid block type"), then the rest of the capture
 * deflated on its own (never reached). A bit error in a real file does the same to inflate; built this way,
 * where the data turns corrupt is known exactly.
 */
export function corruptGzip(bytes: Buffer, fraction = 0.6): { bytes: Buffer; corruptAt: number } {
  const corruptAt = Math.floor(bytes.length * fraction);
  const head = gzipSync(bytes.subarray(0, corruptAt), { finishFlush: constants.Z_FULL_FLUSH });
  // BFINAL 0, BTYPE 11 (reserved).
  const badBlock = Buffer.from([0b110]);
  return { bytes: Buffer.concat([head, badBlock, deflateRawSync(bytes.subarray(corruptAt))]), corruptAt };
}
