import type { Csr, Dense } from './matrix.js';
import type { Rng } from './rng.js';

/**
 * Column-major float32 copy of a design matrix. Trees compare float32 values, as scikit-learn's trees
 * do (they cast X to float32), so thresholds behave identically at fit and predict time.
 * 'sparse' columns hold one base value plus the rows that differ from it (CSC): a normalised bin feature
 * is (0 − mean)/std in ~98 % of rows, so constant-in-node checks and random splits cost O(exceptions).
 */
export type ColumnData =
  | {
      kind: 'dense';
      n: number;
      p: number;
      /** Feature f of row i at xc[f * n + i]. */
      xc: Float32Array;
    }
  | {
      kind: 'sparse';
      n: number;
      p: number;
      base: Float32Array;
      /** Column f's exceptions at [ptr[f], ptr[f+1]), rows ascending. */
      ptr: Int32Array;
      rowIdx: Int32Array;
      vals: Float32Array;
    };

export function toColumns(x: Dense): ColumnData {
  const { rows: n, cols: p } = x;
  const xc = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let f = 0; f < p; f++) xc[f * n + i] = x.data[o + f]!;
  }
  return { kind: 'dense', n, p, xc };
}

/** Columns of z = (x − shift) / scale from a sparse x, without densifying. */
export function toSparseColumns(x: Csr, shift: Float64Array, scale: Float64Array): ColumnData {
  const { rows: n, cols: p } = x;
  const ptr = new Int32Array(p + 1);
  for (let q = 0; q < x.indices.length; q++) ptr[x.indices[q]! + 1]!++;
  for (let f = 0; f < p; f++) ptr[f + 1]! += ptr[f]!;
  const fill = ptr.slice(0, p);
  const rowIdx = new Int32Array(x.indices.length);
  const vals = new Float32Array(x.indices.length);
  for (let i = 0; i < n; i++) {
    for (let q = x.indptr[i]!; q < x.indptr[i + 1]!; q++) {
      const f = x.indices[q]!;
      const at = fill[f]!++;
      rowIdx[at] = i;
      vals[at] = (x.data[q]! - shift[f]!) / scale[f]!;
    }
  }
  const base = new Float32Array(p);
  for (let f = 0; f < p; f++) base[f] = (0 - shift[f]!) / scale[f]!;
  return { kind: 'sparse', n, p, base, ptr, rowIdx, vals };
}

/** A fitted tree as flat arrays (node 0 is the root; feature −1 marks a leaf). */
export interface TreeArrays {
  nodeCount: number;
  nClasses: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Class distribution of each node (weighted, normalised to sum 1), nodeCount × nClasses. */
  value: Float64Array;
}

export interface TreeParams {
  /** Features examined per split (scikit-learn keeps drawing past this while all drawn were constant). */
  maxFeatures: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxDepth: number;
  /** 'best': exhaustive threshold search on sorted values; 'random': one uniform threshold per feature. */
  splitter: 'best' | 'random';
}

export interface BuiltTree {
  tree: TreeArrays;
  /** Mean decrease in impurity per feature, normalised to sum 1 (all zero for a single-leaf tree). */
  importances: Float64Array;
}

const FEATURE_THRESHOLD = 1e-7;
const EPSILON = 2.220446049250313e-16;

/**
 * CART classification tree with Gini impurity on weighted samples (rows with weight 0 are left out,
 * which is how bootstrap counts enter). Split quality: Σ_k wL_k²/WL + Σ_k wR_k²/WR (the Gini proxy);
 * the feature draw and the constant-feature bookkeeping follow scikit-learn's splitters.
 */
export function buildTree(
  data: ColumnData,
  y: ArrayLike<number>,
  weight: Float64Array,
  nClasses: number,
  params: TreeParams,
  rng: Rng,
): BuiltTree {
  const { n, p } = data;
  const k = nClasses;
  if (n >= 2097152) throw new RangeError('buildTree: at most 2,097,151 rows');
  const sampleList: number[] = [];
  for (let i = 0; i < n; i++) if (weight[i]! > 0) sampleList.push(i);
  const samples = Int32Array.from(sampleList);
  const m0 = samples.length;
  const features = new Int32Array(p);
  for (let f = 0; f < p; f++) features[f] = f;
  const constantFeatures = new Int32Array(p);

  // Growable node storage.
  let cap = 64;
  let feature = new Int32Array(cap);
  let threshold = new Float64Array(cap);
  let left = new Int32Array(cap);
  let right = new Int32Array(cap);
  let value = new Float64Array(cap * k);
  let impurity = new Float64Array(cap);
  let wNode = new Float64Array(cap);
  let count = 0;
  const grow = (): void => {
    cap *= 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const g64 = (a: Float64Array, mult = 1) => {
      const b = new Float64Array(cap * mult);
      b.set(a);
      return b;
    };
    feature = g32(feature);
    left = g32(left);
    right = g32(right);
    threshold = g64(threshold);
    value = g64(value, k);
    impurity = g64(impurity);
    wNode = g64(wNode);
  };

  // Scratch buffers sized for the root.
  const xf = new Float32Array(m0);
  const keys = new Float64Array(m0);
  const order = new Int32Array(m0);
  const tmp = new Int32Array(m0);
  const cl = new Float64Array(k);
  const cTot = new Float64Array(k);
  const mark = new Int32Array(n).fill(-1);
  const pos = new Int32Array(n);
  const u32 = new Uint32Array(1);
  const f32 = new Float32Array(u32.buffer);

  // Stack entries: start, end, depth, parent, isLeft, nConstant.
  const stack: number[] = [0, m0, 0, -1, 0, 0];
  while (stack.length > 0) {
    const nConst = stack.pop()!;
    const isLeft = stack.pop()!;
    const parent = stack.pop()!;
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    if (count === cap) grow();
    const node = count++;
    if (parent >= 0) {
      if (isLeft) left[parent] = node;
      else right[parent] = node;
    }
    cTot.fill(0);
    for (let s = start; s < end; s++) {
      const i = samples[s]!;
      cTot[y[i]!]! += weight[i]!;
    }
    let wSum = 0;
    let sq = 0;
    for (let c = 0; c < k; c++) {
      wSum += cTot[c]!;
      sq += cTot[c]! * cTot[c]!;
    }
    const imp = wSum > 0 ? 1 - sq / (wSum * wSum) : 0;
    impurity[node] = imp;
    wNode[node] = wSum;
    for (let c = 0; c < k; c++) value[node * k + c] = wSum > 0 ? cTot[c]! / wSum : 0;
    feature[node] = -1;
    left[node] = -1;
    right[node] = -1;
    const m = end - start;
    if (
      m < params.minSamplesSplit ||
      m < 2 * params.minSamplesLeaf ||
      depth >= params.maxDepth ||
      imp <= EPSILON
    ) {
      continue;
    }

    if (data.kind === 'sparse') {
      for (let q = start; q < end; q++) {
        mark[samples[q]!] = node;
        pos[samples[q]!] = q - start;
      }
    }
    // Feature draw (scikit-learn's scheme): features[0, nKnown) are constant in this node already.
    const nKnown = nConst;
    let nTotalConst = nConst;
    let nDrawnConst = 0;
    let nFoundConst = 0;
    let nVisited = 0;
    let fi = p;
    let bestF = -1;
    let bestThr = 0;
    let bestProxy = Number.NEGATIVE_INFINITY;
    while (fi > nTotalConst && (nVisited < params.maxFeatures || nVisited <= nFoundConst + nDrawnConst)) {
      nVisited++;
      let fj = rng.int(nDrawnConst, fi - nFoundConst);
      if (fj < nKnown) {
        const t = features[nDrawnConst]!;
        features[nDrawnConst] = features[fj]!;
        features[fj] = t;
        nDrawnConst++;
        continue;
      }
      fj += nFoundConst;
      const f = features[fj]!;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      let nExc = 0;
      if (data.kind === 'dense') {
        const base = f * n;
        for (let s = 0; s < m; s++) {
          const v = data.xc[base + samples[start + s]!]!;
          xf[s] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      } else {
        // Only this column's exceptions that fall in the node, plus the base value if some row is not one.
        for (let q = data.ptr[f]!; q < data.ptr[f + 1]!; q++) {
          if (mark[data.rowIdx[q]!] !== node) continue;
          const v = data.vals[q]!;
          nExc++;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (nExc < m) {
          const v = data.base[f]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      if (hi <= lo + FEATURE_THRESHOLD) {
        features[fj] = features[nTotalConst]!;
        features[nTotalConst] = f;
        nFoundConst++;
        nTotalConst++;
        continue;
      }
      fi--;
      features[fj] = features[fi]!;
      features[fi] = f;

      if (params.splitter === 'random') {
        let thr = rng.uniform(lo, hi);
        if (thr === hi) thr = lo;
        cl.fill(0);
        let nl = 0;
        if (data.kind === 'dense') {
          for (let s = 0; s < m; s++) {
            if (xf[s]! <= thr) {
              const i = samples[start + s]!;
              cl[y[i]!]! += weight[i]!;
              nl++;
            }
          }
        } else {
          // Rows at the base value move together; exceptions are counted one by one.
          const baseLeft = data.base[f]! <= thr;
          if (baseLeft) {
            cl.set(cTot);
            nl = m;
          }
          for (let q = data.ptr[f]!; q < data.ptr[f + 1]!; q++) {
            const i = data.rowIdx[q]!;
            if (mark[i] !== node) continue;
            const left = data.vals[q]! <= thr;
            if (left === baseLeft) continue;
            const sign = left ? 1 : -1;
            cl[y[i]!]! += sign * weight[i]!;
            nl += sign;
          }
        }
        if (nl < params.minSamplesLeaf || m - nl < params.minSamplesLeaf) continue;
        const proxy = giniProxy(cl, cTot, k);
        if (proxy > bestProxy) {
          bestProxy = proxy;
          bestF = f;
          bestThr = thr;
        }
        continue;
      }

      if (data.kind === 'sparse') gatherSparse(data, f, m, mark, pos, node, xf);
      // Best splitter: sort positions by value via packed keys (sortable float32 bits · 2²¹ + position).
      for (let s = 0; s < m; s++) {
        f32[0] = xf[s]!;
        const bits = u32[0]!;
        const key = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
        keys[s] = key * 2097152 + s;
      }
      const kk = keys.subarray(0, m).sort();
      for (let s = 0; s < m; s++) order[s] = kk[s]! % 2097152;
      cl.fill(0);
      for (let q = 1; q < m; q++) {
        const prev = order[q - 1]!;
        const i = samples[start + prev]!;
        cl[y[i]!]! += weight[i]!;
        const a = xf[prev]!;
        const b = xf[order[q]!]!;
        if (b <= a + FEATURE_THRESHOLD) continue;
        if (q < params.minSamplesLeaf || m - q < params.minSamplesLeaf) continue;
        const proxy = giniProxy(cl, cTot, k);
        if (proxy > bestProxy) {
          bestProxy = proxy;
          bestF = f;
          let thr = a / 2 + b / 2;
          if (thr === b || !Number.isFinite(thr)) thr = a;
          bestThr = thr;
        }
      }
    }
    // Constant features found here stay known for the children (scikit-learn's invariant).
    features.set(constantFeatures.subarray(0, nKnown), 0);
    constantFeatures.set(features.subarray(nKnown, nKnown + nFoundConst), nKnown);

    if (bestF < 0) continue;
    // Stable partition of the node's samples on the chosen split.
    if (data.kind === 'sparse') {
      gatherSparse(data, bestF, end - start, mark, pos, node, xf);
    } else {
      for (let s = start; s < end; s++) xf[s - start] = data.xc[bestF * n + samples[s]!]!;
    }
    let nl = 0;
    let nr = 0;
    for (let s = start; s < end; s++) {
      const i = samples[s]!;
      if (xf[s - start]! <= bestThr) samples[start + nl++] = i;
      else tmp[nr++] = i;
    }
    if (nl === 0 || nr === 0) continue;
    samples.set(tmp.subarray(0, nr), start + nl);
    feature[node] = bestF;
    threshold[node] = bestThr;
    // Right pushed first so the left subtree is built (and numbered) first.
    stack.push(start + nl, end, depth + 1, node, 0, nTotalConst);
    stack.push(start, start + nl, depth + 1, node, 1, nTotalConst);
  }

  const importances = new Float64Array(p);
  for (let nd = 0; nd < count; nd++) {
    const f = feature[nd]!;
    if (f < 0) continue;
    const l = left[nd]!;
    const r = right[nd]!;
    importances[f]! += wNode[nd]! * impurity[nd]! - wNode[l]! * impurity[l]! - wNode[r]! * impurity[r]!;
  }
  let tot = 0;
  for (let f = 0; f < p; f++) tot += importances[f]!;
  if (tot > 0) for (let f = 0; f < p; f++) importances[f]! /= tot;

  return {
    tree: {
      nodeCount: count,
      nClasses: k,
      feature: feature.slice(0, count),
      threshold: threshold.slice(0, count),
      left: left.slice(0, count),
      right: right.slice(0, count),
      value: value.slice(0, count * k),
    },
    importances,
  };
}

/** Values of column f for the node's samples, in sample order (node rows carry `node` in mark). */
function gatherSparse(
  data: Extract<ColumnData, { kind: 'sparse' }>,
  f: number,
  m: number,
  mark: Int32Array,
  pos: Int32Array,
  node: number,
  xf: Float32Array,
): void {
  xf.fill(data.base[f]!, 0, m);
  for (let q = data.ptr[f]!; q < data.ptr[f + 1]!; q++) {
    const i = data.rowIdx[q]!;
    if (mark[i] === node) xf[pos[i]!] = data.vals[q]!;
  }
}

function giniProxy(cl: Float64Array, cTot: Float64Array, k: number): number {
  let wl = 0;
  let wr = 0;
  let sl = 0;
  let sr = 0;
  for (let c = 0; c < k; c++) {
    const a = cl[c]!;
    const b = cTot[c]! - a;
    wl += a;
    wr += b;
    sl += a * a;
    sr += b * b;
  }
  if (wl <= 0 || wr <= 0) return Number.NEGATIVE_INFINITY;
  return sl / wl + sr / wr;
}

/** Leaf reached by row `x` (values compared as float32, like scikit-learn). */
export function applyTree(t: TreeArrays, x: ArrayLike<number>, offset = 0): number {
  let nd = 0;
  while (t.feature[nd]! >= 0) {
    nd = Math.fround(x[offset + t.feature[nd]!]!) <= t.threshold[nd]! ? t.left[nd]! : t.right[nd]!;
  }
  return nd;
}

/** Nodes visited by row `x`, root to leaf (for path-based explanations). */
export function treePath(t: TreeArrays, x: ArrayLike<number>, offset = 0): number[] {
  const path = [0];
  let nd = 0;
  while (t.feature[nd]! >= 0) {
    nd = Math.fround(x[offset + t.feature[nd]!]!) <= t.threshold[nd]! ? t.left[nd]! : t.right[nd]!;
    path.push(nd);
  }
  return path;
}
