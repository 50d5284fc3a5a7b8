import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitRankNnModel, type LabelledCapture } from '../training/select.js';
import { fitRankNn, rankNnProba } from './rank-nn.js';
import { Rng } from './rng.js';
import { explain, predictCapture, topLabels } from './role-model.js';

test('probabilities follow the nearest training capture of each label, e^(−Δd/τ)', () => {
  // One column: points 0, 1 (label 0) and 10, 11 (label 1); ranks 1/8, 3/8, 5/8, 7/8.
  const columns = Int32Array.from([0]);
  const s = fitRankNn(columns, [[0], [1], [10], [11]], [0, 0, 1, 1]);
  // margins (other − same): 4/8 − 2/8, 2/8 − 2/8, 2/8 − 2/8, 4/8 − 2/8: median (upper) 0.25
  assert.ok(Math.abs(s.temperature - 0.25 / Math.log(20)) < 1e-15, 'median margin / ln 20');
  const p = rankNnProba(s, 3, [0.5]); // rank 2/8: 1/8 from both label-0 points, 3/8 from label 1
  assert.ok(Math.abs(p[0]! / p[1]! - 20) < 1e-9, 'a typical margin: 20 to 1');
  assert.equal(p[2], 0, 'a label without captures gets nothing');
  assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-12);
  const far = rankNnProba(s, 3, [20]);
  assert.ok(far[1]! > 0.5);
});

test('a nearest-capture role model: top label = nearest capture, seed-free, explained by columns', () => {
  const rng = new Rng(2);
  const caps: LabelledCapture[] = [];
  for (const [label, c] of [
    ['Cam', 0],
    ['Plug', 1],
    ['Hub', 2],
  ] as const) {
    for (let i = 0; i < 5; i++) {
      const rows = [Float64Array.from({ length: 200 }, (_, f) => (f % 3 === c ? 5 : 0) + rng.next())];
      caps.push({ name: `${label}-${i}`, label, rows });
    }
  }
  const m = fitRankNnModel(caps.slice(1), { semantics: 'v2', seed: 1 });
  const m2 = fitRankNnModel(caps.slice(1), { semantics: 'v2', seed: 9 });
  assert.deepEqual(m.labels, ['Cam', 'Hub', 'Plug', 'Unknown']);
  assert.equal(m.selected.length, 168, 'the header aggregates');
  const p = predictCapture(m, caps[0]!.rows)!;
  assert.deepEqual(p, predictCapture(m2, caps[0]!.rows), 'no randomness');
  assert.equal(topLabels(m.labels, p, 1).labels[0], 'Cam');
  // Explained: ln(p_Cam / p_next) split over the columns, the columns Cam is high in pulling towards it.
  const e = explain(m, caps[0]!.rows[0]!, 'Cam');
  assert.equal(e.label, 'Cam');
  const sorted = [...p].sort((a, b) => b - a);
  const sum = e.contributions.reduce((a, c) => a + c.contribution, 0);
  assert.ok(Math.abs(sum - Math.log(sorted[0]! / sorted[1]!)) < 1e-9, 'ln(p_top / p_next) = Σ contributions');
  assert.equal(e.base, 0);
  assert.ok(e.contributions.every((c) => c.feature < 168));
  // The columns that tell Cam from the runner-up lead: those one of the two is high in.
  const runnerUp = topLabels(m.labels, p, 2).labels[1]!;
  const high = { Cam: 0, Plug: 1, Hub: 2 } as Record<string, number>;
  assert.ok(e.contributions[0]!.contribution > 0);
  assert.ok([0, high[runnerUp]].includes(e.contributions[0]!.feature % 3), `${runnerUp}`);
});
