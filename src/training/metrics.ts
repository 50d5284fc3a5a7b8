import { UNKNOWN_LABEL } from '../models/role-model.js';
import {
  type ConfusedPair,
  expectedOf,
  type RoleScore,
  type TestMetrics,
  type TestPrediction,
} from '../outputs/report/types.js';

/** The one definition of mean F1 that `test` reports (with Unknown kept, and forcing decisions). */
export const MEAN_F1_DEFINITION =
  'unweighted mean of per-role F1 over the roles that are the truth of at least one test capture; ' +
  'Unknown and roles that are only predicted are not averaged (a capture wrongly called Unknown lowers ' +
  "its true role's recall); a capture of a type the model has no role for is right when called Unknown " +
  'and is scored under Unknown; null when no test capture is of a role the model knows';

/**
 * The answer that counts as right for a capture labelled `truth`: the truth itself, or Unknown when the
 * model has no such role (a type it was never trained on: nothing but Unknown can be right).
 */
export function expectedAnswer(truth: string, modelRoles: ReadonlySet<string>): string {
  return modelRoles.has(truth) ? truth : UNKNOWN_LABEL;
}

/**
 * Precision, recall and F1 per role from (truth, prediction) pairs, the confusion matrix (rows truth,
 * columns predicted) and accuracy. F1 = 2PR / (P + R), 0 when both are 0; mean F1 averages F1 over the
 * roles with support > 0 (MEAN_F1_DEFINITION) other than Unknown, which is not a role even when it is the
 * truth of a test capture (a capture of an unknown type, right when called Unknown).
 */
export function scorePredictions(
  truth: readonly string[],
  predicted: readonly string[],
  labelOrder?: readonly string[],
): TestMetrics {
  const labels = [...new Set([...(labelOrder ?? []), ...truth, ...predicted])];
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    confusion[index.get(t)!]![index.get(p)!]!++;
    if (t === p) correct++;
  });
  const perRole: RoleScore[] = labels.map((label, k) => {
    const tp = confusion[k]![k]!;
    const support = confusion[k]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[k]!, 0);
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const occurring = perRole.filter((r) => r.support > 0 && r.label !== UNKNOWN_LABEL);
  const meanF1 = occurring.length ? occurring.reduce((a, r) => a + r.f1, 0) / occurring.length : null;
  return { labels, confusion, perRole, meanF1, accuracy: truth.length ? correct / truth.length : 0 };
}

/**
 * Role pairs the model mixes up, either direction, most often first: captures labelled as the other role,
 * and captures whose top two were the pair reported as siblings. A capture called Unknown labels nothing (its
 * best role is no answer given), and one whose truth the model has no role for has no role to confuse.
 */
export function confusedPairs(predictions: readonly TestPrediction[]): ConfusedPair[] {
  const pairs = new Map<string, ConfusedPair>();
  const pair = (x: string, y: string) => {
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = `${a}\u0000${b}`;
    let p = pairs.get(key);
    if (!p) {
      p = { a, b, count: 0, siblings: 0 };
      pairs.set(key, p);
    }
    return p;
  };
  for (const p of predictions) {
    // Without sessions there is no decision; a capture of an unknown type has no role to confuse.
    if (p.reason || expectedOf(p) === UNKNOWN_LABEL) continue;
    if (!p.unknown && p.predicted !== p.truth) pair(p.truth, p.predicted).count++;
    if (p.siblings) pair(p.siblings[0], p.siblings[1]).siblings++;
  }
  return [...pairs.values()].sort(
    (x, y) => y.count + y.siblings - (x.count + x.siblings) || (x.a < y.a ? -1 : x.a > y.a ? 1 : 0),
  );
}
