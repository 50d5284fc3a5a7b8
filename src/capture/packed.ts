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
 * one keeps its target address in the first destination-address word.
 */
import type { PacketRecord } from './packet.js';

export const PACKED_RECORD_BYTES = 104;
const F64_PER_RECORD = PACKED_RECORD_BYTES / 8;
const I32_PER_RECORD = PACKED_RECORD_BYTES / 4;
const HEAD_AT = 32;
const SRC_AT = 44;
const DST_AT = 60;
const L4_WORD = 19;
const BITS_WORD = 20;
const ICMP_WORD = 21;
const ETHER_WORD = 22;
const MACS_AT = 92;
const HEAD_W = HEAD_AT / 4;
const SRC_W = SRC_AT / 4;
const DST_W = DST_AT / 4;
const MACS_W = MACS_AT / 4;
const HAS_MACS = 1 << 24;
const FRAGMENT = 1 << 25;
const LATER_FRAGMENT = 1 << 26;
/** The same offsets in int32 words from `wordAt(i)` (all three are 4-aligned). */
export const PACKED_HEAD_WORD = HEAD_AT / 4;
export const PACKED_SRC_WORD = SRC_AT / 4;
export const PACKED_DST_WORD = DST_AT / 4;

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
    i32[q + 2] = p.ipVersion | (p.ipProto << 8);
    i32[q + 3] = p.srcPort | (p.dstPort << 16);
    i32[q + 4] = p.ipLength;
    i32[q + 5] = p.originalLength;
    i32[q + 6] = p.l4PayloadLength;
    i32[q + 7] = p.capturedLength;
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
    if (n === 0) i32[q + DST_W] = p.arpTarget | 0;
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
    const w2 = i32[q + 2]!;
    const version = w2 & 0xff;
    rec.ipVersion = version;
    rec.ipProto = w2 >> 8;
    const ports = i32[q + 3]!;
    rec.srcPort = ports & 0xffff;
    rec.dstPort = ports >>> 16;
    rec.ipLength = i32[q + 4]!;
    rec.originalLength = i32[q + 5]!;
    rec.l4PayloadLength = i32[q + 6]!;
    rec.capturedLength = i32[q + 7]!;
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
  }

  timeUs(i: number): number {
    return this.f64[i * F64_PER_RECORD]!;
  }
  ipVersion(i: number): number {
    return this.i32[i * I32_PER_RECORD + 2]! & 0xff;
  }
  ipProto(i: number): number {
    return this.i32[i * I32_PER_RECORD + 2]! >>> 8;
  }
  /** Record i is a non-IP packet (packed only when the consumer asked for every packet). */
  isIp(i: number): boolean {
    return (this.i32[i * I32_PER_RECORD + 2]! & 0xff) !== 0;
  }
  srcPort(i: number): number {
    return this.i32[i * I32_PER_RECORD + 3]! & 0xffff;
  }
  dstPort(i: number): number {
    return this.i32[i * I32_PER_RECORD + 3]! >>> 16;
  }
  ipLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + 4]!;
  }
  originalLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + 5]!;
  }
  l4PayloadLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + 6]!;
  }
  capturedLength(i: number): number {
    return this.i32[i * I32_PER_RECORD + 7]!;
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
