import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionSequenceLstm } from './lstm.js';
import type { LstmParts } from './lstm-core.js';
import { wasmMapper } from './lstm-wasm.js';
import { Rng } from './rng.js';

// What the JS gates compute (lstm-core's sigmoid and tanh equal these bit for bit: lstm-core.test.ts).
const plainSigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const plainTanh = (x: number) => Math.tanh(x);

const CHUNK = 1 << 20;

function fromBits(bits: bigint): number {
  return new Float64Array(new BigUint64Array([bits]).buffer)[0]!;
}

/** The `count` doubles on each side of x, one ulp apart (x finite). */
function around(x: number, count: number): number[] {
  const bits = new BigUint64Array(new Float64Array([x]).buffer)[0]!;
  const out: number[] = [];
  for (let d = -count; d <= count; d++) {
    const b = bits + BigInt(d);
    if (b >= 0n && b < 1n << 64n) out.push(fromBits(b));
  }
  return out;
}

/** Every place where fdlibm's exp, expm1 or tanh, or the gates' shortcuts, change branch. */
function edges(): number[] {
  const ln2 = Math.LN2;
  const xs: number[] = [0, 0.5, 1, 2, 3, 22, 40, 708, 709.8, 709.782712893384, 745.13321910194];
  xs.push(2 ** -28, 2 ** -27, 2 ** -55, 2 ** -54, Math.E);
  xs.push(fromBits(0x3fd62e42fefa39efn), fromBits(0x3fd62e4300000000n)); // 0.5·ln2, its high-word bound
  xs.push(fromBits(0x3ff0a2b23f3bab73n), fromBits(0x3ff0a2b200000000n)); // 1.5·ln2, its high-word bound
  xs.push(fromBits(0x4043687a00000000n)); // expm1's 56·ln2 bound
  for (let k = 0; k <= 70; k++) xs.push(k * ln2, (k + 0.5) * ln2);
  const all = xs.flatMap((x) => [x, -x, x / 2, -x / 2]);
  return all.flatMap((x) => around(x, 600));
}

/** Random doubles: uniform bit patterns (every exponent, subnormals, NaNs), and the ranges the model meets. */
function randomInputs(seed: number, n: number): Float64Array {
  const rng = new Rng(seed);
  const xs = new Float64Array(n);
  const words = new Uint32Array(xs.buffer);
  for (let i = 0; i < n; i++) {
    switch (i % 6) {
      case 0:
        words[2 * i] = Math.floor(rng.next() * 2 ** 32);
        words[2 * i + 1] = Math.floor(rng.next() * 2 ** 32);
        break;
      case 1:
        xs[i] = (rng.next() * 2 - 1) * 50;
        break;
      case 2:
        xs[i] = (rng.next() * 2 - 1) * 800;
        break;
      case 3:
        xs[i] = (rng.next() < 0.5 ? -1 : 1) * 2 ** (rng.next() * 80 - 70);
        break;
      case 4:
        xs[i] = (rng.next() * 2 - 1) * 3;
        break;
      default:
        xs[i] = (rng.next() * 2 - 1) * 25;
    }
  }
  return xs;
}

/**
 * Every lane the WebAssembly code computes equals the JS function bit for bit (Object.is: one ulp off,
 * or a zero of the wrong sign, fails); the lanes it leaves to JS are only those `leftToJs` allows.
 */
function compare(
  kind: 'sigmoid' | 'tanh',
  xs: Float64Array,
  leftToJs: (x: number) => boolean,
): { computed: number; left: number } {
  const map = wasmMapper(kind, CHUNK);
  assert.ok(map, 'WebAssembly SIMD is available on Node 20');
  const ref = kind === 'sigmoid' ? plainSigmoid : plainTanh;
  const values = new Float64Array(CHUNK);
  const computed = new Uint8Array(CHUNK);
  let done = 0;
  let left = 0;
  for (let from = 0; from < xs.length; from += CHUNK) {
    const part = xs.subarray(from, Math.min(xs.length, from + CHUNK));
    map(part, values, computed);
    for (let i = 0; i < part.length; i++) {
      const x = part[i]!;
      if (!computed[i]) {
        assert.ok(leftToJs(x), `${kind}(${x}) was left to JS`);
        left++;
        continue;
      }
      const want = ref(x);
      if (!Object.is(values[i], want)) assert.fail(`${kind}(${x}): ${values[i]} instead of ${want}`);
      done++;
    }
  }
  return { computed: done, left };
}

const sigmoidLeft = (x: number) => Number.isNaN(x) || (x >= -709.8 && x < -708);

test('σ in WebAssembly equals 1 / (1 + Math.exp(-x)) bit for bit: 12 M random doubles and every edge', () => {
  const random = compare('sigmoid', randomInputs(1, 12_000_000), sigmoidLeft);
  assert.ok(random.computed > 11_900_000, `${random.computed} computed`);
  const special = [0, -0, Infinity, -Infinity, Number.NaN, Number.MIN_VALUE, -Number.MIN_VALUE];
  special.push(Number.MAX_VALUE, -Number.MAX_VALUE, 2.2250738585072014e-308, -1, 1);
  const inputs = [...special, ...edges()];
  const atEdges = compare('sigmoid', Float64Array.from(inputs), sigmoidLeft);
  assert.ok(atEdges.computed > 300_000, `${atEdges.computed} computed at the edges`);
  // Every NaN and [−709.8, −708) argument is left to JS (the ulps around −708 and −709.8 are there).
  assert.equal(atEdges.left, inputs.filter(sigmoidLeft).length);
  assert.ok(atEdges.left > 1000);
});

test('tanh in WebAssembly equals Math.tanh bit for bit: 12 M random doubles and every edge', () => {
  const random = compare('tanh', randomInputs(2, 12_000_000), Number.isNaN);
  assert.ok(random.computed > 11_990_000, `${random.computed} computed`);
  const special = [0, -0, Infinity, -Infinity, Number.NaN, Number.MIN_VALUE, -Number.MIN_VALUE];
  special.push(Number.MAX_VALUE, -Number.MAX_VALUE, 2.2250738585072014e-308);
  const inputs = [...special, ...edges()];
  const atEdges = compare('tanh', Float64Array.from(inputs), Number.isNaN);
  assert.ok(atEdges.computed > 300_000, `${atEdges.computed} computed at the edges`);
  assert.equal(atEdges.left, inputs.filter(Number.isNaN).length, 'NaN alone is left to JS');
});

/** xs with `partner` beside each value: the two are one pair of lanes (the mapper takes them in order). */
function pairedWith(xs: number[], partner: number): Float64Array {
  return Float64Array.from(xs.flatMap((x) => [x, partner]));
}

test('σ and tanh: every edge computed on the common-path code and on the general code (lane pairs)', () => {
  // A pair takes exp's common-path code only when both lanes have |x| >= 1.5·ln2 (σ: the argument of exp
  // is −x) and tanh's |x| >= 1 code only when both have |x| >= 1: the edges beside each other (one ulp
  // apart) take whichever their region allows, and beside 0 or 0.5 every edge takes the general code.
  const xs = edges();
  for (const [kind, partner] of [
    ['sigmoid', 0],
    ['sigmoid', -30],
    ['sigmoid', 30],
    ['tanh', 0.5],
    ['tanh', 3],
    ['tanh', -30],
  ] as const) {
    const left = kind === 'sigmoid' ? sigmoidLeft : Number.isNaN;
    const run = compare(kind, pairedWith(xs, partner), left);
    assert.ok(run.computed > 2 * xs.length * 0.9, `${kind} beside ${partner}: ${run.computed} computed`);
  }
});

test('the σ and tanh checks fail on a one-ulp difference', () => {
  // The same comparison against a reference that is one ulp off for a single argument must fail.
  const xs = Float64Array.from([0.25, 3, -7.5, 12]);
  const map = wasmMapper('tanh', 4)!;
  const values = new Float64Array(4);
  const computed = new Uint8Array(4);
  map(xs, values, computed);
  const bits = new BigUint64Array(new Float64Array([Math.tanh(3)]).buffer)[0]!;
  const offByOne = fromBits(bits + 1n);
  assert.ok(Object.is(values[1], Math.tanh(3)));
  assert.ok(!Object.is(values[1], offByOne));
});

/** A random model of `hidden` units whose gates cover saturation, the JS-only band and NaN. */
function randomParts(hidden: number, seed: number, simd: boolean): LstmParts {
  const rng = new Rng(seed);
  const inputSize = 11;
  const gates = 4 * hidden;
  const kernel = Float64Array.from({ length: (inputSize + hidden) * gates }, () => {
    const u = rng.next();
    return u < 0.3 ? 0 : (rng.next() - 0.5) * (u < 0.6 ? 0.05 : u < 0.9 ? 2 : 400);
  });
  const bias = Float64Array.from({ length: gates }, () => (rng.next() - 0.5) * 4);
  // Unit 1's forget gate: f + 1 in [−709.8, −708) whatever the inputs (its kernel column is zero): the
  // pair with it is left to JS at every step.
  for (let k = 0; k < inputSize + hidden; k++) kernel[k * gates + 2 * hidden + 1] = 0;
  bias[2 * hidden + 1] = -710;
  return {
    labelOrder: ['A', 'B'],
    ports: [],
    seqLen: 10,
    rnnSize: hidden,
    kernel,
    bias,
    denseKernel: Float64Array.from({ length: hidden * 2 }, () => rng.next() - 0.5),
    denseBias: Float64Array.from([0.1, -0.2]),
    threshold: 0.99,
    minSequences: 6,
    simd,
  };
}

test('LSTM steps with the WebAssembly gates equal the JS gates bit for bit, any rnnSize, NaN and −0 rows too', () => {
  for (const hidden of [2, 4, 5, 6, 8, 11]) {
    const wasm = new SessionSequenceLstm(randomParts(hidden, hidden, true));
    const js = new SessionSequenceLstm(randomParts(hidden, hidden, false));
    assert.equal(wasm.simd, true);
    const rng = new Rng(100 + hidden);
    const rows = Array.from({ length: 400 }, (_, r) => {
      const v = new Float64Array(11);
      for (let k = 0; k < 11; k++) {
        const u = rng.next();
        v[k] = u < 0.3 ? 0 : u < 0.6 ? Math.floor(rng.next() * 1500) : (rng.next() - 0.5) * 20;
      }
      if (r === 123) v[3] = Number.NaN;
      if (r === 257) v[5] = Number.POSITIVE_INFINITY;
      // −0 is not a nonzero input (JS `v === 0`; the WebAssembly step's `v != 0`): no row for it.
      if (r % 7 === 0) v[r % 11] = -0;
      return v;
    });
    const lv = Float64Array.from([1, 0.5]);
    const a = new Float64Array(10);
    const b = new Float64Array(10);
    for (let s = 0; s + 10 <= rows.length; s += 10) {
      const ma = wasm.scoreSequence(rows, s, lv, a);
      const mb = js.scoreSequence(rows, s, lv, b);
      assert.ok(Object.is(ma, mb), `hidden ${hidden} sequence ${s / 10}`);
      for (let t = 0; t < 10; t++) {
        assert.ok(Object.is(a[t], b[t]), `hidden ${hidden} sequence ${s / 10} step ${t}: ${a[t]} vs ${b[t]}`);
      }
    }
  }
});
