/**
 * The original NetworkML's session-sequence abnormality model ("SoS" LSTM, REFERENCE.md §6).
 *
 * Math (TF LSTMCell(100, tanh), forget_bias 1.0), per step t with input x_t (41) and state (c, h):
 *   z = [x_t, h] · K + b;  i, j, f, o = split(z, 4)
 *   c = c·σ(f + 1) + σ(i)·tanh(j);  h = σ(o)·tanh(c)
 *   score_t = σ(Σ_k (h · D + d)_k · L_k)     with L the capture's label vector (one-hot on its top label)
 * A capture's abnormality is the maximum score over every step of every sequence of 10 sessions.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { z } from 'zod';
import { errorMessage, ModelError } from '../errors.js';
import { type SharedRows, shareRowArrays } from '../features/shared-rows.js';
import type { Behavior } from '../result.js';
import { scoreOnTwoThreads } from './lstm-threads.js';
import { type WasmAccumulator, wasmAccumulator } from './lstm-wasm.js';

/** The reference's train_test_split(0.2) then (0.5) raises below this many sequences; it then reports 0.0. */
export const MIN_SEQUENCES = 6;
export const DEFAULT_ABNORMALITY_THRESHOLD = 0.99;

const finite = z.number().refine(Number.isFinite, 'not a finite number');
const matrix = z.array(z.array(finite));

/** The original fields of networkml-v0.4.8-sos-lstm.json (the shared conversion of the TF checkpoint). */
const weightsFields = {
  // The bundled wrapper records its source as an object (attribution, licence, original file).
  source: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  description: z.string().optional(),
  label_order: z.array(z.string()).min(1),
  ports: z.array(z.number().int().min(0).max(65535)),
  seq_len: z.number().int().positive(),
  rnn_size: z.number().int().positive(),
  lstm_kernel: matrix,
  lstm_bias: z.array(finite),
  dense_kernel: matrix,
  dense_bias: z.array(finite),
};

/** Our wrapper: `{"format":"networkml-model","version":1,"kind":"sos-lstm", ...original fields}`. */
export const sosLstmModelSchema = z.union([
  z.object({
    format: z.literal('networkml-model'),
    version: z.literal(1),
    kind: z.literal('sos-lstm'),
    ...weightsFields,
  }),
  z.object({ format: z.literal('networkml-v0.4.8-sos-lstm'), ...weightsFields }),
]);
export type SosLstmModelFile = z.infer<typeof sosLstmModelSchema>;

/** Session rows read into a caller's buffer (no array per row): `width` values each. */
export interface RowSource {
  readonly length: number;
  readonly width: number;
  read(i: number, out: Float64Array): void;
  /** The same rows as a worker thread can read them; without it the rows are scored on this thread. */
  share?(): SharedRows;
}

/** Below this many sequences one thread scores them: starting the second costs more than it saves. */
export const THREAD_MIN_SEQUENCES = 1000;

export interface ScoreOptions {
  /**
   * Score on this thread and a worker thread ('auto', the default: rows of the streamed analysis, for
   * THREAD_MIN_SEQUENCES sequences or more, on the main thread of a machine with two cores or more).
   * false: one thread (`--threads 1`); true: whenever the capture is scored (tests).
   */
  thread?: boolean | 'auto';
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

export interface LstmScore {
  /** Max score over all steps; 0.0 when the capture could not be scored (as the reference reports it). */
  abnormality: number;
  behavior: Behavior;
  /** Number of complete sequences of `seqLen` sessions. */
  sequences: number;
  /** False when the reference could not score the capture; `note` then says why. */
  scored: boolean;
  note?: string;
}

export interface SessionSequenceLstmOptions {
  /** `behavior` is 'abnormal' when abnormality > threshold. */
  threshold?: number;
  /** Fewer complete sequences than this cannot be scored (the reference's quirk, 6). */
  minSequences?: number;
  /**
   * Sum the step's kernel rows with WebAssembly SIMD when the engine has it (default true; same bits as
   * the JS loop, see lstm-wasm.ts). False keeps the JS loop (tests compare the two).
   */
  simd?: boolean;
}

function flatten(rows: number[][], nRows: number, nCols: number, name: string): Float64Array {
  if (rows.length !== nRows)
    throw new ModelError(`sos-lstm model: ${name} has ${rows.length} rows, expected ${nRows}`);
  const out = new Float64Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    const row = rows[r]!;
    if (row.length !== nCols) {
      throw new ModelError(`sos-lstm model: ${name} row ${r} has ${row.length} values, expected ${nCols}`);
    }
    out.set(row, r * nCols);
  }
  return out;
}

/** The model file's fields checked and flattened. */
function partsOf(model: SosLstmModelFile, options: SessionSequenceLstmOptions): LstmParts {
  const labels = model.label_order.length;
  const hidden = model.rnn_size;
  const inputSize = 11 + 2 * model.ports.length;
  if (new Set(model.label_order).size !== labels) throw new ModelError('sos-lstm model: duplicate labels');
  const kernel = flatten(model.lstm_kernel, inputSize + hidden, 4 * hidden, 'lstm_kernel');
  if (model.lstm_bias.length !== 4 * hidden) {
    throw new ModelError(
      `sos-lstm model: lstm_bias has ${model.lstm_bias.length} values, expected ${4 * hidden}`,
    );
  }
  const denseKernel = flatten(model.dense_kernel, hidden, labels, 'dense_kernel');
  if (model.dense_bias.length !== labels) {
    throw new ModelError(
      `sos-lstm model: dense_bias has ${model.dense_bias.length} values, expected ${labels}`,
    );
  }
  return {
    labelOrder: [...model.label_order],
    ports: [...model.ports],
    seqLen: model.seq_len,
    rnnSize: hidden,
    kernel,
    bias: Float64Array.from(model.lstm_bias),
    denseKernel,
    denseBias: Float64Array.from(model.dense_bias),
    threshold: options.threshold ?? DEFAULT_ABNORMALITY_THRESHOLD,
    minSequences: options.minSequences ?? MIN_SEQUENCES,
    simd: options.simd !== false,
  };
}

export class SessionSequenceLstm {
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
  /** z, the step's rows and values in WebAssembly memory, summed there; null: the JS loop. */
  private readonly wasm: WasmAccumulator | null;

  constructor(model: SosLstmModelFile | LstmParts, options: SessionSequenceLstmOptions = {}) {
    const parts = 'kernel' in model ? model : partsOf(model, options);
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
    this.wasm = parts.simd ? wasmAccumulator(this.kernel, 4 * hidden, inputSize + hidden) : null;
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

  /** Validates a parsed JSON document (wrapper or original) and builds the scorer. */
  static fromJSON(doc: unknown, options?: SessionSequenceLstmOptions): SessionSequenceLstm {
    const parsed = sosLstmModelSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new ModelError(`not a sos-lstm model${where}: ${issue?.message ?? 'invalid'}`);
    }
    return new SessionSequenceLstm(parsed.data, options);
  }

  static load(path: string, options?: SessionSequenceLstmOptions): SessionSequenceLstm {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ModelError(`cannot read model ${path}: ${errorMessage(err)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ModelError(`model ${path} is not JSON: ${errorMessage(err)}`);
    }
    try {
      return SessionSequenceLstm.fromJSON(doc, options);
    } catch (err) {
      throw new ModelError(`${path}: ${errorMessage(err)}`);
    }
  }

  /** The one-hot label vector for `label`, or null when the model does not know that label. */
  labelVector(label: string): Float64Array | null {
    const index = this.labelOrder.indexOf(label);
    if (index < 0) return null;
    const out = new Float64Array(this.labelOrder.length);
    out[index] = 1;
    return out;
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
    const source = Array.isArray(rows) ? null : (rows as RowSource);
    const list = rows as readonly Float64Array[];
    const { kernel, bias, denseKernel, denseBias, c, h, inputSize, rnnSize, wasm } = this;
    const gates = 4 * rnnSize;
    const z = wasm ? wasm.z : this.z;
    const nzRow = wasm ? wasm.rows : this.nzRow;
    const nzVal = wasm ? wasm.vals : this.nzVal;
    // The WebAssembly sum takes the rows' byte offsets in its memory (the kernel starts at 0).
    const rowStride = wasm ? gates * 8 : gates;
    const nLabels = this.labelOrder.length;
    c.fill(0);
    h.fill(0);
    let max = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < this.seqLen; t++) {
      let x: Float64Array;
      if (source) {
        if (source.width !== inputSize) {
          throw new ModelError(
            `session vector has ${source.width} values, the sos-lstm model expects ${inputSize}`,
          );
        }
        x = this.x;
        source.read(start + t, x);
      } else {
        x = list[start + t]!;
        if (x.length !== inputSize) {
          throw new ModelError(
            `session vector has ${x.length} values, the sos-lstm model expects ${inputSize}`,
          );
        }
      }
      z.set(bias);
      // z += Σ_k v_k · kernel_row_k over the nonzero inputs then the nonzero h, in that order (accumulate
      // below, or the same sum in WebAssembly SIMD).
      let n = 0;
      for (let k = 0; k < inputSize; k++) {
        const v = x[k]!;
        if (v === 0) continue;
        nzRow[n] = k * rowStride;
        nzVal[n++] = v;
      }
      for (let k = 0; k < rnnSize; k++) {
        const v = h[k]!;
        if (v === 0) continue;
        nzRow[n] = (inputSize + k) * rowStride;
        nzVal[n++] = v;
      }
      if (wasm) wasm.accumulate(n);
      else accumulate(z, kernel, nzRow, nzVal, n, gates);
      for (let u = 0; u < rnnSize; u++) {
        const i = z[u]!;
        const j = z[rnnSize + u]!;
        const f = z[2 * rnnSize + u]!;
        const o = z[3 * rnnSize + u]!;
        const cu = c[u]! * sigmoid(f + 1) + sigmoid(i) * Math.tanh(j);
        c[u] = cu;
        h[u] = sigmoid(o) * Math.tanh(cu);
      }
      let logit = 0;
      for (let l = 0; l < nLabels; l++) {
        const w = labelVector[l]!;
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
   * Scores a capture: `sessions` are its per-session vectors in bin order then session order; `label` is the
   * capture's top label (or an explicit label vector in `labelOrder` order).
   */
  score(
    sessions: readonly Float64Array[] | RowSource,
    label: string | Float64Array,
    options: ScoreOptions = {},
  ): LstmScore {
    const sequences = Math.floor(sessions.length / this.seqLen);
    const labelVector = typeof label === 'string' ? this.labelVector(label) : label;
    if (labelVector === null) {
      return this.unscored(sequences, `label "${label as string}" is not one of the sos-lstm model's labels`);
    }
    if (labelVector.length !== this.labelOrder.length) {
      throw new ModelError(
        `label vector has ${labelVector.length} values, expected ${this.labelOrder.length}`,
      );
    }
    if (sequences < this.minSequences) {
      return this.unscored(sequences, `fewer than ${this.minSequences} session sequences (${sequences})`);
    }
    // Sequences are independent (each starts from a zero state) and the maximum does not depend on the
    // order it is taken in, so two threads give the same abnormality bit for bit.
    const shared = this.sharedRows(sessions, sequences, options);
    const max = shared
      ? scoreOnTwoThreads(this, sessions, shared, labelVector, sequences)
      : this.scoreRange(sessions, 0, sequences, labelVector);
    return {
      abnormality: max,
      behavior: max > this.threshold ? 'abnormal' : 'normal',
      sequences,
      scored: true,
    };
  }

  /** The maximum score (0 when none is higher) over sequences [from, to). */
  scoreRange(
    sessions: readonly Float64Array[] | RowSource,
    from: number,
    to: number,
    labelVector: Float64Array,
  ): number {
    let max = 0;
    for (let s = from; s < to; s++) {
      const m = this.scoreSequence(sessions, s * this.seqLen, labelVector);
      if (m > max) max = m;
    }
    return max;
  }

  /**
   * The rows as a worker thread can read them when this capture is scored on two threads, else null. Rows
   * given as arrays (the whole-capture path) are copied to shared memory, so only when asked (tests).
   */
  private sharedRows(
    sessions: readonly Float64Array[] | RowSource,
    sequences: number,
    options: ScoreOptions,
  ): SharedRows | null {
    const mode = options.thread ?? 'auto';
    if (mode === false) return null;
    if (Array.isArray(sessions))
      return mode === true ? shareRowArrays(sessions as readonly Float64Array[], this.inputSize) : null;
    const source = sessions as RowSource;
    if (!source.share) return null;
    // Worker threads of a pool (several captures) already use every core.
    const worth = sequences >= THREAD_MIN_SEQUENCES && isMainThread && availableParallelism() >= 2;
    return mode === true || worth ? source.share() : null;
  }

  private unscored(sequences: number, note: string): LstmScore {
    const abnormality = 0;
    return {
      abnormality,
      behavior: abnormality > this.threshold ? 'abnormal' : 'normal',
      sequences,
      scored: false,
      note,
    };
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
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
