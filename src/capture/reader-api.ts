import { CaptureError } from '../errors.js';
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
  /**
   * Stops reading at the next chunk boundary; a pipe (or other live path) or a followed file being waited
   * on stops at once. Stopped before the capture's first 4 bytes: StoppedBeforeCaptureError.
   */
  signal?: AbortSignal;
  /**
   * A regular file is read like `tail -F`: at its end, wait for more (a growing tail is not truncated), and
   * start again from the start of a file truncated or replaced at the path (a 'restarted' warning says so).
   * Reading ends only when `signal` aborts. A pipe, device or stream ignores it (it ends when its writer does).
   */
  follow?: boolean;
  /** Name used in messages and summary.source (default: the path, or '-' for stdin and streams). */
  name?: string;
  /**
   * Offered each frame of a supported link type and in-range time before it is decoded; a frame it takes
   * is neither decoded nor passed to onPacket (the reader thread's shortcut into its ring).
   */
  frameTaker?: FrameTaker;
}

export interface FrameTaker {
  /** True when it took the frame; `time` holds the frame's seconds and nanoseconds. */
  take(
    time: Float64Array,
    b: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    linkType: number,
  ): boolean;
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
  /** Link types seen, one per interface (pcapng) or per file header (pcap). */
  linkTypes: number[];
  /**
   * pcapng sections, or pcap file headers: more than 1 for captures appended to one another (`cat a.pcap
   * b.pcap`, rotated files followed with `tail -F`), each read with its own byte order, time unit and link type.
   */
  sections: number;
  /** Records read, decodable or not. */
  packets: number;
  /** Records skipped because their link type is not supported. */
  skippedUnsupportedLink: number;
  /**
   * Records skipped because their time is outside what the tool represents (1684–2255, see time.ts):
   * never handed to onPacket, no part of firstTime/lastTime; one 'time-out-of-range' warning names the first.
   */
  skippedBadTime: number;
  /**
   * Records with no timestamp of their own (pcapng Simple Packet Blocks; counted in `packets`): each is given
   * the time of the packet before it in its pcapng section, or 0 (1970-01-01) when there is none, those
   * counted again in withoutTimestampAtEpoch. One 'no-timestamp' warning names the first of each kind.
   */
  withoutTimestamp: number;
  withoutTimestampAtEpoch: number;
  /** Capture bytes read (after decompression): the file's size when it is not compressed. */
  bytes: number;
  /**
   * Bytes of every record's packet as it was on the wire (original lengths, skipped records included):
   * tshark's `io,stat` byte count.
   */
  frameBytes: number;
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
 * or is corrupt, or when the source cannot be read (a system error); a truncated tail (gzip included) is
 * a warning, not an error. Anything else thrown while reading (the consumer's own errors, a bug) propagates
 * unchanged. The same bytes give the same result however they arrive (path, pipe, stream, any chunking).
 *
 * Packet times outside 1684-07-28T00:12:27Z to 2255-06-05T23:47:33Z (time.ts: what microseconds in a double
 * hold exactly) are skipped as invalid: counted in `packets` and `skippedBadTime`, never passed to onPacket,
 * no part of firstTime/lastTime, and named by one 'time-out-of-range' warning. Times before 1970 are fine.
 */
export type ReadCapture = (
  source: string | NodeJS.ReadableStream,
  onPacket: (packet: PacketRecord) => void,
  options?: ReadOptions,
) => Promise<CaptureSummary>;

/** Reading was stopped (ReadOptions.signal) before the capture's magic number arrived. */
export class StoppedBeforeCaptureError extends CaptureError {}

/**
 * A corrupt record or block (an impossible length, a block whose trailer disagrees, ...), or corrupt gzip data,
 * found after packets were read: the capture is corrupt (an error, as libpcap and tshark report it), and
 * `partial` summarises what came before it. Every packet before it was handed to onPacket; `partial.bytes` is
 * the corrupt record's offset, where reading stopped (for gzip data, the start of the record the corruption
 * cut short, in the decompressed capture).
 */
export class CorruptCaptureError extends CaptureError {
  constructor(
    message: string,
    offset: number,
    readonly partial: CaptureSummary,
  ) {
    // Named CaptureError still: the same error wherever it is read (the reader thread passes on the name).
    super(message, offset);
  }
}
