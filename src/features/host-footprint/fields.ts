/**
 * The tshark fields NetworkML v0.6.8 reads from a frame (docs/features-host-footprint.md, "Fields"), decoded
 * from the frame's bytes into one reused struct.
 *
 * The original flattened tshark's JSON by leaf field name, so a header dissected again deeper in the frame
 * (the IPv4/IPv6 header and transport ports an ICMP error quotes, an IP-in-IP inner header) overwrites the
 * outer one: each field here holds the value of the last header that wrote it, in dissection order.
 * Protocols (`protos`) accumulate instead: the frame's protocol stack, inner ones included.
 */

/** Bits of `protos`, in the original's WK_IP_PROTOS order. */
export const Proto = {
  TCP: 1,
  UDP: 2,
  ICMP: 4,
  ARP: 8,
  ICMPV6: 16,
  GRE: 32,
  ESP: 64,
  AH: 128,
} as const;

const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
/** Ethernet II type values above this; at or below it the field is an 802.3 length (tshark: eth.len). */
const IEEE_802_3_MAX_LEN = 1500;
const MAX_IPV6_EXT_HEADERS = 16;

export class FrameFields {
  /** eth.src / eth.dst as 48-bit numbers; hasEth false when the frame has no Ethernet header. */
  hasEth = false;
  ethSrc = 0;
  ethDst = 0;
  /** eth.type, or -1 when absent (802.3/LLC frames carry a length instead). 0x8100 for VLAN-tagged frames. */
  ethType = -1;
  /** Some vlan.id was present. */
  vlan = false;
  /** ip.version: 4, 6 (the IPv6 dissector writes it too) or 0 (absent). */
  ipVersion = 0;
  /** ip.src / ip.dst (IPv4), when hasIp4. */
  hasIp4 = false;
  ip4Src = 0;
  ip4Dst = 0;
  /** ip.dsfield, ip.flags (3 bits: 4 reserved, 2 DF, 1 MF), ip.proto; -1 when absent (IPv4 only). */
  dsfield = -1;
  ipFlags = -1;
  ipProto = -1;
  /** ipv6.src / ipv6.dst, when hasIp6. */
  hasIp6 = false;
  readonly ip6Src = new Uint8Array(16);
  readonly ip6Dst = new Uint8Array(16);
  /** tcp.srcport, tcp.dstport, tcp.flags (12 bits), udp.srcport, udp.dstport; -1 when absent. */
  tcpSrc = -1;
  tcpDst = -1;
  tcpFlags = -1;
  udpSrc = -1;
  udpDst = -1;
  /** Proto bits of every protocol dissected in the frame. */
  protos = 0;

  reset(): void {
    this.hasEth = false;
    this.ethSrc = 0;
    this.ethDst = 0;
    this.ethType = -1;
    this.vlan = false;
    this.ipVersion = 0;
    this.hasIp4 = false;
    this.ip4Src = 0;
    this.ip4Dst = 0;
    this.dsfield = -1;
    this.ipFlags = -1;
    this.ipProto = -1;
    this.hasIp6 = false;
    this.tcpSrc = -1;
    this.tcpDst = -1;
    this.tcpFlags = -1;
    this.udpSrc = -1;
    this.udpDst = -1;
    this.protos = 0;
  }
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function mac48(b: Uint8Array, p: number): number {
  return (
    ((b[p]! << 8) | b[p + 1]!) * 0x1_0000_0000 +
    (((b[p + 2]! << 24) | (b[p + 3]! << 16) | (b[p + 4]! << 8) | b[p + 5]!) >>> 0)
  );
}

/** Decodes an Ethernet frame b[start, end) into f (after f.reset()). */
export function decodeEthernetFields(f: FrameFields, b: Uint8Array, start: number, end: number): void {
  f.reset();
  if (end - start < 14) return;
  f.hasEth = true;
  f.ethDst = mac48(b, start);
  f.ethSrc = mac48(b, start + 6);
  let et = u16(b, start + 12);
  if (et <= IEEE_802_3_MAX_LEN) return;
  f.ethType = et;
  let p = start + 14;
  while (et === ETH_VLAN || et === ETH_QINQ || et === ETH_QINQ_OLD) {
    if (end - p < 4) return;
    f.vlan = true;
    et = u16(b, p + 2);
    p += 4;
  }
  if (et === ETH_IPV4) ipv4(f, b, p, end, 0);
  else if (et === ETH_IPV6) ipv6(f, b, p, end, 0);
  else if (et === ETH_ARP) f.protos |= Proto.ARP;
}

/** `depth` > 0 inside an ICMP error's quote, where nothing is quoted again. */
function ipv4(f: FrameFields, b: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 20 || b[p]! >> 4 !== 4) return;
  const hlen = (b[p]! & 0x0f) * 4;
  f.ipVersion = 4;
  if (hlen < 20) return;
  f.dsfield = b[p + 1]!;
  const frag = u16(b, p + 6);
  f.ipFlags = frag >> 13;
  const proto = b[p + 9]!;
  f.ipProto = proto;
  f.hasIp4 = true;
  f.ip4Src = ((b[p + 12]! << 24) | (b[p + 13]! << 16) | (b[p + 14]! << 8) | b[p + 15]!) >>> 0;
  f.ip4Dst = ((b[p + 16]! << 24) | (b[p + 17]! << 16) | (b[p + 18]! << 8) | b[p + 19]!) >>> 0;
  // Fragments: tshark reassembles, so no fragment carries its own transport header (see the docs).
  if ((frag & 0x3fff) !== 0) return;
  const total = u16(b, p + 2);
  // Ethernet padding is not IP payload; a quoted header's total length is the original datagram's.
  const payloadEnd = total >= hlen && p + total < end ? p + total : end;
  if (p + hlen > payloadEnd) return;
  transport(f, b, proto, p + hlen, payloadEnd, depth);
}

function ipv6(f: FrameFields, b: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 40 || b[p]! >> 4 !== 6) return;
  f.ipVersion = 6;
  f.hasIp6 = true;
  for (let i = 0; i < 16; i++) {
    f.ip6Src[i] = b[p + 8 + i]!;
    f.ip6Dst[i] = b[p + 24 + i]!;
  }
  const payload = u16(b, p + 4);
  const payloadEnd = payload > 0 && p + 40 + payload < end ? p + 40 + payload : end;
  let nh = b[p + 6]!;
  let q = p + 40;
  for (let i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
    if (nh === 0 || nh === 43 || nh === 60) {
      if (payloadEnd - q < 8) return;
      const len = (b[q + 1]! + 1) * 8;
      nh = b[q]!;
      q += len;
    } else if (nh === 44) {
      return; // a fragment: reassembled by tshark, see ipv4()
    } else if (nh === 51) {
      f.protos |= Proto.AH;
      if (payloadEnd - q < 8) return;
      const len = (b[q + 1]! + 2) * 4;
      nh = b[q]!;
      q += len;
    } else {
      break;
    }
  }
  if (q > payloadEnd) return;
  transport(f, b, nh, q, payloadEnd, depth);
}

/** ICMP types whose body quotes the offending datagram's IP header (tshark dissects it as IP). */
function icmpQuotes(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

function transport(
  f: FrameFields,
  b: Uint8Array,
  proto: number,
  p: number,
  end: number,
  depth: number,
): void {
  const avail = end - p;
  switch (proto) {
    case 6:
      f.protos |= Proto.TCP;
      // Fields as far as the captured bytes go (a quoted TCP header is often only 8 bytes long).
      if (avail >= 2) f.tcpSrc = u16(b, p);
      if (avail >= 4) f.tcpDst = u16(b, p + 2);
      if (avail >= 14) f.tcpFlags = u16(b, p + 12) & 0x0fff;
      return;
    case 17:
      f.protos |= Proto.UDP;
      if (avail >= 2) f.udpSrc = u16(b, p);
      if (avail >= 4) f.udpDst = u16(b, p + 2);
      return;
    case 1:
      f.protos |= Proto.ICMP;
      if (depth === 0 && avail >= 28 && icmpQuotes(b[p]!)) ipv4(f, b, p + 8, end, 1);
      return;
    case 58:
      f.protos |= Proto.ICMPV6;
      if (depth === 0 && avail >= 48 && b[p]! >= 1 && b[p]! <= 4) ipv6(f, b, p + 8, end, 1);
      return;
    case 47:
      f.protos |= Proto.GRE;
      return;
    case 50:
      f.protos |= Proto.ESP;
      return;
    case 51: {
      f.protos |= Proto.AH;
      if (avail < 8) return;
      const len = (b[p + 1]! + 2) * 4;
      if (len > avail) return;
      transport(f, b, b[p]!, p + len, end, depth);
      return;
    }
    case 4:
      ipv4(f, b, p, end, depth);
      return;
    case 41:
      ipv6(f, b, p, end, depth);
      return;
  }
}
