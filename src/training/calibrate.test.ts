import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noveltyRatio } from '../models/novelty.js';
import { Rng } from '../models/rng.js';
import {
  calibratedNovelty,
  calibrateNoveltyRule,
  calibrateOpenSet,
  conformalFallback,
  conformalThreshold,
  harrellDavisQuantile,
  incompleteBeta,
  leaveOneOutRejected,
  noveltyThreshold,
  openSetScore,
  outOfBagOutcomes,
  rejectionThreshold,
  SIBLING_MARGIN_BOUNDS,
  SMALL_N_SECONDARY_MARGIN,
  siblingMargin,
  type UnseenOutcome,
} from './calibrate.js';
import { type CaptureOutcome, fitCandidate, type LabelledCapture, predictLabel } from './select.js';

function outcome(label: string, predicted: string, top: number, second: string, secondTop: number) {
  return { capture: 0, label, predicted, top, second, secondTop } satisfies CaptureOutcome;
}

describe('rejection threshold', () => {
  it('incomplete beta matches closed forms', () => {
    for (const x of [0.1, 0.37, 0.8]) {
      assert.ok(Math.abs(incompleteBeta(x, 1, 1) - x) < 1e-12);
      assert.ok(Math.abs(incompleteBeta(x, 3, 1) - x ** 3) < 1e-12);
      assert.ok(Math.abs(incompleteBeta(x, 1, 4) - (1 - (1 - x) ** 4)) < 1e-12);
    }
    assert.ok(Math.abs(incompleteBeta(0.5, 2.5, 2.5) - 0.5) < 1e-12);
  });

  it('has the quantile property: a fresh sample falls below it at the rate asked for', () => {
    // Known-type scores ~ 1 − U², many calibration sets of 300: the mean share of fresh scores below the
    // threshold must be the rate, and single sets must stay close to it.
    const rng = new Rng(11);
    const draw = () => 1 - rng.next() ** 2;
    for (const rate of [0.02, 0.05, 0.1]) {
      const shares: number[] = [];
      for (let rep = 0; rep < 40; rep++) {
        const t = rejectionThreshold(Array.from({ length: 300 }, draw), rate);
        let below = 0;
        for (let i = 0; i < 4000; i++) if (draw() < t) below++;
        shares.push(below / 4000);
      }
      const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
      assert.ok(Math.abs(mean - rate) < rate * 0.25, `rate ${rate}: mean share below ${mean}`);
      assert.ok(Math.max(...shares) < rate * 2.5, `rate ${rate}: worst share ${Math.max(...shares)}`);
    }
  });

  it('moves less between samples than the single order statistic', () => {
    const spread = (f: (xs: number[]) => number) => {
      const rng = new Rng(3);
      const ts = Array.from({ length: 30 }, () => f(Array.from({ length: 150 }, () => rng.next())));
      const m = ts.reduce((a, b) => a + b, 0) / ts.length;
      return Math.sqrt(ts.reduce((a, b) => a + (b - m) ** 2, 0) / ts.length);
    };
    const hd = spread((xs) => harrellDavisQuantile(xs, 0.02));
    const third = spread((xs) => xs.sort((a, b) => a - b)[2]!);
    assert.ok(hd < third, `Harrell–Davis sd ${hd} vs 3rd order statistic ${third}`);
  });

  it('rate 0 rejects nothing; a rate outside [0, 1) is refused', () => {
    assert.equal(rejectionThreshold([0.2, 0.9], 0), 0);
    assert.throws(() => rejectionThreshold([0.5], 1), /unknown-rate/);
  });
});

describe('open-set calibration', () => {
  it('separates confident known types from unsure unseen ones, at the cost asked for', () => {
    const rng = new Rng(5);
    const known = Array.from({ length: 400 }, () => outcome('a', 'a', rng.uniform(0.6, 1), 'b', 0.05));
    const unseen: UnseenOutcome[] = Array.from({ length: 100 }, (_, i) => ({
      top: rng.uniform(0.15, 0.5),
      secondTop: 0.1,
      label: i < 50 ? 'x' : 'y',
    }));
    const c = calibrateOpenSet(known, unseen, 0.02);
    assert.ok(c.threshold > 0.65 && c.threshold < 0.67, `threshold ${c.threshold}`); // 2 % of U(0.65, 1.05)
    assert.ok(Math.abs(c.knownUnknownRate - 0.02) <= 0.01, `known rate ${c.knownUnknownRate}`);
    assert.equal(c.unseenUnknownRate, 1);
    assert.deepEqual(c.unseenByLabel, { x: 1, y: 1 });
    assert.equal(c.siblingMargin, SIBLING_MARGIN_BOUNDS.fallback);
  });

  it('counts the model’s own Unknown label as Unknown; no unseen estimate gives null', () => {
    const known = [outcome('a', 'a', 0.9, 'b', 0.1), outcome('b', 'b', 0.8, 'a', 0.2)];
    const unseen: UnseenOutcome[] = [{ top: 0.95, secondTop: 0, unknown: true, label: 'z' }];
    assert.equal(calibrateOpenSet(known, unseen).unseenUnknownRate, 1);
    assert.equal(calibrateOpenSet(known, null).unseenUnknownRate, null);
  });

  it('sibling margin: the widest top-two gap of confusions with the truth second, clamped', () => {
    const right = outcome('a', 'a', 0.9, 'b', 0.1);
    assert.equal(siblingMargin([right]), SIBLING_MARGIN_BOUNDS.fallback);
    const m = siblingMargin([right, outcome('a', 'b', 0.5, 'a', 0.38), outcome('b', 'a', 0.45, 'b', 0.4)]);
    assert.ok(Math.abs(m - 0.12) < 1e-6, `margin ${m}`);
    assert.equal(siblingMargin([outcome('a', 'b', 0.9, 'a', 0.05)]), SIBLING_MARGIN_BOUNDS.max);
    assert.equal(siblingMargin([outcome('a', 'b', 0.41, 'a', 0.4)]), SIBLING_MARGIN_BOUNDS.min);
    // The score is the mass on the top two: siblings at 0.48 / 0.45 are "one of these two", not Unknown.
    assert.equal(openSetScore(0.48, 0.45), 0.48 + 0.45);
  });
});

describe('out-of-bag conformal threshold', () => {
  it('is the ⌊rate·(n+1)⌋-th smallest score, and none when n + 1 < 1 / rate', () => {
    const scores = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
    assert.equal(conformalThreshold(scores, 0.02), 0.02);
    assert.equal(conformalThreshold(scores, 0.05), 0.05);
    assert.equal(conformalThreshold(scores.slice(0, 48), 0.02), null);
    assert.equal(conformalThreshold(scores.slice(0, 49), 0.02), 0.01);
    // A fresh exchangeable score falls strictly below it at most at the rate asked for.
    const rng = new Rng(5);
    let below = 0;
    let total = 0;
    for (let rep = 0; rep < 200; rep++) {
      const t = conformalThreshold(
        Array.from({ length: 150 }, () => rng.next()),
        0.02,
      )!;
      for (let i = 0; i < 200; i++, total++) if (rng.next() < t) below++;
    }
    assert.ok(below / total <= 0.022, `share below ${below / total}`);
    assert.ok(below / total >= 0.01, `share below ${below / total}`);
  });

  it('scores each capture with the trees that never saw it, less sure than the whole forest', () => {
    const rng = new Rng(3);
    const captures: LabelledCapture[] = [];
    for (let i = 0; i < 60; i++) {
      const label = ['a', 'b', 'c'][i % 3]!;
      const centre = i % 3;
      const row = Float64Array.from({ length: 6 }, (_, f) => (f === centre ? 2 : 0) + rng.next() * 1.5);
      captures.push({ name: `${label}${i}`, label, rows: [row] });
    }
    const fitted = fitCandidate(
      captures,
      { algorithm: 'randomforest', nEstimators: 60, minSamplesSplit: 2 },
      { semantics: 'v2', selectFeatures: false, unknownAugmentation: false },
      1,
    );
    const oob = outOfBagOutcomes(fitted, captures);
    assert.ok(oob);
    assert.equal(oob.length, captures.length);
    let oobMass = 0;
    let fullMass = 0;
    for (const o of oob) {
      const full = predictLabel(fitted.model, captures[o.capture]!.rows);
      oobMass += o.top;
      fullMass += full.top;
      assert.ok(o.top >= o.secondTop && o.top <= 1 + 1e-12);
    }
    // The forest has seen every capture; its out-of-bag trees have not, so they are less sure.
    assert.ok(oobMass < fullMass - 1, `out-of-bag ${oobMass}, full ${fullMass}`);
    const right = oob.filter((o) => o.predicted === o.label).length;
    assert.ok(right / oob.length >= 0.6, `out-of-bag accuracy ${right / oob.length}`);
    const mlp = fitCandidate(
      captures,
      { algorithm: 'onelayer', hiddenSize: 4 },
      { semantics: 'v2', selectFeatures: false, unknownAugmentation: false },
      1,
    );
    assert.equal(outOfBagOutcomes(mlp, captures), null);
  });

  it('calibrates on out-of-bag scores when there are enough, on cross-validated ones otherwise', () => {
    const cv = Array.from({ length: 60 }, (_, i) => outcome('a', 'a', 0.5 + i / 200, 'b', 0.05));
    const oob = Array.from({ length: 60 }, (_, i) => outcome('a', 'a', 0.6 + i / 200, 'b', 0.05));
    const c = calibrateOpenSet(cv, null, 0.05, oob);
    assert.equal(c.method, 'out-of-bag');
    assert.equal(c.threshold, 0.6 + 2 / 200 + 0.05);
    // Two of the 60 lie below the threshold the 60 set (k = ⌊0.05 · 61⌋ = 3: the third smallest); each judged
    // at the threshold the other 59 set, the three smallest are: 3 / 60, as the promise k / (n + 1) = 3 / 61.
    assert.equal(c.knownUnknownRate, 3 / 60);
    // 49 out-of-bag scores at 2 %: k = ⌊0.02 · 50⌋ = 1, the smallest; each judged without itself (48 left,
    // k = 0) at the smallest of the others, the smallest one is below it: 1 / 49, not 0.
    const edge = calibrateOpenSet(cv, null, 0.02, oob.slice(0, 49));
    assert.equal(edge.method, 'out-of-bag');
    assert.equal(edge.knownUnknownRate, 1 / 49);
    const few = calibrateOpenSet(cv, null, 0.02, oob.slice(0, 20));
    assert.equal(few.method, 'cross-validation');
    assert.equal(
      few.threshold,
      rejectionThreshold(
        cv.map((o) => openSetScore(o.top, o.secondTop)),
        0.02,
      ),
    );
  });
});

describe('novelty rule', () => {
  it('the conformal upper threshold is the ⌈(1−rate)(n+1)⌉-th smallest, the largest for few scores', () => {
    const scores = Array.from({ length: 99 }, (_, i) => (i + 1) / 100); // 0.01 … 0.99
    assert.equal(noveltyThreshold(scores, 0.02), 0.98); // k = ⌈0.98·100⌉ = 98
    assert.equal(noveltyThreshold(scores, 0.1), 0.9);
    assert.equal(noveltyThreshold(scores.slice(0, 20), 0.02), 0.2, 'k > n: the largest');
    assert.throws(() => noveltyThreshold(scores, 1), /unknown-rate/);
    // The promise: over many draws, a fresh score lies above the threshold at most `rate` of the time.
    const rng = new Rng(3);
    let above = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      const t = noveltyThreshold(
        Array.from({ length: 149 }, () => rng.next()),
        0.05,
      );
      if (rng.next() > t) above++;
    }
    assert.ok(above / reps <= 0.05 + 0.01 && above / reps >= 0.03, `fresh above ${above / reps}`);
  });

  it('estimates the rate a new capture meets by judging each score at the threshold the others set', () => {
    // Counting the scores above the threshold they set themselves is at most the rate by construction
    // (2 of 60 here); each judged without itself, the estimate is what a fresh score from the same
    // distribution meets (3 / 61 at k = ⌈0.95 · 61⌉ = 58).
    const rng = new Rng(11);
    const n = 60;
    const reps = 3000;
    let inSample = 0;
    let estimated = 0;
    let fresh = 0;
    for (let r = 0; r < reps; r++) {
      const xs = Array.from({ length: n }, () => rng.next());
      const t = noveltyThreshold(xs, 0.05);
      inSample += xs.filter((x) => x > t).length / n;
      const held = leaveOneOutRejected(
        xs,
        (others) => noveltyThreshold(others, 0.05),
        (i, threshold) => xs[i]! > threshold!,
      );
      estimated += held.filter(Boolean).length / n;
      if (rng.next() > t) fresh++;
    }
    assert.ok(Math.abs(inSample / reps - 2 / 60) < 1e-9, `in-sample ${inSample / reps}`);
    assert.ok(Math.abs(estimated / reps - 3 / 60) < 1e-9, `held out ${estimated / reps}`);
    assert.ok(Math.abs(fresh / reps - 3 / 61) < 0.012, `fresh ${fresh / reps}`);
  });

  // Three known types as clusters in 30 columns; a fourth type elsewhere.
  function cluster(label: string, centre: number, n: number, rng: Rng): LabelledCapture[] {
    return Array.from({ length: n }, (_, i) => ({
      name: `${label}-${i}`,
      label,
      rows: [Float64Array.from({ length: 30 }, (_, f) => centre + ((f * 7 + centre) % 5) + rng.next())],
    }));
  }

  it('calibrates on types of two or more, rejects a type it never saw, keeps the known rate', () => {
    const rng = new Rng(17);
    const known = [...cluster('A', 0, 12, rng), ...cluster('B', 10, 12, rng), ...cluster('C', 20, 12, rng)];
    const lone = cluster('D', 40, 1, rng);
    const columns = Int32Array.from({ length: 30 }, (_, i) => i);
    const withLone = calibratedNovelty([...known, ...lone], columns, 0.02);
    assert.equal(withLone.ratios.length, 36, 'the one capture of D is not a known-type score');
    assert.equal(withLone.reference.n, 37, 'but it is a reference point');
    assert.equal(Math.max(...withLone.ratios), 1, '36 scores < 49: the threshold is the largest');
    assert.ok(withLone.reference.labels !== null, 'the reference knows the type of each point');
    const outcomes: CaptureOutcome[] = known.map((c, i) => ({
      capture: i,
      label: c.label,
      predicted: c.label,
      top: 0.9,
      second: null,
      secondTop: 0.05,
    }));
    const { calibration, reference } = calibrateNoveltyRule(known, outcomes, columns, 0.02);
    assert.equal(calibration.method, 'novelty');
    assert.equal(calibration.threshold, reference.threshold);
    // 36 scores, too few for 2 %: the threshold is their largest, which rejects none of them, but each judged
    // at the largest of the other 35 the largest one is above it: 1 / 36, near the promise 1 / (n + 1).
    assert.equal(calibration.knownUnknownRate, 1 / 36);
    // Each type left out is as far from the other two as a new type: all of it Unknown.
    assert.equal(calibration.unseenUnknownRate, 1);
    assert.deepEqual(Object.keys(calibration.unseenByLabel), ['A', 'B', 'C']);
    assert.equal(calibration.unseenCaptures, 36);
    const skipped = calibrateNoveltyRule(known, outcomes, columns, 0.02, false);
    assert.equal(skipped.calibration.unseenUnknownRate, null);
    assert.equal(skipped.calibration.threshold, calibration.threshold, 'estimates do not move the threshold');
  });

  it('a secondary (service-role) rule catches the other end of a known type, each rule at half the rate', () => {
    // 60 columns; the first two are the service role: (0, 1) for A, B, C and (1, 0) for D, which is
    // otherwise A's twin — the other end of A's conversations.
    const twin = (label: string, centre: number, n: number, rng: Rng, flip: boolean): LabelledCapture[] =>
      Array.from({ length: n }, (_, i) => ({
        name: `${label}-${i}`,
        label,
        rows: [
          Float64Array.from({ length: 60 }, (_, f) =>
            f < 2 ? (flip ? 1 - f : f) : centre + ((f * 7 + centre) % 5) + rng.next(),
          ),
        ],
      }));
    const rng = new Rng(17);
    const caps = [
      ...twin('A', 0, 12, rng, false),
      ...twin('B', 10, 12, rng, false),
      ...twin('C', 20, 12, rng, false),
      ...twin('D', 0, 12, rng, true),
    ];
    const outcomes: CaptureOutcome[] = caps.map((c, i) => ({
      capture: i,
      label: c.label,
      predicted: c.label,
      top: 0.9,
      second: null,
      secondTop: 0.05,
    }));
    const columns = Int32Array.from({ length: 60 }, (_, i) => i);
    const service = Int32Array.from([0, 1]);
    const without = calibrateNoveltyRule(caps, outcomes, columns, 0.02).calibration;
    const { calibration, reference } = calibrateNoveltyRule(caps, outcomes, columns, 0.02, true, 10, service);
    assert.ok(
      without.unseenByLabel.D! < 1,
      `the whole vector alone misses some of D: ${without.unseenByLabel.D}`,
    );
    assert.equal(calibration.unseenByLabel.D, 1, 'the service-role rule catches all of D');
    // 48 captures: each judged at the threshold of the other 47 (their largest joint rank), one is beyond
    // them on a rule (the promise for so few: about 1 / (n + 1), with the margin on the service role).
    assert.equal(calibration.knownUnknownRate, 1 / 48);
    assert.equal(calibration.secondaryThreshold, reference.secondary?.threshold);
    // 48 calibration captures at 2 %: too few for the rate, so the service-role rule has its margin
    // (and still catches all of D).
    assert.equal(calibration.secondaryMargin, SMALL_N_SECONDARY_MARGIN);
    assert.equal(reference.secondaryMargin, SMALL_N_SECONDARY_MARGIN);
    assert.deepEqual(reference.secondary?.columns, service);
    // Joint calibration: each rule keeps its own threshold at the rate (alone); the capture is Unknown
    // when the larger of its two ranks is above the conformal threshold of the training captures' own.
    const many = Array.from({ length: 10 }, (_, r) =>
      caps.map((c) => ({
        ...c,
        rows: [Float64Array.from(c.rows[0]!, (v, f) => (f < 2 ? v : v + 0.01 * r))],
      })),
    ).flat();
    const both = calibratedNovelty(many, columns, 0.02, service);
    const alone = calibratedNovelty(many, columns, 0.02);
    assert.equal(both.reference.threshold, alone.reference.threshold, 'the main rule alone, at the rate');
    const m = both.ratios.length;
    const k = Math.ceil(0.98 * (m + 1));
    assert.ok(both.ratios.filter((v) => v > 1).length <= m - k, 'at most the conformal share above');
    assert.ok(both.reference.jointThreshold! > 0.9 && both.reference.jointThreshold! <= 1);
    // Enough calibration captures for the rate: no margin on the secondary rule.
    assert.equal(both.reference.secondaryMargin, 1);
    // 36 calibration captures (D's 12 left out) at 2 %: the threshold is the largest score, and the
    // service-role score must pass SMALL_N_SECONDARY_MARGIN × the largest of its own.
    const few = calibratedNovelty(
      caps.filter((c) => c.label !== 'D'),
      columns,
      0.02,
      service,
    ).reference;
    assert.equal(few.secondaryMargin, SMALL_N_SECONDARY_MARGIN);
    // A, B and C share one service role, so their scores are 0 and any other role passes the margin:
    // D's captures (the service role flipped) stay Unknown.
    const d = caps.filter((c) => c.label === 'D');
    for (const c of d) assert.ok(noveltyRatio(few, c.rows[0]!) > 1, c.name);
    assert.equal(conformalFallback(48, 0.02), true);
    assert.equal(conformalFallback(49, 0.02), false);
    assert.equal(conformalFallback(18, 0.05), true);
    assert.equal(conformalFallback(19, 0.05), false);
  });
});
