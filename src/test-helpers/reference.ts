import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One line of test-data/reference/networkml-v0.4.8.jsonl: what NetworkML v0.4.8 output for a capture. */
export interface ReferenceRecord {
  pcap: string;
  valid: boolean;
  bins: number[];
  capture_mac: string | null;
  features: { nonzero: Record<string, number>; capture_ip: string | null; other_ips: string[] }[];
  predictions?: [string, number][];
  timestamps?: number[];
  abnormality?: number;
  sos_sequences?: number;
  sos_error?: string;
}

export const TEST_DATA = fileURLToPath(new URL('../../test-data/', import.meta.url));

export function referenceRecords(): ReferenceRecord[] {
  return readFileSync(`${TEST_DATA}reference/networkml-v0.4.8.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ReferenceRecord);
}

export function referenceCapturePath(record: ReferenceRecord): string {
  return `${TEST_DATA}reference/captures/${record.pcap}`;
}

/** One line of test-data/reference/networkml-v0.6.8.jsonl. */
export interface V068Record {
  pcap: string;
  mode: 'srcmacid' | 'no-srcmacid';
  csv_chunk_rows: number;
  hosts: {
    mac: string;
    ip: string | null;
    srcips: string[];
    timestamp: number;
    features: Record<string, number>;
    model_input_diffs?: Record<string, number>;
    probabilities: Record<string, number>;
    top3: [string, number][];
    top_role: string;
  }[];
  result: unknown;
}

export function v068Records(): V068Record[] {
  return readFileSync(`${TEST_DATA}reference/networkml-v0.6.8.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as V068Record);
}
