/**
 * A long capture's packets packed into records in memory (capture/packed.ts): input for tests of the
 * per-packet extractors without the reader in the measured loop.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKED_RECORD_BYTES, PackedRecords } from '../capture/packed.js';
import { readCapture } from '../capture/reader.js';
import { repeatedCapture } from './repeated-capture.js';

const REAL = fileURLToPath(
  new URL('../../test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap', import.meta.url),
);
/** Seconds past 2^31 - 1 (2038 on), which V8 holds only as doubles (a heap number when boxed). */
const SHIFT_S = 0x8000_0000;
const MAX_PACKETS = 80_000;

/**
 * ~60,000 packets: a real capture repeated to 10 MiB (each copy after the previous one), every time moved
 * SHIFT_S later.
 */
export async function packedLongCapture(): Promise<{ records: PackedRecords; count: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-packed-'));
  try {
    const path = join(dir, 'long.pcap');
    writeFileSync(path, repeatedCapture(REAL, 10 * 1024 * 1024, SHIFT_S));
    const records = new PackedRecords(new ArrayBuffer(MAX_PACKETS * PACKED_RECORD_BYTES), 0, MAX_PACKETS);
    let count = 0;
    await readCapture(path, (p) => {
      if (count === MAX_PACKETS) throw new Error(`more than ${MAX_PACKETS} packets`);
      records.pack(count++, p);
    });
    return { records, count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
