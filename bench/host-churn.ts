/**
 * Writes a synthetic capture whose hosts come and go, to measure what the pipeline holds per host:
 *   tunnel  raw IP (link type 101): a device at 10.0.0.1 opens TCP to a new public address every other packet
 *           (SYN, then the SYN-ACK back), PACKETS spread evenly over SECONDS (a VPN / tun capture's peers);
 *   lan     Ethernet: the same, but each peer is a new neighbour on the LAN (its own MAC, a 10.x address);
 *   macof   Ethernet, every frame a TCP SYN from a new random MAC and 10.x address to a new random MAC (the
 *           `macof` switch-table flood): PACKETS over SECONDS (default: 1,000 frames a second, so up to
 *           900,000 fall into one bin).
 *   node --import tsx bench/host-churn.ts tunnel|lan|macof OUT.pcap PACKETS [SECONDS]
 * Deterministic (a fixed xorshift sequence); frames are headers only (no payload).
 */
import { writeFileSync } from 'node:fs';

const [mode, output, packetsArg, secondsArg] = process.argv.slice(2);
const packets = Number(packetsArg);
if (!['tunnel', 'lan', 'macof'].includes(mode ?? '') || !output || !(packets > 0)) {
  process.stderr.write('usage: host-churn.ts tunnel|lan|macof OUT.pcap PACKETS [SECONDS]\n');
  process.exit(2);
}
const seconds = Number(secondsArg ?? (mode === 'macof' ? packets / 1000 : packets));
const ethernet = mode !== 'tunnel';
const frameLength = (ethernet ? 14 : 0) + 40;
const buf = Buffer.alloc(24 + packets * (16 + frameLength));
buf.writeUInt32LE(0xa1b2c3d4, 0);
buf.writeUInt16LE(2, 4);
buf.writeUInt16LE(4, 6);
buf.writeUInt32LE(65535, 16);
buf.writeUInt32LE(ethernet ? 1 : 101, 20);

// xorshift32: a linear congruential generator's low bytes repeat within 2^16 draws (macof's MACs did, 4,096
// frames apart).
let state = 777;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
};
const deviceMac = [0x02, 0, 0, 0, 0, 0x01];
const device = [10, 0, 0, 1];
let peer = [0, 0, 0, 0];
let peerMac = [0, 0, 0, 0, 0, 0];
let port = 0;
let o = 24;
for (let i = 0; i < packets; i++) {
  const us = Math.floor((i * seconds * 1e6) / packets);
  buf.writeUInt32LE(1_600_000_000 + Math.floor(us / 1e6), o);
  buf.writeUInt32LE(us % 1e6, o + 4);
  buf.writeUInt32LE(frameLength, o + 8);
  buf.writeUInt32LE(frameLength, o + 12);
  o += 16;
  const reply = mode !== 'macof' && i % 2 === 1;
  if (mode === 'macof') {
    peerMac = Array.from({ length: 6 }, () => random() & 0xff);
    peerMac[0]! &= 0xfe; // unicast
    peer = [10, random() & 0xff, random() & 0xff, random() & 0xff];
    port = 1024 + (random() % 60000);
  } else if (!reply) {
    const n = i / 2;
    peerMac = [0x02, 0x01, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    peer =
      mode === 'tunnel'
        ? [20 + (random() % 180), random() & 0xff, random() & 0xff, 1 + (random() % 250)]
        : [10, 1 + ((n >>> 16) & 0xff), (n >>> 8) & 0xff, n & 0xff];
    port = 1024 + (random() % 60000);
  }
  if (ethernet) {
    const macofDst = Array.from({ length: 6 }, () => random() & 0xff);
    macofDst[0]! &= 0xfe;
    const dst = mode === 'macof' ? macofDst : reply ? deviceMac : peerMac;
    const src = mode === 'macof' ? peerMac : reply ? peerMac : deviceMac;
    for (let k = 0; k < 6; k++) {
      buf[o + k] = dst[k]!;
      buf[o + 6 + k] = src[k]!;
    }
    buf.writeUInt16BE(0x0800, o + 12);
    o += 14;
  }
  // Sender and receiver: the device, or the peer (macof: a random 10.x to 10.0.0.x).
  const from = mode === 'macof' || reply ? peer : device;
  const to = mode === 'macof' ? [10, 0, 0, 1 + (i % 50)] : reply ? device : peer;
  buf[o] = 0x45;
  buf.writeUInt16BE(40, o + 2);
  buf[o + 8] = reply ? 52 : 64;
  buf[o + 9] = 6;
  for (let k = 0; k < 4; k++) {
    buf[o + 12 + k] = from[k]!;
    buf[o + 16 + k] = to[k]!;
  }
  buf.writeUInt16BE(reply ? 443 : port, o + 20);
  buf.writeUInt16BE(reply ? port : 443, o + 22);
  buf[o + 32] = 0x50;
  buf[o + 33] = reply ? 0x12 : 0x02;
  o += 40;
}
writeFileSync(output, buf);
process.stdout.write(`${output}: ${mode}, ${packets} packets over ${seconds} s\n`);
