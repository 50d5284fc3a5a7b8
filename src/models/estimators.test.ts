import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracy, mCols, mMul, mMulTA, mRows, toDense } from './data.js';
import { ExtraTrees, RandomForest } from './forest.js';
import { lbfgs } from './lbfgs.js';
import { MultinomialLogisticRegression } from './logistic.js';
import { csrFromDense, csrToDense, type Dense, takeRows, zeros } from './matrix.js';
import { OneLayerMLP } from './mlp.js';
import {
  applyNormalisation,
  csrVStack,
  fitNormalisation,
  selectFeatures,
  shuffledColumnsCopy,
  shuffledColumnsCopyCsr,
} from './preprocess.js';
import { Rng } from './rng.js';

/** K Gaussian blobs in d dimensions, centres 4 apart on the first K axes; extra axes are noise. */
function blobs(n: number, k: number, d: number, seed: number, spread = 0.7): { x: Dense; y: Int32Array } {
  const rng = new Rng(seed);
  const x = zeros(n, d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) x.data[i * d + j] = gauss(rng) * spread + (j === c ? 4 : 0);
  }
  return { x, y };
}

function gauss(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function split(x: Dense, y: Int32Array, nTrain: number) {
  const tr = Int32Array.from({ length: nTrain }, (_, i) => i);
  const te = Int32Array.from({ length: x.rows - nTrain }, (_, i) => nTrain + i);
  return { xTr: takeRows(x, tr), yTr: y.slice(0, nTrain), xTe: takeRows(x, te), yTe: y.slice(nTrain) };
}

test('Rng: deterministic, uniform-ish, unbiased ints', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.nextU32(), b.nextU32());
  assert.notEqual(new Rng(1).nextU32(), new Rng(2).nextU32());
  const r = new Rng(3);
  const counts = new Int32Array(7);
  let mean = 0;
  for (let i = 0; i < 70000; i++) {
    counts[r.int(0, 7)]!++;
    mean += r.next();
  }
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `bucket ${c}`);
  assert.ok(Math.abs(mean / 70000 - 0.5) < 0.01);
});

test('OneLayerMLP: separable blobs, held-out accuracy ≥ 0.97; same seed same weights', () => {
  const { x, y } = blobs(400, 4, 10, 1);
  const { xTr, yTr, xTe, yTe } = split(x, y, 300);
  const a = new OneLayerMLP({ hiddenSize: 16, maxIter: 300, seed: 5 }).fit(xTr, yTr);
  assert.ok(accuracy(a.predict(xTe), yTe) >= 0.97);
  const b = new OneLayerMLP({ hiddenSize: 16, maxIter: 300, seed: 5 }).fit(xTr, yTr);
  assert.deepEqual(a.state!.w1, b.state!.w1);
  assert.deepEqual(a.state!.w2, b.state!.w2);
  const c = new OneLayerMLP({ hiddenSize: 16, maxIter: 300, seed: 6 }).fit(xTr, yTr);
  assert.notDeepEqual(a.state!.w1, c.state!.w1);
  // stopped by tol/nIterNoChange before maxIter, with a decreasing loss
  const long = new OneLayerMLP({ hiddenSize: 16, maxIter: 3000, seed: 5 }).fit(xTr, yTr);
  assert.ok(long.state!.nIter < 3000, `nIter ${long.state!.nIter}`);
  const curve = long.state!.lossCurve;
  assert.ok(
    curve.slice(-11).every((l, i, a) => i === 0 || a[i - 1]! - l < 1e-4),
    'stopped while improving',
  );
  assert.ok(a.state!.lossCurve.at(-1)! < a.state!.lossCurve[0]!);
  const p = a.predictProba(xTe);
  for (let i = 0; i < p.rows; i++) {
    let s = 0;
    for (let c2 = 0; c2 < p.cols; c2++) s += p.data[i * p.cols + c2]!;
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
});

test('OneLayerMLP: CSR input trains exactly like dense input', () => {
  const { x, y } = blobs(120, 3, 30, 2);
  for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i]!) < 1) x.data[i] = 0;
  const d = new OneLayerMLP({ hiddenSize: 8, maxIter: 50, seed: 1 }).fit(x, y);
  const s = new OneLayerMLP({ hiddenSize: 8, maxIter: 50, seed: 1 }).fit(csrFromDense(x), y);
  for (let i = 0; i < d.state!.w1.length; i++) assert.ok(Math.abs(d.state!.w1[i]! - s.state!.w1[i]!) < 1e-9);
});

test('OneLayerMLP: larger alpha shrinks the weights (L2)', () => {
  const { x, y } = blobs(200, 3, 8, 3);
  const norm = (alpha: number) => {
    const st = new OneLayerMLP({ hiddenSize: 16, alpha, maxIter: 200, seed: 2 }).fit(x, y).state!;
    return st.w1.reduce((s, v) => s + v * v, 0) + st.w2.reduce((s, v) => s + v * v, 0);
  };
  assert.ok(norm(30) < 0.5 * norm(1e-4));
});

test('OneLayerMLP: early stopping keeps the best validation weights', () => {
  const { x, y } = blobs(300, 3, 6, 4);
  const m = new OneLayerMLP({
    hiddenSize: 16,
    learningRate: 0.01,
    earlyStopping: true,
    maxIter: 500,
    seed: 3,
  }).fit(x, y);
  assert.ok(m.state!.bestValidationScore !== null && m.state!.bestValidationScore >= 0.95);
  assert.ok(m.state!.nIter < 500);
});

test('RandomForest: blobs accuracy, deterministic, probabilities sum to 1', () => {
  const { x, y } = blobs(300, 3, 12, 5, 1.2);
  const { xTr, yTr, xTe, yTe } = split(x, y, 200);
  const a = new RandomForest({ nEstimators: 30, minSamplesSplit: 5, seed: 9 }).fit(xTr, yTr);
  assert.ok(accuracy(a.predict(xTe), yTe) >= 0.95);
  const b = new RandomForest({ nEstimators: 30, minSamplesSplit: 5, seed: 9 }).fit(xTr, yTr);
  assert.deepEqual(a.predictProba(xTe).data, b.predictProba(xTe).data);
  const p = a.predictProba(xTe);
  for (let i = 0; i < p.rows; i++) {
    const s = p.data.subarray(i * 3, i * 3 + 3).reduce((u, v) => u + v, 0);
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
});

test("RandomForest: class_weight 'balanced' gives every class equal weight at the root", () => {
  const { x, y } = blobs(100, 2, 4, 6);
  const yImb = y.map((_, i) => (i < 90 ? 0 : 1));
  const rf = new RandomForest({ nEstimators: 3, bootstrap: false, classWeight: 'balanced', seed: 1 }).fit(
    x,
    yImb,
  );
  for (const t of rf.state!.trees) {
    assert.ok(Math.abs(t.value[0]! - 0.5) < 1e-12 && Math.abs(t.value[1]! - 0.5) < 1e-12);
  }
  const plain = new RandomForest({ nEstimators: 1, bootstrap: false, seed: 1 }).fit(x, yImb);
  assert.ok(Math.abs(plain.state!.trees[0]!.value[0]! - 0.9) < 1e-12);
  // With bootstrap the weights are class weight × draw count: the root share is no longer exactly 0.5
  // but stays near it, unlike the 0.9 of unweighted counts.
  const boot = new RandomForest({ nEstimators: 20, classWeight: 'balanced', seed: 1 }).fit(x, yImb);
  const mean = boot.state!.trees.reduce((s, t) => s + t.value[0]!, 0) / 20;
  assert.ok(Math.abs(mean - 0.5) < 0.15, `root share ${mean}`);
});

test('RandomForest: min_samples_split stops splitting small nodes; pure nodes are leaves', () => {
  const { x, y } = blobs(40, 2, 3, 7);
  const one = new RandomForest({ nEstimators: 1, bootstrap: false, minSamplesSplit: 41, seed: 1 }).fit(x, y);
  assert.equal(one.state!.trees[0]!.nodeCount, 1);
  const full = new RandomForest({ nEstimators: 1, bootstrap: false, maxFeatures: 3, seed: 1 }).fit(x, y);
  const t = full.state!.trees[0]!;
  for (let nd = 0; nd < t.nodeCount; nd++) {
    if (t.feature[nd]! < 0) assert.ok(t.value[nd * 2] === 1 || t.value[nd * 2 + 1] === 1, 'impure leaf');
  }
});

test('ExtraTrees: importances sum to 1 and rank informative features first', () => {
  const { x, y } = blobs(300, 3, 20, 8);
  const et = new ExtraTrees({ nEstimators: 30, seed: 2 }).fit(x, y);
  const imp = et.featureImportances;
  assert.ok(Math.abs(imp.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  const order = Array.from(imp.keys()).sort((a, b) => imp[b]! - imp[a]!);
  assert.deepEqual(order.slice(0, 3).sort(), [0, 1, 2]);
});

test('MultinomialLogisticRegression: blobs accuracy and a stationary objective at the solution', () => {
  const { x, y } = blobs(300, 3, 5, 9, 1.5);
  const lr = new MultinomialLogisticRegression({ c: 1, maxIter: 500, tol: 1e-8 }).fit(x, y);
  assert.ok(accuracy(lr.predict(x), y) >= 0.95);
  // ∇ = Xᵀ(P − Y) + W/C must vanish (intercepts unpenalised)
  const st = lr.state!;
  const p = lr.predictProba(x);
  const k = 3;
  let maxG = 0;
  for (let j = 0; j < 5; j++) {
    for (let c = 0; c < k; c++) {
      let g = st.coef[j * k + c]!;
      for (let i = 0; i < x.rows; i++) g += x.data[i * 5 + j]! * (p.data[i * k + c]! - (y[i] === c ? 1 : 0));
      maxG = Math.max(maxG, Math.abs(g));
    }
  }
  assert.ok(maxG < 1e-3, `gradient ${maxG}`);
});

test('lbfgs minimises the Rosenbrock function', () => {
  const res = lbfgs(
    (v, g) => {
      const [a, b] = [v[0]!, v[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    },
    Float64Array.from([-1.2, 1]),
    { maxIter: 500, gtol: 1e-9, ftol: 0 },
  );
  assert.ok(Math.abs(res.x[0]! - 1) < 1e-5 && Math.abs(res.x[1]! - 1) < 1e-5, `${res.x}`);
});

test('normalisation: compat keeps std ≤ 1 at 1; standard only replaces 0', () => {
  const x: Dense = { rows: 4, cols: 3, data: Float64Array.from([0, 5, 1, 0, -5, 1, 1, 5, 1, 1, -5, 1]) };
  const c = fitNormalisation(x, 'compat');
  assert.deepEqual(Array.from(c.means), [0.5, 0, 1]);
  assert.deepEqual(Array.from(c.stds), [1, 5, 1]);
  const s = fitNormalisation(x, 'standard');
  assert.deepEqual(Array.from(s.stds), [0.5, 5, 1]);
});

test('Unknown augmentation permutes each column independently', () => {
  const { x } = blobs(50, 2, 6, 10);
  const s = shuffledColumnsCopy(x, new Rng(1));
  let same = 0;
  for (let f = 0; f < 6; f++) {
    const a = Array.from({ length: 50 }, (_, i) => x.data[i * 6 + f]!).sort((p, q) => p - q);
    const b = Array.from({ length: 50 }, (_, i) => s.data[i * 6 + f]!).sort((p, q) => p - q);
    assert.deepEqual(a, b);
    for (let i = 0; i < 50; i++) if (x.data[i * 6 + f] === s.data[i * 6 + f]) same++;
  }
  assert.ok(same < 30);
});

test('selectFeatures keeps the informative columns of wide noisy data', () => {
  const { x, y } = blobs(150, 3, 60, 11);
  const res = selectFeatures(x, y, 3, { seed: 1 });
  const sel = Array.from(res.selected);
  for (const f of [0, 1, 2]) assert.ok(sel.includes(f), `feature ${f} not selected: ${sel}`);
  assert.ok(sel.length < 60);
  assert.ok(res.candidates.length > 0 && res.candidates.every((c) => c.cvAccuracy >= 0 && c.cvAccuracy <= 1));
  assert.deepEqual(selectFeatures(x, y, 3, { seed: 1 }).selected, res.selected);
});

test('sparse inputs: ExtraTrees/RandomForest and standardised-CSR products equal the dense path', () => {
  const rng = new Rng(12);
  const n = 120;
  const p = 300;
  const x = zeros(n, p);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let f = 0; f < p; f++)
      if (rng.next() < 0.03 || (f === y[i]! * 5 && rng.next() < 0.8)) x.data[i * p + f] = rng.next();
  }
  const csr = csrFromDense(x);
  const norm = fitNormalisation(csr, 'standard');
  const dense = fitNormalisation(x, 'standard');
  for (let f = 0; f < p; f++) {
    assert.ok(
      Math.abs(norm.means[f]! - dense.means[f]!) < 1e-12 && Math.abs(norm.stds[f]! - dense.stds[f]!) < 1e-12,
    );
  }
  const zSparse = applyNormalisation(csr, norm);
  const zDense = applyNormalisation(x, norm);
  const a = new ExtraTrees({ nEstimators: 10, seed: 3 }).fit(zSparse, y);
  const b = new ExtraTrees({ nEstimators: 10, seed: 3 }).fit(zDense, y);
  assert.deepEqual(a.featureImportances, b.featureImportances);
  const c = new RandomForest({ nEstimators: 10, seed: 3 }).fit(zSparse, y);
  const d = new RandomForest({ nEstimators: 10, seed: 3 }).fit(zDense, y);
  assert.deepEqual(c.predictProba(zDense).data, d.predictProba(zDense).data);
  // Z·W and Zᵀ·G through the sparse view
  const w = zeros(p, 4);
  for (let i = 0; i < w.data.length; i++) w.data[i] = rng.next() - 0.5;
  const g = zeros(n, 4);
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.next() - 0.5;
  const close = (u: Dense, v: Dense) => u.data.every((e, i) => Math.abs(e - v.data[i]!) < 1e-9);
  assert.ok(close(mMul(zSparse, w), mMul(zDense, w)));
  assert.ok(close(mMulTA(zSparse, g), mMulTA(zDense, g)));
  assert.ok(
    close(
      toDense(mCols(mRows(zSparse, [5, 1, 9]), [7, 3, 250])),
      toDense(mCols(mRows(zDense, [5, 1, 9]), [7, 3, 250])),
    ),
  );
});

test('sparse Unknown augmentation keeps every column multiset and stacks under the real rows', () => {
  const { x } = blobs(40, 2, 8, 13);
  for (let i = 0; i < x.data.length; i++) if (x.data[i]! < 0.5) x.data[i] = 0;
  const csr = csrFromDense(x);
  const sh = csrToDense(shuffledColumnsCopyCsr(csr, new Rng(4)));
  let moved = 0;
  for (let f = 0; f < 8; f++) {
    const a = Array.from({ length: 40 }, (_, i) => x.data[i * 8 + f]!).sort((p, q) => p - q);
    const b = Array.from({ length: 40 }, (_, i) => sh.data[i * 8 + f]!).sort((p, q) => p - q);
    assert.deepEqual(a, b);
    for (let i = 0; i < 40; i++) if (x.data[i * 8 + f] !== sh.data[i * 8 + f]) moved++;
  }
  assert.ok(moved > 40);
  const both = csrToDense(csrVStack(csr, shuffledColumnsCopyCsr(csr, new Rng(4))));
  assert.deepEqual(both.data.subarray(0, 320), x.data);
  assert.deepEqual(both.data.subarray(320), sh.data);
});
