import type { CaptureResult } from '../../result.js';

/** One role's scores in a `test` run. */
export interface RoleScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Bins whose true label is this one. */
  support: number;
}

/** Scores of one way of deciding (with Unknown kept, or forced to the second label). */
export interface TestMetrics {
  /** Row and column order of `confusion`. */
  labels: string[];
  /** `confusion[truth][predicted]` = number of bins; square, `labels.length` on each side. */
  confusion: number[][];
  perRole: RoleScore[];
  meanF1: number;
  accuracy: number;
}

/**
 * What `networkml test --json` writes: per-bin top-label scores "with unknowns" (the top-level metrics),
 * and optionally "forcing decisions" (Unknown replaced by the second label), as the reference reports both.
 */
export interface TestReport extends TestMetrics {
  forcing?: TestMetrics;
  /** Model file or name the scores belong to. */
  model?: string;
  /** Number of captures tested, when known. */
  captures?: number;
}

export interface NamedTestReport {
  /** Where it came from (a file name), shown as its heading. */
  name: string;
  report: TestReport;
}

export interface ReportInput {
  title?: string;
  /** Shown in the header; omitted when absent so renders are reproducible. */
  generatedAt?: Date;
  captures: CaptureResult[];
  tests: NamedTestReport[];
}
