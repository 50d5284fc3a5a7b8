import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelError } from '../errors.js';
import {
  calibrationRank,
  fitNovelty,
  leaveOneOutNovelty,
  midRank,
  noveltyFromPoints,
  noveltyOf,
  noveltyRatio,
  noveltyScore,
  noveltySubset,
} from './novelty.js';
import { Rng } from './rng.js';

test('midRank counts the values below and half the equal ones', () => {
  const sorted = Float64Array.from([9, 1, 2, 2, 2, 5]);
  // offset 1: the five values 1 2 2 2 5
  assert.equal(midRank(sorted, 1, 5, 0), 0);
  assert.equal(midRank(sorted, 1, 5, 1), 0.1);
  assert.equal(midRank(sorted, 1, 5, 2), (1 + 1.5) / 5);
  assert.equal(midRank(sorted, 1, 5, 3), 0.8);
  assert.equal(midRank(sorted, 1, 5, 5), 0.9);
  assert.equal(midRank(sorted, 1, 5, 7), 1);
});

/** Brute force of the definition: mean over columns of |rank difference|, mean of the k smallest. */
function bruteNovelty(points: number[][], q: number[], k: number, skip = -1): number {
  const n = points.length;
  const h = q.length;
  const rank = (f: number, v: number) => {
    let s = 0;
    for (const p of points) s += p[f]! < v ? 1 : p[f]! === v ? 0.5 : 0;
    return s / n;
  };
  const rq = q.map((v, f) => rank(f, v));
  const d = points
    .map((p, i) =>
      i === skip ? Number.POSITIVE_INFINITY : p.reduce((s, v, f) => s + Math.abs(rank(f, v) - rq[f]!), 0) / h,
    )
    .sort((a, b) => a - b)
    .slice(0, k);
  return d.reduce((a, b) => a + b, 0) / d.length;
}

test('novelty and leave-one-out novelty equal the definition on random data with ties', () => {
  const rng = new Rng(5);
  const points = Array.from({ length: 12 }, () =>
    Array.from({ length: 4 }, () => Math.floor(rng.next() * 4)),
  );
  // columns 3 and 1 of a wider vector
  const wide = points.map((p) => Float64Array.from([7, p[1]!, 7, p[0]!]));
  const ref = fitNovelty(Int32Array.from([3, 1]), wide);
  const two = points.map((p) => [p[0]!, p[1]!]);
  for (const k of [1, 3]) {
    const r = noveltyFromPoints(ref.columns, ref.points, null, k);
    const q = [2.5, 0];
    assert.ok(Math.abs(noveltyScore(r, [0, q[1]!, 0, q[0]!]) - bruteNovelty(two, q, k)) < 1e-12);
    const loo = leaveOneOutNovelty(r);
    for (const [i, p] of two.entries()) {
      assert.ok(Math.abs(loo[i]! - bruteNovelty(two, p, k, i)) < 1e-12, `k=${k} i=${i}`);
    }
  }
});

test('a capture like the training ones scores low, one unlike all of them high', () => {
  const rng = new Rng(9);
  const points = Array.from({ length: 40 }, () => Float64Array.from({ length: 20 }, () => rng.next()));
  const ref = fitNovelty(
    Int32Array.from({ length: 20 }, (_, i) => i),
    points,
  );
  const inside = Float64Array.from({ length: 20 }, () => rng.next());
  const outside = Float64Array.from({ length: 20 }, () => 2 + rng.next());
  assert.equal(
    noveltyScore(ref, points[3]!) < noveltyScore(ref, inside),
    true,
    'a training capture is nearest',
  );
  const [a, b] = [noveltyScore(ref, inside), noveltyScore(ref, outside)];
  assert.ok(b > a + 0.05 && b > 0.3, `inside ${a}, outside ${b}`);
  // ranks make the distance blind to a monotone rescaling of a column
  const scaled = points.map((p) => Float64Array.from(p, (v, f) => (f === 0 ? 1000 * v ** 3 : v)));
  const ref2 = fitNovelty(ref.columns, scaled);
  const inside2 = Float64Array.from(inside, (v, f) => (f === 0 ? 1000 * v ** 3 : v));
  assert.ok(Math.abs(noveltyScore(ref, inside) - noveltyScore(ref2, inside2)) < 1e-12);
});

/** Brute force of the nearest-type novelty: min over labels of the mean of that label's min(k, n_c) nearest. */
function bruteNearestType(points: number[][], labels: number[], q: number[], k: number, skip = -1): number {
  const n = points.length;
  const h = q.length;
  const rank = (f: number, v: number) => {
    let s = 0;
    for (const p of points) s += p[f]! < v ? 1 : p[f]! === v ? 0.5 : 0;
    return s / n;
  };
  const rq = q.map((v, f) => rank(f, v));
  let best = Number.POSITIVE_INFINITY;
  for (const c of new Set(labels)) {
    const d = points
      .flatMap((p, i) =>
        i === skip || labels[i] !== c
          ? []
          : [p.reduce((s, v, f) => s + Math.abs(rank(f, v) - rq[f]!), 0) / h],
      )
      .sort((a, b) => a - b)
      .slice(0, k);
    if (d.length > 0) best = Math.min(best, d.reduce((a, b) => a + b, 0) / d.length);
  }
  return best;
}

test('with labels, novelty and leave-one-out novelty are the distance to the nearest type', () => {
  const rng = new Rng(11);
  const points = Array.from({ length: 14 }, () =>
    Array.from({ length: 3 }, () => Math.floor(rng.next() * 5)),
  );
  // types of 6, 5, 2 and 1 captures: k = 3 is cut to the type's size (and to one fewer for its own type)
  const labels = points.map((_, i) => (i < 6 ? 0 : i < 11 ? 1 : i < 13 ? 2 : 3));
  const ref = fitNovelty(
    Int32Array.from([0, 1, 2]),
    points.map((p) => Float64Array.from(p)),
    Int32Array.from(labels),
  );
  for (const q of [
    [2, 2, 2],
    [0, 4, 1],
    [9, 9, 9],
  ])
    assert.ok(Math.abs(noveltyScore(ref, q) - bruteNearestType(points, labels, q, 3)) < 1e-12, `${q}`);
  const loo = leaveOneOutNovelty(ref);
  for (const [i, p] of points.entries())
    assert.ok(Math.abs(loo[i]! - bruteNearestType(points, labels, p, 3, i)) < 1e-12, `i=${i}`);
});

test('a capture among odd captures of several types, far from the rest of each, is novel only with labels', () => {
  // Types A, B, C: 5 captures each near 0, 20 and 30, plus one odd capture each near 10. A query near 10
  // has three close captures, so the mean of its 3 nearest says "known"; but no TYPE is near it: each
  // type's 3 nearest are its odd capture and two of its far cluster.
  const rng = new Rng(4);
  const around = (c: number) => Float64Array.from({ length: 8 }, () => c + rng.next());
  const pts: Float64Array[] = [];
  const labels: number[] = [];
  for (const [t, centre] of [0, 20, 30].entries()) {
    for (let i = 0; i < 5; i++) {
      pts.push(around(centre));
      labels.push(t);
    }
    pts.push(around(10));
    labels.push(t);
  }
  const cols = Int32Array.from({ length: 8 }, (_, i) => i);
  const q = around(10);
  const plain = noveltyScore(fitNovelty(cols, pts), q);
  const typed = noveltyScore(fitNovelty(cols, pts, Int32Array.from(labels)), q);
  assert.ok(plain < 0.1, `plain ${plain}`);
  assert.ok(typed > 1.5 * plain && typed > 0.11, `typed ${typed}, plain ${plain}`);
  // A capture inside type A's cluster is near its type under both.
  assert.ok(noveltyScore(fitNovelty(cols, pts, Int32Array.from(labels)), around(0)) < 0.15);
});

test("with a secondary rule, noveltyRatio ranks each score among its rule's calibration scores", () => {
  const rng = new Rng(8);
  // Two types in 6 columns; columns 4 and 5 are the "service role": type 0 has them low, type 1 high.
  const pts = Array.from({ length: 20 }, (_, i) =>
    Float64Array.from({ length: 6 }, (_, f) => (f >= 4 ? (i < 10 ? 0 : 1) + 0.01 * rng.next() : rng.next())),
  );
  const labels = Int32Array.from(pts, (_, i) => (i < 10 ? 0 : 1));
  const ref = fitNovelty(
    Int32Array.from({ length: 6 }, (_, i) => i),
    pts,
    labels,
  );
  ref.secondary = noveltySubset(ref, Int32Array.from([4, 5]));
  assert.deepEqual(ref.secondary.points, Float64Array.from(pts.flatMap((p) => [p[4]!, p[5]!])));
  const typical = pts[3]!;
  assert.throws(() => noveltyRatio(ref, typical), /calibration scores/);
  ref.calibration = leaveOneOutNovelty(ref).sort();
  ref.secondary.calibration = leaveOneOutNovelty(ref.secondary).sort();
  ref.jointThreshold = 0.9;
  // Like type 0 in columns 0–3 but with service-role columns type 0 never has and type 1 always has.
  const otherEnd = Float64Array.from(typical, (v, f) => (f === 4 ? 1.005 : f === 5 ? 0.005 : v));
  const u1 = calibrationRank(ref.calibration, noveltyScore(ref, otherEnd));
  const u2 = calibrationRank(ref.secondary.calibration, noveltyScore(ref.secondary, otherEnd));
  assert.equal(noveltyRatio(ref, otherEnd), Math.max(u1, u2) / 0.9);
  assert.ok(u2 > 0.9 && u1 <= 0.9, `whole vector ${u1}, service role ${u2}`);
  // Its rank, an Unknown verdict's confidence: the larger rule's mid-rank among its 20 calibration scores
  // and itself, at most 20 / 21 (a score beyond all of them).
  const other = noveltyOf(ref, otherEnd);
  assert.equal(other.ratio, noveltyRatio(ref, otherEnd));
  assert.equal(other.rank, Math.max((u1 * 20) / 21, (u2 * 20) / 21));
  const beyond = noveltyOf(
    ref,
    Float64Array.from(typical, (v, f) => (f >= 4 ? 9 : v)),
  );
  assert.ok(beyond.ratio > 1);
  assert.ok(beyond.rank! > 0.9 && beyond.rank! <= 20 / 21, `${beyond.rank}: below the cap of 20 / 21`);
  const ranks = (q: Float64Array) =>
    [ref.calibration!, ref.secondary!.calibration!].map((c, r) => {
      const v = noveltyScore(r === 0 ? ref : ref.secondary!, q);
      return (c.filter((x) => x < v).length + 0.5 * c.filter((x) => x === v).length) / 21;
    });
  assert.equal(beyond.rank, Math.max(...ranks(Float64Array.from(typical, (v, f) => (f >= 4 ? 9 : v)))));
  // Past every calibration score the ratio and the rank stop; `beyond` is each rule's score over its largest
  // calibration score, so a capture unlike the training captures in more of its features reads farther past.
  const scoreOver = (q: Float64Array) =>
    Math.max(
      noveltyScore(ref, q) / ref.calibration!.at(-1)!,
      noveltyScore(ref.secondary!, q) / ref.secondaryMargin / ref.secondary!.calibration!.at(-1)!,
    );
  const far = Float64Array.from(typical, (v, f) => (f >= 4 ? 9 : v));
  const farther = Float64Array.from(typical, (v, f) => (f >= 1 ? 9 : v));
  assert.equal(beyond.beyond, scoreOver(far));
  const farOut = noveltyOf(ref, farther);
  assert.equal(farOut.beyond, scoreOver(farther));
  assert.ok(farOut.beyond! > 1 && farOut.beyond! > beyond.beyond!, `${farOut.beyond} vs ${beyond.beyond}`);
  assert.ok(farOut.ratio > 1);
  // A typical capture lies within them.
  assert.ok(noveltyOf(ref, typical).beyond! <= 1);
  assert.equal(
    noveltyOf({ ...ref, secondary: null, threshold: 0.3 }, otherEnd).rank,
    null,
    'one rule: no rank',
  );
  assert.ok(noveltyRatio(ref, typical) <= 1);
  assert.equal(calibrationRank(Float64Array.from([1, 2, 2, 3]), 2), 0.5);
  assert.equal(calibrationRank(Float64Array.from([1, 2, 2, 3]), 9), 1);
  assert.throws(() => noveltySubset(ref, Int32Array.from([7])), ModelError);
  assert.throws(() => noveltyRatio({ ...ref, secondary: null, threshold: null }, typical), /not calibrated/);
});

test('the secondary margin divides the secondary score before it is ranked', () => {
  const rng = new Rng(9);
  const pts = Array.from({ length: 20 }, (_, i) =>
    Float64Array.from({ length: 4 }, (_, f) => (f === 3 ? (i < 10 ? 0 : 1) + 0.1 * rng.next() : rng.next())),
  );
  const ref = fitNovelty(
    Int32Array.from([0, 1, 2, 3]),
    pts,
    Int32Array.from(pts, (_, i) => (i < 10 ? 0 : 1)),
  );
  ref.secondary = noveltySubset(ref, Int32Array.from([3]));
  assert.equal(ref.secondaryMargin, 1, 'no margin unless calibration sets one');
  // Point 2 with its secondary column between the two types' values.
  const x = Float64Array.from(pts[2]!, (w, f) => (f === 3 ? 0.5 : w));
  const s = noveltyScore(ref.secondary, x);
  assert.ok(s > 0);
  ref.calibration = leaveOneOutNovelty(ref).sort();
  // Calibration scores whose largest is s / 1.2: x passes it by 20 %.
  ref.secondary.calibration = Float64Array.from({ length: 20 }, (_, i) => ((i + 1) / 20) * (s / 1.2));
  ref.jointThreshold = 1 - 0.5 / 20; // the largest mid-rank: only scores above every one are Unknown
  assert.ok(noveltyRatio(ref, x) > 1, 'above the largest: Unknown without a margin');
  ref.secondaryMargin = 1.5;
  assert.ok(noveltyRatio(ref, x) <= 1, 'within 1.5 × the largest: known');
  ref.secondaryMargin = 1.1;
  assert.ok(noveltyRatio(ref, x) > 1, 'beyond 1.1 × the largest: Unknown');
});
