import {
  accuracy,
  argmaxRows,
  checkTargets,
  type Matrix,
  mMul,
  mMulTA,
  mRow,
  mRows,
  softmaxRows,
} from './data.js';
import { type Dense, zeros } from './matrix.js';
import { Rng, range } from './rng.js';
import { stratifiedSplit } from './split.js';

export interface OneLayerMLPParams {
  hiddenSize: number;
  /** L2 penalty; the loss adds alpha/2 · ‖W‖² / batch rows (scikit-learn MLPClassifier). */
  alpha: number;
  /** 0 = min(200, n) as scikit-learn's 'auto'. */
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  maxIter: number;
  tol: number;
  nIterNoChange: number;
  shuffle: boolean;
  earlyStopping: boolean;
  validationFraction: number;
  seed: number;
}

export const MLP_DEFAULTS: OneLayerMLPParams = {
  hiddenSize: 100,
  alpha: 1e-4,
  batchSize: 0,
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  maxIter: 200,
  tol: 1e-4,
  nIterNoChange: 10,
  shuffle: true,
  earlyStopping: false,
  validationFraction: 0.1,
  seed: 0,
};

/** The weights of a one-hidden-layer perceptron: W1 (features × hidden), W2 (hidden × classes), row-major. */
export interface MlpWeights {
  hiddenSize: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** Learned state: the weights and how the fit went. */
export interface OneLayerMLPState extends MlpWeights {
  nFeatures: number;
  nClasses: number;
  nIter: number;
  loss: number;
  lossCurve: number[];
  /** Best validation accuracy when early stopping was on. */
  bestValidationScore: number | null;
}

/**
 * One-hidden-layer perceptron: h = relu(x·W1 + b1), p = softmax(h·W2 + b2), trained with Adam on
 * mean cross-entropy + alpha/(2·m)·(‖W1‖² + ‖W2‖²) per minibatch of m rows, as scikit-learn's
 * MLPClassifier (Glorot-uniform init with bound √(6/(fan_in+fan_out)), stop after nIterNoChange epochs
 * without a tol improvement of the training loss, or of the validation accuracy with earlyStopping).
 * Two classes also use a 2-way softmax (scikit-learn would use one logistic unit).
 */
export class OneLayerMLP {
  readonly params: OneLayerMLPParams;
  state: OneLayerMLPState | null = null;

  constructor(params: Partial<OneLayerMLPParams> = {}) {
    this.params = { ...MLP_DEFAULTS, ...params };
  }

  fit(x: Matrix, y: ArrayLike<number>, nClasses?: number): this {
    const p = this.params;
    const k = checkTargets(y, x.rows, nClasses);
    const rng = new Rng(p.seed);
    let xTrain = x;
    let yTrain: ArrayLike<number> = y;
    let xVal: Matrix | null = null;
    let yVal: Int32Array | null = null;
    if (p.earlyStopping) {
      const split = stratifiedSplit(y, p.validationFraction, rng);
      if (split.test.length > 0 && split.train.length > 0) {
        xTrain = mRows(x, split.train);
        yTrain = pick(y, split.train);
        xVal = mRows(x, split.test);
        yVal = pick(y, split.test);
      }
    }
    const n = xTrain.rows;
    const f = x.cols;
    const h = p.hiddenSize;
    const st: OneLayerMLPState = {
      nFeatures: f,
      hiddenSize: h,
      nClasses: k,
      w1: new Float64Array(f * h),
      b1: new Float64Array(h),
      w2: new Float64Array(h * k),
      b2: new Float64Array(k),
      nIter: 0,
      loss: Number.POSITIVE_INFINITY,
      lossCurve: [],
      bestValidationScore: null,
    };
    glorot(st.w1, st.b1, f, h, rng);
    glorot(st.w2, st.b2, h, k, rng);
    this.state = st;

    const params = [st.w1, st.b1, st.w2, st.b2];
    const grads = params.map((a) => new Float64Array(a.length));
    const m1 = params.map((a) => new Float64Array(a.length));
    const m2 = params.map((a) => new Float64Array(a.length));
    const batch = p.batchSize > 0 ? Math.min(p.batchSize, n) : Math.min(200, n);
    const order = range(n);
    let t = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestParams: Float64Array[] | null = null;
    let noImprove = 0;
    const w1m: Dense = { rows: f, cols: h, data: st.w1 };
    const w2m: Dense = { rows: h, cols: k, data: st.w2 };

    for (let epoch = 0; epoch < p.maxIter; epoch++) {
      if (p.shuffle) rng.shuffle(order);
      let accLoss = 0;
      for (let start = 0; start < n; start += batch) {
        const idx = order.subarray(start, Math.min(n, start + batch));
        const m = idx.length;
        const xb = mRows(xTrain, idx);
        // forward
        const hid = mMul(xb, w1m);
        addBiasRelu(hid, st.b1);
        const out = mMul(hid, w2m);
        addBias(out, st.b2);
        softmaxRows(out);
        // loss: clipped cross-entropy as scikit-learn's log_loss, plus the L2 term
        let ce = 0;
        for (let i = 0; i < m; i++) {
          const pr = out.data[i * k + yTrain[idx[i]!]!]!;
          ce -= Math.log(Math.min(Math.max(pr, EPS), 1 - EPS));
        }
        let sq = 0;
        for (const w of [st.w1, st.w2]) for (let i = 0; i < w.length; i++) sq += w[i]! * w[i]!;
        accLoss += (ce / m + (0.5 * p.alpha * sq) / m) * m;
        // backward: δout = p − onehot(y); δhid = δout·W2ᵀ ⊙ [hid > 0]
        for (let i = 0; i < m; i++) out.data[i * k + yTrain[idx[i]!]!]! -= 1;
        const dHid = zeros(m, h);
        for (let i = 0; i < m; i++) {
          for (let a = 0; a < h; a++) {
            if (hid.data[i * h + a]! <= 0) continue;
            let s = 0;
            for (let c = 0; c < k; c++) s += out.data[i * k + c]! * st.w2[a * k + c]!;
            dHid.data[i * h + a] = s;
          }
        }
        const g1 = mMulTA(xb, dHid, { rows: f, cols: h, data: grads[0]! });
        const g2 = mMulTA(hid, out, { rows: h, cols: k, data: grads[2]! });
        for (let i = 0; i < g1.data.length; i++) g1.data[i] = (g1.data[i]! + p.alpha * st.w1[i]!) / m;
        for (let i = 0; i < g2.data.length; i++) g2.data[i] = (g2.data[i]! + p.alpha * st.w2[i]!) / m;
        colMean(dHid, grads[1]!);
        colMean(out, grads[3]!);
        // Adam
        t++;
        const lrT = (p.learningRate * Math.sqrt(1 - p.beta2 ** t)) / (1 - p.beta1 ** t);
        for (let q = 0; q < params.length; q++) {
          const w = params[q]!;
          const g = grads[q]!;
          const a = m1[q]!;
          const b = m2[q]!;
          for (let i = 0; i < w.length; i++) {
            const gi = g[i]!;
            a[i] = p.beta1 * a[i]! + (1 - p.beta1) * gi;
            b[i] = p.beta2 * b[i]! + (1 - p.beta2) * gi * gi;
            w[i]! -= (lrT * a[i]!) / (Math.sqrt(b[i]!) + p.epsilon);
          }
        }
      }
      st.nIter++;
      st.loss = accLoss / n;
      st.lossCurve.push(st.loss);
      if (xVal && yVal) {
        const score = accuracy(argmaxRows(this.predictProba(xVal)), yVal);
        if (score < bestScore + p.tol) noImprove++;
        else noImprove = 0;
        if (score > bestScore) {
          bestScore = score;
          bestParams = params.map((a) => a.slice());
        }
      } else {
        if (st.loss > bestLoss - p.tol) noImprove++;
        else noImprove = 0;
        if (st.loss < bestLoss) bestLoss = st.loss;
      }
      if (noImprove > p.nIterNoChange) break;
    }
    if (bestParams) {
      for (let q = 0; q < params.length; q++) params[q]!.set(bestParams[q]!);
      st.bestValidationScore = bestScore;
    }
    return this;
  }

  /** relu hidden layer per row ({@link mlpHidden}, as a saved model computes it). */
  hidden(x: Matrix): Dense {
    const st = this.need(x);
    return byRow(x, st.hiddenSize, (z) => mlpHidden(st, z));
  }

  /** Class probabilities per row ({@link mlpProba}, as a saved model computes them). */
  predictProba(x: Matrix): Dense {
    const st = this.need(x);
    return byRow(x, st.nClasses, (z) => mlpProba(st, z));
  }

  predict(x: Matrix): Int32Array {
    return argmaxRows(this.predictProba(x));
  }

  private need(x: Matrix): OneLayerMLPState {
    const st = this.state;
    if (!st) throw new Error('OneLayerMLP: not fitted');
    if (x.cols !== st.nFeatures)
      throw new RangeError(`OneLayerMLP: ${x.cols} features, fitted on ${st.nFeatures}`);
    return st;
  }
}

const EPS = 2.220446049250313e-16;

/**
 * relu(z·W1 + b1) of one row: the forward pass every prediction goes through (predictProba here, a saved
 * role model at inference). Its summation order is fixed: the bundled model's outputs must stay bit-exact.
 */
export function mlpHidden(m: MlpWeights, z: ArrayLike<number>): Float64Array {
  const h = m.hiddenSize;
  const hid = m.b1.slice();
  for (let j = 0; j < z.length; j++) {
    const zj = z[j]!;
    if (zj === 0) continue;
    const o = j * h;
    for (let a = 0; a < h; a++) hid[a]! += zj * m.w1[o + a]!;
  }
  for (let a = 0; a < h; a++) if (!(hid[a]! > 0)) hid[a] = 0;
  return hid;
}

/** softmax(relu(z·W1 + b1)·W2 + b2) of one row: the class probabilities. */
export function mlpProba(m: MlpWeights, z: ArrayLike<number>): Float64Array {
  return mlpOutput(m, mlpHidden(m, z));
}

/** softmax(hid·W2 + b2): the class probabilities of a row whose hidden layer is `hid` (mlpHidden). */
export function mlpOutput(m: MlpWeights, hid: Float64Array): Float64Array {
  const h = m.hiddenSize;
  const out = m.b2.slice();
  const k = out.length;
  for (let a = 0; a < h; a++) {
    const v = hid[a]!;
    if (v === 0) continue;
    for (let c = 0; c < k; c++) out[c]! += v * m.w2[a * k + c]!;
  }
  let mx = out[0]!;
  for (let c = 1; c < k; c++) if (out[c]! > mx) mx = out[c]!;
  let s = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(out[c]! - mx);
    s += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c]! /= s;
  return out;
}

function byRow(x: Matrix, cols: number, f: (z: Float64Array) => Float64Array): Dense {
  const out = zeros(x.rows, cols);
  const scratch = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) out.data.set(f(mRow(x, i, scratch)), i * cols);
  return out;
}

function glorot(w: Float64Array, b: Float64Array, fanIn: number, fanOut: number, rng: Rng): void {
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
  for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-bound, bound);
}

function addBias(m: Dense, b: Float64Array): void {
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) m.data[i * m.cols + j]! += b[j]!;
}

function addBiasRelu(m: Dense, b: Float64Array): void {
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j]! + b[j]!;
      m.data[i * m.cols + j] = Math.max(v, 0);
    }
  }
}

function colMean(m: Dense, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j]! += m.data[i * m.cols + j]!;
  for (let j = 0; j < m.cols; j++) out[j]! /= m.rows;
}

function pick(y: ArrayLike<number>, idx: ArrayLike<number>): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]!]!;
  return out;
}
