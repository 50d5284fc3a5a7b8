import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackedRecords } from '../../capture/packed.js';
import { PacketRecord } from '../../capture/packet.js';
import { fewestAllocatedBytes } from '../../test-helpers/allocation.js';
import { packedLongCapture } from '../../test-helpers/packed-capture.js';
import { V2Extractor } from './extractor.js';

describe('v2 extractor allocation', () => {
  /** Bytes per packet that `add` allocates once optimised (the packets of a long capture, fed again). */
  async function perPacket(
    add: (v2: V2Extractor, records: PackedRecords, i: number) => void,
  ): Promise<number> {
    const { records, count: n } = await packedLongCapture();
    assert.ok(n > 50_000, `${n} packets`);
    // One extractor throughout: its tables hold the capture's keys and flows after the first passes, so the
    // measured pass adds to them only (times go back to the start there: no bin closes, which allocates).
    const v2 = new V2Extractor({ durationS: 900 });
    const feed = () => {
      for (let i = 0; i < n; i++) add(v2, records, i);
    };
    for (let warm = 0; warm < 4; warm++) feed(); // optimised code: the interpreter boxes every double
    const bytes = await fewestAllocatedBytes(feed, 4 * n);
    v2.dispose();
    return bytes / n;
  }

  // A heap number per packet would be 16 B or more (the time and two log10 values were, ~46 B).
  it('reads packed records (the reader thread) with no allocation per packet', async () => {
    const bytes = await perPacket((v2, records, i) => v2.addPacked(records, i));
    assert.ok(bytes < 4, `${bytes.toFixed(2)} bytes allocated per packet`);
  });

  it('reads decoded packets (one thread) with no allocation per packet', async () => {
    const rec = new PacketRecord();
    const bytes = await perPacket((v2, records, i) => {
      records.unpack(i, rec);
      v2.add(rec);
    });
    assert.ok(bytes < 4, `${bytes.toFixed(2)} bytes allocated per packet`);
  });
});
