import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PACKED_RECORD_BYTES, PackedRecords } from '../../capture/packed.js';
import { readCapture } from '../../capture/reader.js';
import { fewestAllocatedBytes } from '../../test-helpers/allocation.js';
import { repeatedCapture } from '../../test-helpers/repeated-capture.js';
import { V2Extractor } from './extractor.js';

const REAL = fileURLToPath(
  new URL('../../../test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap', import.meta.url),
);
/** Seconds past 2^31 - 1, whose microsecond times V8 holds only as doubles (a heap number when boxed). */
const SHIFT_S = 0x8000_0000;

describe('v2 extractor allocation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-v2-alloc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads packed records (the reader thread) with no allocation per packet', async () => {
    const path = join(dir, 'shifted.pcap');
    writeFileSync(path, repeatedCapture(REAL, 10 * 1024 * 1024, SHIFT_S));
    const all = new PackedRecords(new ArrayBuffer(80_000 * PACKED_RECORD_BYTES), 0, 80_000);
    let n = 0;
    await readCapture(path, (p) => all.pack(n++, p));
    assert.ok(n > 50_000, `${n} packets`);
    // One extractor throughout: its tables hold the capture's keys and flows after the first passes, so the
    // measured pass adds to them only (times go back to the start there: no bin closes, which allocates).
    const v2 = new V2Extractor({ durationS: 900 });
    const feed = () => {
      for (let i = 0; i < n; i++) v2.addPacked(all, i);
    };
    for (let warm = 0; warm < 4; warm++) feed(); // optimised code: the interpreter boxes every double
    const perPacket = (await fewestAllocatedBytes(feed, 4 * n)) / n;
    v2.dispose();
    // A heap number per packet would be 16 B or more.
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });
});
