/**
 * Header decoders: link layer → network layer → transport layer, written into one reused PacketRecord.
 *
 * Every read is bounds-checked against the captured end (`end`), so a truncated or hostile frame decodes
 * as far as its bytes go and leaves the remaining fields at their reset values. Nothing here allocates.
 */
import { EtherType, IpProto, LinkType, MAX_VLAN_TAGS, type PacketRecord } from './packet.js';

/** Extra raw-IP link types: DLT_RAW as numbered on some BSDs (12, 14). */
const LINKTYPE_RAW_BSD12 = 12;
const LINKTYPE_RAW_BSD14 = 14;
/** Old non-standard QinQ outer tag ethertype still seen in the wild. */
const ETHERTYPE_QINQ_OLD = 0x9100;
/** IPv6 extension headers get followed this many deep at most (a hostile chain cannot loop us long). */
const MAX_IPV6_EXT_HEADERS = 16;

/** True when `decodeFrame` knows the link type (others are counted and skipped by the reader). */
export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LinkType.ETHERNET:
    case LinkType.RAW:
    case LINKTYPE_RAW_BSD12:
    case LINKTYPE_RAW_BSD14:
    case LinkType.IPV4:
    case LinkType.IPV6:
    case LinkType.LINUX_SLL:
    case LinkType.LINUX_SLL2:
    case LinkType.NULL:
    case LinkType.LOOP:
      return true;
    default:
      return false;
  }
}

/**
 * Decodes the frame buf[start, start + caplen) of the given link type into rec (after rec.resetLayers()).
 * The caller has checked isSupportedLinkType.
 */
export function decodeFrame(
  rec: PacketRecord,
  buf: Uint8Array,
  start: number,
  caplen: number,
  linkType: number,
): void {
  rec.resetLayers();
  const end = start + caplen;
  const head = rec.frameHead;
  if (caplen >= 12) {
    for (let i = 0; i < 12; i++) head[i] = buf[start + i]!;
  } else {
    for (let i = 0; i < 12; i++) head[i] = i < caplen ? buf[start + i]! : 0;
  }

  switch (linkType) {
    case LinkType.ETHERNET:
      decodeEthernet(rec, buf, start, end);
      return;
    case LinkType.RAW:
    case LINKTYPE_RAW_BSD12:
    case LINKTYPE_RAW_BSD14:
    case LinkType.IPV4:
    case LinkType.IPV6:
      decodeRawIp(rec, buf, start, start, end);
      return;
    case LinkType.LINUX_SLL:
      decodeSll(rec, buf, start, end);
      return;
    case LinkType.LINUX_SLL2:
      decodeSll2(rec, buf, start, end);
      return;
    case LinkType.NULL:
    case LinkType.LOOP:
      decodeNull(rec, buf, start, end);
      return;
  }
}

function decodeEthernet(rec: PacketRecord, buf: Uint8Array, start: number, end: number): void {
  if (end - start < 14) return;
  const macs = rec.macs;
  for (let i = 0; i < 12; i++) macs[i] = buf[start + i]!;
  rec.hasMacs = true;
  decodeEtherPayload(rec, buf, start, start + 12, end);
}

/*
 * Linux cooked captures (`tcpdump -i any`) carry one link address, the sender's, and no destination: the
 * packet has no MAC pair (hasMacs stays false), so the v2 and behaviour extractors key its hosts by address,
 * as for raw IP. Keyed by the one MAC, every packet a device received went to a host 00:00:00:00:00:00.
 */

/** Linux cooked v1: 16-byte header, one (source) link address, protocol at 14. */
function decodeSll(rec: PacketRecord, buf: Uint8Array, start: number, end: number): void {
  if (end - start < 16) return;
  decodeEtherPayload(rec, buf, start, start + 14, end);
}

/** Linux cooked v2: 20-byte header, protocol at 0, address length at 11, address at 12. */
function decodeSll2(rec: PacketRecord, buf: Uint8Array, start: number, end: number): void {
  if (end - start < 20) return;
  const proto = (buf[start]! << 8) | buf[start + 1]!;
  decodeEtherType(rec, buf, start, proto, start + 20, end);
}

/** BSD loopback: a 4-byte address family in the capturing host's byte order (LOOP: network order). */
function decodeNull(rec: PacketRecord, buf: Uint8Array, start: number, end: number): void {
  if (end - start < 4) return;
  let af = (buf[start]! | (buf[start + 1]! << 8) | (buf[start + 2]! << 16) | (buf[start + 3]! << 24)) >>> 0;
  if (af > 0xffff) {
    af = ((af >>> 24) | ((af >>> 8) & 0xff00)) >>> 0;
  }
  const ip = start + 4;
  if (af === 2) {
    if (end - ip >= 1 && buf[ip]! >> 4 === 4) decodeIpv4(rec, buf, start, ip, end);
  } else if (af === 24 || af === 28 || af === 30) {
    if (end - ip >= 1 && buf[ip]! >> 4 === 6) decodeIpv6(rec, buf, start, ip, end);
  }
}

function decodeRawIp(rec: PacketRecord, buf: Uint8Array, start: number, ip: number, end: number): void {
  if (end - ip < 1) return;
  const version = buf[ip]! >> 4;
  if (version === 4) decodeIpv4(rec, buf, start, ip, end);
  else if (version === 6) decodeIpv6(rec, buf, start, ip, end);
}

/** `typeAt` points at an ethertype field; VLAN tags (any depth) are walked before the network layer. */
function decodeEtherPayload(
  rec: PacketRecord,
  buf: Uint8Array,
  start: number,
  typeAt: number,
  end: number,
): void {
  const et = (buf[typeAt]! << 8) | buf[typeAt + 1]!;
  decodeEtherType(rec, buf, start, et, typeAt + 2, end);
}

function decodeEtherType(
  rec: PacketRecord,
  buf: Uint8Array,
  start: number,
  et: number,
  next: number,
  end: number,
): void {
  while (et === EtherType.VLAN || et === EtherType.QINQ || et === ETHERTYPE_QINQ_OLD) {
    if (end - next < 4) return;
    if (rec.vlanCount < MAX_VLAN_TAGS) {
      rec.vlanIds[rec.vlanCount] = ((buf[next]! << 8) | buf[next + 1]!) & 0x0fff;
      rec.vlanCount++;
    }
    et = (buf[next + 2]! << 8) | buf[next + 3]!;
    next += 4;
  }
  // Values below 0x0600 are 802.3 lengths (LLC follows), not ethertypes.
  if (et < 0x0600) return;
  rec.etherType = et;
  if (et === EtherType.IPV4) decodeIpv4(rec, buf, start, next, end);
  else if (et === EtherType.IPV6) decodeIpv6(rec, buf, start, next, end);
  else if (et === EtherType.ARP) decodeArp(rec, buf, start, next, end);
}

function decodeArp(rec: PacketRecord, buf: Uint8Array, start: number, p: number, end: number): void {
  if (end - p < 8) return;
  rec.arpOp = (buf[p + 6]! << 8) | buf[p + 7]!;
  const hlen = buf[p + 4]!;
  const plen = buf[p + 5]!;
  const len = 8 + 2 * (hlen + plen);
  // Ethernet/IPv4 ARP: sender MAC, the sender IP at 14..17, target MAC, then the target IP at 24..27.
  if (hlen === 6 && plen === 4 && buf[p + 2] === 0x08 && buf[p + 3] === 0 && end - p >= 28) {
    rec.arpSender = ((buf[p + 14]! << 24) | (buf[p + 15]! << 16) | (buf[p + 16]! << 8) | buf[p + 17]!) >>> 0;
    rec.arpTarget = ((buf[p + 24]! << 24) | (buf[p + 25]! << 16) | (buf[p + 26]! << 8) | buf[p + 27]!) >>> 0;
  }
  rec.headerEnd = (end - p < len ? end : p + len) - start;
}

function decodeIpv4(rec: PacketRecord, buf: Uint8Array, start: number, p: number, end: number): void {
  if (end - p < 20) return;
  const vihl = buf[p]!;
  if (vihl >> 4 !== 4) return;
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < 20) return;
  rec.ipVersion = 4;
  const totalLength = (buf[p + 2]! << 8) | buf[p + 3]!;
  rec.ipLength = totalLength;
  const frag = (buf[p + 6]! << 8) | buf[p + 7]!;
  const offset = frag & 0x1fff;
  rec.isFragment = (frag & 0x2000) !== 0 || offset !== 0;
  rec.isLaterFragment = offset !== 0;
  rec.ttl = buf[p + 8]!;
  const proto = buf[p + 9]!;
  rec.ipProto = proto;
  rec.l4Proto = proto;
  const src = rec.srcAddr;
  const dst = rec.dstAddr;
  for (let i = 0; i < 4; i++) {
    src[i] = buf[p + 12 + i]!;
    dst[i] = buf[p + 16 + i]!;
  }
  for (let i = 4; i < 16; i++) {
    src[i] = 0;
    dst[i] = 0;
  }
  let l4 = p + hlen;
  if (l4 > end) {
    // Options cut off by the snap length: the network header ends where the capture does.
    rec.headerEnd = end - start;
    return;
  }
  rec.headerEnd = l4 - start;
  if (offset !== 0) return;
  let payload = ipPayloadLength(rec, start, p, totalLength === 0 ? TSO_LENGTH : totalLength) - hlen;
  let nh = proto;
  if (nh === IpProto.AH) {
    // Transport-mode IPsec AH: the transport header follows it, as tshark (and so the original) decodes it.
    if (end - l4 < 8) return;
    const ahLength = (buf[l4 + 1]! + 2) * 4;
    nh = buf[l4]!;
    rec.l4Proto = nh;
    l4 += ahLength;
    payload -= ahLength;
    if (l4 > end) {
      rec.headerEnd = end - start;
      return;
    }
    rec.headerEnd = l4 - start;
  }
  decodeTransport(rec, buf, start, nh, l4, Math.max(payload, 0), end);
}

/** Stands for "the frame's length" in ipPayloadLength: what a TSO segment's total length of 0 means. */
const TSO_LENGTH = Number.POSITIVE_INFINITY;

/**
 * Bytes from the IP header at `ip` to the end of its datagram: the header's own length, but never past the
 * frame's length on the wire (tshark's rule; a total length of 0 from TCP segmentation offload thus means
 * the whole frame). A wire length below the captured one (0 from some writers) is not believed, as tshark.
 */
function ipPayloadLength(rec: PacketRecord, start: number, ip: number, claimed: number): number {
  const inFrame = Math.max(rec.originalLength, rec.capturedLength) - (ip - start);
  return Math.max(Math.min(claimed, inFrame), 0);
}

function decodeIpv6(rec: PacketRecord, buf: Uint8Array, start: number, p: number, end: number): void {
  if (end - p < 40) return;
  if (buf[p]! >> 4 !== 6) return;
  rec.ipVersion = 6;
  const payloadLength = (buf[p + 4]! << 8) | buf[p + 5]!;
  rec.ipLength = payloadLength;
  let nh = buf[p + 6]!;
  rec.ipProto = nh;
  rec.ttl = buf[p + 7]!;
  const src = rec.srcAddr;
  const dst = rec.dstAddr;
  for (let i = 0; i < 16; i++) {
    src[i] = buf[p + 8 + i]!;
    dst[i] = buf[p + 24 + i]!;
  }
  let q = p + 40;
  let laterFragment = false;
  for (let depth = 0; depth < MAX_IPV6_EXT_HEADERS; depth++) {
    if (
      nh !== IpProto.HOPOPT &&
      nh !== IpProto.IPV6_ROUTE &&
      nh !== IpProto.IPV6_OPTS &&
      nh !== IpProto.IPV6_FRAG &&
      nh !== IpProto.AH
    ) {
      break;
    }
    if (end - q < 8) {
      // The chain runs past the captured bytes: the final protocol is unknown.
      rec.headerEnd = end - start;
      return;
    }
    let len: number;
    if (nh === IpProto.IPV6_FRAG) {
      len = 8;
      rec.isFragment = true;
      if (((buf[q + 2]! << 8) | buf[q + 3]!) >> 3 !== 0) laterFragment = true;
    } else if (nh === IpProto.AH) {
      len = (buf[q + 1]! + 2) * 4;
    } else {
      len = (buf[q + 1]! + 1) * 8;
    }
    nh = buf[q]!;
    q += len;
    if (laterFragment) break;
  }
  rec.l4Proto = nh;
  if (q > end) {
    rec.headerEnd = end - start;
    return;
  }
  rec.headerEnd = q - start;
  if (laterFragment) {
    rec.isLaterFragment = true;
    return;
  }
  const payload = ipPayloadLength(rec, start, p, 40 + payloadLength) - (q - p);
  decodeTransport(rec, buf, start, nh, q, Math.max(payload, 0), end);
}

/** `p` is the transport header's start, `ipPayload` the IP payload length the IP header announces. */
function decodeTransport(
  rec: PacketRecord,
  buf: Uint8Array,
  start: number,
  proto: number,
  p: number,
  ipPayload: number,
  end: number,
): void {
  const avail = end - p;
  if (proto === IpProto.TCP || proto === IpProto.UDP) {
    // Header-only captures (-s 64 or 68 over IPv6) cut the transport header short: like tshark, and so the
    // original, keep the ports when their 4 bytes are there; the rest of the header needs all of it.
    if (avail < 4) return;
    rec.srcPort = (buf[p]! << 8) | buf[p + 1]!;
    rec.dstPort = (buf[p + 2]! << 8) | buf[p + 3]!;
  }
  if (proto === IpProto.TCP) {
    if (avail < 20) return;
    const offFlags = buf[p + 12]!;
    rec.tcpFlags = ((offFlags & 0x01) << 8) | buf[p + 13]!;
    rec.tcpHeaderWords = offFlags >> 4;
    const hlen = (offFlags >> 4) * 4;
    if (hlen < 20) return;
    rec.headerEnd = Math.min(p + hlen, end) - start;
    rec.l4PayloadLength = ipPayload > hlen ? ipPayload - hlen : 0;
  } else if (proto === IpProto.UDP) {
    if (avail < 8) return;
    const udpLength = (buf[p + 4]! << 8) | buf[p + 5]!;
    rec.headerEnd = p + 8 - start;
    rec.l4PayloadLength = udpLength > 8 ? udpLength - 8 : 0;
  } else if (proto === IpProto.ICMP || proto === IpProto.ICMPV6) {
    if (avail < 1) return;
    rec.icmpType = buf[p]!;
    if (avail < 2) return;
    rec.icmpCode = buf[p + 1]!;
  }
}
