import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCapture } from '../pipeline/analyze.js';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { around } from '../test-helpers/ulps.js';
import { SessionSequenceLstm } from './lstm.js';
import { SIGMOID_ONE_FROM, SIGMOID_ZERO_BELOW, sigmoid, tanh } from './lstm-core.js';
import { Rng } from './rng.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;

const plainSigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Values around the shortcuts' edges and beyond, plus random ones over the range the model meets. */
function probes(edges: number[]): number[] {
  const rng = new Rng(11);
  const xs = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, Number.MAX_VALUE];
  xs.push(-Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1e300, -1e300);
  for (const e of edges) xs.push(...around(e, 2000));
  for (let i = 0; i < 200_000; i++) {
    const scale = [1, 10, 50, 800, 1e6][i % 5]!;
    xs.push((rng.next() * 2 - 1) * scale);
  }
  // A fine sweep through the whole band where the shortcuts start and stop mattering.
  for (let x = -800; x <= 800; x += 1 / 64) xs.push(x);
  return xs;
}

test('sigmoid is 1 / (1 + Math.exp(-x)) bit for bit, its exact 0 and 1 shortcuts included', () => {
  for (const x of probes([SIGMOID_ONE_FROM, SIGMOID_ZERO_BELOW, 36.7368005696771, -745.1332191019411])) {
    assert.ok(Object.is(sigmoid(x), plainSigmoid(x)), `sigmoid(${x}): ${sigmoid(x)} vs ${plainSigmoid(x)}`);
  }
  // The margin the shortcut's argument rests on: exp(-40) far below 2^-53, where 1 + it is 1.
  assert.ok(Math.exp(-SIGMOID_ONE_FROM) < 2 ** -53 / 16);
  assert.equal(Math.exp(-SIGMOID_ZERO_BELOW), Number.POSITIVE_INFINITY);
  // Not a vacuous check: below the edge the value is not 1 yet, above the other it is not 0.
  assert.notEqual(plainSigmoid(30), 1);
  assert.notEqual(plainSigmoid(-700), 0);
});

test('tanh is Math.tanh bit for bit, its ±1 shortcut included', () => {
  for (const x of probes([22, -22, 19.06154746539849, -19.06154746539849])) {
    assert.ok(Object.is(tanh(x), Math.tanh(x)), `tanh(${x}): ${tanh(x)} vs ${Math.tanh(x)}`);
  }
  assert.notEqual(Math.tanh(15), 1);
});

test("scoreSequenceByLabel gives each label scoreSequence's maximum under its one-hot vector, bit for bit", async () => {
  const rng = new Rng(3);
  const random = Array.from({ length: 300 }, (_, i) => {
    const v = new Float64Array(41);
    for (let k = 0; k < 11; k++)
      v[k] = rng.next() < 0.3 ? 0 : rng.next() < 0.5 ? Math.floor(rng.next() * 1500) : rng.next() * 50;
    // Rows the gates saturate on, and a NaN (skipped by both maxima) and infinities.
    if (i % 50 === 7) v[4] = 1e300;
    if (i % 50 === 8) v[5] = Number.NaN;
    if (i % 50 === 9) v[6] = Number.NEGATIVE_INFINITY;
    return v;
  });
  const sets: [string, readonly Float64Array[]][] = [['random', random]];
  for (const ref of referenceRecords().filter((r) => r.valid)) {
    sets.push([ref.pcap, (await analyzeCapture(referenceCapturePath(ref), {})).sessions.rows]);
  }
  let compared = 0;
  for (const simd of [true, false]) {
    const m = SessionSequenceLstm.load(MODEL_PATH, { simd });
    for (const [what, rows] of sets) {
      const byLabel = new Float64Array(m.labelOrder.length);
      const running = new Float64Array(m.labelOrder.length);
      const expected = new Float64Array(m.labelOrder.length);
      for (let s = 0; s + 10 <= rows.length; s += 10) {
        // One sequence from zero maxima (each sequence's own scores), and the running maxima over all.
        byLabel.fill(0);
        m.scoreSequenceByLabel(rows, s, byLabel);
        m.scoreSequenceByLabel(rows, s, running);
        m.labelOrder.forEach((label, l) => {
          const one = m.scoreSequence(rows, s, m.labelVector(label)!);
          assert.ok(
            Object.is(byLabel[l], Math.max(one, 0)),
            `${what} simd ${simd} sequence ${s / 10} ${label}`,
          );
          if (one > expected[l]!) expected[l] = one;
          assert.ok(Object.is(running[l], expected[l]), `${what} simd ${simd} up to ${s / 10} ${label}`);
        });
        compared++;
      }
    }
  }
  assert.ok(compared > 800, `${compared} sequences`);
});
