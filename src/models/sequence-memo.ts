/**
 * The LSTM sequences already counted in a capture's abnormality, recognised by their content (issue 14).
 *
 * A capture's abnormality is the maximum score over its sequences, each scored from a zero state under
 * one label vector: a sequence whose rows are, bit for bit, those of a sequence already scored gives the
 * same scores and cannot change the maximum, under any label. So it is not scored again. A device's rows
 * repeat a lot (a 15-minute industrial capture: 34 distinct rows of 307), and so do whole sequences of a
 * device that talks on a timer; a sequence seen once costs one hash and one comparison per row.
 *
 * Rows are interned into ids and a sequence is remembered as its seqLen row ids, two 16-bit ids to a word:
 * the memo is part of eval's peak memory (the ~11 GB benchmark stream has 61,482 distinct sequences). Both
 * tables are bounded (MAX_ROWS distinct rows, MAX_SEQUENCES distinct sequences; ~8 MB at most for the
 * shipped model): past that, a new row or sequence is scored without being remembered, so memory stays flat
 * however long the capture, and the result is the same.
 */

/** Distinct rows remembered at most (up to 41 float64 each, to the last value that is not zero: ≤ 5.4 MB). */
export const MAX_ROWS = 16_384;
/** Distinct sequences remembered at most (seqLen / 2 int32 each: 1.3 MB at the cap for 10 rows). */
export const MAX_SEQUENCES = 65_536;
const FIRST_CAPACITY = 256;

/**
 * An id-per-entry hash set of int32 keys, grown by doubling up to `max` entries. A key is its first `used`
 * words, the words after them (up to the caller's width) being zero: only the used ones are stored.
 */
class KeyTable {
  /** Entry e's key is pool[starts[e] .. starts[e] + lengths[e]). */
  private pool: Int32Array;
  private poolUsed = 0;
  private starts: Int32Array;
  private lengths: Int32Array;
  /** Each entry's hash: compared before the words, and growing re-slots entries without hashing again. */
  private hashes: Int32Array;
  /** Open addressing: entry + 1 per slot, 0 empty; twice the capacity, a power of two. */
  private slots: Int32Array;
  private capacity = FIRST_CAPACITY;
  count = 0;
  /** Whether the last find() added its key. */
  added = false;

  constructor(private readonly max: number) {
    this.pool = new Int32Array(FIRST_CAPACITY * 16);
    this.starts = new Int32Array(FIRST_CAPACITY);
    this.lengths = new Int32Array(FIRST_CAPACITY);
    this.hashes = new Int32Array(FIRST_CAPACITY);
    this.slots = new Int32Array(2 * FIRST_CAPACITY);
  }

  /**
   * The entry whose key equals key[0 .. used) (the caller's words past `used` are zero and not read), added
   * when new and there is room; -1: new, and full.
   */
  find(key: Int32Array, used: number): number {
    const hash = hashWords(key, used);
    let mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === 0) break;
      const e = stored - 1;
      if (this.hashes[e] === hash && this.lengths[e] === used && this.equals(e, key, used)) {
        this.added = false;
        return e;
      }
      slot = (slot + 1) & mask;
    }
    this.added = false;
    if (this.count >= this.max) return -1;
    if (this.count === this.capacity) {
      this.grow();
      mask = this.slots.length - 1;
      slot = hash & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    }
    if (this.poolUsed + used > this.pool.length) {
      const pool = new Int32Array(Math.max(2 * this.pool.length, this.poolUsed + used));
      pool.set(this.pool);
      this.pool = pool;
    }
    const entry = this.count++;
    const { pool } = this;
    const o = this.poolUsed;
    for (let k = 0; k < used; k++) pool[o + k] = key[k]!;
    this.poolUsed += used;
    this.starts[entry] = o;
    this.lengths[entry] = used;
    this.hashes[entry] = hash;
    this.slots[slot] = entry + 1;
    this.added = true;
    return entry;
  }

  private equals(entry: number, key: Int32Array, used: number): boolean {
    const { pool } = this;
    const o = this.starts[entry]!;
    for (let k = 0; k < used; k++) if (pool[o + k] !== key[k]) return false;
    return true;
  }

  /** The table as plain data (structured-clone safe; another thread rebuilds it with fromData). */
  toData(): KeyTableData {
    const { max, poolUsed, capacity, count } = this;
    const pool = this.pool.slice(0, Math.max(poolUsed, 1));
    const [starts, lengths, hashes, slots] = [this.starts, this.lengths, this.hashes, this.slots].map((a) =>
      a.slice(),
    ) as [Int32Array, Int32Array, Int32Array, Int32Array];
    return { max, pool, poolUsed, starts, lengths, hashes, slots, capacity, count };
  }

  static fromData(data: KeyTableData): KeyTable {
    const table = new KeyTable(data.max);
    table.pool = data.pool;
    table.poolUsed = data.poolUsed;
    table.starts = data.starts;
    table.lengths = data.lengths;
    table.hashes = data.hashes;
    table.slots = data.slots;
    table.capacity = data.capacity;
    table.count = data.count;
    return table;
  }

  /** An independent copy (same entries). */
  clone(): KeyTable {
    return KeyTable.fromData(this.toData());
  }

  private grow(): void {
    const grown = (a: Int32Array) => {
      const b = new Int32Array(2 * this.capacity);
      b.set(a);
      return b;
    };
    this.starts = grown(this.starts);
    this.lengths = grown(this.lengths);
    this.hashes = grown(this.hashes);
    this.capacity *= 2;
    const slots = new Int32Array(2 * this.capacity);
    const mask = slots.length - 1;
    const { hashes } = this;
    for (let e = 0; e < this.count; e++) {
      let slot = hashes[e]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

/** A KeyTable's state as plain data (its arrays are its own copies). */
interface KeyTableData {
  max: number;
  pool: Int32Array;
  poolUsed: number;
  starts: Int32Array;
  lengths: Int32Array;
  hashes: Int32Array;
  slots: Int32Array;
  capacity: number;
  count: number;
}

/** A SequenceMemo's state as plain data (SequenceMemo.toData / fromData). */
export interface SequenceMemoData {
  width: number;
  seqLen: number;
  rows: KeyTableData;
  sequences: KeyTableData;
}

/** FNV-1a over 32-bit words, then a final mix (the low bits pick the slot). */
function hashWords(words: Int32Array, length: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < length; k++) h = Math.imul(h ^ words[k]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

export class SequenceMemo {
  private readonly rows: KeyTable;
  private readonly sequences: KeyTable;
  /** The row being interned, as float64 and as its int32 words (the key). */
  private readonly row: Float64Array;
  private readonly rowWords: Int32Array;
  /** The sequence being checked: its rows' ids (-1: a row not remembered), and as the key, two to a word. */
  private readonly ids: Int32Array;
  private readonly key: Int32Array;
  /** Sequences checked, and those found already counted. */
  checked = 0;
  repeats = 0;

  constructor(
    readonly width: number,
    readonly seqLen: number,
    maxRows = MAX_ROWS,
    maxSequences = MAX_SEQUENCES,
    tables?: { rows: KeyTable; sequences: KeyTable },
  ) {
    // Ids fit 16 bits (the sequence key packs two to a word).
    this.rows = tables?.rows ?? new KeyTable(Math.min(maxRows, 0x10000));
    this.sequences = tables?.sequences ?? new KeyTable(maxSequences);
    this.row = new Float64Array(width);
    this.rowWords = new Int32Array(this.row.buffer);
    this.ids = new Int32Array(seqLen);
    this.key = new Int32Array((seqLen + 1) >> 1);
  }

  /** A memo that knows what this one knows now, and learns on its own from then on. */
  clone(): SequenceMemo {
    const tables = { rows: this.rows.clone(), sequences: this.sequences.clone() };
    return new SequenceMemo(this.width, this.seqLen, 0, 0, tables);
  }

  /** What this memo knows, as plain data (a copy): another thread goes on from it with fromData. */
  toData(): SequenceMemoData {
    const { width, seqLen } = this;
    return { width, seqLen, rows: this.rows.toData(), sequences: this.sequences.toData() };
  }

  static fromData(data: SequenceMemoData): SequenceMemo {
    const tables = { rows: KeyTable.fromData(data.rows), sequences: KeyTable.fromData(data.sequences) };
    return new SequenceMemo(data.width, data.seqLen, 0, 0, tables);
  }

  /** Sets row t (0 ≤ t < seqLen) of the sequence being checked: its first `width` values. */
  setRow(t: number, values: Float64Array): void {
    const { row, rowWords, width } = this;
    // Rows end in zeros (the port one-hots are always zero: REFERENCE.md §6): the key stops at the last
    // value whose bits are not all zero (a −0 counts), so those are neither hashed nor compared.
    let used = 0;
    for (let k = 0; k < width; k++) {
      row[k] = values[k]!;
      if ((rowWords[2 * k]! | rowWords[2 * k + 1]!) !== 0) used = 2 * k + 2;
    }
    this.ids[t] = this.rows.find(rowWords, used);
  }

  /**
   * After setRow for every t: true when a sequence of these very rows was counted before (skip it); else
   * false, and the sequence is remembered (when there is room) as counted from now on.
   */
  seenBefore(): boolean {
    this.checked++;
    const { ids, key } = this;
    key.fill(0);
    for (let t = 0; t < this.seqLen; t++) {
      const id = ids[t]!;
      if (id < 0) return false;
      key[t >> 1] = key[t >> 1]! | (id << (16 * (t & 1)));
    }
    const entry = this.sequences.find(key, key.length);
    if (entry < 0 || this.sequences.added) return false;
    this.repeats++;
    return true;
  }
}
