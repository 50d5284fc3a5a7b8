import { captureKey } from '../pipeline/capture-key.js';
import type { CaptureResult, ValidDeviceResult } from '../result.js';

function pct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** The device record of a valid result. */
export function deviceOf(result: CaptureResult): ValidDeviceResult | null {
  const device = result.data[result.key];
  return device && typeof device === 'object' && device.valid ? device : null;
}

/**
 * The line that says a result is of the packets before a corrupt record (result.capture_error), for the
 * readable outputs; the error itself goes to stderr.
 */
export function partialLine(result: Pick<CaptureResult, 'capture_error'>): string | null {
  const e = result.capture_error;
  return e ? `only the packets before a corrupt record at byte offset ${e.offset} were read` : null;
}

/** A readable block per capture for `networkml eval`. */
export function evalText(result: CaptureResult): string {
  const device = deviceOf(result);
  const partial = partialLine(result);
  if (!device)
    return `${result.file}\n  ${partial ? `partial     ${partial}\n  ` : ''}${result.reason ?? 'not enough sessions to classify'} (valid: false)`;
  const roles = device.classification.labels.map(
    (l, i) => `${l} ${pct(device.classification.confidences[i]!)}`,
  );
  const lines = [
    `${result.file}`,
    ...(partial ? [`  partial     ${partial}`] : []),
    `  device      ${device.source_mac || '-'}  ${device.source_ip || '-'}  (key ${result.key})`,
    `  roles       ${roles.join(' | ')}`,
  ];
  const siblings = result.detail?.siblings;
  if (siblings) lines.push(`  siblings    ${siblings[0]} ≈ ${siblings[1]} (too close to tell apart)`);
  const abnormality = result.detail?.abnormality;
  const note = result.detail?.abnormality_note;
  lines.push(
    `  behaviour   ${device.decisions.behavior}` +
      (abnormality !== undefined && result.detail?.anomaly_model !== 'none'
        ? ` (abnormality ${abnormality.toFixed(3)}${note ? `; ${note}` : ''})`
        : ''),
  );
  const behavior = result.detail?.behavior;
  if (behavior) {
    const w = behavior.worst_bin;
    lines.push(
      `  worst bin   ${w.index} (${new Date(w.start * 1000).toISOString()} – ${new Date(w.end * 1000).toISOString()}), ${behavior.bins_scored} bins scored, threshold ${result.detail?.threshold?.toFixed(3) ?? '-'}`,
    );
    for (const reason of behavior.reasons) lines.push(`    - ${reason}`);
  }
  lines.push(`  investigate ${device.decisions.investigate ? 'yes' : 'no'}`);
  lines.push(
    `  first bin   ${new Date(device.timestamp * 1000).toISOString()}  (${result.detail?.bins.length ?? '?'} bins)`,
  );
  return lines.join('\n');
}

/** Rows of cells as aligned columns (the last column is not padded). */
export function alignColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `networkml eval`'s default: one row per capture (or host). CAPTURE names the capture a row came from (its
 * key), also for `--per-host`, whose results are keyed by the host's MAC: rows of two captures given together
 * would otherwise not say which is which.
 */
export function evalTable(results: CaptureResult[]): string {
  const rows: string[][] = [
    ['CAPTURE', 'MAC', 'IP', 'ROLES (TOP 3)', 'BEHAVIOUR', 'INVESTIGATE', 'FIRST BIN (UTC)'],
  ];
  for (const result of results) {
    const device = deviceOf(result);
    const key = captureKey(result.file).key;
    // A result of the packets before a corrupt record (the error is on stderr).
    const capture = `${key}${result.capture_error ? ' (partial)' : ''}`;
    if (!device) {
      rows.push([
        capture,
        // A host of --per-host without sessions: its key is its MAC.
        result.key === key ? '-' : result.key,
        '-',
        `${result.reason ?? 'not enough sessions'} (valid: false)`,
        '-',
        '-',
        '-',
      ]);
      continue;
    }
    const roles = device.classification.labels.map(
      (l, i) => `${l} ${pct(device.classification.confidences[i]!)}`,
    );
    const abnormality = result.detail?.abnormality;
    const scored = result.detail && result.detail.anomaly_model !== 'none' && !result.detail.abnormality_note;
    rows.push([
      capture,
      device.source_mac || '-',
      device.source_ip || '-',
      roles.join(', ') +
        (result.detail?.siblings ? ` (siblings: ${result.detail.siblings.join(' ≈ ')})` : ''),
      `${device.decisions.behavior}${scored && abnormality !== undefined ? ` (${abnormalityText(abnormality, result.detail?.threshold)})` : ''}`,
      device.decisions.investigate ? 'yes' : 'no',
      new Date(device.timestamp * 1000).toISOString().slice(0, 16).replace('T', ' '),
    ]);
  }
  return alignColumns(rows);
}

/**
 * Abnormality to two decimals, or to as many more (up to 6) as it takes to differ from the threshold the
 * decision used: "abnormal (0.99)" against a threshold of 0.99 read as a tie (it was 0.993).
 */
export function abnormalityText(abnormality: number, threshold: number | undefined): string {
  if (threshold === undefined) return abnormality.toFixed(2);
  for (let digits = 2; digits < 6; digits++)
    if (abnormality.toFixed(digits) !== threshold.toFixed(digits)) return abnormality.toFixed(digits);
  return abnormality.toFixed(6);
}
