/**
 * The capture reader: detects the format by magic, frames the byte stream into records/blocks across
 * chunk boundaries, and hands every packet, decoded into one reused PacketRecord, to the consumer.
 */
import { CaptureError } from '../errors.js';
import { hex32, u32be } from './bytes.js';
import { type Framer, FramingError } from './framer.js';
import type { PacketRecord } from './packet.js';
import { PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapFramer, swap32 } from './pcap.js';
import { PCAPNG_SHB, PcapngFramer } from './pcapng.js';
import {
  type CaptureFormat,
  type CaptureSummary,
  type CaptureWarning,
  CorruptCaptureError,
  type ReadCapture,
  type ReadOptions,
  StoppedBeforeCaptureError,
} from './reader-api.js';
import { PacketSink } from './sink.js';
import { captureChunks, openSource, pathChunks, type SourceState } from './source.js';

function detect(
  magic: number,
  sink: PacketSink,
  name: string,
): { framer: Framer; format: CaptureFormat } | null {
  if (magic === PCAPNG_SHB) return { framer: new PcapngFramer(sink, name), format: 'pcapng' };
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED]) {
    const format: CaptureFormat = m === PCAP_MAGIC_NS ? 'pcap-ns' : 'pcap';
    if (magic === m) return { framer: new PcapFramer(sink, name, false, m), format };
    if (magic === swap32(m)) return { framer: new PcapFramer(sink, name, true, m), format };
  }
  return null;
}

function sourceName(source: string | NodeJS.ReadableStream, options: ReadOptions | undefined): string {
  if (options?.name !== undefined) return options.name;
  if (typeof source === 'string') return source;
  return '-';
}

const IO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  EPERM: 'permission denied',
};

/** A zlib error of a compressed capture (Z_DATA_ERROR and the like), not one of the file system. */
function isCorruptGzip(err: unknown, state: SourceState): boolean {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return state.gzip && typeof code === 'string' && code.startsWith('Z_');
}

/**
 * A failure of the byte source (file system, standard input, gunzip) as a one-line CaptureError. Only
 * errors with a system or zlib error code are such failures; anything else is a bug or the caller's own
 * stream error and is rethrown as it is.
 */
function sourceError(err: unknown, name: string, state: SourceState, offset: number): unknown {
  if (err instanceof CaptureError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = err instanceof Error && typeof e.code === 'string' ? e.code : '';
  if (code === '') return err;
  if (isCorruptGzip(err, state)) {
    // Inflated in fixed pieces into fixed-size output (source.ts), so both offsets are the same however the
    // bytes arrived. The compressed one counts the bytes inflated cleanly: the corruption lies after it. The
    // decompressed one is where the packets read end (the start of the record the error cut short).
    const written = state.gunzip?.bytesWritten ?? 0;
    return new CaptureError(
      `${name}: corrupt gzip data after compressed byte offset ${written} (decompressed byte offset ${offset}): ${e.message}`,
      offset,
    );
  }
  const reason = IO_REASONS[code] ?? e.message;
  return new CaptureError(`${name}: cannot read: ${reason}`, undefined, code);
}

export const readCapture: ReadCapture = async (source, onPacket, options) => {
  const name = sourceName(source, options);
  const warnings: CaptureWarning[] = [];
  const warn = (w: CaptureWarning): void => {
    warnings.push(w);
    options?.onWarning?.(w);
  };
  const sink = new PacketSink(onPacket as (p: PacketRecord) => void, warn, name, options?.frameTaker ?? null);
  const state: SourceState = { gzip: false, gunzip: null };
  const signal = options?.signal;

  let framer: Framer | null = null;
  let format: CaptureFormat = 'pcap';
  let head: Buffer = Buffer.alloc(0);
  /** Bytes of the current file consumed before the current chunk (offsets in messages are the file's). */
  let base = 0;
  /** Bytes of the files read before the current one (a followed file truncated or replaced). */
  let earlierFiles = 0;
  /** A unit straddling chunks is assembled here; the buffer is reused and only grows. */
  let scratch = Buffer.alloc(64 * 1024);
  let pendingLen = 0;
  let pendingNeed = 0;
  let pendingStart = 0;

  /**
   * Grows the scratch buffer (keeping its first pendingLen bytes) to hold `size` bytes. It grows with the
   * bytes actually received, never to a length field's claim, so a lying header cannot make us allocate.
   */
  const reserve = (size: number): void => {
    if (scratch.length >= size) return;
    const grown = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
    scratch.copy(grown, 0, 0, pendingLen);
    scratch = grown;
  };

  const feed = (chunk: Buffer): void => {
    const f = framer!;
    const n = chunk.length;
    let pos = 0;
    if (pendingLen > 0) {
      if (pendingNeed === 0) {
        const want = f.headLen - pendingLen;
        const take = Math.min(want, n);
        chunk.copy(scratch, pendingLen, 0, take);
        pendingLen += take;
        pos = take;
        if (pendingLen < f.headLen) {
          base += n;
          return;
        }
        pendingNeed = f.unitLength(scratch, 0, pendingStart);
      }
      const take = Math.min(pendingNeed - pendingLen, n - pos);
      reserve(pendingLen + take);
      chunk.copy(scratch, pendingLen, pos, pos + take);
      pendingLen += take;
      pos += take;
      if (pendingLen < pendingNeed) {
        base += n;
        return;
      }
      f.unit(scratch, 0, pendingNeed, pendingStart);
      pendingLen = 0;
      pendingNeed = 0;
    }
    for (;;) {
      const left = n - pos;
      if (left < f.headLen) break;
      const len = f.unitLength(chunk, pos, base + pos);
      if (left < len) {
        pendingNeed = len;
        break;
      }
      f.unit(chunk, pos, len, base + pos);
      pos += len;
    }
    if (pos < n) {
      const left = n - pos;
      pendingLen = 0;
      reserve(left);
      chunk.copy(scratch, 0, pos, n);
      pendingLen = left;
      pendingStart = base + pos;
    } else {
      pendingNeed = 0;
    }
    base += n;
  };

  /**
   * feed(), with a corrupt record or block after packets were read made a CorruptCaptureError carrying the
   * summary of what came before it.
   */
  const framed = (chunk: Buffer): void => {
    try {
      feed(chunk);
    } catch (err) {
      if (!(err instanceof FramingError)) throw err;
      // The framers' own class stays inside the reader: callers (and the reader thread) see a CaptureError.
      if (sink.packets === 0) throw new CaptureError(err.message, err.offset);
      const at = err.offset ?? base;
      throw new CorruptCaptureError(err.message, at, summarize(earlierFiles + at));
    }
  };

  /** A record or block the file ends in the middle of. */
  const warnTruncated = (): void => {
    if (pendingLen === 0) return;
    const need = pendingNeed > 0 ? ` of ${pendingNeed}` : '';
    warn({
      kind: 'truncated',
      message: `${name}: truncated capture: the last record at byte offset ${pendingStart} is incomplete (${pendingLen}${need} bytes present)`,
      offset: pendingStart,
    });
  };

  const summarize = (bytes: number): CaptureSummary => {
    const timed = sink.timedPackets > 0;
    return {
      source: name,
      format,
      gzip: state.gzip,
      linkTypes: sink.linkTypes,
      sections: sink.sections,
      packets: sink.packets,
      skippedUnsupportedLink: sink.skippedUnsupportedLink,
      skippedBadTime: sink.skippedBadTime,
      withoutTimestamp: sink.withoutTimestamp,
      withoutTimestampAtEpoch: sink.withoutTimestampAtEpoch,
      bytes,
      frameBytes: sink.frameBytes,
      firstTimeNs: timed ? sink.firstSec * 1e9 + sink.firstNsec : null,
      lastTimeNs: timed ? sink.lastSec * 1e9 + sink.lastNsec : null,
      firstTime: timed ? { sec: sink.firstSec, nsec: sink.firstNsec } : null,
      lastTime: timed ? { sec: sink.lastSec, nsec: sink.lastNsec } : null,
      warnings,
    };
  };

  /**
   * A followed file starts again (truncated or replaced): its last record, if incomplete, is a truncated
   * capture; the next byte is the new file's first, its format detected again. Not inside a gzip stream:
   * there the new file's bytes are only compressed ones, inflated on as more of the same stream.
   */
  const newFile = (): void => {
    if (state.gzip) return;
    warnTruncated();
    earlierFiles += base;
    base = 0;
    framer = null;
    head = Buffer.alloc(0);
    pendingLen = 0;
    pendingNeed = 0;
  };

  const isPath = typeof source === 'string' && source !== '-';
  const stream = isPath ? null : openSource(source);
  const chunks =
    stream === null
      ? pathChunks(source as string, state, {
          ...(signal ? { signal } : {}),
          ...(options?.follow
            ? {
                follow: {
                  onRestart: (message: string) => warn({ kind: 'restarted', message }),
                  onNewFile: newFile,
                },
              }
            : {}),
        })
      : captureChunks(stream, state);
  const it = chunks[Symbol.asyncIterator]();
  // Only failures of the byte source become CaptureErrors here; what the framers throw is either their own
  // CaptureError or a bug (or the consumer's error), and propagates unchanged.
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (err) {
        finished = true;
        const e = err as NodeJS.ErrnoException;
        // A gzip stream cut short is a truncated capture, not a corrupt one: keep what was decompressed.
        if (state.gzip && e?.code === 'Z_BUF_ERROR' && framer !== null) {
          warn({
            kind: 'truncated',
            message: `${name}: compressed data ends early (gzip stream truncated)`,
            offset: base,
          });
          break;
        }
        // Where the packets read end: the start of the record the error cut short, if one was.
        const at = pendingLen > 0 ? pendingStart : base;
        const failure = sourceError(err, name, state, at);
        // Corrupt gzip data after packets is a capture corrupt part-way, as a corrupt record is: what was
        // decompressed before it keeps its packets. A failing file system or input stays an error.
        if (isCorruptGzip(err, state) && sink.packets > 0 && failure instanceof CaptureError)
          throw new CorruptCaptureError(failure.message, at, summarize(at));
        throw failure;
      }
      if (next.done) {
        finished = true;
        break;
      }
      const chunk = next.value;
      if (chunk.length === 0) continue;
      if (framer === null) {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        if (head.length < 4) continue;
        const magic = u32be(head, 0);
        const found = detect(magic, sink, name);
        if (found === null) throw new CaptureError(`${name}: not a capture file (magic ${hex32(magic)})`, 0);
        framer = found.framer;
        format = found.format;
        const first = head;
        head = Buffer.alloc(0);
        framed(first);
      } else {
        framed(chunk);
      }
      if (signal?.aborted) break;
    }
  } finally {
    // Leaving early (abort, a CaptureError, a bug): close the file or stream behind the generator.
    if (!finished) await it.return?.(undefined);
  }

  if (framer === null) {
    // Stopped before the capture's magic arrived: nothing was wrong with a capture that never came.
    if (signal?.aborted) throw new StoppedBeforeCaptureError(`${name}: stopped before a capture arrived`, 0);
    if (head.length === 0) throw new CaptureError(`${name}: not a capture file (empty)`, 0);
    throw new CaptureError(`${name}: not a capture file (only ${head.length} bytes)`, 0);
  }
  if (!signal?.aborted) warnTruncated();

  return summarize(earlierFiles + base);
};
