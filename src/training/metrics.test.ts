import assert from 'node:assert/strict';
import { it } from 'node:test';
import { confusedPairs, expectedAnswer, scorePredictions } from './metrics.js';

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
  assert.ok(Math.abs(m.meanF1! - (0.5 + 0.8 + 0) / 3) < 1e-12);
  assert.equal(m.accuracy, 3 / 5);
});

it('averages mean F1 over the true roles only: Unknown is not a role', () => {
  const m = scorePredictions(['a', 'a', 'b', 'b'], ['a', 'Unknown', 'b', 'b']);
  assert.deepEqual(m.labels, ['a', 'b', 'Unknown']);
  // a: P 1, R 0.5 → F1 2/3; b: F1 1; Unknown (support 0) is not averaged.
  assert.ok(Math.abs(m.meanF1! - (2 / 3 + 1) / 2) < 1e-12);
});

it('lists confused pairs in either direction, siblings counted apart', () => {
  const row = (truth: string, forced: string, siblings: [string, string] | null = null) => ({
    file: `${truth}.pcap`,
    truth,
    predicted: forced,
    confidence: 0.5,
    unknown: false,
    forced,
    siblings,
  });
  const pairs = confusedPairs([
    row('kettle', 'coffee', ['coffee', 'kettle']),
    row('coffee', 'kettle'),
    row('coffee', 'coffee', ['coffee', 'kettle']),
    row('plug', 'camera'),
    row('plug', 'plug'),
    { ...row('cam', 'cam'), reason: 'no sessions' },
  ]);
  assert.deepEqual(pairs, [
    { a: 'coffee', b: 'kettle', count: 2, siblings: 2 },
    { a: 'camera', b: 'plug', count: 1, siblings: 0 },
  ]);
});

it('does not average Unknown even when it is the truth of a test capture (a capture of an unknown type)', () => {
  // Unknown-… captures: one called Unknown (right), one forced to a role (wrong).
  const m = scorePredictions(['a', 'b', 'Unknown', 'Unknown'], ['a', 'b', 'Unknown', 'a']);
  assert.equal(m.perRole.find((r) => r.label === 'Unknown')!.support, 2);
  // a: P 0.5, R 1 → F1 2/3; b: F1 1. Unknown's own F1 (2/3) is not a role's.
  assert.ok(Math.abs(m.meanF1! - (2 / 3 + 1) / 2) < 1e-12, `mean F1 ${m.meanF1}`);
  assert.equal(m.accuracy, 3 / 4);
});

it('names no confused pair for a capture of an unknown type', () => {
  const pairs = confusedPairs(
    [{ file: 'Unknown-x-Mon0000-n00.pcap', truth: 'Unknown', predicted: 'Unknown', confidence: 0.9 }].map(
      (p) => ({ ...p, unknown: true, forced: 'plug', siblings: null }),
    ),
  );
  assert.deepEqual(pairs, []);
});

it('expects Unknown for a type the model has no role for, and has no mean F1 when no role is left', () => {
  const roles = new Set(['plug', 'camera']);
  assert.equal(expectedAnswer('plug', roles), 'plug');
  assert.equal(expectedAnswer('PMU', roles), 'Unknown');
  assert.equal(expectedAnswer('Unknown', roles), 'Unknown');
  const m = scorePredictions(['Unknown', 'Unknown'], ['Unknown', 'plug']);
  assert.equal(m.meanF1, null);
  assert.equal(m.accuracy, 1 / 2);
});

it('counts a capture called Unknown as labelling nothing, and one of an unseen type as confusing nothing', () => {
  const base = { confidence: 0.9, siblings: null };
  const pairs = confusedPairs([
    // A known type rejected: its best role (camera) was no answer given.
    {
      ...base,
      file: 'plug-1.pcap',
      truth: 'plug',
      expected: 'plug',
      predicted: 'Unknown',
      unknown: true,
      forced: 'camera',
    },
    // A type the model has no role for, labelled as a role: wrong, but no pair of roles is confused.
    {
      ...base,
      file: 'PMU-1.pcap',
      truth: 'PMU',
      expected: 'Unknown',
      predicted: 'plug',
      unknown: false,
      forced: 'plug',
    },
    {
      ...base,
      file: 'plug-2.pcap',
      truth: 'plug',
      expected: 'plug',
      predicted: 'camera',
      unknown: false,
      forced: 'camera',
    },
  ]);
  assert.deepEqual(pairs, [{ a: 'camera', b: 'plug', count: 1, siblings: 0 }]);
});
