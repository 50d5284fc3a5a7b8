/**
 * What the raw attack captures' lab network (gen-attacks.sh: MACs 02:66:00:00:00:xx, IPv4 10.66.0.0/24, IPv6
 * link-local fe80::66:ff:fe00:xx) leaves in an injected capture, and the MAC pass that removes it: tcprewrite
 * changes Ethernet headers per direction only, so LAN neighbours kept their lab MACs and ARP payloads kept
 * every lab MAC. Classic pcap, Ethernet (optionally 802.1Q-tagged) frames.
 *
 *   npx tsx bench/behavior/lab.ts MANIFEST.json     per attack id: captures with leftovers, and the counts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ETH_IPV4 = 0x0800;
const ETH_ARP = 0x0806;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;

interface Pcap {
  bytes: Buffer;
  little: boolean;
  /** Offset of each record's header. */
  records: number[];
}

export function readPcap(path: string): Pcap {
  const bytes = readFileSync(path);
  if (bytes.length < 24) throw new Error(`${path}: not a pcap file (${bytes.length} bytes)`);
  const magic = bytes.readUInt32LE(0);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else throw new Error(`${path}: not a classic pcap file`);
  const u32 = (o: number) => (little ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  if (u32(20) !== 1) throw new Error(`${path}: link type ${u32(20)}, only Ethernet (1) is handled`);
  const records: number[] = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const caplen = u32(o + 8);
    if (o + 16 + caplen > bytes.length) throw new Error(`${path}: truncated record at byte ${o}`);
    records.push(o);
    o += 16 + caplen;
  }
  return { bytes, little, records };
}

/** A frame's MAC and ARP-address fields, as offsets into the pcap buffer (-1: absent). */
interface Frame {
  dst: number;
  src: number;
  type: number;
  /** Start of the layer-3 header. */
  l3: number;
  end: number;
}

export function frameAt(p: Pcap, rec: number): Frame | null {
  const caplen = p.little ? p.bytes.readUInt32LE(rec + 8) : p.bytes.readUInt32BE(rec + 8);
  const f = rec + 16;
  const end = f + caplen;
  if (caplen < 14) return null;
  let type = p.bytes.readUInt16BE(f + 12);
  let l3 = f + 14;
  if (type === ETH_VLAN && caplen >= 18) {
    type = p.bytes.readUInt16BE(f + 16);
    l3 = f + 18;
  }
  return { dst: f, src: f + 6, type, l3, end };
}

export function macText(b: Buffer, o: number): string {
  const h: string[] = [];
  for (let i = 0; i < 6; i++) h.push(b[o + i]!.toString(16).padStart(2, '0'));
  return h.join(':');
}
export function macBytes(mac: string): Buffer {
  const b = Buffer.from(mac.split(':').map((x) => Number.parseInt(x, 16)));
  if (b.length !== 6 || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new Error(`bad MAC ${mac}`);
  return b;
}
/** Offsets of the MACs inside an Ethernet/IPv4 ARP payload (sender, target), or [] for another ARP. */
function arpMacs(b: Buffer, fr: Frame): number[] {
  if (fr.type !== ETH_ARP || fr.l3 + 28 > fr.end) return [];
  if (b.readUInt16BE(fr.l3) !== 1 || b[fr.l3 + 4] !== 6 || b[fr.l3 + 5] !== 4) return [];
  return [fr.l3 + 8, fr.l3 + 18];
}
/** Calls `at` with the offset of every MAC a frame carries: Ethernet destination, source, then ARP's. */
function forEachMac(p: Pcap, at: (offset: number) => void): void {
  for (const r of p.records) {
    const fr = frameAt(p, r);
    if (!fr) continue;
    at(fr.dst);
    at(fr.src);
    for (const o of arpMacs(p.bytes, fr)) at(o);
  }
}
function ipv4At(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** Every unicast MAC in a capture's Ethernet headers and ARP payloads (the hosts of a raw attack). */
export function unicastMacs(path: string): Set<string> {
  const p = readPcap(path);
  const out = new Set<string>();
  const add = (o: number) => {
    if ((p.bytes[o]! & 1) === 0 && p.bytes.subarray(o, o + 6).some((x) => x !== 0))
      out.add(macText(p.bytes, o));
  };
  forEachMac(p, add);
  return out;
}

/**
 * Rewrites MACs by the map wherever a frame carries one: Ethernet destination and source, and the sender /
 * target hardware address of ARP. IP checksums do not cover MACs, so nothing else changes; a capture the
 * map does not touch is written back byte for byte.
 */
export function remapMacs(input: string, output: string, map: ReadonlyMap<string, string>): number {
  const p = readPcap(input);
  const from = [...map.keys()].map(macBytes);
  const to = [...map.values()].map(macBytes);
  let changed = 0;
  const fix = (o: number) => {
    for (let k = 0; k < from.length; k++) {
      if (p.bytes.compare(from[k]!, 0, 6, o, o + 6) === 0) {
        to[k]!.copy(p.bytes, o);
        changed++;
        return;
      }
    }
  };
  forEachMac(p, fix);
  writeFileSync(output, p.bytes);
  return changed;
}

export interface Leftovers {
  frames: number;
  /** Frames with a lab MAC (02:66:00:…) in the Ethernet header or the ARP payload. */
  labMac: number;
  /** Frames with a lab IPv4 address (10.66.0.0/24) in the IPv4 header or the ARP payload. */
  labIp: number;
  /** IPv6 frames from or to a lab link-local address (fe80::66:ff:fe00:xx, the lab MAC's EUI-64). */
  labIp6: number;
  /** IPv4 / ARP frames sent from the device's IP by another MAC (a lab host mapped onto the device). */
  deviceIpElsewhere: number;
}

const LAB_MAC = Buffer.from([0x02, 0x66, 0x00, 0x00, 0x00]);
// fe80::66:ff:fe00:xx = fe80:0000:0000:0000:0066:00ff:fe00:00xx (EUI-64 of 02:66:00:00:00:xx).
const LAB_LL = Buffer.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x66, 0x00, 0xff, 0xfe, 0x00, 0x00]);

/** Lab traces in a capture; device = the MAC and IPv4 address the injection gave the attack's own end. */
export function labLeftovers(path: string, device?: { mac: string; ip: string }): Leftovers {
  const p = readPcap(path);
  const b = p.bytes;
  const out: Leftovers = { frames: 0, labMac: 0, labIp: 0, labIp6: 0, deviceIpElsewhere: 0 };
  const isLabMac = (o: number) => b.compare(LAB_MAC, 0, 5, o, o + 5) === 0;
  const isLabIp = (o: number) => b[o] === 10 && b[o + 1] === 66 && b[o + 2] === 0;
  const isLabLl = (o: number) => b.compare(LAB_LL, 0, 15, o, o + 15) === 0;
  const devMac = device ? macBytes(device.mac) : null;
  for (const r of p.records) {
    const fr = frameAt(p, r);
    if (!fr) continue;
    out.frames++;
    const arp = arpMacs(b, fr);
    if (isLabMac(fr.dst) || isLabMac(fr.src) || arp.some(isLabMac)) out.labMac++;
    let srcIp: string | null = null;
    if (fr.type === ETH_IPV4 && fr.l3 + 20 <= fr.end) {
      if (isLabIp(fr.l3 + 12) || isLabIp(fr.l3 + 16)) out.labIp++;
      srcIp = ipv4At(b, fr.l3 + 12);
    } else if (arp.length) {
      if (isLabIp(fr.l3 + 14) || isLabIp(fr.l3 + 24)) out.labIp++;
      srcIp = ipv4At(b, fr.l3 + 14);
    } else if (fr.type === ETH_IPV6 && fr.l3 + 40 <= fr.end) {
      if (isLabLl(fr.l3 + 8) || isLabLl(fr.l3 + 24)) out.labIp6++;
    }
    if (device && devMac && srcIp === device.ip && b.compare(devMac, 0, 6, fr.src, fr.src + 6) !== 0)
      out.deviceIpElsewhere++;
  }
  return out;
}

interface ManifestEntry {
  id: string;
  path: string;
  kind: string;
  attackId?: string;
  device: { mac: string; ip: string };
}

async function main(): Promise<void> {
  const manifestPath = process.argv[2];
  if (!manifestPath) {
    console.error('usage: npx tsx bench/behavior/lab.ts MANIFEST.json');
    process.exit(2);
  }
  let entries: ManifestEntry[];
  try {
    entries = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { entries: ManifestEntry[] }).entries;
  } catch (e) {
    console.error(`lab: ${manifestPath}: ${(e as Error).message.split('\n')[0]}`);
    process.exit(2);
  }
  const per = new Map<string, { n: number; hit: number; sum: Leftovers }>();
  for (const e of entries) {
    if (e.kind !== 'attack' && e.kind !== 'wrongrole') continue;
    const key = e.kind === 'attack' ? e.attackId! : 'wrongrole';
    const l = labLeftovers(e.path, e.device);
    const g = per.get(key) ?? {
      n: 0,
      hit: 0,
      sum: { frames: 0, labMac: 0, labIp: 0, labIp6: 0, deviceIpElsewhere: 0 },
    };
    g.n++;
    if (l.labMac || l.labIp || l.labIp6 || l.deviceIpElsewhere) g.hit++;
    for (const k of Object.keys(g.sum) as (keyof Leftovers)[]) g.sum[k] += l[k];
    per.set(key, g);
  }
  console.log(
    '| attack | captures | with leftovers | frames lab MAC | lab IPv4 | lab IPv6 | device IP from another MAC |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [k, g] of [...per].sort()) {
    const s = g.sum;
    console.log(
      `| ${k} | ${g.n} | ${g.hit} | ${s.labMac} | ${s.labIp} | ${s.labIp6} | ${s.deviceIpElsewhere} |`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) await main();
