import { accuracy, isCsr, type Matrix, mCols, mRows, type ScaledCsr } from './data.js';
import { ExtraTrees } from './forest.js';
import { MultinomialLogisticRegression } from './logistic.js';
import { type Csr, type Dense, zeros } from './matrix.js';
import { Rng } from './rng.js';
import { stratifiedKFold } from './split.js';

export interface Normalisation {
  means: Float64Array;
  stds: Float64Array;
}

/**
 * Column means and population standard deviations of the training rows. 'compat' keeps the reference's
 * quirk (every std ≤ 1 becomes 1, so shares in [0, 1] stay unscaled); 'standard' only replaces 0 by 1.
 */
export function fitNormalisation(x: Dense | Csr, mode: 'compat' | 'standard'): Normalisation {
  const { rows: n, cols: p } = x;
  const means = new Float64Array(p);
  const stds = new Float64Array(p);
  if (isCsr(x)) {
    // Two passes over the non-zeros; the implicit zeros add (n − nnz_f) · mean².
    const nnz = new Int32Array(p);
    for (let q = 0; q < x.indices.length; q++) {
      means[x.indices[q]!]! += x.data[q]!;
      nnz[x.indices[q]!]!++;
    }
    for (let f = 0; f < p; f++) means[f]! /= Math.max(n, 1);
    for (let q = 0; q < x.indices.length; q++) {
      const d = x.data[q]! - means[x.indices[q]!]!;
      stds[x.indices[q]!]! += d * d;
    }
    for (let f = 0; f < p; f++) stds[f]! += (n - nnz[f]!) * means[f]! * means[f]!;
  } else {
    for (let i = 0; i < n; i++) for (let f = 0; f < p; f++) means[f]! += x.data[i * p + f]!;
    for (let f = 0; f < p; f++) means[f]! /= Math.max(n, 1);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < p; f++) {
        const d = x.data[i * p + f]! - means[f]!;
        stds[f]! += d * d;
      }
    }
  }
  for (let f = 0; f < p; f++) {
    const s = Math.sqrt(stds[f]! / Math.max(n, 1));
    stds[f] = mode === 'compat' ? Math.max(s, 1) : s === 0 ? 1 : s;
  }
  return { means, stds };
}

/** z = (x − mean) / std for every column; a sparse x stays sparse (as a ScaledCsr view). */
export function applyNormalisation(x: Dense, norm: Normalisation): Dense;
export function applyNormalisation(x: Csr, norm: Normalisation): ScaledCsr;
export function applyNormalisation(x: Dense | Csr, norm: Normalisation): Dense | ScaledCsr {
  if (isCsr(x)) return { rows: x.rows, cols: x.cols, csr: x, shift: norm.means, scale: norm.stds };
  const out = zeros(x.rows, x.cols);
  const p = x.cols;
  for (let i = 0; i < x.rows; i++) {
    for (let f = 0; f < p; f++) out.data[i * p + f] = (x.data[i * p + f]! - norm.means[f]!) / norm.stds[f]!;
  }
  return out;
}

/**
 * The reference's "Unknown" examples: a copy of the rows with every column permuted independently, which
 * keeps each feature's marginal distribution and destroys the joint structure of real devices.
 */
export function shuffledColumnsCopy(x: Dense, rng: Rng): Dense {
  const out = zeros(x.rows, x.cols);
  const n = x.rows;
  const p = x.cols;
  const perm = new Int32Array(n);
  for (let f = 0; f < p; f++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    rng.shuffle(perm);
    for (let i = 0; i < n; i++) out.data[i * p + f] = x.data[perm[i]! * p + f]!;
  }
  return out;
}

/** shuffledColumnsCopy for a sparse matrix: each column's values land on uniformly random distinct rows. */
export function shuffledColumnsCopyCsr(x: Csr, rng: Rng): Csr {
  const n = x.rows;
  const p = x.cols;
  const byCol: number[][] = Array.from({ length: p }, () => []);
  const srcRow = new Int32Array(x.indices.length);
  for (let i = 0; i < n; i++) {
    for (let q = x.indptr[i]!; q < x.indptr[i + 1]!; q++) {
      byCol[x.indices[q]!]!.push(q);
      srcRow[q] = i;
    }
  }
  const perm = new Int32Array(n);
  const rowOf = new Int32Array(x.indices.length);
  for (let f = 0; f < p; f++) {
    const entries = byCol[f]!;
    if (entries.length === 0) continue;
    for (let i = 0; i < n; i++) perm[i] = i;
    rng.shuffle(perm);
    // The value of row i goes to row perm[i], as a full column permutation would place it.
    for (const q of entries) rowOf[q] = perm[srcRow[q]!]!;
  }
  const counts = new Int32Array(n + 1);
  for (let q = 0; q < rowOf.length; q++) counts[rowOf[q]! + 1]!++;
  for (let i = 0; i < n; i++) counts[i + 1]! += counts[i]!;
  const fill = counts.slice(0, n);
  const indices = new Int32Array(rowOf.length);
  const data = new Float64Array(rowOf.length);
  // Columns visited in ascending order keep each row's indices sorted.
  for (let f = 0; f < p; f++) {
    for (const q of byCol[f]!) {
      const at = fill[rowOf[q]!]!++;
      indices[at] = f;
      data[at] = x.data[q]!;
    }
  }
  return { rows: n, cols: p, indptr: counts, indices, data };
}

/** Rows of a on top of rows of b. */
export function csrVStack(a: Csr, b: Csr): Csr {
  const indptr = new Int32Array(a.rows + b.rows + 1);
  indptr.set(a.indptr, 0);
  const nnzA = a.indptr[a.rows]!;
  for (let i = 1; i <= b.rows; i++) indptr[a.rows + i] = nnzA + b.indptr[i]!;
  const indices = new Int32Array(nnzA + b.indices.length);
  indices.set(a.indices.subarray(0, nnzA), 0);
  indices.set(b.indices, nnzA);
  const data = new Float64Array(indices.length);
  data.set(a.data.subarray(0, nnzA), 0);
  data.set(b.data, nnzA);
  return { rows: a.rows + b.rows, cols: a.cols, indptr, indices, data };
}

export interface SelectionOptions {
  seed: number;
  /** ExtraTrees size; default round(√features) as the reference. */
  nEstimators?: number;
  folds: number;
  /**
   * Candidate thresholds as multiples of the mean of the POSITIVE importances (most of the 4,104
   * features never split, so the plain mean would keep nearly every used feature); 0 = all used features.
   */
  multipliers: number[];
  /** Inverse L2 strength of the cross-validated logistic regression. */
  c: number;
}

export const SELECTION_DEFAULTS: SelectionOptions = {
  seed: 0,
  folds: 5,
  multipliers: [0, 0.5, 1, 2, 4],
  c: 1,
};

export interface SelectionCandidate {
  multiplier: number;
  threshold: number;
  nFeatures: number;
  cvAccuracy: number;
}

export interface SelectionResult {
  selected: Int32Array;
  importances: Float64Array;
  threshold: number;
  candidates: SelectionCandidate[];
}

/**
 * Reference recipe (REFERENCE.md §5): ExtraTrees mean-decrease-in-impurity importances, then for each
 * candidate threshold (mean positive importance × multiplier; features with importance ≥ threshold and > 0) the
 * k-fold accuracy of a multinomial logistic regression; the best accuracy wins, ties go to fewer features.
 */
export function selectFeatures(
  z: Matrix,
  y: ArrayLike<number>,
  nClasses: number,
  options: Partial<SelectionOptions> = {},
): SelectionResult {
  const o = { ...SELECTION_DEFAULTS, ...options };
  const p = z.cols;
  const et = new ExtraTrees({
    nEstimators: o.nEstimators ?? Math.max(1, Math.round(Math.sqrt(p))),
    seed: new Rng(o.seed).fork(),
  }).fit(z, y, nClasses);
  const imp = et.featureImportances;
  let mean = 0;
  let used = 0;
  for (let f = 0; f < p; f++) {
    if (imp[f]! > 0) {
      mean += imp[f]!;
      used++;
    }
  }
  mean /= Math.max(used, 1);
  const folds = stratifiedKFold(y, o.folds);
  const candidates: SelectionCandidate[] = [];
  let best: { sel: Int32Array; score: number; threshold: number } | null = null;
  const seen = new Set<number>();
  for (const mult of o.multipliers) {
    const threshold = mean * mult;
    const sel: number[] = [];
    for (let f = 0; f < p; f++) if (imp[f]! > 0 && imp[f]! >= threshold) sel.push(f);
    if (sel.length === 0 || seen.has(sel.length)) continue;
    seen.add(sel.length);
    const zs = mCols(z, sel);
    let acc = 0;
    let nFolds = 0;
    for (const fold of folds) {
      if (fold.test.length === 0 || fold.train.length === 0) continue;
      const yTr = Int32Array.from(fold.train, (i) => y[i]!);
      const yTe = Int32Array.from(fold.test, (i) => y[i]!);
      const lr = new MultinomialLogisticRegression({ c: o.c }).fit(mRows(zs, fold.train), yTr, nClasses);
      acc += accuracy(lr.predict(mRows(zs, fold.test)), yTe);
      nFolds++;
    }
    const score = nFolds > 0 ? acc / nFolds : 0;
    candidates.push({ multiplier: mult, threshold, nFeatures: sel.length, cvAccuracy: score });
    if (
      !best ||
      score > best.score + 1e-12 ||
      (Math.abs(score - best.score) <= 1e-12 && sel.length < best.sel.length)
    ) {
      best = { sel: Int32Array.from(sel), score, threshold };
    }
  }
  if (!best) {
    // No informative feature at all: keep every column (the model will be weak, not broken).
    return {
      selected: Int32Array.from({ length: p }, (_, i) => i),
      importances: imp,
      threshold: 0,
      candidates,
    };
  }
  return { selected: best.sel, importances: imp, threshold: best.threshold, candidates };
}
