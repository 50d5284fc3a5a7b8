/**
 * The device's own network stack for injected attack traffic. The raw attacks were made on the lab's Linux
 * hosts (initial TTL 64, SYNs with 20 bytes of options); spliced into a device whose stack differs, that alone
 * shows "a second network stack" — an artefact, since malware on a device sends through the device's stack.
 * With `build.ts --stack device` the frames the device's end sent get the device's TTL, and its bare SYNs the
 * option bytes of the device's own SYNs (lengths and checksums fixed). Classic pcap, Ethernet frames.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { frameAt, macBytes, readPcap } from './lab.js';

export interface DeviceStack {
  /** The TTL of most of the device's unicast IPv4 packets (it is on the capture's LAN: as sent). */
  ttl: number;
  /** The TCP option bytes of most of its bare SYNs; null when it sent none (then SYNs stay as made). */
  synOptions: Buffer | null;
}

const ETH_IPV4 = 0x0800;
const TCP = 6;
const SYN = 0x02;
const ACK = 0x10;

/**
 * An IPv4 frame sent by mac/ip: its IPv4 header's length, and whether it went to a multicast group (whose
 * protocols set their own TTLs: IGMP 1, SSDP 2-4, mDNS 255; broadcasts keep the stack's); else null.
 */
function sentBy(
  b: Buffer,
  fr: { src: number; type: number; l3: number; end: number },
  mac: Buffer,
  ip: Buffer,
): { ihl: number; multicast: boolean } | null {
  if (fr.type !== ETH_IPV4 || fr.l3 + 20 > fr.end) return null;
  if (b.compare(mac, 0, 6, fr.src, fr.src + 6) !== 0) return null;
  if (b.compare(ip, 0, 4, fr.l3 + 12, fr.l3 + 16) !== 0) return null;
  const ihl = (b[fr.l3]! & 0xf) * 4;
  if (b[fr.l3]! >> 4 !== 4 || ihl < 20 || fr.l3 + ihl > fr.end) return null;
  const dst0 = b[fr.l3 + 16]!;
  return { ihl, multicast: dst0 >= 224 && dst0 < 240 };
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

/** A bare SYN's TCP header offset in a frame sent by the device (not a fragment), else -1. */
function bareSynAt(b: Buffer, l3: number, ihl: number, end: number): number {
  if (b[l3 + 9] !== TCP || (b.readUInt16BE(l3 + 6) & 0x3fff) !== 0) return -1;
  const t = l3 + ihl;
  if (t + 20 > end) return -1;
  const flags = b[t + 13]!;
  return flags & SYN && !(flags & ACK) ? t : -1;
}

function most<K>(counts: Map<K, number>): K | undefined {
  let best: K | undefined;
  let n = 0;
  for (const [k, v] of counts) if (v > n) [best, n] = [k, v];
  return best;
}

/** What the device's own frames in a capture show of its stack; null if it sent no unicast IPv4. */
export function deviceStackOf(path: string, device: { mac: string; ip: string }): DeviceStack | null {
  const p = readPcap(path);
  const b = p.bytes;
  const mac = macBytes(device.mac);
  const ip = ipBytes(device.ip);
  const ttls = new Map<number, number>();
  const syns = new Map<string, number>();
  for (const r of p.records) {
    const fr = frameAt(p, r);
    if (!fr) continue;
    const h = sentBy(b, fr, mac, ip);
    if (!h || h.multicast) continue;
    ttls.set(b[fr.l3 + 8]!, (ttls.get(b[fr.l3 + 8]!) ?? 0) + 1);
    const t = bareSynAt(b, fr.l3, h.ihl, fr.end);
    if (t < 0) continue;
    const words = b[t + 12]! >> 4;
    if (words < 5 || t + words * 4 > fr.end) continue;
    const opts = b.subarray(t + 20, t + words * 4).toString('hex');
    syns.set(opts, (syns.get(opts) ?? 0) + 1);
  }
  const ttl = most(ttls);
  if (ttl === undefined) return null;
  const opts = most(syns);
  return { ttl, synOptions: opts === undefined ? null : Buffer.from(opts, 'hex') };
}

/** deviceStackOf for a capture in any format editcap reads (it is converted to classic pcap in tmp first). */
export async function deviceStackOfCapture(
  path: string,
  device: { mac: string; ip: string },
  tmp: string,
): Promise<DeviceStack | null> {
  const pcap = join(tmp, 'device-stack.pcap');
  await promisify(execFile)('editcap', ['-F', 'pcap', path, pcap]);
  return deviceStackOf(pcap, device);
}

/** One's-complement sum of 16-bit words (odd length: a zero byte appended). */
function sum16(b: Buffer, from: number, to: number, acc = 0): number {
  let s = acc;
  for (let o = from; o + 1 < to; o += 2) s += b.readUInt16BE(o);
  if ((to - from) & 1) s += b[to - 1]! << 8;
  return s;
}
function fold(s: number): number {
  let x = s;
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return ~x & 0xffff;
}

/** Recomputes the IPv4 header checksum of the header at l3. */
function fixIpChecksum(b: Buffer, l3: number, ihl: number): void {
  b.writeUInt16BE(0, l3 + 10);
  b.writeUInt16BE(fold(sum16(b, l3, l3 + ihl)), l3 + 10);
}

/** Recomputes the TCP checksum of a whole (not truncated) segment. */
function fixTcpChecksum(b: Buffer, l3: number, t: number, segLen: number): void {
  b.writeUInt16BE(0, t + 16);
  const pseudo = sum16(b, l3 + 12, l3 + 20) + TCP + segLen;
  b.writeUInt16BE(fold(sum16(b, t, t + segLen, pseudo)), t + 16);
}

/**
 * Writes input to output with every IPv4 frame the device sent (its MAC and address) given the device's TTL,
 * and its bare SYNs the device's SYN options. Frames cut short by the capture's snap length keep their options.
 * Returns how many frames changed.
 */
export function applyDeviceStack(
  input: string,
  output: string,
  device: { mac: string; ip: string },
  stack: DeviceStack,
): number {
  const p = readPcap(input);
  const b = p.bytes;
  const mac = macBytes(device.mac);
  const ip = ipBytes(device.ip);
  const u32 = (o: number) => (p.little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const w32 = (buf: Buffer, v: number, o: number) =>
    p.little ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o);
  const out: Buffer[] = [b.subarray(0, 24)];
  let changed = 0;
  for (const r of p.records) {
    const caplen = u32(r + 8);
    const fr = frameAt(p, r);
    const h = fr ? sentBy(b, fr, mac, ip) : null;
    if (!fr || !h) {
      out.push(b.subarray(r, r + 16 + caplen));
      continue;
    }
    const t = bareSynAt(b, fr.l3, h.ihl, fr.end);
    const words = t >= 0 ? b[t + 12]! >> 4 : 0;
    const ipLen = b.readUInt16BE(fr.l3 + 2);
    const whole = fr.l3 + ipLen <= fr.end && u32(r + 12) === caplen;
    const opts = stack.synOptions;
    if (t >= 0 && opts && whole && words >= 5 && t + words * 4 <= fr.end) {
      // Rebuild the frame with the device's options in place of the lab stack's.
      const oldOpt = words * 4 - 20;
      const payload = b.subarray(t + words * 4, fr.l3 + ipLen);
      const frame = Buffer.concat([b.subarray(r + 16, t + 20), opts, payload]);
      const l3 = fr.l3 - (r + 16);
      const nt = t - (r + 16);
      const newIpLen = ipLen - oldOpt + opts.length;
      frame.writeUInt16BE(newIpLen, l3 + 2);
      if (!h.multicast) frame[l3 + 8] = stack.ttl;
      frame[nt + 12] = (((20 + opts.length) / 4) << 4) | (frame[nt + 12]! & 0xf);
      fixIpChecksum(frame, l3, h.ihl);
      fixTcpChecksum(frame, l3, nt, newIpLen - h.ihl);
      const hdr = Buffer.from(b.subarray(r, r + 16));
      w32(hdr, frame.length, 8);
      w32(hdr, frame.length, 12);
      out.push(hdr, frame);
      changed++;
      continue;
    }
    const rec = Buffer.from(b.subarray(r, r + 16 + caplen));
    const l3 = fr.l3 - r;
    if (!h.multicast && rec[l3 + 8] !== stack.ttl) {
      rec[l3 + 8] = stack.ttl;
      fixIpChecksum(rec, l3, h.ihl);
      changed++;
    }
    out.push(rec);
  }
  writeFileSync(output, Buffer.concat(out));
  return changed;
}
