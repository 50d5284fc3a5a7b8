import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PacketRecord } from '../capture/packet.js';
import { fewestAllocatedBytes } from '../test-helpers/allocation.js';
import { packedCapture } from '../test-helpers/packed-capture.js';
import { repeatedCapture } from '../test-helpers/repeated-capture.js';
import { BehaviorExtractor } from './behavior.js';

const REAL = fileURLToPath(
  new URL('../../test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap', import.meta.url),
);
/** Seconds past 2^31 - 1 (every real time in µs is past 2^31 already; these in seconds too). */
const SHIFT_S = 0x8000_0000;

describe('behaviour extractor allocation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-behavior-alloc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts packets (unpacked from the ring, as the analysis thread does) with no allocation per packet', async () => {
    const path = join(dir, 'shifted.pcap');
    writeFileSync(path, repeatedCapture(REAL, 10 * 1024 * 1024, SHIFT_S));
    const { records, count: n } = await packedCapture(path, 80_000);
    assert.ok(n > 50_000, `${n} packets`);
    // One extractor throughout (see v2/allocation.test.ts): the measured pass closes no bin.
    const behavior = new BehaviorExtractor({ durationS: 900 });
    const rec = new PacketRecord();
    const feed = () => {
      for (let i = 0; i < n; i++) {
        records.unpack(i, rec);
        behavior.add(rec);
      }
    };
    for (let warm = 0; warm < 4; warm++) feed();
    const perPacket = (await fewestAllocatedBytes(feed, 4 * n)) / n;
    // A heap number per packet would be 16 B or more (the MAC keys and the time were, ~28 B).
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });
});
