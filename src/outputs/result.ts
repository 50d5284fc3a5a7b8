/**
 * The result of evaluating one capture, in the original NetworkML's message shape (REFERENCE.md §7):
 * `{"data": {"<key>": DeviceResult, "pcap": "<file>"}}`, plus what our extras add (per-bin detail).
 */

/** `unknown`: the anomaly model could not score the device (the result's detail says why). */
export type Behavior = 'normal' | 'abnormal' | 'unknown';

/** What the behaviour model found (eval --anomaly behavior). */
export interface BehaviorDetail {
  /** Which normal devices the device was compared with. */
  references: string;
  bins_scored: number;
  /** The bin that decided: its index and first/last packet time (epoch s). */
  worst_bin: { index: number; start: number; end: number };
  /** Raw score of that bin: distance to its nearest normal bins plus the novelty term. */
  score: number;
  distance: number;
  novelty: number;
  /** What made it unusual, in words, most telling first. */
  reasons: string[];
  /** Service codes (src/features/behavior.ts serviceCode) the device used in this capture, for its history. */
  services: number[];
  /** Whether the device's own history was part of normal (services it never used before add to the score). */
  own_history?: boolean;
}

export interface DeviceDecisions {
  behavior: Behavior;
  investigate: boolean;
}

export interface Classification {
  /** Exactly three labels, most likely first. */
  labels: string[];
  confidences: number[];
}

export interface ValidDeviceResult {
  decisions: DeviceDecisions;
  classification: Classification;
  /** First bin's time, epoch seconds. */
  timestamp: number;
  valid: true;
  source_ip: string;
  source_mac: string;
  pcap_labels: string | null;
}

export interface InvalidDeviceResult {
  valid: false;
  pcap: string;
}

export type DeviceResult = ValidDeviceResult | InvalidDeviceResult;

/** One role-probability vector per non-empty time bin, for timelines and reports. */
export interface BinDetail {
  timestamp: number;
  capture_ip: string;
  probabilities: number[];
}

/** What `networkml eval --json` prints per capture (one JSON line). */
export interface CaptureResult {
  /** The capture's path as given. */
  file: string;
  /** Poseidon trace key, else the file name before its first '.'. */
  key: string;
  valid: boolean;
  /** The original's message body: `{ [key]: DeviceResult, pcap }`. */
  data: Record<string, DeviceResult | string>;
  /** Reader warnings (e.g. a truncated tail: everything complete was used). Printed on stderr by the CLI. */
  warnings?: string[];
  /** Our additions; absent in compat-only output. */
  detail?: {
    labels: string[];
    /** Mean probabilities over bins, in `labels` order. */
    probabilities: number[];
    bins: BinDetail[];
    abnormality: number;
    /** Why abnormality could not be scored (e.g. fewer than 6 session sequences), when it could not. */
    abnormality_note?: string;
    anomaly_model: 'lstm' | 'sos' | 'behavior' | 'none';
    /** The threshold the behaviour decision used. */
    threshold?: number;
    behavior?: BehaviorDetail;
    model: string;
  };
}
