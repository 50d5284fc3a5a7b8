/**
 * The reader thread: reads a capture and packs its IP packets (or all of them) into the shared ring
 * (reader-thread.ts starts it and consumes the ring), decoding the frames it cannot pack straight from their
 * bytes; any reader-side extractor reads the records.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureError, NetworkmlError } from '../errors.js';
import { PACKED_RECORD_BYTES, PackedRecords } from './packed.js';
import { LinkType, type PacketRecord } from './packet.js';
import { readCapture } from './reader.js';
import { CorruptCaptureError, type FrameTaker } from './reader-api.js';
import type { ReaderExtractor, ReaderThreadData, ReaderThreadMessage } from './reader-thread.js';
import { RingState, RingWriter } from './ring.js';

/** Packets between two looks at the consumer's stop flag. */
const STOP_CHECK = 4096;

/**
 * Hands the reader's packets to the ring: decoded ones (`add`), or common Ethernet/IPv4 frames straight
 * from their bytes (`take`, packed.ts packEthernetIpv4), which skips the decoder for most packets of most
 * captures. An extractor reads each packet's record before it is published.
 */
class RingFeeder implements FrameTaker {
  private sinceCheck = 0;
  private readonly records: PackedRecords;
  /** A non-IP packet the ring does not carry, packed for the extractor. */
  private readonly scratch = new PackedRecords(new ArrayBuffer(PACKED_RECORD_BYTES), 0, 1);

  constructor(
    private readonly writer: RingWriter,
    private readonly abort: AbortController,
    private readonly nonIp: boolean,
    private readonly extractor: ReaderExtractor | null,
  ) {
    this.records = writer.records;
  }

  /** False once the consumer asked for no more (looked at every STOP_CHECK packets). */
  private wanted(): boolean {
    if (this.abort.signal.aborted) return false;
    if (++this.sinceCheck === STOP_CHECK) {
      this.sinceCheck = 0;
      if (this.writer.stopped) {
        this.abort.abort();
        return false;
      }
    }
    return true;
  }

  private claim(): number {
    const i = this.writer.claim();
    if (i < 0) this.abort.abort();
    return i;
  }

  add(p: PacketRecord): void {
    if (!this.wanted()) return;
    if (!this.nonIp && p.ipVersion !== 4 && p.ipVersion !== 6) {
      if (this.extractor === null) return;
      this.scratch.pack(0, p);
      this.extractor.addPacked(this.scratch, 0);
      return;
    }
    const i = this.claim();
    if (i < 0) return;
    this.records.pack(i, p);
    this.extractor?.addPacked(this.records, i);
    this.writer.commit();
  }

  take(
    time: Float64Array,
    b: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    linkType: number,
  ): boolean {
    if (linkType !== LinkType.ETHERNET) return false;
    const i = this.claim();
    if (i < 0) return true; // no more wanted: nothing to decode either
    if (!this.records.packEthernetIpv4(i, time, b, off, caplen, origlen)) return false;
    if (this.wanted()) {
      this.extractor?.addPacked(this.records, i);
      this.writer.commit();
    }
    return true;
  }
}

async function run(data: ReaderThreadData): Promise<void> {
  const post = (m: ReaderThreadMessage) => parentPort!.postMessage(m);
  const writer = new RingWriter(data.buffer);
  const abort = new AbortController();
  let side: ReaderExtractor | null = null;
  try {
    if (data.extractor) {
      const module = (await import(data.extractor.module)) as {
        createReaderExtractor: (options: unknown) => ReaderExtractor;
      };
      side = module.createReaderExtractor(data.extractor.options);
    }
    const extractor = side;
    const feeder = new RingFeeder(writer, abort, data.nonIp, extractor);
    const summary = await readCapture(data.path, (p) => feeder.add(p), {
      name: data.name,
      signal: abort.signal,
      onWarning: (warning) => post({ type: 'warning', warning }),
      frameTaker: feeder,
    });
    // The last records first: the consumer works through them while the extractor finishes.
    writer.publish();
    const extracted = extractor ? extractor.finish() : null;
    side = null;
    parentPort!.postMessage(
      { type: 'done', summary, extracted: extracted?.result ?? null } satisfies ReaderThreadMessage,
      extracted?.transfer ?? [],
    );
    writer.finish(RingState.DONE);
  } catch (caught) {
    let err = caught;
    // A corrupt record after packets: the packets before it are a result (eval's), the extractor's part too.
    let extracted: { result: unknown; transfer: ArrayBuffer[] } | null = null;
    if (err instanceof CorruptCaptureError && data.partial && side) {
      writer.publish();
      try {
        extracted = side.finish();
        side = null;
      } catch (finishing) {
        err = finishing;
      }
    }
    side?.dispose();
    const message = err instanceof Error ? err.message : String(err);
    parentPort!.postMessage(
      {
        type: 'error',
        kind: err instanceof CaptureError ? 'capture' : err instanceof NetworkmlError ? 'networkml' : 'other',
        message,
        offset: err instanceof CaptureError ? err.offset : undefined,
        ...(err instanceof CaptureError && err.code !== undefined ? { code: err.code } : {}),
        exitCode: err instanceof NetworkmlError ? err.exitCode : undefined,
        ...(err instanceof CorruptCaptureError ? { partial: err.partial } : {}),
        ...(extracted ? { extracted: extracted.result } : {}),
      } satisfies ReaderThreadMessage,
      extracted?.transfer ?? [],
    );
    writer.finish(RingState.FAILED);
  }
}

// A thread started ahead of its capture (prestartReaderThread) is told which one when reading starts.
if (workerData) void run(workerData as ReaderThreadData);
else parentPort!.once('message', (data: ReaderThreadData) => void run(data));
