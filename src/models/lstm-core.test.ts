import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIGMOID_ONE_FROM, SIGMOID_ZERO_BELOW, sigmoid, tanh } from './lstm-core.js';
import { Rng } from './rng.js';

const plainSigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The `count` doubles on each side of x, stepping one ulp at a time (x finite and nonzero). */
function around(x: number, count: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const out: number[] = [];
  for (let d = -count; d <= count; d++) {
    view.setBigUint64(0, bits + BigInt(d));
    out.push(view.getFloat64(0));
  }
  return out;
}

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
