/**
 * The LSTM step's accumulation z += Σ_q v_q · K[row_q] as a small hand-assembled WebAssembly SIMD module
 * (f64x2: two gates per instruction). Each lane does exactly what the JS loop does for its gate — the same
 * rows in the same order, eight per pass, `z + v0·k0 + v1·k1 + … + v7·k7` left to right, each product
 * rounded then added (WebAssembly has no fused multiply-add and never fuses on its own) — so z is bit for
 * bit the JS result. Math.exp/Math.tanh stay in JS: only this sum moves. Without WebAssembly SIMD (an
 * engine that does not validate the module) the caller keeps its JS loop.
 */

/** The exported function's WebAssembly bytes: `acc(zPtr, rowsPtr, valsPtr, n, gateBytes)`. */
export function lstmAccumulateModule(): Uint8Array {
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
  const func = [...uleb(code.length), ...code];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  const i32x5 = [0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [0x01, 0x60, ...i32x5, 0x00]), // one type: (i32 ×5) → ()
    ...section(2, [0x01, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]), // imported memory, ≥ 1 page
    ...section(3, [0x01, 0x00]), // one function of that type
    ...section(7, [0x01, ...name('acc'), 0x00, 0x00]), // exported as "acc"
    ...section(10, [0x01, ...func]),
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** One LSTM's accumulation in WebAssembly memory: the kernel copied in once, z and the step's rows beside it. */
export interface WasmAccumulator {
  /** z (4·rnnSize values), in the module's memory. */
  readonly z: Float64Array;
  /** The step's kernel rows, as BYTE offsets of the row in the kernel (row · gates · 8). */
  readonly rows: Int32Array;
  /** The step's values, one per row. */
  readonly vals: Float64Array;
  /** z[g] = z[g] + Σ_{q < n} vals[q] · K[rows[q] + g], in q order, for every gate g. */
  accumulate(n: number): void;
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
    const bytes = lstmAccumulateModule();
    compiled = wasmApi?.validate(bytes) ? new wasmApi.Module(bytes) : null;
  }
  return compiled;
}

/**
 * The WebAssembly accumulator for a row-major kernel of `gates` columns, or null when WebAssembly SIMD is
 * unavailable or the gates do not pair up (an odd count).
 */
export function wasmAccumulator(
  kernel: Float64Array,
  gates: number,
  maxRows: number,
): WasmAccumulator | null {
  const module = gates % 2 === 0 ? simdModule() : null;
  if (!module || !wasmApi) return null;
  const zOffset = align16(kernel.byteLength);
  const rowsOffset = zOffset + align16(gates * 8);
  const valsOffset = rowsOffset + align16(maxRows * 4);
  const bytes = valsOffset + maxRows * 8;
  const memory = new wasmApi.Memory({ initial: Math.ceil(bytes / 65536) });
  new Float64Array(memory.buffer, 0, kernel.length).set(kernel);
  const instance = new wasmApi.Instance(module, { env: { mem: memory } });
  const acc = instance.exports.acc as (
    z: number,
    rows: number,
    vals: number,
    n: number,
    gateBytes: number,
  ) => void;
  const gateBytes = gates * 8;
  return {
    z: new Float64Array(memory.buffer, zOffset, gates),
    rows: new Int32Array(memory.buffer, rowsOffset, maxRows),
    vals: new Float64Array(memory.buffer, valsOffset, maxRows),
    accumulate: (n) => acc(zOffset, rowsOffset, valsOffset, n, gateBytes),
  };
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
