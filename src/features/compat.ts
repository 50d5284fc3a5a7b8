import type { Bins } from '../sessions/bins.js';
import type { PacketStore } from '../sessions/packet-store.js';
import { TextIds } from './text-ids.js';
import { type VotePairs, VoteTally } from './votes.js';

/** 1024 source + 1024 destination ports per direction, then 4 ratios per direction. */
export const COMPAT_FEATURE_COUNT = 4104;
const PORTS = 1024;
const SPORT_OUT = 0;
const DPORT_OUT = 1024;
const SPORT_IN = 2048;
const DPORT_IN = 3072;
const EXT_OUT = 4096;
const TCP_OUT = 4097;
const UDP_OUT = 4098;
const ICMP_OUT = 4099;
const EXT_IN = 4100;
const TCP_IN = 4101;
const UDP_IN = 4102;
const ICMP_IN = 4103;

/**
 * The original compared the protocol's decimal text with "11" where UDP (17) was meant, so its "UDP"
 * features count IP protocol 11 (NVP-II) and are zero in practice (REFERENCE.md §4 quirk).
 */
export const COMPAT_UDP_PROTO = 11;

/** Human names of the 4,104 compat features, e.g. "outgoing to port 443". */
export function compatFeatureName(index: number): string {
  if (index < 0 || index >= COMPAT_FEATURE_COUNT) throw new RangeError(`feature ${index}`);
  if (index < 4096) {
    const port = index % PORTS;
    const block = Math.floor(index / PORTS);
    return [
      `outgoing from port ${port}`,
      `outgoing to port ${port}`,
      `incoming from port ${port}`,
      `incoming to port ${port}`,
    ][block]!;
  }
  return [
    'outgoing external share',
    'outgoing TCP share',
    'outgoing "UDP" share (protocol 11, quirk)',
    'outgoing ICMP share',
    'incoming external share',
    'incoming TCP share',
    'incoming "UDP" share (protocol 11, quirk)',
    'incoming ICMP share',
  ][index - 4096]!;
}

export interface CaptureSource {
  /** MAC id in the store, or -1 when no session has a private address. */
  mac: number;
  /** Address id in the store, or -1. */
  address: number;
}

const NO_SOURCE: CaptureSource = { mac: -1, address: -1 };

/**
 * Infers which (address, MAC) is the capture's own device from sessions [from, to): every session's first
 * packet votes for "source address – source MAC" and "destination address – destination MAC" when that
 * address is private (or always, with countPublic); the most votes win, ties go to the pair voted for first.
 */
export function inferCaptureSource(
  store: PacketStore,
  bins: Bins,
  from: number,
  to: number,
  countPublic = false,
  /** Where the votes go (they add to what it holds): the caller's, to read every pair's count after. */
  votes: VoteTally = new VoteTally(64),
): CaptureSource {
  const { sessions } = bins;
  const { endpoints, addresses } = store;
  for (let s = from; s < to; s++) {
    const p = sessions.firstPacket.data[s]!;
    if (!store.parseable.data[p]) continue;
    const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
    const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
    if (countPublic || addresses.isPrivate[a1]) votes.add(a1, store.srcMac.data[p]!, 1);
    if (countPublic || addresses.isPrivate[a2]) votes.add(a2, store.dstMac.data[p]!, 1);
  }
  const best = votes.leader();
  if (best < 0) return NO_SOURCE;
  return { address: votes.address(best), mac: votes.mac(best) };
}

export interface CompatBin {
  /** Index of this bin among all bins (empty ones included). */
  bin: number;
  /** The 4,104 values (may be a fresh copy on every read: read it once per use). */
  readonly vector: Float64Array;
  /** Writes the 4,104 values into `out` (reading many bins through one buffer allocates nothing). */
  writeVector(out: Float64Array): void;
  /** This bin's own inferred capture address, or null. */
  captureIp: string | null;
  /** Private peers of the capture MAC in this bin, sorted. */
  otherIps: string[];
  /** First packet time of the bin's last session, epoch seconds. */
  timestamp: number;
  /** MAC id the vector was computed for (-1: none yet, vector all zero). */
  mac: number;
}

/**
 * A bin's vector kept sparse (a bin has a few dozen non-zero values of 4,104): a capture of thousands of
 * bins would otherwise hold 32 KiB per bin. `vector` expands a fresh copy on every read.
 */
class SparseCompatBin implements CompatBin {
  readonly captureIp: string | null;
  readonly otherIps: string[];
  readonly timestamp: number;
  private readonly index: Uint16Array;
  private readonly value: Float64Array;

  constructor(
    readonly bin: number,
    fields: BinFields,
    readonly mac: number,
  ) {
    this.index = fields.index;
    this.value = fields.value;
    this.captureIp = fields.captureIp;
    this.otherIps = fields.otherIps;
    this.timestamp = fields.timestamp;
  }

  get vector(): Float64Array {
    const v = new Float64Array(COMPAT_FEATURE_COUNT);
    this.writeVector(v);
    return v;
  }

  writeVector(out: Float64Array): void {
    out.fill(0, 0, COMPAT_FEATURE_COUNT);
    for (let k = 0; k < this.index.length; k++) out[this.index[k]!] = this.value[k]!;
  }

  readNonZeros(read: NonZeroReader): void {
    read(this.index, this.value, 0, this.index.length);
  }
}

/**
 * Receives a bin's non-zero values where they are kept: value[k] is feature index[k], k in [from, to); a
 * feature listed twice takes its last value (as the expanded vector does). The arrays are the store's own:
 * read them during the call only.
 */
export type NonZeroReader = (index: Uint16Array, value: Float64Array, from: number, to: number) => void;

export interface CompatFeatures {
  /** The capture source MAC used for the vectors (text), or null when no bin yielded one. */
  captureMac: string | null;
  /** One entry per non-empty bin. */
  bins: CompatBin[];
  /**
   * Bin i's non-zero values, without expanding its 4,104 values or making a view of the bin: a model that
   * reads a few dozen features reads every bin twice per capture (predictions, then device history).
   */
  readNonZeros(i: number, read: NonZeroReader): void;
}

/**
 * The 4,104-value vector of every non-empty bin (REFERENCE.md §3–4): bins are visited in order, each
 * infers its own capture source until one yields a MAC, which is then kept for every later bin.
 */
export function compatFeatures(
  store: PacketStore,
  bins: Bins,
  countPublic = false,
  /** Per-host mode: compute every bin for this MAC id instead of the inferred capture source. */
  fixedMac = -1,
): CompatFeatures {
  const out: SparseCompatBin[] = [];
  let mac = fixedMac;
  const votes = new VoteTally();
  for (let b = 0; b + 1 < bins.binStart.length; b++) {
    const from = bins.binStart[b]!;
    const to = bins.binStart[b + 1]!;
    if (to === from) continue;
    votes.clear();
    const own = inferCaptureSource(store, bins, from, to, countPublic, votes);
    if (mac < 0) mac = own.mac;
    out.push(new SparseCompatBin(b, binFields(store, bins, from, to, mac, own), mac));
  }
  return {
    captureMac: mac >= 0 ? store.macs.text(mac) : null,
    bins: out,
    readNonZeros: (i, read) => out[i]!.readNonZeros(read),
  };
}

/**
 * `compatFeatures` bin by bin, for a capture cut into one store per bin (`BinStream`): the capture MAC is
 * carried from bin to bin as text, since each bin's store has its own MAC ids. Bins are kept packed in
 * columns (a long capture has tens of thousands; an object and three arrays each cost ~0.4 KiB per bin)
 * and `bins` hands out a view of bin i when read.
 */
export class CompatAccumulator {
  private macText: string | null = null;
  private readonly packed: PackedCompatBins;
  /** One view per read: read a bin once per use. */
  readonly bins: CompatBin[];

  constructor(
    private readonly countPublic = false,
    /** The ids of the bins' addresses (shared with the capture's other accumulators). */
    addresses = new TextIds(),
  ) {
    this.packed = new PackedCompatBins(addresses);
    this.bins = this.packed.array();
  }

  /**
   * One closed bin: `bins` holds that bin's sessions only; `index` is its place among all bins. `own`: the bin's
   * capture source, when the caller has it already (SessionRowAccumulator.addBin infers the same one).
   */
  addBin(
    store: PacketStore,
    bins: Bins,
    index: number,
    own: CaptureSource = inferCaptureSource(store, bins, 0, bins.sessions.count, this.countPublic),
  ): void {
    const to = bins.sessions.count;
    if (to === 0) return;
    if (this.macText === null && own.mac >= 0) this.macText = store.macs.text(own.mac);
    const mac = this.macText === null ? -1 : store.macs.find(this.macText);
    this.packed.add(index, binFields(store, bins, 0, to, mac, own), mac);
  }

  /** Bins added so far (empty ones are not). */
  get count(): number {
    return this.packed.size;
  }

  /** Bin i's non-zero values (CompatFeatures.readNonZeros), also while bins are still being added. */
  readNonZeros(i: number, read: NonZeroReader): void {
    this.packed.readNonZeros(i, read);
  }

  finish(): CompatFeatures {
    return {
      captureMac: this.macText,
      bins: this.bins,
      readNonZeros: (i, read) => this.readNonZeros(i, read),
    };
  }
}

/** Compat bins in growable columns: per-bin fields, the non-zero values and the peers (as string ids). */
class PackedCompatBins {
  private count = 0;
  private binOf = new Int32Array(256);
  private timestampOf = new Float64Array(256);
  private captureIpOf = new Int32Array(256);
  private macOf = new Int32Array(256);
  /** Bin i's non-zero values are nz[nzStart[i] .. nzStart[i + 1]); its peers ips[ipStart[i] .. ipStart[i + 1]). */
  private nzStart = new Int32Array(257);
  private ipStart = new Int32Array(257);
  private nzIndex = new Uint16Array(1024);
  private nzValue = new Float64Array(1024);
  private ips = new Int32Array(256);

  constructor(private readonly addresses: TextIds) {}

  get size(): number {
    return this.count;
  }

  add(bin: number, fields: BinFields, mac: number): void {
    const { index, value, captureIp, otherIps, timestamp } = fields;
    const i = this.count++;
    if (this.count >= this.binOf.length) {
      const n = this.binOf.length * 2;
      this.binOf = grown(this.binOf, new Int32Array(n));
      this.timestampOf = grown(this.timestampOf, new Float64Array(n));
      this.captureIpOf = grown(this.captureIpOf, new Int32Array(n));
      this.macOf = grown(this.macOf, new Int32Array(n));
      this.nzStart = grown(this.nzStart, new Int32Array(n + 1));
      this.ipStart = grown(this.ipStart, new Int32Array(n + 1));
    }
    this.binOf[i] = bin;
    this.timestampOf[i] = timestamp;
    this.captureIpOf[i] = captureIp === null ? -1 : this.addresses.id(captureIp);
    this.macOf[i] = mac;
    const nz = this.nzStart[i]!;
    if (nz + index.length > this.nzIndex.length) {
      const n = Math.max(this.nzIndex.length * 2, nz + index.length);
      this.nzIndex = grown(this.nzIndex, new Uint16Array(n));
      this.nzValue = grown(this.nzValue, new Float64Array(n));
    }
    this.nzIndex.set(index, nz);
    this.nzValue.set(value, nz);
    this.nzStart[i + 1] = nz + index.length;
    let ip = this.ipStart[i]!;
    if (ip + otherIps.length > this.ips.length)
      this.ips = grown(this.ips, new Int32Array(Math.max(this.ips.length * 2, ip + otherIps.length)));
    for (const text of otherIps) this.ips[ip++] = this.addresses.id(text);
    this.ipStart[i + 1] = ip;
  }

  /** The bins as an array whose element i is a fresh view of bin i. */
  array(): CompatBin[] {
    const isIndex = (key: string | symbol): key is string => {
      if (typeof key !== 'string') return false;
      const i = Number(key);
      return Number.isInteger(i) && i >= 0 && i < this.count;
    };
    // The target's length follows the packed count (the array is created before any bin is added).
    return new Proxy([] as CompatBin[], {
      get: (target, key, receiver) => {
        if (key === 'length') return this.count;
        return isIndex(key) ? this.view(Number(key)) : Reflect.get(target, key, receiver);
      },
      has: (target, key) => isIndex(key) || Reflect.has(target, key),
    });
  }

  private view(i: number): CompatBin {
    const packed = this;
    const captureIp = this.captureIpOf[i]!;
    return {
      bin: this.binOf[i]!,
      captureIp: captureIp < 0 ? null : this.addresses.text(captureIp)!,
      otherIps: Array.from(
        this.ips.subarray(this.ipStart[i]!, this.ipStart[i + 1]!),
        (id) => this.addresses.text(id)!,
      ),
      timestamp: this.timestampOf[i]!,
      mac: this.macOf[i]!,
      get vector() {
        const v = new Float64Array(COMPAT_FEATURE_COUNT);
        packed.write(i, v);
        return v;
      },
      writeVector: (out) => packed.write(i, out),
    };
  }

  readNonZeros(i: number, read: NonZeroReader): void {
    read(this.nzIndex, this.nzValue, this.nzStart[i]!, this.nzStart[i + 1]!);
  }

  private write(i: number, out: Float64Array): void {
    out.fill(0, 0, COMPAT_FEATURE_COUNT);
    for (let k = this.nzStart[i]!; k < this.nzStart[i + 1]!; k++) out[this.nzIndex[k]!] = this.nzValue[k]!;
  }
}

function grown<T extends Int32Array | Uint16Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** What a bin keeps besides its index and MAC: its vector (sparse) and where and when it was seen. */
interface BinFields {
  index: Uint16Array;
  value: Float64Array;
  captureIp: string | null;
  otherIps: string[];
  timestamp: number;
}

/** Sessions [from, to) of `bins` as a bin for `mac`, `own` being the bin's own inferred capture source. */
function binFields(
  store: PacketStore,
  bins: Bins,
  from: number,
  to: number,
  mac: number,
  own: CaptureSource,
): BinFields {
  const otherIps = new Set<string>();
  const { index, value } = binVector(store, bins, from, to, mac, otherIps);
  const lastFirstPacket = bins.sessions.firstPacket.data[to - 1]!;
  return {
    index,
    value,
    captureIp: own.address >= 0 ? store.addresses.text[own.address]! : null,
    otherIps: [...otherIps].sort(),
    timestamp: store.timeUs.data[lastFirstPacket]! / 1e6,
  };
}

/** Dense counts of the bin being computed, zeroed again after each bin (only touched entries). */
const counts = new Float64Array(COMPAT_FEATURE_COUNT);
/** Port entries of `counts` that became non-zero, in first-touch order. */
const touched = new Int32Array(4096);

/** A bin's vector as its non-zero entries, in index order. */
function binVector(
  store: PacketStore,
  bins: Bins,
  from: number,
  to: number,
  mac: number,
  otherIps: Set<string>,
): { index: Uint16Array; value: Float64Array } {
  const v = counts;
  let nTouched = 0;
  const { sessions } = bins;
  const { endpoints, addresses } = store;
  let nOut = 0;
  let nIn = 0;
  for (let s = from; s < to && mac >= 0; s++) {
    const p = sessions.firstPacket.data[s]!;
    if (!store.parseable.data[p]) continue;
    const e1 = sessions.srcEndpoint.data[s]!;
    const e2 = sessions.dstEndpoint.data[s]!;
    const a1 = endpoints.address[e1]!;
    const a2 = endpoints.address[e2]!;
    const p1 = endpoints.port[e1]!;
    const p2 = endpoints.port[e2]!;
    const external = addresses.isPrivate[a1] && addresses.isPrivate[a2] ? 0 : 1;
    const proto = store.proto.data[p]!;
    if (store.srcMac.data[p] === mac) {
      nOut++;
      v[EXT_OUT]! += external;
      if (proto === 6) v[TCP_OUT]!++;
      if (proto === COMPAT_UDP_PROTO) v[UDP_OUT]!++;
      if (proto === 1) v[ICMP_OUT]!++;
      if (p1 < PORTS && v[SPORT_OUT + p1]!++ === 0) touched[nTouched++] = SPORT_OUT + p1;
      if (p2 < PORTS && v[DPORT_OUT + p2]!++ === 0) touched[nTouched++] = DPORT_OUT + p2;
      if (addresses.isPrivate[a2]) otherIps.add(addresses.text[a2]!);
    }
    if (store.dstMac.data[p] === mac) {
      nIn++;
      v[EXT_IN]! += external;
      if (proto === 6) v[TCP_IN]!++;
      if (proto === COMPAT_UDP_PROTO) v[UDP_IN]!++;
      if (proto === 1) v[ICMP_IN]!++;
      if (p1 < PORTS && v[SPORT_IN + p1]!++ === 0) touched[nTouched++] = SPORT_IN + p1;
      if (p2 < PORTS && v[DPORT_IN + p2]!++ === 0) touched[nTouched++] = DPORT_IN + p2;
      if (addresses.isPrivate[a1]) otherIps.add(addresses.text[a1]!);
    }
  }
  const outDiv = Math.max(nOut, 1);
  const inDiv = Math.max(nIn, 1);
  const total = outDiv + inDiv;
  const ports = touched.subarray(0, nTouched).sort();
  let n = nTouched;
  for (let i = EXT_OUT; i <= ICMP_IN; i++) if (v[i] !== 0) n++;
  const index = new Uint16Array(n);
  const value = new Float64Array(n);
  // Counts are whole numbers >= 1, so no non-zero count divides to zero: the non-zero set is the count's.
  for (let k = 0; k < nTouched; k++) {
    const i = ports[k]!;
    index[k] = i;
    value[k] = v[i]! / total;
    v[i] = 0;
  }
  n = nTouched;
  for (let i = EXT_OUT; i <= ICMP_IN; i++) {
    if (v[i] === 0) continue;
    index[n] = i;
    value[n++] = v[i]! / (i <= ICMP_OUT ? outDiv : inDiv);
    v[i] = 0;
  }
  return { index, value };
}

/** Group and broadcast MACs (I/G bit set) are never a host. */
function isGroupMac(text: string): boolean {
  return (Number.parseInt(text.slice(0, 2), 16) & 1) === 1;
}

/** A host of a multi-host capture: its MAC id and the address id it speaks from most. */
export interface CaptureHost {
  mac: number;
  address: number;
}

/**
 * Addresses a host's MAC is seen with that are never its own: 0.0.0.0 and :: (a DHCP client before its
 * lease) and the limited broadcast. Python counts them as private, so they take part in the votes.
 */
const NOT_A_HOST_ADDRESS = new Set(['0.0.0.0', '::', '255.255.255.255']);

/**
 * Per MAC id below macCount, the address id it was paired with in the most capture-source votes (ties: the
 * first pair voted), -1 for a MAC with no pair; an address that is never a host's (NOT_A_HOST_ADDRESS) only
 * when the MAC has no other: a device's DHCP exchange outvoting its few later sessions does not make 0.0.0.0
 * its address. Typed arrays, no object per pair: a capture meets up to one pair per host it holds.
 */
export function mostVotedAddresses(
  pairs: VotePairs,
  macCount: number,
  addressText: (address: number) => string,
): Int32Array {
  const best = new Int32Array(macCount).fill(-1);
  const bestVotes = new Float64Array(macCount);
  const bestOwn = new Uint8Array(macCount);
  for (let i = 0; i < pairs.count; i++) {
    const mac = pairs.mac(i);
    const address = pairs.address(i);
    const n = pairs.votes(i);
    const own = NOT_A_HOST_ADDRESS.has(addressText(address)) ? 0 : 1;
    if (best[mac]! < 0 || own > bestOwn[mac]! || (own === bestOwn[mac] && n > bestVotes[mac]!)) {
      best[mac] = address;
      bestVotes[mac] = n;
      bestOwn[mac] = own;
    }
  }
  return best;
}

/** mostVotedAddresses by MAC id, of one store's inferCaptureSource votes. */
export function hostAddresses(store: PacketStore, votes: VotePairs): Int32Array {
  return mostVotedAddresses(votes, store.macs.size, (a) => store.addresses.text[a]!);
}

/**
 * The hosts of a capture that holds several (per-host mode): every unicast MAC that votes as a capture
 * source somewhere, i.e. speaks from a private address, most votes first (ties: first seen first), each with
 * its most-voted address (mostVotedAddresses).
 */
export function captureHosts(store: PacketStore, bins: Bins, countPublic = false): CaptureHost[] {
  const votes = new VoteTally();
  inferCaptureSource(store, bins, 0, bins.sessions.count, countPublic, votes);
  // Per MAC, in the order of its first vote (the sort below is stable: ties stay first seen first).
  const totals = new Map<number, number>();
  for (let i = 0; i < votes.count; i++) {
    const mac = votes.mac(i);
    totals.set(mac, (totals.get(mac) ?? 0) + votes.votes(i));
  }
  const addresses = hostAddresses(store, votes);
  return [...totals]
    .filter(([mac]) => !isGroupMac(store.macs.text(mac)))
    .sort((a, b) => b[1] - a[1])
    .map(([mac]) => ({ mac, address: addresses[mac]! }));
}

/**
 * captureHosts for a capture whose frames do not begin with MACs (raw IP, loopback, Linux cooked): there the
 * votes' "MACs" are IP or SLL header bytes that change from packet to packet, so a host is an address that
 * votes as a capture source (the addresses that are never a host's left out), most votes first (ties: first
 * voted first), each with the "MAC" it was voted with most (ties: first voted), which the features read.
 */
export function captureHostAddresses(store: PacketStore, bins: Bins, countPublic = false): CaptureHost[] {
  const votes = new VoteTally();
  inferCaptureSource(store, bins, 0, bins.sessions.count, countPublic, votes);
  const hosts = new Map<number, { votes: number; mac: number; macVotes: number }>();
  for (let i = 0; i < votes.count; i++) {
    const address = votes.address(i);
    const n = votes.votes(i);
    const host = hosts.get(address);
    if (!host) hosts.set(address, { votes: n, mac: votes.mac(i), macVotes: n });
    else {
      host.votes += n;
      if (n > host.macVotes) {
        host.mac = votes.mac(i);
        host.macVotes = n;
      }
    }
  }
  return [...hosts]
    .filter(([address]) => !NOT_A_HOST_ADDRESS.has(store.addresses.text[address]!))
    .sort((a, b) => b[1].votes - a[1].votes)
    .map(([address, host]) => ({ mac: host.mac, address }));
}
