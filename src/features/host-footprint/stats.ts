/**
 * The statistics pandas 1.5 / numpy 1.24 computed for the original, to the last bit: numpy's pairwise
 * summation (the order of additions decides the last bits of sums, means and variances) and its linear
 * quantile interpolation.
 */

/** numpy's pairwise_sum over a[from, from + n): 8 accumulators in blocks of ≤ 128, halves above that. */
export function pairwiseSum(a: Float64Array, from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[from]!;
    let r1 = a[from + 1]!;
    let r2 = a[from + 2]!;
    let r3 = a[from + 3]!;
    let r4 = a[from + 4]!;
    let r5 = a[from + 5]!;
    let r6 = a[from + 6]!;
    let r7 = a[from + 7]!;
    const stop = n - (n % 8);
    let i = 8;
    for (; i < stop; i += 8) {
      const k = from + i;
      r0 += a[k]!;
      r1 += a[k + 1]!;
      r2 += a[k + 2]!;
      r3 += a[k + 3]!;
      r4 += a[k + 4]!;
      r5 += a[k + 5]!;
      r6 += a[k + 6]!;
      r7 += a[k + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[from + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

/** numpy 1.24's `_lerp`: a + (b − a)·t, or b − (b − a)·(1 − t) when t ≥ 0.5. */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** `np.percentile(x, 100 q)` (method 'linear') of sorted values s[0, n). */
export function quantileSorted(s: Float64Array, n: number, q: number): number {
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return s[n - 1]!;
  const prev = Math.floor(virtual);
  return lerp(s[prev]!, s[prev + 1]!, virtual - prev);
}

/** numpy's add.reduce over a buffered iterator: pairwise sums of 8192-element buffers, added in turn. */
export function bufferedSum(a: Float64Array, n: number): number {
  let res = 0;
  for (let from = 0; from < n; from += BUFFER) res += pairwiseSum(a, from, Math.min(BUFFER, n - from));
  return res;
}

const BUFFER = 8192;

export interface ColumnStats {
  max: number;
  min: number;
  count: number;
  total: number;
  average: number;
  median: number;
  variance: number;
  q25: number;
  q75: number;
}

/** Sums, mean and variance as pandas computed them (frame order matters for the last bits). */
function moments(values: Float64Array, n: number, scratch: { buf: Float64Array }): [number, number, number] {
  const total = bufferedSum(values, n);
  const average = total / n;
  if (scratch.buf.length < n) scratch.buf = new Float64Array(Math.max(n, scratch.buf.length * 2));
  const sq = scratch.buf;
  for (let i = 0; i < n; i++) {
    const d = average - values[i]!;
    sq[i] = d * d;
  }
  return [total, average, n > 1 ? bufferedSum(sq, n) / (n - 1) : 0];
}

/**
 * columnStats for a column of small non-negative integers (frame lengths): the order statistics come from a
 * histogram instead of a sort, with the same results.
 */
export function integerColumnStats(
  values: Float64Array,
  n: number,
  scratch: { buf: Float64Array },
): ColumnStats {
  if (n === 0)
    return { max: 0, min: 0, count: 0, total: 0, average: 0, median: 0, variance: 0, q25: 0, q75: 0 };
  const [total, average, variance] = moments(values, n, scratch);
  let max = 0;
  for (let i = 0; i < n; i++) if (values[i]! > max) max = values[i]!;
  const counts = new Int32Array(max + 1);
  for (let i = 0; i < n; i++) counts[values[i]!]!++;
  // The k-th smallest value (0-based), for increasing k.
  let bin = 0;
  let below = 0;
  const kth = (k: number): number => {
    if (k < below) {
      bin = 0;
      below = 0;
    }
    while (below + counts[bin]! <= k) below += counts[bin++]!;
    return bin;
  };
  const min = kth(0);
  const at = (q: number): number => {
    const virtual = (n - 1) * q;
    if (virtual >= n - 1) return max;
    const prev = Math.floor(virtual);
    const t = virtual - prev;
    const a = kth(prev);
    const b = kth(prev + 1);
    const d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
  };
  const q25 = at(0.25);
  const mid = n >> 1;
  const median = n % 2 === 1 ? kth(mid) : (kth(mid - 1) + kth(mid)) / 2;
  const q75 = at(0.75);
  return { max, min, count: n, total, average, median, variance, q25, q75 };
}

/**
 * The nine statistics of one column (pandas Series max, min, count, sum, mean, median, var(ddof=1),
 * quantile(.25), quantile(.75)); NaN results (empty column, variance of one value) become 0 as in the
 * original. `values` holds the column in frame order (the sums depend on it); `scratch` is reused.
 */
export function columnStats(values: Float64Array, n: number, scratch: { buf: Float64Array }): ColumnStats {
  if (n === 0)
    return { max: 0, min: 0, count: 0, total: 0, average: 0, median: 0, variance: 0, q25: 0, q75: 0 };
  const total = bufferedSum(values, n);
  const average = total / n;
  if (scratch.buf.length < n) scratch.buf = new Float64Array(Math.max(n, scratch.buf.length * 2));
  const sq = scratch.buf;
  for (let i = 0; i < n; i++) {
    const d = average - values[i]!;
    sq[i] = d * d;
  }
  const variance = n > 1 ? bufferedSum(sq, n) / (n - 1) : 0;
  const sorted = sq.subarray(0, n);
  sorted.set(values.subarray(0, n));
  sorted.sort();
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    max: sorted[n - 1]!,
    min: sorted[0]!,
    count: n,
    total,
    average,
    median,
    variance,
    q25: quantileSorted(sorted, n, 0.25),
    q75: quantileSorted(sorted, n, 0.75),
  };
}
