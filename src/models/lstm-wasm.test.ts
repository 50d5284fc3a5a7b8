import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeCapture } from '../pipeline/analyze.js';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { SessionSequenceLstm, type SosLstmModelFile } from './lstm.js';
import { lstmModule, RUN_STRIDE, wasmAccumulator } from './lstm-wasm.js';
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
