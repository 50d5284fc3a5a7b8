import type { PacketRecord } from './packet.js';

/** What a capture turned out to be; detected from its magic number, never from its name. */
export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface CaptureWarning {
  /** e.g. 'truncated', 'unsupported-linktype' */
  kind: string;
  message: string;
  /** Byte offset in the decompressed stream, when it applies. */
  offset?: number;
}

export interface ReadOptions {
  /** Called for warnings (truncation at the end, skipped link types, ...). Default: collected only. */
  onWarning?: (warning: CaptureWarning) => void;
  /** Stops reading at the next chunk boundary. */
  signal?: AbortSignal;
  /** Name used in messages and summary.source (default: the path, or '-' for stdin and streams). */
  name?: string;
}

export interface CaptureTime {
  sec: number;
  nsec: number;
}

export interface CaptureSummary {
  /** The path, or '-' for standard input. */
  source: string;
  format: CaptureFormat;
  gzip: boolean;
  /** Link types seen, one per interface (pcapng) or the file's one (pcap). */
  linkTypes: number[];
  /** Records read, decodable or not. */
  packets: number;
  /** Records skipped because their link type is not supported. */
  skippedUnsupportedLink: number;
  /**
   * Records skipped because their time is outside what the tool represents (1684–2255, see time.ts):
   * never handed to onPacket, no part of firstTime/lastTime; one 'time-out-of-range' warning names the first.
   */
  skippedBadTime: number;
  /** Capture bytes read (after decompression). */
  bytes: number;
  /**
   * First and last packet time in nanoseconds since the epoch (BigInt-free: may lose sub-µs precision);
   * null exactly when no record with a time in range was read (packets - skippedBadTime === 0).
   */
  firstTimeNs: number | null;
  lastTimeNs: number | null;
  /** The same two times exactly, as whole seconds and nanoseconds. */
  firstTime: CaptureTime | null;
  lastTime: CaptureTime | null;
  warnings: CaptureWarning[];
}

/**
 * Reads a capture (path, '-' for stdin, or a readable stream), decodes each packet's headers into ONE reused
 * record and calls onPacket synchronously with it. Throws CaptureError on a file that is not a capture
 * or is corrupt; a truncated tail is a warning, not an error.
 */
export type ReadCapture = (
  source: string | NodeJS.ReadableStream,
  onPacket: (packet: PacketRecord) => void,
  options?: ReadOptions,
) => Promise<CaptureSummary>;
