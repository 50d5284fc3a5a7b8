import type { RoleScore, TestMetrics } from '../outputs/report/types.js';

/**
 * Precision, recall and F1 per role from (truth, prediction) pairs, the confusion matrix (rows truth,
 * columns predicted) and accuracy. F1 = 2PR / (P + R), 0 when both are 0; mean F1 is over the roles that
 * occur as truth or prediction.
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
  const occurring = perRole.filter((r, k) => r.support > 0 || confusion.some((row) => row[k]! > 0));
  const meanF1 = occurring.length ? occurring.reduce((a, r) => a + r.f1, 0) / occurring.length : 0;
  return { labels, confusion, perRole, meanF1, accuracy: truth.length ? correct / truth.length : 0 };
}
