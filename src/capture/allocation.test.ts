import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fewestAllocatedBytes } from '../test-helpers/allocation.js';
import { PACKED_RECORD_BYTES, PackedRecords } from './packed.js';
import { readCapture } from './reader.js';

const REAL = new URL('../../test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap', import.meta.url);
const COPIES = 60;

/**
 * A real capture's records COPIES times over, each copy 2^31 s + its index later than the original: seconds
 * past 2^31 - 1 (2038 on; time-shifted benchmark captures), which V8 cannot hold as small integers.
 */
function shiftedCapture(): { bytes: Buffer; packets: number } {
  const source = readFileSync(REAL);
  assert.equal(source.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian microsecond pcap');
  const records: Buffer[] = [];
  let packets = 0;
  for (let copy = 0; copy < COPIES; copy++) {
    for (let off = 24; off + 16 <= source.length; ) {
      const caplen = source.readUInt32LE(off + 8);
      const record = Buffer.from(source.subarray(off, off + 16 + caplen));
      record.writeUInt32LE(record.readUInt32LE(0) + 0x8000_0000 + copy * 100_000, 0);
      records.push(record);
      packets++;
      off += 16 + caplen;
    }
  }
  return { bytes: Buffer.concat([source.subarray(0, 24), ...records]), packets };
}

describe('capture reading allocation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-alloc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads, decodes and packs a capture (times past 2^31 s) with no allocation per packet', async () => {
    const { bytes, packets } = shiftedCapture();
    const path = join(dir, 'shifted.pcap');
    writeFileSync(path, bytes);
    // What the reader thread does with each packet: pack it into the ring's records.
    const slots = 1024;
    const records = new PackedRecords(new ArrayBuffer(slots * PACKED_RECORD_BYTES), 0, slots);
    const next = new Int32Array(1);
    const read = async () => {
      const summary = await readCapture(path, (p) => {
        records.pack(next[0]!, p);
        next[0] = (next[0]! + 1) & (slots - 1);
      });
      assert.equal(summary.packets, packets);
    };
    for (let warm = 0; warm < 4; warm++) await read(); // optimised code: the interpreter boxes every double
    const perPacket = (await fewestAllocatedBytes(read, 4 * packets)) / packets;
    assert.ok(records.timeUs(0) > 0x8000_0000 * 1e6);
    // ~1.2 B measured: the reads' own buffers and promises, per 1 MiB chunk. One object per packet is 16 B
    // or more. (In the reader thread, where V8 inlines less, the time passed as emit's arguments was a heap
    // number per packet for these times; this thread's inlining hides that: see PacketSink.setTime.)
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });
});
