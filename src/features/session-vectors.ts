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
  const { endpoints, addresses } = store;
  const rows: Float64Array[] = [];
  for (let s = 0; s < sessions.count; s++) {
    const p = sessions.firstPacket.data[s]!;
    if (!store.parseable.data[p]) continue;
    const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
    const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
    if (a1 !== source.address && a2 !== source.address) continue;
    const proto = store.proto.data[p]!;
    const byFirst = sessions.sentByFirstMac.data[s]!;
    const bySecond = sessions.sentBySecondMac.data[s]!;
    const oneShot = sessions.packets.data[s]! === 1;
    // The original subtracted datetime.timestamp() floats (whole seconds + µs / 1e6), not exact µs.
    const spanS = pythonSeconds(sessions.lastTimeUs.data[s]!) - pythonSeconds(store.timeUs.data[p]!);
    const elapsed = spanS === 0 ? 1 : spanS;
    const row = new Float64Array(SESSION_VECTOR_LENGTH);
    row[0] = a1 === source.address ? 1 : 0;
    row[1] = addresses.isPrivate[a1] && addresses.isPrivate[a2] ? 0 : 1;
    row[2] = proto === 1 ? 1 : 0;
    row[3] = proto === 6 ? 1 : 0;
    row[4] = proto === COMPAT_UDP_PROTO ? 1 : 0;
    row[5] = sessions.lastLengthSecondMac.data[s]!;
    row[6] = sessions.lastLengthFirstMac.data[s]!;
    row[7] = bySecond;
    row[8] = byFirst;
    row[9] = oneShot ? 1 : byFirst / elapsed;
    row[10] = oneShot ? 1 : bySecond / elapsed;
    rows.push(row);
  }
  return { sourceIp: addresses.text[source.address]!, rows };
}
