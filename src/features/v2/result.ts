/** What the v2 extractor returns: hosts, the device, and per (bin, host) vectors built on access. */
import type { CompatBin } from '../compat.js';
import type { HostBinStore } from './host-bin-store.js';
import { V2_FEATURE_COUNT, V2_OWN_COUNT, V2_PORT_OFFSET, V2_STORED_COUNT } from './names.js';

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
  /**
   * The V2_OWN_COUNT header features (the head of `vector`), for callers that need only those. For a long
   * capture whose features went to a temporary file, a fresh copy on every read.
   */
  readonly own: Float64Array;
  /**
   * The header features then the per-port block (V2_STORED_COUNT values: the vector without its compat
   * block), as `own` is read.
   */
  readonly stored: Float64Array;
  /** V2_FEATURE_COUNT values, in v2FeatureNames() order (built on every read: read it once per use). */
  readonly vector: Float64Array;
  /**
   * Writes the vector into `out` (one buffer for many bins allocates nothing): V2_FEATURE_COUNT values, or
   * the first V2_FEATURE_COUNTS[1] (no per-port block) when `out` has that length, for a version-1 model.
   */
  writeVector(out: Float64Array): void;
}

/**
 * A host-bin whose full vector is built on access: most callers read only the device's rows, and the
 * 4,104-value compat block is zero for every other host, so building all of them eagerly cost more than
 * the header features themselves. Not cached: a long capture has thousands of bins.
 */
export class LazyV2Bin implements V2Bin {
  constructor(
    private readonly store: HostBinStore,
    private readonly record: number,
    readonly host: number,
    private readonly compat: CompatBin | undefined,
  ) {}

  get bin(): number {
    return this.store.bin(this.record);
  }

  get start(): number {
    return this.store.start(this.record);
  }

  get end(): number {
    return this.store.end(this.record);
  }

  get own(): Float64Array {
    return this.stored.subarray(0, V2_OWN_COUNT);
  }

  get stored(): Float64Array {
    const stored = this.store.own(this.record).subarray(0, V2_STORED_COUNT);
    return this.store.inMemory(this.record) ? stored : stored.slice();
  }

  get vector(): Float64Array {
    const v = new Float64Array(V2_FEATURE_COUNT);
    this.writeVector(v);
    return v;
  }

  writeVector(out: Float64Array): void {
    const stored = this.store.own(this.record);
    out.set(stored.subarray(0, V2_OWN_COUNT), 0);
    const compat = out.subarray(V2_OWN_COUNT, V2_PORT_OFFSET);
    if (this.compat !== undefined) this.compat.writeVector(compat);
    else compat.fill(0);
    if (out.length >= V2_FEATURE_COUNT)
      out.set(stored.subarray(V2_OWN_COUNT, V2_STORED_COUNT), V2_PORT_OFFSET);
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
