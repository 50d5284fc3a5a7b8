import { z } from 'zod';
import { finite } from '../../result.js';
import type { TestMetrics, TestReport } from './types.js';

const probability = finite.min(0).max(1);

const metricsShape = {
  labels: z.array(z.string()).min(1),
  confusion: z.array(z.array(finite.min(0))),
  perRole: z.array(
    z.object({
      label: z.string(),
      precision: probability,
      recall: probability,
      f1: probability,
      support: finite.min(0),
    }),
  ),
  meanF1: probability.nullable(),
  accuracy: probability,
};

function square(m: TestMetrics): boolean {
  return m.confusion.length === m.labels.length && m.confusion.every((row) => row.length === m.labels.length);
}

const squareMessage = 'confusion must be labels × labels';
const testMetrics = z.object(metricsShape).refine(square, squareMessage);

export const testReportSchema: z.ZodType<TestReport> = z
  .object({
    ...metricsShape,
    forcing: testMetrics.optional(),
    model: z.string().optional(),
    captures: finite.optional(),
    meanF1Definition: z.string().optional(),
    predictions: z
      .array(
        z.object({
          file: z.string(),
          truth: z.string(),
          expected: z.string().optional(),
          predicted: z.string(),
          confidence: probability,
          unknown: z.boolean(),
          forced: z.string(),
          siblings: z.tuple([z.string(), z.string()]).nullable(),
          reason: z.string().optional(),
        }),
      )
      .optional(),
    confusedPairs: z
      .array(z.object({ a: z.string(), b: z.string(), count: finite.min(0), siblings: finite.min(0) }))
      .optional(),
  })
  .refine(square, squareMessage);

/** A results value by shape: test reports carry a confusion matrix, capture results a key and data. */
export function looksLikeTestReport(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'confusion' in value && 'perRole' in value;
}

/** The first problem zod found, as `path: message`, for one-line errors. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
