/**
 * NetworkML v0.6.8's host footprint, streaming: fed one packet at a time by the reader, it keeps per host
 * (unicast MAC) the frame lengths and time gaps of each direction in growable typed arrays (quantiles need
 * every value) and ORs of flags and ports, and at the end computes the 221 features of every host
 * (docs/features-host-footprint.md). Nothing is allocated per packet except when an array grows or a new
 * host, address or address pair is first seen.
 */
import { LinkType, type PacketRecord } from '../../capture/packet.js';
import { WordKeyTable } from '../../sessions/hash-table.js';
import { isIpv4Multicast, isPrivate, pythonAddressText, roundToFloat64 } from './address.js';
import { decodeEthernetFields, FrameFields } from './fields.js';
import { DSFIELD_NAMES, FLAG_NAMES, featureIndex, NONPRIV_PORTS, PRIV_PORTS, WK_PROTOS } from './names.js';
import { intHash, PySet, strHash } from './pyset.js';
import { type ColumnStats, columnStats, integerColumnStats } from './stats.js';

export type HostSelection = 'srcmacid' | 'no-srcmacid';

export interface HostFootprintOptions {
  /**
   * Rows per pandas read chunk in the original (it decides which IPv6 addresses were rounded through
   * float64): the largest power of two below 2^20 / (number of distinct tshark field names in the capture).
   * That count needs tshark's full dissection; 2048 (80–511 fields, the common case) unless told.
   */
  csvChunkRows?: number;
}

export const DEFAULT_CSV_CHUNK_ROWS = 2048;

/** One host's footprint. */
export interface HostFootprint {
  /** The host's MAC, aa:bb:cc:dd:ee:ff. */
  mac: string;
  /** The 221 features in model order (HOST_FOOTPRINT_FEATURES), as the original computed them. */
  features: Float64Array;
  /** Source addresses of the host's frames (non-IP excluded) in the original's (Python set) order. */
  srcips: string[];
  /** The first of srcips, or null: the original's `source_ip`. */
  sourceIp: string | null;
  /** Time of the host's latest frame (either direction), epoch seconds. */
  timestamp: number;
}

export interface HostFootprintResult {
  hosts: HostFootprint[];
  /** Why there are no hosts where the original would have failed, else undefined. */
  note?: string;
}

class Values {
  data = new Float64Array(64);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.n++] = v;
  }
}

/** What one direction (out: frames the host sent; in: frames sent to it by others) accumulates. */
class Direction {
  readonly lens = new Values();
  readonly deltas = new Values();
  dsfield = 0;
  ipFlags = 0;
  tcpFlags = 0;
  tcpPorts = 0;
  udpPorts = 0;
}

class Host {
  readonly out = new Direction();
  readonly in = new Direction();
  protos = 0;
  ipv4 = 0;
  ipv6 = 0;
  ipx = 0;
  nonip = 0;
  bothPrivate = 0;
  multicast = 0;
  vlan = 0;
  lastSec = -1;
  lastNsec = 0;
  constructor(readonly mac: number) {}
}

/** Bit of each port in a direction's port set: the 27 listed ports, then "other privileged", "other". */
const OTHER_PRIV = 1 << 27;
const OTHER_NONPRIV = 1 << 28;
const PORT_BIT: Int32Array = (() => {
  const t = new Int32Array(65536);
  for (let p = 0; p < 65536; p++) t[p] = p < 1024 ? OTHER_PRIV : OTHER_NONPRIV;
  PRIV_PORTS.forEach((p, i) => {
    t[p] = 1 << i;
  });
  NONPRIV_PORTS.forEach((p, i) => {
    t[p] = 1 << (PRIV_PORTS.length + i);
  });
  return t;
})();

const UNDECIDED = 0;
const EXACT = 1;
const FLOAT = 2;

const ETH_TYPE_IPX = 0x8137;

function macString(mac: number): string {
  const hex = mac.toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

export class HostFootprintExtractor {
  private readonly f = new FrameFields();
  private readonly macs = new WordKeyTable(2, 256);
  /** Per MAC id: its value, host index (-1: not unicast), distinct source/destination addresses sent. */
  private macValue: number[] = [];
  private macHost: number[] = [];
  private srcipCount: number[] = [];
  /** Per MAC id: the source / destination address of its previous frame (-1: none yet). */
  private lastSrcAddr: number[] = [];
  private lastDstAddr: number[] = [];
  private dstipCount: number[] = [];
  /** MAC ids in order of first appearance as eth.src / eth.dst (pandas unique()). */
  private srcOrder: number[] = [];
  private dstOrder: number[] = [];
  private seenSrc: Uint8Array = new Uint8Array(256);
  private seenDst: Uint8Array = new Uint8Array(256);
  private readonly hosts: Host[] = [];
  /** Addresses ([kind, 4 words]; kind 0 = not IP, the original's 'None'), with their per-address flags. */
  private readonly addrs = new WordKeyTable(5, 1024);
  private addrPrivate: number[] = [];
  private addrMulticast: number[] = [];
  /** (0 = source / 1 = destination, MAC id, address id) triples seen: distinct addresses per sender. */
  private readonly pairs = new WordKeyTable(3, 1024);
  /** Source (MAC id, address id) pairs in order of first appearance. */
  private srcPairs: number[] = [];
  private readonly word = new Uint32Array(4);
  private readonly chunkRows: number;
  private chunk = -1;
  private srcState = UNDECIDED;
  private dstState = UNDECIDED;
  private prevSec = 0;
  private prevNsec = 0;
  private first = true;
  private lastMacSrc = -1;
  private lastMacDst = -1;
  private lastSrcId = -1;
  private lastDstId = -1;

  constructor(options: HostFootprintOptions = {}) {
    this.chunkRows = options.csvChunkRows ?? DEFAULT_CSV_CHUNK_ROWS;
  }

  add(rec: PacketRecord): void {
    // tshark's frame.time_delta_displayed: the gap to the previous frame of the whole capture.
    let delta = 0;
    if (!this.first) delta = ((rec.tsSec - this.prevSec) * 1e9 + (rec.tsNsec - this.prevNsec)) / 1e9;
    this.first = false;
    this.prevSec = rec.tsSec;
    this.prevNsec = rec.tsNsec;

    const chunk = Math.floor(rec.index / this.chunkRows);
    if (chunk !== this.chunk) {
      this.chunk = chunk;
      this.srcState = UNDECIDED;
      this.dstState = UNDECIDED;
    }
    const f = this.f;
    if (rec.linkType === LinkType.ETHERNET) {
      decodeEthernetFields(f, rec.frameBuffer, rec.frameStart, rec.frameStart + rec.capturedLength);
    } else {
      f.reset();
    }
    if (!f.hasIp6) {
      if (this.srcState === UNDECIDED) this.srcState = FLOAT;
      if (this.dstState === UNDECIDED) this.dstState = FLOAT;
    }
    if (!f.hasEth) return;

    const srcId = f.ethSrc === this.lastMacSrc ? this.lastSrcId : this.macId(f.ethSrc);
    const dstId = f.ethDst === this.lastMacDst ? this.lastDstId : this.macId(f.ethDst);
    this.lastMacSrc = f.ethSrc;
    this.lastSrcId = srcId;
    this.lastMacDst = f.ethDst;
    this.lastDstId = dstId;
    if (!this.seenSrc[srcId]) {
      this.seenSrc[srcId] = 1;
      this.srcOrder.push(srcId);
    }
    if (!this.seenDst[dstId]) {
      this.seenDst[dstId] = 1;
      this.dstOrder.push(dstId);
    }

    const srcAddr = this.addressId(true);
    const dstAddr = this.addressId(false);
    const both = f.ipVersion !== 0 && this.addrPrivate[srcAddr]! && this.addrPrivate[dstAddr]! ? 1 : 0;
    const multicast = f.ipVersion !== 0 ? this.addrMulticast[dstAddr]! : 0;

    // Distinct _srcip / _dstip per sending MAC ('None' counts): srcmacid's choice and unique_*ips.
    // (A MAC's previous frame usually had the same addresses: skip the table then.)
    const pairs = this.pairs;
    if (this.lastSrcAddr[srcId] !== srcAddr) {
      this.lastSrcAddr[srcId] = srcAddr;
      pairs.probe[0] = 0;
      pairs.probe[1] = srcId;
      pairs.probe[2] = srcAddr;
      const size = pairs.size;
      pairs.intern();
      if (pairs.size !== size) {
        this.srcipCount[srcId]!++;
        this.srcPairs.push(srcId, srcAddr);
      }
    }
    if (this.lastDstAddr[srcId] !== dstAddr) {
      this.lastDstAddr[srcId] = dstAddr;
      pairs.probe[0] = 1;
      pairs.probe[1] = srcId;
      pairs.probe[2] = dstAddr;
      const size = pairs.size;
      pairs.intern();
      if (pairs.size !== size) this.dstipCount[srcId]!++;
    }

    const hOut = this.macHost[srcId]!;
    const hIn = dstId === srcId ? -1 : this.macHost[dstId]!;
    if (hOut < 0 && hIn < 0) return;
    const len = rec.originalLength;
    let tcpBits = 0;
    let udpBits = 0;
    if (f.ipProto === 6 && f.tcpSrc >= 0 && f.tcpDst >= 0) tcpBits = PORT_BIT[Math.min(f.tcpSrc, f.tcpDst)]!;
    if (f.ipProto === 17 && f.udpSrc >= 0 && f.udpDst >= 0) udpBits = PORT_BIT[Math.min(f.udpSrc, f.udpDst)]!;
    for (let k = 0; k < 2; k++) {
      const h = k === 0 ? hOut : hIn;
      if (h < 0) continue;
      const host = this.hosts[h]!;
      const d = k === 0 ? host.out : host.in;
      d.lens.push(len);
      d.deltas.push(delta);
      if (f.dsfield >= 0) d.dsfield |= f.dsfield;
      if (f.ipFlags >= 0) d.ipFlags |= f.ipFlags;
      if (f.tcpFlags >= 0) d.tcpFlags |= f.tcpFlags;
      d.tcpPorts |= tcpBits;
      d.udpPorts |= udpBits;
      host.protos |= f.protos;
      if (f.ipVersion === 4) host.ipv4 = 1;
      else if (f.ipVersion === 6) host.ipv6 = 1;
      if (f.ethType >= 0 && f.ethType !== 0x0800 && f.ethType !== 0x0806 && f.ethType !== 0x86dd) {
        host.nonip = 1;
        if (f.ethType === ETH_TYPE_IPX) host.ipx = 1;
      }
      host.bothPrivate |= both;
      host.multicast |= multicast;
      if (f.vlan) host.vlan = 1;
      if (rec.tsSec > host.lastSec || (rec.tsSec === host.lastSec && rec.tsNsec > host.lastNsec)) {
        host.lastSec = rec.tsSec;
        host.lastNsec = rec.tsNsec;
      }
    }
  }

  private macId(mac: number): number {
    const t = this.macs;
    t.probe[0] = Math.floor(mac / 0x1_0000_0000);
    t.probe[1] = mac >>> 0;
    const before = t.size;
    const id = t.intern();
    if (t.size !== before) {
      this.macValue.push(mac);
      this.srcipCount.push(0);
      this.dstipCount.push(0);
      this.lastSrcAddr.push(-1);
      this.lastDstAddr.push(-1);
      // Unicast: not broadcast and the I/G bit of the first octet clear.
      const unicast = Math.floor(mac / 0x100_0000_0000) % 2 === 0;
      if (unicast) {
        this.macHost.push(this.hosts.length);
        this.hosts.push(new Host(mac));
      } else {
        this.macHost.push(-1);
      }
      if (id >= this.seenSrc.length) {
        const s = new Uint8Array(this.seenSrc.length * 2);
        s.set(this.seenSrc);
        this.seenSrc = s;
        const d = new Uint8Array(this.seenDst.length * 2);
        d.set(this.seenDst);
        this.seenDst = d;
      }
    }
    return id;
  }

  /** The frame's _srcip (source) or _dstip as an address id, rounded as pandas would have. */
  private addressId(source: boolean): number {
    const f = this.f;
    const t = this.addrs;
    const p = t.probe;
    const w = this.word;
    if (f.ipVersion === 4 && f.hasIp4) {
      w[0] = 0;
      w[1] = 0;
      w[2] = 0;
      w[3] = source ? f.ip4Src : f.ip4Dst;
    } else if (f.ipVersion === 6 && f.hasIp6) {
      const a = source ? f.ip6Src : f.ip6Dst;
      for (let i = 0; i < 4; i++)
        w[i] = ((a[4 * i]! << 24) | (a[4 * i + 1]! << 16) | (a[4 * i + 2]! << 8) | a[4 * i + 3]!) >>> 0;
      // pandas: the chunk's column stays exact ints only if a value ≥ 2^64 comes before any missing value.
      const big = w[0] !== 0 || w[1] !== 0;
      let state = source ? this.srcState : this.dstState;
      if (state === UNDECIDED && big) state = EXACT;
      if (source) this.srcState = state;
      else this.dstState = state;
      if (state === FLOAT) roundToFloat64(w);
    } else {
      p[0] = 0;
      p[1] = 0;
      p[2] = 0;
      p[3] = 0;
      p[4] = 0;
      return this.internAddress(w, false);
    }
    p[0] = 1;
    p[1] = w[0]!;
    p[2] = w[1]!;
    p[3] = w[2]!;
    p[4] = w[3]!;
    return this.internAddress(w, true);
  }

  private internAddress(w: Uint32Array, ip: boolean): number {
    const t = this.addrs;
    const before = t.size;
    const id = t.intern();
    if (t.size !== before) {
      this.addrPrivate.push(ip && isPrivate(w) ? 1 : 0);
      this.addrMulticast.push(ip && isIpv4Multicast(w) ? 1 : 0);
    }
    return id;
  }

  private addressText(id: number): string {
    const t = this.addrs;
    if (t.keyWord(id, 0) === 0) return 'None';
    const w = new Uint32Array([t.keyWord(id, 1), t.keyWord(id, 2), t.keyWord(id, 3), t.keyWord(id, 4)]);
    return pythonAddressText(w);
  }

  /** The footprint of every host (no-srcmacid) or of the one the original picks (srcmacid). */
  finish(selection: HostSelection): HostFootprintResult {
    const order = this.hostOrder();
    // Both modes: a capture of another link type (e.g. `tcpdump -i any`'s Linux cooked frames) has MACs, just
    // none the original read, so 'no unicast MAC addresses' would send the user looking for the wrong thing.
    if (this.srcOrder.length === 0) return { hosts: [], note: 'no Ethernet frames' };
    let chosen: number[];
    if (selection === 'srcmacid') {
      // groupby('eth.src')['_srcip'].nunique().idxmin(): fewest distinct sources, ties to the smallest MAC.
      let best = -1;
      for (const id of this.srcOrder) {
        if (
          best < 0 ||
          this.srcipCount[id]! < this.srcipCount[best]! ||
          (this.srcipCount[id] === this.srcipCount[best] && this.macValue[id]! < this.macValue[best]!)
        )
          best = id;
      }
      if (this.macHost[best]! < 0) {
        return {
          hosts: [],
          note: `the MAC with the fewest source addresses, ${macString(this.macValue[best]!)}, is not unicast`,
        };
      }
      chosen = [best];
    } else {
      chosen = order;
      if (chosen.length === 0) return { hosts: [], note: 'no unicast MAC addresses' };
    }
    const srcipsOf = new Map<number, number[]>();
    for (let i = 0; i < this.srcPairs.length; i += 2) {
      const mac = this.srcPairs[i]!;
      if (!chosen.includes(mac) && selection === 'srcmacid') continue;
      let list = srcipsOf.get(mac);
      if (!list) {
        list = [];
        srcipsOf.set(mac, list);
      }
      list.push(this.srcPairs[i + 1]!);
    }
    const scratch = { buf: new Float64Array(1024) };
    return { hosts: chosen.map((id) => this.footprint(id, srcipsOf.get(id) ?? [], scratch)) };
  }

  /**
   * Hosts in the original's order: frozenset(m for m in set(eth.src uniques) | set(eth.dst uniques) if
   * unicast), iterated (CPython set order over integer MACs).
   */
  private hostOrder(): number[] {
    const hash = (id: number): bigint => intHash(this.macValue[id]!);
    const srcs = PySet.from(this.srcOrder, hash);
    const dsts = PySet.from(this.dstOrder, hash);
    const unicast = [...srcs.union(dsts)].filter((id) => this.macHost[id]! >= 0);
    return [...PySet.from(unicast, hash)];
  }

  private footprint(macId: number, srcAddrs: number[], scratch: { buf: Float64Array }): HostFootprint {
    const host = this.hosts[this.macHost[macId]!]!;
    const x = new Float64Array(221);
    const set = (name: string, v: number): void => {
      x[featureIndex(name)] = v;
    };
    for (const [dir, d] of [
      ['out', host.out],
      ['in', host.in],
    ] as const) {
      const put = (col: string, s: ColumnStats): void => {
        set(`tshark_max_${col}_${dir}`, s.max);
        set(`tshark_min_${col}_${dir}`, s.min);
        set(`tshark_count_${col}_${dir}`, s.count);
        set(`tshark_total_${col}_${dir}`, s.total);
        set(`tshark_average_${col}_${dir}`, s.average);
        set(`tshark_median_${col}_${dir}`, s.median);
        set(`tshark_variance_${col}_${dir}`, s.variance);
        set(`tshark_25q_${col}_${dir}`, s.q25);
        set(`tshark_75q_${col}_${dir}`, s.q75);
      };
      put('frame_len', integerColumnStats(d.lens.data, d.lens.n, scratch));
      put('time_delta', columnStats(d.deltas.data, d.deltas.n, scratch));
      for (const [i, n] of DSFIELD_NAMES.entries())
        set(`tshark_ip_dsfield_${n}_${dir}`, (d.dsfield >> i) & 1);
      FLAG_NAMES.forEach((n, i) => {
        set(`tshark_ip_flags_${n}_${dir}`, (d.ipFlags >> i) & 1);
        set(`tshark_tcp_flags_${n}_${dir}`, (d.tcpFlags >> i) & 1);
      });
      for (const [proto, bits] of [
        ['tcp', d.tcpPorts],
        ['udp', d.udpPorts],
      ] as const) {
        for (const [i, p] of PRIV_PORTS.entries())
          set(`tshark_${proto}_priv_port_${p}_${dir}`, (bits >> i) & 1);
        for (const [i, p] of NONPRIV_PORTS.entries())
          set(`tshark_${proto}_nonpriv_port_${p}_${dir}`, (bits >> (PRIV_PORTS.length + i)) & 1);
        set(`tshark_${proto}_priv_port_other_${dir}`, bits & OTHER_PRIV ? 1 : 0);
        set(`tshark_${proto}_nonpriv_port_other_${dir}`, bits & OTHER_NONPRIV ? 1 : 0);
      }
    }
    set('tshark_ipv4', host.ipv4);
    set('tshark_ipv6', host.ipv6);
    set('tshark_ipx', host.ipx);
    set('tshark_nonip', host.nonip);
    set('tshark_both_private_ip', host.bothPrivate);
    set('tshark_ipv4_multicast', host.multicast);
    for (const [i, p] of WK_PROTOS.entries()) set(`tshark_wk_ip_protocol_${p}`, (host.protos >> i) & 1);
    set('tshark_tagged_vlan', host.vlan);
    set('tshark_unique_srcips', this.srcipCount[macId]!);
    set('tshark_unique_dstips', this.dstipCount[macId]!);

    // tshark_srcips = list(set(unique _srcip strings, in order of appearance) - {'None'}).
    const texts = srcAddrs.map((a) => this.addressText(a));
    const srcips = [...PySet.from(texts, strHash).difference(PySet.from(['None'], strHash))];
    return {
      mac: macString(host.mac),
      features: x,
      srcips,
      sourceIp: srcips[0] ?? null,
      timestamp: Number(`${host.lastSec}.${String(host.lastNsec).padStart(9, '0')}`),
    };
  }
}
