import type { Bins } from '../sessions/bins.js';
import type { PacketStore } from '../sessions/packet-store.js';
import { COMPAT_UDP_PROTO, inferCaptureSource } from './compat.js';

/** 11 session values, then 15 source-port and 15 destination-port one-hots (always zero: quirk). */
export const SESSION_VECTOR_LENGTH = 41;

/** The ports of the one-hots the original meant to set (REFERENCE.md §6). */
export const SESSION_VECTOR_PORTS = [
  22, 53, 67, 68, 80, 88, 123, 135, 137, 138, 192, 389, 443, 445, 514,
] as const;

function pythonSeconds(us: number): number {
  return Math.floor(us / 1e6) + (us % 1e6) / 1e6;
}

export interface SessionVectors {
  /** The capture address inferred over all bins at once, or null. */
  sourceIp: string | null;
  /** One 41-value row per session that involves the source address, in bin then session order. */
  rows: Float64Array[];
}

/**
 * The per-session inputs of the anomaly model (REFERENCE.md §6 steps 2–3). "First" and "second" MAC
 * are the session's creating packet's source and destination MAC; rates are packets per second of the
 * session's span (a zero span counts as 1 s), and 1 for a one-packet session. The port one-hots stay zero
 * because the original compared port text with numbers.
 */
export function sessionVectors(
  store: PacketStore,
  bins: Bins,
  countPublic = false,
  /** Per-host mode: the host's address id instead of the inferred capture source. */
  sourceAddress = -1,
): SessionVectors {
  const { sessions } = bins;
  const source =
    sourceAddress >= 0
      ? { address: sourceAddress }
      : inferCaptureSource(store, bins, 0, sessions.count, countPublic);
  if (source.address < 0) return { sourceIp: null, rows: [] };
  const { endpoints } = store;
  const rows: Float64Array[] = [];
  for (let s = 0; s < sessions.count; s++) {
    const p = sessions.firstPacket.data[s]!;
    if (!store.parseable.data[p]) continue;
    const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
    const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
    if (a1 !== source.address && a2 !== source.address) continue;
    const row = new Float64Array(SESSION_VECTOR_LENGTH);
    row[0] = a1 === source.address ? 1 : 0;
    fillSessionValues(store, bins, s, row, 1);
    rows.push(row);
  }
  return { sourceIp: store.addresses.text[source.address]!, rows };
}

/** Values 1..10 of a session's row (all but "initiated by source"), written at out[offset..offset + 10). */
function fillSessionValues(
  store: PacketStore,
  bins: Bins,
  s: number,
  out: Float64Array,
  offset: number,
): void {
  const { sessions } = bins;
  const { endpoints, addresses } = store;
  const p = sessions.firstPacket.data[s]!;
  const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
  const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
  const proto = store.proto.data[p]!;
  const byFirst = sessions.sentByFirstMac.data[s]!;
  const bySecond = sessions.sentBySecondMac.data[s]!;
  const oneShot = sessions.packets.data[s]! === 1;
  // The original subtracted datetime.timestamp() floats (whole seconds + µs / 1e6), not exact µs.
  const spanS = pythonSeconds(sessions.lastTimeUs.data[s]!) - pythonSeconds(store.timeUs.data[p]!);
  const elapsed = spanS === 0 ? 1 : spanS;
  out[offset] = addresses.isPrivate[a1] && addresses.isPrivate[a2] ? 0 : 1;
  out[offset + 1] = proto === 1 ? 1 : 0;
  out[offset + 2] = proto === 6 ? 1 : 0;
  out[offset + 3] = proto === COMPAT_UDP_PROTO ? 1 : 0;
  out[offset + 4] = sessions.lastLengthSecondMac.data[s]!;
  out[offset + 5] = sessions.lastLengthFirstMac.data[s]!;
  out[offset + 6] = bySecond;
  out[offset + 7] = byFirst;
  out[offset + 8] = oneShot ? 1 : byFirst / elapsed;
  out[offset + 9] = oneShot ? 1 : bySecond / elapsed;
}

const VALUES = SESSION_VECTOR_LENGTH - 31;

/**
 * `sessionVectors` bin by bin, for a capture cut into one store per bin (`BinStream`). The source address is
 * chosen over ALL bins, so it is known only at the end: the (address, MAC) votes are summed across bins (a
 * Map in first-vote order, so ties resolve as over the whole capture), and each session that could involve
 * the winner — one with an address able to win a vote — is kept as 10 packed values plus its two addresses.
 * With `rows` false only the votes are kept (the source address without the anomaly model's rows).
 */
export class SessionRowAccumulator {
  private readonly votes = new Map<string, number>();
  private readonly addressIds = new Map<string, number>();
  private readonly addressText: string[] = [];
  private count = 0;
  private a1 = new Int32Array(1024);
  private a2 = new Int32Array(1024);
  private values = new Float64Array(1024 * VALUES);

  constructor(
    private readonly countPublic = false,
    private readonly rows = true,
  ) {}

  addBin(store: PacketStore, bins: Bins): void {
    const { sessions } = bins;
    if (sessions.count === 0) return;
    const local = new Map<number, number>();
    inferCaptureSource(store, bins, 0, sessions.count, this.countPublic, local);
    const macIds = store.macs.text.length;
    for (const [key, n] of local) {
      const text = `${store.addresses.text[Math.floor(key / macIds)]!}|${store.macs.text[key % macIds]!}`;
      this.votes.set(text, (this.votes.get(text) ?? 0) + n);
    }
    if (!this.rows) return;
    const { endpoints, addresses } = store;
    for (let s = 0; s < sessions.count; s++) {
      const p = sessions.firstPacket.data[s]!;
      if (!store.parseable.data[p]) continue;
      const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
      const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
      // Only an address that can collect votes can be the source.
      if (!this.countPublic && !addresses.isPrivate[a1] && !addresses.isPrivate[a2]) continue;
      const i = this.count++;
      if (i === this.a1.length) this.grow();
      this.a1[i] = this.addressId(addresses.text[a1]!);
      this.a2[i] = this.addressId(addresses.text[a2]!);
      fillSessionValues(store, bins, s, this.values, i * VALUES);
    }
  }

  finish(): SessionVectors {
    let best: string | null = null;
    let bestVotes = 0;
    for (const [key, n] of this.votes) {
      if (n > bestVotes) {
        best = key;
        bestVotes = n;
      }
    }
    const sourceIp = best === null ? null : best.slice(0, best.lastIndexOf('|'));
    if (!this.rows) {
      return {
        sourceIp,
        get rows(): Float64Array[] {
          throw new Error('session rows were not collected for this analysis');
        },
      };
    }
    const rows: Float64Array[] = [];
    const source = sourceIp === null ? -1 : (this.addressIds.get(sourceIp) ?? -1);
    if (source < 0) return { sourceIp, rows };
    for (let i = 0; i < this.count; i++) {
      if (this.a1[i] !== source && this.a2[i] !== source) continue;
      const row = new Float64Array(SESSION_VECTOR_LENGTH);
      row[0] = this.a1[i] === source ? 1 : 0;
      row.set(this.values.subarray(i * VALUES, (i + 1) * VALUES), 1);
      rows.push(row);
    }
    return { sourceIp, rows };
  }

  private addressId(text: string): number {
    let id = this.addressIds.get(text);
    if (id === undefined) {
      id = this.addressText.length;
      this.addressIds.set(text, id);
      this.addressText.push(text);
    }
    return id;
  }

  private grow(): void {
    const n = this.a1.length * 2;
    const a1 = new Int32Array(n);
    a1.set(this.a1);
    this.a1 = a1;
    const a2 = new Int32Array(n);
    a2.set(this.a2);
    this.a2 = a2;
    const values = new Float64Array(n * VALUES);
    values.set(this.values);
    this.values = values;
  }
}
