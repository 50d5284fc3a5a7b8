import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeCapture } from '../pipeline/analyze.js';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { around } from '../test-helpers/ulps.js';
import { SessionSequenceLstm, type SosLstmModelFile } from './lstm.js';
import { sigmoid, tanh, wasmStep } from './lstm-core.js';
import { lstmModule, RUN_STRIDE, saturationBounds, wasmAccumulator } from './lstm-wasm.js';
import { LSTM_WASM_BASE64 } from './lstm-wasm-bytes.js';
import { Rng } from './rng.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;
const raw = () => JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as SosLstmModelFile;

/** Uniform draws in [0, 1) from the project's seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

/** The same eight-rows-per-pass left-to-right sum as the JS kernel of lstm.ts, written out again. */
function jsSum(z: Float64Array, k: Float64Array, rows: number[], vals: number[], gates: number): void {
  const n = rows.length;
  let q = 0;
  for (; q + 8 <= n; q += 8) {
    for (let g = 0; g < gates; g++) {
      let acc = z[g]!;
      for (let i = 0; i < 8; i++) acc = acc + vals[q + i]! * k[rows[q + i]! + g]!;
      z[g] = acc;
    }
  }
  for (; q < n; q++) for (let g = 0; g < gates; g++) z[g] = z[g]! + vals[q]! * k[rows[q]! + g]!;
}

test('the hand-assembled module is valid WebAssembly (SIMD) and small', () => {
  const bytes = lstmModule();
  const api = (globalThis as { WebAssembly?: { validate(b: Uint8Array): boolean } }).WebAssembly;
  assert.equal(api?.validate(bytes), true);
  assert.ok(bytes.length < 16_384, `${bytes.length} bytes`);
});

test('the stored module bytes are what lstmModule() assembles (else: node --import tsx scripts/gen-lstm-wasm.ts)', () => {
  assert.deepEqual(new Uint8Array(Buffer.from(LSTM_WASM_BASE64, 'base64')), lstmModule());
});

test('WebAssembly sum equals the JS sum bit for bit: random rows, every remainder, extreme values', () => {
  const r = rng(11);
  const nRows = 141;
  const gates = 400;
  const kernel = Float64Array.from({ length: nRows * gates }, () => (r() - 0.5) * 4);
  // Values that make rounding visible: large and tiny magnitudes, subnormal products.
  kernel[5] = 1e300;
  kernel[gates + 7] = 5e-324;
  const acc = wasmAccumulator(kernel, gates, nRows);
  assert.ok(acc, 'WebAssembly SIMD is available on Node 20');
  let compared = 0;
  for (let trial = 0; trial < 300; trial++) {
    const n = trial < 24 ? trial : Math.floor(r() * (nRows + 1));
    const rows = Array.from({ length: n }, () => Math.floor(r() * nRows) * gates);
    const vals = Array.from({ length: n }, () => {
      const u = r();
      return u < 0.1 ? 1e-310 : u < 0.2 ? -1e20 : (r() - 0.5) * 3000;
    });
    const z = Float64Array.from({ length: gates }, () => (r() - 0.5) * 10);
    acc.z.set(z);
    for (let q = 0; q < n; q++) {
      acc.rows[q] = rows[q]! * 8;
      acc.vals[q] = vals[q]!;
    }
    acc.accumulate(n);
    jsSum(z, kernel, rows, vals, gates);
    for (let g = 0; g < gates; g++) {
      assert.ok(Object.is(acc.z[g], z[g]), `trial ${trial} n ${n} gate ${g}: ${acc.z[g]} vs ${z[g]}`);
      compared++;
    }
  }
  assert.equal(compared, 300 * gates);
});

test('WebAssembly sum equals the JS sum bit for bit on rows in ascending runs (the eight-consecutive-rows pass)', () => {
  // As a step lists them: ascending rows, most of h's consecutive. 400 gates: the run pass's row size.
  const r = rng(12);
  const nRows = 141;
  const gates = 400;
  assert.equal(RUN_STRIDE, gates * 8);
  const kernel = Float64Array.from({ length: nRows * gates }, () => (r() - 0.5) * 4);
  kernel[41 * gates + 3] = 1e300;
  kernel[60 * gates + 9] = -5e-324;
  const acc = wasmAccumulator(kernel, gates, nRows);
  assert.ok(acc);
  let runs = 0;
  for (let trial = 0; trial < 300; trial++) {
    const keep = trial % 3 === 0 ? 1 : trial % 3 === 1 ? 0.9 : 0.6;
    const rows: number[] = [];
    for (let row = 0; row < nRows; row++) if ((row >= 41 || r() < 0.2) && r() < keep) rows.push(row * gates);
    const vals = rows.map(() => {
      const u = r();
      return u < 0.05 ? 1e-310 : u < 0.1 ? -1e20 : (r() - 0.5) * 2;
    });
    for (let q = 0; q + 8 <= rows.length; q += 8) if (rows[q + 7]! - rows[q]! === 7 * gates) runs++;
    const z = Float64Array.from({ length: gates }, () => (r() - 0.5) * 10);
    acc.z.set(z);
    rows.forEach((row, q) => {
      acc.rows[q] = row * 8;
      acc.vals[q] = vals[q]!;
    });
    acc.accumulate(rows.length);
    jsSum(z, kernel, rows, vals, gates);
    for (let g = 0; g < gates; g++) {
      assert.ok(Object.is(acc.z[g], z[g]), `trial ${trial} gate ${g}: ${acc.z[g]} vs ${z[g]}`);
    }
  }
  assert.ok(runs > 1000, `${runs} eight-row runs`);
});

test('an odd number of gates has no WebAssembly sum (the JS loop is used)', () => {
  assert.equal(wasmAccumulator(new Float64Array(12 * 3), 3, 12), null);
});

test('LSTM scores with WebAssembly equal the JS loop bit for bit, per step, on random and real rows', async () => {
  const model = raw();
  const wasm = new SessionSequenceLstm(model);
  const js = new SessionSequenceLstm(model, { simd: false });
  assert.equal(wasm.simd, true);
  assert.equal(js.simd, false);
  const r = rng(5);
  const a = new Float64Array(10);
  const b = new Float64Array(10);
  const check = (rows: readonly Float64Array[], label: string, what: string) => {
    const lv = wasm.labelVector(label)!;
    for (let s = 0; s + 10 <= rows.length; s += 10) {
      const ma = wasm.scoreSequence(rows, s, lv, a);
      const mb = js.scoreSequence(rows, s, lv, b);
      assert.ok(Object.is(ma, mb), `${what} sequence ${s / 10}`);
      for (let t = 0; t < 10; t++) assert.ok(Object.is(a[t], b[t]), `${what} sequence ${s / 10} step ${t}`);
    }
  };
  const random = Array.from({ length: 400 }, () => {
    const v = new Float64Array(41);
    for (let k = 0; k < 11; k++) v[k] = r() < 0.3 ? 0 : r() < 0.5 ? Math.floor(r() * 1500) : r() * 50;
    if (r() < 0.3) v[11 + Math.floor(r() * 30)] = 1;
    return v;
  });
  for (const label of model.label_order) check(random, label, `random ${label}`);
  let real = 0;
  for (const ref of referenceRecords()) {
    if (!ref.valid) continue;
    const analysis = await analyzeCapture(referenceCapturePath(ref), {});
    const rows = analysis.sessions.rows;
    check(rows, ref.predictions![0]![0], ref.pcap);
    assert.ok(Object.is(wasm.score(rows, 'Unknown').abnormality, js.score(rows, 'Unknown').abnormality));
    real += rows.length;
  }
  assert.ok(real > 1000, `${real} real rows compared`);
});

/**
 * One LSTM step written out plainly: z = bias + Σ nonzero x_k·K_k + Σ nonzero h_k·K_(nIn+k), each gate summed
 * left to right over every row (no gate left out), then the gates with lstm-core's σ and tanh.
 */
function referenceStep(
  kernel: Float64Array,
  bias: Float64Array,
  x: Float64Array,
  c: Float64Array,
  h: Float64Array,
): void {
  const units = h.length;
  const gates = 4 * units;
  const z = Float64Array.from(bias);
  const add = (v: number, row: number) => {
    if (v === 0) return;
    for (let g = 0; g < gates; g++) z[g] = z[g]! + v * kernel[row * gates + g]!;
  };
  for (let k = 0; k < x.length; k++) add(x[k]!, k);
  for (let k = 0; k < units; k++) add(h[k]!, x.length + k);
  for (let u = 0; u < units; u++) {
    const cu = c[u]! * sigmoid(z[2 * units + u]! + 1) + sigmoid(z[u]!) * tanh(z[units + u]!);
    c[u] = cu;
    h[u] = sigmoid(z[3 * units + u]!) * tanh(cu);
  }
}

test('gates the inputs alone decide skip h: same c and h bits as the full sum, at the bounds and on real rows', async () => {
  const model = new SessionSequenceLstm(raw()).parts();
  const units = model.rnnSize;
  const gates = 4 * units;
  const nIn = model.kernel.length / gates - units;
  const { kernel, bias } = model;
  const acc = wasmAccumulator(kernel, gates, nIn + units, bias);
  assert.ok(acc);
  const bounds = saturationBounds(kernel, gates, nIn);
  const compare = (x: Float64Array, c: Float64Array, h: Float64Array, what: string) => {
    const rc = Float64Array.from(c);
    const rh = Float64Array.from(h);
    acc.c.set(c);
    acc.h.set(h);
    acc.x.set(x);
    wasmStep(acc, units);
    referenceStep(kernel, bias, x, rc, rh);
    for (let u = 0; u < units; u++) {
      assert.ok(Object.is(acc.c[u], rc[u]), `${what}: c[${u}] ${acc.c[u]} vs ${rc[u]}`);
      assert.ok(Object.is(acc.h[u], rh[u]), `${what}: h[${u}] ${acc.h[u]} vs ${rh[u]}`);
    }
    return acc.pairsSummed();
  };
  // At the edge: one input puts gate g's z_x a few ulps either side of its bound while its pair's other gate
  // is past its own, and h (each ±1) pulls z as far back as |h| <= 1 allows: the full sum then ends just
  // inside the shortcut's range, which the bound must guarantee.
  const r = rng(21);
  let edges = 0;
  let skippedAtEdge = 0;
  for (let g = 0; g < gates; g++) {
    for (const side of ['upper', 'lower'] as const) {
      const bound = bounds[(side === 'upper' ? 0 : gates) + g]!;
      const partner = g ^ 1;
      const partnerBound = bounds[(side === 'upper' ? 0 : gates) + partner]!;
      for (let k = 0; k < nIn; k++) {
        const w = kernel[k * gates + g]!;
        if (w === 0) continue;
        const v = (bound - bias[g]!) / w;
        const zPartner = bias[partner]! + v * kernel[k * gates + partner]!;
        if (side === 'upper' ? zPartner < partnerBound * 1.01 : zPartner > partnerBound * 1.01) continue;
        const h = new Float64Array(units);
        for (let u = 0; u < units; u++) {
          const pull = kernel[(nIn + u) * gates + g]! >= 0 ? -1 : 1;
          h[u] = side === 'upper' ? pull : -pull;
        }
        const c = Float64Array.from({ length: units }, () => (r() - 0.5) * 4);
        for (const vv of around(v, 3)) {
          const x = new Float64Array(nIn);
          x[k] = vv;
          const pairs = compare(x, c, h, `gate ${g} ${side} input ${k} value ${vv}`);
          if (pairs < gates / 2) skippedAtEdge++;
          edges++;
        }
        break; // one input per gate and side
      }
    }
  }
  assert.ok(edges > 400, `${edges} edge steps`);
  assert.ok(skippedAtEdge > 200, `${skippedAtEdge} edge steps skipped a pair`);
  // Real rows: whole sequences from a zero state, as scoring runs them; most steps skip some pairs.
  let steps = 0;
  let summed = 0;
  for (const ref of referenceRecords()) {
    if (!ref.valid) continue;
    const rows = (await analyzeCapture(referenceCapturePath(ref), {})).sessions.rows;
    for (let s = 0; s + 10 <= rows.length; s += 10) {
      const c = new Float64Array(units);
      const h = new Float64Array(units);
      for (let t = 0; t < 10; t++) {
        const pairs = compare(rows[s + t]!, c, h, `${ref.pcap} sequence ${s / 10} step ${t}`);
        c.set(acc.c);
        h.set(acc.h);
        if (t > 0) {
          steps++;
          summed += pairs;
        }
      }
    }
  }
  assert.ok(steps > 1000, `${steps} real steps`);
  assert.ok(
    summed / steps < 0.9 * (gates / 2),
    `${(summed / steps).toFixed(1)} of ${gates / 2} pairs summed`,
  );
});

test('saturation bounds: B_g from the absolute h rows, NaN (no gate skipped) where B_g is not finite', () => {
  // 2 inputs, 2 units: 8 gates, blocks i, j, f, o of 2; h's rows are rows 2 and 3.
  const gates = 8;
  const kernel = new Float64Array(4 * gates);
  kernel.fill(100, 0, 2 * gates); // the inputs' rows never count
  for (let g = 0; g < gates; g++) {
    kernel[2 * gates + g] = -1.5;
    kernel[3 * gates + g] = 0.25;
  }
  kernel[3 * gates + 5] = Number.POSITIVE_INFINITY;
  const b = saturationBounds(kernel, gates, 2);
  const grow = 1 + 2e-9;
  const upper = [40, 40, 22, 22, 39, 39, 40, 40];
  const lower = [-711, -711, -22, -22, -712, -712, -711, -711];
  for (let g = 0; g < gates; g++) {
    if (g === 5) {
      assert.ok(Number.isNaN(b[g]!) && Number.isNaN(b[gates + g]!), 'an infinite weight: no bound');
      continue;
    }
    assert.equal(b[g], (upper[g]! + 1.75) * grow, `upper ${g}`);
    assert.equal(b[gates + g], (lower[g]! - 1.75) * grow, `lower ${g}`);
  }
});
