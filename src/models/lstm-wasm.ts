/**
 * The LSTM step's accumulation z += Σ_q v_q · K[row_q] as a small hand-assembled WebAssembly SIMD module
 * (f64x2: two gates per instruction). Each lane does exactly what the JS loop does for its gate — the same
 * rows in the same order, eight per pass, `z + v0·k0 + v1·k1 + … + v7·k7` left to right, each product
 * rounded then added (WebAssembly has no fused multiply-add and never fuses on its own) — so z is bit for
 * bit the JS result. The same module holds the gates (lstm-gates-wasm.ts). Without WebAssembly SIMD (an
 * engine that does not validate the module) the caller keeps its JS loops.
 */
import { GATE_UNITS_PER_PASS, gatesFunction, mapFunction } from './lstm-gates-wasm.js';
import { sleb, uleb } from './wasm-bytes.js';

/**
 * The module's bytes. Exports `acc(zPtr, rowsPtr, valsPtr, n, gateBytes)`, `gates(zPtr, cPtr, hPtr,
 * unitBytes, skipPtr, rnnBytes) → skipped` and, for tests, `sigmoid` / `tanh(inPtr, outPtr, okPtr, bytes)`.
 */
export function lstmModule(): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  const i32s = (n: number) => [n, ...Array<number>(n).fill(0x7f)];
  const exported = (s: string, index: number) => [...name(s), 0x00, index];
  const funcs = [accumulateFunction(), gatesFunction(), mapFunction('sigmoid'), mapFunction('tanh')];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    // types: 0 (i32 ×5) → (), 1 (i32 ×6) → i32, 2 (i32 ×4) → ()
    ...section(1, [0x03, 0x60, ...i32s(5), 0x00, 0x60, ...i32s(6), ...i32s(1), 0x60, ...i32s(4), 0x00]),
    ...section(2, [0x01, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]), // imported memory, ≥ 1 page
    ...section(3, [0x04, 0x00, 0x01, 0x02, 0x02]),
    ...section(7, [
      ...[0x04, ...exported('acc', 0), ...exported('gates', 1)],
      ...[...exported('sigmoid', 2), ...exported('tanh', 3)],
    ]),
    ...section(10, [0x04, ...funcs.flat()]),
  ]);
}

/** `acc`'s code entry (see the file comment). */
function accumulateFunction(): number[] {
  // Parameters and locals (indices): 0 z, 1 rows, 2 vals, 3 n, 4 gateBytes | 5 q, 6 g, 7 a, 8..15 r0..r7
  // (kernel row byte offsets), 16..23 v0..v7 (v128: the row's value in both lanes).
  const [Z, ROWS, VALS, N, GATE_BYTES, Q, G, A, R, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 16];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i32 = (c: number) => [0x41, ...sleb(c)];
  const add = [0x6a];
  const shl = [0x74];
  const ltU = [0x49];
  const gtU = [0x4b];
  const geU = [0x4f];
  const i32Load = (offset: number) => [0x28, 2, ...uleb(offset)];
  const f64Load = (offset: number) => [0x2b, 3, ...uleb(offset)];
  const v128Load = [0xfd, 0x00, 3, 0];
  const v128Store = [0xfd, 0x0b, 3, 0];
  const splat = [0xfd, 0x14]; // f64x2.splat
  const fadd = [0xfd, 0xf0, 0x01]; // f64x2.add
  const fmul = [0xfd, 0xf2, 0x01]; // f64x2.mul
  const block = [0x02, 0x40];
  const loop = [0x03, 0x40];
  const end = [0x0b];
  const br = (depth: number) => [0x0c, depth];
  const brIf = (depth: number) => [0x0d, depth];

  /** r_i = rows[q + i], v_i = splat(vals[q + i]) for i < count. */
  const loadRows = (count: number) =>
    Array.from({ length: count }, (_, i) => [
      ...[...get(ROWS), ...get(Q), ...i32(2), ...shl, ...add, ...i32Load(4 * i), ...set(R + i)],
      ...[...get(VALS), ...get(Q), ...i32(3), ...shl, ...add, ...f64Load(8 * i), ...splat, ...set(V + i)],
    ]).flat();
  /** for (g = 0; g < gateBytes; g += 16) z[g] = z[g] + v_0·K[r_0 + g] + … + v_{count-1}·K[…], left to right. */
  const gateLoop = (count: number) => [
    ...i32(0),
    ...set(G),
    ...loop,
    ...[...get(Z), ...get(G), ...add, ...tee(A)], // the store's address
    ...[...get(A), ...v128Load],
    ...Array.from({ length: count }, (_, i) => [
      ...[...get(V + i), ...get(R + i), ...get(G), ...add, ...v128Load, ...fmul, ...fadd],
    ]).flat(),
    ...v128Store,
    ...[...get(G), ...i32(16), ...add, ...tee(G), ...get(GATE_BYTES), ...ltU, ...brIf(0)], // next pair
    ...end,
  ];
  const body = [
    // Eight rows per pass while eight are left,
    ...[...block, ...loop],
    ...[...get(Q), ...i32(8), ...add, ...get(N), ...gtU, ...brIf(1)],
    ...loadRows(8),
    ...gateLoop(8),
    ...[...get(Q), ...i32(8), ...add, ...set(Q), ...br(0)],
    ...[...end, ...end],
    // then the rest one row at a time (z[g] = z[g] + v·K[r + g], as the JS remainder loop).
    ...[...block, ...loop],
    ...[...get(Q), ...get(N), ...geU, ...brIf(1)],
    ...loadRows(1),
    ...gateLoop(1),
    ...[...get(Q), ...i32(1), ...add, ...set(Q), ...br(0)],
    ...[...end, ...end],
    ...end, // the function
  ];

  const locals = [0x02, 0x0b, 0x7f, 0x08, 0x7b]; // 11 × i32 (q, g, a, r0..r7), 8 × v128
  const code = [...locals, ...body];
  return [...uleb(code.length), ...code];
}

/** One LSTM's step in WebAssembly memory: the kernel copied in once, z, c, h and the step's rows beside it. */
export interface WasmAccumulator {
  /** z (4·rnnSize values), in the module's memory. */
  readonly z: Float64Array;
  /** The step's kernel rows, as BYTE offsets of the row in the kernel (row · gates · 8). */
  readonly rows: Int32Array;
  /** The step's values, one per row. */
  readonly vals: Float64Array;
  /** The cell state and output (rnnSize values each). */
  readonly c: Float64Array;
  readonly h: Float64Array;
  /** Units whose pair `gates` left to the caller (the first of each pair), `gates()` of them. */
  readonly skipped: Int32Array;
  /** z[g] = z[g] + Σ_{q < n} vals[q] · K[rows[q] + g], in q order, for every gate g. */
  accumulate(n: number): void;
  /**
   * c and h from z for units [0, gateUnits) computed in WebAssembly (lstm-gates-wasm.ts); returns how many
   * pairs of units it left in `skipped` for the caller to compute. The caller computes units from
   * gateUnits on.
   */
  gates(): number;
  readonly gateUnits: number;
}

/** The part of the WebAssembly JS API used here (@types/node does not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

/** The compiled module, or null when this engine has no WebAssembly (SIMD). */
function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = lstmModule();
    compiled = wasmApi?.validate(bytes) ? new wasmApi.Module(bytes) : null;
  }
  return compiled;
}

type I32x4 = (a: number, b: number, c: number, d: number) => void;
type I32x5 = (a: number, b: number, c: number, d: number, e: number) => number;
type I32x6 = (a: number, b: number, c: number, d: number, e: number, f: number) => number;

/**
 * The WebAssembly accumulator for a row-major kernel of `gates` columns (4·rnnSize), or null when WebAssembly
 * SIMD is unavailable or the gates do not pair up (an odd count).
 */
export function wasmAccumulator(
  kernel: Float64Array,
  gates: number,
  maxRows: number,
): WasmAccumulator | null {
  const module = gates % 2 === 0 ? simdModule() : null;
  if (!module || !wasmApi) return null;
  const units = gates / 4;
  const zOffset = align16(kernel.byteLength);
  const rowsOffset = zOffset + align16(gates * 8);
  const valsOffset = rowsOffset + align16(maxRows * 4);
  const cOffset = valsOffset + align16(maxRows * 8);
  const hOffset = cOffset + align16(units * 8);
  const skipOffset = hOffset + align16(units * 8);
  const bytes = skipOffset + units * 4;
  const memory = new wasmApi.Memory({ initial: Math.ceil(bytes / 65536) });
  new Float64Array(memory.buffer, 0, kernel.length).set(kernel);
  const instance = new wasmApi.Instance(module, { env: { mem: memory } });
  const acc = instance.exports.acc as I32x5;
  const gatesFn = instance.exports.gates as I32x6;
  const gateBytes = gates * 8;
  const gateUnits = units - (units % GATE_UNITS_PER_PASS);
  const gateUnitBytes = gateUnits * 8;
  const rnnBytes = units * 8;
  return {
    z: new Float64Array(memory.buffer, zOffset, gates),
    rows: new Int32Array(memory.buffer, rowsOffset, maxRows),
    vals: new Float64Array(memory.buffer, valsOffset, maxRows),
    c: new Float64Array(memory.buffer, cOffset, units),
    h: new Float64Array(memory.buffer, hOffset, units),
    skipped: new Int32Array(memory.buffer, skipOffset, units),
    accumulate: (n) => acc(zOffset, rowsOffset, valsOffset, n, gateBytes),
    gates: () => gatesFn(zOffset, cOffset, hOffset, gateUnitBytes, skipOffset, rnnBytes),
    gateUnits,
  };
}

/**
 * σ or tanh as the gates compute them (tests): `map(xs)` writes each value to `values`, and 1 to
 * `computed` where the WebAssembly code gives the lane (0: it leaves the lane to the JS code), for up to
 * `capacity` values a call. Null without WebAssembly SIMD.
 */
export function wasmMapper(
  kind: 'sigmoid' | 'tanh',
  capacity: number,
): ((xs: Float64Array, values: Float64Array, computed: Uint8Array) => void) | null {
  const module = simdModule();
  if (!module || !wasmApi) return null;
  const bytes = Math.ceil(capacity / GATE_UNITS_PER_PASS) * GATE_UNITS_PER_PASS * 8;
  const memory = new wasmApi.Memory({ initial: Math.ceil((3 * bytes) / 65536) });
  const instance = new wasmApi.Instance(module, { env: { mem: memory } });
  const fn = instance.exports[kind] as I32x4;
  const input = new Float64Array(memory.buffer, 0, bytes / 8);
  const output = new Float64Array(memory.buffer, bytes, bytes / 8);
  const ok = new Uint32Array(memory.buffer, 2 * bytes, bytes / 4);
  return (xs, values, computed) => {
    if (xs.length > capacity) throw new RangeError(`at most ${capacity} values`);
    input.fill(0);
    input.set(xs);
    fn(0, bytes, 2 * bytes, bytes);
    values.set(output.subarray(0, xs.length));
    for (let i = 0; i < xs.length; i++) {
      const lo = ok[2 * i]!;
      if (lo !== ok[2 * i + 1] || (lo !== 0 && lo !== 0xffffffff)) throw new Error('not a lane mask');
      computed[i] = lo === 0 ? 0 : 1;
    }
  };
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
