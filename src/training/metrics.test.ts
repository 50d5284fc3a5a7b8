import assert from 'node:assert/strict';
import { it } from 'node:test';
import { scorePredictions } from './metrics.js';

it('computes the confusion matrix, per-role F1 and accuracy by hand-checked numbers', () => {
  const m = scorePredictions(['a', 'a', 'b', 'b', 'c'], ['a', 'b', 'b', 'b', 'a']);
  assert.deepEqual(m.labels, ['a', 'b', 'c']);
  assert.deepEqual(m.confusion, [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 0],
  ]);
  const a = m.perRole[0]!;
  assert.equal(a.precision, 0.5);
  assert.equal(a.recall, 0.5);
  assert.equal(a.f1, 0.5);
  const b = m.perRole[1]!;
  assert.equal(b.precision, 2 / 3);
  assert.equal(b.recall, 1);
  assert.ok(Math.abs(b.f1 - 0.8) < 1e-12);
  assert.equal(m.perRole[2]!.f1, 0);
  assert.ok(Math.abs(m.meanF1 - (0.5 + 0.8 + 0) / 3) < 1e-12);
  assert.equal(m.accuracy, 3 / 5);
});
