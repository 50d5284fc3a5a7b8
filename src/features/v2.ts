/**
 * "v2" header features: per host and per time bin, a named vector describing HOW a device talks (sizes,
 * timing, protocols, services, TCP flags, fan-out, TTLs, flows), computed in one streaming pass from
 * headers only. See docs/features-v2.md for every feature and the rules below.
 *
 * Keys: with a MAC layer, every unicast MAC is a key (group MACs never are); without one (raw IP, loopback)
 * every IP address is. A key is reported as a HOST when it sent at least one IP packet from a private
 * (incl. link-local and 0.0.0.0) source address; the capture's DEVICE is the host with the most such
 * packets (ties: the one seen first), so a one-device capture yields that device.
 *
 * Bins follow the compat rule on IP packets in arrival order: the first IP packet starts bin 0, and an IP
 * packet `durationS` or more after the current bin's start closes it and starts the next at its own time
 * (empty bins keep their index, so `bin` matches CompatBin.bin). Non-IP frames (ARP, EAPOL, …) go to the
 * current bin. With warmupS > 0, packets up to warmupS after the first IP packet are not counted.
 *
 * The per-packet path only touches typed arrays (tables grow by doubling); vectors are built at bin close.
 */
import { EtherType, IpProto, type PacketRecord, TcpFlag } from '../capture/packet.js';
import { ipv4Text, ipv6Text, isMulticast, isPrivateV4, isPrivateV6, macText } from '../sessions/address.js';
import { ColumnTable } from '../sessions/columns.js';
import { WordKeyTable } from '../sessions/hash-table.js';
import { fillAddressKey } from '../sessions/packet-store.js';
import { COMPAT_FEATURE_COUNT, type CompatBin, type CompatFeatures, compatFeatureName } from './compat.js';

// ---- feature name tables -------------------------------------------------------------------------

/** Frame-size histogram: < 64, half-octave buckets from 64 to 2048, ≥ 2048 bytes. */
const SIZE_EDGES = [64, 91, 128, 181, 256, 362, 512, 724, 1024, 1448, 2048];
const SIZE_BUCKETS = SIZE_EDGES.length + 1;
const SIZE_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];
/** Inter-arrival histogram, decades of seconds: < 1 ms, …, ≥ 100 s. */
const IAT_LABELS = ['lt1ms', '1-10ms', '10-100ms', '0.1-1s', '1-10s', '10-100s', 'ge100s'];
const PROTO_LABELS = [
  'arp',
  'eapol',
  'otherL2',
  'ipv4',
  'ipv6',
  'icmp',
  'icmpv6',
  'tcp',
  'udp',
  'otherL4',
  'fragment',
  'icmpEcho',
  'icmpv6Ndp',
  'icmpv6Mld',
];
const SERVICE_LABELS = [
  'dns',
  'dhcp',
  'dhcpv6',
  'mdns',
  'ssdp',
  'ntp',
  'http',
  'https',
  'llmnr',
  'netbios',
  'smb',
  'ssh',
  'telnet',
  'mqtt',
  'coap',
  'otherPrivileged',
  'otherUnprivileged',
];
const FLAG_LABELS = ['syn', 'synAck', 'fin', 'rst', 'psh', 'noPayload'];
const TTL_LABELS = ['ttl32', 'ttl64', 'ttl128', 'ttl255'];
const PEER_LABELS = ['broadcast', 'multicast', 'privatePeer', 'publicPeer'];
const HOST_LABELS = [
  'outPacketShare',
  'outByteShare',
  'peers.log2',
  'peers.privateShare',
  'peers.publicShare',
  'groups.log2',
  'remotePorts.log2',
  'localPorts.log2',
  'flows.log2',
  'flows.initiatedShare',
  'flows.meanDurationLog10',
  'flows.maxDurationLog10',
  'flows.meanPacketsLog2',
  'flows.maxPacketsLog2',
];

function directionNames(d: 'out' | 'in'): string[] {
  const n: string[] = [];
  for (let b = 0; b < SIZE_BUCKETS; b++) {
    const lo = b === 0 ? 0 : SIZE_EDGES[b - 1]!;
    const hi = b < SIZE_EDGES.length ? `${SIZE_EDGES[b]}` : 'inf';
    n.push(`${d}.size.${lo}-${hi}`);
  }
  for (const q of SIZE_QUANTILES) n.push(`${d}.size.q${Math.round(q * 100)}Log2`);
  n.push(`${d}.size.meanLog2`, `${d}.size.stdLog2`);
  for (const l of IAT_LABELS) n.push(`${d}.iat.${l}`);
  n.push(`${d}.iat.meanLog10`, `${d}.iat.stdLog10`);
  for (const l of PROTO_LABELS) n.push(`${d}.proto.${l}`);
  for (const l of SERVICE_LABELS) n.push(`${d}.service.${l}`);
  n.push(`${d}.service.hostIsServer`);
  for (const l of FLAG_LABELS) n.push(`${d}.tcp.${l}`);
  for (const l of TTL_LABELS) n.push(`${d}.ttl.${l}`);
  n.push(`${d}.ttl.meanHops`);
  for (const l of PEER_LABELS) n.push(`${d}.peer.${l}`);
  n.push(`${d}.rate.packetsLog10`, `${d}.rate.bytesLog10`);
  return n;
}

const DIR_FEATURES = directionNames('out').length;
const V2_OWN_NAMES: readonly string[] = [
  ...directionNames('out'),
  ...directionNames('in'),
  ...HOST_LABELS.map((l) => `host.${l}`),
];
/** Header features before the appended compat block. */
export const V2_OWN_COUNT = V2_OWN_NAMES.length;
export const V2_FEATURE_COUNT = V2_OWN_COUNT + COMPAT_FEATURE_COUNT;

let allNames: string[] | null = null;
/** Names of all v2 features in vector order: the header features, then `compat.<compat name>`. */
export function v2FeatureNames(): string[] {
  if (allNames === null) {
    allNames = [...V2_OWN_NAMES];
    for (let i = 0; i < COMPAT_FEATURE_COUNT; i++) allNames.push(`compat.${compatFeatureName(i)}`);
  }
  return allNames.slice();
}

// ---- lookup tables -------------------------------------------------------------------------------

/** 8 fine buckets per octave of frame length: index floor(8·log2(len)), len 1..65535 → 0..127. */
const FINE_PER_OCTAVE = 8;
const FINE_BUCKETS = 128;
const FINE_INDEX = new Uint8Array(65536);
const LOG2_LEN = new Float64Array(65536);
for (let len = 0; len < 65536; len++) {
  const l = Math.log2(Math.max(len, 1));
  LOG2_LEN[len] = l;
  FINE_INDEX[len] = Math.min(FINE_BUCKETS - 1, Math.floor(FINE_PER_OCTAVE * l + 1e-9));
}
const SIZE_BUCKET = new Uint8Array(65536);
for (let len = 0, b = 0; len < 65536; len++) {
  while (b < SIZE_EDGES.length && len >= SIZE_EDGES[b]!) b++;
  SIZE_BUCKET[len] = b;
}

/** Direct-mapped lookup caches: 1024 slots, indexed by the top 10 bits of a multiplicative hash. */
const CACHE_SHIFT = 22;
const CACHE_SLOTS = 1 << (32 - CACHE_SHIFT);

/**
 * log10 of an inter-arrival time in seconds, quantised to 1/32 octave (error < 0.0068 decades; the exact
 * per-packet Math.log10 was a quarter of v2's time). A gap of n whole µs (0 counts as 1) lies in octave
 * e = floor(log2 n), sub-bucket m = the 5 bits after the leading one; the value is the mean of log10 of
 * the bucket's first and last whole µs (so exact below 64 µs), minus 6. Integer ops and a 16 KB table.
 */
const IAT_SUB_BITS = 5;
const IAT_SUB = 1 << IAT_SUB_BITS;
const IAT_EXACT = 2 * IAT_SUB;
const LOG10_IAT_EXACT = new Float64Array(IAT_EXACT);
for (let n = 0; n < IAT_EXACT; n++) LOG10_IAT_EXACT[n] = Math.log10(Math.max(n, 1)) - 6;
/** Index (octave << 5) | sub-bucket, octaves 0..63 (those below 6 are never read: the exact table is). */
const LOG10_IAT_Q = new Float64Array(64 * IAT_SUB);
for (let e = IAT_SUB_BITS; e < 64; e++) {
  const step = 2 ** (e - IAT_SUB_BITS);
  for (let m = 0; m < IAT_SUB; m++) {
    const lo = 2 ** e + m * step;
    LOG10_IAT_Q[(e << IAT_SUB_BITS) | m] = (Math.log10(lo) + Math.log10(lo + step - 1)) / 2 - 6;
  }
}
export function log10Seconds(iatUs: number): number {
  if (iatUs < 0x80000000) {
    const n = iatUs | 0;
    if (n < IAT_EXACT) return LOG10_IAT_EXACT[n]!;
    const e = 31 - Math.clz32(n);
    return LOG10_IAT_Q[(e << IAT_SUB_BITS) | ((n >>> (e - IAT_SUB_BITS)) & (IAT_SUB - 1))]!;
  }
  return log10SecondsLong(iatUs);
}
/** Gaps of 2^31 µs (36 min) and more: only with bins longer than that; same buckets, float arithmetic. */
function log10SecondsLong(iatUs: number): number {
  const n = Math.floor(iatUs);
  const e = 62 - Math.clz32(Math.floor(n / 0x80000000));
  return LOG10_IAT_Q[(e << IAT_SUB_BITS) | (Math.floor(n / 2 ** (e - IAT_SUB_BITS)) & (IAT_SUB - 1))]!;
}

const SVC_NONE = 255;
const SVC_PRIV = 15;
const SVC_UNPRIV = 16;
/** Named service of a port, or SVC_NONE. */
const SERVICE_OF_PORT = new Uint8Array(65536).fill(SVC_NONE);
(
  [
    [0, [53]],
    [1, [67, 68]],
    [2, [546, 547]],
    [3, [5353]],
    [4, [1900]],
    [5, [123]],
    [6, [80, 8080]],
    [7, [443, 8443]],
    [8, [5355]],
    [9, [137, 138, 139]],
    [10, [445]],
    [11, [22]],
    [12, [23]],
    [13, [1883, 8883]],
    [14, [5683, 5684]],
  ] as const
).forEach(([svc, ports]) => {
  for (const port of ports) SERVICE_OF_PORT[port] = svc;
});

// ---- accumulator layout (per key, per direction) -------------------------------------------------

const A_PKTS = 0;
const A_BYTES = 1;
const A_FINE = 2;
const A_SIZE = A_FINE + FINE_BUCKETS;
const A_LOGSUM = A_SIZE + SIZE_BUCKETS;
const A_LOGSQ = A_LOGSUM + 1;
const A_IAT = A_LOGSQ + 1;
const A_IATN = A_IAT + IAT_LABELS.length;
const A_IATSUM = A_IATN + 1;
const A_IATSQ = A_IATSUM + 1;
const A_PROTO = A_IATSQ + 1;
const A_SVC = A_PROTO + PROTO_LABELS.length;
const A_SVCN = A_SVC + SERVICE_LABELS.length;
const A_SERVER = A_SVCN + 1;
const A_FLAGS = A_SERVER + 1;
const A_TTL = A_FLAGS + FLAG_LABELS.length;
const A_TTLN = A_TTL + TTL_LABELS.length;
const A_HOPS = A_TTLN + 1;
const A_PEER = A_HOPS + 1;
const DIR_ACC = A_PEER + PEER_LABELS.length;
/** Per-key (not per-direction) accumulators after the two direction blocks, relative to H_BASE / H_BASE_S. */
const H_PEERS = 0;
const H_PRIV_PEERS = 1;
const H_PUB_PEERS = 2;
const H_GROUPS = 3;
const H_RPORTS = 4;
const H_LPORTS = 5;
const H_FLOWS = 6;
const H_INIT = 7;
const H_DURSUM = 8;
const H_DURMAX = 9;
const H_FPKTSUM = 10;
const H_FPKTMAX = 11;
const H_COUNT = 12;
/** Summary layout (one key, built at bin close): the two direction blocks above, then the host block. */
const H_BASE_S = 2 * DIR_ACC;
const SUMMARY = H_BASE_S + H_COUNT;

const P_ARP = 0;
const P_EAPOL = 1;
const P_OTHERL2 = 2;
const P_IPV4 = 3;
const P_IPV6 = 4;
const P_ICMP = 5;
const P_ICMPV6 = 6;
const P_TCP = 7;
const P_UDP = 8;
const P_OTHERL4 = 9;
const P_FRAG = 10;
const P_ECHO = 11;
const P_NDP = 12;
const P_MLD = 13;

// ---- per-packet (compact) layout ------------------------------------------------------------------
// The per-packet path bumps ONE joint cell per categorical attribute (frame length, protocol class, TCP
// flag combination) and leaves totals implied; bin close expands the cells into the summary layout above.
// Counts are integers and the float sums (log sizes, log IATs) are added in the same packet order as a
// per-feature layout would, so the expansion gives bit-identical features.

/** Joint (fine bucket, size bucket) cells of frame length: one increment feeds both histograms. */
const CELL_OF_LEN = new Uint8Array(65536);
const CELL_FINE: number[] = [];
const CELL_SIZE: number[] = [];
for (let len = 0; len < 65536; len++) {
  const n = CELL_FINE.length;
  if (n === 0 || CELL_FINE[n - 1] !== FINE_INDEX[len] || CELL_SIZE[n - 1] !== SIZE_BUCKET[len]) {
    CELL_FINE.push(FINE_INDEX[len]!);
    CELL_SIZE.push(SIZE_BUCKET[len]!);
  }
  CELL_OF_LEN[len] = CELL_FINE.length - 1;
}
const CELLS = CELL_FINE.length;

/** Transport classes of an IP packet, with the protocol labels each counts for. */
const L4_PROTOS: readonly (readonly number[])[] = [
  [P_TCP],
  [P_UDP],
  [P_ICMP],
  [P_ICMP, P_ECHO],
  [P_ICMPV6],
  [P_ICMPV6, P_ECHO],
  [P_ICMPV6, P_NDP],
  [P_ICMPV6, P_MLD],
  [P_OTHERL4],
];
const L4_TCP = 0;
const L4_UDP = 1;
const L4_CLASSES = L4_PROTOS.length;
/** Protocol class: 0 ARP, 1 EAPOL, 2 other L2; IP: 3 + (v6·2 + fragment)·L4_CLASSES + transport class. */
const CLASS_PROTOS: number[][] = [[P_ARP], [P_EAPOL], [P_OTHERL2]];
for (let v6 = 0; v6 < 2; v6++)
  for (let frag = 0; frag < 2; frag++)
    for (const l4 of L4_PROTOS) CLASS_PROTOS.push([v6 ? P_IPV6 : P_IPV4, ...(frag ? [P_FRAG] : []), ...l4]);
const CLASSES = CLASS_PROTOS.length;

/** TCP flag combination: bit j set when FLAG_LABELS[j] applies (bit 5, no payload, added per packet). */
const FLAG_COMBOS = 1 << FLAG_LABELS.length;
const FLAG_BITS = new Uint8Array(256);
for (let f = 0; f < 256; f++) {
  let c = 0;
  if (f & TcpFlag.SYN) c |= f & TcpFlag.ACK ? 2 : 1;
  if (f & TcpFlag.FIN) c |= 4;
  if (f & TcpFlag.RST) c |= 8;
  if (f & TcpFlag.PSH) c |= 16;
  FLAG_BITS[f] = c;
}
const FLAG_NO_PAYLOAD = 32;

// Counts (Int32, per key and direction): length cells, two joint cells, TCP flag combinations. A joint cell
// holds attributes that are each counted once per packet, so one increment (one cache line) replaces four.
const IAT_NONE = IAT_LABELS.length;
const TTL_NONE = TTL_LABELS.length;
const PEER_NONE = PEER_LABELS.length;
const SVC_COUNTED = SERVICE_LABELS.length;
/** Joint cell 1: ((IAT bucket · 5 + TTL bucket) · 5 + peer class) · 2 + host-is-server; "none" = last value. */
const J1_CELLS = (IAT_NONE + 1) * (TTL_NONE + 1) * (PEER_NONE + 1) * 2;
const J1_IAT = new Uint8Array(J1_CELLS);
const J1_TTL = new Uint8Array(J1_CELLS);
const J1_PEER = new Uint8Array(J1_CELLS);
for (let j = 0; j < J1_CELLS; j++) {
  J1_PEER[j] = (j >> 1) % (PEER_NONE + 1);
  J1_TTL[j] = Math.floor((j >> 1) / (PEER_NONE + 1)) % (TTL_NONE + 1);
  J1_IAT[j] = Math.floor((j >> 1) / ((PEER_NONE + 1) * (TTL_NONE + 1)));
}
/** Joint cell 2: protocol class · 18 + service (17 = none). */
const J2_CELLS = CLASSES * (SVC_COUNTED + 1);
const N_CELL = 0;
const N_J1 = N_CELL + CELLS;
const N_J2 = N_J1 + J1_CELLS;
const N_FLAGS = N_J2 + J2_CELLS;
const N_DIR = N_FLAGS + FLAG_COMBOS;
/** Counts per key. */
const CNT = 2 * N_DIR;

// Sums (Float64, per key): per direction, then the host block.
const C_BYTES = 0;
const C_LOGSUM = 1;
const C_LOGSQ = 2;
const C_IATSUM = 3;
const C_IATSQ = 4;
const C_HOPS = 5;
const C_DIR = 6;
const H_BASE = 2 * C_DIR;
/** Sums per key. */
const ACC = H_BASE + H_COUNT;

/** Protocol class and service of each joint cell 2. */
const J2_CLS = new Uint8Array(J2_CELLS);
const J2_SVC = new Uint8Array(J2_CELLS);
for (let j = 0; j < J2_CELLS; j++) {
  J2_CLS[j] = Math.floor(j / (SVC_COUNTED + 1));
  J2_SVC[j] = j % (SVC_COUNTED + 1);
}

/**
 * Adds count x of direction-relative count cell j (N_* layout) to the summary direction block at s[so..].
 * Counts are integers below 2^53, so the order cells are expanded in does not change any sum.
 */
function expandCell(s: Float64Array, so: number, j: number, x: number): void {
  if (j < N_J1) {
    s[so + A_FINE + CELL_FINE[j]!]! += x;
    s[so + A_SIZE + CELL_SIZE[j]!]! += x;
  } else if (j < N_J2) {
    const q = j - N_J1;
    const iat = J1_IAT[q]!;
    const ttl = J1_TTL[q]!;
    const peer = J1_PEER[q]!;
    if (iat !== IAT_NONE) {
      s[so + A_IAT + iat]! += x;
      s[so + A_IATN]! += x;
    }
    if (ttl !== TTL_NONE) {
      s[so + A_TTL + ttl]! += x;
      s[so + A_TTLN]! += x;
    }
    if (peer !== PEER_NONE) s[so + A_PEER + peer]! += x;
    if (q & 1) s[so + A_SERVER]! += x;
  } else if (j < N_FLAGS) {
    const q = j - N_J2;
    const svc = J2_SVC[q]!;
    s[so + A_PKTS]! += x;
    for (const pl of CLASS_PROTOS[J2_CLS[q]!]!) s[so + A_PROTO + pl]! += x;
    if (svc !== SVC_COUNTED) {
      s[so + A_SVC + svc]! += x;
      s[so + A_SVCN]! += x;
    }
  } else {
    const f = j - N_FLAGS;
    for (let b = 0; b < FLAG_LABELS.length; b++) if (f & (1 << b)) s[so + A_FLAGS + b]! += x;
  }
}

/** Copies one direction's float sums at a[ao..] into the summary direction block at s[so..]. */
function copySums(a: Float64Array, ao: number, s: Float64Array, so: number): void {
  s[so + A_BYTES] = a[ao + C_BYTES]!;
  s[so + A_LOGSUM] = a[ao + C_LOGSUM]!;
  s[so + A_LOGSQ] = a[ao + C_LOGSQ]!;
  s[so + A_IATSUM] = a[ao + C_IATSUM]!;
  s[so + A_IATSQ] = a[ao + C_IATSQ]!;
  s[so + A_HOPS] = a[ao + C_HOPS]!;
}

/** Address flags. */
const F_PRIVATE = 1;
const F_MULTICAST = 2;
const F_BROADCAST = 4;

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
/** Packets per batch: the batch's columns (~140 KB) stay in cache while it is written and counted. */
const BATCH = 4096;

/** Distinct-value kinds counted per key and bin. */
const D_PEER = 0;
const D_RPORT = 1;
const D_LPORT = 2;

export interface V2Options {
  /** Bin length in seconds (compat's `duration`). */
  durationS: number;
  /** Packets up to this many seconds after the first IP packet are ignored (0: none). */
  warmupS?: number;
}

export interface V2Host {
  /** MAC text, or the IP address text on links without MACs. */
  key: string;
  kind: 'mac' | 'ip';
  /** Packets sent and those sent from a private IP address (all packets, warm-up included). */
  packetsSent: number;
  privateSent: number;
}

export interface V2Bin {
  /** Bin index, the same numbering as CompatBin.bin. */
  readonly bin: number;
  /** Index into V2Result.hosts. */
  readonly host: number;
  /** First and last counted packet time of the bin (any key), epoch seconds. */
  readonly start: number;
  readonly end: number;
  /** The V2_OWN_COUNT header features (the head of `vector`), for callers that need only those. */
  readonly own: Float64Array;
  /** V2_FEATURE_COUNT values, in v2FeatureNames() order (built on every read: read it once per use). */
  readonly vector: Float64Array;
}

/**
 * A host-bin whose full vector is built on access: most callers read only the device's rows, and the
 * 4,104-value compat block is zero for every other host, so building all of them eagerly cost more than
 * the header features themselves. Not cached: a long capture has thousands of bins.
 */
class LazyV2Bin implements V2Bin {
  constructor(
    readonly bin: number,
    readonly host: number,
    readonly start: number,
    readonly end: number,
    readonly own: Float64Array,
    private readonly compat: CompatBin | undefined,
  ) {}

  get vector(): Float64Array {
    const v = new Float64Array(V2_FEATURE_COUNT);
    v.set(this.own, 0);
    if (this.compat !== undefined) v.set(this.compat.vector, V2_OWN_COUNT);
    return v;
  }
}

export interface V2Result {
  hosts: V2Host[];
  /** Index of the capture's device in hosts, or -1. */
  device: number;
  /** One entry per (non-empty bin, host with packets in it), by bin then host. */
  bins: V2Bin[];
}

/** The device's vectors in bin order: the rows a role model sees for one capture. */
export function deviceVectors(result: V2Result): Float64Array[] {
  return result.bins.filter((b) => b.host === result.device).map((b) => b.vector);
}

/** DataViews over one PacketRecord's MACs and addresses (`record` is its macs array, for identity). */
interface RecordViews {
  record: Uint8Array;
  macs: DataView;
  src: DataView;
  dst: DataView;
}

interface PendingBin {
  bin: number;
  key: number;
  start: number;
  end: number;
  own: Float64Array;
}

export class V2Extractor {
  private readonly durationUs: number;
  private readonly warmupUs: number;

  /** Keys: [kind, w0..w3]; kind 1 = MAC (w0 = high 16 bits, w1 = low 32), 4/6 = IP address. */
  private readonly keys = new WordKeyTable(5, 64);
  /** Per key id: its kind, counters and the current bin's accumulators (ACC sums, CNT counts). */
  private readonly keyRows = new ColumnTable(64);
  private readonly keyKind = this.keyRows.byte();
  private readonly packetsSent = this.keyRows.float();
  private readonly privateSent = this.keyRows.float();
  private readonly lastOut = this.keyRows.float();
  private readonly lastIn = this.keyRows.float();
  private readonly acc = this.keyRows.float(ACC);
  private readonly cnt = this.keyRows.int(CNT);
  private readonly touchedFlag = this.keyRows.byte();
  private readonly slotOfKey = this.keyRows.int();
  private readonly touchedRows = new ColumnTable(64);
  private readonly touched = this.touchedRows.int();
  private touchedCount = 0;

  /** IP addresses: [version, w0..w3] → flags, and → key id on links without MACs (-1 until needed). */
  private readonly addrs = new WordKeyTable(5, 1024);
  private readonly addrRows = new ColumnTable(1024);
  private readonly addrFlags = this.addrRows.byte();
  private readonly addrKey = this.addrRows.int(1, -1);

  /** Flows of the current bin: [l4 proto, addr A, addr B, portA << 16 | portB], A ≤ B canonically. */
  private readonly flows = new WordKeyTable(4, 1024);
  private readonly flowRows = new ColumnTable(1024);
  private readonly flowFirst = this.flowRows.float();
  private readonly flowLast = this.flowRows.float();
  private readonly flowPackets = this.flowRows.int();
  private readonly flowInit = this.flowRows.int();
  private readonly flowResp = this.flowRows.int();
  /** The first packet's source address and ports, to tell each side's peer and ports at bin close. */
  private readonly flowSrcAddr = this.flowRows.int();
  private readonly flowDstAddr = this.flowRows.int();
  private readonly flowPorts = this.flowRows.int();

  // Direct-mapped caches in front of the hash tables: packets come in runs of few hosts and flows, so most
  // lookups are one multiply and one compare. Address and key ids never change within a capture; flow
  // ids are per bin, so flow entries carry the bin's generation.
  private readonly v4Key = new Int32Array(CACHE_SLOTS);
  private readonly v4Id = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly v6Key = new Int32Array(4 * CACHE_SLOTS);
  private readonly v6Id = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly macHi = new Int32Array(CACHE_SLOTS);
  private readonly macLo = new Int32Array(CACHE_SLOTS);
  private readonly macId = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly flowKey = new Int32Array(4 * CACHE_SLOTS);
  private readonly flowId = new Int32Array(CACHE_SLOTS);
  private readonly flowGen = new Int32Array(CACHE_SLOTS);
  private generation = 1;

  /** Distinct (kind, key, value) of the current bin. */
  private readonly distinct = new WordKeyTable(3, 1024);
  /** Packets not yet resolved and counted (see add): time, length, 3 packed words, MACs and addresses as words. */
  private readonly bTime = new Float64Array(BATCH);
  private readonly bMacs = new Int32Array(3 * BATCH);
  private readonly bAddrs = new Int32Array(8 * BATCH);
  private readonly scratchAddr = new Uint8Array(16);
  private views: RecordViews | null = null;
  private readonly bLen = new Uint32Array(BATCH);
  private readonly bWords = new Int32Array(3 * BATCH);
  private batchCount = 0;
  /** Count cells that left zero this bin (indices into cnt), expanded and zeroed at bin close. */
  private readonly cellLogRows = new ColumnTable(1024);
  private readonly cellLog = this.cellLogRows.int();
  private cellCount = 0;
  /** Summary-layout accumulators of the touched keys, rebuilt at bin close (slotOfKey: key → its row). */
  private readonly summaryRows = new ColumnTable(16);
  private readonly summaries = this.summaryRows.float(SUMMARY);

  private firstUs = Number.NaN;
  private binStartUs = Number.NaN;
  private bin = 0;
  private binFirstUs = Number.NaN;
  private binLastUs = Number.NaN;
  private readonly pending: PendingBin[] = [];

  constructor(options: V2Options) {
    if (!(options.durationS > 0)) throw new RangeError(`bin duration must be > 0, got ${options.durationS}`);
    this.durationUs = options.durationS * 1e6;
    this.warmupUs = (options.warmupS ?? 0) * 1e6;
  }

  add(p: PacketRecord): void {
    const t = p.timeMicros();
    const ip = p.ipVersion === 4 || p.ipVersion === 6;
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
    if (!counted && !ip) return;
    if (counted) {
      if (Number.isNaN(this.binFirstUs) || t < this.binFirstUs) this.binFirstUs = t;
      if (Number.isNaN(this.binLastUs) || t > this.binLastUs) this.binLastUs = t;
    }

    if (!ip && !p.hasMacs) return;
    // Everything else is deferred to a batch: run here, next to the packet store, v2's tables would keep
    // being evicted from cache; run in a burst they stay hot. Packet order is kept (ids, sums unchanged).
    const i = this.batchCount++;
    this.bTime[i] = t;
    this.bLen[i] = p.originalLength;
    const b3 = i * 3;
    const bw = this.bWords;
    bw[b3] =
      (counted ? B_COUNTED : 0) |
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
      const version = w0 & B_V6 ? 6 : 4;
      let srcAddr = -1;
      let dstAddr = -1;
      if (ip) {
        srcAddr = this.addrId(version, ba, i * 8);
        dstAddr = this.addrId(version, ba, i * 8 + 4);
      }
      let src = -1;
      let dst = -1;
      let dstGroup = 0;
      if (w0 & B_MACS) {
        const ma = bm[i * 3]!;
        const mb = bm[i * 3 + 1]!;
        if ((mb & 0x100) === 0) src = this.macKey(mb & 0xffff, bm[i * 3 + 2]!);
        if ((ma & 0x1000000) === 0) dst = this.macKey(ma >>> 16, (ma << 16) | (mb >>> 16));
        else dstGroup = ma >>> 8 === 0xffffff ? F_BROADCAST : F_MULTICAST;
      } else {
        src = this.ipKey(srcAddr, version, ba, i * 8);
        const df = this.addrFlags.data[dstAddr]!;
        if (df & (F_MULTICAST | F_BROADCAST)) dstGroup = df & (F_MULTICAST | F_BROADCAST);
        else dst = this.ipKey(dstAddr, version, ba, i * 8 + 4);
      }
      if (ip && dstGroup === 0) dstGroup = this.addrFlags.data[dstAddr]! & (F_MULTICAST | F_BROADCAST);
      if (src >= 0) {
        this.packetsSent.data[src]!++;
        if (ip && this.addrFlags.data[srcAddr]! & F_PRIVATE) this.privateSent.data[src]!++;
      }
      if ((w0 & B_COUNTED) === 0) continue;
      const t = this.bTime[i]!;
      const w1 = bw[i * 3 + 1]!;
      const w2 = bw[i * 3 + 2]!;
      this.countPacket(t, this.bLen[i]!, w0 | dstGroup, w1, w2, src, dst, srcAddr, dstAddr);
      if (ip) this.countFlow(t, w0, w1, w2, src, dst, srcAddr, dstAddr);
    }
  }

  /** Classifies a batched packet once, then adds it to the sender's "out" and the receiver's "in" block. */
  private countPacket(
    t: number,
    bytes: number,
    w0: number,
    w1: number,
    w2: number,
    src: number,
    dst: number,
    srcAddr: number,
    dstAddr: number,
  ): void {
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
      cls = et === EtherType.ARP ? P_ARP : et === EtherType.EAPOL ? P_EAPOL : P_OTHERL2;
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
        l4c = ty === 0 || ty === 8 ? 3 : 2;
      } else if (l4 === IpProto.ICMPV6) {
        const ty = w2 >>> 24;
        l4c =
          ty === 128 || ty === 129
            ? 5
            : ty >= 133 && ty <= 137
              ? 6
              : (ty >= 130 && ty <= 132) || ty === 143
                ? 7
                : 4;
      } else {
        l4c = L4_CLASSES - 1;
      }
      cls = 3 + ((w0 & B_V6 ? 2 : 0) + (w0 & B_FRAG ? 1 : 0)) * L4_CLASSES + l4c;
      const ttl = (w2 >>> 8) & 0xff;
      ttlBucket = ttl <= 32 ? 0 : ttl <= 64 ? 1 : ttl <= 128 ? 2 : 3;
      hops = (ttlBucket === 0 ? 32 : ttlBucket === 1 ? 64 : ttlBucket === 2 ? 128 : 255) - ttl;
      peerOut =
        group === F_BROADCAST
          ? 0
          : group === F_MULTICAST
            ? 1
            : this.addrFlags.data[dstAddr]! & F_PRIVATE
              ? 2
              : 3;
      peerIn = this.addrFlags.data[srcAddr]! & F_PRIVATE ? 2 : 3;
    }
    const j2 = cls * (SVC_COUNTED + 1) + (svc >= 0 ? svc : SVC_COUNTED);
    const ttlCell = ttlBucket >= 0 ? ttlBucket : TTL_NONE;
    const a = this.acc.data;
    const c = this.cnt.data;
    // The sender's "out" block, then the receiver's "in" block (a loop, not a call: this runs per packet).
    for (let dir = 0; dir < 2; dir++) {
      const k = dir === 0 ? src : dst;
      if (k < 0) continue;
      const last = dir === 0 ? this.lastOut.data : this.lastIn.data;
      const peer = dir === 0 ? peerOut : peerIn >= 0 ? peerIn : PEER_NONE;
      const server = dir === 0 ? serverOut : serverIn;
      if (this.touchedFlag.data[k] === 0) this.touch(k);
      const o = k * ACC + dir * C_DIR;
      const n = k * CNT + dir * N_DIR;
      a[o + C_BYTES]! += bytes;
      a[o + C_LOGSUM]! += l2;
      a[o + C_LOGSQ]! += l2 * l2;
      a[o + C_HOPS]! += hops;
      this.count(c, n + N_CELL + cell);
      let iat = IAT_NONE;
      const prev = last[k]!;
      if (prev >= 0 && t >= prev) {
        const iatUs = t - prev;
        const li = log10Seconds(iatUs);
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
        c,
        n + N_J1 + (((iat * (TTL_NONE + 1) + ttlCell) * (PEER_NONE + 1) + peer) << 1) + (server ? 1 : 0),
      );
      this.count(c, n + N_J2 + j2);
      if (flags !== 0) this.count(c, n + N_FLAGS + flags);
    }
  }

  /** Increments count cell i, logging it for bin close when it leaves zero. */
  private count(c: Int32Array, i: number): void {
    const x = c[i]!;
    c[i] = x + 1;
    if (x === 0) {
      this.cellLogRows.ensure(this.cellCount + 1);
      this.cellLog.data[this.cellCount++] = i;
    }
  }

  /** Counts `value` once per (kind, key) and bin into host accumulator `slot`; true when it was new. */
  private distinctCount(kind: number, k: number, value: number, slot: number): boolean {
    const d = this.distinct;
    d.probe[0] = kind;
    d.probe[1] = k;
    d.probe[2] = value >>> 0;
    const before = d.size;
    if (d.intern() !== before) return false;
    this.acc.data[k * ACC + H_BASE + slot]!++;
    return true;
  }

  private countFlow(
    t: number,
    w0: number,
    w1: number,
    w2: number,
    src: number,
    dst: number,
    srcAddr: number,
    dstAddr: number,
  ): void {
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
      f.probe[0] = k0;
      f.probe[1] = k1;
      f.probe[2] = k2;
      f.probe[3] = k3;
      const before = f.size;
      id = f.intern();
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
        this.flowFirst.data[id] = t;
        this.flowLast.data[id] = t;
        this.flowPackets.data[id] = 0;
        this.flowInit.data[id] = src;
        this.flowResp.data[id] = dst;
      }
    }
    this.flowPackets.data[id]!++;
    if (t > this.flowLast.data[id]!) this.flowLast.data[id] = t;
    if (t < this.flowFirst.data[id]!) this.flowFirst.data[id] = t;
  }

  /** The id of the IP address in words w[o..o+3] (one word for IPv4), cached. */
  private addrId(version: number, words: Int32Array, o: number): number {
    const w0 = words[o]!;
    if (version === 4) {
      const slot = Math.imul(w0, 0x9e3779b1) >>> CACHE_SHIFT;
      if (this.v4Key[slot] === w0 && this.v4Id[slot]! >= 0) return this.v4Id[slot]!;
      const id = this.internAddr(version, this.addrBytes(version, words, o));
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
    const id = this.internAddr(version, this.addrBytes(version, words, o));
    k[c] = w0;
    k[c + 1] = w1;
    k[c + 2] = w2;
    k[c + 3] = w3;
    this.v6Id[slot] = id;
    return id;
  }

  /** The address in words w[o..] as bytes (zero-padded for IPv4), in a scratch array. */
  private addrBytes(version: number, words: Int32Array, o: number): Uint8Array {
    const b = this.scratchAddr;
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

  private internAddr(version: number, addr: Uint8Array): number {
    fillAddressKey(this.addrs.probe, version, addr);
    const before = this.addrs.size;
    const id = this.addrs.intern();
    if (id === before) {
      this.addrRows.ensure(id + 1);
      const v4 = version === 4;
      let flags = (v4 ? isPrivateV4(addr) : isPrivateV6(addr)) ? F_PRIVATE : 0;
      if (isMulticast(version, addr)) flags |= F_MULTICAST;
      if (v4 && this.addrs.probe[1] === 0xffffffff) flags |= F_BROADCAST;
      this.addrFlags.data[id] = flags;
    }
    return id;
  }

  /** The key id of the MAC whose first two bytes are `hi` and last four `lo` (cached). */
  private macKey(hi: number, lo: number): number {
    const slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> CACHE_SHIFT;
    if (this.macLo[slot] === lo && this.macHi[slot] === hi && this.macId[slot]! >= 0)
      return this.macId[slot]!;
    const probe = this.keys.probe;
    probe[0] = 1;
    probe[1] = hi;
    probe[2] = lo >>> 0;
    probe[3] = 0;
    probe[4] = 0;
    const id = this.internKey(1);
    this.macHi[slot] = hi;
    this.macLo[slot] = lo;
    this.macId[slot] = id;
    return id;
  }

  /** The key id of an IP address on links without MACs (remembered per address id). */
  private ipKey(addrId: number, version: number, words: Int32Array, o: number): number {
    const known = this.addrKey.data[addrId]!;
    if (known >= 0) return known;
    fillAddressKey(this.keys.probe, version, this.addrBytes(version, words, o));
    const id = this.internKey(version);
    this.addrKey.data[addrId] = id;
    return id;
  }

  private internKey(kind: number): number {
    const before = this.keys.size;
    const id = this.keys.intern();
    if (id === before) {
      this.keyRows.ensure(id + 1);
      this.keyKind.data[id] = kind;
      this.lastOut.data[id] = -1;
      this.lastIn.data[id] = -1;
    }
    return id;
  }

  private touch(k: number): void {
    if (this.touchedFlag.data[k]) return;
    this.touchedFlag.data[k] = 1;
    this.touchedRows.ensure(this.touchedCount + 1);
    this.touched.data[this.touchedCount++] = k;
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
            else if (pf & F_PRIVATE) a[o + H_PRIV_PEERS]!++;
            else a[o + H_PUB_PEERS]!++;
          }
          const l4 = this.flows.keyWord(id, 0);
          if (l4 === IpProto.TCP || l4 === IpProto.UDP) {
            const proto = l4 << 16;
            const ports = this.flowPorts.data[id]!;
            const sp = ports >>> 16;
            const dp = ports & 0xffff;
            this.distinctCount(D_RPORT, k, proto | (side === 0 ? dp : sp), H_RPORTS);
            this.distinctCount(D_LPORT, k, proto | (side === 0 ? sp : dp), H_LPORTS);
          }
        }
      }
      const spanS = Math.max((this.binLastUs - this.binFirstUs) / 1e6, 1);
      // Expand only the count cells this bin used (logged when they left zero), zeroing them behind.
      const nk = this.touchedCount;
      this.summaryRows.ensure(nk);
      const s = this.summaries.data;
      s.fill(0, 0, nk * SUMMARY);
      const slotOfKey = this.slotOfKey.data;
      for (let i = 0; i < nk; i++) slotOfKey[this.touched.data[i]!] = i;
      const cnt = this.cnt.data;
      const log = this.cellLog.data;
      for (let e = 0; e < this.cellCount; e++) {
        const idx = log[e]!;
        const k = Math.floor(idx / CNT);
        let j = idx - k * CNT;
        let so = slotOfKey[k]! * SUMMARY;
        if (j >= N_DIR) {
          j -= N_DIR;
          so += DIR_ACC;
        }
        expandCell(s, so, j, cnt[idx]!);
        cnt[idx] = 0;
      }
      this.cellCount = 0;
      // One backing store per bin for its keys' header features.
      const ownAll = new Float64Array(nk * V2_OWN_COUNT);
      for (let i = 0; i < nk; i++) {
        const k = this.touched.data[i]!;
        const so = i * SUMMARY;
        copySums(a, k * ACC, s, so);
        copySums(a, k * ACC + C_DIR, s, so + DIR_ACC);
        for (let h = 0; h < H_COUNT; h++) s[so + H_BASE_S + h] = a[k * ACC + H_BASE + h]!;
        const own = ownAll.subarray(i * V2_OWN_COUNT, (i + 1) * V2_OWN_COUNT);
        summaryVector(s, so, spanS, own);
        this.pending.push({
          bin: this.bin,
          key: k,
          start: this.binFirstUs / 1e6,
          end: this.binLastUs / 1e6,
          own,
        });
        a.fill(0, k * ACC, (k + 1) * ACC);
        this.touchedFlag.data[k] = 0;
        this.lastOut.data[k] = -1;
        this.lastIn.data[k] = -1;
      }
    }
    this.touchedCount = 0;
    this.flows.clear();
    this.generation++;
    this.distinct.clear();
    this.binFirstUs = Number.NaN;
    this.binLastUs = Number.NaN;
  }

  /**
   * Closes the last bin and returns the hosts and their vectors. `compat` (the same capture's compat
   * features) fills the appended 4,104 values of the host whose MAC is compat's capture MAC (or the
   * device, on links without MACs); every other host's compat block is zero.
   */
  finish(compat?: CompatFeatures): V2Result {
    this.closeBin();
    const hosts: V2Host[] = [];
    const hostOfKey = new Int32Array(this.keys.size).fill(-1);
    let device = -1;
    for (let k = 0; k < this.keys.size; k++) {
      const privateSent = this.privateSent.data[k]!;
      if (privateSent <= 0) continue;
      hostOfKey[k] = hosts.length;
      if (device < 0 || privateSent > hosts[device]!.privateSent) device = hosts.length;
      hosts.push({
        key: this.keyText(k),
        kind: this.keyKind.data[k] === 1 ? 'mac' : 'ip',
        packetsSent: this.packetsSent.data[k]!,
        privateSent,
      });
    }
    let compatHost = -1;
    if (compat?.captureMac != null)
      compatHost = hosts.findIndex((h) => h.kind === 'mac' && h.key === compat.captureMac);
    if (compatHost < 0 && compat !== undefined && hosts[device]?.kind === 'ip') compatHost = device;
    const compatByBin = new Map<number, CompatBin>();
    for (const b of compat?.bins ?? []) compatByBin.set(b.bin, b);

    const bins: V2Bin[] = [];
    for (const pb of this.pending) {
      const host = hostOfKey[pb.key]!;
      if (host < 0) continue;
      const cv = host === compatHost ? compatByBin.get(pb.bin) : undefined;
      bins.push(new LazyV2Bin(pb.bin, host, pb.start, pb.end, pb.own, cv));
    }
    bins.sort((x, y) => x.bin - y.bin || x.host - y.host);
    return { hosts, device, bins };
  }

  private keyText(k: number): string {
    const w = (i: number) => this.keys.keyWord(k, i);
    const kind = this.keyKind.data[k]!;
    const bytes = new Uint8Array(16);
    if (kind === 1) {
      bytes[0] = w(1) >>> 8;
      bytes[1] = w(1) & 0xff;
      for (let i = 0; i < 4; i++) bytes[2 + i] = (w(2) >>> (24 - 8 * i)) & 0xff;
      return macText(bytes);
    }
    for (let i = 0; i < 16; i++) bytes[i] = (w(1 + (i >> 2)) >>> (24 - 8 * (i & 3))) & 0xff;
    return kind === 4 ? ipv4Text(bytes) : ipv6Text(bytes);
  }
}

/** One key's features from its summary block at s[so..] (two direction blocks, then the host block). */
function summaryVector(a: Float64Array, so: number, spanS: number, v: Float64Array): void {
  const o = so;
  const hb = so + H_BASE_S;
  directionVector(a, o, spanS, v, 0);
  directionVector(a, o + DIR_ACC, spanS, v, DIR_FEATURES);
  let j = 2 * DIR_FEATURES;
  const pOut = a[o + A_PKTS]!;
  const pIn = a[o + DIR_ACC + A_PKTS]!;
  const bOut = a[o + A_BYTES]!;
  const bIn = a[o + DIR_ACC + A_BYTES]!;
  v[j++] = share(pOut, pOut + pIn);
  v[j++] = share(bOut, bOut + bIn);
  const peers = a[hb + H_PEERS]!;
  v[j++] = Math.log2(1 + peers);
  v[j++] = share(a[hb + H_PRIV_PEERS]!, peers);
  v[j++] = share(a[hb + H_PUB_PEERS]!, peers);
  v[j++] = Math.log2(1 + a[hb + H_GROUPS]!);
  v[j++] = Math.log2(1 + a[hb + H_RPORTS]!);
  v[j++] = Math.log2(1 + a[hb + H_LPORTS]!);
  const flows = a[hb + H_FLOWS]!;
  v[j++] = Math.log2(1 + flows);
  v[j++] = share(a[hb + H_INIT]!, flows);
  v[j++] = Math.log10(1 + (flows > 0 ? a[hb + H_DURSUM]! / flows : 0));
  v[j++] = Math.log10(1 + a[hb + H_DURMAX]!);
  v[j++] = Math.log2(1 + (flows > 0 ? a[hb + H_FPKTSUM]! / flows : 0));
  v[j++] = Math.log2(1 + a[hb + H_FPKTMAX]!);
}

function share(n: number, d: number): number {
  return d > 0 ? n / d : 0;
}

/** One direction's features from its accumulator block at `o` into v[j..]. */
function directionVector(a: Float64Array, o: number, spanS: number, v: Float64Array, start: number): void {
  let j = start;
  const n = a[o + A_PKTS]!;
  for (let b = 0; b < SIZE_BUCKETS; b++) v[j++] = share(a[o + A_SIZE + b]!, n);
  for (const q of SIZE_QUANTILES) v[j++] = n > 0 ? fineQuantile(a, o + A_FINE, n, q) : 0;
  const mean = n > 0 ? a[o + A_LOGSUM]! / n : 0;
  v[j++] = mean;
  v[j++] = n > 0 ? Math.sqrt(Math.max(0, a[o + A_LOGSQ]! / n - mean * mean)) : 0;
  const ni = a[o + A_IATN]!;
  for (let b = 0; b < IAT_LABELS.length; b++) v[j++] = share(a[o + A_IAT + b]!, ni);
  const im = ni > 0 ? a[o + A_IATSUM]! / ni : 0;
  v[j++] = im;
  v[j++] = ni > 0 ? Math.sqrt(Math.max(0, a[o + A_IATSQ]! / ni - im * im)) : 0;
  for (let b = 0; b < PROTO_LABELS.length; b++) v[j++] = share(a[o + A_PROTO + b]!, n);
  const ns = a[o + A_SVCN]!;
  for (let b = 0; b < SERVICE_LABELS.length; b++) v[j++] = share(a[o + A_SVC + b]!, ns);
  v[j++] = share(a[o + A_SERVER]!, ns);
  const nt = a[o + A_PROTO + P_TCP]!;
  for (let b = 0; b < FLAG_LABELS.length; b++) v[j++] = share(a[o + A_FLAGS + b]!, nt);
  const nl = a[o + A_TTLN]!;
  for (let b = 0; b < TTL_LABELS.length; b++) v[j++] = share(a[o + A_TTL + b]!, nl);
  v[j++] = share(a[o + A_HOPS]!, nl);
  for (let b = 0; b < PEER_LABELS.length; b++) v[j++] = share(a[o + A_PEER + b]!, n);
  v[j++] = Math.log10(1 + n / spanS);
  v[j++] = Math.log10(1 + a[o + A_BYTES]! / spanS);
}

/** The q-quantile of log2(frame length) from the 8-per-octave histogram, interpolated within a bucket. */
function fineQuantile(a: Float64Array, o: number, n: number, q: number): number {
  const target = q * n;
  let cum = 0;
  for (let b = 0; b < FINE_BUCKETS; b++) {
    const c = a[o + b]!;
    if (c > 0 && cum + c >= target) {
      const within = c > 0 ? (target - cum) / c : 0;
      return (b + within) / FINE_PER_OCTAVE;
    }
    cum += c;
  }
  return (FINE_BUCKETS - 1) / FINE_PER_OCTAVE;
}
