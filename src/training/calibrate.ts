/**
 * The "Unknown" threshold: a capture whose top probability is below it is called Unknown. Chosen from two
 * samples of top probabilities seen on the training set: known types (cross-validated, held-out captures)
 * and unseen types (leave-one-class-out: a model trained without label c predicts c's captures).
 */
import { UsageError } from '../errors.js';
import { UNKNOWN_LABEL } from '../models/role-model.js';
import {
  type Candidate,
  type CaptureOutcome,
  type LabelledCapture,
  predictLabel,
  trainCandidate,
} from './select.js';

export interface KnownOutcome {
  /** Top probability. */
  top: number;
  /** Top label equals the truth. */
  correct: boolean;
  /** Top label is Unknown already (the model's own Unknown class). */
  unknown?: boolean;
}

export interface UnseenOutcome {
  top: number;
  unknown?: boolean;
  /** The held-out label, for per-label rates. */
  label?: string;
}

export interface Calibration {
  threshold: number;
  /** Unseen-type captures called Unknown at the threshold. */
  unseenUnknownRate: number;
  /** Known-type captures called Unknown at the threshold (the cost). */
  knownUnknownRate: number;
  /** Known-type captures labelled right, before / after applying the threshold. */
  knownAccuracyBefore: number;
  knownAccuracyAfter: number;
  /** Unknown rate per held-out label. */
  unseenByLabel: Record<string, number>;
}

function rates(known: readonly KnownOutcome[], unseen: readonly UnseenOutcome[], t: number) {
  const unseenUnknown = unseen.filter((u) => u.unknown || u.top < t).length / Math.max(unseen.length, 1);
  const knownUnknown = known.filter((k) => k.unknown || k.top < t).length / Math.max(known.length, 1);
  const after = known.filter((k) => k.correct && !k.unknown && k.top >= t).length / Math.max(known.length, 1);
  return { unseenUnknown, knownUnknown, after };
}

/**
 * Threshold choice: among cut points (midpoints between observed top probabilities) that call MORE than
 * half of the unseen-type captures Unknown, the one maximising unseenUnknown − knownUnknown (Youden's J);
 * if no cut point reaches half, the J maximum overall. Ties take the lower threshold (fewer known losses).
 */
export function chooseThreshold(
  known: readonly KnownOutcome[],
  unseen: readonly UnseenOutcome[],
): Calibration {
  if (known.length === 0 || unseen.length === 0) {
    throw new UsageError('calibrating the Unknown threshold needs known-type and unseen-type outcomes');
  }
  const values = [...new Set([0, 1, ...known.map((k) => k.top), ...unseen.map((u) => u.top)])].sort(
    (a, b) => a - b,
  );
  const cuts = [0];
  for (let i = 1; i < values.length; i++) cuts.push((values[i - 1]! + values[i]!) / 2);
  cuts.push(1 + 1e-9);
  let best = -1;
  let bestJ = Number.NEGATIVE_INFINITY;
  let bestOk = false;
  for (const t of cuts) {
    const r = rates(known, unseen, t);
    const ok = r.unseenUnknown > 0.5;
    const j = r.unseenUnknown - r.knownUnknown;
    if ((ok && !bestOk) || (ok === bestOk && j > bestJ)) {
      best = t;
      bestJ = j;
      bestOk = ok;
    }
  }
  const r = rates(known, unseen, best);
  const byLabel: Record<string, number[]> = {};
  for (const u of unseen) {
    const l = u.label ?? '';
    const list = byLabel[l] ?? [];
    list.push(u.unknown || u.top < best ? 1 : 0);
    byLabel[l] = list;
  }
  const unseenByLabel: Record<string, number> = {};
  for (const [l, v] of Object.entries(byLabel)) unseenByLabel[l] = v.reduce((a, b) => a + b, 0) / v.length;
  return {
    threshold: best,
    unseenUnknownRate: r.unseenUnknown,
    knownUnknownRate: r.knownUnknown,
    knownAccuracyBefore: known.filter((k) => k.correct).length / known.length,
    knownAccuracyAfter: r.after,
    unseenByLabel,
  };
}

/** Known-type outcomes from cross-validation (held-out captures with bins). */
export function knownFromCv(outcomes: readonly CaptureOutcome[]): KnownOutcome[] {
  return outcomes
    .filter((o) => o.predicted !== null)
    .map((o) => ({ top: o.top, correct: o.predicted === o.label, unknown: o.predicted === UNKNOWN_LABEL }));
}

/** Leave-one-class-out: for each label, train without it and predict its captures. */
export function leaveOneClassOut(
  captures: readonly LabelledCapture[],
  candidate: Candidate,
  train: Parameters<typeof trainCandidate>[2],
  seed: number,
): UnseenOutcome[] {
  const labels = [...new Set(captures.map((c) => c.label))].sort();
  if (labels.length < 3) throw new UsageError('leave-one-class-out calibration needs at least three labels');
  const out: UnseenOutcome[] = [];
  labels.forEach((held, i) => {
    const rest = captures.filter((c) => c.label !== held && c.rows.length > 0);
    const model = trainCandidate(rest, candidate, train, seed + 7919 * (i + 1));
    for (const c of captures) {
      if (c.label !== held || c.rows.length === 0) continue;
      const p = predictLabel(model, c.rows);
      out.push({ top: p.top, unknown: p.label === UNKNOWN_LABEL, label: held });
    }
  });
  return out;
}
