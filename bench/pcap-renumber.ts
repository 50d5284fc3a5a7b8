/**
 * Writes a copy of a classic little-endian pcap of Ethernet frames (VLAN tags allowed) with every IPv4
 * address 10.a.b.c renumbered to 192.168.b.c, checksums left as they are (networkml does not check them):
 * the benchmark captures are numbered in 10/8, whose addresses are small integers in JavaScript, while most
 * networks' (192.168/16, 172.16/12, public ones) are past 2^31 − 1. Reads the whole file into memory.
 *   node --import tsx bench/pcap-renumber.ts IN.pcap OUT.pcap
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: pcap-renumber.ts IN.pcap OUT.pcap\n');
  process.exit(2);
}
const buf = readFileSync(input);
const magic = buf.readUInt32LE(0);
if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${input}: only little-endian pcaps`);
if (buf.readUInt32LE(20) !== 1) throw new Error(`${input}: only Ethernet (link type 1)`);
let packets = 0;
let renumbered = 0;
for (let frame = 24 + 16; frame <= buf.length; ) {
  const caplen = buf.readUInt32LE(frame - 16 + 8);
  const end = Math.min(frame + caplen, buf.length);
  packets++;
  let ip = frame + 14;
  let type = end >= ip ? buf.readUInt16BE(ip - 2) : 0;
  while ((type === 0x8100 || type === 0x88a8) && ip + 4 <= end) {
    type = buf.readUInt16BE(ip + 2);
    ip += 4;
  }
  if (type === 0x0800 && ip + 20 <= end && buf[ip]! >> 4 === 4) {
    for (const at of [ip + 12, ip + 16]) {
      if (buf[at] !== 10) continue;
      buf[at] = 192;
      buf[at + 1] = 168;
      renumbered++;
    }
  }
  frame += caplen + 16;
}
writeFileSync(output, buf);
process.stdout.write(`${output}: ${packets} packets, ${renumbered} addresses renumbered into 192.168/16\n`);
