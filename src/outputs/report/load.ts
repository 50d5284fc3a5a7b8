import { NetworkmlError } from '../../errors.js';
import { MODEL_FORMAT } from '../../models/format.js';
import type { CaptureResult } from '../../result.js';
import { captureResultSchema } from '../../result.js';
import {
  hostFootprintCaptureResults,
  hostFootprintResultSchema,
  looksLikeHostFootprintResult,
} from './host-footprint-results.js';
import { firstIssue, looksLikeTestReport, testReportSchema } from './schema.js';
import type { NamedTestReport } from './types.js';

export interface LoadedResults {
  captures: CaptureResult[];
  tests: NamedTestReport[];
}

interface Item {
  where: string;
  value?: unknown;
  /** Why the item is unusable (its line is not JSON). */
  error?: string;
}

/**
 * JSON values in a results text: a JSON array, one (possibly pretty-printed) value, or JSON lines. `lines` says
 * which: lines are independent results, so one bad line need not cost the others.
 */
function values(text: string, name: string): { items: Item[]; lines: boolean } {
  const trimmed = text.trim();
  if (trimmed === '') throw new NetworkmlError(`${name}: no results in this file`);
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole))
      return { items: whole.map((value, i) => ({ value, where: `${name}: item ${i + 1}` })), lines: false };
    return { items: [{ value: whole, where: name }], lines: false };
  } catch {
    // Not one JSON value: JSON lines, each line on its own.
  }
  const items: Item[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${name}:${i + 1}`;
    try {
      items.push({ value: JSON.parse(line), where });
    } catch {
      items.push({ where, error: 'not JSON (expected eval --json lines or a test report)' });
    }
  }
  return { items, lines: true };
}

/** `{"data": ""}`: the original's end-of-batch message, which carries no result. */
function isBatchEnd(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    'data' in value &&
    value.data === ''
  );
}

/** Results from a file, and the one line saying which of its JSON lines were left out, if any were. */
export interface ParsedResults extends LoadedResults {
  skipped?: string;
}

/**
 * Parses and validates a results file's text: capture results (what `eval --json` prints; the host-footprint
 * model's, one per host, host-footprint-results.ts) and test reports, told apart by shape. `name` prefixes error messages and names test reports. A JSON value, or a JSON array,
 * that is not all valid is an error; in JSON lines (an eval cut short leaves its last line incomplete) bad
 * lines are left out and named in `skipped`, unless no line is usable.
 */
export function parseResults(text: string, name: string): ParsedResults {
  const loaded: ParsedResults = { captures: [], tests: [] };
  const { items, lines } = values(text, name);
  const bad: { where: string; error: string }[] = [];
  for (const item of items) {
    const error = item.error ?? addResult(loaded, item, name, items.length);
    if (error === undefined) continue;
    if (!lines) throw new NetworkmlError(`${item.where}: ${error}`);
    bad.push({ where: item.where, error });
  }
  const first = bad[0];
  if (!first) return loaded;
  const message = `${first.where}: ${first.error}`;
  const used = items.length - bad.length;
  if (used === 0) throw new NetworkmlError(message);
  const which = bad.length === 1 ? 'line skipped' : `${bad.length} lines skipped (the first here)`;
  loaded.skipped = `${message}; ${which}, the file's ${used} other line${used === 1 ? '' : 's'} used`;
  return loaded;
}

/** A line of `watch --json`: a host's roles when one of its bins closed, which a report has no place for. */
function looksLikeWatchUpdate(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'binEnd' in value && 'runningRoles' in value;
}

/** A model file (`train --save`, the bundled ones): { format: 'networkml-model', kind, … }. */
function looksLikeModel(value: unknown): value is { kind: unknown } {
  return typeof value === 'object' && value !== null && 'format' in value && value.format === MODEL_FORMAT;
}

/** Adds one value to `loaded`; returns why it cannot be used, if it cannot. */
function addResult(loaded: LoadedResults, item: Item, name: string, count: number): string | undefined {
  const value = item.value;
  if (isBatchEnd(value)) return undefined;
  if (looksLikeTestReport(value)) {
    const parsed = testReportSchema.safeParse(value);
    if (!parsed.success) return `not a valid test report (${firstIssue(parsed.error)})`;
    const n = loaded.tests.length;
    loaded.tests.push({ name: n === 0 && count === 1 ? name : `${name} #${n + 1}`, report: parsed.data });
    return undefined;
  }
  if (looksLikeHostFootprintResult(value)) {
    const parsed = hostFootprintResultSchema.safeParse(value);
    if (!parsed.success) return `not a valid host-footprint result (${firstIssue(parsed.error)})`;
    loaded.captures.push(...hostFootprintCaptureResults(parsed.data));
    return undefined;
  }
  if (looksLikeModel(value))
    return `a networkml model file (${String(value.kind).slice(0, 40)}), not results: give a role model with --model, a behaviour or other anomaly model with --anomaly-model, and captures or eval --json results as inputs`;
  if (looksLikeWatchUpdate(value))
    return 'a watch --json update (one host, one bin), not a capture result: report reads eval --json results and test --json reports; run eval --json on the capture';
  const parsed = captureResultSchema.safeParse(value);
  if (!parsed.success) {
    // JSON of another kind altogether: what it lacks says more than the schema's first complaint.
    const ours =
      typeof value === 'object' && value !== null && ['file', 'key', 'data'].some((k) => k in value);
    return ours
      ? `not a capture result or test report (${firstIssue(parsed.error)})`
      : 'not a capture result (eval --json) or test report (test --json): it has none of their fields ("file", "key", "data")';
  }
  loaded.captures.push(parsed.data);
  return undefined;
}
