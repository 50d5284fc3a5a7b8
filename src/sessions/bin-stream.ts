import type { PackedRecords } from '../capture/packed.js';
import type { PacketRecord } from '../capture/packet.js';
import { type BinOptions, BinScratch, type Bins, buildBins, type StreamState } from './bins.js';
import { PacketStore } from './packet-store.js';

/**
 * Receives each closed bin: its own packet store and its sessions (one bin: binStart = [0, count]). The store
 * and the sessions are reused for the next bin: read what is needed before returning.
 */
export type BinSink = (store: PacketStore, bins: Bins, index: number) => void;

/**
 * Cuts a capture into bins as it is read, holding one bin's packets at a time, with results equal to
 * storing the whole capture first (`PacketStore` + `buildBins`).
 *
 * Why one bin is enough: the original's dedup key holds the packet's microsecond time, so a repeat can only
 * overwrite a packet with the very same time; in a capture whose times never go below those of a closed bin,
 * every overwrite lands in the open bin, whose store applies it exactly. The warm-up needs only the capture's
 * first time and the endpoint pairs first seen within it (`StreamState`, as `watch` carries them).
 *
 * Times may go backwards inside the open bin. A packet that goes back to or below a closed bin's latest time
 * (it could overwrite a packet already featurised), or back into the warm-up after the first bin (its pair's
 * first-seen time could be earlier than one already judged), makes the stream inexact: `exact` turns false and
 * the rest is ignored, and the caller falls back to the whole-capture path.
 */
export class BinStream {
  private readonly durationUs: number;
  private readonly warmupUs: number;
  private readonly options: BinOptions;
  private readonly store = new PacketStore();
  private readonly scratch = new BinScratch();
  private state: StreamState | null = null;
  private binStartUs = 0;
  private maxSeenUs = Number.NEGATIVE_INFINITY;
  private maxClosedUs = Number.NEGATIVE_INFINITY;
  private index = 0;

  /** False once a packet's time went back far enough to need the whole capture (see the class comment). */
  exact = true;
  /** Packets whose time was below an earlier packet's. */
  backwardSteps = 0;
  ipPackets = 0;
  duplicates = 0;
  /** Sessions per bin, empty bins included (a trailing empty bin is dropped by `finish`). */
  readonly sessionsPerBin: number[] = [];

  constructor(
    options: BinOptions,
    private readonly sink: BinSink,
  ) {
    this.options = options;
    this.durationUs = options.durationS * 1e6;
    this.warmupUs = options.warmupS * 1e6;
  }

  /** Capture's first IP packet time (µs), or NaN before one was seen. */
  get firstTimeUs(): number {
    return this.state?.captureStartUs ?? Number.NaN;
  }

  add(p: PacketRecord): void {
    if (!this.exact || (p.ipVersion !== 4 && p.ipVersion !== 6)) return;
    if (this.admit(p.timeMicros())) this.store.add(p);
  }

  /** `add` for an IP packet packed by the reader thread (record `i` of `r`). */
  addPacked(r: PackedRecords, i: number): void {
    if (this.exact && this.admit(r.timeUs(i))) this.store.addPacked(r, i);
  }

  /** Bin bookkeeping for an IP packet at time t (µs); false when the stream just turned inexact. */
  private admit(t: number): boolean {
    const state = this.state;
    if (state === null) {
      this.state = {
        captureStartUs: t,
        warmupPairs: new Set(),
        warmupEndpoints: new Set(),
        warmupAddresses: new Set(),
      };
      this.binStartUs = t;
    } else {
      if (t < this.maxSeenUs) {
        this.backwardSteps++;
        if (
          t <= this.maxClosedUs ||
          (this.index > 0 && this.warmupUs > 0 && t - state.captureStartUs <= this.warmupUs)
        ) {
          this.exact = false;
          return false;
        }
      }
      if (t - this.binStartUs >= this.durationUs) {
        this.close();
        this.binStartUs = t;
      }
    }
    if (t > this.maxSeenUs) this.maxSeenUs = t;
    return true;
  }

  /** Closes the open bin; afterwards sessionsPerBin is final. */
  finish(): void {
    if (!this.exact || this.state === null) return;
    this.close();
    // A trailing empty bin is dropped (as buildBins does).
    if (this.sessionsPerBin.at(-1) === 0) this.sessionsPerBin.pop();
  }

  private close(): void {
    const store = this.store;
    const bins = buildBins(
      store,
      { durationS: Number.POSITIVE_INFINITY, warmupS: this.options.warmupS },
      this.state!,
      this.scratch,
    );
    this.ipPackets += store.length;
    this.duplicates += store.duplicates;
    this.sessionsPerBin.push(bins.sessions.count);
    this.maxClosedUs = this.maxSeenUs;
    this.sink(store, bins, this.index++);
    store.reset();
  }
}
