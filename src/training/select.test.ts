import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../models/rng.js';
import {
  binomialUpperTail,
  type CvResult,
  captureFolds,
  crossValidate,
  DEFAULT_GRID,
  defaultGrid,
  forestSize,
  type LabelledCapture,
  selectModel,
  significantlyBetter,
} from './select.js';

/** Three labels as Gaussian clusters in 6 dimensions, 1–2 bins per capture. */
function synthetic(seed: number, perLabel = 8): LabelledCapture[] {
  const rng = new Rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const out: LabelledCapture[] = [];
  ['a', 'b', 'c'].forEach((label, c) => {
    for (let i = 0; i < perLabel; i++) {
      const rows: Float64Array[] = [];
      const bins = 1 + (i % 2);
      for (let b = 0; b < bins; b++)
        rows.push(Float64Array.from({ length: 6 }, (_, f) => (f === c ? 3 : 0) + gauss()));
      out.push({ name: `${label}-${i}`, label, rows });
    }
  });
  return out;
}

describe('capture-level cross-validation', () => {
  it('deals every label evenly to seeded folds, whole captures only', () => {
    const labels = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'c', 'c', 'c'];
    const f1 = captureFolds(labels, 3, 7);
    assert.deepEqual(f1, captureFolds(labels, 3, 7));
    assert.notDeepEqual(f1, captureFolds(labels, 3, 8));
    assert.deepEqual(
      f1.flat().sort((x, y) => x - y),
      labels.map((_, i) => i),
    );
    for (const fold of f1) {
      assert.ok(fold.filter((i) => labels[i] === 'a').length >= 1);
      assert.ok(fold.filter((i) => labels[i] === 'c').length === 1);
    }
  });

  it('is deterministic for a seed and scores per capture', () => {
    const caps = synthetic(1);
    const cand = { algorithm: 'randomforest' as const, nEstimators: 20, minSamplesSplit: 2 };
    const a = crossValidate(caps, cand, { folds: 4, seed: 3 });
    const b = crossValidate(caps, cand, { folds: 4, seed: 3 });
    assert.deepEqual(a.outcomes, b.outcomes);
    assert.equal(a.outcomes.length, caps.length);
    assert.ok(a.accuracy >= 0.9, `separable clusters: CV accuracy ${a.accuracy}`);
  });

  it('selects the better candidate and reports every CV score', () => {
    const caps = synthetic(2);
    const sel = selectModel(
      caps,
      [
        { algorithm: 'randomforest', nEstimators: 1, minSamplesSplit: 1000 },
        { algorithm: 'randomforest', nEstimators: 30, minSamplesSplit: 2 },
      ],
      { folds: 3, seed: 0 },
    );
    assert.equal(sel.best.name, 'randomforest(trees=30,minSamplesSplit=2)');
    assert.equal(sel.results.length, 2);
    assert.ok(sel.results[0]!.accuracy < sel.results[1]!.accuracy);
    assert.equal(sel.scores['cv.randomforest(trees=30,minSamplesSplit=2)'], sel.best.accuracy);
    assert.equal(sel.scores.cvFolds, 3);
  });
});

/** A CV result whose capture i is labelled right when right[i] (every capture of label 'a'). */
function cvOf(right: boolean[]): CvResult {
  const outcomes = right.map((r, capture) => ({
    capture,
    label: 'a',
    predicted: r ? 'a' : 'b',
    top: 1,
    second: null,
    secondTop: 0,
  }));
  return {
    candidate: { algorithm: 'ranknn' },
    name: 'x',
    accuracy: right.filter(Boolean).length / right.length,
    foldAccuracies: [],
    outcomes,
    skippedFolds: 0,
  };
}

describe('choosing among candidates beyond chance', () => {
  it('binomialUpperTail is the Binomial(n, 1/2) tail, also where 2^-n underflows', () => {
    assert.equal(binomialUpperTail(0, 10), 1);
    assert.ok(Math.abs(binomialUpperTail(8, 10) - 56 / 1024) < 1e-15);
    assert.ok(Math.abs(binomialUpperTail(6, 6) - 1 / 64) < 1e-15);
    assert.equal(binomialUpperTail(7, 6), 0);
    const half = binomialUpperTail(1001, 2001);
    assert.ok(Math.abs(half - 0.5) < 1e-9, `P(X >= 1001), n = 2001: ${half}`);
  });

  it('a challenger right on two more captures is noise; on six more, with none fewer, it wins', () => {
    const base = Array.from({ length: 140 }, (_, i) => i % 10 !== 0); // 126 of 140 right
    const twoMore = base.map((r, i) => r || i === 0 || i === 10);
    const sixMore = base.map((r, i) => r || (i % 10 === 0 && i < 60));
    assert.equal(significantlyBetter(cvOf(twoMore), cvOf(base), 0.05), false);
    // b = 6, c = 0: 2 · 2^-6 = 0.031.
    assert.equal(significantlyBetter(cvOf(sixMore), cvOf(base), 0.05), true);
    assert.equal(significantlyBetter(cvOf(base), cvOf(sixMore), 0.05), false);
    // Six more right but four others wrong: b = 6, c = 4, as good as a coin.
    const traded = sixMore.map((r, i) => r && !(i >= 1 && i <= 4));
    assert.equal(significantlyBetter(cvOf(traded), cvOf(base), 0.05), false);
  });
});

describe('forest size of the default grid', () => {
  it('is 300 trees from 100 captures on and grows to at most 1000 for few captures', () => {
    assert.equal(forestSize(100), 300);
    assert.equal(forestSize(414), 300);
    assert.equal(forestSize(64), 469);
    assert.equal(forestSize(30), 1000);
    assert.equal(forestSize(27), 1000);
    assert.equal(forestSize(0), 1000);
    for (let n = 1; n < 600; n++) assert.ok(forestSize(n + 1) <= forestSize(n), `monotone at ${n}`);
    const grid = defaultGrid(40);
    assert.deepEqual(
      grid.map((c) => c.nEstimators),
      [undefined, 750, 750],
      'the nearest-capture candidate has no trees',
    );
    assert.deepEqual(
      grid.map((c) => (c.algorithm === 'randomforest' ? { ...c, nEstimators: 300 } : c)),
      DEFAULT_GRID.map((c) => ({ ...c })),
    );
  });
});

describe('cross-validation with a label of one capture', () => {
  const caps = synthetic(4, 5);
  const grid = [
    { algorithm: 'randomforest' as const, nEstimators: 5, minSamplesSplit: 2 },
    { algorithm: 'randomforest' as const, nEstimators: 20, minSamplesSplit: 2 },
  ];
  it('leaves out the fold whose training captures hold one label, and says so', () => {
    // a × 5 and c × 1: the fold holding c's only capture trains on a alone.
    const two = caps.filter((c) => c.label === 'a' || c.name === 'c-0');
    const sel = selectModel(two, grid, { folds: 2, seed: 0 });
    assert.equal(sel.best.skippedFolds, 1);
    assert.ok(sel.best.outcomes.length > 0 && sel.best.outcomes.length < two.length);
    assert.equal(sel.scores.cvSkippedFolds, 1);
    assert.match(sel.note ?? '', /^1 of 2 cross-validation folds left out/);
  });

  it('counts the captures selection rests on in words that agree with the number', () => {
    // a × 2 and c × 1: the fold with c's only capture is left out, the other holds one capture.
    const three = [...caps.filter((c) => c.label === 'a').slice(0, 2), caps.find((c) => c.label === 'c')!];
    const sel = selectModel(three, grid, { folds: 2, seed: 0 });
    assert.equal(sel.best.outcomes.length, 1);
    assert.match(sel.note ?? '', /model selection rests on the other folds' 1 capture$/);
  });

  it('takes the first candidate without selection when no fold can be fitted', () => {
    const one = [caps[0]!, caps.find((c) => c.label === 'b')!];
    const sel = selectModel(one, grid, { folds: 2, seed: 0 });
    assert.equal(sel.best, sel.results[0]);
    assert.ok(sel.results.every((r) => r.outcomes.length === 0 && r.skippedFolds === 2));
    assert.deepEqual(sel.scores, { cvFolds: 2, cvSkippedFolds: 2 });
    assert.match(sel.note ?? '', /without model selection/);
  });

  it('changes nothing where every fold can be fitted', () => {
    const sel = selectModel(caps, grid, { folds: 3, seed: 0 });
    assert.equal(sel.note, null);
    assert.equal(sel.scores.cvSkippedFolds, undefined);
    assert.ok(sel.results.every((r) => r.skippedFolds === 0 && r.outcomes.length === caps.length));
  });
});
