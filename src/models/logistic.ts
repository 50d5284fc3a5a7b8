import { argmaxRows, checkTargets, type Matrix, mMul, mMulTA, softmaxRows } from './data.js';
import { lbfgs } from './lbfgs.js';
import { type Dense, zeros } from './matrix.js';

export interface LogisticParams {
  /** Inverse L2 strength, as scikit-learn's C. */
  c: number;
  maxIter: number;
  tol: number;
  fitIntercept: boolean;
}

export interface LogisticState {
  nFeatures: number;
  nClasses: number;
  /** features × classes, row-major. */
  coef: Float64Array;
  intercept: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * Multinomial (softmax) logistic regression minimising Σ_i −log p(y_i | x_i) + ‖W‖² / (2C)
 * (intercepts unpenalised), scikit-learn's multinomial LogisticRegression objective, by L-BFGS from zero.
 */
export class MultinomialLogisticRegression {
  readonly params: LogisticParams;
  state: LogisticState | null = null;

  constructor(params: Partial<LogisticParams> = {}) {
    this.params = { c: 1, maxIter: 100, tol: 1e-4, fitIntercept: true, ...params };
  }

  fit(x: Matrix, y: ArrayLike<number>, nClasses?: number): this {
    const k = checkTargets(y, x.rows, nClasses);
    const f = x.cols;
    const n = x.rows;
    const nw = f * k;
    const lam = 1 / this.params.c;
    const fitB = this.params.fitIntercept;
    const w: Dense = zeros(f, k);
    const logits = zeros(n, k);
    const gw: Dense = zeros(f, k);
    const objective = (theta: Float64Array, grad: Float64Array): number => {
      w.data.set(theta.subarray(0, nw));
      mMul(x, w, logits);
      if (fitB)
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) logits.data[i * k + c]! += theta[nw + c]!;
      softmaxRows(logits);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const o = i * k + y[i]!;
        loss -= Math.log(Math.max(logits.data[o]!, 1e-300));
        logits.data[o]! -= 1;
      }
      mMulTA(x, logits, gw);
      let reg = 0;
      for (let j = 0; j < nw; j++) {
        const t = theta[j]!;
        reg += t * t;
        grad[j] = gw.data[j]! + lam * t;
      }
      if (fitB) {
        for (let c = 0; c < k; c++) grad[nw + c] = 0;
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) grad[nw + c]! += logits.data[i * k + c]!;
      }
      return loss + 0.5 * lam * reg;
    };
    const res = lbfgs(objective, new Float64Array(nw + (fitB ? k : 0)), {
      maxIter: this.params.maxIter,
      gtol: this.params.tol,
    });
    this.state = {
      nFeatures: f,
      nClasses: k,
      coef: res.x.slice(0, nw),
      intercept: fitB ? res.x.slice(nw) : new Float64Array(k),
      iterations: res.iterations,
      converged: res.converged,
    };
    return this;
  }

  predictProba(x: Matrix): Dense {
    const st = this.state;
    if (!st) throw new Error('MultinomialLogisticRegression: not fitted');
    if (x.cols !== st.nFeatures)
      throw new RangeError(`logistic: ${x.cols} features, fitted on ${st.nFeatures}`);
    const out = mMul(x, { rows: st.nFeatures, cols: st.nClasses, data: st.coef });
    for (let i = 0; i < out.rows; i++)
      for (let c = 0; c < st.nClasses; c++) out.data[i * st.nClasses + c]! += st.intercept[c]!;
    softmaxRows(out);
    return out;
  }

  predict(x: Matrix): Int32Array {
    return argmaxRows(this.predictProba(x));
  }
}
