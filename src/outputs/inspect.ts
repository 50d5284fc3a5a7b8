import { basename } from 'node:path';
import { compatFeatureName } from '../features/compat.js';
import type { CaptureAnalysis } from '../pipeline/analyze.js';

/** `networkml inspect --json`: the keys and shapes of the reference outputs (NetworkML v0.4.8 run). */
export interface InspectRecord {
  pcap: string;
  valid: boolean;
  bins: number[];
  capture_mac: string | null;
  features: { nonzero: Record<string, number>; capture_ip: string | null; other_ips: string[] }[];
  timestamps: number[];
  /** All labels with probabilities, most likely first (when a role model is given). */
  predictions?: [string, number][];
  abnormality?: number;
  sos_sequences?: number;
  sos_error?: string;
}

export function nonzeroFeatures(vector: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) out[i] = vector[i]!;
  return out;
}

export function inspectRecord(analysis: CaptureAnalysis): InspectRecord {
  const { compat } = analysis;
  return {
    pcap: basename(analysis.source),
    valid: compat.bins.length > 0,
    bins: analysis.sessionsPerBin,
    capture_mac: compat.captureMac,
    features: compat.bins.map((b) => ({
      nonzero: nonzeroFeatures(b.vector),
      capture_ip: b.captureIp,
      other_ips: b.otherIps,
    })),
    timestamps: compat.bins.map((b) => b.timestamp),
  };
}

/** A readable summary: bins, sessions, capture source, and each bin's largest features by name. */
export function inspectText(analysis: CaptureAnalysis, record: InspectRecord, topFeatures = 8): string {
  const lines: string[] = [];
  const { summary, compat } = analysis;
  const sessions = analysis.sessionsPerBin.reduce((a, b) => a + b, 0);
  lines.push(`${analysis.source}`);
  lines.push(
    `  ${summary.packets} packets (${analysis.store.length} IP, ${analysis.store.duplicates} repeats dropped), ` +
      `${sessions} sessions in ${analysis.sessionsPerBin.length} bins of ${analysis.options.durationS} s ` +
      `(warm-up ${analysis.options.warmupS} s)`,
  );
  lines.push(`  capture source: ${compat.captureMac ?? 'none (no session with a private address)'}`);
  if (!record.valid) lines.push('  no usable sessions: the capture cannot be classified (valid: false)');
  if (record.predictions) {
    const top = record.predictions
      .slice(0, 3)
      .map(([label, p]) => `${label} ${(p * 100).toFixed(1)}%`)
      .join(', ');
    lines.push(`  roles: ${top}`);
  }
  if (record.abnormality !== undefined) {
    lines.push(
      `  abnormality: ${record.abnormality.toFixed(4)}${record.sos_error ? ` (${record.sos_error})` : ''}`,
    );
  }
  compat.bins.forEach((bin) => {
    const when = new Date(bin.timestamp * 1000).toISOString();
    lines.push(
      `  bin ${bin.bin} (${analysis.sessionsPerBin[bin.bin]} sessions, ${when}) ip ${bin.captureIp ?? '-'}` +
        (bin.otherIps.length ? `, peers ${bin.otherIps.join(' ')}` : ''),
    );
    const ranked = [...bin.vector.keys()]
      .filter((i) => bin.vector[i] !== 0)
      .sort((a, b) => bin.vector[b]! - bin.vector[a]!);
    for (const i of ranked.slice(0, topFeatures)) {
      lines.push(`      ${compatFeatureName(i)}: ${bin.vector[i]!.toFixed(2)}`);
    }
    if (ranked.length > topFeatures)
      lines.push(`      … ${ranked.length - topFeatures} more non-zero features`);
  });
  return lines.join('\n');
}
