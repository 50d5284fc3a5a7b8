/**
 * The SoS LSTM's scoring core (the math is in lstm.ts): weights as flat arrays, scratch state, one
 * sequence or a range of sequences scored. Kept apart from the model-file parsing so that the worker
 * thread that scores half of a long capture (lstm-worker.ts) loads no more than this.
 */
import { ModelError } from '../errors.js';
import type { SharedRows } from '../features/shared-rows.js';
import { type WasmAccumulator, wasmAccumulator } from './lstm-wasm.js';
import type { SequenceMemo } from './sequence-memo.js';

/** New sequences found between two publications to the scoring worker (fillDistinct). */
const PUBLISH_EVERY = 256;

/** Session rows read into a caller's buffer (no array per row): `width` values each. */
export interface RowSource {
  readonly length: number;
  readonly width: number;
  read(i: number, out: Float64Array): void;
  /** The same rows as a worker thread can read them; without it the rows are scored on this thread. */
  share?(): SharedRows;
}

/** The weights and settings as flat arrays: what a worker thread needs to build the same scorer. */
export interface LstmParts {
  labelOrder: string[];
  ports: number[];
  seqLen: number;
  rnnSize: number;
  kernel: Float64Array;
  bias: Float64Array;
  denseKernel: Float64Array;
  denseBias: Float64Array;
  threshold: number;
  minSequences: number;
  simd: boolean;
}

export class LstmCore {
  readonly labelOrder: readonly string[];
  readonly ports: readonly number[];
  readonly seqLen: number;
  readonly rnnSize: number;
  /** Session vector length: 11 session values + 2 one-hots over `ports`. */
  readonly inputSize: number;
  readonly threshold: number;
  readonly minSequences: number;
  /** Row-major (inputSize + rnnSize) × 4·rnnSize. */
  private readonly kernel: Float64Array;
  private readonly bias: Float64Array;
  /** Row-major rnnSize × labels. */
  private readonly denseKernel: Float64Array;
  private readonly denseBias: Float64Array;
  // Scratch state reused across steps and sequences: scoring allocates nothing per session.
  private readonly z: Float64Array;
  private readonly c: Float64Array;
  private readonly h: Float64Array;
  /** One step's nonzero inputs and h values: kernel row offset and value. */
  private readonly nzRow: Int32Array;
  private readonly nzVal: Float64Array;
  /** The current step's row, when rows come from a RowSource. */
  private readonly x: Float64Array;
  /** The dense kernel label-major (labels × rnnSize), made when scoreSequenceByLabel first runs. */
  private denseByLabel: Float64Array | null = null;
  /** z, the step's rows and values in WebAssembly memory, summed there; null: the JS loop. */
  private readonly wasm: WasmAccumulator | null;

  constructor(parts: LstmParts) {
    const hidden = parts.rnnSize;
    const inputSize = 11 + 2 * parts.ports.length;
    this.labelOrder = [...parts.labelOrder];
    this.ports = [...parts.ports];
    this.seqLen = parts.seqLen;
    this.rnnSize = hidden;
    this.inputSize = inputSize;
    this.threshold = parts.threshold;
    this.minSequences = parts.minSequences;
    this.kernel = parts.kernel;
    this.bias = parts.bias;
    this.denseKernel = parts.denseKernel;
    this.denseBias = parts.denseBias;
    this.z = new Float64Array(4 * hidden);
    this.c = new Float64Array(hidden);
    this.h = new Float64Array(hidden);
    this.nzRow = new Int32Array(inputSize + hidden);
    this.nzVal = new Float64Array(inputSize + hidden);
    this.x = new Float64Array(inputSize);
    this.wasm = parts.simd ? wasmAccumulator(this.kernel, 4 * hidden, inputSize + hidden, this.bias) : null;
  }

  /** What a worker thread needs to build the same scorer (copied to it; the weights are 0.5 MB). */
  parts(): LstmParts {
    return {
      labelOrder: [...this.labelOrder],
      ports: [...this.ports],
      seqLen: this.seqLen,
      rnnSize: this.rnnSize,
      kernel: this.kernel,
      bias: this.bias,
      denseKernel: this.denseKernel,
      denseBias: this.denseBias,
      threshold: this.threshold,
      minSequences: this.minSequences,
      simd: this.wasm !== null,
    };
  }

  /** Whether the step's sum runs in WebAssembly SIMD (false: the JS loop). */
  get simd(): boolean {
    return this.wasm !== null;
  }

  /**
   * Runs one sequence (rows[start .. start+seqLen)) from a zero state and writes each step's score into
   * `scores` (length ≥ seqLen). Returns the maximum score.
   */
  scoreSequence(
    rows: readonly Float64Array[] | RowSource,
    start: number,
    labelVector: Float64Array,
    scores?: Float64Array,
  ): number {
    return this.runSequence(rows, start, labelVector, scores, null);
  }

  /**
   * Runs one sequence like scoreSequence, for every label at once: `maxByLabel[l]` becomes the larger of
   * itself and each step's score under the one-hot label vector of label l — the same bits scoreSequence
   * gives with that vector (its logit is 0 + acc·1, as here; acc is summed over the units in the same
   * order). For scoring before the capture's label is known (lstm-early.ts).
   */
  scoreSequenceByLabel(
    rows: readonly Float64Array[] | RowSource,
    start: number,
    maxByLabel: Float64Array,
  ): void {
    this.runSequence(rows, start, null, undefined, maxByLabel);
  }

  /** scoreSequence (labelVector given) or scoreSequenceByLabel (maxByLabel given): one loop, one state. */
  private runSequence(
    rows: readonly Float64Array[] | RowSource,
    start: number,
    labelVector: Float64Array | null,
    scores: Float64Array | undefined,
    maxByLabel: Float64Array | null,
  ): number {
    const source = Array.isArray(rows) ? null : (rows as RowSource);
    const list = rows as readonly Float64Array[];
    const { kernel, bias, denseKernel, denseBias, inputSize, rnnSize, wasm } = this;
    const gates = 4 * rnnSize;
    const z = wasm ? wasm.z : this.z;
    const c = wasm ? wasm.c : this.c;
    const h = wasm ? wasm.h : this.h;
    const { nzRow, nzVal } = this;
    const nLabels = this.labelOrder.length;
    c.fill(0);
    h.fill(0);
    let max = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < this.seqLen; t++) {
      let x: Float64Array;
      if (source) {
        if (source.width !== inputSize) throw widthError(source.width, inputSize);
        x = wasm ? wasm.x : this.x;
        source.read(start + t, x);
      } else {
        x = list[start + t]!;
        if (x.length !== inputSize) throw widthError(x.length, inputSize);
        if (wasm) wasm.x.set(x);
      }
      if (wasm) wasmStep(wasm, rnnSize);
      else {
        z.set(bias);
        // z += Σ_k v_k · kernel_row_k over the nonzero inputs then the nonzero h, in that order.
        let n = 0;
        for (let k = 0; k < inputSize; k++) {
          const v = x[k]!;
          if (v === 0) continue;
          nzRow[n] = k * gates;
          nzVal[n++] = v;
        }
        for (let k = 0; k < rnnSize; k++) {
          const v = h[k]!;
          if (v === 0) continue;
          nzRow[n] = (inputSize + k) * gates;
          nzVal[n++] = v;
        }
        accumulate(z, kernel, nzRow, nzVal, n, gates);
        for (let u = 0; u < rnnSize; u++) unitStep(z, c, h, u, rnnSize);
      }
      if (maxByLabel) {
        // Label-major (a transposed copy): each label's sum is one pass over contiguous weights, in u order.
        if (this.denseByLabel === null) this.denseByLabel = transpose(denseKernel, rnnSize, nLabels);
        const dense = this.denseByLabel;
        // Four labels per pass, four independent sums: one sum after another waits on each addition's
        // latency (13 labels cost ~28 % of a step), side by side they overlap. Each is still its label's
        // own sum in u order, so the bits do not change.
        let l = 0;
        for (; l + 4 <= nLabels; l += 4) {
          const o0 = l * rnnSize;
          const o1 = o0 + rnnSize;
          const o2 = o1 + rnnSize;
          const o3 = o2 + rnnSize;
          let a0 = denseBias[l]!;
          let a1 = denseBias[l + 1]!;
          let a2 = denseBias[l + 2]!;
          let a3 = denseBias[l + 3]!;
          for (let u = 0; u < rnnSize; u++) {
            const hu = h[u]!;
            a0 += hu * dense[o0 + u]!;
            a1 += hu * dense[o1 + u]!;
            a2 += hu * dense[o2 + u]!;
            a3 += hu * dense[o3 + u]!;
          }
          keepLabelMax(maxByLabel, l, a0);
          keepLabelMax(maxByLabel, l + 1, a1);
          keepLabelMax(maxByLabel, l + 2, a2);
          keepLabelMax(maxByLabel, l + 3, a3);
        }
        for (; l < nLabels; l++) {
          const o = l * rnnSize;
          let acc = denseBias[l]!;
          for (let u = 0; u < rnnSize; u++) acc += h[u]! * dense[o + u]!;
          keepLabelMax(maxByLabel, l, acc);
        }
        continue;
      }
      const lv = labelVector!;
      let logit = 0;
      for (let l = 0; l < nLabels; l++) {
        const w = lv[l]!;
        if (w === 0) continue;
        let acc = denseBias[l]!;
        for (let u = 0; u < rnnSize; u++) acc += h[u]! * denseKernel[u * nLabels + l]!;
        logit += acc * w;
      }
      const score = sigmoid(logit);
      if (scores) scores[t] = score;
      if (score > max) max = score;
    }
    return max;
  }

  /**
   * The sequences of [first, sequences) left to score, written to `order` from entry `from` on (room for
   * sequences - first more): those whose rows are not, bit for bit, a sequence `memo` has counted (each is
   * counted from then on), in order. Their maximum is the maximum over the whole range: a repeat scores
   * what the sequence it repeats did. Returns the entries set in all, and calls `publish` with that count
   * every PUBLISH_EVERY new entries (a second thread scores them meanwhile).
   */
  fillDistinct(
    sessions: readonly Float64Array[] | RowSource,
    first: number,
    sequences: number,
    memo: SequenceMemo,
    order: Int32Array,
    publish?: (count: number) => void,
    from = 0,
  ): number {
    const { seqLen, inputSize } = this;
    const source = Array.isArray(sessions) ? null : (sessions as RowSource);
    const list = sessions as readonly Float64Array[];
    if (source && source.width !== inputSize) throw widthError(source.width, inputSize);
    const x = this.x;
    let n = from;
    for (let s = first; s < sequences; s++) {
      for (let t = 0; t < seqLen; t++) {
        const i = s * seqLen + t;
        let row: Float64Array;
        if (source) {
          source.read(i, x);
          row = x;
        } else {
          row = list[i]!;
          if (row.length !== inputSize) throw widthError(row.length, inputSize);
        }
        memo.setRow(t, row);
      }
      if (!memo.seenBefore()) {
        order[n++] = s;
        if (publish && (n - from) % PUBLISH_EVERY === 0) publish(n);
      }
    }
    return n;
  }

  /**
   * The maximum score (0 when none is higher) over sequences [from, to), or with `order` over the sequences
   * order[from], …, order[to − 1].
   */
  scoreRange(
    sessions: readonly Float64Array[] | RowSource,
    from: number,
    to: number,
    labelVector: Float64Array,
    order?: Int32Array,
  ): number {
    let max = 0;
    for (let i = from; i < to; i++) {
      const m = this.scoreSequence(sessions, (order ? order[i]! : i) * this.seqLen, labelVector);
      if (m > max) max = m;
    }
    return max;
  }
}

function widthError(width: number, inputSize: number): ModelError {
  return new ModelError(`session vector has ${width} values, the sos-lstm model expects ${inputSize}`);
}

/** Label l's score from its dense sum `acc`, kept in maxByLabel[l] when higher. */
function keepLabelMax(maxByLabel: Float64Array, l: number, acc: number): void {
  // 0 + acc·1, the operations the one-hot label vector's loop does (so −0 becomes +0 alike).
  let logit = 0;
  logit += acc * 1;
  const score = sigmoid(logit);
  if (score > maxByLabel[l]!) maxByLabel[l] = score;
}

/** A rows × cols row-major matrix as cols × rows row-major. */
function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

/**
 * One whole LSTM step in the WebAssembly module (z = bias, the nonzero inputs and h, their sum, and the
 * gates, the same bits as the JS loop), then the units it leaves to this code: pairs with an argument its
 * gates do not handle, and the units past its passes (`gateUnits`). The step's row must be in `wasm.x`.
 */
export function wasmStep(wasm: WasmAccumulator, rnnSize: number): void {
  const { z, c, h } = wasm;
  const skipped = wasm.step();
  const list = wasm.skipped;
  for (let q = 0; q < skipped; q++) {
    const u = list[q]!;
    unitStep(z, c, h, u, rnnSize);
    unitStep(z, c, h, u + 1, rnnSize);
  }
  for (let u = wasm.gateUnits; u < rnnSize; u++) unitStep(z, c, h, u, rnnSize);
}

/** One unit's gates: c = c·σ(f + 1) + σ(i)·tanh(j), h = σ(o)·tanh(c), from z's four blocks. */
function unitStep(z: Float64Array, c: Float64Array, h: Float64Array, u: number, rnnSize: number): void {
  const i = z[u]!;
  const j = z[rnnSize + u]!;
  const f = z[2 * rnnSize + u]!;
  const o = z[3 * rnnSize + u]!;
  const cu = c[u]! * sigmoid(f + 1) + sigmoid(i) * tanh(j);
  c[u] = cu;
  h[u] = sigmoid(o) * tanh(cu);
}

/**
 * From here up, 1 / (1 + Math.exp(-x)) is exactly 1: e^-40 < 2^-53 / 26, so Math.exp(-x) (V8's fdlibm exp,
 * error under 1 ulp) is below 2^-53 and 1 + it rounds to 1. Unnormalised inputs (byte counts, packet
 * counts) saturate ~27% of the bundled model's gates on real captures: each is an exp not computed.
 */
export const SIGMOID_ONE_FROM = 40;
/** Below this, Math.exp(-x) overflows to Infinity (fdlibm: x > 709.78… returns huge·huge) and 1/∞ is 0. */
export const SIGMOID_ZERO_BELOW = -709.8;

/** 1 / (1 + Math.exp(-x)), bit for bit, without the exp where its result cannot matter. */
export function sigmoid(x: number): number {
  if (x >= SIGMOID_ONE_FROM) return 1;
  if (x < SIGMOID_ZERO_BELOW) return 0;
  return 1 / (1 + Math.exp(-x));
}

/**
 * Math.tanh(x), bit for bit: V8's fdlibm tanh returns ±(1 − tiny), i.e. ±1, for |x| ≥ 22 (and ±∞); this
 * skips the call for the ~30% of the bundled model's tanh arguments that are there.
 */
export function tanh(x: number): number {
  if (x >= 22) return 1;
  if (x <= -22) return -1;
  return Math.tanh(x);
}

/**
 * z[g] += Σ_{q < n} val[q] · kernel[row[q] + g] in q order. Rows are taken eight at a time, each z[g] still
 * summed left to right (z + a + b + … + h, no reordering, no FMA in JS), so the result is bit-for-bit the
 * one-row-at-a-time sum with an eighth of the z traffic.
 */
function accumulate(
  z: Float64Array,
  kernel: Float64Array,
  nzRow: Int32Array,
  nzVal: Float64Array,
  n: number,
  gates: number,
): void {
  let q = 0;
  for (; q + 8 <= n; q += 8) {
    const r0 = nzRow[q]!;
    const r1 = nzRow[q + 1]!;
    const r2 = nzRow[q + 2]!;
    const r3 = nzRow[q + 3]!;
    const r4 = nzRow[q + 4]!;
    const r5 = nzRow[q + 5]!;
    const r6 = nzRow[q + 6]!;
    const r7 = nzRow[q + 7]!;
    const v0 = nzVal[q]!;
    const v1 = nzVal[q + 1]!;
    const v2 = nzVal[q + 2]!;
    const v3 = nzVal[q + 3]!;
    const v4 = nzVal[q + 4]!;
    const v5 = nzVal[q + 5]!;
    const v6 = nzVal[q + 6]!;
    const v7 = nzVal[q + 7]!;
    for (let g = 0; g < gates; g++) {
      z[g] =
        z[g]! +
        v0 * kernel[r0 + g]! +
        v1 * kernel[r1 + g]! +
        v2 * kernel[r2 + g]! +
        v3 * kernel[r3 + g]! +
        v4 * kernel[r4 + g]! +
        v5 * kernel[r5 + g]! +
        v6 * kernel[r6 + g]! +
        v7 * kernel[r7 + g]!;
    }
  }
  for (; q < n; q++) {
    const r = nzRow[q]!;
    const v = nzVal[q]!;
    for (let g = 0; g < gates; g++) z[g]! += v * kernel[r + g]!;
  }
}
