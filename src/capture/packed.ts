/**
 * Decoded packets packed into fixed-size records in one (shared) buffer: what the reader thread hands to
 * the analysis thread. The fields the session stage and the per-packet extractors run there (behaviour)
 * read; no payload byte. `unpack` turns a record back into a PacketRecord with those fields.
 *
 * Layout of a record (104 bytes, 8-aligned): f64 time (µs) | i32 version | ipProto << 8 | i32 srcPort |
 * dstPort << 16 | i32 ipLength | i32 originalLength | i32 l4PayloadLength | i32 capturedLength |
 * 12 bytes frame head | 16 bytes source address | 16 bytes destination address | i32 l4Proto |
 * i32 ttl | tcpFlags << 8 | tcpHeaderWords << 17 | hasMacs, isFragment, isLaterFragment << 24.. | i32 icmpType |
 * i32 etherType | arpOp << 16 | 12 bytes MACs. Version 0: a non-IP packet (only when asked for); an ARP
 * one keeps its sender and target addresses in the first source- and destination-address words.
 */
import { type PacketRecord, timeMicros } from './packet.js';

export const PACKED_RECORD_BYTES = 104;
const F64_PER_RECORD = PACKED_RECORD_BYTES / 8;
const I32_PER_RECORD = PACKED_RECORD_BYTES / 4;
const HEAD_AT = 32;
const SRC_AT = 44;
const DST_AT = 60;
// Int32 words of a record (bytes 0–7 are the f64 time).
const VERSION_WORD = 2;
const PORTS_WORD = 3;
const IP_LENGTH_WORD = 4;
const ORIGINAL_LENGTH_WORD = 5;
const L4_PAYLOAD_WORD = 6;
const CAPTURED_LENGTH_WORD = 7;
const L4_WORD = 19;
const BITS_WORD = 20;
const ICMP_WORD = 21;
const ETHER_WORD = 22;
const MACS_AT = 92;
const HEAD_W = HEAD_AT / 4;
const SRC_W = SRC_AT / 4;
const DST_W = DST_AT / 4;
const MACS_W = MACS_AT / 4;
const ETHERNET_HEADER = 14;
const ETHERTYPE_IPV4 = 0x0800;
const TCP = 6;
const UDP = 17;
const HAS_MACS = 1 << 24;
const FRAGMENT = 1 << 25;
const LATER_FRAGMENT = 1 << 26;
/** Words are assembled from bytes in packEthernetIpv4: in memory order on the machines Node runs on. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The int32 whose bytes in (little-endian) memory are buf[at, at + 4). */
function wordLE(buf: Uint8Array, at: number): number {
  return buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24);
}

/**
 * The record's words by their offset from `wordAt(i)`, for readers that take a record's fields without
 * unpacking it (the v2 extractor on the reader thread): the frame head, addresses and MACs (bytes in memory
 * order, all 4-aligned); version | ipProto << 8, ports (srcPort | dstPort << 16), lengths, the L4 protocol, the
 * bits word (ttl, tcpFlags << 8, tcpHeaderWords << 17, the flags below), ICMP type, etherType | arpOp << 16.
 * The names this module uses, exported under a prefix: each word is named once.
 */
export {
  BITS_WORD as PACKED_BITS_WORD,
  DST_W as PACKED_DST_WORD,
  ETHER_WORD as PACKED_ETHER_WORD,
  FRAGMENT as PACKED_FRAGMENT,
  HAS_MACS as PACKED_HAS_MACS,
  HEAD_W as PACKED_HEAD_WORD,
  ICMP_WORD as PACKED_ICMP_WORD,
  L4_PAYLOAD_WORD as PACKED_L4_PAYLOAD_WORD,
  L4_WORD as PACKED_L4_WORD,
  LATER_FRAGMENT as PACKED_LATER_FRAGMENT,
  MACS_W as PACKED_MACS_WORD,
  ORIGINAL_LENGTH_WORD as PACKED_ORIGINAL_LENGTH_WORD,
  PORTS_WORD as PACKED_PORTS_WORD,
  SRC_W as PACKED_SRC_WORD,
  VERSION_WORD as PACKED_VERSION_WORD,
};

/**
 * Int32 views of a PacketRecord's frame head, MACs and addresses (each array its own buffer, so 4-aligned):
 * readers reuse one record, so they are built once, and bytes move a word at a time (same byte order on
 * both sides).
 */
interface RecordWords {
  record: PacketRecord;
  head: Int32Array;
  macs: Int32Array;
  src: Int32Array;
  dst: Int32Array;
}

function words(a: Uint8Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
}

/**
 * A packed record's fields as a per-packet extractor on the analysis thread reads them (the behaviour
 * extractor's `BehaviorPacket`), loaded by `PackedRecords.load`: the fields `unpack` gives a PacketRecord
 * less the ones such readers leave alone (frame head, captured length, IP protocol word, ether type, the
 * fragment flag), and the time kept in microseconds, as packed, instead of seconds and nanoseconds that
 * `timeMicrosTo` turns back. An IPv4 packet's address bytes 4–15 are zero, as a PacketRecord's.
 */
export class PackedPacket {
  ipVersion = 0;
  hasMacs = false;
  readonly macs = new Uint8Array(12);
  readonly srcAddr = new Uint8Array(16);
  readonly dstAddr = new Uint8Array(16);
  originalLength = 0;
  ipLength = 0;
  l4PayloadLength = 0;
  l4Proto = -1;
  ttl = 0;
  tcpFlags = 0;
  tcpHeaderWords = 0;
  isLaterFragment = false;
  srcPort = 0;
  dstPort = 0;
  icmpType = -1;
  arpOp = 0;
  arpSender = 0;
  arpTarget = 0;
  /** The MACs and addresses as int32 words (same bytes), for a word-wise load. */
  readonly macWords = new Int32Array(this.macs.buffer);
  readonly srcWords = new Int32Array(this.srcAddr.buffer);
  readonly dstWords = new Int32Array(this.dstAddr.buffer);
  /** Address words 1–3 hold an IPv6 packet's bytes (zeroed before an IPv4 packet's are read). */
  wide = false;
  /** The time in microseconds (a double field would box it; a typed array does not). */
  readonly time = new Float64Array(1);

  timeMicrosTo(out: Float64Array): void {
    out[0] = this.time[0]!;
  }
}

/** Views over `count` records starting at byte `byteOffset` of `buffer`. */
export class PackedRecords {
  readonly bytes: Uint8Array;
  private readonly f64: Float64Array;
  /** The records as int32 words (record i from wordAt(i)), for readers that compare whole words. */
  readonly i32: Int32Array;

  constructor(buffer: ArrayBufferLike, byteOffset: number, count: number) {
    this.bytes = new Uint8Array(buffer, byteOffset, count * PACKED_RECORD_BYTES);
    this.f64 = new Float64Array(buffer, byteOffset, count * F64_PER_RECORD);
    this.i32 = new Int32Array(buffer, byteOffset, count * I32_PER_RECORD);
  }

  private recordWords: RecordWords | null = null;

  private wordsOf(p: PacketRecord): RecordWords {
    let w = this.recordWords;
    if (w === null || w.record !== p) {
      w = {
        record: p,
        head: words(p.frameHead),
        macs: words(p.macs),
        src: words(p.srcAddr),
        dst: words(p.dstAddr),
      };
      this.recordWords = w;
    }
    return w;
  }

  /** Packs a decoded packet into record `i` (a non-IP one has version 0 and no addresses). */
  pack(i: number, p: PacketRecord): void {
    this.f64[i * F64_PER_RECORD] = p.timeMicros();
    const q = i * I32_PER_RECORD;
    const i32 = this.i32;
    i32[q + VERSION_WORD] = p.ipVersion | (p.ipProto << 8);
    i32[q + PORTS_WORD] = p.srcPort | (p.dstPort << 16);
    i32[q + IP_LENGTH_WORD] = p.ipLength;
    i32[q + ORIGINAL_LENGTH_WORD] = p.originalLength;
    i32[q + L4_PAYLOAD_WORD] = p.l4PayloadLength;
    i32[q + CAPTURED_LENGTH_WORD] = p.capturedLength;
    i32[q + L4_WORD] = p.l4Proto;
    i32[q + BITS_WORD] =
      p.ttl |
      (p.tcpFlags << 8) |
      (p.tcpHeaderWords << 17) |
      (p.hasMacs ? HAS_MACS : 0) |
      (p.isFragment ? FRAGMENT : 0) |
      (p.isLaterFragment ? LATER_FRAGMENT : 0);
    i32[q + ICMP_WORD] = p.icmpType;
    i32[q + ETHER_WORD] = p.etherType | (p.arpOp << 16);
    const w = this.wordsOf(p);
    const head = w.head;
    const macs = w.macs;
    for (let k = 0; k < 3; k++) {
      i32[q + HEAD_W + k] = head[k]!;
      i32[q + MACS_W + k] = macs[k]!;
    }
    const n = p.ipVersion === 4 ? 1 : p.ipVersion === 6 ? 4 : 0;
    const src = w.src;
    const dst = w.dst;
    for (let k = 0; k < n; k++) {
      i32[q + SRC_W + k] = src[k]!;
      i32[q + DST_W + k] = dst[k]!;
    }
    if (n === 0) {
      i32[q + SRC_W] = p.arpSender | 0;
      i32[q + DST_W] = p.arpTarget | 0;
    }
  }

  /**
   * Packs record `i` straight from an Ethernet frame's bytes, for the frames most captures are made of:
   * untagged Ethernet, an unfragmented IPv4 header that fits, and a whole TCP or UDP header. Any other frame
   * is left alone (false): the caller decodes it and calls `pack`. Writes exactly what decodeFrame then
   * `pack` would (packed-fast.test compares the two on every test capture and on mutated frames); `time`
   * holds the frame's seconds and nanoseconds (a double argument to a call not inlined is boxed).
   */
  packEthernetIpv4(
    i: number,
    time: Float64Array,
    buf: Uint8Array,
    start: number,
    caplen: number,
    origlen: number,
  ): boolean {
    const ip = start + ETHERNET_HEADER;
    const end = start + caplen;
    if (!LITTLE_ENDIAN || end - ip < 20 || ((buf[start + 12]! << 8) | buf[start + 13]!) !== ETHERTYPE_IPV4)
      return false;
    const vihl = buf[ip]!;
    const hlen = (vihl & 0x0f) * 4;
    // Version 4, a header of at least 20 bytes, and neither a fragment flag nor an offset.
    if (vihl >> 4 !== 4 || hlen < 20 || ((buf[ip + 6]! << 8) | buf[ip + 7]!) & 0x3fff) return false;
    const l4 = ip + hlen;
    const proto = buf[ip + 9]!;
    const avail = end - l4;
    let l4PayloadLength: number;
    let flagBits = 0;
    if (proto === TCP) {
      if (avail < 20) return false;
      const offFlags = buf[l4 + 12]!;
      const tcpLength = (offFlags >> 4) * 4;
      if (tcpLength < 20) return false;
      const totalLength = (buf[ip + 2]! << 8) | buf[ip + 3]!;
      // As decodeIpv4's ipPayloadLength: never past the frame's length (a total length of 0 is TSO's).
      const inFrame = Math.max(origlen, caplen) - ETHERNET_HEADER;
      const ipPayload = Math.max((totalLength === 0 ? inFrame : Math.min(totalLength, inFrame)) - hlen, 0);
      l4PayloadLength = ipPayload > tcpLength ? ipPayload - tcpLength : 0;
      flagBits = ((((offFlags & 0x01) << 8) | buf[l4 + 13]!) << 8) | ((offFlags >> 4) << 17);
    } else if (proto === UDP) {
      if (avail < 8) return false;
      const udpLength = (buf[l4 + 4]! << 8) | buf[l4 + 5]!;
      l4PayloadLength = udpLength > 8 ? udpLength - 8 : 0;
    } else {
      return false;
    }
    this.f64[i * F64_PER_RECORD] = timeMicros(time[0]!, time[1]!);
    const q = i * I32_PER_RECORD;
    const i32 = this.i32;
    i32[q + VERSION_WORD] = 4 | (proto << 8);
    i32[q + PORTS_WORD] = (buf[l4]! << 8) | buf[l4 + 1]! | (((buf[l4 + 2]! << 8) | buf[l4 + 3]!) << 16);
    i32[q + IP_LENGTH_WORD] = (buf[ip + 2]! << 8) | buf[ip + 3]!;
    i32[q + ORIGINAL_LENGTH_WORD] = origlen;
    i32[q + L4_PAYLOAD_WORD] = l4PayloadLength;
    i32[q + CAPTURED_LENGTH_WORD] = caplen;
    i32[q + L4_WORD] = proto;
    i32[q + BITS_WORD] = buf[ip + 8]! | flagBits | HAS_MACS;
    i32[q + ICMP_WORD] = -1;
    i32[q + ETHER_WORD] = ETHERTYPE_IPV4;
    // The frame head and the MACs are both the frame's first 12 bytes; bytes move as little-endian words.
    for (let k = 0; k < 3; k++) {
      const word = wordLE(buf, start + 4 * k);
      i32[q + HEAD_W + k] = word;
      i32[q + MACS_W + k] = word;
    }
    i32[q + SRC_W] = wordLE(buf, ip + 12);
    i32[q + DST_W] = wordLE(buf, ip + 16);
    return true;
  }

  /**
   * Fills `rec` with record i's fields: the ones `pack` keeps (time as seconds and nanoseconds that give
   * the same timeMicros()); the others (index, link type, VLANs, ICMP code, header end, frame bytes) are
   * left as they were.
   */
  unpack(i: number, rec: PacketRecord): void {
    const t = this.f64[i * F64_PER_RECORD]!;
    const sec = Math.floor(t / 1_000_000);
    rec.tsSec = sec;
    rec.tsNsec = (t - sec * 1_000_000) * 1000;
    const q = i * I32_PER_RECORD;
    const i32 = this.i32;
    const w2 = i32[q + VERSION_WORD]!;
    const version = w2 & 0xff;
    rec.ipVersion = version;
    rec.ipProto = w2 >> 8;
    const ports = i32[q + PORTS_WORD]!;
    rec.srcPort = ports & 0xffff;
    rec.dstPort = ports >>> 16;
    rec.ipLength = i32[q + IP_LENGTH_WORD]!;
    rec.originalLength = i32[q + ORIGINAL_LENGTH_WORD]!;
    rec.l4PayloadLength = i32[q + L4_PAYLOAD_WORD]!;
    rec.capturedLength = i32[q + CAPTURED_LENGTH_WORD]!;
    rec.l4Proto = i32[q + L4_WORD]!;
    const bits = i32[q + BITS_WORD]!;
    rec.ttl = bits & 0xff;
    rec.tcpFlags = (bits >>> 8) & 0x1ff;
    rec.tcpHeaderWords = (bits >>> 17) & 0xf;
    rec.hasMacs = (bits & HAS_MACS) !== 0;
    rec.isFragment = (bits & FRAGMENT) !== 0;
    rec.isLaterFragment = (bits & LATER_FRAGMENT) !== 0;
    rec.icmpType = i32[q + ICMP_WORD]!;
    const ether = i32[q + ETHER_WORD]!;
    rec.etherType = ether & 0xffff;
    rec.arpOp = ether >>> 16;
    const w = this.wordsOf(rec);
    const head = w.head;
    const macs = w.macs;
    for (let k = 0; k < 3; k++) {
      head[k] = i32[q + HEAD_W + k]!;
      macs[k] = i32[q + MACS_W + k]!;
    }
    const src = w.src;
    const dst = w.dst;
    if (version === 4) {
      // As the decoder leaves an IPv4 packet's addresses: the rest zero.
      src[0] = i32[q + SRC_W]!;
      dst[0] = i32[q + DST_W]!;
      for (let k = 1; k < 4; k++) {
        src[k] = 0;
        dst[k] = 0;
      }
    } else if (version === 6) {
      for (let k = 0; k < 4; k++) {
        src[k] = i32[q + SRC_W + k]!;
        dst[k] = i32[q + DST_W + k]!;
      }
    }
    rec.arpTarget = version === 0 ? i32[q + DST_W]! >>> 0 : 0;
    rec.arpSender = version === 0 ? i32[q + SRC_W]! >>> 0 : 0;
  }

  /** Record i into `p` (see PackedPacket): what `unpack` would give the fields it has. */
  load(i: number, p: PackedPacket): void {
    p.time[0] = this.f64[i * F64_PER_RECORD]!;
    const q = i * I32_PER_RECORD;
    const i32 = this.i32;
    const version = i32[q + VERSION_WORD]! & 0xff;
    p.ipVersion = version;
    const ports = i32[q + PORTS_WORD]!;
    p.srcPort = ports & 0xffff;
    p.dstPort = ports >>> 16;
    p.ipLength = i32[q + IP_LENGTH_WORD]!;
    p.originalLength = i32[q + ORIGINAL_LENGTH_WORD]!;
    p.l4PayloadLength = i32[q + L4_PAYLOAD_WORD]!;
    p.l4Proto = i32[q + L4_WORD]!;
    const bits = i32[q + BITS_WORD]!;
    p.ttl = bits & 0xff;
    p.tcpFlags = (bits >>> 8) & 0x1ff;
    p.tcpHeaderWords = (bits >>> 17) & 0xf;
    p.hasMacs = (bits & HAS_MACS) !== 0;
    p.isLaterFragment = (bits & LATER_FRAGMENT) !== 0;
    p.icmpType = i32[q + ICMP_WORD]!;
    p.arpOp = i32[q + ETHER_WORD]! >>> 16;
    const macs = p.macWords;
    macs[0] = i32[q + MACS_W]!;
    macs[1] = i32[q + MACS_W + 1]!;
    macs[2] = i32[q + MACS_W + 2]!;
    const src = p.srcWords;
    const dst = p.dstWords;
    if (version === 4) {
      src[0] = i32[q + SRC_W]!;
      dst[0] = i32[q + DST_W]!;
      if (p.wide) {
        for (let k = 1; k < 4; k++) {
          src[k] = 0;
          dst[k] = 0;
        }
        p.wide = false;
      }
    } else if (version === 6) {
      for (let k = 0; k < 4; k++) {
        src[k] = i32[q + SRC_W + k]!;
        dst[k] = i32[q + DST_W + k]!;
      }
      p.wide = true;
    }
    p.arpTarget = version === 0 ? i32[q + DST_W]! >>> 0 : 0;
    p.arpSender = version === 0 ? i32[q + SRC_W]! >>> 0 : 0;
  }

  timeUs(i: number): number {
    return this.f64[i * F64_PER_RECORD]!;
  }
  ipVersion(i: number): number {
    return this.i32[i * I32_PER_RECORD + VERSION_WORD]! & 0xff;
  }
  ipProto(i: number): number {
    return this.i32[i * I32_PER_RECORD + VERSION_WORD]! >>> 8;
  }
  /** Record i is a non-IP packet (packed only when the consumer asked for every packet). */
  isIp(i: number): boolean {
    return (this.i32[i * I32_PER_RECORD + VERSION_WORD]! & 0xff) !== 0;
  }
  srcPort(i: number): number {
    return this.i32[i * I32_PER_RECORD + PORTS_WORD]! & 0xffff;
  }
  dstPort(i: number): number {
    return this.i32[i * I32_PER_RECORD + PORTS_WORD]! >>> 16;
  }
  ipLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + IP_LENGTH_WORD]!;
  }
  originalLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + ORIGINAL_LENGTH_WORD]!;
  }
  l4PayloadLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + L4_PAYLOAD_WORD]!;
  }
  capturedLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + CAPTURED_LENGTH_WORD]!;
  }
  wordAt(i: number): number {
    return i * I32_PER_RECORD;
  }
  /** Byte offsets in `bytes` of record i's frame head and addresses. */
  headAt(i: number): number {
    return i * PACKED_RECORD_BYTES + HEAD_AT;
  }
  srcAt(i: number): number {
    return i * PACKED_RECORD_BYTES + SRC_AT;
  }
  dstAt(i: number): number {
    return i * PACKED_RECORD_BYTES + DST_AT;
  }
}
