import { basename } from 'node:path';
import { linkTypeName } from '../capture/info.js';
import { framesStartWithMacs, LinkType } from '../capture/packet.js';
import type { CaptureSummary } from '../capture/reader-api.js';
import { COMPAT_FEATURE_COUNT, type CompatFeatures, compatFeatureName } from '../features/compat.js';
import { V2_OWN_COUNT, V2_PORT_OFFSET, v2FeatureNames } from '../features/v2/names.js';
import type { V2Result } from '../features/v2/result.js';
import type { CaptureErrorDetail } from '../result.js';
import type { BinOptions } from '../sessions/bins.js';
import { noSessionsReason } from './no-sessions.js';
import { partialLine } from './table.js';

/** What inspecting needs of one analysed capture (pipeline/analyze's CaptureAnalysis has it). */
export interface InspectInput {
  source: string;
  summary: CaptureSummary;
  ipPackets: number;
  duplicates: number;
  sessionsPerBin: number[];
  compat: CompatFeatures;
  v2: V2Result | null;
  options: BinOptions;
  /** Where the capture is corrupt, when it was read only up to a corrupt record (AnalyzeOptions.partialOnCorrupt). */
  corrupt?: { offset: number; message: string };
}

/** `networkml inspect --json`: the keys and shapes of the reference outputs (NetworkML v0.4.8 run). */
export interface InspectRecord {
  pcap: string;
  valid: boolean;
  bins: number[];
  capture_mac: string | null;
  /**
   * false when the capture's frames do not begin with MACs (raw IP, loopback, SLL): capture_mac is then the
   * first 12 frame bytes' slice the features use (as the original's), not the device's address. Absent otherwise.
   */
  capture_mac_is_address?: false;
  features: { nonzero: Record<string, number>; capture_ip: string | null; other_ips: string[] }[];
  timestamps: number[];
  /** All labels with probabilities, most likely first (when a role model is given). */
  predictions?: [string, number][];
  abnormality?: number;
  sos_sequences?: number;
  sos_error?: string;
  /** Reader warnings (a truncated tail, skipped link types), also printed on stderr. */
  warnings?: string[];
  /** The capture is corrupt at a record: this is of the packets before it (as eval's; the error is on stderr). */
  capture_error?: CaptureErrorDetail;
  /**
   * With `--features v2`: every host's named header features and per-port (`port.*`) features per bin, the
   * non-zero ones (the compat block is in `features`).
   */
  v2?: {
    hosts: { key: string; kind: string; packets_sent: number; private_sent: number }[];
    device: number;
    bins: { bin: number; host: number; start: number; end: number; features: Record<string, number> }[];
  };
}

function v2Section(v2: V2Result): NonNullable<InspectRecord['v2']> {
  const names = v2FeatureNames();
  return {
    hosts: v2.hosts.map((h) => ({
      key: h.key,
      kind: h.kind,
      packets_sent: h.packetsSent,
      private_sent: h.privateSent,
    })),
    device: v2.device,
    bins: v2.bins.map((b) => {
      const features: Record<string, number> = {};
      // Header features then the per-port block; in the vector's names the compat block lies between them.
      const stored = b.stored;
      for (let i = 0; i < stored.length; i++) {
        const name = names[i < V2_OWN_COUNT ? i : V2_PORT_OFFSET + i - V2_OWN_COUNT]!;
        if (stored[i] !== 0) features[name] = stored[i]!;
      }
      return { bin: b.bin, host: b.host, start: b.start, end: b.end, features };
    }),
  };
}

export function nonzeroFeatures(vector: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) out[i] = vector[i]!;
  return out;
}

export function inspectRecord(analysis: InspectInput): InspectRecord {
  const { compat } = analysis;
  // Every bin read through one buffer: a fresh 4,104-value array per bin grew memory with the bins.
  const vector = new Float64Array(COMPAT_FEATURE_COUNT);
  return {
    pcap: basename(analysis.source),
    valid: compat.bins.length > 0,
    bins: analysis.sessionsPerBin,
    capture_mac: compat.captureMac,
    ...(compat.captureMac !== null && !framesStartWithMacs(analysis.summary.linkTypes)
      ? { capture_mac_is_address: false as const }
      : {}),
    features: compat.bins.map((b) => {
      b.writeVector(vector);
      return { nonzero: nonzeroFeatures(vector), capture_ip: b.captureIp, other_ips: b.otherIps };
    }),
    timestamps: compat.bins.map((b) => b.timestamp),
    ...(analysis.summary.warnings.length
      ? { warnings: analysis.summary.warnings.map((w) => w.message) }
      : {}),
    ...(analysis.corrupt ? { capture_error: { kind: 'corrupt' as const, ...analysis.corrupt } } : {}),
    ...(analysis.v2 ? { v2: v2Section(analysis.v2) } : {}),
  };
}

/** A readable summary: bins, sessions, capture source, and each bin's largest features by name. */
export function inspectText(analysis: InspectInput, record: InspectRecord, topFeatures = 8): string {
  const lines: string[] = [];
  const { summary, compat } = analysis;
  const sessions = analysis.sessionsPerBin.reduce((a, b) => a + b, 0);
  lines.push(`${analysis.source}`);
  const partial = partialLine(record);
  if (partial) lines.push(`  partial: ${partial}`);
  lines.push(
    `  ${counted(summary.packets, 'packet')} (${analysis.ipPackets} IP, ${analysis.duplicates} repeats dropped), ` +
      `${counted(sessions, 'session')} in ${counted(analysis.sessionsPerBin.length, 'bin')} of ${analysis.options.durationS} s ` +
      `(warm-up ${analysis.options.warmupS} s)`,
  );
  // Without any session the reason is eval's (the warm-up, most often), not the addresses'.
  const noSource =
    sessions === 0 ? `none: ${noSessionsReason(analysis)}` : 'none (no session with a private address)';
  const notAddress =
    record.capture_mac_is_address === false
      ? ` (not an address: the features read the first 12 bytes of ${linkTypesText(summary.linkTypes)} frames as MACs, as the original did)`
      : '';
  lines.push(`  capture source: ${compat.captureMac ?? noSource}${notAddress}`);
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
    const vector = bin.vector;
    const ranked = [...vector.keys()].filter((i) => vector[i] !== 0).sort((a, b) => vector[b]! - vector[a]!);
    for (const i of ranked.slice(0, topFeatures)) {
      lines.push(`      ${compatFeatureName(i)}: ${vector[i]!.toFixed(2)}`);
    }
    if (ranked.length > topFeatures)
      lines.push(`      … ${ranked.length - topFeatures} more non-zero features`);
  });
  if (record.v2) {
    const { v2 } = record;
    const device = v2.hosts[v2.device];
    lines.push(
      `  v2 hosts: ${v2.hosts.map((h) => h.key).join(' ') || 'none'}; device ${device?.key ?? 'none'}`,
    );
    for (const b of v2.bins.filter((x) => x.host === v2.device)) {
      lines.push(`  v2 bin ${b.bin} of ${device!.key}:`);
      const entries = Object.entries(b.features).map(([k, v]) => `${k}=${Number(v.toPrecision(3))}`);
      for (let i = 0; i < entries.length; i += 4) lines.push(`      ${entries.slice(i, i + 4).join('  ')}`);
    }
  }
  return lines.join('\n');
}

/** The capture's link types other than Ethernet, by name ("raw IP", "Linux cooked (SLL)"). */
function linkTypesText(linkTypes: readonly number[]): string {
  return [...new Set(linkTypes.filter((t) => t !== LinkType.ETHERNET))].map(linkTypeName).join(' and ');
}

/** "1 bin", "2 bins". */
function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
