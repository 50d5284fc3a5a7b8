import { ColumnTable } from './columns.js';
import { WordKeyTable } from './hash-table.js';
import type { PacketStore } from './packet-store.js';

export interface BinOptions {
  /** Bin length in seconds (the original's `duration`, 900). */
  durationS: number;
  /**
   * Sessions first seen within this many seconds of the capture's first packet are never counted
   * (the original's 120 s warm-up quirk, REFERENCE.md §2). 0 counts every session.
   */
  warmupS: number;
}

export const DEFAULT_BIN_OPTIONS: BinOptions = { durationS: 900, warmupS: 120 };

/**
 * A direct-mapped cache of endpoint pair → the bin's session in front of the bin's hash table: packets come
 * in runs of few conversations, so most packets find their session with one multiply and two compares.
 */
const PAIR_CACHE_BITS = 10;
const PAIR_CACHE = 1 << PAIR_CACHE_BITS;
const EMPTY_PAIR = -1;
const NOT_COUNTED = -2;

/**
 * For streams cut into one store per bin (watch): the capture's first packet time and the endpoint pairs
 * first seen within the warm-up, carried from bin to bin so the warm-up rule holds across stores while
 * memory stays bounded (only warm-up pairs are remembered).
 */
export interface StreamState {
  captureStartUs: number;
  warmupPairs: Set<string>;
  /**
   * Every endpoint text of `warmupPairs`: a pair can be in the set only if both ends are here, so most new
   * pairs after the warm-up are judged from one cached flag per endpoint instead of two pair strings.
   */
  warmupEndpoints: Set<string>;
  /** Every address text of `warmupEndpoints`: an endpoint can be there only if its address is here. */
  warmupAddresses: Set<string>;
}

/**
 * Sessions of all bins, column by column, in creation order; bin b holds sessions
 * [binStart[b], binStart[b + 1]).
 *
 * A session's "first" and "second" MAC are its creating packet's source and destination MAC; the
 * per-side counters follow the original's rule that a packet counts for each side whose MAC equals its
 * source MAC (REFERENCE.md §6 step 3).
 */
export class SessionTable {
  count = 0;
  private readonly rows = new ColumnTable();
  /** The (source, destination) endpoints of the packet that created the session. */
  readonly srcEndpoint = this.rows.int();
  readonly dstEndpoint = this.rows.int();
  readonly firstPacket = this.rows.int();
  readonly packets = this.rows.int();
  readonly lastTimeUs = this.rows.float();
  readonly sentByFirstMac = this.rows.int();
  readonly sentBySecondMac = this.rows.int();
  readonly lastLengthFirstMac = this.rows.int();
  readonly lastLengthSecondMac = this.rows.int();

  add(src: number, dst: number, packet: number): number {
    const s = this.count++;
    this.rows.ensure(this.count);
    this.srcEndpoint.data[s] = src;
    this.dstEndpoint.data[s] = dst;
    this.firstPacket.data[s] = packet;
    this.packets.data[s] = 0;
    this.sentByFirstMac.data[s] = 0;
    this.sentBySecondMac.data[s] = 0;
    this.lastLengthFirstMac.data[s] = 0;
    this.lastLengthSecondMac.data[s] = 0;
    return s;
  }
}

/**
 * Tables `buildBins` can reuse from call to call (streaming builds one bin per call, thousands per capture):
 * the returned sessions ARE `sessions`, valid until the next call with the same scratch.
 */
export class BinScratch {
  readonly sessions = new SessionTable();
  readonly inBin = new WordKeyTable(2);
  readonly firstSeen = new WordKeyTable(2, 4096);
  /** First-seen time of each `firstSeen` pair. */
  readonly firstSeenRows = new ColumnTable(4096);
  readonly firstSeenUs = this.firstSeenRows.float();
  readonly pairCacheA = new Int32Array(PAIR_CACHE);
  readonly pairCacheB = new Int32Array(PAIR_CACHE);
  readonly pairCacheLocal = new Int32Array(PAIR_CACHE);
}

export interface Bins {
  sessions: SessionTable;
  /** Session index where each bin starts, plus one final entry equal to sessions.count. */
  binStart: number[];
  /** Capture's first stored packet time (µs), or NaN for a capture without IP packets. */
  firstTimeUs: number;
}

export function binCount(bins: Bins): number {
  return bins.binStart.length - 1;
}

export function sessionsPerBin(bins: Bins): number[] {
  const out: number[] = [];
  for (let b = 0; b + 1 < bins.binStart.length; b++) out.push(bins.binStart[b + 1]! - bins.binStart[b]!);
  return out;
}

/**
 * Cuts the stored packets into time bins and sessions exactly as the original did (REFERENCE.md §2):
 * a bin closes when a packet is `duration` or more after the bin's start (empty bins are kept, a trailing
 * empty bin is not); a packet joins its bin's session for (src, dst) or else (dst, src); a new session is
 * created only when its pair was first seen more than the warm-up after the capture's first packet.
 */
export function buildBins(
  store: PacketStore,
  options: BinOptions = DEFAULT_BIN_OPTIONS,
  stream?: StreamState,
  scratch?: BinScratch,
): Bins {
  const sessions = scratch?.sessions ?? new SessionTable();
  sessions.count = 0;
  const binStart: number[] = [];
  if (store.length === 0) return { sessions, binStart: [0], firstTimeUs: Number.NaN };

  const durationUs = options.durationS * 1e6;
  const warmupUs = options.warmupS * 1e6;
  const time = store.timeUs.data;
  const srcEp = store.srcEndpoint.data;
  const dstEp = store.dstEndpoint.data;
  const srcMac = store.srcMac.data;
  const dstMac = store.dstMac.data;
  const ipLength = store.ipLength.data;
  const parseable = store.parseable.data;

  const inBin = scratch?.inBin ?? new WordKeyTable(2);
  const firstSeen = scratch?.firstSeen ?? new WordKeyTable(2, 4096);
  const firstSeenRows = scratch?.firstSeenRows ?? new ColumnTable(4096);
  const firstSeenUs = scratch?.firstSeenUs ?? firstSeenRows.float();
  inBin.clear();
  firstSeen.clear();
  const pairCacheA = scratch?.pairCacheA ?? new Int32Array(PAIR_CACHE);
  const pairCacheB = scratch?.pairCacheB ?? new Int32Array(PAIR_CACHE);
  const pairCacheLocal = scratch?.pairCacheLocal ?? new Int32Array(PAIR_CACHE);
  pairCacheLocal.fill(EMPTY_PAIR);

  const firstUs = stream?.captureStartUs ?? time[0]!;
  const endpointText = (e: number) =>
    `${store.addresses.text[store.endpoints.address[e]!]}:${store.endpoints.port[e]}`;
  // Per endpoint of this store: 0 not looked up yet, 1 in some warm-up pair, 2 in none.
  const inWarmup = stream && warmupUs > 0 ? new Uint8Array(store.endpoints.size) : null;
  // The same per address (no string built): most peers of a bin never spoke in the warm-up.
  const addressInWarmup = stream && warmupUs > 0 ? new Uint8Array(store.addresses.size) : null;
  const maybeWarmup = (e: number): boolean => {
    let f = inWarmup![e]!;
    if (f === 0) {
      const address = store.endpoints.address[e]!;
      let g = addressInWarmup![address]!;
      if (g === 0) {
        g = stream!.warmupAddresses.has(store.addresses.text[address]!) ? 1 : 2;
        addressInWarmup![address] = g;
      }
      f = g === 1 && stream!.warmupEndpoints.has(endpointText(e)) ? 1 : 2;
      inWarmup![e] = f;
    }
    return f === 1;
  };
  let binStartUs = time[0]!;
  let binFirstSession = 0;
  binStart.push(0);

  for (let i = 0; i < store.length; i++) {
    const t = time[i]!;
    if (t - binStartUs >= durationUs) {
      binStart.push(sessions.count);
      binFirstSession = sessions.count;
      binStartUs = t;
      inBin.clear();
      pairCacheLocal.fill(EMPTY_PAIR);
    }
    const a = srcEp[i]!;
    const b = dstEp[i]!;

    // (a, b) and (b, a) never both have a session in one bin, so the pair either way round names one;
    // a pair judged not counted (warm-up) stays so, cached as NOT_COUNTED.
    const slot =
      Math.imul((a < b ? a * 0x10000 + b : b * 0x10000 + a) | 0, 0x9e3779b1) >>> (32 - PAIR_CACHE_BITS);
    const cached = pairCacheLocal[slot]!;
    let local = -1;
    if (
      cached !== EMPTY_PAIR &&
      ((pairCacheA[slot] === a && pairCacheB[slot] === b) ||
        (pairCacheA[slot] === b && pairCacheB[slot] === a))
    ) {
      if (cached === NOT_COUNTED) continue;
      local = cached;
    } else {
      inBin.probe[0] = a;
      inBin.probe[1] = b;
      local = inBin.find();
      if (local < 0) {
        inBin.probe[0] = b;
        inBin.probe[1] = a;
        local = inBin.find();
      }
    }

    let s: number;
    if (local >= 0) {
      s = binFirstSession + local;
    } else {
      firstSeen.probe[0] = a;
      firstSeen.probe[1] = b;
      let forward = firstSeen.find();
      firstSeen.probe[0] = b;
      firstSeen.probe[1] = a;
      const reverse = firstSeen.find();
      if (forward < 0 && reverse < 0) {
        firstSeen.probe[0] = a;
        firstSeen.probe[1] = b;
        forward = firstSeen.intern();
        firstSeenRows.ensure(forward + 1);
        firstSeenUs.data[forward] = t;
        if (stream && warmupUs > 0) {
          const inWindow = t - firstUs <= warmupUs;
          if (inWindow || (maybeWarmup(a) && maybeWarmup(b))) {
            const ta = endpointText(a);
            const tb = endpointText(b);
            const ab = `${ta}|${tb}`;
            // Seen in an earlier bin's warm-up (either way round): it keeps that early first-seen time.
            if (stream.warmupPairs.has(ab) || stream.warmupPairs.has(`${tb}|${ta}`)) {
              firstSeenUs.data[forward] = firstUs;
            } else if (inWindow) {
              stream.warmupPairs.add(ab);
              stream.warmupEndpoints.add(ta);
              stream.warmupEndpoints.add(tb);
              stream.warmupAddresses.add(store.addresses.text[store.endpoints.address[a]!]!);
              stream.warmupAddresses.add(store.addresses.text[store.endpoints.address[b]!]!);
              inWarmup![a] = 1;
              inWarmup![b] = 1;
              addressInWarmup![store.endpoints.address[a]!] = 1;
              addressInWarmup![store.endpoints.address[b]!] = 1;
            }
          }
        }
      }
      const startUs = firstSeenUs.data[reverse >= 0 ? reverse : forward]!;
      const counted = warmupUs <= 0 || startUs - firstUs > warmupUs;
      pairCacheA[slot] = a;
      pairCacheB[slot] = b;
      if (!counted) {
        pairCacheLocal[slot] = NOT_COUNTED;
        continue;
      }
      inBin.probe[0] = a;
      inBin.probe[1] = b;
      local = inBin.intern();
      s = sessions.add(a, b, i);
    }
    pairCacheA[slot] = a;
    pairCacheB[slot] = b;
    pairCacheLocal[slot] = local;

    sessions.packets.data[s]!++;
    sessions.lastTimeUs.data[s] = t;
    if (parseable[i]) {
      const first = sessions.firstPacket.data[s]!;
      const sender = srcMac[i]!;
      if (sender === srcMac[first]) {
        sessions.sentByFirstMac.data[s]!++;
        sessions.lastLengthFirstMac.data[s] = ipLength[i]!;
      }
      if (sender === dstMac[first]) {
        sessions.sentBySecondMac.data[s]!++;
        sessions.lastLengthSecondMac.data[s] = ipLength[i]!;
      }
    }
  }
  // A trailing empty bin is dropped: its start entry then serves as the previous bin's end.
  if (sessions.count > binFirstSession) binStart.push(sessions.count);
  return { sessions, binStart, firstTimeUs: firstUs };
}
