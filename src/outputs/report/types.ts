import type { CaptureResult } from '../../result.js';

/** One capture of a `test` run: what it is, what the model said. */
export interface TestPrediction {
  file: string;
  /** The label the capture's file name (or --labels) gives. */
  truth: string;
  /**
   * The answer that counts as right: the truth, or Unknown when the truth is not one of the model's roles
   * (a type it was never trained on, or a capture labelled Unknown). Absent in reports written before it:
   * the truth then.
   */
  expected?: string;
  /** The label reported: a role, "Unknown", or "(no sessions)". */
  predicted: string;
  /** Confidence of `predicted` (0 without sessions). */
  confidence: number;
  /** Called Unknown (by the model's threshold or its own Unknown label). */
  unknown: boolean;
  /** The best role other than Unknown: the forced decision. */
  forced: string;
  /** The top two roles when the model cannot tell them apart (within its sibling margin). */
  siblings: [string, string] | null;
  /** Why there is no prediction (e.g. no sessions after the warm-up). */
  reason?: string;
}

/** The answer that counts as right for a prediction: `expected`, or in reports written before it the truth. */
export function expectedOf(p: Pick<TestPrediction, 'expected' | 'truth'>): string {
  return p.expected ?? p.truth;
}

/** Two roles confused in a `test` run, in either direction. */
export interface ConfusedPair {
  a: string;
  b: string;
  /** Captures of one labelled as the other (a capture called Unknown labels nothing). */
  count: number;
  /** Captures whose top two were these roles, reported as siblings. */
  siblings: number;
}

/** One role's scores in a `test` run. */
export interface RoleScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Captures whose true label is this one. */
  support: number;
}

/** Scores of one way of deciding (with Unknown kept, or forced to the second label). */
export interface TestMetrics {
  /** Row and column order of `confusion`. */
  labels: string[];
  /** `confusion[truth][predicted]` = number of captures; square, `labels.length` on each side. */
  confusion: number[][];
  perRole: RoleScore[];
  /**
   * Unweighted mean of F1 over the roles that occur as truth (support > 0); see MEAN_F1_DEFINITION. Null
   * when no test capture is of a role the model knows (nothing to average).
   */
  meanF1: number | null;
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
  /** What `meanF1` averages over, in words. */
  meanF1Definition?: string;
  /** Every capture's truth and prediction. */
  predictions?: TestPrediction[];
  /** Role pairs the model mixed up, most often first. */
  confusedPairs?: ConfusedPair[];
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
  /** Inputs left out, each as its one-line error. */
  skipped?: string[];
}
