/**
 * The LSTM step's gates (c = c·σ(f+1) + σ(i)·tanh(j), h = σ(o)·tanh(c)) in WebAssembly SIMD, two units per
 * instruction, with the bits of the JS code: σ(x) = 1 / (1 + Math.exp(-x)) and Math.tanh as V8 computes
 * them. V8's Math.exp and Math.tanh are fdlibm's exp and tanh (via expm1) in src/base/ieee754.cc; here the
 * same operations are done in the same order on f64x2 lanes. Each branch of fdlibm becomes a lane
 * selection between values computed for every lane, and only inputs where fdlibm's branches are taken the
 * same way as on the common path or whose other branch is a formula of its own (|x| < 2^-28, exp(1)) are
 * handled: a pair with any lane outside (NaN, σ arguments in [−709.8, −708) where e^-x nears overflow) is
 * left to the JS code, which the caller runs for the units this function lists. Every other lane is
 * bit-identical to the JS result (lstm-gates-wasm.test.ts: 12 M random doubles per function and the ulps
 * around every edge of fdlibm's branches and the shortcuts). Two groups of two units are computed side by
 * side (interleave()), and a pair whose lanes all take a shortcut (σ's 0 and 1, tanh's ±1) skips the rest.
 * A pair whose lanes all take fdlibm's common branch (exp: |x| >= 1.5·ln2; tanh: |x| >= 1, its expm1 then
 * k >= 3) runs that branch's code alone, the same operations without the other branches and selects: on
 * real captures ~95 % of the σ pairs computed and most of tanh(j)'s (5–6 % less time per LSTM step).
 */
import { sleb, uleb } from './wasm-bytes.js';

const V128 = 0x7b;
const I32 = 0x7f;

/** Locals of one function beyond its parameters, declared in the order they were asked for. */
export class FunctionBuilder {
  private readonly types: number[] = [];
  constructor(private readonly params: number) {}
  local(type: number): number {
    this.types.push(type);
    return this.params + this.types.length - 1;
  }
  v128(): number {
    return this.local(V128);
  }
  i32(): number {
    return this.local(I32);
  }
  private readonly constants = new Map<string, { local: number; bytes: number[] }>();
  /**
   * A v128 constant, read from a local set once at the function's start: V8 builds a v128.const from
   * general registers each time it occurs, a local is one load at most.
   */
  constant(bytes: number[]): number[] {
    const key = bytes.join(',');
    let c = this.constants.get(key);
    if (!c) {
      c = { local: this.v128(), bytes };
      this.constants.set(key, c);
    }
    return get(c.local);
  }
  f64(value: number): number[] {
    return this.constant(f64s(value));
  }
  i64(bits: bigint): number[] {
    return this.constant(i64s(bits));
  }
  /** The function's code section entry: size, local declarations (runs of one type), body, end. */
  encode(body: number[]): number[] {
    const prologue = [...this.constants.values()].flatMap((c) => [...c.bytes, 0x21, ...uleb(c.local)]);
    body = [...prologue, ...body];
    const runs: [number, number][] = [];
    for (const t of this.types) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const bytes = body.filter((x) => x !== SPLIT);
    const code = [...uleb(runs.length), ...runs.flatMap(([n, t]) => [...uleb(n), t]), ...bytes, 0x0b];
    return [...uleb(code.length), ...code];
  }
}

const get = (i: number) => [0x20, ...uleb(i)];

/**
 * Not a byte: marks the end of a statement (every local.set here leaves the stack empty), where the code
 * of two independent lane groups can be interleaved (interleave()). encode() drops it.
 */
const SPLIT = -1;

const set = (i: number) => [0x21, ...uleb(i), SPLIT];

/** The code as one statement for interleave() (a block whose inner statements must stay together). */
function unsplit(code: number[]): number[] {
  return [...code.filter((x) => x !== SPLIT), SPLIT];
}

/**
 * The groups' code (the same generator run for each), statement by statement: independent dependency
 * chains side by side let the processor overlap them — one chain alone mostly waits on its divisions.
 */
function interleave(groups: number[][]): number[] {
  const split = (code: number[]) => {
    const out: number[][] = [[]];
    for (const x of code) {
      out[out.length - 1]!.push(x);
      if (x === SPLIT) out.push([]);
    }
    return out;
  };
  const parts = groups.map(split);
  const n = parts[0]!.length;
  if (parts.some((p) => p.length !== n)) throw new Error('interleave: the groups differ');
  return Array.from({ length: n }, (_, i) => parts.flatMap((p) => p[i]!)).flat();
}

const simd = (op: number) => [0xfd, ...uleb(op)];

const F = {
  eq: simd(0x47),
  ne: simd(0x48),
  lt: simd(0x49),
  le: simd(0x4b),
  gt: simd(0x4a),
  ge: simd(0x4c),
  trunc: simd(0x7a),
  abs: simd(0xec),
  neg: simd(0xed),
  add: simd(0xf0),
  sub: simd(0xf1),
  mul: simd(0xf2),
  div: simd(0xf3),
};

const V = {
  and: simd(0x4e),
  andnot: simd(0x4f),
  or: simd(0x50),
  xor: simd(0x51),
  /** (a, b, mask) → mask ? a : b, bit by bit. */
  select: simd(0x52),
  allTrue64: simd(0xc3),
  shl64: simd(0xcb),
  add64: simd(0xce),
  sub64: simd(0xd1),
  load: (offset = 0) => [...simd(0x00), 3, ...uleb(offset)],
  store: (offset = 0) => [...simd(0x0b), 3, ...uleb(offset)],
};

/** v128.const with `value` in both f64 lanes. */
function f64s(value: number): number[] {
  const b = new Uint8Array(new Float64Array([value, value]).buffer);
  return [...simd(0x0c), ...b];
}

/** v128.const with the 64-bit pattern `bits` in both lanes. */
function i64s(bits: bigint): number[] {
  const b = new Uint8Array(new BigUint64Array([bits, bits]).buffer);
  return [...simd(0x0c), ...b];
}

/** The double with these high and low 32-bit words (fdlibm gives its constants so). */
function words(high: number, low: number): number {
  return new Float64Array(new BigUint64Array([(BigInt(high) << 32n) | BigInt(low)]).buffer)[0]!;
}

/** The double whose high word is `high` and low word 0: fdlibm compares high words against these. */
function highWord(high: number): number {
  return words(high, 0);
}

const SIGN = 0x8000000000000000n;

/** Adding 1.5·2^52 to an integral double leaves the integer in the low bits of its pattern. */
const MAGIC = 6755399441055744;

const i32c = (c: number) => [0x41, ...sleb(c)];

// fdlibm's thresholds on the high word of |x|: hx <= 0x3FD62E42 is |x| < highWord(0x3FD62E43) for
// non-negative doubles (their order is their bit patterns' order), and so on.
const HALF_LN2_BOUND = highWord(0x3fd62e43);
const THREE_HALVES_LN2_BOUND = highWord(0x3ff0a2b2);
const TWO_M28 = highWord(0x3e300000);
const LN2_HI = words(0x3fe62e42, 0xfee00000);
const LN2_LO = words(0x3dea39ef, 0x35793c76);
const INV_LN2 = words(0x3ff71547, 0x652b82fe);

/** k for fdlibm's argument reduction: 0 near zero, ±1 up to 1.5·ln2, else trunc(x/ln2 ± 0.5); as a double. */
function reductionK(b: FunctionBuilder, x: number, ax: number, near0: number): number[] {
  const sign = b.v128();
  return [
    ...[...get(x), ...b.i64(SIGN), ...V.and, ...set(sign)],
    // ±1 (the sign of x) where |x| < 1.5·ln2,
    ...[...b.f64(1), ...get(sign), ...V.or],
    // else (int)(invln2·x + (x < 0 ? -0.5 : 0.5)),
    ...[...b.f64(INV_LN2), ...get(x), ...F.mul, ...b.f64(0.5), ...get(sign), ...V.or, ...F.add, ...F.trunc],
    ...[...get(ax), ...b.f64(THREE_HALVES_LN2_BOUND), ...F.lt, ...V.select],
    // and 0 (+0) where |x| <= 0.5·ln2.
    ...[...get(near0), ...V.andnot],
  ];
}

/**
 * fdlibm's argument reduction, shared by exp and expm1, into the given locals: k (reductionK; wideK when
 * `wide`, every lane at least 1.5·ln2 in magnitude), then hi = v − k·ln2HI, lo = k·ln2LO (k = 0: hi = v,
 * lo = 0) and x = hi − lo.
 */
function reduceArgument(
  b: FunctionBuilder,
  v: number,
  wide: boolean,
  l: { abs: number; near0: number; k: number; hi: number; lo: number; x: number },
): number[] {
  return [
    ...(wide
      ? [...wideK(b, v), ...set(l.k)]
      : [
          ...[...get(v), ...F.abs, ...set(l.abs)],
          ...[...get(l.abs), ...b.f64(HALF_LN2_BOUND), ...F.lt, ...set(l.near0)],
          ...reductionK(b, v, l.abs, l.near0),
          ...set(l.k),
        ]),
    ...[...get(v), ...get(l.k), ...b.f64(LN2_HI), ...F.mul, ...F.sub, ...set(l.hi)],
    ...[...get(l.k), ...b.f64(LN2_LO), ...F.mul, ...set(l.lo)],
    ...[...get(l.hi), ...get(l.lo), ...F.sub, ...set(l.x)],
  ];
}

/** 2^k (k a double from reductionK, -1022 <= k <= 1023) by building its exponent field. */
function twoToThe(b: FunctionBuilder, k: number): number[] {
  return [...get(k), ...b.f64(MAGIC), ...F.add, ...b.i64(1023n), ...V.add64, ...i32c(52), ...V.shl64];
}

/** 2^-k likewise. */
function twoToMinus(b: FunctionBuilder, k: number): number[] {
  return [...b.i64(1023n), ...get(k), ...b.f64(MAGIC), ...F.add, ...V.sub64, ...i32c(52), ...V.shl64];
}

/**
 * e^y in local `out` for lanes with |y| <= 708 (fdlibm's exp; see the file comment). `wide`: every lane has
 * |y| >= 1.5·ln2 (its high-word bound), where fdlibm takes k = trunc(y/ln2 ± ½) and the k ≠ 0 formula and
 * neither |y| < 2^-28 nor y = 1 can occur: the same operations without the other branches and selects.
 */
export function expCode(b: FunctionBuilder, y: number, out: number, wide = false): number[] {
  const ay = b.v128(),
    near0 = b.v128(),
    k = b.v128(),
    hi = b.v128(),
    lo = b.v128(),
    x = b.v128(),
    t = b.v128(),
    c = b.v128(),
    q = b.v128();
  const P1 = words(0x3fc55555, 0x5555553e);
  const P2 = words(0xbf66c16c, 0x16bebd93);
  const P3 = words(0x3f11566a, 0xaf25de2c);
  const P4 = words(0xbebbbd41, 0xc5d26bf1);
  const P5 = words(0x3e663769, 0x72bea4d0);
  const kNonzero = [
    ...b.f64(1),
    ...get(lo),
    ...get(q),
    ...F.sub,
    ...get(hi),
    ...F.sub,
    ...F.sub,
    ...twoToThe(b, k),
    ...F.mul,
  ];
  return [
    ...reduceArgument(b, y, wide, { abs: ay, near0, k, hi, lo, x }),
    ...[...get(x), ...get(x), ...F.mul, ...set(t)],
    // c = x - t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    ...[...get(x), ...get(t), ...b.f64(P1), ...get(t), ...b.f64(P2), ...get(t), ...b.f64(P3)],
    ...[...get(t), ...b.f64(P4), ...get(t), ...b.f64(P5), ...F.mul, ...F.add, ...F.mul, ...F.add],
    ...[...F.mul, ...F.add, ...F.mul, ...F.add, ...F.mul, ...F.sub, ...set(c)],
    // q = (x·c) / (2 - c); for k = 0 fdlibm's (x·c) / (c - 2) is exactly -q.
    ...[...get(x), ...get(c), ...F.mul, ...b.f64(2), ...get(c), ...F.sub, ...F.div, ...set(q)],
    ...(wide
      ? [...kNonzero, ...set(out)]
      : [
          // k = 0: 1 - ((-q) - x)
          ...[...b.f64(1), ...get(q), ...F.neg, ...get(x), ...F.sub, ...F.sub],
          // k != 0: (1 - ((lo - q) - hi)) · 2^k
          ...kNonzero,
          ...[...get(near0), ...V.select, ...set(out)],
          // |y| < 2^-28: 1 + y; y = 1: V8 returns the constant e (its formula is an ulp off there).
          ...[...b.f64(1), ...get(y), ...F.add, ...get(out)],
          ...[...get(ay), ...b.f64(TWO_M28), ...F.lt, ...V.select],
          ...[
            ...set(out),
            ...b.f64(Math.E),
            ...get(out),
            ...get(y),
            ...b.f64(1),
            ...F.eq,
            ...V.select,
            ...set(out),
          ],
        ]),
  ];
}

/** reductionK for lanes with |x| >= 1.5·ln2: (int)(invln2·x + (x < 0 ? -0.5 : 0.5)), as a double. */
function wideK(b: FunctionBuilder, x: number): number[] {
  return [
    ...[...b.f64(INV_LN2), ...get(x), ...F.mul, ...b.f64(0.5), ...get(x), ...b.i64(SIGN), ...V.and, ...V.or],
    ...[...F.add, ...F.trunc],
  ];
}

/**
 * e^v − 1 in local `out` (fdlibm's expm1) for the arguments tanh gives it on its common path:
 * v in (−2, −2^-27] or [2, 44), i.e. k in {0, −1, −2, −3} or 3..63. `wide`: every lane v >= 2 (k >= 3),
 * and only those k's formulas are computed.
 */
export function expm1Code(b: FunctionBuilder, v: number, out: number, wide = false): number[] {
  const av = b.v128(),
    near0 = b.v128(),
    k = b.v128(),
    hi = b.v128(),
    lo = b.v128(),
    x = b.v128(),
    c = b.v128(),
    hfx = b.v128(),
    hxs = b.v128(),
    r1 = b.v128(),
    t = b.v128(),
    e = b.v128(),
    e2 = b.v128(),
    twoK = b.v128(),
    twoMinusK = b.v128(),
    r = b.v128();
  const Q1 = words(0xbfa11111, 0x111110f4);
  const Q2 = words(0x3f5a01a0, 0x19fe5585);
  const Q3 = words(0xbf14ce19, 0x9eaadbb7);
  const Q4 = words(0x3ed0cfca, 0x86e65239);
  const Q5 = words(0xbe8afdb7, 0x6e09c32d);
  const kIs = (op: number[], value: number) => [...get(k), ...b.f64(value), ...op];
  const kLarge = [
    // k <= -2 or k > 56: (1 - (e - x))·2^k - 1
    ...b.f64(1),
    ...get(e2),
    ...get(x),
    ...F.sub,
    ...F.sub,
    ...get(twoK),
    ...F.mul,
    ...b.f64(1),
    ...F.sub,
  ];
  return [
    ...reduceArgument(b, v, wide, { abs: av, near0, k, hi, lo, x }),
    // c = (hi - x) - lo (unused where k = 0)
    ...[...get(hi), ...get(x), ...F.sub, ...get(lo), ...F.sub, ...set(c)],
    ...[...b.f64(0.5), ...get(x), ...F.mul, ...set(hfx)],
    ...[...get(x), ...get(hfx), ...F.mul, ...set(hxs)],
    // r1 = 1 + hxs·(Q1 + hxs·(Q2 + hxs·(Q3 + hxs·(Q4 + hxs·Q5))))
    ...[...b.f64(1), ...get(hxs), ...b.f64(Q1), ...get(hxs), ...b.f64(Q2), ...get(hxs), ...b.f64(Q3)],
    ...[...get(hxs), ...b.f64(Q4), ...get(hxs), ...b.f64(Q5), ...F.mul, ...F.add, ...F.mul, ...F.add],
    ...[...F.mul, ...F.add, ...F.mul, ...F.add, ...F.mul, ...F.add, ...set(r1)],
    // t = 3 - r1·hfx; e = hxs·((r1 - t) / (6 - x·t))
    ...[...b.f64(3), ...get(r1), ...get(hfx), ...F.mul, ...F.sub, ...set(t)],
    ...[...get(hxs), ...get(r1), ...get(t), ...F.sub, ...b.f64(6), ...get(x), ...get(t), ...F.mul, ...F.sub],
    ...[...F.div, ...F.mul, ...set(e)],
    // k != 0: e = (x·(e - c) - c) - hxs
    ...[...get(x), ...get(e), ...get(c), ...F.sub, ...F.mul, ...get(c), ...F.sub, ...get(hxs), ...F.sub],
    ...set(e2),
    ...[...twoToThe(b, k), ...set(twoK), ...twoToMinus(b, k), ...set(twoMinusK)],
    // 3 <= k < 20: ((1 - 2^-k) - (e - x))·2^k; 20 <= k <= 56: ((x - (e + 2^-k)) + 1)·2^k
    ...[...b.f64(1), ...get(twoMinusK), ...F.sub, ...get(e2), ...get(x), ...F.sub, ...F.sub],
    ...[...get(twoK), ...F.mul],
    ...[...get(x), ...get(e2), ...get(twoMinusK), ...F.add, ...F.sub, ...b.f64(1), ...F.add],
    ...[...get(twoK), ...F.mul],
    ...[...kIs(F.lt, 20), ...V.select, ...set(r)],
    ...(wide
      ? [...kLarge, ...get(r), ...kIs(F.gt, 56), ...V.select, ...set(out)]
      : [
          ...[...kLarge, ...get(r), ...kIs(F.le, -2), ...kIs(F.gt, 56), ...V.or, ...V.select, ...set(r)],
          // k = -1: 0.5·(x - e) - 0.5
          ...[...b.f64(0.5), ...get(x), ...get(e2), ...F.sub, ...F.mul, ...b.f64(0.5), ...F.sub],
          ...[...get(r), ...kIs(F.eq, -1), ...V.select, ...set(r)],
          // k = 0: x - (x·e - hxs)
          ...[...get(x), ...get(x), ...get(e), ...F.mul, ...get(hxs), ...F.sub, ...F.sub],
          ...[...get(r), ...get(near0), ...V.select, ...set(out)],
        ]),
  ];
}

/** Where `sigmoidCode` computes a lane itself: not NaN, and not in [−709.8, −708) (e^-a near overflow). */
function sigmoidOk(b: FunctionBuilder, a: number): number[] {
  return [...get(a), ...b.f64(-708), ...F.ge, ...get(a), ...b.f64(-709.8), ...F.lt, ...V.or];
}

/**
 * σ(a) = 1 / (1 + e^-a) in `out` as lstm-core's sigmoid (1 from 40 up, 0 below −709.8), and its lanes'
 * "computed here" mask in `ok`.
 */
export function sigmoidCode(b: FunctionBuilder, a: number, out: number, ok: number): number[] {
  const y = b.v128(),
    e = b.v128(),
    one = b.v128();
  return [
    ...[...get(a), ...b.f64(40), ...F.ge, ...set(one)],
    // Both lanes at a shortcut (1 from 40 up, 0 below −709.8; a quarter to a third of the bundled model's
    // gates on real captures): no exp.
    ...unsplit([
      ...[...get(one), ...get(a), ...b.f64(-709.8), ...F.lt, ...V.or, ...V.allTrue64],
      ...[0x04, 0x40],
      ...[...b.f64(1), ...get(one), ...V.and, ...set(out)],
      0x05,
      ...[...get(a), ...F.neg, ...set(y)],
      // Every lane |y| >= 1.5·ln2 (~95 % of the pairs computed here on real captures): exp's common path
      // alone; a lane at a shortcut is always there (y <= -40, or > 709.8 and masked below).
      ...[...get(y), ...F.abs, ...b.f64(THREE_HALVES_LN2_BOUND), ...F.ge, ...V.allTrue64],
      ...[0x04, 0x40],
      ...expCode(b, y, e, true),
      0x05,
      ...expCode(b, y, e),
      0x0b,
      ...[...b.f64(1), ...b.f64(1), ...get(e), ...F.add, ...F.div],
      ...[...get(a), ...b.f64(-709.8), ...F.lt, ...V.andnot],
      ...[...set(e), ...b.f64(1), ...get(e), ...get(one), ...V.select, ...set(out)],
      0x0b,
    ]),
    ...sigmoidOk(b, a),
    ...set(ok),
  ];
}

/** tanh(a) in `out` as Math.tanh (±1 from |a| >= 22 on), and its "computed here" mask (not NaN) in `ok`. */
export function tanhCode(b: FunctionBuilder, a: number, out: number, ok: number): number[] {
  const aa = b.v128(),
    big = b.v128(),
    v = b.v128(),
    t = b.v128(),
    q = b.v128();
  return [
    ...[...get(a), ...F.abs, ...set(aa)],
    // Both lanes at ±1 (|a| >= 22, about a third of the bundled model's on real captures): no expm1.
    ...unsplit([
      ...[...get(aa), ...b.f64(22), ...F.ge, ...V.allTrue64],
      ...[0x04, 0x40],
      ...[...b.f64(1), ...get(a), ...b.i64(SIGN), ...V.and, ...V.or, ...set(out)],
      0x05,
      ...[...get(aa), ...b.f64(1), ...F.ge, ...set(big)],
      ...[...b.f64(2), ...get(aa), ...F.mul, ...set(v)],
      // Every lane |a| >= 1 (most of the pairs computed here for j; a third for c): that formula alone.
      ...[...get(big), ...V.allTrue64],
      ...[0x04, 0x40],
      // t = expm1(2|a|), z = 1 - 2 / (t + 2)
      ...expm1Code(b, v, t, true),
      ...[...b.f64(2), ...get(t), ...b.f64(2), ...F.add, ...F.div, ...set(q)],
      ...[...b.f64(1), ...get(q), ...F.sub, ...set(q)],
      0x05,
      // |a| >= 1: as above; else t = expm1(-2|a|), z = -t / (t + 2)
      ...[...get(v), ...get(v), ...F.neg, ...get(big), ...V.select, ...set(v)],
      ...expm1Code(b, v, t),
      ...[...b.f64(2), ...get(t), ...F.neg, ...get(big), ...V.select],
      ...[...get(t), ...b.f64(2), ...F.add, ...F.div, ...set(q)],
      ...[...b.f64(1), ...get(q), ...F.sub, ...get(q), ...get(big), ...V.select, ...set(q)],
      0x0b,
      ...[...b.f64(1), ...get(q), ...get(aa), ...b.f64(22), ...F.ge, ...V.select],
      // a < 0: −z; |a| < 2^-28: a itself
      ...[...get(a), ...b.i64(SIGN), ...V.and, ...V.xor, ...set(out)],
      ...[...get(a), ...get(out), ...get(aa), ...b.f64(TWO_M28), ...F.lt, ...V.select, ...set(out)],
      0x0b,
    ]),
    ...[...get(a), ...get(a), ...F.eq, ...set(ok)],
  ];
}

/** Units per lane group (f64x2) and groups per loop pass. */
const LANES = 2;

export const GATE_GROUPS = 2;

/** Units the WebAssembly gates take per pass: rnnSize's multiple of this; the JS code does the rest. */
export const GATE_UNITS_PER_PASS = LANES * GATE_GROUPS;

/**
 * gates(z, c, h, unitBytes, skip) → count: for units u (byte offset p = 8u), GATE_UNITS_PER_PASS at a time
 * up to unitBytes: c = c·σ(f + 1) + σ(i)·tanh(j), h = σ(o)·tanh(c), with i, j, f, o at z + p,
 * z + rnnSize·8 + p, … (`rnnBytes`, the 6th parameter). A pair of units with a lane outside the computed
 * domain is not stored: its first unit's number goes to the i32 list at `skip` and the caller computes
 * both units in JS.
 */
export function gatesFunction(): number[] {
  const b = new FunctionBuilder(6);
  const [Z, C, H, UNIT_BYTES, SKIP, RNN_BYTES] = [0, 1, 2, 3, 4, 5];
  const p = b.i32();
  const n = b.i32();
  const zp = b.i32();
  const groups = Array.from({ length: GATE_GROUPS }, (_, g) => {
    const i = b.v128(),
      j = b.v128(),
      f = b.v128(),
      o = b.v128(),
      cu = b.v128(),
      f1 = b.v128(),
      sf = b.v128(),
      si = b.v128(),
      tj = b.v128(),
      so = b.v128(),
      tc = b.v128(),
      ok = b.v128(),
      okAll = b.v128();
    const at = 16 * g;
    const load = (part: number, into: number) => [
      ...get(zp),
      ...(part ? [...get(RNN_BYTES), ...i32c(part), 0x6c, 0x6a] : []),
      ...V.load(at),
      ...set(into),
    ];
    const and = (mask: number) => [...get(okAll), ...get(mask), ...V.and, ...set(okAll)];
    const code = [
      ...[...load(0, i), ...load(1, j), ...load(2, f), ...load(3, o)],
      ...[...get(f), ...b.f64(1), ...F.add, ...set(f1)],
      ...sigmoidCode(b, f1, sf, okAll),
      ...sigmoidCode(b, i, si, ok),
      ...and(ok),
      ...tanhCode(b, j, tj, ok),
      ...and(ok),
      // c·σ(f + 1) + σ(i)·tanh(j)
      ...[...get(C), ...get(p), 0x6a, ...V.load(at), ...get(sf), ...F.mul, ...get(si), ...get(tj)],
      ...[...F.mul, ...F.add, ...set(cu)],
      ...sigmoidCode(b, o, so, ok),
      ...and(ok),
      ...tanhCode(b, cu, tc, ok),
      ...and(ok),
    ];
    const store = [
      ...[...get(okAll), ...V.allTrue64],
      ...[0x04, 0x40], // if every lane was computed here: store c and h
      ...[...get(C), ...get(p), 0x6a, ...get(cu), ...V.store(at)],
      ...[...get(H), ...get(p), 0x6a, ...get(so), ...get(tc), ...F.mul, ...V.store(at)],
      0x05, // else: list the pair's first unit
      ...[...get(SKIP), ...get(n), ...i32c(2), 0x74, 0x6a, ...get(p), ...i32c(at), 0x6a, ...i32c(3), 0x76],
      ...[0x36, 2, 0, ...get(n), ...i32c(1), 0x6a, ...set(n)],
      0x0b,
    ];
    return { code, store };
  });
  const body = [
    ...[...i32c(0), ...set(p), ...i32c(0), ...set(n)],
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[...get(p), ...get(UNIT_BYTES), 0x4f, 0x0d, 1], // p >= unitBytes (unsigned): out
    ...[...get(Z), ...get(p), 0x6a, ...set(zp)],
    ...interleave(groups.map((g) => g.code)),
    ...groups.flatMap((g) => g.store),
    ...[...get(p), ...i32c(8 * GATE_UNITS_PER_PASS), 0x6a, ...set(p), 0x0c, 0],
    ...[0x0b, 0x0b], // end loop, end block
    ...get(n),
  ];
  return b.encode(body);
}

/**
 * A test entry: fn(in, out, ok, bytes) applies σ or tanh to the doubles at `in`, GATE_UNITS_PER_PASS at a
 * time with the gates' interleaved code, writing the results at `out` and each lane's "computed here" mask
 * (all ones or zero, 8 bytes) at `ok`. bytes: a multiple of 8·GATE_UNITS_PER_PASS.
 */
export function mapFunction(kind: 'sigmoid' | 'tanh'): number[] {
  const b = new FunctionBuilder(4);
  const [IN, OUT, OK, BYTES] = [0, 1, 2, 3];
  const p = b.i32();
  const groups = Array.from({ length: GATE_GROUPS }, (_, g) => {
    const x = b.v128(),
      y = b.v128(),
      ok = b.v128();
    const at = 16 * g;
    const code = [
      ...[...get(IN), ...get(p), 0x6a, ...V.load(at), ...set(x)],
      ...(kind === 'sigmoid' ? sigmoidCode(b, x, y, ok) : tanhCode(b, x, y, ok)),
    ];
    const store = [
      ...[...get(OUT), ...get(p), 0x6a, ...get(y), ...V.store(at)],
      ...[...get(OK), ...get(p), 0x6a, ...get(ok), ...V.store(at)],
    ];
    return { code, store };
  });
  const body = [
    ...[...i32c(0), ...set(p)],
    ...[0x02, 0x40, 0x03, 0x40],
    ...[...get(p), ...get(BYTES), 0x4f, 0x0d, 1],
    ...interleave(groups.map((g) => g.code)),
    ...groups.flatMap((g) => g.store),
    ...[...get(p), ...i32c(8 * GATE_UNITS_PER_PASS), 0x6a, ...set(p), 0x0c, 0],
    ...[0x0b, 0x0b],
  ];
  return b.encode(body);
}
