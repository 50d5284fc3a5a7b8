/**
 * Feature rows packed by their non-zero values, for handing a capture's rows to training: a compat or v2
 * row is 4,104 or 4,272 values of which a few dozen are non-zero, and training on hundreds of long captures
 * held 32 KiB per bin until the model was fitted. Plain typed arrays, so they cross worker threads.
 */
export interface PackedRows {
  count: number;
  width: number;
  /** Row i's values are index/value[start[i] .. start[i + 1]). */
  start: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

/** Packs `count` rows of `width` values, row i written into a reused buffer by `write`. */
export function packRows(
  count: number,
  width: number,
  write: (i: number, out: Float64Array) => void,
): PackedRows {
  const row = new Float64Array(width);
  const start = new Int32Array(count + 1);
  let index = new Int32Array(256);
  let value = new Float64Array(256);
  let n = 0;
  for (let i = 0; i < count; i++) {
    write(i, row);
    for (let f = 0; f < width; f++) {
      if (row[f] === 0) continue;
      if (n === index.length) {
        const i2 = new Int32Array(n * 2);
        i2.set(index);
        index = i2;
        const v2 = new Float64Array(n * 2);
        v2.set(value);
        value = v2;
      }
      index[n] = f;
      value[n++] = row[f]!;
    }
    start[i + 1] = n;
  }
  return { count, width, start, index: index.slice(0, n), value: value.slice(0, n) };
}

/** The rows as an array whose element i is a fresh dense row, built when read (read it once per use). */
export function unpackRows(packed: PackedRows): Float64Array[] {
  const { count, width, start, index, value } = packed;
  const isIndex = (key: string | symbol): key is string => {
    if (typeof key !== 'string') return false;
    const i = Number(key);
    return Number.isInteger(i) && i >= 0 && i < count;
  };
  const row = (i: number) => {
    const r = new Float64Array(width);
    for (let k = start[i]!; k < start[i + 1]!; k++) r[index[k]!] = value[k]!;
    return r;
  };
  return new Proxy(new Array<Float64Array>(count), {
    get: (target, key, receiver) => (isIndex(key) ? row(Number(key)) : Reflect.get(target, key, receiver)),
    has: (target, key) => isIndex(key) || Reflect.has(target, key),
  });
}
