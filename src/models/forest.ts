import { argmaxRows, checkTargets, isCsr, isScaled, type Matrix } from './data.js';
import { type Dense, zeros } from './matrix.js';
import { Rng } from './rng.js';
import {
  applyTree,
  buildTree,
  type ColumnData,
  type TreeArrays,
  toColumns,
  toSparseColumns,
} from './tree.js';

export interface ForestParams {
  nEstimators: number;
  /** 'sqrt' = max(1, ⌊√features⌋), or a count. */
  maxFeatures: 'sqrt' | number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxDepth: number;
  bootstrap: boolean;
  /** 'balanced': class c weighs n / (K · n_c), computed once on all of y, times bootstrap counts. */
  classWeight: 'balanced' | null;
  seed: number;
}

export interface ForestState {
  nFeatures: number;
  nClasses: number;
  trees: TreeArrays[];
  /** Mean decrease in impurity, averaged over trees with a split and normalised to sum 1. */
  featureImportances: Float64Array;
  /** Per tree, which training rows its bootstrap drew (1) or left out (0): out-of-bag predictions. */
  inBag: Uint8Array[];
}

const RF_DEFAULTS: ForestParams = {
  nEstimators: 100,
  maxFeatures: 'sqrt',
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxDepth: Number.POSITIVE_INFINITY,
  bootstrap: true,
  classWeight: null,
  seed: 0,
};

/**
 * Bagged ensemble of trees: P(c | x) = mean over trees of the class distribution at x's leaf
 * (scikit-learn's RandomForestClassifier / ExtraTreesClassifier averaging).
 */
abstract class Forest {
  readonly params: ForestParams;
  state: ForestState | null = null;
  protected abstract readonly splitter: 'best' | 'random';

  constructor(params: Partial<ForestParams>, defaults: ForestParams) {
    this.params = { ...defaults, ...params };
  }

  /** Sparse inputs are kept sparse (base value + exceptions per column), which suits 4,104-wide bins. */
  fit(x: Matrix, y: ArrayLike<number>, nClasses?: number): this {
    const p = this.params;
    const k = checkTargets(y, x.rows, nClasses);
    const n = x.rows;
    const data = columnsOf(x);
    const rng = new Rng(p.seed);
    const base = new Float64Array(n).fill(1);
    if (p.classWeight === 'balanced') {
      const counts = new Float64Array(k);
      for (let i = 0; i < n; i++) counts[y[i]!]!++;
      let present = 0;
      for (let c = 0; c < k; c++) if (counts[c]! > 0) present++;
      for (let i = 0; i < n; i++) base[i] = n / (present * counts[y[i]!]!);
    }
    const maxFeatures =
      p.maxFeatures === 'sqrt' ? Math.max(1, Math.floor(Math.sqrt(x.cols))) : Math.min(x.cols, p.maxFeatures);
    const trees: TreeArrays[] = [];
    const inBag: Uint8Array[] = [];
    const imp = new Float64Array(x.cols);
    let withSplit = 0;
    for (let t = 0; t < p.nEstimators; t++) {
      const treeRng = new Rng(rng.fork());
      let w = base;
      if (p.bootstrap) {
        w = new Float64Array(n);
        for (let i = 0; i < n; i++) w[treeRng.int(0, n)]!++;
        for (let i = 0; i < n; i++) w[i]! *= base[i]!;
      }
      const bag = new Uint8Array(n);
      for (let i = 0; i < n; i++) bag[i] = w[i]! > 0 ? 1 : 0;
      inBag.push(bag);
      const built = buildTree(
        data,
        y,
        w,
        k,
        {
          maxFeatures,
          minSamplesSplit: p.minSamplesSplit,
          minSamplesLeaf: p.minSamplesLeaf,
          maxDepth: p.maxDepth,
          splitter: this.splitter,
        },
        treeRng,
      );
      trees.push(built.tree);
      if (built.tree.nodeCount > 1) {
        withSplit++;
        for (let f = 0; f < x.cols; f++) imp[f]! += built.importances[f]!;
      }
    }
    let tot = 0;
    for (let f = 0; f < x.cols; f++) tot += imp[f]!;
    if (withSplit > 0 && tot > 0) for (let f = 0; f < x.cols; f++) imp[f]! /= tot;
    this.state = { nFeatures: x.cols, nClasses: k, trees, featureImportances: imp, inBag };
    return this;
  }

  predictProba(x: Dense): Dense {
    const st = this.state;
    if (!st) throw new Error('forest: not fitted');
    return forestProba(st.trees, st.nClasses, x);
  }

  predict(x: Dense): Int32Array {
    return argmaxRows(this.predictProba(x));
  }
}

function columnsOf(x: Matrix): ColumnData {
  if (isScaled(x)) return toSparseColumns(x.csr, x.shift, x.scale);
  if (isCsr(x)) return toSparseColumns(x, new Float64Array(x.cols), new Float64Array(x.cols).fill(1));
  return toColumns(x);
}

/** Mean leaf distribution over trees, per row. */
export function forestProba(trees: readonly TreeArrays[], k: number, x: Dense): Dense {
  const out = zeros(x.rows, k);
  for (let i = 0; i < x.rows; i++) {
    const o = i * k;
    for (const t of trees) {
      const leaf = applyTree(t, x.data, i * x.cols) * k;
      for (let c = 0; c < k; c++) out.data[o + c]! += t.value[leaf + c]!;
    }
    for (let c = 0; c < k; c++) out.data[o + c]! /= trees.length;
  }
  return out;
}

/** Random forest: bootstrap samples, best split among √features features per node. */
export class RandomForest extends Forest {
  protected readonly splitter = 'best' as const;
  constructor(params: Partial<ForestParams> = {}) {
    super(params, RF_DEFAULTS);
  }
}

/** Extremely randomized trees: whole sample, one random threshold per drawn feature, best of those. */
export class ExtraTrees extends Forest {
  protected readonly splitter = 'random' as const;
  constructor(params: Partial<ForestParams> = {}) {
    super(params, { ...RF_DEFAULTS, bootstrap: false });
  }

  get featureImportances(): Float64Array {
    if (!this.state) throw new Error('ExtraTrees: not fitted');
    return this.state.featureImportances;
  }
}
