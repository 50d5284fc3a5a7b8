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
import { FloatColumn, IntColumn, WordKeyTable } from '../sessions/hash-table.js';
import { COMPAT_FEATURE_COUNT, type CompatFeatures, compatFeatureName } from './compat.js';

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
/** Per-key (not per-direction) accumulators after the two direction blocks. */
const H_PEERS = 2 * DIR_ACC;
const H_PRIV_PEERS = H_PEERS + 1;
const H_PUB_PEERS = H_PEERS + 2;
const H_GROUPS = H_PEERS + 3;
const H_RPORTS = H_PEERS + 4;
const H_LPORTS = H_PEERS + 5;
const H_FLOWS = H_PEERS + 6;
const H_INIT = H_PEERS + 7;
const H_DURSUM = H_PEERS + 8;
const H_DURMAX = H_PEERS + 9;
const H_FPKTSUM = H_PEERS + 10;
const H_FPKTMAX = H_PEERS + 11;
const ACC = H_PEERS + 12;

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

/** Address flags. */
const F_PRIVATE = 1;
const F_MULTICAST = 2;
const F_BROADCAST = 4;

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
  bin: number;
  /** Index into V2Result.hosts. */
  host: number;
  /** First and last counted packet time of the bin (any key), epoch seconds. */
  start: number;
  end: number;
  /** V2_FEATURE_COUNT values, in v2FeatureNames() order. */
  vector: Float64Array;
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
  private keyKind = new Uint8Array(64);
  private packetsSent = new Float64Array(64);
  private privateSent = new Float64Array(64);
  private lastOut = new Float64Array(64);
  private lastIn = new Float64Array(64);
  private acc = new Float64Array(64 * ACC);
  private touchedFlag = new Uint8Array(64);
  private touched = new IntColumn(64);
  private touchedCount = 0;

  /** IP addresses: [version, w0..w3] → flags. */
  private readonly addrs = new WordKeyTable(5, 1024);
  private addrFlags = new Uint8Array(1024);

  /** Flows of the current bin: [l4 proto, addr A, addr B, portA << 16 | portB], A ≤ B canonically. */
  private readonly flows = new WordKeyTable(4, 1024);
  private readonly flowFirst = new FloatColumn(1024);
  private readonly flowLast = new FloatColumn(1024);
  private readonly flowPackets = new IntColumn(1024);
  private readonly flowInit = new IntColumn(1024);
  private readonly flowResp = new IntColumn(1024);
  /** The first packet's source address and ports, to tell each side's peer and ports at bin close. */
  private readonly flowSrcAddr = new IntColumn(1024);
  private readonly flowDstAddr = new IntColumn(1024);
  private readonly flowPorts = new FloatColumn(1024);
  /** Two cached addresses: [version, w0..w3, id] × 2 (id -1 = empty). */
  private readonly addrCache = new Float64Array([0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, -1]);
  private addrCacheNext = 0;
  /** The last flow's key and id (-1 = none), to skip the table for runs of one flow. */
  private readonly flowCache = new Float64Array([-1, -1, -1, -1, -1]);
  /** One-entry caches of the last source / destination MAC → key id (runs of packets share MACs). */
  private cacheHi = new Int32Array([-1, -1]);
  private cacheLo = new Int32Array([-1, -1]);
  private cacheId = new Int32Array([-1, -1]);

  /** Distinct (kind, key, value) of the current bin. */
  private readonly distinct = new WordKeyTable(3, 1024);

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

    let srcAddr = -1;
    let dstAddr = -1;
    if (ip) {
      srcAddr = this.internAddr(p.ipVersion, p.srcAddr);
      dstAddr = this.internAddr(p.ipVersion, p.dstAddr);
    }
    let src = -1;
    let dst = -1;
    let dstGroup = 0;
    if (p.hasMacs) {
      const m = p.macs;
      if ((m[6]! & 1) === 0) src = this.internMac(m, 6);
      if ((m[0]! & 1) === 0) dst = this.internMac(m, 0);
      else dstGroup = m[0] === 0xff && m[1] === 0xff && m[2] === 0xff ? F_BROADCAST : F_MULTICAST;
    } else if (ip) {
      src = this.internIpKey(p.ipVersion, p.srcAddr);
      const df = this.addrFlags[dstAddr]!;
      if (df & (F_MULTICAST | F_BROADCAST)) dstGroup = df & (F_MULTICAST | F_BROADCAST);
      else dst = this.internIpKey(p.ipVersion, p.dstAddr);
    } else {
      return;
    }
    if (ip && dstGroup === 0) dstGroup = this.addrFlags[dstAddr]! & (F_MULTICAST | F_BROADCAST);

    if (src >= 0) {
      this.packetsSent[src]!++;
      if (ip && this.addrFlags[srcAddr]! & F_PRIVATE) this.privateSent[src]!++;
    }
    if (!counted) return;
    if (src >= 0) this.count(p, t, src, 0, dstAddr, dstGroup, true);
    if (dst >= 0) this.count(p, t, dst, DIR_ACC, srcAddr, 0, false);
    if (ip) this.countFlow(p, t, src, dst, srcAddr, dstAddr);
  }

  /** Adds one packet to key k's direction block at `base` (0 = sent, DIR_ACC = received). */
  private count(
    p: PacketRecord,
    t: number,
    k: number,
    base: number,
    peerAddr: number,
    group: number,
    out: boolean,
  ): void {
    this.touch(k);
    const a = this.acc;
    const o = k * ACC + base;
    const len = Math.min(p.originalLength, 65535);
    a[o + A_PKTS]!++;
    a[o + A_BYTES]! += p.originalLength;
    a[o + A_FINE + FINE_INDEX[len]!]!++;
    a[o + A_SIZE + SIZE_BUCKET[len]!]!++;
    const l2 = LOG2_LEN[len]!;
    a[o + A_LOGSUM]! += l2;
    a[o + A_LOGSQ]! += l2 * l2;

    const last = out ? this.lastOut : this.lastIn;
    const prev = last[k]!;
    if (prev >= 0 && t >= prev) {
      const iatUs = t - prev;
      const li = Math.log10(Math.max(iatUs, 1) / 1e6);
      const b =
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
      a[o + A_IAT + b]!++;
      a[o + A_IATN]!++;
      a[o + A_IATSUM]! += li;
      a[o + A_IATSQ]! += li * li;
    }
    last[k] = t;

    const et = p.etherType;
    if (p.ipVersion === 0) {
      a[o + A_PROTO + (et === EtherType.ARP ? P_ARP : et === EtherType.EAPOL ? P_EAPOL : P_OTHERL2)]!++;
      if (out) a[o + A_PEER + (group === F_BROADCAST ? 0 : group === F_MULTICAST ? 1 : 2)]!++;
      return;
    }
    a[o + A_PROTO + (p.ipVersion === 4 ? P_IPV4 : P_IPV6)]!++;
    if (p.isFragment) a[o + A_PROTO + P_FRAG]!++;
    const l4 = p.l4Proto;
    if (l4 === IpProto.TCP || l4 === IpProto.UDP) {
      a[o + A_PROTO + (l4 === IpProto.TCP ? P_TCP : P_UDP)]!++;
      if (!p.isLaterFragment) {
        const own = out ? p.srcPort : p.dstPort;
        const peer = out ? p.dstPort : p.srcPort;
        const lo = Math.min(own, peer);
        const hi = Math.max(own, peer);
        let svc = SERVICE_OF_PORT[lo]!;
        if (svc === SVC_NONE) svc = SERVICE_OF_PORT[hi]!;
        if (svc === SVC_NONE) svc = lo < 1024 ? SVC_PRIV : SVC_UNPRIV;
        a[o + A_SVC + svc]!++;
        a[o + A_SVCN]!++;
        if (own < peer) a[o + A_SERVER]!++;
      }
      if (l4 === IpProto.TCP) {
        const f = p.tcpFlags;
        if (f & TcpFlag.SYN) a[o + A_FLAGS + (f & TcpFlag.ACK ? 1 : 0)]!++;
        if (f & TcpFlag.FIN) a[o + A_FLAGS + 2]!++;
        if (f & TcpFlag.RST) a[o + A_FLAGS + 3]!++;
        if (f & TcpFlag.PSH) a[o + A_FLAGS + 4]!++;
        if (p.l4PayloadLength === 0 && !p.isLaterFragment) a[o + A_FLAGS + 5]!++;
      }
    } else if (l4 === IpProto.ICMP) {
      a[o + A_PROTO + P_ICMP]!++;
      if (p.icmpType === 0 || p.icmpType === 8) a[o + A_PROTO + P_ECHO]!++;
    } else if (l4 === IpProto.ICMPV6) {
      a[o + A_PROTO + P_ICMPV6]!++;
      const ty = p.icmpType;
      if (ty === 128 || ty === 129) a[o + A_PROTO + P_ECHO]!++;
      else if (ty >= 133 && ty <= 137) a[o + A_PROTO + P_NDP]!++;
      else if ((ty >= 130 && ty <= 132) || ty === 143) a[o + A_PROTO + P_MLD]!++;
    } else {
      a[o + A_PROTO + P_OTHERL4]!++;
    }

    const ttl = p.ttl;
    const tb = ttl <= 32 ? 0 : ttl <= 64 ? 1 : ttl <= 128 ? 2 : 3;
    a[o + A_TTL + tb]!++;
    a[o + A_TTLN]!++;
    a[o + A_HOPS]! += (tb === 0 ? 32 : tb === 1 ? 64 : tb === 2 ? 128 : 255) - ttl;

    const pf = this.addrFlags[peerAddr]!;
    const g = out ? group : 0;
    const peerClass = g === F_BROADCAST ? 0 : g === F_MULTICAST ? 1 : pf & F_PRIVATE ? 2 : 3;
    a[o + A_PEER + peerClass]!++;
  }

  /** Counts `value` once per (kind, key) and bin into accumulator `slot`; true when it was new. */
  private distinctCount(kind: number, k: number, value: number, slot: number): boolean {
    const d = this.distinct;
    d.probe[0] = kind;
    d.probe[1] = k;
    d.probe[2] = value >>> 0;
    const before = d.size;
    if (d.intern() !== before) return false;
    this.acc[k * ACC + slot]!++;
    return true;
  }

  private countFlow(
    p: PacketRecord,
    t: number,
    src: number,
    dst: number,
    srcAddr: number,
    dstAddr: number,
  ): void {
    const sp = p.isLaterFragment ? 0 : p.srcPort;
    const dp = p.isLaterFragment ? 0 : p.dstPort;
    const forward = srcAddr < dstAddr || (srcAddr === dstAddr && sp <= dp);
    const k0 = p.l4Proto & 0xff;
    const k1 = forward ? srcAddr : dstAddr;
    const k2 = forward ? dstAddr : srcAddr;
    const k3 = (forward ? sp : dp) * 65536 + (forward ? dp : sp);
    const fc = this.flowCache;
    let id: number;
    if (fc[4]! >= 0 && fc[0] === k0 && fc[1] === k1 && fc[2] === k2 && fc[3] === k3) {
      id = fc[4]!;
    } else {
      const f = this.flows;
      f.probe[0] = k0;
      f.probe[1] = k1;
      f.probe[2] = k2;
      f.probe[3] = k3 >>> 0;
      const before = f.size;
      id = f.intern();
      fc[0] = k0;
      fc[1] = k1;
      fc[2] = k2;
      fc[3] = k3;
      fc[4] = id;
      if (id === before) {
        const n = id + 1;
        this.flowFirst.ensure(n);
        this.flowLast.ensure(n);
        this.flowPackets.ensure(n);
        this.flowInit.ensure(n);
        this.flowResp.ensure(n);
        this.flowSrcAddr.ensure(n);
        this.flowDstAddr.ensure(n);
        this.flowPorts.ensure(n);
        this.flowSrcAddr.data[id] = srcAddr;
        this.flowDstAddr.data[id] = dstAddr;
        this.flowPorts.data[id] = k0 === IpProto.TCP || k0 === IpProto.UDP ? sp * 65536 + dp : -1;
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

  private internAddr(version: number, addr: Uint8Array): number {
    const probe = this.addrs.probe;
    probe[0] = version;
    for (let w = 0; w < 4; w++) {
      const o = w * 4;
      probe[w + 1] =
        version === 4 && w > 0
          ? 0
          : ((addr[o]! << 24) | (addr[o + 1]! << 16) | (addr[o + 2]! << 8) | addr[o + 3]!) >>> 0;
    }
    // A packet's two addresses are usually the previous packet's two (either way round).
    const ac = this.addrCache;
    for (let b = 0; b < 12; b += 6) {
      if (
        ac[b + 5]! >= 0 &&
        ac[b] === probe[0] &&
        ac[b + 1] === probe[1] &&
        ac[b + 2] === probe[2] &&
        ac[b + 3] === probe[3] &&
        ac[b + 4] === probe[4]
      ) {
        return ac[b + 5]!;
      }
    }
    const before = this.addrs.size;
    const id = this.addrs.intern();
    if (id === before) {
      if (id >= this.addrFlags.length) this.addrFlags = grow8(this.addrFlags, id + 1);
      const v4 = version === 4;
      let flags = (v4 ? isPrivateV4(addr) : isPrivateV6(addr)) ? F_PRIVATE : 0;
      if (isMulticast(version, addr)) flags |= F_MULTICAST;
      if (v4 && probe[1] === 0xffffffff) flags |= F_BROADCAST;
      this.addrFlags[id] = flags;
    }
    const slot = this.addrCacheNext * 6;
    this.addrCacheNext ^= 1;
    for (let w = 0; w < 5; w++) ac[slot + w] = probe[w]!;
    ac[slot + 5] = id;
    return id;
  }

  private internMac(m: Uint8Array, o: number): number {
    const hi = (m[o]! << 8) | m[o + 1]!;
    const lo = (m[o + 2]! << 24) | (m[o + 3]! << 16) | (m[o + 4]! << 8) | m[o + 5]!;
    const c = o === 0 ? 1 : 0;
    if (this.cacheHi[c] === hi && this.cacheLo[c] === lo) return this.cacheId[c]!;
    const probe = this.keys.probe;
    probe[0] = 1;
    probe[1] = hi;
    probe[2] = lo >>> 0;
    probe[3] = 0;
    probe[4] = 0;
    const id = this.internKey(1);
    this.cacheHi[c] = hi;
    this.cacheLo[c] = lo;
    this.cacheId[c] = id;
    return id;
  }

  private internIpKey(version: number, addr: Uint8Array): number {
    const probe = this.keys.probe;
    probe[0] = version;
    for (let w = 0; w < 4; w++) {
      const o = w * 4;
      probe[w + 1] =
        version === 4 && w > 0
          ? 0
          : ((addr[o]! << 24) | (addr[o + 1]! << 16) | (addr[o + 2]! << 8) | addr[o + 3]!) >>> 0;
    }
    return this.internKey(version);
  }

  private internKey(kind: number): number {
    const before = this.keys.size;
    const id = this.keys.intern();
    if (id === before) {
      const n = id + 1;
      if (n > this.keyKind.length) {
        const cap = this.keyKind.length * 2;
        this.keyKind = grow8(this.keyKind, cap);
        this.touchedFlag = grow8(this.touchedFlag, cap);
        this.packetsSent = growF(this.packetsSent, cap);
        this.privateSent = growF(this.privateSent, cap);
        this.lastOut = growF(this.lastOut, cap);
        this.lastIn = growF(this.lastIn, cap);
        this.acc = growF(this.acc, cap * ACC);
      }
      this.keyKind[id] = kind;
      this.lastOut[id] = -1;
      this.lastIn[id] = -1;
    }
    return id;
  }

  private touch(k: number): void {
    if (this.touchedFlag[k]) return;
    this.touchedFlag[k] = 1;
    this.touched.ensure(this.touchedCount + 1);
    this.touched.data[this.touchedCount++] = k;
  }

  /** Turns the current bin's accumulators into vectors and resets them. */
  private closeBin(): void {
    if (this.touchedCount > 0) {
      const a = this.acc;
      for (let id = 0; id < this.flows.size; id++) {
        const dur = (this.flowLast.data[id]! - this.flowFirst.data[id]!) / 1e6;
        const pk = this.flowPackets.data[id]!;
        const init = this.flowInit.data[id]!;
        const resp = this.flowResp.data[id]!;
        for (let side = 0; side < 2; side++) {
          const k = side === 0 ? init : resp;
          if (k < 0 || (side === 1 && k === init)) continue;
          const o = k * ACC;
          a[o + H_FLOWS]!++;
          if (side === 0) a[o + H_INIT]!++;
          a[o + H_DURSUM]! += dur;
          if (dur > a[o + H_DURMAX]!) a[o + H_DURMAX] = dur;
          a[o + H_FPKTSUM]! += pk;
          if (pk > a[o + H_FPKTMAX]!) a[o + H_FPKTMAX] = pk;
          const peer = side === 0 ? this.flowDstAddr.data[id]! : this.flowSrcAddr.data[id]!;
          if (this.distinctCount(D_PEER, k, peer, H_PEERS)) {
            const pf = this.addrFlags[peer]!;
            if (pf & (F_MULTICAST | F_BROADCAST)) a[o + H_GROUPS]!++;
            else if (pf & F_PRIVATE) a[o + H_PRIV_PEERS]!++;
            else a[o + H_PUB_PEERS]!++;
          }
          const ports = this.flowPorts.data[id]!;
          if (ports >= 0) {
            const proto = this.flows.keyWord(id, 0) << 16;
            const sp = Math.floor(ports / 65536);
            const dp = ports % 65536;
            this.distinctCount(D_RPORT, k, proto | (side === 0 ? dp : sp), H_RPORTS);
            this.distinctCount(D_LPORT, k, proto | (side === 0 ? sp : dp), H_LPORTS);
          }
        }
      }
      const spanS = Math.max((this.binLastUs - this.binFirstUs) / 1e6, 1);
      for (let i = 0; i < this.touchedCount; i++) {
        const k = this.touched.data[i]!;
        const own = new Float64Array(V2_OWN_COUNT);
        this.vectorOf(k, spanS, own);
        this.pending.push({
          bin: this.bin,
          key: k,
          start: this.binFirstUs / 1e6,
          end: this.binLastUs / 1e6,
          own,
        });
        a.fill(0, k * ACC, (k + 1) * ACC);
        this.touchedFlag[k] = 0;
        this.lastOut[k] = -1;
        this.lastIn[k] = -1;
      }
    }
    this.touchedCount = 0;
    this.flows.clear();
    this.flowCache[4] = -1;
    this.distinct.clear();
    this.binFirstUs = Number.NaN;
    this.binLastUs = Number.NaN;
  }

  private vectorOf(k: number, spanS: number, v: Float64Array): void {
    const a = this.acc;
    const o = k * ACC;
    directionVector(a, o, spanS, v, 0);
    directionVector(a, o + DIR_ACC, spanS, v, DIR_FEATURES);
    let j = 2 * DIR_FEATURES;
    const pOut = a[o + A_PKTS]!;
    const pIn = a[o + DIR_ACC + A_PKTS]!;
    const bOut = a[o + A_BYTES]!;
    const bIn = a[o + DIR_ACC + A_BYTES]!;
    v[j++] = share(pOut, pOut + pIn);
    v[j++] = share(bOut, bOut + bIn);
    const peers = a[o + H_PEERS]!;
    v[j++] = Math.log2(1 + peers);
    v[j++] = share(a[o + H_PRIV_PEERS]!, peers);
    v[j++] = share(a[o + H_PUB_PEERS]!, peers);
    v[j++] = Math.log2(1 + a[o + H_GROUPS]!);
    v[j++] = Math.log2(1 + a[o + H_RPORTS]!);
    v[j++] = Math.log2(1 + a[o + H_LPORTS]!);
    const flows = a[o + H_FLOWS]!;
    v[j++] = Math.log2(1 + flows);
    v[j++] = share(a[o + H_INIT]!, flows);
    v[j++] = Math.log10(1 + (flows > 0 ? a[o + H_DURSUM]! / flows : 0));
    v[j++] = Math.log10(1 + a[o + H_DURMAX]!);
    v[j++] = Math.log2(1 + (flows > 0 ? a[o + H_FPKTSUM]! / flows : 0));
    v[j++] = Math.log2(1 + a[o + H_FPKTMAX]!);
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
      if (this.privateSent[k]! <= 0) continue;
      hostOfKey[k] = hosts.length;
      if (device < 0 || this.privateSent[k]! > hosts[device]!.privateSent) device = hosts.length;
      hosts.push({
        key: this.keyText(k),
        kind: this.keyKind[k] === 1 ? 'mac' : 'ip',
        packetsSent: this.packetsSent[k]!,
        privateSent: this.privateSent[k]!,
      });
    }
    let compatHost = -1;
    if (compat?.captureMac != null)
      compatHost = hosts.findIndex((h) => h.kind === 'mac' && h.key === compat.captureMac);
    if (compatHost < 0 && compat !== undefined && hosts[device]?.kind === 'ip') compatHost = device;
    const compatByBin = new Map<number, Float64Array>();
    for (const b of compat?.bins ?? []) compatByBin.set(b.bin, b.vector);

    const bins: V2Bin[] = [];
    for (const pb of this.pending) {
      const host = hostOfKey[pb.key]!;
      if (host < 0) continue;
      const vector = new Float64Array(V2_FEATURE_COUNT);
      vector.set(pb.own, 0);
      const cv = host === compatHost ? compatByBin.get(pb.bin) : undefined;
      if (cv !== undefined) vector.set(cv, V2_OWN_COUNT);
      bins.push({ bin: pb.bin, host, start: pb.start, end: pb.end, vector });
    }
    bins.sort((x, y) => x.bin - y.bin || x.host - y.host);
    return { hosts, device, bins };
  }

  private keyText(k: number): string {
    const w = (i: number) => this.keys.keyWord(k, i);
    const kind = this.keyKind[k]!;
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

function grow8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  let cap = Math.max(a.length, 1);
  while (cap < n) cap *= 2;
  const out = new Uint8Array(cap);
  out.set(a);
  return out;
}

function growF(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  let cap = Math.max(a.length, 1);
  while (cap < n) cap *= 2;
  const out = new Float64Array(cap);
  out.set(a);
  return out;
}
