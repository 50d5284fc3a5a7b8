/**
 * IP packets packed into fixed-size records in one (shared) buffer: what the reader thread hands to the
 * analysis thread. Only the fields the session stage reads; no payload byte.
 *
 * Layout of a record (80 bytes, 8-aligned): f64 time (µs) | i32 version | proto << 8 | i32 srcPort |
 * dstPort << 16 | i32 ipLength | i32 originalLength | i32 l4PayloadLength | i32 capturedLength |
 * 12 bytes frame head | 16 bytes source address | 16 bytes destination address | 4 spare.
 */
import type { PacketRecord } from './packet.js';

export const PACKED_RECORD_BYTES = 80;
const F64_PER_RECORD = PACKED_RECORD_BYTES / 8;
const I32_PER_RECORD = PACKED_RECORD_BYTES / 4;
const HEAD_AT = 32;
const SRC_AT = 44;
const DST_AT = 60;
/** The same offsets in int32 words from `wordAt(i)` (all three are 4-aligned). */
export const PACKED_HEAD_WORD = HEAD_AT / 4;
export const PACKED_SRC_WORD = SRC_AT / 4;
export const PACKED_DST_WORD = DST_AT / 4;

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

  /** Packs an IP packet (ipVersion 4 or 6) into record `i`. */
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
    const b = this.bytes;
    const o = i * PACKED_RECORD_BYTES;
    const head = p.frameHead;
    for (let k = 0; k < 12; k++) b[o + HEAD_AT + k] = head[k]!;
    const n = p.ipVersion === 4 ? 4 : 16;
    const src = p.srcAddr;
    const dst = p.dstAddr;
    for (let k = 0; k < n; k++) {
      b[o + SRC_AT + k] = src[k]!;
      b[o + DST_AT + k] = dst[k]!;
    }
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
