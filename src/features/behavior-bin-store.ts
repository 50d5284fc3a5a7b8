import type { BeaconEntry, BehaviorBin } from './behavior.js';
import { closeWhenCollected, openUnlinkedFile, readAt, writeAt } from './spill-file.js';

/** Doubles held in memory before they go to the temporary file (2 MiB). */
const MEMORY_DOUBLES = 262_144;

/**
 * Every (window, host) behaviour record of a capture, kept until the capture's device is known at the end:
 * a long capture has hundreds of thousands (~1 KiB each as objects). Each record is encoded as doubles
 * — bin, host, start, end, packets, stacks, ARP claims, foreign sources and the last one's address, the values, then (code, peers, flows) per service, (peer,
 * service, check-ins, mean and deviation of the interval) per regular endpoint (beacons), the service codes of
 * sessions held with public peers, those of connections LAN hosts accepted, those the host accepted, and (id,
 * connections, resumptions, one-way UDP bytes) per public peer, each list after its length — held in memory up to 2 MiB, then
 * appended to a temporary file unlinked at once (the open descriptor keeps it readable; closed when the store is
 * collected). Doubles hold every field exactly, so a record reads back equal to what was added.
 */
export class BehaviorBinStore {
  private offsetOf = new Float64Array(1024);
  private hostOf = new Int32Array(1024);
  private count = 0;
  private memory = new Float64Array(4096);
  private used = 0;
  /** Doubles already in the file (records at offsets below this are read from it). */
  private filed = 0;
  private fd = -1;
  private scratch = Buffer.alloc(0);

  constructor(private readonly memoryDoubles = MEMORY_DOUBLES) {}

  get length(): number {
    return this.count;
  }

  host(i: number): number {
    return this.hostOf[i]!;
  }

  add(b: BehaviorBin): void {
    const beacons = b.beacons ?? [];
    const held = b.heldSessions ?? [];
    const lan = b.lanConnections ?? [];
    const accepted = b.acceptedServices ?? [];
    const size =
      15 +
      b.values.length +
      3 * b.services.length +
      5 * beacons.length +
      held.length +
      lan.length +
      accepted.length +
      4 * b.publicPeers.length;
    if (this.count === this.offsetOf.length) {
      const n = this.count * 2;
      const offsets = new Float64Array(n);
      offsets.set(this.offsetOf);
      this.offsetOf = offsets;
      const hosts = new Int32Array(n);
      hosts.set(this.hostOf);
      this.hostOf = hosts;
    }
    if (this.used + size > this.memoryDoubles && this.used > 0) this.flush();
    if (this.used + size > this.memory.length) {
      const grown = new Float64Array(Math.max(this.memory.length * 2, this.used + size));
      grown.set(this.memory.subarray(0, this.used));
      this.memory = grown;
    }
    const i = this.count++;
    this.offsetOf[i] = this.filed + this.used;
    this.hostOf[i] = b.host;
    const m = this.memory;
    let o = this.used;
    m[o++] = b.bin;
    m[o++] = b.host;
    m[o++] = b.start;
    m[o++] = b.end;
    m[o++] = b.packets;
    m[o++] = b.stacks;
    m[o++] = b.arpClaims ?? 0;
    m[o++] = b.foreignSources ?? 0;
    m[o++] = b.foreignSourceAddress ?? 0;
    m[o++] = b.values.length;
    for (const v of b.values) m[o++] = v;
    m[o++] = b.services.length;
    for (const [code, peers, flows] of b.services) {
      m[o++] = code;
      m[o++] = peers;
      m[o++] = flows;
    }
    m[o++] = beacons.length;
    for (const e of beacons) for (const x of e) m[o++] = x;
    m[o++] = held.length;
    for (const code of held) m[o++] = code;
    m[o++] = lan.length;
    for (const code of lan) m[o++] = code;
    m[o++] = accepted.length;
    for (const code of accepted) m[o++] = code;
    // The per-peer quadruples run to the record's end: their count is implied by its length.
    const peers = b.publicPeers.length;
    for (let k = 0; k < peers; k++) {
      m[o++] = b.publicPeers[k]!;
      m[o++] = b.publicPeerFlows[k]!;
      m[o++] = b.publicPeerResumes?.[k] ?? 0;
      m[o++] = b.publicPeerOneWayBytes?.[k] ?? 0;
    }
    this.used = o;
  }

  /**
   * No more records will come: a store that already has a file moves the rest there and lets go of its
   * memory (2 MiB; a long capture's records are mostly read from the file anyway). A short capture's stay.
   */
  settle(): void {
    if (this.fd < 0) return;
    if (this.used > 0) this.flush();
    this.memory = new Float64Array(0);
  }

  /** Record i as a fresh BehaviorBin. */
  get(i: number): BehaviorBin {
    const start = this.offsetOf[i]!;
    const end = i + 1 < this.count ? this.offsetOf[i + 1]! : this.filed + this.used;
    const r = this.record(start, end);
    let o = 0;
    const bin = r[o++]!;
    const host = r[o++]!;
    const first = r[o++]!;
    const last = r[o++]!;
    const packets = r[o++]!;
    const stacks = r[o++]!;
    const arpClaims = r[o++]!;
    const foreignSources = r[o++]!;
    const foreignSourceAddress = r[o++]!;
    const nValues = r[o++]!;
    const values = Array.from(r.subarray(o, o + nValues));
    o += nValues;
    const nServices = r[o++]!;
    const services: [number, number, number][] = [];
    for (let k = 0; k < nServices; k++, o += 3) services.push([r[o]!, r[o + 1]!, r[o + 2]!]);
    const nBeacons = r[o++]!;
    const beacons: BeaconEntry[] = [];
    for (let k = 0; k < nBeacons; k++, o += 5)
      beacons.push([r[o]!, r[o + 1]!, r[o + 2]!, r[o + 3]!, r[o + 4]!]);
    const nHeld = r[o++]!;
    const heldSessions = Array.from(r.subarray(o, o + nHeld));
    o += nHeld;
    const nLan = r[o++]!;
    const lanConnections = Array.from(r.subarray(o, o + nLan));
    o += nLan;
    const nAccepted = r[o++]!;
    const acceptedServices = Array.from(r.subarray(o, o + nAccepted));
    o += nAccepted;
    const publicPeers: number[] = [];
    const publicPeerFlows: number[] = [];
    const publicPeerResumes: number[] = [];
    const publicPeerOneWayBytes: number[] = [];
    let resumed = false;
    let oneWay = false;
    for (; o < r.length; o += 4) {
      publicPeers.push(r[o]!);
      publicPeerFlows.push(r[o + 1]!);
      publicPeerResumes.push(r[o + 2]!);
      publicPeerOneWayBytes.push(r[o + 3]!);
      if (r[o + 2]! > 0) resumed = true;
      if (r[o + 3]! > 0) oneWay = true;
    }
    return {
      bin,
      host,
      start: first,
      end: last,
      packets,
      values,
      services,
      publicPeers,
      publicPeerFlows,
      ...(resumed ? { publicPeerResumes } : {}),
      ...(oneWay ? { publicPeerOneWayBytes } : {}),
      stacks,
      arpClaims,
      ...(foreignSources > 0 ? { foreignSources, foreignSourceAddress } : {}),
      ...(nBeacons > 0 ? { beacons } : {}),
      ...(nHeld > 0 ? { heldSessions } : {}),
      ...(nLan > 0 ? { lanConnections } : {}),
      ...(nAccepted > 0 ? { acceptedServices } : {}),
    };
  }

  /** The doubles [start, end) of the store, from memory or the file. */
  private record(start: number, end: number): Float64Array {
    if (start >= this.filed) return this.memory.subarray(start - this.filed, end - this.filed);
    const bytes = (end - start) * 8;
    if (this.scratch.length < bytes) this.scratch = Buffer.alloc(Math.max(bytes, 4096));
    readAt(this.fd, this.scratch.subarray(0, bytes), start * 8);
    return new Float64Array(this.scratch.buffer, this.scratch.byteOffset, end - start);
  }

  private flush(): void {
    if (this.fd < 0) {
      this.fd = openUnlinkedFile('behavior');
      closeWhenCollected(this, this.fd);
    }
    writeAt(
      this.fd,
      new Uint8Array(this.memory.buffer, this.memory.byteOffset, this.used * 8),
      this.filed * 8,
    );
    this.filed += this.used;
    this.used = 0;
  }
}
