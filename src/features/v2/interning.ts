/**
 * Interning of v2's IP addresses and host keys to dense ids, with direct-mapped caches in front of the hash
 * tables: packets come in runs of few hosts, so most lookups are one multiply and one compare. Ids never
 * change within a capture. Addresses and MACs arrive as big-endian 32-bit words (see the extractor's batch).
 */
import {
  ipv4Text,
  ipv6Text,
  isMulticast,
  isPrivateV4,
  isPrivateV6,
  macText,
} from '../../sessions/address.js';
import { ColumnTable } from '../../sessions/columns.js';
import { WordKeyTable } from '../../sessions/hash-table.js';
import { fillAddressKey } from '../../sessions/packet-store.js';

/** Direct-mapped lookup caches: 1024 slots, indexed by the top 10 bits of a multiplicative hash. */
export const CACHE_SHIFT = 22;
export const CACHE_SLOTS = 1 << (32 - CACHE_SHIFT);

/** Address flags. */
export const F_PRIVATE = 1;
export const F_MULTICAST = 2;
export const F_BROADCAST = 4;

/** IP addresses: [version, w0..w3] → id, with its flags and (on links without MACs) its key id. */
export class AddressInterner {
  private readonly table = new WordKeyTable(5, 1024);
  private readonly rows = new ColumnTable(1024);
  /** F_* flags per address id. */
  readonly flags = this.rows.byte();
  /** Key id of the address on links without MACs (-1 until needed). */
  readonly key = this.rows.int(1, -1);

  private readonly v4Key = new Int32Array(CACHE_SLOTS);
  private readonly v4Id = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly v6Key = new Int32Array(4 * CACHE_SLOTS);
  private readonly v6Id = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly scratch = new Uint8Array(16);

  /** The id of the IP address in words w[o..o+3] (one word for IPv4), cached. */
  id(version: number, words: Int32Array, o: number): number {
    const w0 = words[o]!;
    if (version === 4) {
      const slot = Math.imul(w0, 0x9e3779b1) >>> CACHE_SHIFT;
      if (this.v4Key[slot] === w0 && this.v4Id[slot]! >= 0) return this.v4Id[slot]!;
      const id = this.intern(version, this.bytes(version, words, o));
      this.v4Key[slot] = w0;
      this.v4Id[slot] = id;
      return id;
    }
    const w1 = words[o + 1]!;
    const w2 = words[o + 2]!;
    const w3 = words[o + 3]!;
    const slot =
      Math.imul(Math.imul(w0 ^ w1, 0x85ebca6b) ^ w2 ^ Math.imul(w3, 0xc2b2ae35), 0x9e3779b1) >>> CACHE_SHIFT;
    const k = this.v6Key;
    const c = slot * 4;
    if (this.v6Id[slot]! >= 0 && k[c] === w0 && k[c + 1] === w1 && k[c + 2] === w2 && k[c + 3] === w3)
      return this.v6Id[slot]!;
    const id = this.intern(version, this.bytes(version, words, o));
    k[c] = w0;
    k[c + 1] = w1;
    k[c + 2] = w2;
    k[c + 3] = w3;
    this.v6Id[slot] = id;
    return id;
  }

  /** The address in words w[o..] as bytes (zero-padded for IPv4), in a scratch array. */
  bytes(version: number, words: Int32Array, o: number): Uint8Array {
    const b = this.scratch;
    b.fill(0);
    for (let w = 0; w < (version === 4 ? 1 : 4); w++) {
      const x = words[o + w]!;
      b[w * 4] = x >>> 24;
      b[w * 4 + 1] = (x >>> 16) & 0xff;
      b[w * 4 + 2] = (x >>> 8) & 0xff;
      b[w * 4 + 3] = x & 0xff;
    }
    return b;
  }

  private intern(version: number, addr: Uint8Array): number {
    fillAddressKey(this.table.probe, version, addr);
    const before = this.table.size;
    const id = this.table.intern();
    if (id === before) {
      this.rows.ensure(id + 1);
      const v4 = version === 4;
      let flags = (v4 ? isPrivateV4(addr) : isPrivateV6(addr)) ? F_PRIVATE : 0;
      if (isMulticast(version, addr)) flags |= F_MULTICAST;
      if (v4 && this.table.probe[1] === 0xffffffff) flags |= F_BROADCAST;
      this.flags.data[id] = flags;
    }
    return id;
  }
}

/** Key kinds: a MAC, or an IPv4 / IPv6 address (links without MACs). */
export const KIND_MAC = 1;

/**
 * Host keys: [kind, w0..w3]; kind 1 = MAC (w0 = high 16 bits, w1 = low 32), 4/6 = IP address. `rows` holds
 * one row per key id: callers add their per-key columns to it (it grows as keys are added).
 */
export class KeyInterner {
  private readonly table = new WordKeyTable(5, 64);
  readonly rows = new ColumnTable(64);
  private readonly kind = this.rows.byte();

  private readonly macHi = new Int32Array(CACHE_SLOTS);
  private readonly macLo = new Int32Array(CACHE_SLOTS);
  private readonly macId = new Int32Array(CACHE_SLOTS).fill(-1);

  get size(): number {
    return this.table.size;
  }

  /** The key id of the MAC whose first two bytes are `hi` and last four `lo` (cached). */
  mac(hi: number, lo: number): number {
    const slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> CACHE_SHIFT;
    if (this.macLo[slot] === lo && this.macHi[slot] === hi && this.macId[slot]! >= 0)
      return this.macId[slot]!;
    const probe = this.table.probe;
    probe[0] = KIND_MAC;
    probe[1] = hi;
    probe[2] = lo >>> 0;
    probe[3] = 0;
    probe[4] = 0;
    const id = this.intern(KIND_MAC);
    this.macHi[slot] = hi;
    this.macLo[slot] = lo;
    this.macId[slot] = id;
    return id;
  }

  /** The key id of an IP address on links without MACs (remembered per address id). */
  ip(addresses: AddressInterner, addrId: number, version: number, words: Int32Array, o: number): number {
    const known = addresses.key.data[addrId]!;
    if (known >= 0) return known;
    fillAddressKey(this.table.probe, version, addresses.bytes(version, words, o));
    const id = this.intern(version);
    addresses.key.data[addrId] = id;
    return id;
  }

  private intern(kind: number): number {
    const before = this.table.size;
    const id = this.table.intern();
    if (id === before) {
      this.rows.ensure(id + 1);
      this.kind.data[id] = kind;
    }
    return id;
  }

  isMac(k: number): boolean {
    return this.kind.data[k] === KIND_MAC;
  }

  /** The key as text: a MAC, or an IP address. */
  text(k: number): string {
    const w = (i: number) => this.table.keyWord(k, i);
    const kind = this.kind.data[k]!;
    const bytes = new Uint8Array(16);
    if (kind === KIND_MAC) {
      bytes[0] = w(1) >>> 8;
      bytes[1] = w(1) & 0xff;
      for (let i = 0; i < 4; i++) bytes[2 + i] = (w(2) >>> (24 - 8 * i)) & 0xff;
      return macText(bytes);
    }
    for (let i = 0; i < 16; i++) bytes[i] = (w(1 + (i >> 2)) >>> (24 - 8 * (i & 3))) & 0xff;
    return kind === 4 ? ipv4Text(bytes) : ipv6Text(bytes);
  }
}
