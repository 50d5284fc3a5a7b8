import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fewestAllocatedBytes } from '../test-helpers/allocation.js';
import { repeatedCapture } from '../test-helpers/repeated-capture.js';
import { PACKED_RECORD_BYTES, PackedRecords } from './packed.js';
import { readCapture } from './reader.js';
import type { FrameTaker } from './reader-api.js';

const REAL = fileURLToPath(
  new URL('../../test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap', import.meta.url),
);
/** Seconds past 2^31 - 1 (2038 on; time-shifted benchmark captures), which V8 cannot hold as small integers. */
const SHIFT_S = 0x8000_0000;

describe('capture reading allocation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-alloc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads, decodes and packs a capture (times past 2^31 s) with no allocation per packet', async () => {
    const path = join(dir, 'shifted.pcap');
    // ~63 copies of a 167 KB capture (~60,000 packets), every time past 2^31 s.
    writeFileSync(path, repeatedCapture(REAL, 10 * 1024 * 1024, SHIFT_S));
    // What the reader thread does with each packet: pack it into the ring's records.
    const slots = 1024;
    const records = new PackedRecords(new ArrayBuffer(slots * PACKED_RECORD_BYTES), 0, slots);
    const next = new Int32Array(1);
    let packets = 0;
    const read = async () => {
      const summary = await readCapture(path, (p) => {
        records.pack(next[0]!, p);
        next[0] = (next[0]! + 1) & (slots - 1);
      });
      packets = summary.packets;
    };
    for (let warm = 0; warm < 4; warm++) await read(); // optimised code: the interpreter boxes every double
    assert.ok(packets > 50_000, `${packets} packets`);
    const perPacket = (await fewestAllocatedBytes(read, 4 * packets)) / packets;
    assert.ok(records.timeUs(0) > SHIFT_S * 1e6);
    // ~1.2 B measured: the reads' own buffers and promises, per 1 MiB chunk. One object per packet is 16 B
    // or more. (In the reader thread, where V8 inlines less, the time passed as emit's arguments was a heap
    // number per packet for these times; this thread's inlining hides that: see PacketSink.setTime.)
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });

  it('packs frames through the reader thread shortcut (packEthernetIpv4) with no allocation per packet', async () => {
    const path = join(dir, 'shifted-direct.pcap');
    writeFileSync(path, repeatedCapture(REAL, 10 * 1024 * 1024, SHIFT_S));
    const slots = 1024;
    const records = new PackedRecords(new ArrayBuffer(slots * PACKED_RECORD_BYTES), 0, slots);
    const next = new Int32Array(2);
    const frameTaker: FrameTaker = {
      take(time, b, off, caplen, origlen) {
        if (!records.packEthernetIpv4(next[0]!, time, b, off, caplen, origlen)) return false;
        next[0] = (next[0]! + 1) & (slots - 1);
        next[1]!++;
        return true;
      },
    };
    let packets = 0;
    const read = async () => {
      next[1] = 0;
      const summary = await readCapture(path, (p) => records.pack(next[0]!, p), { frameTaker });
      packets = summary.packets;
    };
    for (let warm = 0; warm < 4; warm++) await read();
    assert.ok(next[1]! > packets / 2, `${next[1]} of ${packets} packets taken`);
    const perPacket = (await fewestAllocatedBytes(read, 4 * packets)) / packets;
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });
});
