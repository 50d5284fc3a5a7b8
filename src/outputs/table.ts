import type { CaptureResult, ValidDeviceResult } from './result.js';

function pct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** The device record of a valid result. */
export function deviceOf(result: CaptureResult): ValidDeviceResult | null {
  const device = result.data[result.key];
  return device && typeof device === 'object' && device.valid ? device : null;
}

/** A readable block per capture for `networkml eval`. */
export function evalText(result: CaptureResult): string {
  const device = deviceOf(result);
  if (!device) return `${result.file}\n  not enough sessions to classify (valid: false)`;
  const roles = device.classification.labels.map(
    (l, i) => `${l} ${pct(device.classification.confidences[i]!)}`,
  );
  const lines = [
    `${result.file}`,
    `  device      ${device.source_mac || '-'}  ${device.source_ip || '-'}  (key ${result.key})`,
    `  roles       ${roles.join(' | ')}`,
  ];
  const abnormality = result.detail?.abnormality;
  const note = result.detail?.abnormality_note;
  lines.push(
    `  behaviour   ${device.decisions.behavior}` +
      (abnormality !== undefined && result.detail?.anomaly_model !== 'none'
        ? ` (abnormality ${abnormality.toFixed(3)}${note ? `; ${note}` : ''})`
        : ''),
  );
  lines.push(`  investigate ${device.decisions.investigate ? 'yes' : 'no'}`);
  lines.push(
    `  first bin   ${new Date(device.timestamp * 1000).toISOString()}  (${result.detail?.bins.length ?? '?'} bins)`,
  );
  return lines.join('\n');
}
