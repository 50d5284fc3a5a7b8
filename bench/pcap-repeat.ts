/**
 * Writes a classic little-endian pcap to standard output N times over as ONE pcapng stream, each copy's
 * times shifted past the previous copy's end, so the result is one long capture whose times never go back
 * (pcapng's 64-bit µs timestamps do not overflow where pcap's 32-bit seconds would). Gaps of more than a day
 * between two packets are shortened to a day: the 1 GiB benchmark capture is itself 35 copies 231 days apart,
 * so ten copies of it would run past the year 2255, whose packets the reader skips; a gap longer than a bin
 * changes no bin, session or feature. For memory benchmarks on captures larger than the disk should hold:
 *   node --import tsx bench/pcap-repeat.ts FILE.pcap 10 | networkml eval --anomaly none -
 */
import { closeSync, openSync, readSync } from 'node:fs';

const [file, copiesArg] = process.argv.slice(2);
if (!file || !copiesArg) {
  process.stderr.write('usage: pcap-repeat.ts FILE.pcap COPIES\n');
  process.exit(2);
}
const copies = Number(copiesArg);
const CHUNK = 4 << 20;

function write(buf: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(buf)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

function headerBlocks(linkType: number, snaplen: number): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeUInt16LE(0, 14);
  shb.writeInt32LE(-1, 16);
  shb.writeInt32LE(-1, 20);
  shb.writeUInt32LE(28, 24);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(linkType, 8);
  idb.writeUInt32LE(snaplen, 12);
  idb.writeUInt32LE(20, 16);
  return Buffer.concat([shb, idb]);
}

const MAX_GAP_US = 86_400e6;

/**
 * One copy of the file as Enhanced Packet Blocks, its first packet at startUs and gaps over a day shortened
 * to a day; returns the last packet's (new) time.
 */
async function pass(startUs: number, first: boolean): Promise<number> {
  const fd = openSync(file!, 'r');
  const head = Buffer.alloc(24);
  readSync(fd, head, 0, 24, 0);
  if (head.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: only little-endian µs pcaps`);
  if (first) await write(headerBlocks(head.readUInt32LE(20), head.readUInt32LE(16)));
  let pos = 24;
  let rest = Buffer.alloc(0);
  let prevUs = -1;
  let t = startUs;
  for (;;) {
    const chunk = Buffer.alloc(CHUNK);
    const n = readSync(fd, chunk, 0, CHUNK, pos);
    pos += n;
    const buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    const out = Buffer.alloc(buf.length * 2 + 64);
    let o = 0;
    let w = 0;
    while (o + 16 <= buf.length) {
      const incl = buf.readUInt32LE(o + 8);
      if (o + 16 + incl > buf.length) break;
      const us = buf.readUInt32LE(o) * 1e6 + buf.readUInt32LE(o + 4);
      if (prevUs >= 0) t += Math.min(us - prevUs, MAX_GAP_US);
      prevUs = us;
      const padded = (incl + 3) & ~3;
      const total = 32 + padded;
      out.writeUInt32LE(6, w);
      out.writeUInt32LE(total, w + 4);
      out.writeUInt32LE(0, w + 8);
      out.writeUInt32LE(Math.floor(t / 0x1_0000_0000), w + 12);
      out.writeUInt32LE(t % 0x1_0000_0000, w + 16);
      out.writeUInt32LE(incl, w + 20);
      out.writeUInt32LE(buf.readUInt32LE(o + 12), w + 24);
      buf.copy(out, w + 28, o + 16, o + 16 + incl);
      out.fill(0, w + 28 + incl, w + 28 + padded);
      out.writeUInt32LE(total, w + 28 + padded);
      w += total;
      o += 16 + incl;
    }
    await write(out.subarray(0, w));
    rest = Buffer.from(buf.subarray(o));
    if (n === 0) break;
  }
  closeSync(fd);
  return t;
}

/** The first packet's time (µs): the first copy keeps its times. */
function firstTime(): number {
  const fd = openSync(file!, 'r');
  const record = Buffer.alloc(8);
  readSync(fd, record, 0, 8, 24);
  closeSync(fd);
  return record.readUInt32LE(0) * 1e6 + record.readUInt32LE(4);
}

let start = firstTime();
for (let c = 0; c < copies; c++) start = (await pass(start, c === 0)) + 3600e6;
