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
import type { z as Zod } from 'zod';
import { errorMessage, ModelError } from '../errors.js';
import { type SharedRows, shareRowArrays } from '../features/shared-rows.js';
import type { Behavior } from '../result.js';
import { LstmCore, type LstmParts, type RowSource } from './lstm-core.js';
import type { ScoredPrefix } from './lstm-early.js';
import { prestartLstmWorker, scoreOnTwoThreads } from './lstm-threads.js';
import { SequenceMemo } from './sequence-memo.js';
import { finiteArray, lazy, zod } from './zod-lazy.js';

export type { LstmParts, RowSource } from './lstm-core.js';

/** The reference's train_test_split(0.2) then (0.5) raises below this many sequences; it then reports 0.0. */
export const MIN_SEQUENCES = 6;
export const DEFAULT_ABNORMALITY_THRESHOLD = 0.99;

/** The sos-lstm file schema, built with `z` (zod-lazy.ts: on first use). */
function lstmSchema(z: typeof Zod) {
  // Rows checked in one loop each (finiteArray): zod's per-number check of a kernel (56,000 weights in the
  // bundled one) was ~45 ms of a start-up; the first bad entry is still named by its path.
  const vector = finiteArray(z);
  const matrix = z.array(vector);

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
    lstm_bias: vector,
    dense_kernel: matrix,
    dense_bias: vector,
  };

  /**
   * Our wrapper (`{"format":"networkml-model","version":1,"kind":"sos-lstm", ...}`) or the original export,
   * told apart by `format`, so that a refusal names the field at fault rather than "invalid input".
   */
  return z.discriminatedUnion('format', [
    z.object({
      format: z.literal('networkml-model'),
      version: z.literal(1),
      kind: z.literal('sos-lstm'),
      ...weightsFields,
    }),
    z.object({ format: z.literal('networkml-v0.4.8-sos-lstm'), ...weightsFields }),
  ]);
}

const schema = lazy(() => lstmSchema(zod()));

/** The sos-lstm file schema (built on first use). */
export function sosLstmModelSchema(): ReturnType<typeof lstmSchema> {
  return schema();
}
export type SosLstmModelFile = Zod.infer<ReturnType<typeof lstmSchema>>;

/** Below this many sequences one thread scores them: starting the second costs more than it saves. */
export const THREAD_MIN_SEQUENCES = 1000;

const NONE = new Int32Array(0);

export interface ScoreOptions {
  /**
   * Score on this thread and a worker thread ('auto', the default: rows of the streamed analysis, for
   * THREAD_MIN_SEQUENCES sequences or more, on the main thread of a machine with two cores or more).
   * false: one thread (`--threads 1`); true: whenever the capture is scored (tests).
   */
  thread?: boolean | 'auto';
  /**
   * The first sequences' maximum per label, scored while the capture was read (lstm-early.ts): with a
   * label (not a vector), only the later sequences are scored here.
   */
  prefix?: ScoredPrefix | null;
  /**
   * Told how many sequences were scored here: the prefix's new ones it had not scored, then those after it,
   * less repeats (measurements).
   */
  stats?: (scored: number) => void;
}

/** What scoring one capture gives. */
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
   * Run the step's kernel-row sum and gates in WebAssembly SIMD when the engine has it (default true; same
   * bits as the JS code, see lstm-wasm.ts and lstm-gates-wasm.ts). False keeps the JS code (tests compare).
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

export class SessionSequenceLstm extends LstmCore {
  constructor(model: SosLstmModelFile | LstmParts, options: SessionSequenceLstmOptions = {}) {
    super('kernel' in model ? model : partsOf(model, options));
  }

  /** Validates a parsed JSON document (wrapper or original) and builds the scorer. */
  static fromJSON(doc: unknown, options?: SessionSequenceLstmOptions): SessionSequenceLstm {
    const parsed = sosLstmModelSchema().safeParse(doc);
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
      throw new ModelError(`${path}: cannot read model (${errorMessage(err)})`);
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
    // order it is taken in, so two threads, sequences scored earlier, or a repeat left out (sequence-memo.ts)
    // give the same abnormality bit for bit.
    const prefix = typeof label === 'string' ? options.prefix : null;
    const first = prefix ? Math.min(prefix.sequences, sequences) : 0;
    const before = prefix && first > 0 ? prefix.maxByLabel[this.labelOrder.indexOf(label as string)]! : 0;
    // The prefix's memo knows the sequences it scored; a copy, so that scoring again starts from the same.
    const memo = prefix && first > 0 ? prefix.memo.clone() : new SequenceMemo(this.inputSize, this.seqLen);
    // New sequences of the prefix not scored yet come first (they are below `first`), then the new ones
    // after it; on two threads, the worker scores them as this thread finds them.
    const pending = prefix && first > 0 ? (prefix.pending ?? NONE) : NONE;
    const left = pending.length + sequences - first;
    const shared = this.sharedRows(sessions, left, options);
    const room = new Int32Array(new SharedArrayBuffer(4 * left));
    room.set(pending);
    const fill = (publish?: (count: number) => void): number => {
      publish?.(pending.length);
      const count = this.fillDistinct(sessions, first, sequences, memo, room, publish, pending.length);
      options.stats?.(count);
      return count;
    };
    const rest = shared
      ? scoreOnTwoThreads(this, sessions, shared, labelVector, room, undefined, fill)
      : this.scoreRange(sessions, 0, fill(), labelVector, room);
    const max = Math.max(rest, before); // neither is NaN or -0 (both are maxima from 0)
    return {
      abnormality: max,
      behavior: max > this.threshold ? 'abnormal' : 'normal',
      sequences,
      scored: true,
    };
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

  /**
   * Starts the second scoring thread ahead of a score() that will likely use it ('auto' on the main thread
   * of a machine with two cores or more), so it is ready when scoring starts.
   */
  prestartThread(): void {
    if (isMainThread && availableParallelism() >= 2) prestartLstmWorker(this);
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
