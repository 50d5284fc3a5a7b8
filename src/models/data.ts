import {
  type Csr,
  csrMatmul,
  csrMatmulTA,
  csrTakeCols,
  csrTakeRows,
  type Dense,
  matmul,
  matmulTA,
  takeCols,
  takeRows,
  zeros,
} from './matrix.js';

/**
 * A standardised sparse matrix kept sparse: element (i, j) = (csr(i, j) − shift[j]) / scale[j].
 * Z·W = X·(D⁻¹W) − 1·(shiftᵀD⁻¹W) and Zᵀ·G = D⁻¹(XᵀG − shift·1ᵀG), so products cost O(nnz).
 */
export interface ScaledCsr {
  rows: number;
  cols: number;
  csr: Csr;
  shift: Float64Array;
  scale: Float64Array;
}

/** Estimator input: dense, CSR when most values are zero, or standardised CSR. */
export type Matrix = Dense | Csr | ScaledCsr;

export function isCsr(m: Matrix): m is Csr {
  return 'indptr' in m;
}

export function isScaled(m: Matrix): m is ScaledCsr {
  return 'csr' in m;
}

export function mRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  if (isScaled(m)) return { ...m, rows: idx.length, csr: csrTakeRows(m.csr, idx) };
  return isCsr(m) ? csrTakeRows(m, idx) : takeRows(m, idx);
}

export function mCols(m: Matrix, idx: ArrayLike<number>): Matrix {
  if (isScaled(m)) {
    return {
      rows: m.rows,
      cols: idx.length,
      csr: csrTakeCols(m.csr, idx),
      shift: Float64Array.from(idx, (j) => m.shift[j]!),
      scale: Float64Array.from(idx, (j) => m.scale[j]!),
    };
  }
  return isCsr(m) ? csrTakeCols(m, idx) : takeCols(m, idx);
}

/** Row i as dense values: a view of dense storage, else written into `scratch` (cols long). */
export function mRow(m: Matrix, i: number, scratch: Float64Array): Float64Array {
  if (!isCsr(m) && !isScaled(m)) return m.data.subarray(i * m.cols, (i + 1) * m.cols);
  const a = isScaled(m) ? m.csr : m;
  if (isScaled(m)) for (let j = 0; j < m.cols; j++) scratch[j] = -m.shift[j]! / m.scale[j]!;
  else scratch.fill(0);
  for (let p = a.indptr[i]!; p < a.indptr[i + 1]!; p++) {
    const j = a.indices[p]!;
    scratch[j] = isScaled(m) ? (a.data[p]! - m.shift[j]!) / m.scale[j]! : a.data[p]!;
  }
  return scratch;
}

/** The matrix as dense rows (for small selected-feature matrices). */
export function toDense(m: Matrix): Dense {
  if (!isCsr(m) && !isScaled(m)) return m;
  const a = isScaled(m) ? m.csr : m;
  const out = zeros(m.rows, m.cols);
  if (isScaled(m)) {
    for (let i = 0; i < m.rows; i++)
      for (let j = 0; j < m.cols; j++) out.data[i * m.cols + j] = -m.shift[j]! / m.scale[j]!;
  }
  for (let i = 0; i < a.rows; i++) {
    for (let p = a.indptr[i]!; p < a.indptr[i + 1]!; p++) {
      const j = a.indices[p]!;
      out.data[i * m.cols + j] = isScaled(m) ? (a.data[p]! - m.shift[j]!) / m.scale[j]! : a.data[p]!;
    }
  }
  return out;
}

/** X · W for any storage. */
export function mMul(x: Matrix, w: Dense, out?: Dense): Dense {
  if (isScaled(x)) {
    const k = w.cols;
    const ws = zeros(w.rows, k);
    const off = new Float64Array(k);
    for (let j = 0; j < w.rows; j++) {
      const inv = 1 / x.scale[j]!;
      const sh = x.shift[j]!;
      for (let c = 0; c < k; c++) {
        const v = w.data[j * k + c]! * inv;
        ws.data[j * k + c] = v;
        off[c]! += sh * v;
      }
    }
    const c = csrMatmul(x.csr, ws, out);
    for (let i = 0; i < c.rows; i++) for (let q = 0; q < k; q++) c.data[i * k + q]! -= off[q]!;
    return c;
  }
  return isCsr(x) ? csrMatmul(x, w, out) : matmul(x, w, out);
}

/** Xᵀ · G for any storage. */
export function mMulTA(x: Matrix, g: Dense, out?: Dense): Dense {
  if (isScaled(x)) {
    const k = g.cols;
    const c = csrMatmulTA(x.csr, g, out);
    const colSum = new Float64Array(k);
    for (let i = 0; i < g.rows; i++) for (let q = 0; q < k; q++) colSum[q]! += g.data[i * k + q]!;
    for (let j = 0; j < x.cols; j++) {
      const inv = 1 / x.scale[j]!;
      const sh = x.shift[j]!;
      for (let q = 0; q < k; q++) c.data[j * k + q] = (c.data[j * k + q]! - sh * colSum[q]!) * inv;
    }
    return c;
  }
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
