/**
 * pcapng: a sequence of blocks (type, total length, body, total length again). Each Section Header Block
 * sets the byte order and starts a fresh list of interfaces; each Interface Description Block declares
 * one interface's link type, timestamp resolution and offset. Packets come in EPB, SPB and the obsolete
 * OPB; every other block type is skipped.
 */
import { hex32, MAX_UNIT_LENGTH, maxSnaplen, u16be, u16le, u32be, u32le } from './bytes.js';
import { type Framer, FramingError } from './framer.js';
import type { PacketSink } from './sink.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_OPB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const TWO_32 = 4294967296;
/**
 * libpcap's MAX_BLOCKSIZE_FOR_SNAPLEN less the snap length: a packet block's header, trailer and up to 128 KiB
 * of options beside its packet.
 */
const PACKET_BLOCK_OVERHEAD = 32 + 131_072;
/** Above this many units per second, rem * 10^9 can pass 2^53 and lose the exact floor. */
const MAX_EXACT_DOUBLE_UNITS = 9_007_199;

/** floor(rem * 10^9 / units): the nanoseconds in `rem` units, rounded down as tshark does. */
function nanoseconds(rem: number, units: number): number {
  if (units === 1_000_000) return rem * 1000;
  if (1_000_000_000 % units === 0) return rem * (1_000_000_000 / units);
  if (units % 1_000_000_000 === 0) return Math.floor(rem / (units / 1_000_000_000));
  if (units <= MAX_EXACT_DOUBLE_UNITS) return Math.floor((rem * 1_000_000_000) / units);
  return Number((BigInt(rem) * 1_000_000_000n) / BigInt(units));
}

class Interface {
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  units = 1_000_000;
  /** Seconds added to every timestamp (if_tsoffset). */
  offsetSec = 0;
  /** The longest packet its link type holds (bytes.ts maxSnaplen). */
  readonly maxCaplen: number;
  constructor(
    readonly linkType: number,
    readonly snaplen: number,
  ) {
    this.maxCaplen = maxSnaplen(linkType);
  }
}

export class PcapngFramer implements Framer {
  readonly headLen = 12;
  private le = true;
  private interfaces: Interface[] = [];
  /** The time of the last packet that had one (EPB, OPB), valid when sectionTimed. */
  private sec = 0;
  private nsec = 0;
  /** A packet of the current section had a timestamp (what a Simple Packet Block, which has none, is given). */
  private sectionTimed = false;

  constructor(
    private readonly sink: PacketSink,
    private readonly name: string,
  ) {}

  private corrupt(what: string, fileOffset: number): FramingError {
    return new FramingError(
      `${this.name}: corrupt pcapng block at byte offset ${fileOffset}: ${what}`,
      fileOffset,
    );
  }

  unitLength(b: Uint8Array, off: number, fileOffset: number): number {
    // The section header's type reads the same in both byte orders; its byte-order magic decides the rest.
    if (b[off] === 0x0a && b[off + 1] === 0x0d && b[off + 2] === 0x0d && b[off + 3] === 0x0a) {
      const bomLe = u32le(b, off + 8);
      if (bomLe === BOM) this.le = true;
      else if (u32be(b, off + 8) === BOM) this.le = false;
      else throw this.corrupt(`bad byte-order magic ${hex32(u32be(b, off + 8))}`, fileOffset);
    }
    const len = this.le ? u32le(b, off + 4) : u32be(b, off + 4);
    if (len < 12 || len > MAX_UNIT_LENGTH || (len & 3) !== 0) {
      throw this.corrupt(`impossible block length ${len}`, fileOffset);
    }
    // As for a pcap record (pcap.ts): a packet block longer than its interface's link type allows (libpcap's
    // limit) is corrupt from its header alone, not a truncated capture when the file ends inside it.
    const type = this.le ? u32le(b, off) : u32be(b, off);
    if (type === BLOCK_EPB || type === BLOCK_OPB || type === BLOCK_SPB) {
      const id =
        type === BLOCK_SPB
          ? 0
          : type === BLOCK_EPB
            ? (this.le ? u32le : u32be)(b, off + 8)
            : (this.le ? u16le : u16be)(b, off + 8);
      const itf = this.interfaces[id];
      if (itf !== undefined && len > itf.maxCaplen + PACKET_BLOCK_OVERHEAD) {
        throw this.corrupt(`impossible block length ${len} for a packet block`, fileOffset);
      }
    }
    return len;
  }

  unit(b: Uint8Array, off: number, len: number, fileOffset: number): void {
    const le = this.le;
    const type = le ? u32le(b, off) : u32be(b, off);
    const trailer = le ? u32le(b, off + len - 4) : u32be(b, off + len - 4);
    if (trailer !== len) {
      throw this.corrupt(`block length ${len} does not match trailing length ${trailer}`, fileOffset);
    }
    switch (type) {
      case BLOCK_EPB:
        // EPB: 32-bit interface id; OPB (obsolete): 16-bit interface id, 16-bit drops. Otherwise the same layout.
        this.packetBlock(b, off, len, fileOffset, le ? u32le(b, off + 8) : u32be(b, off + 8));
        return;
      case BLOCK_SPB: {
        if (len < 16) throw this.corrupt(`simple packet block too short (${len})`, fileOffset);
        const itf = this.interfaceFor(0, fileOffset);
        const origlen = le ? u32le(b, off + 8) : u32be(b, off + 8);
        // The captured length is implicit: the original length, cut by the block and the snap length.
        let caplen = len - 16;
        if (origlen < caplen) caplen = origlen;
        if (itf.snaplen > 0 && itf.snaplen < caplen) caplen = itf.snaplen;
        // An SPB has no timestamp (pcapng spec, Simple Packet Block): it gets the time of the packet before
        // it in its section, or 0 (1970) when there is none; the sink counts both and warns once.
        if (this.sectionTimed) this.sink.setTime(this.sec, this.nsec);
        else this.sink.setTime(0, 0);
        this.sink.noTimestamp(!this.sectionTimed);
        this.sink.emit(b, off + 12, caplen, origlen, itf.linkType, 0);
        return;
      }
      case BLOCK_OPB:
        this.packetBlock(b, off, len, fileOffset, le ? u16le(b, off + 8) : u16be(b, off + 8));
        return;
      case BLOCK_IDB:
        this.interfaceBlock(b, off, len, fileOffset);
        return;
      case PCAPNG_SHB: {
        if (len < 28) throw this.corrupt(`section header block too short (${len})`, fileOffset);
        const major = le ? u16le(b, off + 12) : u16be(b, off + 12);
        if (major !== 1) throw this.corrupt(`unsupported pcapng version ${major}`, fileOffset);
        this.interfaces = [];
        this.sectionTimed = false;
        this.sink.sections++;
        return;
      }
      default:
        return;
    }
  }

  private interfaceFor(id: number, fileOffset: number): Interface {
    const itf = this.interfaces[id];
    if (itf === undefined) {
      throw this.corrupt(
        `packet names interface ${id}, but the section declares ${this.interfaces.length}`,
        fileOffset,
      );
    }
    return itf;
  }

  /** An enhanced (EPB) or obsolete (OPB) packet block: timestamp, captured and original length, data. */
  private packetBlock(b: Uint8Array, off: number, len: number, fileOffset: number, ifId: number): void {
    const le = this.le;
    if (len < 32) throw this.corrupt(`packet block too short (${len})`, fileOffset);
    const itf = this.interfaceFor(ifId, fileOffset);
    const caplen = le ? u32le(b, off + 20) : u32be(b, off + 20);
    const origlen = le ? u32le(b, off + 24) : u32be(b, off + 24);
    if (caplen > len - 32) throw this.corrupt(`captured length ${caplen} exceeds the block`, fileOffset);
    if (caplen > itf.maxCaplen) throw this.corrupt(`captured length ${caplen} is absurd`, fileOffset);
    this.time(
      itf,
      le ? u32le(b, off + 12) : u32be(b, off + 12),
      le ? u32le(b, off + 16) : u32be(b, off + 16),
    );
    this.sectionTimed = true;
    this.sink.setTime(this.sec, this.nsec);
    this.sink.emit(b, off + 28, caplen, origlen, itf.linkType, ifId);
  }

  private interfaceBlock(b: Uint8Array, off: number, len: number, fileOffset: number): void {
    if (len < 20) throw this.corrupt(`interface description block too short (${len})`, fileOffset);
    const le = this.le;
    const itf = new Interface(
      le ? u16le(b, off + 8) : u16be(b, off + 8),
      le ? u32le(b, off + 12) : u32be(b, off + 12),
    );
    const end = off + len - 4;
    let p = off + 16;
    while (p + 4 <= end) {
      const code = le ? u16le(b, p) : u16be(b, p);
      const olen = le ? u16le(b, p + 2) : u16be(b, p + 2);
      const value = p + 4;
      if (code === 0 || value + olen > end) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const v = b[value]!;
        // High bit set: a negative power of two; clear: a negative power of ten.
        itf.units = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const lo = le ? u32le(b, value) : u32be(b, value + 4);
        const hi = le ? u32le(b, value + 4) : u32be(b, value);
        itf.offsetSec = (hi | 0) * TWO_32 + lo;
      }
      p = value + ((olen + 3) & ~3);
    }
    this.interfaces.push(itf);
    this.sink.linkTypes.push(itf.linkType);
  }

  /** Splits the 64-bit timestamp hi:lo (in the interface's units) into this.sec and this.nsec exactly. */
  private time(itf: Interface, hi: number, lo: number): void {
    const units = itf.units;
    let sec: number;
    let rem: number;
    if (hi < 0x200000) {
      // Below 2^53 the value is exact as a double; one correction step fixes the division's rounding.
      const ts = hi * TWO_32 + lo;
      sec = Math.floor(ts / units);
      rem = ts - sec * units;
      if (rem < 0) {
        sec--;
        rem += units;
      } else if (rem >= units) {
        sec++;
        rem -= units;
      }
    } else if (units <= 0xffffffff) {
      // Long division in 16-bit digits keeps every intermediate below 2^53.
      const qHi = Math.floor(hi / units);
      let r = hi - qHi * units;
      let t = r * 65536 + (lo >>> 16);
      const qMid = Math.floor(t / units);
      r = t - qMid * units;
      t = r * 65536 + (lo & 0xffff);
      const qLo = Math.floor(t / units);
      rem = t - qLo * units;
      sec = qHi * TWO_32 + qMid * 65536 + qLo;
    } else {
      // 2^-32 s or finer (ERF-style 32.32 fixed point, 10^-10): rare enough for BigInt's exact quotient.
      const ts = (BigInt(hi) << 32n) | BigInt(lo);
      const u = BigInt(units);
      sec = Number(ts / u);
      rem = Number(ts % u);
    }
    this.sec = sec + itf.offsetSec;
    this.nsec = Math.min(nanoseconds(rem, units), 999_999_999);
  }
}
