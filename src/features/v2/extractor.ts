/**
 * "v2" header features: per host and per time bin, a named vector describing HOW a device talks (sizes,
 * timing, protocols, services, TCP flags, fan-out, TTLs, flows), computed in one streaming pass from
 * headers only. See docs/features-v2.md for every feature and the rules below.
 *
 * Keys: with a MAC layer, every unicast MAC is a key (group MACs never are); without one (raw IP, loopback,
 * Linux cooked: its one link address, the sender's, is no MAC pair) every IP address is. A key is reported
 * as a HOST when it sent at least one IP packet from a private (incl. link-local and 0.0.0.0) source address;
 * the capture's DEVICE is the host that took part in the most packets at a private address, sent or received
 * (ties: the one that sent more such packets, then the one seen first), so a one-device capture yields that
 * device even when a LAN peer it talks to sends more than it does.
 *
 * Bins follow the compat rule on IP packets in arrival order: the first IP packet starts bin 0, and an IP
 * packet `durationS` or more after the current bin's start closes it and starts the next at its own time
 * (empty bins keep their index, so `bin` matches CompatBin.bin). Non-IP frames (ARP, EAPOL, …) go to the
 * current bin. With warmupS > 0, packets up to warmupS after the first IP packet are not counted.
 *
 * The per-packet path only touches typed arrays (tables grow by doubling); vectors are built at bin close
 * (summary.ts). Layouts: layout.ts; lookup tables: tables.ts; address and key ids: interning.ts.
 */
import {
  PACKED_BITS_WORD,
  PACKED_DST_WORD,
  PACKED_ETHER_WORD,
  PACKED_FRAGMENT,
  PACKED_HAS_MACS,
  PACKED_ICMP_WORD,
  PACKED_L4_PAYLOAD_WORD,
  PACKED_L4_WORD,
  PACKED_LATER_FRAGMENT,
  PACKED_MACS_WORD,
  PACKED_ORIGINAL_LENGTH_WORD,
  PACKED_PORTS_WORD,
  PACKED_SRC_WORD,
  PACKED_VERSION_WORD,
  type PackedRecords,
} from '../../capture/packed.js';
import { EtherType, IpProto, type PacketRecord } from '../../capture/packet.js';
import { ColumnTable } from '../../sessions/columns.js';
import { QuadTable } from '../../sessions/quad-table.js';
import type { CompatFeatures } from '../compat.js';
import { isMoreLikelyDevice } from '../device-choice.js';
import { HostBinStore } from './host-bin-store.js';
import * as interning from './interning.js';
import { AddressInterner, KeyInterner } from './interning.js';
import { COUNT_DIR, COUNTS, HOST, SUM_DIR, SUMMARY, SUMMARY_DIR, SUMS } from './layout.js';
import { V2_OWN_COUNT, V2_STORED_COUNT } from './names.js';
import { LazyV2Bin, type V2Bin, type V2Host, type V2Result } from './result.js';
import * as summary from './summary.js';
import * as tables from './tables.js';

// The per-packet path reads these as the module's own constants: V8 folds a module's own `const`s into
// optimised code, but reads an imported binding through its module cell on every use.
const {
  CELL_OF_LEN,
  CLASS_IP,
  FLAG_BITS,
  FLAG_NO_PAYLOAD,
  IAT_NONE,
  L2,
  L4,
  L4_CLASSES,
  LOG2_LEN,
  LOG10_IAT,
  log10Slot,
  PEER_NONE,
  SERVICE_OF_PORT,
  SVC_COUNTED,
  SVC_NONE,
  SVC_PRIV,
  SVC_UNPRIV,
  TTL_NONE,
} = tables;
const { CACHE_SHIFT, CACHE_SLOTS, F_BROADCAST, F_MULTICAST, F_PRIVATE } = interning;
const { copySums, expandCell, summaryVector } = summary;
// Offsets as module constants (read per packet).
const { arp: CLASS_ARP, eapol: CLASS_EAPOL, otherL2: CLASS_OTHER_L2 } = L2;
const {
  tcp: L4_TCP,
  udp: L4_UDP,
  icmp: L4_ICMP,
  icmpEcho: L4_ICMP_ECHO,
  icmpv6: L4_ICMPV6,
  icmpv6Echo: L4_ICMPV6_ECHO,
  icmpv6Ndp: L4_ICMPV6_NDP,
  icmpv6Mld: L4_ICMPV6_MLD,
  other: L4_OTHER,
} = L4;
const { lengthCell: N_CELL, joint1: N_J1, joint2: N_J2, tcpFlags: N_FLAGS } = COUNT_DIR.at;
const N_DIR = COUNT_DIR.size;
/** Counts per row of a bin. */
const CNT = COUNTS.size;
const {
  bytes: C_BYTES,
  log2SizeSum: C_LOGSUM,
  log2SizeSq: C_LOGSQ,
  log10IatSum: C_IATSUM,
  log10IatSq: C_IATSQ,
  hops: C_HOPS,
} = SUM_DIR.at;
const C_DIR = SUMS.at.in;
const H_BASE = SUMS.at.host;
/** Sums per row of a bin. */
const ACC = SUMS.size;
const {
  peers: H_PEERS,
  privatePeers: H_PRIV_PEERS,
  publicPeers: H_PUB_PEERS,
  groups: H_GROUPS,
  remotePorts: H_RPORTS,
  localPorts: H_LPORTS,
  flows: H_FLOWS,
  initiated: H_INIT,
  durationSum: H_DURSUM,
  durationMax: H_DURMAX,
  flowPacketsSum: H_FPKTSUM,
  flowPacketsMax: H_FPKTMAX,
} = HOST.at;
const H_COUNT = HOST.size;
const DIR_ACC = SUMMARY_DIR.size;
const H_BASE_S = SUMMARY.at.host;
const SUMMARY_SIZE = SUMMARY.size;

/**
 * Batched packet, word 0: the bits below (countPacket also gets the destination's group flags there);
 * word 1: ports (IP) or the ethertype; word 2: L4 protocol, TTL, TCP flags, ICMP type (a byte each).
 */
const B_IP = 8;
const B_V6 = 16;
const B_FRAG = 32;
const B_LATER = 64;
const B_NOPAYLOAD = 128;
const B_COUNTED = 256;
const B_MACS = 512;
/** The two ends share an IPv4 /24 or an IPv6 /64 (see sameLink): each is the other's local network. */
const B_ONLINK = 1024;
/** Endpoint memo entry (see V2Extractor.endpoints): word offsets, and the entry size. */
const EP_HI = 0;
const EP_LO = 1;
const EP_IP = 2;
const EP_KEY = 3;
const EP_ADDR = 4;
const EP_FLAGS = 5;
const EP_GROUP = 6;
const EP = 8;
/** addPacked's conversation cache: 256 slots, by the top 8 bits of a hash. */
const CONVERSATION_SHIFT = 24;
const CONVERSATION_SLOTS = 1 << (32 - CONVERSATION_SHIFT);
/** Hosts of a bin with dense count rows (~10 KiB each, 10 MiB for all): ordinary bins have tens. */
const DENSE_ROWS = 1024;
/** Packets per batch: the batch's columns (~140 KB) stay in cache while it is written and counted. */
const BATCH = 4096;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The int32 whose big-endian bytes are `word`'s bytes in memory. */
function bigEndian(word: number): number {
  if (!LITTLE_ENDIAN) return word;
  return (word << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24);
}

/** The per-port block's accumulators per row of a bin (names.ts PORT_LABELS), filled at bin close. */
const P_PACKETS = 0;
const P_LOCAL_REG = 1;
const P_REMOTE_REG = 2;
const P_FIXED_LOCAL = 3;
const P_FIXED_REMOTE = 4;
const P_GROUP = 5;
const P_GROUP_TALK = 6;
const P_GROUP_SERVE = 7;
const PORT_ACC = 8;
/** Ports from 49152 on are IANA's dynamic (ephemeral) range. */
const DYNAMIC_PORTS = 49152;

/** Distinct-value kinds counted per row and bin in `distinct` (distinct local ports are portKeys' kind 0). */
const D_PEER = 0;
const D_RPORT = 1;

export interface V2Options {
  /** Bin length in seconds (compat's `duration`). */
  durationS: number;
  /** Packets up to this many seconds after the first IP packet are ignored (0: none). */
  warmupS?: number;
  /**
   * Hosts of a bin whose counts are dense rows (default DENSE_ROWS); the rest count in a hash table. The
   * features are the same either way: tests set it low to run the hash table on ordinary captures.
   */
  denseRows?: number;
  /**
   * A temporary file, opened and owned by the caller, for a long capture's features (see HostBinStore):
   * the reader thread's extractor gets one from the analysis thread.
   */
  spillFd?: number;
}

/** DataViews over one PacketRecord's MACs and addresses (`record` is its macs array, for identity). */
interface RecordViews {
  record: Uint8Array;
  macs: DataView;
  src: DataView;
  dst: DataView;
}

export class V2Extractor {
  private readonly durationUs: number;
  private readonly warmupUs: number;

  private readonly keys = new KeyInterner();
  // Per key id (rows grow with the keys, a few bytes each): the counters that decide the capture's device,
  // and the key's row among the current bin's (-1: not in this bin).
  private readonly packetsSent = this.keys.rows.float();
  private readonly privateSent = this.keys.rows.float();
  /** Packets sent to the key at a private address: with privateSent, what decides the capture's device. */
  private readonly privateReceived = this.keys.rows.float();
  private readonly slotOfKey = this.keys.rows.int(1, -1);
  // Per row of the current bin (its keys in the order they first took part): the key, the last packet time
  // per direction (-1: none yet) and the bin's sums (ACC). Rows are reused bin after bin, so memory follows
  // the busiest bin's hosts, not every host a long capture met (a tunnel's peers: hundreds of thousands).
  private readonly touchedRows = new ColumnTable(64);
  private readonly touched = this.touchedRows.int();
  private readonly lastOut = this.touchedRows.float(1, -1);
  private readonly lastIn = this.touchedRows.float(1, -1);
  private readonly acc = this.touchedRows.float(ACC);
  private touchedCount = 0;
  /**
   * The bin's counts (CNT cells, ~10 KiB a row): dense for its first denseRows rows; the rows past them (a
   * flood: thousands of hosts in one bin, each sending a frame or two) count their few cells in a hash table,
   * (row, cell) → sparseCount, so a flood costs bytes per host instead of kilobytes.
   */
  private readonly denseRows: number;
  // Few rows at first (~10 KiB each): per-host mode makes an extractor per host, most with a row or two a bin.
  private readonly countRows = new ColumnTable(4);
  private readonly cnt = this.countRows.int(CNT);
  private readonly sparseCells = new QuadTable();
  private readonly sparseRows = new ColumnTable(1024);
  private readonly sparseCount = this.sparseRows.int();

  private readonly addrs = new AddressInterner();
  private readonly addrFlags = this.addrs.flags;

  /** Flows of the current bin: [l4 proto, addr A, addr B, portA << 16 | portB], A ≤ B canonically. */
  private readonly flows = new QuadTable();
  private readonly flowRows = new ColumnTable(1024);
  private readonly flowFirst = this.flowRows.float();
  private readonly flowLast = this.flowRows.float();
  private readonly flowPackets = this.flowRows.int();
  /** The first packet's sender and receiver, as rows of the bin (-1: none). */
  private readonly flowInit = this.flowRows.int();
  private readonly flowResp = this.flowRows.int();
  /** The first packet's source address and ports, to tell each side's peer and ports at bin close. */
  private readonly flowSrcAddr = this.flowRows.int();
  private readonly flowDstAddr = this.flowRows.int();
  private readonly flowPorts = this.flowRows.int();
  /** 1 when the flow's two ends are on one link (B_ONLINK): each is a private peer of the other. */
  private readonly flowOnLink = this.flowRows.int();
  /**
   * Per flow and side (initiator, responder): its local-port and remote-endpoint count ids (portKeys), set by
   * bin close's first pass for TCP / UDP flows with ports, so the second pass needs no lookups.
   */
  private readonly flowLocalId = this.flowRows.int(2);
  private readonly flowRemoteId = this.flowRows.int(2);

  // A direct-mapped cache in front of the flow table (as interning.ts's): flow ids are per bin, so its
  // entries carry the bin's generation.
  private readonly flowKey = new Int32Array(4 * CACHE_SLOTS);
  private readonly flowId = new Int32Array(CACHE_SLOTS);
  private readonly flowGen = new Int32Array(CACHE_SLOTS);
  private generation = 1;

  /**
   * Count keys of the per-port block, each with its flows: (0, row, protocol | local port, 0) and (1, row,
   * protocol | remote port, remote address) of the current bin; the (row, local port, remote endpoint)
   * pairs seen (with the pair's remote-endpoint id); and the per-port accumulators per row. Kind 0 keys
   * also count the row's distinct local ports (H_LPORTS).
   */
  private readonly portKeys = new QuadTable();
  private readonly portPairs = new QuadTable();
  private readonly portRows = new ColumnTable(1024);
  private readonly portFlows = this.portRows.int();
  private readonly pairRows = new ColumnTable(1024);
  private readonly pairRemoteId = this.pairRows.int();
  private readonly portAcc = this.touchedRows.float(PORT_ACC);

  /** Distinct (kind, key, value) of the current bin. */
  private readonly distinct = new QuadTable();
  /** Packets not yet resolved and counted (see add): time, length, 3 packed words, MACs and addresses as words. */
  private readonly bTime = new Float64Array(BATCH);
  private readonly bMacs = new Int32Array(3 * BATCH);
  private readonly bAddrs = new Int32Array(8 * BATCH);
  private views: RecordViews | null = null;
  private readonly bLen = new Uint32Array(BATCH);
  private readonly bWords = new Int32Array(3 * BATCH);
  private batchCount = 0;
  /**
   * The packet being admitted's time (µs), handed to admit here: V8 boxes a double passed to a call it does
   * not inline, a heap number per packet.
   */
  private readonly time = new Float64Array(1);
  /**
   * The last resolved IPv4 packet's two endpoints (see flush), EP words each: MAC (high 16 bits, low 32),
   * address word, then its key id (-1: group MAC), address id, address flags and group kind as a
   * destination. Ids never change within a capture, so entries stay valid across batches and bins.
   */
  private readonly endpoints = new Int32Array(2 * EP).fill(-1);
  /**
   * addPacked's conversations: direct-mapped, CONVERSATION_SLOTS entries of two endpoints as `endpoints`'
   * (either order), each endpoint's MAC and address as the record's words (bytes in memory order: the MAC's
   * bytes 0–3 at EP_LO, 4–5 at EP_HI; -1 never matches EP_HI), so a hit needs no byte swaps. A capture's
   * packets interleave a few conversations, which one memo entry missed for one packet in six.
   */
  private readonly conversations = new Int32Array(CONVERSATION_SLOTS * 2 * EP).fill(-1);
  /** Count cells that left zero this bin (indices into cnt), expanded and zeroed at bin close. */
  private readonly cellLogRows = new ColumnTable(1024);
  private readonly cellLog = this.cellLogRows.int();
  private cellCount = 0;
  /** Summary-layout accumulators of the bin's dense rows, rebuilt at bin close, then one for a sparse row. */
  private readonly summaryRows = new ColumnTable(16);
  private readonly summaries = this.summaryRows.float(SUMMARY_SIZE);

  private firstUs = Number.NaN;
  private binStartUs = Number.NaN;
  private bin = 0;
  private binFirstUs = Number.NaN;
  private binLastUs = Number.NaN;
  /** Every (bin, key)'s header features until the device is known (in a temporary file past 2.6 MiB). */
  private readonly pending: HostBinStore;
  private readonly own = new Float64Array(V2_STORED_COUNT);

  constructor(options: V2Options) {
    if (!(options.durationS > 0)) throw new RangeError(`bin duration must be > 0, got ${options.durationS}`);
    this.durationUs = options.durationS * 1e6;
    this.warmupUs = (options.warmupS ?? 0) * 1e6;
    this.denseRows = options.denseRows ?? DENSE_ROWS;
    if (!(Number.isInteger(this.denseRows) && this.denseRows >= 0))
      throw new RangeError(`dense rows must be a whole number >= 0, got ${this.denseRows}`);
    this.pending = new HostBinStore(undefined, options.spillFd);
  }

  add(p: PacketRecord): void {
    p.timeMicrosTo(this.time);
    const t = this.time[0]!;
    const ip = p.ipVersion === 4 || p.ipVersion === 6;
    const counted = this.admit(ip);
    if (counted < 0 || (!ip && !p.hasMacs)) return;
    // Everything else is deferred to a batch: run here, next to the packet store, v2's tables would keep
    // being evicted from cache; run in a burst they stay hot. Packet order is kept (ids, sums unchanged).
    const i = this.batchCount++;
    this.bTime[i] = t;
    this.bLen[i] = p.originalLength;
    const b3 = i * 3;
    const bw = this.bWords;
    bw[b3] =
      counted |
      (p.hasMacs ? B_MACS : 0) |
      (ip ? B_IP : 0) |
      (p.ipVersion === 6 ? B_V6 : 0) |
      (p.isFragment ? B_FRAG : 0) |
      (p.isLaterFragment ? B_LATER : 0) |
      (p.l4PayloadLength === 0 ? B_NOPAYLOAD : 0);
    bw[b3 + 1] = ip ? (p.srcPort << 16) | p.dstPort : p.etherType;
    bw[b3 + 2] =
      (p.l4Proto & 0xff) | (p.ttl << 8) | ((p.tcpFlags & 0xff) << 16) | ((p.icmpType & 0xff) << 24);
    if (p.hasMacs) {
      const m = this.viewsOf(p).macs;
      const bm = this.bMacs;
      bm[b3] = m.getInt32(0);
      bm[b3 + 1] = m.getInt32(4);
      bm[b3 + 2] = m.getInt32(8);
    }
    if (ip) {
      const ba = this.bAddrs;
      const o = i * 8;
      const views = this.viewsOf(p);
      const sa = views.src;
      const da = views.dst;
      ba[o] = sa.getInt32(0);
      ba[o + 4] = da.getInt32(0);
      if (p.ipVersion === 6) {
        for (let w = 1; w < 4; w++) {
          ba[o + w] = sa.getInt32(w * 4);
          ba[o + 4 + w] = da.getInt32(w * 4);
        }
      }
    }
    if (this.batchCount === BATCH) this.flush();
  }

  /**
   * `add` for record r of packed records (capture/packed.ts), as `add` of the packet it was packed from:
   * the reader thread feeds the ring's records, so its common frames need no decoding (packEthernetIpv4).
   * The records hold MAC and address bytes in memory order; the batch holds them as big-endian words.
   *
   * An IPv4 packet with MACs (nearly every packet of most captures) is counted here at once, not batched: its
   * record was just written, so it is in cache, and its endpoints are found in a cache of conversations by
   * the record's own words (`conversations`). Any other packet goes through a batch of one. Packets batched
   * by `add` are counted first, so the order (and so ids and sums) is that of the calls.
   */
  addPacked(records: PackedRecords, r: number): void {
    if (this.batchCount > 0) this.flush();
    const w = records.i32;
    const q = records.wordAt(r);
    const version = w[q + PACKED_VERSION_WORD]! & 0xff;
    const ip = version === 4 || version === 6;
    const t = records.timeUs(r);
    this.time[0] = t;
    const counted = this.admit(ip);
    const bits = w[q + PACKED_BITS_WORD]!;
    const hasMacs = (bits & PACKED_HAS_MACS) !== 0;
    if (counted < 0 || (!ip && !hasMacs)) return;
    this.bTime[0] = t;
    const len = w[q + PACKED_ORIGINAL_LENGTH_WORD]!;
    const w0 =
      counted |
      (hasMacs ? B_MACS : 0) |
      (ip ? B_IP : 0) |
      (version === 6 ? B_V6 : 0) |
      (bits & PACKED_FRAGMENT ? B_FRAG : 0) |
      (bits & PACKED_LATER_FRAGMENT ? B_LATER : 0) |
      (w[q + PACKED_L4_PAYLOAD_WORD] === 0 ? B_NOPAYLOAD : 0);
    const ports = w[q + PACKED_PORTS_WORD]!;
    const w1 = ip ? (ports << 16) | (ports >>> 16) : w[q + PACKED_ETHER_WORD]! & 0xffff;
    const w2 =
      (w[q + PACKED_L4_WORD]! & 0xff) |
      ((bits & 0xff) << 8) |
      (((bits >>> 8) & 0xff) << 16) |
      ((w[q + PACKED_ICMP_WORD]! & 0xff) << 24);
    if (version !== 4 || !hasMacs) {
      this.batchCount = 1;
      this.bLen[0] = len;
      const bw = this.bWords;
      bw[0] = w0;
      bw[1] = w1;
      bw[2] = w2;
      if (hasMacs) {
        const bm = this.bMacs;
        bm[0] = bigEndian(w[q + PACKED_MACS_WORD]!);
        bm[1] = bigEndian(w[q + PACKED_MACS_WORD + 1]!);
        bm[2] = bigEndian(w[q + PACKED_MACS_WORD + 2]!);
      }
      if (ip) {
        const ba = this.bAddrs;
        for (let k = 0; k < 4; k++) {
          ba[k] = bigEndian(w[q + PACKED_SRC_WORD + k]!);
          ba[4 + k] = bigEndian(w[q + PACKED_DST_WORD + k]!);
        }
      }
      this.flush();
      return;
    }
    // A MAC as two words of its bytes in memory order: bytes 0–3, then 4–5 (the destination's are the
    // record's first word and the low half of its second; the source's the high half and the third word).
    const m1 = w[q + PACKED_MACS_WORD + 1]!;
    const m2 = w[q + PACKED_MACS_WORD + 2]!;
    const dA = w[q + PACKED_MACS_WORD]!;
    const dB = m1 & 0xffff;
    const sA = (m1 >>> 16) | (m2 << 16);
    const sB = m2 >>> 16;
    const sIp = w[q + PACKED_SRC_WORD]!;
    const dIp = w[q + PACKED_DST_WORD]!;
    // The conversation's entry, either way round (the slot's hash is symmetric in the two endpoints).
    const ep = this.conversations;
    const slot =
      Math.imul(sA ^ dA ^ Math.imul(sIp ^ dIp, 0x85ebca6b) ^ Math.imul(sB ^ dB, 0xc2b2ae35), 0x9e3779b1) >>>
      CONVERSATION_SHIFT;
    let s = slot * 2 * EP;
    let d = s + EP;
    if (
      sA !== ep[s + EP_LO] ||
      sB !== ep[s + EP_HI] ||
      sIp !== ep[s + EP_IP] ||
      dA !== ep[d + EP_LO] ||
      dB !== ep[d + EP_HI] ||
      dIp !== ep[d + EP_IP]
    ) {
      if (
        sA === ep[d + EP_LO] &&
        sB === ep[d + EP_HI] &&
        sIp === ep[d + EP_IP] &&
        dA === ep[s + EP_LO] &&
        dB === ep[s + EP_HI] &&
        dIp === ep[s + EP_IP]
      ) {
        const e = s;
        s = d;
        d = e;
      } else {
        const ba = this.bAddrs;
        ba[0] = bigEndian(sIp);
        ba[4] = bigEndian(dIp);
        // As the batch's words: the MAC's first two bytes (big-endian), then its last four.
        this.resolveEndpoints(
          ((sA & 0xff) << 8) | ((sA >>> 8) & 0xff),
          bigEndian((sA >>> 16) | (sB << 16)),
          ((dA & 0xff) << 8) | ((dA >>> 8) & 0xff),
          bigEndian((dA >>> 16) | (dB << 16)),
          ba,
          0,
          ep,
          s,
        );
        ep[s + EP_LO] = sA;
        ep[s + EP_HI] = sB;
        ep[s + EP_IP] = sIp;
        ep[d + EP_LO] = dA;
        ep[d + EP_HI] = dB;
        ep[d + EP_IP] = dIp;
      }
    }
    const src = ep[s + EP_KEY]!;
    const srcAddr = ep[s + EP_ADDR]!;
    const dst = ep[d + EP_KEY]!;
    const dstAddr = ep[d + EP_ADDR]!;
    const srcFlags = ep[s + EP_FLAGS]!;
    const dstFlags = ep[d + EP_FLAGS]!;
    // sameLink on the record's words: an IPv4 address's first three bytes are its word's low 24 bits.
    const link = (srcFlags & dstFlags & F_PRIVATE) === 0 && ((sIp ^ dIp) & 0xffffff) === 0 ? B_ONLINK : 0;
    this.countSender(src, dst, srcFlags | link, dstFlags | link);
    if ((w0 & B_COUNTED) === 0) return;
    this.countPacket(0, len, w0 | ep[d + EP_GROUP]! | link, w1, w2, src, dst, srcAddr, dstAddr);
    this.countFlow(0, w0 | link, w1, w2, src, dst, srcAddr, dstAddr);
  }

  /**
   * The packet's counts toward which host is the device: sent by src, and sent or received at a private address
   * (flags with F_PRIVATE; B_ONLINK, a neighbour on the link, counts as private too).
   */
  private countSender(src: number, dst: number, srcFlags: number, dstFlags: number): void {
    if (src >= 0) {
      this.packetsSent.data[src]!++;
      if (srcFlags & (F_PRIVATE | B_ONLINK)) this.privateSent.data[src]!++;
    }
    if (dst >= 0 && dstFlags & (F_PRIVATE | B_ONLINK)) this.privateReceived.data[dst]!++;
  }

  /**
   * A packet's place in the bins (its time in time[0], µs; IP or not): closes the current bin when an IP
   * packet starts the next one. Returns B_COUNTED when the packet is counted, 0 when it is a warm-up
   * packet that still decides who the hosts are (IP), -1 when it is to be ignored.
   */
  private admit(ip: boolean): number {
    const t = this.time[0]!;
    if (ip) {
      if (Number.isNaN(this.firstUs)) {
        this.firstUs = t;
        this.binStartUs = t;
      } else if (t - this.binStartUs >= this.durationUs) {
        this.closeBin();
        this.bin++;
        this.binStartUs = t;
      }
    }
    // Warm-up packets still decide who the hosts are (identity does not depend on the warm-up).
    const counted = !(this.warmupUs > 0 && !(t - this.firstUs > this.warmupUs));
    if (!counted) return ip ? 0 : -1;
    if (Number.isNaN(this.binFirstUs) || t < this.binFirstUs) this.binFirstUs = t;
    if (Number.isNaN(this.binLastUs) || t > this.binLastUs) this.binLastUs = t;
    return B_COUNTED;
  }

  /**
   * Big-endian word views of a record's MAC and address bytes (readers reuse one record, so this builds
   * them once): one load per word instead of four byte loads and shifts.
   */
  private viewsOf(p: PacketRecord): RecordViews {
    let v = this.views;
    if (v === null || v.record !== p.macs) {
      v = {
        record: p.macs,
        macs: new DataView(p.macs.buffer, p.macs.byteOffset, 12),
        src: new DataView(p.srcAddr.buffer, p.srcAddr.byteOffset, 16),
        dst: new DataView(p.dstAddr.buffer, p.dstAddr.byteOffset, 16),
      };
      this.views = v;
    }
    return v;
  }

  /** Resolves and counts the batched packets in arrival order. */
  private flush(): void {
    const n = this.batchCount;
    this.batchCount = 0;
    const bw = this.bWords;
    const bm = this.bMacs;
    const ba = this.bAddrs;
    for (let i = 0; i < n; i++) {
      const w0 = bw[i * 3]!;
      const ip = (w0 & B_IP) !== 0;
      let srcAddr = -1;
      let dstAddr = -1;
      let src = -1;
      let dst = -1;
      let dstGroup = 0;
      let srcFlags = 0;
      let dstFlags = 0;
      let ipKeys = false;
      if ((w0 & (B_IP | B_V6 | B_MACS)) === (B_IP | B_MACS)) {
        // IPv4 with MACs: most packets continue the previous packet's conversation, either way round, so
        // its two endpoints are checked first (compares instead of four cached lookups).
        const ma = bm[i * 3]!;
        const mb = bm[i * 3 + 1]!;
        const sHi = mb & 0xffff;
        const sLo = bm[i * 3 + 2]!;
        const dHi = ma >>> 16;
        const dLo = (ma << 16) | (mb >>> 16);
        const sIp = ba[i * 8]!;
        const dIp = ba[i * 8 + 4]!;
        const ep = this.endpoints;
        let s = 0;
        let d = EP;
        if (
          sLo !== ep[EP_LO] ||
          sHi !== ep[EP_HI] ||
          sIp !== ep[EP_IP] ||
          dLo !== ep[EP + EP_LO] ||
          dHi !== ep[EP + EP_HI] ||
          dIp !== ep[EP + EP_IP]
        ) {
          if (
            sLo === ep[EP + EP_LO] &&
            sHi === ep[EP + EP_HI] &&
            sIp === ep[EP + EP_IP] &&
            dLo === ep[EP_LO] &&
            dHi === ep[EP_HI] &&
            dIp === ep[EP_IP]
          ) {
            s = EP;
            d = 0;
          } else {
            this.resolveEndpoints(sHi, sLo, dHi, dLo, ba, i * 8, ep, 0);
          }
        }
        src = ep[s + EP_KEY]!;
        srcAddr = ep[s + EP_ADDR]!;
        srcFlags = ep[s + EP_FLAGS]!;
        dst = ep[d + EP_KEY]!;
        dstAddr = ep[d + EP_ADDR]!;
        dstFlags = ep[d + EP_FLAGS]!;
        dstGroup = ep[d + EP_GROUP]!;
      } else {
        const version = w0 & B_V6 ? 6 : 4;
        if (ip) {
          srcAddr = this.addrs.id(version, ba, i * 8);
          dstAddr = this.addrs.id(version, ba, i * 8 + 4);
          srcFlags = this.addrFlags.data[srcAddr]!;
          dstFlags = this.addrFlags.data[dstAddr]!;
        }
        if (w0 & B_MACS) {
          const ma = bm[i * 3]!;
          const mb = bm[i * 3 + 1]!;
          if ((mb & 0x100) === 0) src = this.keys.mac(mb & 0xffff, bm[i * 3 + 2]!);
          if ((ma & 0x1000000) === 0) dst = this.keys.mac(ma >>> 16, (ma << 16) | (mb >>> 16));
          else dstGroup = ma >>> 8 === 0xffffff ? F_BROADCAST : F_MULTICAST;
        } else {
          src = this.keys.ip(this.addrs, srcAddr, version, ba, i * 8);
          if (dstFlags & (F_MULTICAST | F_BROADCAST)) dstGroup = dstFlags & (F_MULTICAST | F_BROADCAST);
          else dst = this.keys.ip(this.addrs, dstAddr, version, ba, i * 8 + 4);
          ipKeys = true;
        }
        if (ip && dstGroup === 0) dstGroup = dstFlags & (F_MULTICAST | F_BROADCAST);
      }
      const link =
        ip && (srcFlags & dstFlags & F_PRIVATE) === 0 && sameLink(ba, i * 8, (w0 & B_V6) !== 0)
          ? B_ONLINK
          : 0;
      srcFlags |= link;
      dstFlags |= link;
      this.countSender(src, dst, srcFlags, dstFlags);
      if ((w0 & B_COUNTED) === 0) continue;
      if (ipKeys) {
        // An address key at a public address never sends from a private one, so it is never a host (see
        // close): its features would be thrown away. A tunnel's capture meets hundreds of thousands.
        if ((srcFlags & (F_PRIVATE | B_ONLINK)) === 0) src = -1;
        if ((dstFlags & (F_PRIVATE | B_ONLINK)) === 0) dst = -1;
      }
      const w1 = bw[i * 3 + 1]!;
      const w2 = bw[i * 3 + 2]!;
      // The batch index, not the time: V8 boxes a double passed to a call it does not inline.
      this.countPacket(i, this.bLen[i]!, w0 | dstGroup | link, w1, w2, src, dst, srcAddr, dstAddr);
      if (ip) this.countFlow(i, w0 | link, w1, w2, src, dst, srcAddr, dstAddr);
    }
  }

  /**
   * An IPv4 packet's two endpoints (MAC, address) resolved as the general path does (same interning order:
   * both addresses, then both MACs), into the endpoint memo: entry 0 the source, entry EP the destination.
   */
  private resolveEndpoints(
    sHi: number,
    sLo: number,
    dHi: number,
    dLo: number,
    ba: Int32Array,
    o: number,
    memo: Int32Array,
    at: number,
  ): void {
    const srcAddr = this.addrs.id(4, ba, o);
    const dstAddr = this.addrs.id(4, ba, o + 4);
    // A group MAC (I/G bit set) is never a key.
    const src = sHi & 0x100 ? -1 : this.keys.mac(sHi, sLo);
    const dst = dHi & 0x100 ? -1 : this.keys.mac(dHi, dLo);
    this.setEndpoint(memo, at, sHi, sLo, ba[o]!, src, srcAddr);
    this.setEndpoint(memo, at + EP, dHi, dLo, ba[o + 4]!, dst, dstAddr);
  }

  private setEndpoint(
    ep: Int32Array,
    e: number,
    hi: number,
    lo: number,
    ipWord: number,
    key: number,
    addr: number,
  ): void {
    const flags = this.addrFlags.data[addr]!;
    ep[e + EP_HI] = hi;
    ep[e + EP_LO] = lo;
    ep[e + EP_IP] = ipWord;
    ep[e + EP_KEY] = key;
    ep[e + EP_ADDR] = addr;
    ep[e + EP_FLAGS] = flags;
    // As a destination: its group MAC's kind (broadcast: ff:ff:ff:…), or else its address's.
    ep[e + EP_GROUP] =
      hi & 0x100
        ? hi === 0xffff && lo >>> 24 === 0xff
          ? F_BROADCAST
          : F_MULTICAST
        : flags & (F_MULTICAST | F_BROADCAST);
  }

  /** Classifies a batched packet once, then adds it to the sender's "out" and the receiver's "in" block. */
  private countPacket(
    batchIndex: number,
    bytes: number,
    w0: number,
    w1: number,
    w2: number,
    src: number,
    dst: number,
    srcAddr: number,
    dstAddr: number,
  ): void {
    const t = this.bTime[batchIndex]!;
    const group = w0 & (F_MULTICAST | F_BROADCAST);
    const len = Math.min(bytes, 65535);
    const cell = CELL_OF_LEN[len]!;
    const l2 = LOG2_LEN[len]!;
    let cls: number;
    let svc = -1;
    let serverOut = false;
    let serverIn = false;
    let flags = 0;
    let ttlBucket = -1;
    let hops = 0;
    let peerOut: number;
    let peerIn = -1;
    if ((w0 & B_IP) === 0) {
      const et = w1;
      cls = et === EtherType.ARP ? CLASS_ARP : et === EtherType.EAPOL ? CLASS_EAPOL : CLASS_OTHER_L2;
      peerOut = group === F_BROADCAST ? 0 : group === F_MULTICAST ? 1 : 2;
    } else {
      const l4 = w2 & 0xff;
      const later = (w0 & B_LATER) !== 0;
      let l4c: number;
      if (l4 === IpProto.TCP || l4 === IpProto.UDP) {
        l4c = l4 === IpProto.TCP ? L4_TCP : L4_UDP;
        if (!later) {
          const sp = w1 >>> 16;
          const dp = w1 & 0xffff;
          const lo = Math.min(sp, dp);
          const hi = Math.max(sp, dp);
          svc = SERVICE_OF_PORT[lo]!;
          if (svc === SVC_NONE) svc = SERVICE_OF_PORT[hi]!;
          if (svc === SVC_NONE) svc = lo < 1024 ? SVC_PRIV : SVC_UNPRIV;
          serverOut = sp < dp;
          serverIn = dp < sp;
        }
        if (l4 === IpProto.TCP) {
          flags = FLAG_BITS[(w2 >>> 16) & 0xff]!;
          if (w0 & B_NOPAYLOAD && !later) flags |= FLAG_NO_PAYLOAD;
        }
      } else if (l4 === IpProto.ICMP) {
        const ty = w2 >>> 24;
        l4c = ty === 0 || ty === 8 ? L4_ICMP_ECHO : L4_ICMP;
      } else if (l4 === IpProto.ICMPV6) {
        const ty = w2 >>> 24;
        l4c =
          ty === 128 || ty === 129
            ? L4_ICMPV6_ECHO
            : ty >= 133 && ty <= 137
              ? L4_ICMPV6_NDP
              : (ty >= 130 && ty <= 132) || ty === 143
                ? L4_ICMPV6_MLD
                : L4_ICMPV6;
      } else {
        l4c = L4_OTHER;
      }
      cls = CLASS_IP + ((w0 & B_V6 ? 2 : 0) + (w0 & B_FRAG ? 1 : 0)) * L4_CLASSES + l4c;
      const ttl = (w2 >>> 8) & 0xff;
      ttlBucket = ttl <= 32 ? 0 : ttl <= 64 ? 1 : ttl <= 128 ? 2 : 3;
      hops = (ttlBucket === 0 ? 32 : ttlBucket === 1 ? 64 : ttlBucket === 2 ? 128 : 255) - ttl;
      peerOut =
        group === F_BROADCAST
          ? 0
          : group === F_MULTICAST
            ? 1
            : w0 & B_ONLINK || this.addrFlags.data[dstAddr]! & F_PRIVATE
              ? 2
              : 3;
      peerIn = w0 & B_ONLINK || this.addrFlags.data[srcAddr]! & F_PRIVATE ? 2 : 3;
    }
    const j2 = cls * (SVC_COUNTED + 1) + (svc >= 0 ? svc : SVC_COUNTED);
    const ttlCell = ttlBucket >= 0 ? ttlBucket : TTL_NONE;
    // The sender's "out" block, then the receiver's "in" block (a loop, not a call: this runs per packet).
    for (let dir = 0; dir < 2; dir++) {
      const key = dir === 0 ? src : dst;
      if (key < 0) continue;
      let k = this.slotOfKey.data[key]!;
      if (k < 0) k = this.touch(key);
      // After touch: a new row may have grown the columns.
      const a = this.acc.data;
      const last = dir === 0 ? this.lastOut.data : this.lastIn.data;
      const peer = dir === 0 ? peerOut : peerIn >= 0 ? peerIn : PEER_NONE;
      const server = dir === 0 ? serverOut : serverIn;
      const o = k * ACC + dir * C_DIR;
      const n = dir * N_DIR;
      a[o + C_BYTES]! += bytes;
      a[o + C_LOGSUM]! += l2;
      a[o + C_LOGSQ]! += l2 * l2;
      a[o + C_HOPS]! += hops;
      this.count(k, n + N_CELL + cell);
      let iat: number = IAT_NONE;
      const prev = last[k]!;
      if (prev >= 0 && t >= prev) {
        const iatUs = t - prev;
        const li = LOG10_IAT[log10Slot(iatUs)]!;
        iat =
          iatUs < 1e3
            ? 0
            : iatUs < 1e4
              ? 1
              : iatUs < 1e5
                ? 2
                : iatUs < 1e6
                  ? 3
                  : iatUs < 1e7
                    ? 4
                    : iatUs < 1e8
                      ? 5
                      : 6;
        a[o + C_IATSUM]! += li;
        a[o + C_IATSQ]! += li * li;
      }
      last[k] = t;
      this.count(
        k,
        n + N_J1 + (((iat * (TTL_NONE + 1) + ttlCell) * (PEER_NONE + 1) + peer) << 1) + (server ? 1 : 0),
      );
      this.count(k, n + N_J2 + j2);
      if (flags !== 0) this.count(k, n + N_FLAGS + flags);
    }
  }

  /** Increments row k's count cell j; a dense cell is logged for bin close when it leaves zero. */
  private count(k: number, j: number): void {
    if (k >= this.denseRows) {
      this.countSparse(k, j);
      return;
    }
    const c = this.cnt.data;
    const i = k * CNT + j;
    const x = c[i]!;
    c[i] = x + 1;
    if (x === 0) {
      this.cellLogRows.ensure(this.cellCount + 1);
      this.cellLog.data[this.cellCount++] = i;
    }
  }

  private countSparse(k: number, j: number): void {
    const cells = this.sparseCells;
    const before = cells.size;
    const id = cells.intern(k, j, 0, 0);
    if (id === before) {
      this.sparseRows.ensure(id + 1);
      this.sparseCount.data[id] = 1;
    } else this.sparseCount.data[id]!++;
  }

  /** Counts `value` once per (kind, row) and bin into the row's host accumulator `slot`; true when it was new. */
  private distinctCount(kind: number, k: number, value: number, slot: number): boolean {
    const d = this.distinct;
    const before = d.size;
    if (d.intern(kind, k, value, 0) !== before) return false;
    this.acc.data[k * ACC + H_BASE + slot]!++;
    return true;
  }

  private countFlow(
    batchIndex: number,
    w0: number,
    w1: number,
    w2: number,
    src: number,
    dst: number,
    srcAddr: number,
    dstAddr: number,
  ): void {
    const t = this.bTime[batchIndex]!;
    const later = (w0 & B_LATER) !== 0;
    const sp = later ? 0 : w1 >>> 16;
    const dp = later ? 0 : w1 & 0xffff;
    const forward = srcAddr < dstAddr || (srcAddr === dstAddr && sp <= dp);
    const k0 = w2 & 0xff;
    const k1 = forward ? srcAddr : dstAddr;
    const k2 = forward ? dstAddr : srcAddr;
    const k3 = forward ? (sp << 16) | dp : (dp << 16) | sp;
    const slot =
      Math.imul(Math.imul(k1, 0x85ebca6b) ^ k2 ^ Math.imul(k3 ^ k0, 0x9e3779b1), 0xc2b2ae35) >>> CACHE_SHIFT;
    const fk = this.flowKey;
    const c = slot * 4;
    let id: number;
    if (
      this.flowGen[slot] === this.generation &&
      fk[c] === k0 &&
      fk[c + 1] === k1 &&
      fk[c + 2] === k2 &&
      fk[c + 3] === k3
    ) {
      id = this.flowId[slot]!;
    } else {
      const f = this.flows;
      const before = f.size;
      id = f.intern(k0, k1, k2, k3);
      fk[c] = k0;
      fk[c + 1] = k1;
      fk[c + 2] = k2;
      fk[c + 3] = k3;
      this.flowId[slot] = id;
      this.flowGen[slot] = this.generation;
      if (id === before) {
        this.flowRows.ensure(id + 1);
        this.flowSrcAddr.data[id] = srcAddr;
        this.flowDstAddr.data[id] = dstAddr;
        this.flowPorts.data[id] = (sp << 16) | dp;
        this.flowOnLink.data[id] = w0 & B_ONLINK ? 1 : 0;
        this.flowFirst.data[id] = t;
        this.flowLast.data[id] = t;
        this.flowPackets.data[id] = 0;
        // As the bin's rows (countPacket made them): the per-bin tables and sums below are all by row.
        this.flowInit.data[id] = src >= 0 ? this.slotOfKey.data[src]! : -1;
        this.flowResp.data[id] = dst >= 0 ? this.slotOfKey.data[dst]! : -1;
      }
    }
    this.flowPackets.data[id]!++;
    if (t > this.flowLast.data[id]!) this.flowLast.data[id] = t;
    if (t < this.flowFirst.data[id]!) this.flowFirst.data[id] = t;
  }

  /**
   * Bin close, per-port block, first pass for one side of a TCP / UDP flow: the side's local port and
   * remote endpoint each count the flow once per (local port, remote endpoint) pair, so a host speaking
   * from two of its addresses (before and after DHCP, IPv4 and IPv6) does not make a port look fixed.
   * `localId` is the side's kind 0 key (already interned by the caller); `flowSide` is flow id · 2 + side.
   */
  private portCount(
    flowSide: number,
    k: number,
    proto: number,
    localId: number,
    local: number,
    remote: number,
    peer: number,
  ): void {
    const pairs = this.portPairs;
    const before = pairs.size;
    const pair = pairs.intern(k, proto | local, remote, peer);
    let remoteId: number;
    if (pair === before) {
      remoteId = this.portId(1, k, proto | remote, peer);
      this.pairRows.ensure(pair + 1);
      this.pairRemoteId.data[pair] = remoteId;
      this.portFlows.data[localId]!++;
      this.portFlows.data[remoteId]!++;
    } else {
      remoteId = this.pairRemoteId.data[pair]!;
    }
    this.flowLocalId.data[flowSide] = localId;
    this.flowRemoteId.data[flowSide] = remoteId;
  }

  /**
   * Bin close, per-port block, second pass (after every flow was counted): adds each flow's packets to its
   * sides' accumulators by whether its local port / remote endpoint were met more than once (a port the
   * host serves / a service it talks to).
   */
  private portAccumulate(): void {
    const flows = this.flows;
    const counts = this.portFlows.data;
    const pa = this.portAcc.data;
    for (let id = 0; id < flows.size; id++) {
      const l4 = flows.word(id, 0);
      if (l4 !== IpProto.TCP && l4 !== IpProto.UDP) continue;
      const ports = this.flowPorts.data[id]!;
      // Later fragments carry no ports (their flow has 0 / 0).
      if (ports === 0) continue;
      const init = this.flowInit.data[id]!;
      const pk = this.flowPackets.data[id]!;
      for (let side = 0; side < 2; side++) {
        const k = side === 0 ? init : this.flowResp.data[id]!;
        if (k < 0 || (side === 1 && k === init)) continue;
        const local = side === 0 ? ports >>> 16 : ports & 0xffff;
        const remote = side === 0 ? ports & 0xffff : ports >>> 16;
        const peer = side === 0 ? this.flowDstAddr.data[id]! : this.flowSrcAddr.data[id]!;
        const fixedLocal = counts[this.flowLocalId.data[id * 2 + side]!]! >= 2;
        const fixedRemote = counts[this.flowRemoteId.data[id * 2 + side]!]! >= 2;
        const o = k * PORT_ACC;
        pa[o + P_PACKETS]! += pk;
        if (local < DYNAMIC_PORTS) pa[o + P_LOCAL_REG]! += pk;
        if (remote < DYNAMIC_PORTS) pa[o + P_REMOTE_REG]! += pk;
        if (fixedLocal) pa[o + P_FIXED_LOCAL]! += pk;
        if (fixedRemote) pa[o + P_FIXED_REMOTE]! += pk;
        if (this.addrFlags.data[peer]! & (F_MULTICAST | F_BROADCAST)) {
          pa[o + P_GROUP]! += pk;
          if (fixedRemote && !fixedLocal) pa[o + P_GROUP_TALK]! += pk;
          if (fixedLocal && !fixedRemote) pa[o + P_GROUP_SERVE]! += pk;
        }
      }
    }
  }

  /** The id of a per-port count key (new ones start at 0 flows). */
  private portId(kind: number, k: number, protoPort: number, addr: number): number {
    const t = this.portKeys;
    const before = t.size;
    const id = t.intern(kind, k, protoPort, addr);
    if (id === before) {
      this.portRows.ensure(id + 1);
      this.portFlows.data[id] = 0;
    }
    return id;
  }

  /** Row k's per-port features into own[V2_OWN_COUNT..], then its accumulators back to zero. */
  private portVector(k: number, own: Float64Array): void {
    const pa = this.portAcc.data;
    const o = k * PORT_ACC;
    const n = pa[o + P_PACKETS]!;
    const g = pa[o + P_GROUP]!;
    let j = V2_OWN_COUNT;
    own[j++] = n > 0 ? pa[o + P_LOCAL_REG]! / n : 0;
    own[j++] = n > 0 ? pa[o + P_REMOTE_REG]! / n : 0;
    own[j++] = n > 0 ? pa[o + P_FIXED_LOCAL]! / n : 0;
    own[j++] = n > 0 ? pa[o + P_FIXED_REMOTE]! / n : 0;
    own[j++] = g > 0 ? pa[o + P_GROUP_TALK]! / g : 0;
    own[j++] = g > 0 ? pa[o + P_GROUP_SERVE]! / g : 0;
    pa.fill(0, o, o + PORT_ACC);
  }

  /** Gives key k (not yet in this bin) the bin's next row, and returns it. */
  private touch(k: number): number {
    const row = this.touchedCount++;
    this.touchedRows.ensure(row + 1);
    if (row < this.denseRows) this.countRows.ensure(row + 1);
    this.touched.data[row] = k;
    this.slotOfKey.data[k] = row;
    return row;
  }

  /** Turns the current bin's accumulators into vectors and resets them. */
  private closeBin(): void {
    this.flush();
    if (this.touchedCount > 0) {
      const a = this.acc.data;
      for (let id = 0; id < this.flows.size; id++) {
        const dur = (this.flowLast.data[id]! - this.flowFirst.data[id]!) / 1e6;
        const pk = this.flowPackets.data[id]!;
        const init = this.flowInit.data[id]!;
        const resp = this.flowResp.data[id]!;
        for (let side = 0; side < 2; side++) {
          const k = side === 0 ? init : resp;
          if (k < 0 || (side === 1 && k === init)) continue;
          const o = k * ACC + H_BASE;
          a[o + H_FLOWS]!++;
          if (side === 0) a[o + H_INIT]!++;
          a[o + H_DURSUM]! += dur;
          if (dur > a[o + H_DURMAX]!) a[o + H_DURMAX] = dur;
          a[o + H_FPKTSUM]! += pk;
          if (pk > a[o + H_FPKTMAX]!) a[o + H_FPKTMAX] = pk;
          const peer = side === 0 ? this.flowDstAddr.data[id]! : this.flowSrcAddr.data[id]!;
          if (this.distinctCount(D_PEER, k, peer, H_PEERS)) {
            const pf = this.addrFlags.data[peer]!;
            if (pf & (F_MULTICAST | F_BROADCAST)) a[o + H_GROUPS]!++;
            else if (pf & F_PRIVATE || this.flowOnLink.data[id]) a[o + H_PRIV_PEERS]!++;
            else a[o + H_PUB_PEERS]!++;
          }
          const l4 = this.flows.word(id, 0);
          if (l4 === IpProto.TCP || l4 === IpProto.UDP) {
            const proto = l4 << 16;
            const ports = this.flowPorts.data[id]!;
            const local = side === 0 ? ports >>> 16 : ports & 0xffff;
            const remote = side === 0 ? ports & 0xffff : ports >>> 16;
            this.distinctCount(D_RPORT, k, proto | remote, H_RPORTS);
            const before = this.portKeys.size;
            const localId = this.portId(0, k, proto | local, 0);
            if (localId === before) a[o + H_LPORTS]!++;
            // Later fragments carry no ports (their flow has 0 / 0): no per-port counts.
            if (ports !== 0) this.portCount(id * 2 + side, k, proto, localId, local, remote, peer);
          }
        }
      }
      this.portAccumulate();
      const spanS = Math.max((this.binLastUs - this.binFirstUs) / 1e6, 1);
      // Expand only the count cells this bin used (logged when they left zero), zeroing them behind. Dense
      // rows each have a summary; one more is the scratch summary of each sparse row in turn.
      const nk = this.touchedCount;
      const dense = Math.min(nk, this.denseRows);
      this.summaryRows.ensure(dense + 1);
      const s = this.summaries.data;
      s.fill(0, 0, dense * SUMMARY_SIZE);
      const cnt = this.cnt.data;
      const log = this.cellLog.data;
      for (let e = 0; e < this.cellCount; e++) {
        const idx = log[e]!;
        const row = Math.floor(idx / CNT);
        let j = idx - row * CNT;
        let so = row * SUMMARY_SIZE;
        if (j >= N_DIR) {
          j -= N_DIR;
          so += DIR_ACC;
        }
        expandCell(s, so, j, cnt[idx]!);
        cnt[idx] = 0;
      }
      this.cellCount = 0;
      const sparse = nk > dense ? this.sparseByRow(dense, nk) : null;
      const own = this.own;
      for (let row = 0; row < nk; row++) {
        let so = row * SUMMARY_SIZE;
        if (sparse !== null && row >= dense) {
          so = dense * SUMMARY_SIZE;
          s.fill(0, so, so + SUMMARY_SIZE);
          const { start, ids } = sparse;
          for (let e = start[row - dense]!; e < start[row - dense + 1]!; e++) {
            const id = ids[e]!;
            let j = this.sparseCells.word(id, 1);
            let o = so;
            if (j >= N_DIR) {
              j -= N_DIR;
              o += DIR_ACC;
            }
            expandCell(s, o, j, this.sparseCount.data[id]!);
          }
        }
        copySums(a, row * ACC, s, so);
        copySums(a, row * ACC + C_DIR, s, so + DIR_ACC);
        for (let h = 0; h < H_COUNT; h++) s[so + H_BASE_S + h] = a[row * ACC + H_BASE + h]!;
        own.fill(0);
        summaryVector(s, so, spanS, own);
        this.portVector(row, own);
        const k = this.touched.data[row]!;
        this.pending.add(this.bin, k, this.binFirstUs / 1e6, this.binLastUs / 1e6, own);
        a.fill(0, row * ACC, (row + 1) * ACC);
        this.lastOut.data[row] = -1;
        this.lastIn.data[row] = -1;
        this.slotOfKey.data[k] = -1;
      }
    }
    this.touchedCount = 0;
    this.sparseCells.clear();
    this.flows.clear();
    this.generation++;
    this.distinct.clear();
    this.portKeys.clear();
    this.portPairs.clear();
    this.binFirstUs = Number.NaN;
    this.binLastUs = Number.NaN;
  }

  /** The sparse cells' ids grouped by row (rows first … end − 1; a counting sort): row r's are ids[start[r − first] …]. */
  private sparseByRow(first: number, end: number): { start: Int32Array; ids: Int32Array } {
    const cells = this.sparseCells;
    const start = new Int32Array(end - first + 1);
    for (let id = 0; id < cells.size; id++) start[cells.word(id, 0) - first + 1]!++;
    for (let r = 1; r < start.length; r++) start[r]! += start[r - 1]!;
    const next = start.slice(0, end - first);
    const ids = new Int32Array(cells.size);
    for (let id = 0; id < cells.size; id++) ids[next[cells.word(id, 0) - first]!++] = id;
    return { start, ids };
  }

  /**
   * Closes the last bin and returns the hosts and their vectors. `compat` (the same capture's compat
   * features) fills the appended 4,104 values of the host whose MAC is compat's capture MAC (or the
   * device, on links without MACs); every other host's compat block is zero.
   */
  finish(compat?: CompatFeatures): V2Result {
    return v2Result(this.close(), compat);
  }

  /** Closes the temporary file of a long capture's features now (when the result is not wanted). */
  dispose(): void {
    this.pending.dispose();
  }

  /** Closes the last bin: the hosts and their header features, before compat's join them (`v2Result`). */
  close(): V2Closed {
    this.closeBin();
    const hosts: V2Host[] = [];
    const hostOfKey = new Int32Array(this.keys.size).fill(-1);
    let device = -1;
    let deviceKey = -1;
    for (let k = 0; k < this.keys.size; k++) {
      const privateSent = this.privateSent.data[k]!;
      if (privateSent <= 0) continue;
      hostOfKey[k] = hosts.length;
      const better =
        deviceKey < 0 ||
        isMoreLikelyDevice(
          privateSent,
          this.privateReceived.data[k]!,
          this.privateSent.data[deviceKey]!,
          this.privateReceived.data[deviceKey]!,
        );
      if (better) {
        device = hosts.length;
        deviceKey = k;
      }
      hosts.push({
        key: this.keys.text(k),
        kind: this.keys.isMac(k) ? 'mac' : 'ip',
        packetsSent: this.packetsSent.data[k]!,
        privateSent,
      });
    }
    return { hosts, hostOfKey, device, pending: this.pending };
  }
}

/**
 * A closed extractor's hosts and per (bin, key) header features: plain data apart from the store, which
 * `HostBinStore.handOver` / `adopt` move between threads (the reader thread runs the extractor).
 */
export interface V2Closed {
  hosts: V2Host[];
  /** Per key id: its index in hosts, or -1 (not a host). */
  hostOfKey: Int32Array<ArrayBuffer>;
  device: number;
  pending: HostBinStore;
}

/** `V2Extractor.finish` from the closed extractor (see there). */
export function v2Result(closed: V2Closed, compat?: CompatFeatures): V2Result {
  const { hosts, hostOfKey, device, pending } = closed;
  let compatHost = -1;
  if (compat?.captureMac != null)
    compatHost = hosts.findIndex((h) => h.kind === 'mac' && h.key === compat.captureMac);
  if (compatHost < 0 && compat !== undefined && hosts[device]?.kind === 'ip') compatHost = device;
  // Bin number -> place among compat's bins, not the bins themselves: each is a view made on access, and
  // holding one per bin of a long capture (56,100 on the ~11 GB benchmark stream) was ~35 MiB of the peak;
  // only the compat host's records take a view.
  const compatBins = compat?.bins ?? [];
  const compatIndex = new Map<number, number>();
  for (let c = 0; c < compatBins.length; c++) compatIndex.set(compatBins[c]!.bin, c);

  const bins: V2Bin[] = [];
  for (let i = 0; i < pending.length; i++) {
    const host = hostOfKey[pending.key(i)]!;
    if (host < 0) continue;
    const c = host === compatHost ? compatIndex.get(pending.bin(i)) : undefined;
    bins.push(new LazyV2Bin(pending, i, host, c === undefined ? undefined : compatBins[c]));
  }
  bins.sort((x, y) => x.bin - y.bin || x.host - y.host);
  return { hosts, device, bins };
}

/**
 * Whether a batched packet's two addresses (words ba[o..o+3], ba[o+4..o+7], big-endian) share an IPv4 /24 or an
 * IPv6 /64: a LAN numbered from global space (a university's public /24, an IPv6 network's global /64) is
 * still the LAN, and a host on it sends from no private address. Pairwise, not per address: one address is
 * local to its neighbours and public to the rest.
 */
function sameLink(ba: Int32Array, o: number, v6: boolean): boolean {
  return v6 ? ba[o] === ba[o + 4] && ba[o + 1] === ba[o + 5] : ba[o]! >>> 8 === ba[o + 4]! >>> 8;
}
