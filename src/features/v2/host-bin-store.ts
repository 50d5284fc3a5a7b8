import {
  closeFile,
  closeWhenCollected,
  openUnlinkedFile,
  readAt,
  releaseWhenCollected,
  writeAt,
} from '../spill-file.js';
import { V2_STORED_COUNT } from './names.js';

/** Records held in memory before they go to the temporary file (2,048 × 174 values: 2.7 MiB). */
const MEMORY_RECORDS = 2048;
/** Records the memory buffer first has room for. */
const FIRST_RECORDS = 8;
/** Records read back from the file at a time. */
const READ_RECORDS = 256;
/**
 * A record in the file: a byte, the number of values that are not +0, then each as its index (a byte) and its 8
 * bytes; or DENSE, then all 174 values' bytes. Most hosts of a flood's or a churning LAN's bin send a packet or
 * two: a few dozen values of 174, where the whole record was 1.4 KiB (2.5 GB for a million-frame flood). Bytes
 * are copied as they are (no float conversion, which may change a NaN's bits).
 */
const DENSE = 0xff;
const DENSE_BYTES = 1 + V2_STORED_COUNT * 8;
/** Past this many values a record is written dense (9 bytes a value sparse, 8 dense). */
const MAX_SPARSE = Math.floor((DENSE_BYTES - 1) / 9);

/** A HostBinStore's state as plain data, to move it to another thread of the process (see handOver). */
export interface HostBinStoreData {
  memoryRecords: number;
  /** Records; the per-record arrays below may be longer (their first `count` entries count). */
  count: number;
  binOf: Int32Array<ArrayBuffer>;
  keyOf: Int32Array<ArrayBuffer>;
  startOf: Float64Array<ArrayBuffer>;
  endOf: Float64Array<ArrayBuffer>;
  /** The records not in the file, from the start (buffered × V2_STORED_COUNT values; the rest unused). */
  buffer: Float64Array<ArrayBuffer>;
  buffered: number;
  /**
   * The temporary file's descriptor (-1: none), the records in it, its length in bytes, and where each chunk
   * of READ_RECORDS records starts in it.
   */
  fd: number;
  filed: number;
  fileBytes: number;
  chunkAt: Float64Array<ArrayBuffer>;
}

/**
 * The header features of every (bin, host) of a capture, kept until its device is known at the end: a
 * long capture has hundreds of thousands (1.4 KiB each). Each record's place (bin, host key, times) stays
 * in memory; its V2_STORED_COUNT values are held in memory up to `memoryRecords`, then appended to a
 * temporary file (without their +0 values, see DENSE) that is unlinked at once (the open descriptor keeps it
 * readable; it is closed when the store is collected), so memory stays flat and nothing is left behind.
 */
export class HostBinStore {
  private binOf = new Int32Array(1024);
  private keyOf = new Int32Array(1024);
  private startOf = new Float64Array(1024);
  private endOf = new Float64Array(1024);
  private count = 0;
  private buffer: Float64Array<ArrayBuffer>;
  private buffered = 0;
  private fd = -1;
  private filed = 0;
  private fileBytes = 0;
  /** Byte offset in the file of records c · READ_RECORDS on (records are variable-length there). */
  private chunkAt = new Float64Array(16);
  /** Read-back records, made on the first read from the file (most stores never have one). */
  private cache = new Float64Array(0);
  private cached = -1;
  /** Encoded records on their way to or from the file: a chunk's at most. */
  private bytes = new Uint8Array(0);

  /** Whether this store closes `fd` (it opened or adopted it), rather than whoever gave it. */
  private ownsFd = false;

  constructor(
    private readonly memoryRecords = MEMORY_RECORDS,
    /**
     * A temporary file the caller opened and keeps owning, to use instead of opening one: a store on a
     * worker thread needs it, as the files a worker opens are closed when it exits.
     */
    spillFd = -1,
  ) {
    // Grown as records come (see add): per-host mode makes a store per host, most with a handful of records,
    // and 2.7 MiB each was most of what 10,000 hosts took.
    this.buffer = new Float64Array(Math.min(memoryRecords, FIRST_RECORDS) * V2_STORED_COUNT);
    this.fd = spillFd;
  }

  /**
   * This store as plain data for another thread of the process (`adopt` there), which then owns its
   * temporary file; the file must be one the store was given (see the constructor). The arrays are the
   * store's own (to be transferred, not copied): the store must not be used afterwards.
   */
  handOver(): HostBinStoreData {
    if (this.ownsFd)
      throw new Error('a store that opened its own temporary file cannot move to another thread');
    return {
      memoryRecords: this.memoryRecords,
      count: this.count,
      binOf: this.binOf,
      keyOf: this.keyOf,
      startOf: this.startOf,
      endOf: this.endOf,
      buffer: this.buffer,
      buffered: this.buffered,
      fd: this.fd,
      filed: this.filed,
      fileBytes: this.fileBytes,
      chunkAt: this.chunkAt,
    };
  }

  /**
   * A store from another thread's `handOver`, taking its temporary file (closed when collected) and the
   * data's arrays themselves (already this thread's copies): for reading only, nothing more is added.
   */
  static adopt(data: HostBinStoreData): HostBinStore {
    const store = new HostBinStore(0);
    store.binOf = data.binOf;
    store.keyOf = data.keyOf;
    store.startOf = data.startOf;
    store.endOf = data.endOf;
    store.count = data.count;
    store.buffer = data.buffer;
    store.buffered = data.buffered;
    store.filed = data.filed;
    store.fileBytes = data.fileBytes;
    store.chunkAt = data.chunkAt;
    store.fd = data.fd;
    if (data.fd >= 0) {
      closeWhenCollected(store, data.fd);
      store.ownsFd = true;
    }
    return store;
  }

  /** Closes the temporary file now, if this store owns it (its data is no longer wanted). */
  dispose(): void {
    if (!this.ownsFd) return;
    releaseWhenCollected(this);
    closeFile(this.fd);
    this.fd = -1;
    this.ownsFd = false;
  }

  get length(): number {
    return this.count;
  }

  add(bin: number, key: number, start: number, end: number, own: Float64Array): void {
    if (this.count === this.binOf.length) this.grow();
    if (this.buffered === this.memoryRecords) this.flush();
    if ((this.buffered + 1) * V2_STORED_COUNT > this.buffer.length) this.growBuffer();
    const i = this.count++;
    this.binOf[i] = bin;
    this.keyOf[i] = key;
    this.startOf[i] = start;
    this.endOf[i] = end;
    this.buffer.set(own.subarray(0, V2_STORED_COUNT), this.buffered++ * V2_STORED_COUNT);
  }

  bin(i: number): number {
    return this.binOf[i]!;
  }

  key(i: number): number {
    return this.keyOf[i]!;
  }

  start(i: number): number {
    return this.startOf[i]!;
  }

  end(i: number): number {
    return this.endOf[i]!;
  }

  /**
   * Record i's values: a view of the record itself while it is in memory; for a record in the file, a
   * view of a read-back chunk that the next read of another chunk overwrites (copy what you keep).
   */
  own(i: number): Float64Array {
    if (i >= this.filed) {
      const o = (i - this.filed) * V2_STORED_COUNT;
      return this.buffer.subarray(o, o + V2_STORED_COUNT);
    }
    const c = Math.floor(i / READ_RECORDS);
    if (c !== this.cached) {
      this.readChunk(c);
      this.cached = c;
    }
    const o = (i - c * READ_RECORDS) * V2_STORED_COUNT;
    return this.cache.subarray(o, o + V2_STORED_COUNT);
  }

  /** Whether record i's `own` view is the record itself (in memory), not a read-back copy. */
  inMemory(i: number): boolean {
    return i >= this.filed;
  }

  private flush(): void {
    if (this.fd < 0) {
      this.fd = openUnlinkedFile('v2');
      closeWhenCollected(this, this.fd);
      this.ownsFd = true;
    }
    // A chunk at a time: the encoding buffer stays a chunk's size whatever memoryRecords is.
    for (let from = 0; from < this.buffered; ) {
      const to = Math.min(this.buffered, from + READ_RECORDS - ((this.filed + from) % READ_RECORDS));
      this.fileRecords(from, to);
      from = to;
    }
    this.filed += this.buffered;
    this.buffered = 0;
    // A chunk read back before may have been only partly in the file.
    this.cached = -1;
  }

  /** Appends buffered records [from, to) to the file, encoded (see DENSE). */
  private fileRecords(from: number, to: number): void {
    const bytes = this.bytesFor((to - from) * DENSE_BYTES);
    const valueBytes = new Uint8Array(this.buffer.buffer);
    const valueWords = new Uint32Array(this.buffer.buffer);
    let at = 0;
    for (let r = from; r < to; r++) {
      const record = this.filed + r;
      if (record % READ_RECORDS === 0) this.chunkStarts(record / READ_RECORDS, this.fileBytes);
      const o = r * V2_STORED_COUNT;
      const head = at++;
      let n = 0;
      let dense = false;
      for (let j = 0; j < V2_STORED_COUNT; j++) {
        const w = 2 * (o + j);
        if ((valueWords[w]! | valueWords[w + 1]!) === 0) continue; // +0: every bit zero
        if (n === MAX_SPARSE) {
          dense = true;
          break;
        }
        n++;
        bytes[at++] = j;
        copy8(valueBytes, 8 * (o + j), bytes, at);
        at += 8;
      }
      if (dense) {
        // More values than a sparse record is worth: written whole instead.
        at = head + 1;
        n = DENSE;
        for (let j = 0; j < V2_STORED_COUNT; j++, at += 8) copy8(valueBytes, 8 * (o + j), bytes, at);
      }
      bytes[head] = n;
    }
    writeAt(this.fd, bytes.subarray(0, at), this.fileBytes);
    this.fileBytes += at;
  }

  /** Reads chunk c's records from the file into the cache, values decoded. */
  private readChunk(c: number): void {
    const first = c * READ_RECORDS;
    const n = Math.min(READ_RECORDS, this.filed - first);
    const from = this.chunkAt[c]!;
    const to = first + n < this.filed ? this.chunkAt[c + 1]! : this.fileBytes;
    const bytes = this.bytesFor(to - from).subarray(0, to - from);
    readAt(this.fd, bytes, from);
    if (this.cache.length === 0) this.cache = new Float64Array(READ_RECORDS * V2_STORED_COUNT);
    const cache = this.cache;
    const cacheBytes = new Uint8Array(cache.buffer);
    cache.fill(0, 0, n * V2_STORED_COUNT);
    let at = 0;
    for (let r = 0; r < n; r++) {
      const o = r * V2_STORED_COUNT;
      const count = bytes[at++]!;
      if (count === DENSE) {
        for (let j = 0; j < V2_STORED_COUNT; j++, at += 8) copy8(bytes, at, cacheBytes, 8 * (o + j));
        continue;
      }
      for (let k = 0; k < count; k++, at += 9) copy8(bytes, at + 1, cacheBytes, 8 * (o + bytes[at]!));
    }
  }

  private chunkStarts(c: number, offset: number): void {
    if (c >= this.chunkAt.length) {
      const grown = new Float64Array(Math.max(2 * this.chunkAt.length, c + 1));
      grown.set(this.chunkAt);
      this.chunkAt = grown;
    }
    this.chunkAt[c] = offset;
  }

  /** The encoding buffer, at least `size` bytes. */
  private bytesFor(size: number): Uint8Array<ArrayBuffer> {
    if (this.bytes.length < size) this.bytes = new Uint8Array(size);
    return this.bytes as Uint8Array<ArrayBuffer>;
  }

  /** Room for twice the buffered records, up to memoryRecords. */
  private growBuffer(): void {
    const records = Math.min(this.memoryRecords, Math.max(FIRST_RECORDS, 2 * this.buffered));
    const grown = new Float64Array(records * V2_STORED_COUNT);
    grown.set(this.buffer.subarray(0, this.buffered * V2_STORED_COUNT));
    this.buffer = grown;
  }

  private grow(): void {
    const n = this.binOf.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.binOf = grow(this.binOf, new Int32Array(n));
    this.keyOf = grow(this.keyOf, new Int32Array(n));
    this.startOf = grow(this.startOf, new Float64Array(n));
    this.endOf = grow(this.endOf, new Float64Array(n));
  }
}

/** Copies 8 bytes (one value) from from[at …] to to[dest …]. */
function copy8(from: Uint8Array, at: number, to: Uint8Array, dest: number): void {
  for (let k = 0; k < 8; k++) to[dest + k] = from[at + k]!;
}
