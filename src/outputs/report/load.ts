import { NetworkmlError } from '../../errors.js';
import type { CaptureResult } from '../../result.js';
import { captureResultSchema } from '../../result.js';
import { firstIssue, looksLikeTestReport, testReportSchema } from './schema.js';
import type { NamedTestReport } from './types.js';

export interface LoadedResults {
  captures: CaptureResult[];
  tests: NamedTestReport[];
}

/** JSON values in a results text: a JSON array, one (possibly pretty-printed) value, or JSON lines. */
function values(text: string, name: string): { value: unknown; where: string }[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new NetworkmlError(`${name}: no results in this file`);
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) return whole.map((value, i) => ({ value, where: `${name}: item ${i + 1}` }));
    return [{ value: whole, where: name }];
  } catch {
    // Not one JSON value: JSON lines, each line on its own.
  }
  const out: { value: unknown; where: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${name}:${i + 1}`;
    try {
      out.push({ value: JSON.parse(line), where });
    } catch {
      throw new NetworkmlError(`${where}: not JSON (expected eval --json lines or a test report)`);
    }
  }
  return out;
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

/**
 * Parses and validates a results file's text: capture results (what `eval --json` prints) and test reports,
 * told apart by shape. `name` prefixes error messages and names test reports.
 */
export function parseResults(text: string, name: string): LoadedResults {
  const loaded: LoadedResults = { captures: [], tests: [] };
  const items = values(text, name);
  for (const { value, where } of items) {
    if (isBatchEnd(value)) continue;
    if (looksLikeTestReport(value)) {
      const parsed = testReportSchema.safeParse(value);
      if (!parsed.success)
        throw new NetworkmlError(`${where}: not a valid test report (${firstIssue(parsed.error)})`);
      const n = loaded.tests.length;
      loaded.tests.push({
        name: n === 0 && items.length === 1 ? name : `${name} #${n + 1}`,
        report: parsed.data,
      });
      continue;
    }
    const parsed = captureResultSchema.safeParse(value);
    if (!parsed.success) {
      throw new NetworkmlError(`${where}: not a capture result or test report (${firstIssue(parsed.error)})`);
    }
    loaded.captures.push(parsed.data);
  }
  return loaded;
}
