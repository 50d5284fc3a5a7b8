/**
 * Open-addressing hash tables over fixed-width integer keys, stored in typed arrays.
 *
 * The session stage looks up several keys per packet; JS Maps keyed by strings or large doubles would
 * allocate on every lookup. These tables allocate only when they grow (doubling), so the per-packet path
 * stays allocation-free.
 */

const EMPTY = -1;

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  // Signed: a small integer for V8 wherever the hash is returned from a call it does not inline (an
  // unsigned one past 2^31 is a heap number); callers only take its low bits.
  return h | 0;
}

/**
 * Interns keys of `width` uint32 words to dense ids 0, 1, 2, … in insertion order.
 * Callers fill `probe` with the key, then call `find` or `intern`.
 */
export class WordKeyTable {
  /** The key to look up: fill words 0..width-1 before find/intern. */
  readonly probe: Uint32Array;
  private keys: Uint32Array;
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(
    readonly width: number,
    initialCapacity = 1024,
  ) {
    this.probe = new Uint32Array(width);
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.keys = new Uint32Array(initialCapacity * width);
  }

  /**
   * The probe key's hash, a signed 32-bit integer (its low bits pick the table's slot; callers may use them
   * for caches of their own).
   */
  hashProbe(): number {
    let h = 0x9e3779b9;
    for (let w = 0; w < this.width; w++) h = mix32(h ^ this.probe[w]!);
    return h;
  }

  private matches(id: number): boolean {
    const base = id * this.width;
    for (let w = 0; w < this.width; w++) if (this.keys[base + w] !== this.probe[w]) return false;
    return true;
  }

  /** The id of the probe key, or -1. */
  find(): number {
    let slot = this.hashProbe() & this.mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id === EMPTY) return EMPTY;
      if (this.matches(id)) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id of the probe key, adding it when new (new ids are `size - 1` afterwards). */
  intern(): number {
    let slot = this.hashProbe() & this.mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id === EMPTY) break;
      if (this.matches(id)) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    if (id * this.width + this.width > this.keys.length) {
      const grown = new Uint32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys.set(this.probe, id * this.width);
    this.slots[slot] = id;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** Word `w` of the key with this id. */
  keyWord(id: number, w: number): number {
    return this.keys[id * this.width + w]!;
  }

  clear(): void {
    this.slots.fill(EMPTY);
    this.size = 0;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    this.slots = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    const saved = new Uint32Array(this.width);
    saved.set(this.probe);
    for (let id = 0; id < this.size; id++) {
      for (let w = 0; w < this.width; w++) this.probe[w] = this.keys[id * this.width + w]!;
      let slot = this.hashProbe() & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
    }
    this.probe.set(saved);
  }
}
