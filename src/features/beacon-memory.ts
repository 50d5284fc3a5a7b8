/**
 * Beacon check-in state carried from one behaviour extractor to the next. `watch` scores every bin with a
 * fresh extractor; without this each bin started every endpoint at zero check-ins, so a beacon slower than
 * a quarter of the bin never reached BEACON_MIN_CHECKINS in `watch` although `eval` of the same traffic
 * flagged it. Written at an extractor's finish and read when a later one first meets the endpoint, never
 * per packet.
 */

/** An endpoint's check-ins so far (see BEACON_MIN_CHECKINS in behavior.ts); times in µs, sums in s. */
export interface EndpointCheckins {
  checkins: number;
  lastStart: number;
  lastConnection: number;
  lastSeen: number;
  sum: number;
  sumSq: number;
}

/** Endpoints remembered at most (as one extractor follows): the least recently updated go first. */
export const BEACON_MEMORY_ENDPOINTS = 1 << 16;

export class BeaconMemory {
  /** Insertion order is update order, so the first key is the least recently updated. */
  private readonly byEndpoint = new Map<string, EndpointCheckins>();

  constructor(private readonly capacity = BEACON_MEMORY_ENDPOINTS) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`beacon memory of ${capacity}`);
  }

  /** The key of host `host`'s endpoint: peer address words, protocol and remote port (behavior.ts's endpoint table). */
  static key(host: string, peerLow: number, peerHighProto: number, port: number): string {
    return `${host}|${peerLow}|${peerHighProto}|${port}`;
  }

  get size(): number {
    return this.byEndpoint.size;
  }

  get(key: string): EndpointCheckins | undefined {
    return this.byEndpoint.get(key);
  }

  set(key: string, state: EndpointCheckins): void {
    this.byEndpoint.delete(key);
    this.byEndpoint.set(key, state);
    while (this.byEndpoint.size > this.capacity) this.byEndpoint.delete(this.byEndpoint.keys().next().value!);
  }
}
