import {
  PACKED_DST_WORD,
  PACKED_HEAD_WORD,
  PACKED_PORTS_WORD,
  PACKED_SRC_WORD,
  PACKED_VERSION_WORD,
  type PackedRecords,
} from '../capture/packed.js';
import type { PacketRecord } from '../capture/packet.js';
import { ipv4Text, ipv6Text, isPrivateV4, isPrivateV6, macText, macWords } from './address.js';
import { ColumnTable } from './columns.js';
import { WordKeyTable } from './hash-table.js';

/** Bytes of a frame the original kept (headers only); fewer than this many made a packet unparseable. */
const KEPT_BYTES = 128;
const MIN_PARSEABLE_BYTES = 20;
const TWO_POW_32 = 0x1_0000_0000;
/** Rows of one time scanned for a repeat before the dedup index is built instead. */
const RUN_SCAN = 16;
const FLOW_CACHE_BITS = 10;
/** generation, source address, destination address, ports, source endpoint, destination endpoint. */
const FLOW_CACHE_WIDTH = 6;
const MAC_PAIR_CACHE_BITS = 6;
/** generation, three head words, destination MAC, source MAC. */
const MAC_PAIR_CACHE_WIDTH = 6;
const NEW_ORDERED = -1;
const NEW_LATE = -2;

/** 1 when the header bytes the original kept of this packet were enough for it to parse, else 0. */
export function parseable(originalLength: number, l4PayloadLength: number, capturedLength: number): number {
  const kept = Math.min(originalLength - l4PayloadLength, KEPT_BYTES, capturedLength);
  return kept >= MIN_PARSEABLE_BYTES ? 1 : 0;
}

/**
 * Writes an address as a 5-word hash key: [version, the 16 address bytes as 4 big-endian words], IPv4
 * in the first word only (the rest zero, so stale IPv6 bytes in a reused buffer never leak into the key).
 */
export function fillAddressKey(probe: Uint32Array, version: number, addr: Uint8Array, offset = 0): void {
  probe[0] = version;
  for (let w = 0; w < 4; w++) {
    const o = offset + w * 4;
    probe[w + 1] =
      version === 4 && w > 0
        ? 0
        : ((addr[o]! << 24) | (addr[o + 1]! << 16) | (addr[o + 2]! << 8) | addr[o + 3]!) >>> 0;
  }
}

const V4_CACHE_BITS = 10;
const MAC_CACHE_BITS = 6;
const MAC_CACHE = 1 << MAC_CACHE_BITS;
const V4_CACHE = 1 << V4_CACHE_BITS;
/** Slots of the caches of address and MAC texts kept across clear() (see AddressTable.keptText). */
const KEPT_BITS = 12;
const KEPT = 1 << KEPT_BITS;
const ADDRESS_KEY_WORDS = 5;

/**
 * Empties an array for the next bin. Not `length = 0`: V8 then drops the array's storage, and refilling it
 * grows a new one step by step (~6 KB per bin for the tables' per-id arrays); popping keeps it.
 */
function emptyKeepingCapacity(array: unknown[]): void {
  while (array.length > 0) array.pop();
}

/** Interned IP addresses: id → text, private flag. */
export class AddressTable {
  private readonly table = new WordKeyTable(5);
  readonly text: string[] = [];
  /** A byte per address (a flood's bin meets a new address per frame; a boolean array took 8). */
  private readonly flags = new ColumnTable(1024);
  private readonly privateFlag = this.flags.byte();
  // A direct-mapped cache of IPv4 address → id in front of the hash table: packets come in runs of few
  // hosts, so most lookups are one multiply and one compare.
  private readonly v4Key = new Int32Array(V4_CACHE);
  private readonly v4Id = new Int32Array(V4_CACHE).fill(-1);
  /**
   * The text and private flag made for an address, kept across clear() in a direct-mapped cache (KEPT slots,
   * so bounded however many addresses a capture has; an empty text: a free slot): a streamed capture clears
   * the table every bin, and making them again for every address of every bin was most of the main thread's
   * garbage (~130 MB on bench-1024).
   */
  private readonly keptKey = new Uint32Array(KEPT * ADDRESS_KEY_WORDS);
  private readonly keptText: string[] = new Array<string>(KEPT).fill('');
  private readonly keptPrivate = new Uint8Array(KEPT);
  /** The address being made text of, copied to the start of a buffer as the text and class functions read it. */
  private readonly scratch = new Uint8Array(16);

  /** Interns the address in addr[offset …] (4 bytes for IPv4, 16 for IPv6). */
  intern(version: number, addr: Uint8Array, offset = 0): number {
    if (version === 4) {
      const key =
        (addr[offset]! << 24) | (addr[offset + 1]! << 16) | (addr[offset + 2]! << 8) | addr[offset + 3]!;
      const slot = Math.imul(key, 0x9e3779b1) >>> (32 - V4_CACHE_BITS);
      const cached = this.v4Id[slot]!;
      if (cached >= 0 && this.v4Key[slot] === key) return cached;
      const id = this.internSlow(version, addr, offset);
      this.v4Key[slot] = key;
      this.v4Id[slot] = id;
      return id;
    }
    return this.internSlow(version, addr, offset);
  }

  private internSlow(version: number, addr: Uint8Array, offset: number): number {
    fillAddressKey(this.table.probe, version, addr, offset);
    const before = this.table.size;
    const id = this.table.intern();
    if (id === before) {
      const slot = this.table.hashProbe() & (KEPT - 1);
      if (this.keptText[slot] === '' || !this.keptMatches(slot)) {
        const a = this.scratch;
        for (let k = 0; k < (version === 4 ? 4 : 16); k++) a[k] = addr[offset + k]!;
        this.keptText[slot] = version === 4 ? ipv4Text(a) : ipv6Text(a);
        this.keptPrivate[slot] = (version === 4 ? isPrivateV4(a) : isPrivateV6(a)) ? 1 : 0;
        this.keptKey.set(this.table.probe, slot * ADDRESS_KEY_WORDS);
      }
      this.text.push(this.keptText[slot]!);
      this.flags.ensure(id + 1);
      this.privateFlag.data[id] = this.keptPrivate[slot]!;
    }
    return id;
  }

  /** 1 where address id is private (Python's is_private), else 0: index it by id. */
  get isPrivate(): Uint8Array {
    return this.privateFlag.data;
  }

  private keptMatches(slot: number): boolean {
    const probe = this.table.probe;
    const key = this.keptKey;
    const o = slot * ADDRESS_KEY_WORDS;
    for (let w = 0; w < ADDRESS_KEY_WORDS; w++) if (key[o + w] !== probe[w]) return false;
    return true;
  }

  get size(): number {
    return this.table.size;
  }

  clear(): void {
    this.table.clear();
    this.v4Id.fill(-1);
    emptyKeepingCapacity(this.text);
  }
}

/** Interned "<address>:<port>" endpoints. */
export class EndpointTable {
  private readonly table = new WordKeyTable(2);
  /**
   * Each id's address id and port. Entries from `size` on are left from before the last clear(): the
   * arrays keep their length so that refilling them every bin allocates nothing.
   */
  readonly address: number[] = [];
  readonly port: number[] = [];

  private readonly cacheAddress = new Int32Array(V4_CACHE);
  private readonly cachePort = new Int32Array(V4_CACHE);
  private readonly cacheId = new Int32Array(V4_CACHE).fill(-1);

  intern(addressId: number, port: number): number {
    const slot = Math.imul((addressId << 16) ^ port, 0x9e3779b1) >>> (32 - V4_CACHE_BITS);
    const cached = this.cacheId[slot]!;
    if (cached >= 0 && this.cacheAddress[slot] === addressId && this.cachePort[slot] === port) return cached;
    const id = this.internSlow(addressId, port);
    this.cacheAddress[slot] = addressId;
    this.cachePort[slot] = port;
    this.cacheId[slot] = id;
    return id;
  }

  private internSlow(addressId: number, port: number): number {
    this.table.probe[0] = addressId;
    this.table.probe[1] = port;
    const before = this.table.size;
    const id = this.table.intern();
    if (id === before) {
      if (id < this.address.length) {
        this.address[id] = addressId;
        this.port[id] = port;
      } else {
        this.address.push(addressId);
        this.port.push(port);
      }
    }
    return id;
  }

  get size(): number {
    return this.table.size;
  }

  clear(): void {
    this.table.clear();
    this.cacheId.fill(-1);
  }
}

/** A MAC's hash for the direct-mapped caches (take its top bits). */
function macHash(hi: number, lo: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
}

/**
 * Interned MACs: id → its two words, and its text made when asked for. Not a text per id: a flood's bin meets
 * a new MAC per frame, and only a few (the device's, the hosts') are ever named.
 */
export class MacTable {
  private readonly table = new WordKeyTable(2);
  /** Each MAC's text kept across clear() (bounded, direct-mapped): a streamed capture names its device's every bin. */
  private readonly keptHi = new Int32Array(KEPT);
  private readonly keptLo = new Int32Array(KEPT);
  private readonly keptText: (string | undefined)[] = new Array<string | undefined>(KEPT);
  private readonly scratch = new Uint8Array(6);
  private readonly parsed = new Int32Array(2);

  private readonly cacheHi = new Int32Array(MAC_CACHE);
  private readonly cacheLo = new Int32Array(MAC_CACHE);
  private readonly cacheId = new Int32Array(MAC_CACHE).fill(-1);

  /** Interns the 6 bytes at `offset` of `bytes`. */
  intern(bytes: Uint8Array, offset: number): number {
    const hi = (bytes[offset]! << 8) | bytes[offset + 1]!;
    const lo =
      (bytes[offset + 2]! << 24) |
      (bytes[offset + 3]! << 16) |
      (bytes[offset + 4]! << 8) |
      bytes[offset + 5]!;
    const slot = macHash(hi, lo) >>> (32 - MAC_CACHE_BITS);
    const cached = this.cacheId[slot]!;
    if (cached >= 0 && this.cacheLo[slot] === lo && this.cacheHi[slot] === hi) return cached;
    this.table.probe[0] = hi;
    this.table.probe[1] = lo >>> 0;
    const id = this.table.intern();
    this.cacheHi[slot] = hi;
    this.cacheLo[slot] = lo;
    this.cacheId[slot] = id;
    return id;
  }

  get size(): number {
    return this.table.size;
  }

  /** MAC id's first two bytes, as one word. */
  hi(id: number): number {
    return this.table.keyWord(id, 0);
  }

  /** MAC id's last four bytes, as one int32 word. */
  lo(id: number): number {
    return this.table.keyWord(id, 1) | 0;
  }

  /** MAC id's text, "aa:bb:cc:dd:ee:ff". */
  text(id: number): string {
    if (!(id >= 0 && id < this.table.size)) throw new RangeError(`no MAC ${id} of ${this.table.size}`);
    const hi = this.table.keyWord(id, 0);
    const lo = this.table.keyWord(id, 1) | 0;
    const slot = macHash(hi, lo) >>> (32 - KEPT_BITS);
    let text = this.keptText[slot];
    if (text === undefined || this.keptHi[slot] !== hi || this.keptLo[slot] !== lo) {
      const b = this.scratch;
      b[0] = hi >>> 8;
      b[1] = hi;
      b[2] = lo >>> 24;
      b[3] = lo >>> 16;
      b[4] = lo >>> 8;
      b[5] = lo;
      text = macText(b, 0);
      this.keptText[slot] = text;
      this.keptHi[slot] = hi;
      this.keptLo[slot] = lo;
    }
    return text;
  }

  /** The id of the MAC `text` names (as `text` writes it), or -1. */
  find(text: string): number {
    if (!macWords(text, this.parsed)) return -1;
    this.table.probe[0] = this.parsed[0]!;
    this.table.probe[1] = this.parsed[1]! >>> 0;
    return this.table.find();
  }

  clear(): void {
    this.table.clear();
    this.cacheId.fill(-1);
  }
}

/**
 * Every IP packet of a capture as the original stored it (REFERENCE.md §1), column by column: the
 * interned endpoints and MACs, the first Next Header / protocol, the IP length, and whether the kept
 * header bytes were enough to parse.
 *
 * The original kept packets in an ordered map keyed by (time µs, source endpoint, destination endpoint):
 * a repeat of a key overwrites the earlier packet's content in place. `add` reproduces that, which is why
 * the whole capture is stored before sessions are built (the overwrite can reach back arbitrarily far).
 */
export class PacketStore {
  readonly addresses = new AddressTable();
  readonly endpoints = new EndpointTable();
  readonly macs = new MacTable();

  length = 0;
  /** Packets dropped as repeats of an earlier (time, source, destination). */
  duplicates = 0;
  private readonly rows = new ColumnTable();
  readonly timeUs = this.rows.float();
  readonly srcEndpoint = this.rows.int();
  readonly dstEndpoint = this.rows.int();
  /** MAC ids read from frame bytes 6..11 (source) and 0..5 (destination), as the original sliced them. */
  readonly srcMac = this.rows.int();
  readonly dstMac = this.rows.int();
  readonly proto = this.rows.int();
  readonly ipLength = this.rows.int();
  /** 1 when the kept header bytes were enough to read MACs, protocol and length. */
  readonly parseable = this.rows.int();

  /**
   * Finding a repeat of (time, source, destination) without hashing every packet: a repeat has the very
   * same time. Rows whose time was >= every earlier row's are "in order" (`ordered`, sorted by time), so a
   * repeat among them is found by binary search and a scan of the equal times; the rows that came back in
   * time (`late`: a merged capture's few thousand) are found through a hash of their own keys. A long run of
   * one time builds a hash index of every row instead (`dedup`), used for the rest of the store's life (until
   * `reset`). (Indexing every row once a few dozen had come late made each later packet of a whole capture
   * pay a hash insert: most of per-host eval's second read.)
   */
  private readonly dedup = new WordKeyTable(4, 4096);
  private indexed = false;
  private lastTimeUs = Number.NEGATIVE_INFINITY;
  private ordered = new Int32Array(4096);
  private nOrdered = 0;
  /** Late rows' (time, source, destination) keys → ids, and each id's row. */
  private readonly late = new WordKeyTable(4, 64);
  private readonly lateRow: number[] = [];

  /**
   * The packet being placed's time (µs), handed to place, findRow and indexedRow here: V8 boxes a double
   * passed to a call it does not inline, which was one 16-byte heap number per packet (4.4 M on bench-1024).
   */
  private readonly packetTime = new Float64Array(1);

  /** addPacked's caches; an entry counts only when its first word is the current generation. */
  private generation = 1;
  private readonly flowCache = new Int32Array((1 << FLOW_CACHE_BITS) * FLOW_CACHE_WIDTH);
  private readonly macPairCache = new Int32Array((1 << MAC_PAIR_CACHE_BITS) * MAC_PAIR_CACHE_WIDTH);

  /** Stores one decoded packet; non-IP packets are ignored (returns false). */
  add(p: PacketRecord): boolean {
    if (p.ipVersion !== 4 && p.ipVersion !== 6) return false;
    this.addFields(
      p.timeMicros(),
      p.ipVersion,
      p.srcAddr,
      0,
      p.dstAddr,
      0,
      p.srcPort,
      p.dstPort,
      p.frameHead,
      0,
      p.ipProto,
      p.ipLength,
      parseable(p.originalLength, p.l4PayloadLength, p.capturedLength),
    );
    return true;
  }

  /**
   * `add` from fields already taken out of a packet (the two-thread reader hands packets over packed):
   * addresses at bytes[srcAt …] and [dstAt …], the frame's first 12 bytes at head[headAt …].
   */
  addFields(
    time: number,
    version: number,
    bytes: Uint8Array,
    srcAt: number,
    dstBytes: Uint8Array,
    dstAt: number,
    srcPort: number,
    dstPort: number,
    head: Uint8Array,
    headAt: number,
    proto: number,
    ipLength: number,
    isParseable: number,
  ): void {
    const src = this.endpoints.intern(this.addresses.intern(version, bytes, srcAt), srcPort);
    const dst = this.endpoints.intern(this.addresses.intern(version, dstBytes, dstAt), dstPort);
    this.packetTime[0] = time;
    this.place(
      src,
      dst,
      this.macs.intern(head, headAt),
      this.macs.intern(head, headAt + 6),
      proto,
      ipLength,
      isParseable,
    );
  }

  /**
   * `add` for record i of packed records (the two-thread reader), with two caches in front of the tables:
   * an IPv4 packet's (addresses, ports) words → its two endpoint ids, and its frame head's three words →
   * its two MAC ids (consecutive packets mostly repeat a few flows and MAC pairs).
   */
  addPacked(r: PackedRecords, i: number): void {
    const w = r.i32;
    const q = r.wordAt(i);
    const version = w[q + PACKED_VERSION_WORD]! & 0xff;
    const bytes = r.bytes;
    let src: number;
    let dst: number;
    const gen = this.generation;
    if (version === 4) {
      const sa = w[q + PACKED_SRC_WORD]!;
      const da = w[q + PACKED_DST_WORD]!;
      const ports = w[q + PACKED_PORTS_WORD]!;
      const slot = Math.imul(sa ^ Math.imul(da, 0x85ebca6b) ^ ports, 0x9e3779b1) >>> (32 - FLOW_CACHE_BITS);
      const c = this.flowCache;
      const o = slot * FLOW_CACHE_WIDTH;
      if (c[o] === gen && c[o + 1] === sa && c[o + 2] === da && c[o + 3] === ports) {
        src = c[o + 4]!;
        dst = c[o + 5]!;
      } else {
        src = this.endpoints.intern(this.addresses.intern(4, bytes, r.srcAt(i)), ports & 0xffff);
        dst = this.endpoints.intern(this.addresses.intern(4, bytes, r.dstAt(i)), ports >>> 16);
        c[o] = gen;
        c[o + 1] = sa;
        c[o + 2] = da;
        c[o + 3] = ports;
        c[o + 4] = src;
        c[o + 5] = dst;
      }
    } else {
      src = this.endpoints.intern(this.addresses.intern(version, bytes, r.srcAt(i)), r.srcPort(i));
      dst = this.endpoints.intern(this.addresses.intern(version, bytes, r.dstAt(i)), r.dstPort(i));
    }
    const h0 = w[q + PACKED_HEAD_WORD]!;
    const h1 = w[q + PACKED_HEAD_WORD + 1]!;
    const h2 = w[q + PACKED_HEAD_WORD + 2]!;
    const mslot =
      Math.imul(h0 ^ Math.imul(h1, 0x85ebca6b) ^ Math.imul(h2, 0xc2b2ae35), 0x9e3779b1) >>>
      (32 - MAC_PAIR_CACHE_BITS);
    const m = this.macPairCache;
    const mo = mslot * MAC_PAIR_CACHE_WIDTH;
    let dstMac: number;
    let srcMac: number;
    if (m[mo] === gen && m[mo + 1] === h0 && m[mo + 2] === h1 && m[mo + 3] === h2) {
      dstMac = m[mo + 4]!;
      srcMac = m[mo + 5]!;
    } else {
      const headAt = r.headAt(i);
      dstMac = this.macs.intern(bytes, headAt);
      srcMac = this.macs.intern(bytes, headAt + 6);
      m[mo] = gen;
      m[mo + 1] = h0;
      m[mo + 2] = h1;
      m[mo + 3] = h2;
      m[mo + 4] = dstMac;
      m[mo + 5] = srcMac;
    }
    this.packetTime[0] = r.timeUs(i);
    this.place(
      src,
      dst,
      dstMac,
      srcMac,
      r.ipProto(i),
      r.ipLength(i),
      parseable(r.originalLength(i), r.l4PayloadLength(i), r.capturedLength(i)),
    );
  }

  /**
   * Stores a packet's row, or overwrites the row of an earlier packet with the same (time, src, dst); the
   * time is packetTime[0].
   */
  private place(
    src: number,
    dst: number,
    dstMac: number,
    srcMac: number,
    proto: number,
    ipLength: number,
    isParseable: number,
  ): void {
    const time = this.packetTime[0]!;
    let index = this.indexed ? this.indexedRow(src, dst) : this.findRow(src, dst);
    if (index === NEW_ORDERED || index === NEW_LATE) {
      const row = this.length++;
      this.rows.ensure(this.length);
      if (!this.indexed) {
        if (index === NEW_LATE) {
          // findRow interned its key just now: the late table's newest id.
          this.lateRow.push(row);
        } else {
          if (this.nOrdered === this.ordered.length) {
            const grown = new Int32Array(this.ordered.length * 2);
            grown.set(this.ordered);
            this.ordered = grown;
          }
          this.ordered[this.nOrdered++] = row;
          this.lastTimeUs = time;
        }
      }
      index = row;
    } else {
      this.duplicates++;
    }

    this.timeUs.data[index] = time;
    this.srcEndpoint.data[index] = src;
    this.dstEndpoint.data[index] = dst;
    this.dstMac.data[index] = dstMac;
    this.srcMac.data[index] = srcMac;
    this.proto.data[index] = proto;
    this.ipLength.data[index] = ipLength;
    this.parseable.data[index] = isParseable;
  }

  /** The row holding (time, src, dst), or NEW_ORDERED / NEW_LATE; may switch to the hash index. */
  private findRow(src: number, dst: number): number {
    const time = this.packetTime[0]!;
    if (time > this.lastTimeUs) return NEW_ORDERED;
    const times = this.timeUs.data;
    const ordered = this.ordered;
    let lo = 0;
    let hi = this.nOrdered;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[ordered[mid]!]! < time) lo = mid + 1;
      else hi = mid;
    }
    const srcs = this.srcEndpoint.data;
    const dsts = this.dstEndpoint.data;
    let scanned = 0;
    for (let k = lo; k < this.nOrdered; k++) {
      const r = ordered[k]!;
      if (times[r] !== time) break;
      if (srcs[r] === src && dsts[r] === dst) return r;
      if (++scanned > RUN_SCAN) return this.indexedRow(src, dst);
    }
    if (time === this.lastTimeUs) {
      // Late rows are earlier than lastTimeUs was when they came, so none has this time.
      return NEW_ORDERED;
    }
    const late = this.late;
    fillTimeKey(late.probe, time, src, dst);
    const id = late.intern();
    return id < this.lateRow.length ? this.lateRow[id]! : NEW_LATE;
  }

  /** findRow through the hash index of every row (built on first use); new rows get NEW_ORDERED. */
  private indexedRow(src: number, dst: number): number {
    if (!this.indexed) this.buildIndex();
    fillTimeKey(this.dedup.probe, this.packetTime[0]!, src, dst);
    const slot = this.dedup.intern();
    return slot < this.length ? slot : NEW_ORDERED;
  }

  /** Indexes every row so far (their keys are distinct: repeats were overwritten), ids = row indices. */
  private buildIndex(): void {
    const probe = this.dedup.probe;
    const time = this.timeUs.data;
    for (let r = 0; r < this.length; r++) {
      fillTimeKey(probe, time[r]!, this.srcEndpoint.data[r]!, this.dstEndpoint.data[r]!);
      this.dedup.intern();
    }
    this.indexed = true;
  }

  /** Empties the store for the next bin, keeping the tables' capacity (streaming reuses one store). */
  reset(): void {
    // The ids in the caches belong to the tables cleared here.
    this.generation = (this.generation + 1) | 0;
    this.addresses.clear();
    this.endpoints.clear();
    this.macs.clear();
    if (this.indexed) this.dedup.clear();
    this.indexed = false;
    this.lastTimeUs = Number.NEGATIVE_INFINITY;
    this.nOrdered = 0;
    // Most bins have no late rows: their table is left as it is rather than refilled (it keeps a burst's size).
    if (this.late.size > 0) this.late.clear();
    emptyKeepingCapacity(this.lateRow);
    this.length = 0;
    this.duplicates = 0;
  }
}

/** A dedup key: the time (µs, below 2^53) as two words, and the two endpoint ids. */
function fillTimeKey(probe: Uint32Array, time: number, src: number, dst: number): void {
  const high = Math.floor(time / TWO_POW_32);
  probe[0] = high;
  probe[1] = time - high * TWO_POW_32;
  probe[2] = src;
  probe[3] = dst;
}
