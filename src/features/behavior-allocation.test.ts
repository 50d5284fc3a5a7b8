import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketRecord } from '../capture/packet.js';
import { fewestAllocatedBytes } from '../test-helpers/allocation.js';
import { packedLongCapture } from '../test-helpers/packed-capture.js';
import { BehaviorExtractor } from './behavior.js';

describe('behaviour extractor allocation', () => {
  it('counts packets (unpacked from the ring, as the analysis thread does) with no allocation per packet', async () => {
    const { records, count: n } = await packedLongCapture();
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
    for (let warm = 0; warm < 4; warm++) feed(); // optimised code: the interpreter boxes every double
    const perPacket = (await fewestAllocatedBytes(feed, 4 * n)) / n;
    // A heap number per packet would be 16 B or more (the host keys and the time were, ~28 B).
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });
});
