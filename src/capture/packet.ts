/**
 * The decoded headers of one packet.
 *
 * One instance is reused for every packet a reader yields (gopacket's DecodingLayerParser idea): the
 * decode loop allocates nothing, and a consumer that needs a value after the callback returns copies it.
 * No payload byte is exposed or kept: only header fields, lengths and offsets.
 */

/** Link-layer header types (pcap LINKTYPE_* values) the decoder understands. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/**
 * Whether frames of these link types begin with the destination and source MACs: only Ethernet's do. Compat
 * features read "MACs" from a frame's first 12 bytes whatever its link type, as the original sliced them, so a
 * raw-IP, loopback or cooked (SLL, SLL2) capture has a capture-source "MAC" made of IP or SLL header bytes:
 * right for the features, never to be shown or kept as the device's address.
 */
export function framesStartWithMacs(linkTypes: readonly number[]): boolean {
  return linkTypes.every((t) => t === LinkType.ETHERNET);
}

/** IP protocol numbers the pipeline looks at. */
export const IpProto = {
  HOPOPT: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  IPV6_ROUTE: 43,
  IPV6_FRAG: 44,
  AH: 51,
  ICMPV6: 58,
  IPV6_NONXT: 59,
  IPV6_OPTS: 60,
} as const;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
  EAPOL: 0x888e,
} as const;

/** TCP flag bits as in the header's flags byte (CWR..FIN), plus NS in bit 8. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  NS: 0x100,
} as const;

export const MAX_VLAN_TAGS = 8;

export class PacketRecord {
  /** Index of this packet in its capture, from 0 (counts every record, decodable or not). */
  index = 0;
  /** Capture time: whole seconds since the epoch and the nanoseconds within that second. */
  tsSec = 0;
  tsNsec = 0;
  /** Bytes present in the capture and the packet's length on the wire. */
  capturedLength = 0;
  originalLength = 0;
  /** pcap LINKTYPE_* of the interface this packet came from. */
  linkType: number = LinkType.ETHERNET;
  /** Interface id within its pcapng section (0 for pcap). */
  interfaceId = 0;

  /** True when a link layer with MAC addresses (Ethernet, or SLL with a 6-byte address) was decoded. */
  hasMacs = false;
  /** Destination MAC in bytes 0..5, source MAC in 6..11. Zero when hasMacs is false. */
  readonly macs = new Uint8Array(12);
  /**
   * The first 12 captured bytes of the frame, whatever the link type (zero-filled when shorter).
   * Compat features read "MACs" from here exactly as the original did (it sliced the raw frame).
   */
  readonly frameHead = new Uint8Array(12);
  /** Ethertype of the network layer after any VLAN tags (0 when none, e.g. raw IP links). */
  etherType = 0;
  vlanCount = 0;
  readonly vlanIds = new Uint16Array(MAX_VLAN_TAGS);

  /** 4 or 6 when an IP header was decoded, else 0. */
  ipVersion = 0;
  /** Addresses: IPv4 in bytes 0..3, IPv6 in 0..15. */
  readonly srcAddr = new Uint8Array(16);
  readonly dstAddr = new Uint8Array(16);
  /** IPv4 protocol, or the IPv6 header's own Next Header (not following extension headers). */
  ipProto = -1;
  /** The final upper-layer protocol after IPv6 extension headers and IPsec AH (else == ipProto). */
  l4Proto = -1;
  /** IPv4 total length, or IPv6 payload length (as in the header). */
  ipLength = 0;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl = 0;
  /** True for any fragment (MF set or offset > 0, or an IPv6 fragment header). */
  isFragment = false;
  /** True when this is a non-first fragment: no transport header present. */
  isLaterFragment = false;

  /** Ports of TCP or UDP (first fragments only; 4 captured bytes of the header suffice), else 0. */
  srcPort = 0;
  dstPort = 0;
  /** TCP flags (see TcpFlag), 0 when not TCP. */
  tcpFlags = 0;
  /** TCP data offset: header length in 32-bit words (a SYN's says how many options its stack sends); 0 when not TCP. */
  tcpHeaderWords = 0;
  /** ICMP / ICMPv6 type and code, -1 when not ICMP. */
  icmpType = -1;
  icmpCode = -1;
  /** ARP opcode when the frame is ARP, else 0. */
  arpOp = 0;
  /**
   * The IPv4 address an Ethernet/IPv4 ARP frame asks about (target protocol address, as an unsigned number),
   * else 0: distinct targets tell a sweep of the local network from a device re-asking for its gateway.
   */
  arpTarget = 0;
  /**
   * The IPv4 address an Ethernet/IPv4 ARP frame's sender claims (sender protocol address, unsigned), else 0:
   * a device that answers for addresses besides its own is spoofing them (or a proxy-ARP router).
   */
  arpSender = 0;
  /**
   * Offset from the frame start to the end of the transport header (TCP/UDP), or to the end of the
   * network header for other protocols; -1 when no network layer was decoded.
   */
  headerEnd = -1;
  /**
   * TCP or UDP payload length from the header lengths, the IP datagram taken no longer than the frame on the
   * wire (an IPv4 total length of 0, from TCP segmentation offload, as the whole frame); 0 for other protocols.
   */
  l4PayloadLength = 0;

  /**
   * The buffer holding this packet's captured bytes, from `frameStart` for `capturedLength` bytes. Valid only
   * during the callback (the reader reuses its buffers) and never to be kept: it is there for feature sets
   * that read header fields the shared decoders leave out (the host footprint's ToS, IPv4 flags and
   * ICMP-quoted headers), without a second decode of every packet here.
   */
  frameBuffer: Uint8Array = new Uint8Array(0);
  frameStart = 0;

  /**
   * Clear everything a decode fills, so stale fields of the previous packet never leak (`frameHead` is
   * rewritten whole by every decode instead).
   */
  resetLayers(): void {
    // MACs are only ever written together with hasMacs; a loop, not fill(): a builtin call per packet costs more.
    if (this.hasMacs) {
      const macs = this.macs;
      for (let i = 0; i < 12; i++) macs[i] = 0;
    }
    this.hasMacs = false;
    this.etherType = 0;
    this.vlanCount = 0;
    this.ipVersion = 0;
    this.ipProto = -1;
    this.l4Proto = -1;
    this.ipLength = 0;
    this.ttl = 0;
    this.isFragment = false;
    this.isLaterFragment = false;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.tcpHeaderWords = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.arpOp = 0;
    this.arpTarget = 0;
    this.arpSender = 0;
    this.headerEnd = -1;
    this.l4PayloadLength = 0;
  }

  /** Time in whole microseconds, rounded half-up from nanoseconds (what the original keyed packets by). */
  timeMicros(): number {
    return timeMicros(this.tsSec, this.tsNsec);
  }

  /**
   * timeMicros() into out[0], for large per-packet functions: where V8 runs out of inlining budget, a call
   * returning the time (a double: every time since 1970 is past 2^31 µs) makes a heap number per packet. The
   * formula is written out here for the same reason: no call is left to return a double.
   */
  timeMicrosTo(out: Float64Array): void {
    out[0] = this.tsSec * 1_000_000 + Math.round(this.tsNsec / 1000);
  }
}

/** A time in whole microseconds, rounded half-up from nanoseconds (what the original keyed packets by). */
export function timeMicros(sec: number, nsec: number): number {
  return sec * 1_000_000 + Math.round(nsec / 1000);
}
