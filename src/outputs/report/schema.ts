import { z } from 'zod';
import type { CaptureResult } from '../result.js';
import type { TestMetrics, TestReport } from './types.js';

const finite = z.number().finite();
const probability = finite.min(0).max(1);

const validDevice = z.object({
  decisions: z.object({ behavior: z.enum(['normal', 'abnormal', 'unknown']), investigate: z.boolean() }),
  classification: z.object({ labels: z.array(z.string()), confidences: z.array(finite) }),
  timestamp: finite,
  valid: z.literal(true),
  source_ip: z.string(),
  source_mac: z.string(),
  pcap_labels: z.string().nullable(),
});

const invalidDevice = z.object({ valid: z.literal(false), pcap: z.string() });

export const captureResultSchema: z.ZodType<CaptureResult> = z.object({
  file: z.string(),
  key: z.string(),
  valid: z.boolean(),
  data: z.record(z.string(), z.union([z.string(), validDevice, invalidDevice])),
  detail: z
    .object({
      labels: z.array(z.string()),
      probabilities: z.array(finite),
      bins: z.array(z.object({ timestamp: finite, capture_ip: z.string(), probabilities: z.array(finite) })),
      abnormality: finite,
      abnormality_note: z.string().optional(),
      anomaly_model: z.enum(['lstm', 'sos', 'behavior', 'none']),
      threshold: finite.optional(),
      behavior: z
        .object({
          references: z.string(),
          bins_scored: z.number().int(),
          worst_bin: z.object({ index: z.number().int(), start: finite, end: finite }),
          score: finite,
          distance: finite,
          novelty: finite,
          reasons: z.array(z.string()),
          services: z.array(z.number().int()),
          own_history: z.boolean().optional(),
        })
        .optional(),
      model: z.string(),
    })
    .refine((d) => d.probabilities.length === d.labels.length, 'detail.probabilities must match labels')
    .refine(
      (d) => d.bins.every((b) => b.probabilities.length === d.labels.length),
      'every bin needs one probability per label',
    )
    .optional(),
});

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
  meanF1: probability,
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
