/**
 * The iteration order of CPython 3.11 sets, which decided two things in the original: the order hosts come
 * out in, and `source_ip` (the first element of a set of address strings). Strings hash with SipHash-1-3
 * under key 0 (the reference ran with PYTHONHASHSEED=0); non-negative ints below 2^61 − 1 hash to
 * themselves. Runs once per capture and host at the end, on a handful of keys: BigInt is fine here.
 */

const M64 = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & M64;
}

/** CPython's `siphash13(k0 = 0, k1 = 0, bytes)`, as an unsigned 64-bit value. */
export function siphash13(bytes: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n;
  let v1 = 0x646f72616e646f6dn;
  let v2 = 0x6c7967656e657261n;
  let v3 = 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & M64;
    v2 = (v2 + v3) & M64;
    v1 = rotl(v1, 13n) ^ v0;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v1) & M64;
    v0 = (v0 + v3) & M64;
    v1 = rotl(v1, 17n) ^ v2;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = rotl(v2, 32n);
  };
  const n = bytes.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    let m = 0n;
    for (let k = 7; k >= 0; k--) m = (m << 8n) | BigInt(bytes[i + k]!);
    v3 ^= m;
    round();
    v0 ^= m;
  }
  let t = 0n;
  for (let k = n - i - 1; k >= 0; k--) t = (t << 8n) | BigInt(bytes[i + k]!);
  const last = ((BigInt(n) & 0xffn) << 56n) | t;
  v3 ^= last;
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  round();
  round();
  round();
  return v0 ^ v1 ^ (v2 ^ v3);
}

/** `hash(str)` for an ASCII string under PYTHONHASHSEED=0, as the unsigned 64-bit size_t CPython probes with. */
export function strHash(s: string): bigint {
  if (s.length === 0) return 0n;
  const h = siphash13(Buffer.from(s, 'latin1'));
  // A hash of -1 is reserved: CPython uses -2 instead.
  return h === M64 ? M64 - 1n : h;
}

/** `hash(n)` for 0 ≤ n < 2^61 − 1. */
export function intHash(n: number): bigint {
  return BigInt(n);
}

interface Entry<K> {
  key: K;
  hash: bigint;
  dummy: boolean;
}

const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5n;
const MIN_SIZE = 8;

/** CPython 3.11's set table (setobject.c): insertion, resize, merge, discard; keys compared by `===`. */
export class PySet<K> {
  private table: (Entry<K> | null)[] = new Array(MIN_SIZE).fill(null);
  private mask = MIN_SIZE - 1;
  private fill = 0;
  used = 0;

  /** `set(iterable)` / `frozenset(iterable)`: add each in order. */
  static from<K>(keys: Iterable<K>, hash: (k: K) => bigint): PySet<K> {
    const s = new PySet<K>();
    for (const k of keys) s.add(k, hash(k));
    return s;
  }

  /** Iteration order (set_next): table order, dummies skipped. */
  *[Symbol.iterator](): Iterator<K> {
    for (const e of this.table) if (e && !e.dummy) yield e.key;
  }

  entries(): Entry<K>[] {
    return this.table.filter((e): e is Entry<K> => e !== null && !e.dummy);
  }

  add(key: K, hash: bigint): void {
    const mask = BigInt(this.mask);
    let i = hash & mask;
    let perturb = hash;
    let freeslot = -1;
    for (;;) {
      let idx = Number(i);
      let probes = idx + LINEAR_PROBES <= this.mask ? LINEAR_PROBES : 0;
      for (;;) {
        const e = this.table[idx];
        if (!e) {
          if (freeslot >= 0) {
            this.table[freeslot] = { key, hash, dummy: false };
            this.used++;
            return;
          }
          this.table[idx] = { key, hash, dummy: false };
          this.fill++;
          this.used++;
          if (this.fill * 5 >= this.mask * 3) this.resize(this.used > 50000 ? this.used * 2 : this.used * 4);
          return;
        }
        if (e.dummy) {
          if (freeslot < 0) freeslot = idx;
        } else if (e.hash === hash && e.key === key) {
          return;
        }
        if (probes-- === 0) break;
        idx++;
      }
      perturb >>= PERTURB_SHIFT;
      i = (i * 5n + 1n + perturb) & mask;
    }
  }

  has(key: K, hash: bigint): boolean {
    return this.entries().some((e) => e.hash === hash && e.key === key);
  }

  discard(key: K, hash: bigint): void {
    const e = this.table.find((x) => x && !x.dummy && x.hash === hash && x.key === key);
    if (!e) return;
    e.dummy = true;
    e.hash = M64; // -1
    this.used--;
  }

  private resize(minused: number): void {
    let size = MIN_SIZE;
    while (size <= minused) size *= 2;
    const old = this.table;
    this.table = new Array(size).fill(null);
    this.mask = size - 1;
    this.fill = this.used;
    for (const e of old) if (e && !e.dummy) this.insertClean(e.key, e.hash);
  }

  private insertClean(key: K, hash: bigint): void {
    const mask = BigInt(this.mask);
    let i = hash & mask;
    let perturb = hash;
    for (;;) {
      let idx = Number(i);
      if (!this.table[idx]) {
        this.table[idx] = { key, hash, dummy: false };
        return;
      }
      if (idx + LINEAR_PROBES <= this.mask) {
        for (let j = 0; j < LINEAR_PROBES; j++) {
          idx++;
          if (!this.table[idx]) {
            this.table[idx] = { key, hash, dummy: false };
            return;
          }
        }
      }
      perturb >>= PERTURB_SHIFT;
      i = (i * 5n + 1n + perturb) & mask;
    }
  }

  /** set_merge into this (an empty copy target, or a set receiving another's keys). */
  merge(other: PySet<K>): void {
    if (other === this || other.used === 0) return;
    if ((this.fill + other.used) * 5 >= this.mask * 3) this.resize((this.used + other.used) * 2);
    if (this.fill === 0 && this.mask === other.mask && other.fill === other.used) {
      this.table = other.table.map((e) => (e ? { ...e } : null));
      this.fill = other.fill;
      this.used = other.used;
      return;
    }
    if (this.fill === 0) {
      this.fill = other.used;
      this.used = other.used;
      for (const e of other.table) if (e && !e.dummy) this.insertClean(e.key, e.hash);
      return;
    }
    for (const e of other.table) if (e && !e.dummy) this.add(e.key, e.hash);
  }

  /** `set(self)` — a copy made by set_merge into a new empty set. */
  copy(): PySet<K> {
    const s = new PySet<K>();
    s.merge(this);
    return s;
  }

  /** `self | other` (set_union: copy, then merge). */
  union(other: PySet<K>): PySet<K> {
    const s = this.copy();
    s.merge(other);
    return s;
  }

  /** `self - other` (set_difference: copy-and-discard when self is > 4× larger, else rebuild). */
  difference(other: PySet<K>): PySet<K> {
    if (this.used >> 2 > other.used) {
      const s = this.copy();
      for (const e of other.entries()) s.discard(e.key, e.hash);
      return s;
    }
    const s = new PySet<K>();
    for (const e of this.entries()) if (!other.has(e.key, e.hash)) s.add(e.key, e.hash);
    return s;
  }
}
