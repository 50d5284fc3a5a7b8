import {
  type Csr,
  csrMatmul,
  csrMatmulTA,
  csrTakeRows,
  type Dense,
  matmul,
  matmulTA,
  takeRows,
} from './matrix.js';

/** Estimator input: dense, or CSR when most values are zero. */
export type Matrix = Dense | Csr;

export function isCsr(m: Matrix): m is Csr {
  return 'indptr' in m;
}

export function mRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  return isCsr(m) ? csrTakeRows(m, idx) : takeRows(m, idx);
}

/** X · W for either storage. */
export function mMul(x: Matrix, w: Dense, out?: Dense): Dense {
  return isCsr(x) ? csrMatmul(x, w, out) : matmul(x, w, out);
}

/** Xᵀ · G for either storage. */
export function mMulTA(x: Matrix, g: Dense, out?: Dense): Dense {
  return isCsr(x) ? csrMatmulTA(x, g, out) : matmulTA(x, g, out);
}

/** Class labels as indices 0..K-1; K is max+1 unless given. */
export function checkTargets(y: ArrayLike<number>, rows: number, nClasses?: number): number {
  if (y.length !== rows) throw new RangeError(`${rows} rows but ${y.length} targets`);
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`target ${i} is not a class index: ${v}`);
    if (v + 1 > k) k = v + 1;
  }
  if (nClasses !== undefined) {
    if (k > nClasses) throw new RangeError(`target ${k - 1} >= nClasses ${nClasses}`);
    return nClasses;
  }
  return k;
}

/** Row-wise softmax in place, max-subtracted for stability. */
export function softmaxRows(m: Dense): void {
  const k = m.cols;
  const d = m.data;
  for (let i = 0; i < m.rows; i++) {
    const o = i * k;
    let mx = d[o]!;
    for (let j = 1; j < k; j++) if (d[o + j]! > mx) mx = d[o + j]!;
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(d[o + j]! - mx);
      d[o + j] = e;
      s += e;
    }
    for (let j = 0; j < k; j++) d[o + j]! /= s;
  }
}

/** Argmax per row of a probability matrix. */
export function argmaxRows(p: Dense): Int32Array {
  const out = new Int32Array(p.rows);
  for (let i = 0; i < p.rows; i++) {
    let best = 0;
    let bv = p.data[i * p.cols]!;
    for (let j = 1; j < p.cols; j++) {
      const v = p.data[i * p.cols + j]!;
      if (v > bv) {
        bv = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

export function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  if (y.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}
