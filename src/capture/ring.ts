/**
 * A single-producer single-consumer ring of packed records in a SharedArrayBuffer: the reader thread
 * writes, the analysis thread reads, in batches, with no per-record allocation or message.
 *
 * Counters are int32 and wrap (differences taken with `| 0`); the capacity is a power of two, so slot =
 * counter & mask stays right across the wrap. The writer publishes `written` every `batch` records (and at
 * the end) and sleeps on `read` when the ring is full; the reader sleeps on `written` when it is empty.
 * Either side can stop the other: `state` (writer: done or failed) and `stop` (reader: no more wanted).
 */
import { waitAsync } from '../threads.js';
import { PACKED_RECORD_BYTES, PackedRecords } from './packed.js';

const WRITTEN = 0;
const READ = 1;
const STATE = 2;
const STOP = 3;
/**
 * While the reader sleeps: the count of written records it waits for (+1, so 0 means "not waiting"); the
 * writer notifies only once that many are published. Waking the reader for a whole half ring, not every
 * batch, keeps the two threads from preempting each other on a busy machine.
 */
const READER_WANTS = 4;
/**
 * While the writer sleeps on a full ring: the read count it waits for (+1, so 0 means "not waiting"); the
 * reader notifies only once that many are freed. Waking it for a quarter of the ring, not every freed batch,
 * spares a wake-up (a system call on each side) per 1,024 records when the reader is the slower thread.
 */
const WRITER_WANTS = 5;
const CONTROL_BYTES = 64;

export const RingState = { RUNNING: 0, DONE: 1, FAILED: 2 } as const;

export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (capacity < 2 || (capacity & (capacity - 1)) !== 0)
    throw new RangeError('ring capacity: a power of two');
  return new SharedArrayBuffer(CONTROL_BYTES + capacity * PACKED_RECORD_BYTES);
}

function ringCapacity(buffer: SharedArrayBuffer): number {
  return (buffer.byteLength - CONTROL_BYTES) / PACKED_RECORD_BYTES;
}

export class RingWriter {
  readonly records: PackedRecords;
  private readonly control: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;
  private written = 0;
  private published = 0;
  /** The reader's position as last seen (re-read only when the ring looks full). */
  private readSeen = 0;
  /** Records freed before a writer asleep on a full ring is woken. */
  private readonly wakeFree: number;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly batch = 1024,
    /** Longest single sleep (ms) before the stop flag is looked at again. */
    private readonly pollMs = 100,
  ) {
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.capacity = ringCapacity(buffer);
    this.mask = this.capacity - 1;
    this.wakeFree = Math.max(this.capacity >> 2, 1);
    this.records = new PackedRecords(buffer, CONTROL_BYTES, this.capacity);
  }

  /** True once the reader asked for no more records. */
  get stopped(): boolean {
    return Atomics.load(this.control, STOP) !== 0;
  }

  /**
   * The record index to fill next, waiting while the ring is full; -1 when the reader stopped. Call
   * `commit` after filling it.
   */
  claim(): number {
    if (((this.written - this.readSeen) | 0) >= this.capacity) {
      this.publish();
      for (;;) {
        this.readSeen = Atomics.load(this.control, READ);
        if (((this.written - this.readSeen) | 0) < this.capacity) break;
        if (this.stopped) return -1;
        Atomics.store(this.control, WRITER_WANTS, ((this.readSeen + this.wakeFree) | 0) + 1 || 1);
        Atomics.wait(this.control, READ, this.readSeen, this.pollMs);
        Atomics.store(this.control, WRITER_WANTS, 0);
      }
    }
    return this.written & this.mask;
  }

  commit(): void {
    this.written = (this.written + 1) | 0;
    if (((this.written - this.published) | 0) >= this.batch) this.publish();
  }

  publish(): void {
    if (this.published === this.written) return;
    this.published = this.written;
    Atomics.store(this.control, WRITTEN, this.written);
    // Sequentially consistent: either the reader's flag is seen here, or its wait sees the new count.
    const wants = Atomics.load(this.control, READER_WANTS);
    if (wants !== 0 && ((this.written - (wants - 1)) | 0) >= 0) Atomics.notify(this.control, WRITTEN);
  }

  /** Publishes the rest and says the writer is done (or failed); wakes the reader. */
  finish(state: typeof RingState.DONE | typeof RingState.FAILED): void {
    this.publish();
    Atomics.store(this.control, STATE, state);
    Atomics.notify(this.control, WRITTEN);
  }
}

export class RingReader {
  readonly records: PackedRecords;
  private readonly control: Int32Array;
  private readonly mask: number;
  private read = 0;

  constructor(
    buffer: SharedArrayBuffer,
    /** Records read between two frees of their slots (see drain). */
    private readonly freeEvery = 1024,
  ) {
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    const capacity = ringCapacity(buffer);
    this.mask = capacity - 1;
    this.records = new PackedRecords(buffer, CONTROL_BYTES, capacity);
  }

  /**
   * Hands every published record not yet read to `each` (its record index), freeing their slots every
   * `freeEvery` records (`each` must not keep an index past its call). Returns how many there were.
   */
  drain(each: (records: PackedRecords, index: number) => void): number {
    const written = Atomics.load(this.control, WRITTEN);
    const n = (written - this.read) | 0;
    if (n <= 0) return 0;
    const records = this.records;
    const mask = this.mask;
    const freeEvery = this.freeEvery;
    let r = this.read;
    // A count down, not (k + 1) % freeEvery: a division per record.
    let untilFree = freeEvery;
    for (let k = 0; k < n; k++) {
      each(records, r & mask);
      r = (r + 1) | 0;
      // Freed as they are read, not at the end: a writer that found the ring full goes on while this
      // thread works through the rest. Freed only at the end, the two threads took turns (the writer asleep
      // on a full ring while this drained half of it, then this asleep while the writer filled it again).
      if (--untilFree === 0) {
        this.free(r);
        untilFree = freeEvery;
      }
    }
    this.free(r);
    return n;
  }

  private free(r: number): void {
    this.read = r;
    Atomics.store(this.control, READ, r);
    // Sequentially consistent: either the writer's wish is seen here, or its wait sees the new count.
    const wants = Atomics.load(this.control, WRITER_WANTS);
    if (wants !== 0 && ((r - (wants - 1)) | 0) >= 0) Atomics.notify(this.control, READ);
  }

  /** The writer's state (RingState). */
  get state(): number {
    return Atomics.load(this.control, STATE);
  }

  /** Published records not yet read. */
  get pending(): number {
    return (Atomics.load(this.control, WRITTEN) - this.read) | 0;
  }

  /** True when every published record was read. */
  get empty(): boolean {
    return Atomics.load(this.control, WRITTEN) === this.read;
  }

  /**
   * Resolves when `wanted` more records than read so far are published (or the writer finishes, `wake` is
   * called, or after timeoutMs).
   */
  async waitForRecords(wanted: number, timeoutMs: number): Promise<void> {
    const written = Atomics.load(this.control, WRITTEN);
    if (((written - this.read) | 0) >= wanted) return;
    Atomics.store(this.control, READER_WANTS, ((this.read + wanted) | 0) + 1 || 1);
    try {
      const result = waitAsync(this.control, WRITTEN, written, timeoutMs);
      if (!result.async) return;
      // Finished between the caller's look at `state` and this wait: wake the wait just set up.
      if (this.state !== RingState.RUNNING) Atomics.notify(this.control, WRITTEN);
      await result.value;
    } finally {
      Atomics.store(this.control, READER_WANTS, 0);
    }
  }

  /** Records the ring holds. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Wakes a pending waitForRecords (e.g. when the writer's thread died). */
  wake(): void {
    Atomics.notify(this.control, WRITTEN);
  }

  /** Asks the writer to stop and wakes it if it sleeps on a full ring. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, READ);
  }
}
