/**
 * Dense row-major matrices and CSR sparse helpers on Float64Array. Bin feature vectors are ~2 % non-zero,
 * so sparse × dense products (O(nnz · cols)) replace dense ones (O(rows · inner · cols)) where it pays.
 */

export interface Dense {
  rows: number;
  cols: number;
  /** Row-major: element (i, j) at data[i * cols + j]. */
  data: Float64Array;
}

export interface Csr {
  rows: number;
  cols: number;
  /** Row i's entries are at [indptr[i], indptr[i+1]). */
  indptr: Int32Array;
  indices: Int32Array;
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Dense {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function row(m: Dense, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Rows `idx` of m, in that order. */
export function takeRows(m: Dense, idx: ArrayLike<number>): Dense {
  const out = zeros(idx.length, m.cols);
  for (let k = 0; k < idx.length; k++) out.data.set(row(m, idx[k]!), k * m.cols);
  return out;
}

/** Columns `idx` of m, in that order. */
export function takeCols(m: Dense, idx: ArrayLike<number>): Dense {
  const out = zeros(m.rows, idx.length);
  const k = idx.length;
  for (let i = 0; i < m.rows; i++) {
    const src = i * m.cols;
    const dst = i * k;
    for (let j = 0; j < k; j++) out.data[dst + j] = m.data[src + idx[j]!]!;
  }
  return out;
}

/** C = A · B (dense). Loop order i-k-j keeps the inner loop on contiguous rows of B and C. */
export function matmul(a: Dense, b: Dense, out?: Dense): Dense {
  if (a.cols !== b.rows) throw new RangeError(`matmul shape ${a.rows}x${a.cols} · ${b.rows}x${b.cols}`);
  const c = out ?? zeros(a.rows, b.cols);
  const n = b.cols;
  const cd = c.data;
  cd.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const ci = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) cd[ci + j]! += aik * b.data[bk + j]!;
    }
  }
  return c;
}

/** C = Aᵀ · B (dense), without materialising Aᵀ. */
export function matmulTA(a: Dense, b: Dense, out?: Dense): Dense {
  if (a.rows !== b.rows) throw new RangeError(`matmulTA shape ${a.rows}x${a.cols}ᵀ · ${b.rows}x${b.cols}`);
  const c = out ?? zeros(a.cols, b.cols);
  const n = b.cols;
  const cd = c.data;
  cd.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const bi = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      if (aik === 0) continue;
      const ck = k * n;
      for (let j = 0; j < n; j++) cd[ck + j]! += aik * b.data[bi + j]!;
    }
  }
  return c;
}

export function csrFromDense(m: Dense): Csr {
  let nnz = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i] !== 0) nnz++;
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let p = 0;
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[base + j]!;
      if (v !== 0) {
        indices[p] = j;
        data[p++] = v;
      }
    }
    indptr[i + 1] = p;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices, data };
}

export function csrFromRows(rowsIn: ArrayLike<ArrayLike<number>>, cols: number): Csr {
  const rows = rowsIn.length;
  let nnz = 0;
  for (let i = 0; i < rows; i++) {
    const r = rowsIn[i]!;
    for (let j = 0; j < r.length; j++) if (r[j] !== 0) nnz++;
  }
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let p = 0;
  for (let i = 0; i < rows; i++) {
    const r = rowsIn[i]!;
    if (r.length !== cols) throw new RangeError(`row ${i} has ${r.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) {
      const v = r[j]!;
      if (v !== 0) {
        indices[p] = j;
        data[p++] = v;
      }
    }
    indptr[i + 1] = p;
  }
  return { rows, cols, indptr, indices, data };
}

export function csrToDense(a: Csr): Dense {
  const m = zeros(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = a.indptr[i]!; p < a.indptr[i + 1]!; p++) m.data[i * a.cols + a.indices[p]!] = a.data[p]!;
  }
  return m;
}

/** C = A · B with A sparse: cost O(nnz(A) · B.cols). */
export function csrMatmul(a: Csr, b: Dense, out?: Dense): Dense {
  if (a.cols !== b.rows) throw new RangeError(`csrMatmul shape ${a.rows}x${a.cols} · ${b.rows}x${b.cols}`);
  const c = out ?? zeros(a.rows, b.cols);
  const n = b.cols;
  const cd = c.data;
  cd.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const ci = i * n;
    for (let p = a.indptr[i]!; p < a.indptr[i + 1]!; p++) {
      const v = a.data[p]!;
      const bk = a.indices[p]! * n;
      for (let j = 0; j < n; j++) cd[ci + j]! += v * b.data[bk + j]!;
    }
  }
  return c;
}

/** C = Aᵀ · B with A sparse (e.g. a weight gradient Xᵀ·δ): cost O(nnz(A) · B.cols). */
export function csrMatmulTA(a: Csr, b: Dense, out?: Dense): Dense {
  if (a.rows !== b.rows) throw new RangeError(`csrMatmulTA shape ${a.rows}x${a.cols}ᵀ · ${b.rows}x${b.cols}`);
  const c = out ?? zeros(a.cols, b.cols);
  const n = b.cols;
  const cd = c.data;
  cd.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const bi = i * n;
    for (let p = a.indptr[i]!; p < a.indptr[i + 1]!; p++) {
      const v = a.data[p]!;
      const ck = a.indices[p]! * n;
      for (let j = 0; j < n; j++) cd[ck + j]! += v * b.data[bi + j]!;
    }
  }
  return c;
}

/** Rows `idx` of a sparse matrix. */
export function csrTakeRows(a: Csr, idx: ArrayLike<number>): Csr {
  let nnz = 0;
  for (let k = 0; k < idx.length; k++) nnz += a.indptr[idx[k]! + 1]! - a.indptr[idx[k]!]!;
  const indptr = new Int32Array(idx.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let p = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const s = a.indptr[i]!;
    const e = a.indptr[i + 1]!;
    indices.set(a.indices.subarray(s, e), p);
    data.set(a.data.subarray(s, e), p);
    p += e - s;
    indptr[k + 1] = p;
  }
  return { rows: idx.length, cols: a.cols, indptr, indices, data };
}

/** Columns `idx` of a sparse matrix, in that order (a column may not repeat). */
export function csrTakeCols(a: Csr, idx: ArrayLike<number>): Csr {
  const map = new Int32Array(a.cols).fill(-1);
  for (let j = 0; j < idx.length; j++) map[idx[j]!] = j;
  const indptr = new Int32Array(a.rows + 1);
  const ind: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < a.rows; i++) {
    const rowStart = ind.length;
    for (let p = a.indptr[i]!; p < a.indptr[i + 1]!; p++) {
      const j = map[a.indices[p]!]!;
      if (j >= 0) {
        ind.push(j);
        val.push(a.data[p]!);
      }
    }
    // keep column indices ascending within the row
    if (ind.length - rowStart > 1) {
      const order = Array.from({ length: ind.length - rowStart }, (_, q) => rowStart + q).sort(
        (u, v) => ind[u]! - ind[v]!,
      );
      const si = order.map((q) => ind[q]!);
      const sv = order.map((q) => val[q]!);
      for (let q = 0; q < si.length; q++) {
        ind[rowStart + q] = si[q]!;
        val[rowStart + q] = sv[q]!;
      }
    }
    indptr[i + 1] = ind.length;
  }
  return {
    rows: a.rows,
    cols: idx.length,
    indptr,
    indices: Int32Array.from(ind),
    data: Float64Array.from(val),
  };
}
