/**
 * Classic libpcap files: a 24-byte file header, then records of a 16-byte header plus captured bytes.
 * Byte order and time unit come from the magic; the "modified" (Kuznetzov) variant has 24-byte record headers.
 */
import { maxSnaplen, u16be, u16le, u32be, u32le } from './bytes.js';
import { type Framer, FramingError } from './framer.js';
import type { PacketSink } from './sink.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
const FILE_HEADER_LENGTH = 24;

export class PcapFramer implements Framer {
  headLen = FILE_HEADER_LENGTH;
  private inFileHeader = true;
  private linkType = 0;
  private maxCaplen = 0;
  private readonly recordHeaderLength: number;
  /** Multiplier from the record's fraction field to nanoseconds. */
  private readonly fracToNs: number;
  private readonly fracPerSec: number;

  constructor(
    private readonly sink: PacketSink,
    private readonly name: string,
    private readonly le: boolean,
    magic: number,
  ) {
    const ns = magic === PCAP_MAGIC_NS;
    this.fracToNs = ns ? 1 : 1000;
    this.fracPerSec = ns ? 1_000_000_000 : 1_000_000;
    this.recordHeaderLength = magic === PCAP_MAGIC_MODIFIED ? 24 : 16;
  }

  unitLength(b: Uint8Array, off: number, fileOffset: number): number {
    if (this.inFileHeader) return FILE_HEADER_LENGTH;
    const caplen = this.le ? u32le(b, off + 8) : u32be(b, off + 8);
    // As libpcap: a captured length above the most its link type can hold (262,144 bytes for all but a few)
    // is a corrupt record, decided from its header alone. Only a record whose header is plausible and whose
    // bytes the file ends before is a truncated capture (reader.ts).
    if (caplen > this.maxCaplen) {
      throw new FramingError(
        `${this.name}: corrupt record at byte offset ${fileOffset}: captured length ${caplen} is absurd`,
        fileOffset,
      );
    }
    return this.recordHeaderLength + caplen;
  }

  unit(b: Uint8Array, off: number, len: number, fileOffset: number): void {
    const le = this.le;
    if (this.inFileHeader) {
      const major = le ? u16le(b, off + 4) : u16be(b, off + 4);
      if (major !== 2) {
        throw new FramingError(
          `${this.name}: unsupported pcap version ${major} at byte offset ${fileOffset}`,
          4,
        );
      }
      // The low 16 bits are the link type; the upper bits carry FCS information we do not need.
      this.linkType = (le ? u32le(b, off + 20) : u32be(b, off + 20)) & 0xffff;
      this.maxCaplen = maxSnaplen(this.linkType);
      this.sink.linkTypes.push(this.linkType);
      this.inFileHeader = false;
      this.headLen = this.recordHeaderLength;
      return;
    }
    let sec: number;
    let frac: number;
    let origlen: number;
    if (le) {
      sec = u32le(b, off);
      frac = u32le(b, off + 4);
      origlen = u32le(b, off + 12);
    } else {
      sec = u32be(b, off);
      frac = u32be(b, off + 4);
      origlen = u32be(b, off + 12);
    }
    if (frac >= this.fracPerSec) {
      const carry = Math.floor(frac / this.fracPerSec);
      sec += carry;
      frac -= carry * this.fracPerSec;
    }
    const h = this.recordHeaderLength;
    this.sink.setTime(sec, frac * this.fracToNs);
    this.sink.emit(b, off + h, len - h, origlen, this.linkType, 0);
  }
}
