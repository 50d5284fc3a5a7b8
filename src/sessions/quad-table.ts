/**
 * Keys of up to four 32-bit words (unused words 0) interned to dense ids 0, 1, 2, … in insertion order, as
 * hash-table.ts's WordKeyTable does, but with the words passed as arguments and one inline hash. The v2 and
 * behaviour extractors look up several such keys per packet or flow, and WordKeyTable's width-generic path
 * (a probe array, one mixing round and one compare per word, in loops) was most of their bin close's time.
 */

const EMPTY = -1;

export class QuadTable {
  private keys: Int32Array<ArrayBuffer>;
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.keys = new Int32Array(initialCapacity * 4);
  }

  /** The id of key (a, b, c, d), adding it when new (a new key's id is `size - 1` afterwards). */
  intern(a: number, b: number, c: number, d: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const slot = this.slotOf(a, b, c, d);
    const found = this.slots[slot]!;
    if (found !== EMPTY) return found;
    const id = this.size++;
    const o = id << 2;
    if (o + 4 > this.keys.length) this.growKeys();
    const k = this.keys;
    k[o] = a;
    k[o + 1] = b;
    k[o + 2] = c;
    k[o + 3] = d;
    this.slots[slot] = id;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** The id of key (a, b, c, d), or -1 when it was never interned. */
  find(a: number, b: number, c: number, d: number): number {
    return this.slots[this.slotOf(a | 0, b | 0, c | 0, d | 0)]!;
  }

  /** The slot that holds key (a, b, c, d; int32 words), or else the free slot where it would go. */
  private slotOf(a: number, b: number, c: number, d: number): number {
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash(a, b, c, d) & mask;
    for (;;) {
      const id = slots[slot]!;
      if (id === EMPTY) return slot;
      const o = id << 2;
      if (keys[o] === a && keys[o + 1] === b && keys[o + 2] === c && keys[o + 3] === d) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Word `w` (0..3) of the key with this id, as given to `intern` (a signed 32-bit integer). */
  word(id: number, w: number): number {
    return this.keys[(id << 2) + w]!;
  }

  /**
   * Empties the table, keeping its capacity. A table a burst grew (a flood's bin) and that now holds a few
   * keys per bin frees their slots one by one rather than refilling millions each time.
   */
  clear(): void {
    if (this.size * 8 >= this.slots.length) this.slots.fill(EMPTY);
    else {
      const slots = this.slots;
      const mask = this.mask;
      for (let id = 0; id < this.size; id++) {
        let slot = this.homeSlot(id, mask);
        // The key is in its probe run; slots freed before it in the run are skipped, not an end.
        while (slots[slot] !== id) slot = (slot + 1) & mask;
        slots[slot] = EMPTY;
      }
    }
    this.size = 0;
  }

  /** Where key `id`'s probe run starts in a table of mask + 1 slots. */
  private homeSlot(id: number, mask: number): number {
    const k = this.keys;
    const o = id << 2;
    return hash(k[o]!, k[o + 1]!, k[o + 2]!, k[o + 3]!) & mask;
  }

  private growKeys(): void {
    const grown = new Int32Array(this.keys.length * 2);
    grown.set(this.keys);
    this.keys = grown;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap).fill(EMPTY);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.homeSlot(id, mask);
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Mixes the four words (xor-multiply rounds, then a final avalanche so the low bits used depend on all). */
function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ c;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ d;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return h ^ (h >>> 15);
}
