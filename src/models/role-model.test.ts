import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_MODEL_PATH, loadModel } from './format.js';
import { Rng } from './rng.js';
import {
  explain,
  HIDDEN_ROWS_KEPT,
  hiddenRepresentation,
  type OneLayerRoleModel,
  predictBins,
  predictCapture,
  predictRows,
  type RoleModel,
  SparseSelection,
  selectedZ,
  selectedZRows,
  topLabels,
} from './role-model.js';

const REFERENCE = new URL('../../test-data/reference/networkml-v0.4.8.jsonl', import.meta.url);

interface RefLine {
  pcap: string;
  valid: boolean;
  features?: { nonzero: Record<string, number> }[];
  predictions?: [string, number][];
}

const bundled = loadModel(DEFAULT_MODEL_PATH);
const model = bundled.model as OneLayerRoleModel;

/** The formula of the original model's description, written out plainly on the file's own arrays. */
function directProbs(x: number[]): number[] {
  const doc = JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8'));
  const { means, stds } = doc.normalisation;
  const z = doc.selected.map((f: number) => (x[f]! - means[f]) / stds[f]);
  const { w1, b1, w2, b2 } = doc.weights;
  const hidden = b1.map((b: number, h: number) =>
    Math.max(
      0,
      z.reduce((s: number, v: number, j: number) => s + v * w1[j][h], b),
    ),
  );
  const logits = b2.map((b: number, c: number) =>
    hidden.reduce((s: number, v: number, h: number) => s + v * w2[h][c], b),
  );
  const mx = Math.max(...logits);
  const e = logits.map((l: number) => Math.exp(l - mx));
  const sum = e.reduce((a: number, b: number) => a + b, 0);
  return e.map((v: number) => v / sum);
}

test('bundled model: labels, shapes and attribution', () => {
  assert.equal(model.kind, 'onelayer');
  assert.equal(model.labels.length, 13);
  assert.ok(model.labels.includes('Unknown'));
  assert.equal(model.features.count, 4104);
  assert.equal(model.features.semantics, 'compat');
  assert.equal(model.selected.length, 54);
  assert.equal(model.mlp.hiddenSize, 32);
  assert.equal(model.source?.licence, 'Apache-2.0');
  assert.match(model.source?.attribution ?? '', /CyberReboot NetworkML v0\.4\.8/);
  assert.match(bundled.hash, /^[0-9a-f]{64}$/);
});

test('bundled model: per-bin probabilities equal the description formula on hand-made vectors', () => {
  const rng = new Rng(7);
  const vectors: number[][] = [new Array(4104).fill(0)];
  for (let v = 0; v < 20; v++) {
    const x = new Array(4104).fill(0);
    // a few port shares and the 8 ratio features, as real bins look
    for (let q = 0; q < 6; q++) x[rng.int(0, 4096)] = rng.next();
    for (const f of model.selected) if (rng.next() < 0.3) x[f] = rng.next();
    for (let f = 4096; f < 4104; f++) x[f] = rng.next() < 0.5 ? rng.next() : 0;
    vectors.push(x);
  }
  const got = predictBins(model, vectors);
  for (let i = 0; i < vectors.length; i++) {
    const want = directProbs(vectors[i]!);
    for (let c = 0; c < 13; c++)
      assert.ok(Math.abs(got[i]![c]! - want[c]!) <= 1e-12, `vector ${i} label ${c}`);
  }
});

test('bundled model: capture probabilities equal NetworkML v0.4.8 on every reference capture (1e-9)', () => {
  const lines = readFileSync(REFERENCE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RefLine);
  let checked = 0;
  for (const ref of lines) {
    if (!ref.valid) continue;
    const bins = ref.features!.map((b) => {
      const x = new Float64Array(4104);
      for (const [f, v] of Object.entries(b.nonzero)) x[Number(f)] = v;
      return x;
    });
    const probs = predictCapture(model, bins)!;
    for (const [label, want] of ref.predictions!) {
      const got = probs[model.labels.indexOf(label)]!;
      assert.ok(Math.abs(got - want) <= 1e-9, `${ref.pcap} ${label}: ${got} vs ${want}`);
    }
    const top = topLabels(model.labels, probs);
    assert.deepEqual(
      top.labels,
      ref.predictions!.slice(0, 3).map((p) => p[0]),
      ref.pcap,
    );
    checked++;
  }
  assert.ok(checked >= 5, `only ${checked} valid reference captures`);
});

test('topLabels is a stable sort: ties keep label order', () => {
  const r = topLabels(['a', 'b', 'c', 'd'], [0.2, 0.3, 0.3, 0.2]);
  assert.deepEqual(r.labels, ['b', 'c', 'a']);
  assert.deepEqual(r.confidences, [0.3, 0.3, 0.2]);
});

test('hidden representation and explanation of the bundled model are consistent', () => {
  const x = new Float64Array(4104);
  x[4097] = 1;
  x[4096] = 1;
  x[model.selected[3]!] = 0.5;
  const hid = hiddenRepresentation(model, x);
  assert.equal(hid.length, 32);
  assert.ok(hid.every((v) => v >= 0));
  const e = explain(model, x);
  const p = predictBins(model, [x])[0]!;
  const t = model.labels.indexOf(e.label);
  // centred logit of the top label = base + Σ contributions
  const logits = new Float64Array(13);
  for (let c = 0; c < 13; c++) logits[c] = Math.log(p[c]!);
  const mean = logits.reduce((a, b) => a + b, 0) / 13;
  const sum = e.contributions.reduce((s, c) => s + c.contribution, e.base);
  assert.ok(Math.abs(sum - (logits[t]! - mean)) < 1e-9, `${sum} vs ${logits[t]! - mean}`);
  assert.ok(e.contributions.every((c) => model.selected.includes(c.feature)));
});

test('a capture with no bins has no prediction', () => {
  assert.equal(predictCapture(model, []), null);
});

/** Random sparse rows as the compat store keeps them: a few dozen entries, some on selected features. */
function sparseRows(rng: Rng, count: number): { index: Uint16Array; value: Float64Array; start: Int32Array } {
  const index: number[] = [];
  const value: number[] = [];
  const start = new Int32Array(count + 1);
  const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 5e-324, -1];
  for (let r = 0; r < count; r++) {
    const n = rng.int(0, 40);
    for (let k = 0; k < n; k++) {
      // Half on the model's features, some twice in one row (the later value counts), some out of range.
      const f =
        rng.next() < 0.5
          ? model.selected[rng.int(0, model.selected.length)]!
          : rng.next() < 0.05
            ? 4104 + rng.int(0, 100)
            : rng.int(0, 4104);
      index.push(f);
      value.push(rng.next() < 0.1 ? specials[rng.int(0, specials.length)]! : rng.next() * 1000 - 10);
    }
    start[r + 1] = index.length;
  }
  return { index: Uint16Array.from(index), value: Float64Array.from(value), start };
}

test('selectedZ from a sparse row has the bits of selectedZ of the expanded row', () => {
  const rows = sparseRows(new Rng(11), 400);
  const dense = new Float64Array(4104);
  const write = (i: number, out: Float64Array) => {
    out.fill(0);
    for (let k = rows.start[i]!; k < rows.start[i + 1]!; k++) out[rows.index[k]!] = rows.value[k]!;
  };
  const z = new Float64Array(model.selected.length);
  const zOf = selectedZRows(
    model,
    write,
    (i, read) => read(rows.index, rows.value, rows.start[i]!, rows.start[i + 1]!),
    z,
  );
  for (let i = 0; i < 400; i++) {
    write(i, dense);
    const want = selectedZ(model, dense);
    const got = zOf(i);
    for (let j = 0; j < want.length; j++)
      assert.ok(Object.is(got[j], want[j]), `row ${i} z[${j}]: ${got[j]} vs ${want[j]}`);
  }
  // The predictions through both paths are the same bits too.
  const sparse = predictRows(model, 400, 4104, write, (i, read) =>
    read(rows.index, rows.value, rows.start[i]!, rows.start[i + 1]!),
  );
  const expanded = predictRows(model, 400, 4104, write);
  assert.deepEqual(sparse, expanded);
});

test('a model that selects a feature twice reads expanded rows (SparseSelection.of is null)', () => {
  const twice: RoleModel = { ...model, selected: Int32Array.from([...model.selected, model.selected[0]!]) };
  assert.equal(SparseSelection.of(twice), null);
  assert.ok(SparseSelection.of(model));
  let expandedReads = 0;
  const zOf = selectedZRows(
    twice,
    (_i, out) => {
      expandedReads++;
      out.fill(0);
    },
    () => assert.fail('the sparse path was taken'),
    new Float64Array(twice.selected.length),
  );
  zOf(0);
  assert.equal(expandedReads, 1);
});

test("predictions keep each row's hidden layer (what history averages) up to HIDDEN_ROWS_KEPT rows", () => {
  const rows = sparseRows(new Rng(13), 300);
  const write = (i: number, out: Float64Array) => {
    out.fill(0);
    for (let k = rows.start[i]!; k < rows.start[i + 1]!; k++) out[rows.index[k]!] = rows.value[k]!;
  };
  const made = predictRows(model, 300, 4104, write);
  const x = new Float64Array(4104);
  assert.equal(made.hidden?.length, 300);
  for (let i = 0; i < 300; i++) {
    write(i, x);
    assert.deepEqual(made.hidden![i], hiddenRepresentation(model, x), `row ${i}`);
  }
  // One row more than kept: none (history computes them again).
  const many = predictRows(model, HIDDEN_ROWS_KEPT + 1, 4104, (_i, out) => out.fill(0));
  assert.equal(many.bins.length, HIDDEN_ROWS_KEPT + 1);
  assert.equal(many.hidden, undefined);
  assert.equal(
    predictRows(model, HIDDEN_ROWS_KEPT, 4104, (_i, out) => out.fill(0)).hidden?.length,
    HIDDEN_ROWS_KEPT,
  );
});
