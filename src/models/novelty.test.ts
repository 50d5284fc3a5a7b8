import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelError } from '../errors.js';
import { fitNovelty, leaveOneOutNovelty, midRank, noveltyFromPoints, noveltyScore } from './novelty.js';
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

test('a malformed reference is refused', () => {
  assert.throws(() => noveltyFromPoints(Int32Array.from([0, 1]), Float64Array.from([1, 2, 3])), ModelError);
  assert.throws(
    () => noveltyFromPoints(Int32Array.from([0]), Float64Array.from([1, 2]), null, 0),
    ModelError,
  );
});
