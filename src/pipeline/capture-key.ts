import { basename } from 'node:path';

/** Poseidon names captures `trace_<hex key>_<date>[-client|-server-<labels>].pcap`. */
const TRACE_NAME =
  /^trace_([0-9a-fA-F]+|[^_]+)_(\d{4}-\d{2}-\d{2}(?:_\d{2})*)(?:-(?:client|server)-(.+?))?\.pcap(?:ng)?(?:\.gz)?$/;

/** The result key and labels of a capture: Poseidon's trace key, else the file name before its first '.'. */
export function captureKey(path: string): { key: string; labels: string | null } {
  const name = basename(path);
  const trace = TRACE_NAME.exec(name);
  if (trace) return { key: trace[1]!, labels: trace[3] ?? null };
  return { key: name.split('.')[0]!, labels: null };
}
