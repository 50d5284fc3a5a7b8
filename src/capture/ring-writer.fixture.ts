/**
 * A ring writer on its own thread for ring.test.ts: packs records until the reader stops it, counting them
 * in `progress[0]`; asleep on a full ring it waits for the reader's wake-up only (a minute's poll).
 */
import { workerData } from 'node:worker_threads';
import { PacketRecord } from './packet.js';
import { RingWriter } from './ring.js';

const { buffer, progress } = workerData as { buffer: SharedArrayBuffer; progress: SharedArrayBuffer };
const writer = new RingWriter(buffer, 1, 60_000);
const count = new Int32Array(progress);
const p = new PacketRecord();
p.ipVersion = 4;
for (;;) {
  const i = writer.claim();
  if (i < 0) break;
  writer.records.pack(i, p);
  writer.commit();
  Atomics.add(count, 0, 1);
}
