/**
 * The messages a worker publishes, in the two shapes Poseidon has read over time:
 * - 'v0': the original NetworkML's (REFERENCE.md §7): `{id, type: 'metadata', file_path, data, results}` with
 *   `data = {<key>: DeviceResult, pcap}`, followed by an end-of-batch message whose `data` is ''.
 * - 'poseidon': one message per capture, devices keyed by MAC: `{tool: 'networkml', data: {mac_addresses}}`.
 * Error results carry `valid: false` and a one-line `error` so a consumer can tell "no usable sessions"
 * (valid: false, no error) from "could not evaluate this job". A capture corrupt part-way is a result of the
 * packets before the corrupt record, marked by a top-level `capture_error` (as eval's JSON; Poseidon reads
 * `data` only, so it files the devices as usual). A result whose configured device history (Redis) was not
 * applied is marked by a top-level `history: false` (ResultMarks), likewise outside `data`.
 */
import { basename } from 'node:path';
import { captureKey } from '../pipeline/capture-key.js';
import type { CaptureErrorDetail, CaptureResult, Classification, DeviceResult } from '../result.js';

export type ResultFormat = 'v0' | 'poseidon';
export const RESULT_FORMATS: readonly ResultFormat[] = ['v0', 'poseidon'];
/** What current Poseidon reads (`data.mac_addresses`); v0 messages are stored by Poseidon v0.10 only. */
export const DEFAULT_RESULT_FORMAT: ResultFormat = 'poseidon';

export const TOOL = 'networkml';

/** Characters of a job's id, path or error text that go into error results and log lines. */
export const CLIP_CHARS = 256;

/**
 * `text` itself when short, else its first CLIP_CHARS characters, an ellipsis and its full size in bytes. A
 * job's text comes from whoever published the job: a 70 MB path repeated in an error result (its
 * `file_path` and its `error`) exceeds the broker's message size, and repeated in every log line fills the
 * disk, so neither ever carries it whole.
 */
export function clipText(text: string, max = CLIP_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${Buffer.byteLength(text, 'utf8')} bytes)`;
}

/** The identity with its id and path clipped (clipText), for error results and log lines. */
export function clipIdentity(job: JobIdentity): JobIdentity {
  return {
    id: job.id === null ? null : clipText(job.id),
    file_path: job.file_path === null ? null : clipText(job.file_path),
  };
}

/** AMQP's message-id property is a short string: at most 255 bytes. */
export const MESSAGE_ID_BYTES = 255;

/**
 * The job's id as an AMQP message-id: itself when it fits, else its first whole characters within
 * MESSAGE_ID_BYTES. A longer one cannot be sent at all (the client refuses the publish), and the id itself
 * travels in the message body.
 */
export function amqpMessageId(id: string): string;
export function amqpMessageId(id: string | null): string | null;
export function amqpMessageId(id: string | null): string | null {
  if (id === null) return null;
  const bytes = Buffer.from(id, 'utf8');
  if (bytes.length <= MESSAGE_ID_BYTES) return id;
  let end = MESSAGE_ID_BYTES;
  // Back to the first byte of the character the cut would split (UTF-8 continuation bytes are 10xxxxxx).
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The job as far as it could be read: a malformed job may have neither. */
export interface JobIdentity {
  id: string | null;
  file_path: string | null;
}

export interface V0Message {
  id: string | null;
  type: 'metadata';
  file_path: string | null;
  data: Record<string, DeviceResult | string> | '';
  results: { tool: typeof TOOL; version: string };
  /** Ours: present only on error results. */
  valid?: false;
  error?: string;
  /** Ours: the capture is corrupt at a record, and `data` is of the packets before it (first message only). */
  capture_error?: CaptureErrorDetail;
  /** Ours (first message only): why a capture gave no usable sessions, and the reader's warnings. */
  reason?: string;
  warnings?: string[];
  /** Ours: device history is configured but was not applied (Redis unavailable; first message only). */
  history?: false;
}

export interface PoseidonDevice {
  uid: string | null;
  file_path: string | null;
  pcap: string;
  pcap_key: string;
  pcap_labels: string | null;
  timestamp: number;
  source_ip: string;
  decisions: { investigate: boolean };
  classification: Classification;
}

export interface PoseidonMessage {
  tool: typeof TOOL;
  /** Ours, for correlation: Poseidon itself keys on `data.mac_addresses`. */
  id: string | null;
  file_path: string | null;
  valid: boolean;
  error?: string;
  /** Ours: the capture is corrupt at a record, and `data` is of the packets before it. */
  capture_error?: CaptureErrorDetail;
  /** Ours: why no device could be classified (valid: false without an error), e.g. no sessions after the warm-up. */
  reason?: string;
  /** Ours: the reader's warnings (a truncated tail: the complete records were used), clipped. */
  warnings?: string[];
  /**
   * Ours: device history is configured but was not applied (Redis unavailable): `investigate` is without the
   * "last seen over a day ago" rule and nothing was recorded. Absent when it was applied.
   */
  history?: false;
  data: { mac_addresses: Record<string, PoseidonDevice> };
}

export type ResultMessage = V0Message | PoseidonMessage;

function isDevice(value: DeviceResult | string | undefined): value is DeviceResult {
  return typeof value === 'object' && value !== null;
}

/**
 * Said with a result whose device has no MAC: Poseidon files a result under the MAC of an endpoint it knows
 * (HEAD: `merge_metadata` looks each `data.mac_addresses` key up with `endpoints_by_mac`; v0.10: NetworkML's
 * Redis history, keyed by MAC, of which such a capture keeps none), so the device keyed "" is dropped without
 * a word. Neither the job nor Poseidon's capture names carry the MAC (`trace_<endpoint hash>_<time>.pcap`,
 * the hash a ripemd160 of tenant, MAC and segment): the drop can only be made visible.
 */
export const NO_MAC_WARNING =
  'no device MAC in this capture (its link type carries none: raw IP, Linux cooked, loopback): the device is keyed by source_mac "", and Poseidon, which files results by the MAC of an endpoint it knows, drops it';

/** Whether a result classified a device it has no MAC for (NO_MAC_WARNING). */
export function classifiedWithoutMac(result: CaptureResult): boolean {
  return Object.values(result.data).some((d) => isDevice(d) && d.valid && d.source_mac === '');
}

/** What a result message says about how it was made: `history: false` when the device history was skipped. */
export interface ResultMarks {
  history?: false;
}

export function resultMessages(
  format: ResultFormat,
  job: JobIdentity,
  result: CaptureResult,
  version: string,
  marks: ResultMarks = {},
): ResultMessage[] {
  const history = marks.history === false ? { history: false as const } : {};
  if (format === 'v0') {
    const results = { tool: TOOL, version } as const;
    const partial = result.capture_error ? { capture_error: result.capture_error } : {};
    const notes = resultNotes(result.valid ? undefined : result.reason, messageWarnings([result]));
    return [
      {
        id: job.id,
        type: 'metadata',
        file_path: job.file_path,
        data: result.data,
        results,
        ...partial,
        ...notes,
        ...history,
      },
      { id: job.id, type: 'metadata', file_path: job.file_path, data: '', results },
    ];
  }
  const message = hostsMessage(job, [result]);
  return [{ ...message, ...history }];
}

/**
 * One mac_addresses message for the results of one capture: the whole capture's (worker) or one per host
 * (`eval --per-host`, Poseidon HEAD's one-shot mode), devices keyed by MAC. `pcap_key` is the capture's key
 * (from its file name) whichever way the hosts were found, as in NetworkML v0.6.
 */
export function hostsMessage(job: JobIdentity, results: readonly CaptureResult[]): PoseidonMessage {
  const macAddresses: Record<string, PoseidonDevice> = {};
  let valid = false;
  for (const result of results) {
    const pcap = typeof result.data.pcap === 'string' ? result.data.pcap : basename(result.file);
    const { key } = captureKey(pcap);
    valid ||= result.valid;
    for (const device of Object.values(result.data)) {
      if (!isDevice(device) || !device.valid) continue;
      macAddresses[device.source_mac] = {
        uid: job.id,
        file_path: job.file_path,
        pcap,
        pcap_key: key,
        pcap_labels: device.pcap_labels,
        timestamp: device.timestamp,
        source_ip: device.source_ip,
        decisions: { investigate: device.decisions.investigate },
        classification: device.classification,
      };
    }
  }
  // Every result of one capture read the same bytes: one capture_error, and one set of warnings, for them all.
  const captureError = results.find((r) => r.capture_error)?.capture_error;
  const warnings = messageWarnings(results);
  const anyValid = valid && Object.keys(macAddresses).length > 0;
  const reason = anyValid ? undefined : results.find((r) => r.reason)?.reason;
  return {
    tool: TOOL,
    id: job.id,
    file_path: job.file_path,
    valid: anyValid,
    ...(captureError ? { capture_error: captureError } : {}),
    ...resultNotes(reason, warnings),
    data: { mac_addresses: macAddresses },
  };
}

/** The reader's warnings of the capture (the same for every result of it), after NO_MAC_WARNING when it applies. */
function messageWarnings(results: readonly CaptureResult[]): string[] | undefined {
  const reader = results.find((r) => r.warnings?.length)?.warnings ?? [];
  const all = results.some(classifiedWithoutMac) ? [NO_MAC_WARNING, ...reader] : reader;
  return all.length ? all : undefined;
}

/**
 * A result's `reason` (given only for a result without a device) and the reader's `warnings` as both message
 * shapes carry them: clipped, at most 10 warnings, so a message stays small whatever the capture held.
 */
function resultNotes(
  reason: string | undefined,
  warnings: readonly string[] | undefined,
): { reason?: string; warnings?: string[] } {
  return {
    ...(reason ? { reason: clipText(reason, 4 * CLIP_CHARS) } : {}),
    ...(warnings?.length ? { warnings: warnings.slice(0, 10).map((w) => clipText(w, 4 * CLIP_CHARS)) } : {}),
  };
}

/**
 * What a job that could not be evaluated gets: one message (plus the v0 end-of-batch marker). The job's
 * id and path, and the error, are clipped (clipText): the message stays small whatever the job carried.
 */
export function errorMessages(
  format: ResultFormat,
  fullJob: JobIdentity,
  fullError: string,
  version: string,
): ResultMessage[] {
  const job = clipIdentity(fullJob);
  // Room for the error's own words around the clipped text it may quote.
  const error = clipText(fullError, 4 * CLIP_CHARS);
  if (format === 'poseidon') {
    return [
      { tool: TOOL, id: job.id, file_path: job.file_path, valid: false, error, data: { mac_addresses: {} } },
    ];
  }
  const results = { tool: TOOL, version } as const;
  const data: Record<string, DeviceResult | string> = {};
  if (job.file_path !== null) {
    const pcap = basename(job.file_path);
    // The same key evaluateCapture would have used, so Poseidon files the error under the right capture.
    data[captureKey(pcap).key] = { valid: false, pcap };
    data.pcap = pcap;
  }
  return [
    { id: job.id, type: 'metadata', file_path: job.file_path, data, results, valid: false, error },
    { id: job.id, type: 'metadata', file_path: job.file_path, data: '', results },
  ];
}
