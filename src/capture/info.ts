/**
 * A capture's vital statistics (what `networkml info` prints): format, link types, packet count, time
 * span and packets per protocol, from one pass of the reader.
 */
import { EtherType, IpProto, LinkType, type PacketRecord } from './packet.js';
import { readCapture } from './reader.js';
import {
  type CaptureSummary,
  type CaptureTime,
  CorruptCaptureError,
  type ReadOptions,
} from './reader-api.js';

/**
 * Packets per protocol. A packet counts once for each layer it has: ethernet (Ethernet link), vlan (at
 * least one tag), arp, ipv4, ipv6, tcp/udp/icmp/icmpv6 (the final upper-layer protocol; non-first
 * fragments carry no transport header and count only as IP), other (neither IP nor ARP).
 */
export interface ProtocolCounts {
  ethernet: number;
  vlan: number;
  arp: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  icmpv6: number;
  other: number;
}

export interface CaptureInfo {
  summary: CaptureSummary;
  /** Last minus first packet time in seconds (0 for fewer than two packets). */
  durationSec: number;
  protocols: ProtocolCounts;
  /**
   * Packets whose time is below an earlier packet's (merged or reordered files). When such a step crosses
   * a bin, eval cannot stream the capture bin by bin and reads it whole (see pipeline/analyze.ts).
   */
  backwardSteps: number;
  /**
   * The corrupt record or block reading stopped at, when there is one after some packets: the rest is the
   * summary of what came before it (the capture is still an error, exit 1, as for libpcap and tshark).
   */
  corrupt: { offset: number; message: string } | null;
}

const LINK_TYPE_NAMES: Record<number, string> = {
  [LinkType.NULL]: 'BSD loopback',
  [LinkType.ETHERNET]: 'Ethernet',
  12: 'raw IP',
  14: 'raw IP',
  [LinkType.RAW]: 'raw IP',
  [LinkType.LOOP]: 'OpenBSD loopback',
  [LinkType.LINUX_SLL]: 'Linux cooked (SLL)',
  [LinkType.IPV4]: 'raw IPv4',
  [LinkType.IPV6]: 'raw IPv6',
  [LinkType.LINUX_SLL2]: 'Linux cooked v2 (SLL2)',
};

export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? 'unsupported';
}

export function emptyProtocolCounts(): ProtocolCounts {
  return { ethernet: 0, vlan: 0, arp: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0, other: 0 };
}

export async function captureInfo(
  source: string | NodeJS.ReadableStream,
  options?: ReadOptions,
): Promise<CaptureInfo> {
  const c = emptyProtocolCounts();
  let maxUs = Number.NEGATIVE_INFINITY;
  let backwardSteps = 0;
  const count = (p: PacketRecord): void => {
    const us = p.timeMicros();
    if (us < maxUs) backwardSteps++;
    else maxUs = us;
    if (p.linkType === LinkType.ETHERNET) c.ethernet++;
    if (p.vlanCount > 0) c.vlan++;
    if (p.ipVersion === 4) c.ipv4++;
    else if (p.ipVersion === 6) c.ipv6++;
    else if (p.etherType === EtherType.ARP) c.arp++;
    else c.other++;
    if (p.isLaterFragment) return;
    switch (p.l4Proto) {
      case IpProto.TCP:
        c.tcp++;
        break;
      case IpProto.UDP:
        c.udp++;
        break;
      case IpProto.ICMP:
        c.icmp++;
        break;
      case IpProto.ICMPV6:
        c.icmpv6++;
        break;
    }
  };
  let summary: CaptureSummary;
  let corrupt: CaptureInfo['corrupt'] = null;
  try {
    summary = await readCapture(source, count, options);
  } catch (e) {
    if (!(e instanceof CorruptCaptureError)) throw e;
    summary = e.partial;
    corrupt = { offset: e.partial.bytes, message: e.message };
  }
  // Records of unsupported link types never reach the callback; they are "other".
  c.other += summary.skippedUnsupportedLink;
  return {
    summary,
    durationSec: captureSpanSeconds(summary.firstTime, summary.lastTime),
    protocols: c,
    backwardSteps,
    corrupt,
  };
}

/** Last minus first packet time in seconds (0 without both): a capture's span, as info and eval read it. */
export function captureSpanSeconds(first: CaptureTime | null, last: CaptureTime | null): number {
  if (first === null || last === null) return 0;
  return last.sec - first.sec + (last.nsec - first.nsec) / 1e9;
}

/** Epoch seconds with all nine fractional digits, exact (no float rounding). */
export function epochString(t: CaptureTime): string {
  return `${t.sec}.${String(t.nsec).padStart(9, '0')}`;
}

/** ISO-8601 UTC with nanoseconds, or the epoch string when the date is out of range. */
export function isoString(t: CaptureTime): string {
  const d = new Date(t.sec * 1000);
  if (Number.isNaN(d.getTime())) return epochString(t);
  return `${d.toISOString().slice(0, 19)}.${String(t.nsec).padStart(9, '0')}Z`;
}

/** The JSON form: one flat object per capture. */
export function infoJson(info: CaptureInfo): Record<string, unknown> {
  const s = info.summary;
  return {
    source: s.source,
    format: s.format,
    gzip: s.gzip,
    sections: s.sections,
    linkTypes: s.linkTypes,
    packets: s.packets,
    skippedUnsupportedLink: s.skippedUnsupportedLink,
    skippedBadTime: s.skippedBadTime,
    withoutTimestamp: s.withoutTimestamp,
    withoutTimestampAtEpoch: s.withoutTimestampAtEpoch,
    bytes: s.bytes,
    frameBytes: s.frameBytes,
    firstTime: s.firstTime === null ? null : epochString(s.firstTime),
    lastTime: s.lastTime === null ? null : epochString(s.lastTime),
    durationSec: info.durationSec,
    protocols: info.protocols,
    backwardSteps: info.backwardSteps,
    corruptAt: info.corrupt?.offset ?? null,
    warnings: s.warnings.map((w) => w.message),
  };
}

function skipped(s: CaptureSummary): string {
  const parts: string[] = [];
  if (s.skippedUnsupportedLink > 0) parts.push(`${s.skippedUnsupportedLink} of an unsupported link type`);
  if (s.skippedBadTime > 0) parts.push(`${s.skippedBadTime} skipped: time out of range`);
  const borrowed = s.withoutTimestamp - s.withoutTimestampAtEpoch;
  if (borrowed > 0) parts.push(`${borrowed} without a timestamp: given the time of the packet before`);
  if (s.withoutTimestampAtEpoch > 0) {
    parts.push(`${s.withoutTimestampAtEpoch} without a timestamp and none before in their section: time 0`);
  }
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** Captures appended to one another: how many (a pcap file's each with its own header; pcapng sections). */
function sections(s: CaptureSummary): string {
  if (s.sections < 2) return '';
  return s.format === 'pcapng' ? `, ${s.sections} sections` : `, ${s.sections} files one after another`;
}

export function infoText(info: CaptureInfo): string {
  const s = info.summary;
  const links = [...new Set(s.linkTypes)].map((t) => `${t} (${linkTypeName(t)})`).join(', ') || 'none';
  const time = (t: CaptureTime | null): string =>
    t === null ? 'n/a' : `${isoString(t)}  (${epochString(t)})`;
  const p = info.protocols;
  const lines = [
    `File:          ${s.source}`,
    `Format:        ${s.format}${s.gzip ? ' (gzip)' : ''}${sections(s)}`,
    `Link types:    ${links}`,
    `Packets:       ${s.packets}${skipped(s)}`,
    `Bytes:         ${s.bytes} in the capture${s.gzip ? ' (decompressed)' : ''}${info.corrupt === null ? '' : ' before a corrupt record'}, ${s.frameBytes} in its packets on the wire`,
    `First packet:  ${time(s.firstTime)}`,
    `Last packet:   ${time(s.lastTime)}`,
    `Duration:      ${info.durationSec.toFixed(6)} s`,
    `Time order:    ${info.backwardSteps === 0 ? 'never goes back' : `${info.backwardSteps === 1 ? '1 packet is earlier than a packet before it' : `${info.backwardSteps} packets are earlier than a packet before them`} (eval reads the capture whole if a step crosses a bin)`}`,
    `Protocols:     ethernet ${p.ethernet}, vlan ${p.vlan}, arp ${p.arp}, ipv4 ${p.ipv4}, ipv6 ${p.ipv6}, tcp ${p.tcp}, udp ${p.udp}, icmp ${p.icmp}, icmpv6 ${p.icmpv6}, other ${p.other}`,
  ];
  return lines.join('\n');
}
