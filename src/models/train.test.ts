import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { UsageError } from '../errors.js';
import { Rng } from './rng.js';
import {
  explain,
  hiddenRepresentation,
  type OneLayerRoleModel,
  predictBins,
  predictCapture,
  topLabels,
  trainRoleModel,
} from './role-model.js';

const CLASSES = ['Printer', 'Camera', 'Hub', 'Bulb'];

/** Sparse 4,104-wide bins: each class has its own ports, shared ports add overlap. */
function bins(perClass: number, seed: number) {
  const rng = new Rng(seed);
  const rows: Float64Array[] = [];
  const labels: string[] = [];
  CLASSES.forEach((label, c) => {
    for (let i = 0; i < perClass; i++) {
      const x = new Float64Array(4104);
      x[1024 + 53] = rng.next() * 0.3;
      x[1024 + 443] = rng.next() * 0.3;
      x[1024 + 100 + c * 7] = 0.2 + rng.next() * 0.5;
      if (rng.next() < 0.7) x[3072 + 200 + c * 11] = 0.1 + rng.next() * 0.3;
      if (rng.next() < 0.2) x[rng.int(0, 4096)] = rng.next();
      x[4096] = c % 2 === 0 ? 1 : rng.next() * 0.2;
      x[4097] = rng.next();
      rows.push(x);
      labels.push(label);
    }
  });
  return { rows, labels };
}

const train = bins(20, 1);
const heldOut = bins(8, 2);

for (const algorithm of ['onelayer', 'randomforest'] as const) {
  test(`trainRoleModel ${algorithm}: labels, selection, held-out accuracy, determinism`, () => {
    const r = trainRoleModel(train.rows, train.labels, { algorithm, seed: 11, dataset: 'synthetic' });
    const m = r.model;
    assert.deepEqual(m.labels, ['Bulb', 'Camera', 'Hub', 'Printer', 'Unknown']);
    assert.equal(m.features.count, 4104);
    assert.ok(m.selected.length >= 4 && m.selected.length < 200, `${m.selected.length} selected`);
    assert.ok(r.selection.length > 0);
    assert.equal(m.training?.dataset, 'synthetic');
    assert.equal(m.training?.seed, 11);
    let ok = 0;
    for (let i = 0; i < heldOut.rows.length; i++) {
      const p = predictCapture(m, [heldOut.rows[i]!])!;
      if (topLabels(m.labels, p, 1).labels[0] === heldOut.labels[i]) ok++;
    }
    assert.ok(ok / heldOut.rows.length >= 0.9, `held-out accuracy ${ok / heldOut.rows.length}`);
    const again = trainRoleModel(train.rows, train.labels, { algorithm, seed: 11 }).model;
    assert.deepEqual(again.selected, m.selected);
    if (m.kind === 'onelayer') assert.deepEqual((again as OneLayerRoleModel).mlp.w1, m.mlp.w1);
    else assert.deepEqual(predictCapture(again, heldOut.rows), predictCapture(m, heldOut.rows));
  });
}

test('trainRoleModel refuses fewer than two labels and mismatched inputs', () => {
  assert.throws(
    () => trainRoleModel(train.rows.slice(0, 5), new Array(5).fill('Printer')),
    (e: unknown) => e instanceof UsageError && /at least two labels/.test(e.message),
  );
  assert.throws(() => trainRoleModel(train.rows.slice(0, 5), ['a', 'b']), UsageError);
  const ragged = [new Float64Array(4104), new Float64Array(4000)];
  assert.throws(() => trainRoleModel(ragged, ['a', 'b']), /feature row 1 has 4000 values/);
  const nan = [new Float64Array(4104), new Float64Array(4104).fill(Number.NaN)];
  assert.throws(() => trainRoleModel(nan, ['a', 'b']), /non-finite value/);
});

test('trained on real IoT Sentinel bins (reference features), both algorithms classify held-out bins', () => {
  // Bins of 6 devices as NetworkML v0.4.8 computed them (test-data/reference); every third bin is held out.
  const file = new URL('../../test-data/reference/networkml-v0.4.8.jsonl', import.meta.url);
  const tr: Float64Array[] = [];
  const trL: string[] = [];
  const te: Float64Array[] = [];
  const teL: string[] = [];
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const r = JSON.parse(line) as {
      pcap: string;
      valid: boolean;
      features?: { nonzero: Record<string, number> }[];
    };
    if (!r.valid || r.pcap.startsWith('trace_')) continue;
    const label = r.pcap.slice(0, r.pcap.indexOf('-'));
    r.features!.forEach((b, i) => {
      const x = new Float64Array(4104);
      for (const [f, v] of Object.entries(b.nonzero)) x[Number(f)] = v;
      (i % 3 === 2 ? te : tr).push(x);
      (i % 3 === 2 ? teL : trL).push(label);
    });
  }
  assert.equal(new Set(trL).size, 6);
  for (const algorithm of ['onelayer', 'randomforest'] as const) {
    const m = trainRoleModel(tr, trL, { algorithm, seed: 1 }).model;
    let ok = 0;
    te.forEach((x, i) => {
      if (topLabels(m.labels, predictCapture(m, [x])!, 1).labels[0] === teL[i]) ok++;
    });
    assert.ok(ok / te.length >= 0.78, `${algorithm}: ${ok}/${te.length}`);
  }
});

test('explain: contributions add up for both model kinds; hidden representation needs onelayer', () => {
  for (const algorithm of ['onelayer', 'randomforest'] as const) {
    const m = trainRoleModel(train.rows, train.labels, {
      algorithm,
      seed: 2,
      nEstimators: 15,
      maxIter: 200,
    }).model;
    const x = heldOut.rows[3]!;
    const e = explain(m, x);
    const p = predictBins(m, [x])[0]!;
    const t = m.labels.indexOf(e.label);
    const total = e.contributions.reduce((s, c) => s + c.contribution, e.base);
    if (algorithm === 'randomforest') {
      assert.ok(Math.abs(total - p[t]!) < 1e-12, `${total} vs ${p[t]}`);
      assert.throws(() => hiddenRepresentation(m, x), /needs a onelayer model/);
    } else {
      const logits = Array.from(p, Math.log);
      const centred = logits[t]! - logits.reduce((s, v) => s + v, 0) / logits.length;
      assert.ok(Math.abs(total - centred) < 1e-9, `${total} vs ${centred}`);
      assert.equal(hiddenRepresentation(m, x).length, 32);
    }
  }
});
