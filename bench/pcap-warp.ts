/**
 * Writes a copy of a classic little-endian µs pcap whose packet times are warped, t' = t0 + Δ + c·Δ² with
 * Δ = t − t0 (t0 the first packet's time), so that Δ's slope grows from 1 to 1 + STRETCH over the capture.
 * Times still never go back, but no two stretches of the capture keep the same spacing: in the benchmark
 * capture (one capture copied ~100 times) every copy's sessions get their own durations and rates, so
 * their LSTM sequences stop repeating bit for bit (src/models/sequence-memo.ts), as in a real capture.
 *   node --import tsx bench/pcap-warp.ts IN.pcap OUT.pcap [STRETCH=0.1]
 */
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';

const [input, output, stretchArg] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: pcap-warp.ts IN.pcap OUT.pcap [STRETCH=0.1]\n');
  process.exit(2);
}
const stretch = Number(stretchArg ?? '0.1');
const CHUNK = 8 << 20;
const fd = openSync(input, 'r');
const out = openSync(output, 'w');
const head = Buffer.alloc(24);
readSync(fd, head, 0, 24, 0);
if (head.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${input}: only little-endian µs pcaps`);
writeSync(out, head);

// The span first (a pass over the record headers), for c: slope 1 + 2cΔ reaches 1 + stretch at the end.
function records(each: (buf: Buffer, o: number) => void, write: boolean): void {
  let pos = 24;
  let rest = Buffer.alloc(0);
  const size = statSync(input!).size;
  while (pos < size || rest.length > 0) {
    const chunk = Buffer.alloc(CHUNK);
    const n = readSync(fd, chunk, 0, CHUNK, pos);
    pos += n;
    const buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let o = 0;
    while (o + 16 <= buf.length) {
      const incl = buf.readUInt32LE(o + 8);
      if (o + 16 + incl > buf.length) break;
      each(buf, o);
      o += 16 + incl;
    }
    if (write) writeSync(out, buf, 0, o);
    rest = Buffer.from(buf.subarray(o));
    if (n === 0) break;
  }
}

const timeUs = (buf: Buffer, o: number) => buf.readUInt32LE(o) * 1e6 + buf.readUInt32LE(o + 4);
let first = -1;
let last = -1;
records((buf, o) => {
  const us = timeUs(buf, o);
  if (first < 0) first = us;
  last = us;
}, false);
const spanS = Math.max((last - first) / 1e6, 1);
const c = stretch / (2 * spanS);
records((buf, o) => {
  const deltaS = (timeUs(buf, o) - first) / 1e6;
  const us = Math.round(first + (deltaS + c * deltaS * deltaS) * 1e6);
  buf.writeUInt32LE(Math.floor(us / 1e6), o);
  buf.writeUInt32LE(us % 1e6, o + 4);
}, true);
closeSync(fd);
closeSync(out);
process.stdout.write(`${output}: times warped by up to ${stretch * 100}% over ${spanS.toFixed(0)} s\n`);
