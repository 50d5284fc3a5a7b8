/**
 * Every packet of a capture packed into records in memory (capture/packed.ts): input for tests of the
 * per-packet extractors without the reader in the measured loop.
 */
import { PACKED_RECORD_BYTES, PackedRecords } from '../capture/packed.js';
import { readCapture } from '../capture/reader.js';

export async function packedCapture(
  path: string,
  maxPackets: number,
): Promise<{ records: PackedRecords; count: number }> {
  const records = new PackedRecords(new ArrayBuffer(maxPackets * PACKED_RECORD_BYTES), 0, maxPackets);
  let count = 0;
  await readCapture(path, (p) => {
    if (count === maxPackets) throw new Error(`${path}: more than ${maxPackets} packets`);
    records.pack(count++, p);
  });
  return { records, count };
}
