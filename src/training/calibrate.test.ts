import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../models/rng.js';
import {
  calibrateOpenSet,
  harrellDavisQuantile,
  incompleteBeta,
  openSetScore,
  rejectionThreshold,
  SIBLING_MARGIN_BOUNDS,
  siblingMargin,
  type UnseenOutcome,
} from './calibrate.js';
import type { CaptureOutcome } from './select.js';

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
