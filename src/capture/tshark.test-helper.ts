/**
 * Test helpers: run tshark/capinfos on a capture and render our decoded packets in tshark's field
 * format, so tests can compare the two line by line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { PacketRecord } from './packet.js';

/** The tshark fields compared per packet; `ours` below renders the same columns. */
export const FIELDS = [
  'frame.time_epoch',
  'frame.cap_len',
  'frame.len',
  'eth.src',
  'eth.dst',
  'ieee8021ad.id',
  'vlan.id',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.ttl',
  'ip.len',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'ipv6.hlim',
  'ipv6.plen',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.hdr_len',
  'tcp.len',
  'udp.srcport',
  'udp.dstport',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'arp.opcode',
  'arp.dst.proto_ipv4',
] as const;

export function tsharkRows(file: string): string[][] {
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];
  args.push(
    '-o',
    'tcp.desegment_tcp_streams:FALSE',
    '-T',
    'fields',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
  );
  for (const f of FIELDS) args.push('-e', f);
  // tshark exits non-zero on a truncated file after printing every complete packet.
  const r = spawnSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.error) throw r.error;
  const out = r.stdout;
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => normalise(l.split('\t')));
}

/**
 * tshark lists a field once per protocol instance (tunnels, ICMP errors quoting a header): we decode
 * the outer instance only, so keep the first value; VLAN ids keep every tag, 802.1ad first.
 */
function normalise(cols: string[]): string[] {
  const out = cols.map((c) => c.split(',')[0] ?? '');
  const ad = FIELDS.indexOf('ieee8021ad.id');
  const q = FIELDS.indexOf('vlan.id');
  out[ad] = [cols[ad], cols[q]].filter((c) => c !== undefined && c !== '').join(',');
  out[q] = '';
  // We keep an ARP target of 0.0.0.0 as 0, i.e. none.
  const arpTarget = FIELDS.indexOf('arp.dst.proto_ipv4');
  if (out[arpTarget] === '0.0.0.0') out[arpTarget] = '';
  // tcp.flags: hex → decimal, for comparison with our number.
  const fl = FIELDS.indexOf('tcp.flags');
  if (out[fl] !== '') out[fl] = String(Number.parseInt(out[fl]!, 16));
  return out;
}

function macText(b: Uint8Array, off: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(b[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** RFC 5952 text of an IPv6 address (as tshark prints it). */
export function ipv6Text(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) {
    if (words.slice(0, 6).every((w, k) => (k < 5 ? w === 0 : w === 0xffff))) {
      return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    }
    return hex(words);
  }
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Our record in the FIELDS columns ('' where tshark would have no value). */
export function ours(p: PacketRecord, timeKnown = true): string[] {
  const eth = p.linkType === 1 && p.hasMacs;
  const v4 = p.ipVersion === 4;
  const v6 = p.ipVersion === 6;
  const tcp =
    p.l4Proto === 6 && !p.isLaterFragment && p.headerEnd > 0 && (p.srcPort !== 0 || p.tcpFlags !== 0);
  const udp = p.l4Proto === 17 && !p.isLaterFragment && p.headerEnd > 0 && p.srcPort + p.dstPort > 0;
  const icmp4 = p.l4Proto === 1 && p.icmpType >= 0;
  const icmp6 = p.l4Proto === 58 && p.icmpType >= 0;
  // A TCP header cut short by the snap length shows its ports only (tshark needs most of it for the rest).
  const tcpWhole = tcp && p.tcpHeaderWords > 0;
  const s = (v: boolean, x: number | string): string => (v ? String(x) : '');
  const vlans: string[] = [];
  for (let i = 0; i < p.vlanCount; i++) vlans.push(String(p.vlanIds[i]));
  return [
    timeKnown ? `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}` : '',
    String(p.capturedLength),
    String(p.originalLength),
    eth ? macText(p.macs, 6) : '',
    eth ? macText(p.macs, 0) : '',
    vlans.join(','),
    '',
    s(v4, v4 ? p.srcAddr.subarray(0, 4).join('.') : ''),
    s(v4, v4 ? p.dstAddr.subarray(0, 4).join('.') : ''),
    s(v4, p.ipProto),
    s(v4, p.ttl),
    s(v4, p.ipLength),
    v6 ? ipv6Text(p.srcAddr) : '',
    v6 ? ipv6Text(p.dstAddr) : '',
    s(v6, p.ipProto),
    s(v6, p.ttl),
    s(v6, p.ipLength),
    s(tcp, p.srcPort),
    s(tcp, p.dstPort),
    s(tcpWhole, p.tcpFlags),
    s(tcpWhole, p.tcpHeaderWords * 4),
    s(tcpWhole, p.l4PayloadLength),
    s(udp, p.srcPort),
    s(udp, p.dstPort),
    s(icmp4, p.icmpType),
    s(icmp4 && p.icmpCode >= 0, p.icmpCode),
    s(icmp6, p.icmpType),
    s(icmp6 && p.icmpCode >= 0, p.icmpCode),
    s(p.arpOp !== 0, p.arpOp),
    s(
      p.arpTarget !== 0,
      [p.arpTarget >>> 24, (p.arpTarget >>> 16) & 255, (p.arpTarget >>> 8) & 255, p.arpTarget & 255].join(
        '.',
      ),
    ),
  ];
}

/** capinfos' packet count and first/last time (epoch seconds as printed, padded to 9 digits). */
export function capinfos(file: string): { packets: number; first: string; last: string } {
  const out = execFileSync('capinfos', ['-T', '-r', '-c', '-a', '-e', '-S', '-M', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [, packets, first, last] = out.trim().split('\t');
  const pad = (t: string | undefined): string => {
    const [sec, frac = ''] = (t ?? '').split('.');
    return `${sec}.${frac.padEnd(9, '0')}`;
  };
  return { packets: Number(packets), first: pad(first), last: pad(last) };
}
