/**
 * `eval --model host-footprint-v0.6.8 --json` results (the v0.6.8 predict.json shape, pipeline/host-footprint.ts)
 * as the report's capture results: one per host. The model judges roles from the whole capture, so a host
 * has no time bins and no behaviour; it is shown as not scored, with why.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { type CaptureResult, captureErrorSchema, finite } from '../../result.js';

const hostSchema = z.object({
  pcap: z.string(),
  pcap_key: z.string(),
  pcap_labels: z.string().nullable(),
  timestamp: finite,
  /** Null for a host seen sending no IP packet (--no-srcmacid). */
  source_ip: z.string().nullable(),
  decisions: z.object({ investigate: z.boolean() }),
  classification: z.object({ labels: z.array(z.string()), confidences: z.array(finite) }),
});

export const hostFootprintResultSchema = z.object({
  file: z.string(),
  valid: z.boolean(),
  tool: z.literal('networkml'),
  data: z.object({ mac_addresses: z.record(z.string(), hostSchema) }),
  note: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  capture_error: captureErrorSchema.optional(),
  detail: z.object({
    model: z.string(),
    labels: z.array(z.string()),
    hosts: z.record(z.string(), z.object({ probabilities: z.array(finite) })),
  }),
});

export type HostFootprintResult = z.infer<typeof hostFootprintResultSchema>;

/** Whether a value has the host-footprint result's shape (its predict.json body), valid or not. */
export function looksLikeHostFootprintResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const data = (value as { data?: unknown }).data;
  return typeof data === 'object' && data !== null && 'mac_addresses' in data && !('key' in value);
}

export const HOST_FOOTPRINT_NOT_SCORED =
  'host-footprint model: it names roles from the whole capture; it has no time bins and no behaviour model';

/** One capture result per host; a result without hosts is one invalid capture result (with the note why). */
export function hostFootprintCaptureResults(r: HostFootprintResult): CaptureResult[] {
  const hosts = Object.entries(r.data.mac_addresses);
  const fileKey = basename(r.file).split('.')[0] ?? r.file;
  if (hosts.length === 0) {
    return [
      {
        file: r.file,
        key: fileKey,
        valid: false,
        data: { [fileKey]: { valid: false, pcap: basename(r.file) }, pcap: basename(r.file) },
        reason: r.note ?? 'no host to classify',
        ...(r.warnings ? { warnings: r.warnings } : {}),
        ...(r.capture_error ? { capture_error: r.capture_error } : {}),
      },
    ];
  }
  return hosts.map(([mac, host]) => {
    // One host: the capture's key, as eval's other models give; several (--no-srcmacid): each its MAC, as --per-host.
    const key = hosts.length === 1 ? host.pcap_key : mac;
    const probabilities = r.detail.hosts[mac]?.probabilities ?? [];
    return {
      file: r.file,
      key,
      valid: true,
      data: {
        [key]: {
          decisions: { behavior: 'unknown', investigate: host.decisions.investigate },
          classification: host.classification,
          timestamp: host.timestamp,
          valid: true,
          source_ip: host.source_ip ?? '',
          source_mac: mac,
          pcap_labels: host.pcap_labels,
        },
        pcap: host.pcap,
      },
      ...(r.warnings ? { warnings: r.warnings } : {}),
      ...(r.capture_error ? { capture_error: r.capture_error } : {}),
      ...(probabilities.length === r.detail.labels.length
        ? {
            detail: {
              labels: r.detail.labels,
              probabilities,
              bins: [],
              abnormality: 0,
              abnormality_note: HOST_FOOTPRINT_NOT_SCORED,
              anomaly_model: 'none' as const,
              model: r.detail.model,
            },
          }
        : {}),
    };
  });
}
