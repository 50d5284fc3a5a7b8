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

/**
 * The magic `raw` (the first 4 bytes read big-endian) names in either byte order, or 0. Asked of every
 * record: no array to loop over, which would be an allocation per packet.
 */
function pcapMagic(raw: number): number {
  if (raw === PCAP_MAGIC_US || raw === PCAP_MAGIC_NS || raw === PCAP_MAGIC_MODIFIED) return raw;
  const swapped = swap32(raw);
  if (swapped === PCAP_MAGIC_US || swapped === PCAP_MAGIC_NS || swapped === PCAP_MAGIC_MODIFIED)
    return swapped;
  return 0;
}

export function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

export class PcapFramer implements Framer {
  headLen = FILE_HEADER_LENGTH;
  private inFileHeader = true;
  private linkType = 0;
  private maxCaplen = 0;
  // Per file: a new file header (concatenated captures) sets them again.
  private le: boolean;
  private recordHeaderLength = 16;
  /** Multiplier from the record's fraction field to nanoseconds. */
  private fracToNs = 1000;
  private fracPerSec = 1_000_000;

  constructor(
    private readonly sink: PacketSink,
    private readonly name: string,
    le: boolean,
    magic: number,
  ) {
    this.le = le;
    this.setMagic(magic);
  }

  private setMagic(magic: number): void {
    const ns = magic === PCAP_MAGIC_NS;
    this.fracToNs = ns ? 1 : 1000;
    this.fracPerSec = ns ? 1_000_000_000 : 1_000_000;
    this.recordHeaderLength = magic === PCAP_MAGIC_MODIFIED ? 24 : 16;
  }

  /**
   * Whether the record header at b[off] is instead the file header of another capture appended to this one
   * (`cat part1.pcap part2.pcap`, `tail -F` over tcpdump's rotated files), as a pcapng stream may hold several
   * sections. It is when it has a pcap magic and version 2.4, read in that magic's byte order, and cannot be
   * a record: a record starting with a magic has a time in 1998, 2011, 2055 or 2083, and its fraction field
   * would then hold the version, 2.4 — more than a second of microseconds unless the byte orders agree. What
   * is left (the same byte order, or nanoseconds) is told apart by the next 8 bytes, a header's time zone and
   * accuracy, read as a record's captured and original length: most writers leave both 0, and a record of no
   * captured bytes is no packet; old writers put the zone's offset in seconds there (-18,000 for UTC-5), which
   * is more than a record can capture, or more than the original length (the accuracy, 0) it would have.
   */
  private startsFileHeader(b: Uint8Array, off: number): boolean {
    // Asked of every record: every magic begins a1 b2 in one byte order and ends b2 a1 in the other, which two
    // byte reads rule out for nearly every record before any word is assembled.
    if (!((b[off] === 0xa1 && b[off + 1] === 0xb2) || (b[off + 2] === 0xb2 && b[off + 3] === 0xa1)))
      return false;
    const magic = pcapMagic(u32be(b, off));
    if (magic === 0) return false;
    const le = u32be(b, off) !== magic;
    const major = le ? u16le(b, off + 4) : u16be(b, off + 4);
    const minor = le ? u16le(b, off + 6) : u16be(b, off + 6);
    if (major !== 2 || minor !== 4) return false;
    const frac = this.le ? u32le(b, off + 4) : u32be(b, off + 4);
    if (frac >= this.fracPerSec) return true;
    const caplen = this.le ? u32le(b, off + 8) : u32be(b, off + 8);
    const origlen = this.le ? u32le(b, off + 12) : u32be(b, off + 12);
    return caplen === 0 || caplen > this.maxCaplen || caplen > origlen;
  }

  unitLength(b: Uint8Array, off: number, fileOffset: number): number {
    if (this.inFileHeader) return FILE_HEADER_LENGTH;
    if (this.startsFileHeader(b, off)) {
      this.inFileHeader = true;
      return FILE_HEADER_LENGTH;
    }
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
    if (this.inFileHeader) {
      this.fileHeader(b, off, fileOffset);
      return;
    }
    const le = this.le;
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

  /** A file header, the first or one of a capture appended: its own byte order, time unit and link type. */
  private fileHeader(b: Uint8Array, off: number, fileOffset: number): void {
    const raw = u32be(b, off);
    const magic = pcapMagic(raw);
    const le = raw !== magic;
    const major = le ? u16le(b, off + 4) : u16be(b, off + 4);
    if (major !== 2) {
      throw new FramingError(
        `${this.name}: unsupported pcap version ${major} at byte offset ${fileOffset}`,
        fileOffset + 4,
      );
    }
    this.le = le;
    this.setMagic(magic);
    // The low 16 bits are the link type; the upper bits carry FCS information we do not need.
    this.linkType = (le ? u32le(b, off + 20) : u32be(b, off + 20)) & 0xffff;
    this.maxCaplen = maxSnaplen(this.linkType);
    this.sink.linkTypes.push(this.linkType);
    this.sink.sections++;
    this.inFileHeader = false;
    this.headLen = this.recordHeaderLength;
  }
}
