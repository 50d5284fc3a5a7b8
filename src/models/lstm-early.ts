/**
 * Scoring the capture device's first LSTM sequences while the capture is still being read (issue 14).
 *
 * The LSTM's device is the address with the most votes over the whole capture, so scoring used to start
 * only after the read, although the main thread waits for the reader thread for half the read or more. But a
 * capture's abnormality is a maximum over non-overlapping sequences of seqLen rows, each scored from a zero
 * state, and the rows of bins already closed are final and come first (ProvisionalRows). So the sequences
 * of the vote leader's rows read so far are scored in that idle time, for every label at once (the label
 * is the role predicted at the end): if the leader is the device in the end, their maximum for its label
 * is what scoring them again would give, bit for bit, and only the later sequences are left. A new leader
 * starts over from its first row; what was scored for another address is never used. A sequence that
 * repeats one already scored is not scored again (sequence-memo.ts). On a long capture this thread is
 * seldom idle: once the leader's rows go to a file, the LSTM's second thread does this work instead
 * (lstm-background.ts), and the prefix that covers more sequences is used.
 */
import { type ProvisionalRows, type RowWork, SESSION_VECTOR_LENGTH } from '../features/session-vectors.js';
import { BackgroundSequences } from './lstm-background.js';
import type { LstmCore } from './lstm-core.js';
import { SequenceMemo } from './sequence-memo.js';

/** More changes of leader than this and the guess is given up for the capture (each restarts from row 0). */
export const MAX_RESTARTS = 16;

/** The first `sequences` sequences' maximum score for each label (model label order), 0 when none higher. */
export interface ScoredPrefix {
  sequences: number;
  maxByLabel: Float64Array;
  /** Their contents (a repeat of one of them was not scored, and need not be later). */
  memo: SequenceMemo;
  /** New sequences among them not scored yet, ascending (the others' maxima are maxByLabel's). */
  pending?: Int32Array;
}

export class EarlySequences implements RowWork {
  private address = -1;
  private addressIp: string | undefined;
  private readonly cursor = { record: 0 };
  /** Rows of the sequence being gathered (seqLen × inputSize, one view each). */
  private readonly rows: Float64Array[];
  private filled = 0;
  private sequences = 0;
  private readonly maxByLabel: Float64Array;
  private memo: SequenceMemo;
  private restarts = 0;
  /** The same work on the LSTM's second thread, once the leader's rows go to a file (lstm-background.ts). */
  private readonly background: BackgroundSequences;

  constructor(private readonly lstm: LstmCore) {
    this.background = new BackgroundSequences(lstm);
    const block = new Float64Array(lstm.seqLen * lstm.inputSize);
    this.rows = Array.from({ length: lstm.seqLen }, (_, t) =>
      block.subarray(t * lstm.inputSize, (t + 1) * lstm.inputSize),
    );
    this.maxByLabel = new Float64Array(lstm.labelOrder.length);
    this.memo = new SequenceMemo(lstm.inputSize, lstm.seqLen);
  }

  /**
   * Scores the leader's next sequence if its rows are all final; false when there is none to score now
   * (the caller then sleeps until more of the capture is read). About one sequence's work (~0.1 ms).
   */
  step(source: ProvisionalRows): boolean {
    // A model of another input width refuses the rows when it scores them (or never sees them: too few
    // sequences, a label it does not know), so nothing is scored ahead that could fail differently.
    if (this.restarts > MAX_RESTARTS || this.lstm.inputSize !== SESSION_VECTOR_LENGTH) return false;
    // The second thread has the leader's rows: this thread's idle time is its core's.
    if (this.background.following) return false;
    const leader = source.leader();
    if (leader < 0) return false;
    if (leader !== this.address) {
      if (this.address >= 0 && ++this.restarts > MAX_RESTARTS) return false;
      this.address = leader;
      this.addressIp = source.addressText(leader);
      this.cursor.record = 0;
      this.filled = 0;
      this.sequences = 0;
      this.maxByLabel.fill(0);
      this.memo = new SequenceMemo(this.lstm.inputSize, this.lstm.seqLen);
    }
    const { rows, lstm } = this;
    while (this.filled < lstm.seqLen) {
      if (!source.nextRow(leader, this.cursor, rows[this.filled]!)) return false;
      this.filled++;
    }
    const memo = this.memo;
    for (let t = 0; t < lstm.seqLen; t++) memo.setRow(t, rows[t]!);
    if (!memo.seenBefore()) lstm.scoreSequenceByLabel(rows, 0, this.maxByLabel);
    this.filled = 0;
    this.sequences++;
    return true;
  }

  binAdded(source: ProvisionalRows): void {
    this.background.binAdded(source);
  }

  /**
   * The address whose sequences are scored (null: none yet), how many (repeats of an earlier one among
   * them, not scored), how often it changed, and how many sequences the second thread checked and scored.
   */
  get progress(): {
    ip: string | null;
    sequences: number;
    repeats: number;
    restarts: number;
    background: { checked: number; scored: number };
  } {
    const { sequences, restarts } = this;
    const background = this.background.progress;
    return { ip: this.addressIp ?? null, sequences, repeats: this.memo.repeats, restarts, background };
  }

  /**
   * What was scored, if it holds for the capture's device `sourceIp` (as the analysis chose it) and the
   * scorer `lstm` (the same weights); else null.
   */
  prefixFor(lstm: LstmCore, sourceIp: string | null): ScoredPrefix | null {
    const background = this.background.prefixFor(lstm, sourceIp);
    const here = this.ownPrefix(lstm, sourceIp);
    // Both are exact for the device's first sequences: the longer leaves less to score.
    return background && background.sequences > (here?.sequences ?? 0) ? background : here;
  }

  private ownPrefix(lstm: LstmCore, sourceIp: string | null): ScoredPrefix | null {
    if (lstm !== this.lstm || this.sequences === 0 || this.restarts > MAX_RESTARTS) return null;
    if (sourceIp === null || this.addressIp !== sourceIp) return null;
    return { sequences: this.sequences, maxByLabel: this.maxByLabel, memo: this.memo };
  }
}
