import type { PackedRecords } from '../capture/packed.js';
import type { PacketRecord } from '../capture/packet.js';
import { addressBytes } from '../sessions/address.js';

/**
 * Which of a read's hosts a packet belongs to, after `matchRecord` or `matchPacked`: `src` the host that sent
 * it, `dst` the host it was sent to, -1 for none. Per-host mode keeps a host's own traffic as tcpdump would
 * select it: by the frame's MACs where frames begin with them (`ether host MAC`), else by address (`host ADDR`).
 */
export interface HostMatcher {
  src: number;
  dst: number;
  matchRecord(p: PacketRecord): void;
  /** matchPacked for record i; true when it unpacked the record into `rec` (the caller need not again). */
  matchPacked(records: PackedRecords, i: number, rec: PacketRecord): boolean;
}

/** Hosts by MAC: frame bytes 0..5 (destination) and 6..11 (source). */
export class MacHostMatcher implements HostMatcher {
  src = -1;
  dst = -1;
  private readonly hostOf: ReadonlyMap<number, number>;

  constructor(macs: readonly string[]) {
    this.hostOf = new Map(macs.map((m, i) => [macNumber(m), i]));
  }

  matchRecord(p: PacketRecord): void {
    this.dst = this.hostOf.get(macAt(p.frameHead, 0)) ?? -1;
    this.src = this.hostOf.get(macAt(p.frameHead, 6)) ?? -1;
  }

  matchPacked(records: PackedRecords, i: number): boolean {
    const head = records.headAt(i);
    this.dst = this.hostOf.get(macAt(records.bytes, head)) ?? -1;
    this.src = this.hostOf.get(macAt(records.bytes, head + 6)) ?? -1;
    return false;
  }
}

/**
 * Hosts by IP address: an IP packet's source and destination, an ARP frame's sender and target (tcpdump's
 * `host` matches ARP too). IPv4 addresses are looked up as one word; IPv6 by a hash of their four words, then
 * compared byte for byte. No allocation per packet.
 */
export class AddressHostMatcher implements HostMatcher {
  src = -1;
  dst = -1;
  private readonly v4 = new Map<number, number>();
  private readonly v6 = new Map<number, number>();
  private readonly v6Bytes: Uint8Array[] = [];

  constructor(addresses: readonly string[]) {
    for (const [host, text] of addresses.entries()) {
      const bytes = addressBytes(text);
      if (!bytes) throw new RangeError(`not an address: ${JSON.stringify(text)}`);
      if (bytes.length === 4) this.v4.set(v4Word(bytes, 0), host);
      else {
        this.v6.set(v6Hash(bytes), host);
        this.v6Bytes[host] = bytes;
      }
    }
  }

  matchRecord(p: PacketRecord): void {
    if (p.ipVersion === 4) {
      this.src = this.v4.get(v4Word(p.srcAddr, 0)) ?? -1;
      this.dst = this.v4.get(v4Word(p.dstAddr, 0)) ?? -1;
    } else if (p.ipVersion === 6) {
      this.src = this.v6Host(p.srcAddr);
      this.dst = this.v6Host(p.dstAddr);
    } else if (p.arpOp !== 0) {
      this.src = this.v4.get(p.arpSender >>> 0) ?? -1;
      this.dst = this.v4.get(p.arpTarget >>> 0) ?? -1;
    } else {
      this.src = -1;
      this.dst = -1;
    }
  }

  matchPacked(records: PackedRecords, i: number, rec: PacketRecord): boolean {
    records.unpack(i, rec);
    this.matchRecord(rec);
    return true;
  }

  private v6Host(addr: Uint8Array): number {
    const host = this.v6.get(v6Hash(addr));
    if (host === undefined) return -1;
    const own = this.v6Bytes[host]!;
    for (let k = 0; k < 16; k++) if (own[k] !== addr[k]) return -1;
    return host;
  }
}

/** An IPv4 address as an unsigned big-endian word, as the decoder gives ARP's addresses. */
function v4Word(a: Uint8Array, o: number): number {
  return ((a[o]! << 24) | (a[o + 1]! << 16) | (a[o + 2]! << 8) | a[o + 3]!) >>> 0;
}

function v6Hash(a: Uint8Array): number {
  let h = 0;
  for (let o = 0; o < 16; o += 4) h = (Math.imul(h, 0x9e3779b1) ^ v4Word(a, o)) | 0;
  return h;
}

function macAt(bytes: Uint8Array, offset: number): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + bytes[offset + i]!;
  return n;
}

function macNumber(text: string): number {
  return macAt(Uint8Array.from(text.split(':').map((h) => Number.parseInt(h, 16))), 0);
}
