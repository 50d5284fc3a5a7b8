/**
 * The reader thread: reads and decodes a capture, feeds any reader-side extractor, and packs its IP
 * packets (or all of them) into the shared ring (reader-thread.ts starts it and consumes the ring).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureError, NetworkmlError } from '../errors.js';
import { readCapture } from './reader.js';
import type { ReaderExtractor, ReaderThreadData, ReaderThreadMessage } from './reader-thread.js';
import { RingState, RingWriter } from './ring.js';

/** Packets between two looks at the consumer's stop flag. */
const STOP_CHECK = 4096;

async function run(data: ReaderThreadData): Promise<void> {
  const post = (m: ReaderThreadMessage) => parentPort!.postMessage(m);
  const writer = new RingWriter(data.buffer);
  const records = writer.records;
  const abort = new AbortController();
  let sinceCheck = 0;
  const nonIp = data.nonIp;
  let side: ReaderExtractor | null = null;
  try {
    if (data.extractor) {
      const module = (await import(data.extractor.module)) as {
        createReaderExtractor: (options: unknown) => ReaderExtractor;
      };
      side = module.createReaderExtractor(data.extractor.options);
    }
    const extractor = side;
    const summary = await readCapture(
      data.path,
      (p) => {
        if (abort.signal.aborted) return;
        if (++sinceCheck === STOP_CHECK) {
          sinceCheck = 0;
          if (writer.stopped) {
            abort.abort();
            return;
          }
        }
        extractor?.add(p);
        if (!nonIp && p.ipVersion !== 4 && p.ipVersion !== 6) return;
        const i = writer.claim();
        if (i < 0) {
          abort.abort();
          return;
        }
        records.pack(i, p);
        writer.commit();
      },
      {
        name: data.name,
        signal: abort.signal,
        onWarning: (warning) => post({ type: 'warning', warning }),
      },
    );
    // The last records first: the consumer works through them while the extractor finishes.
    writer.publish();
    const extracted = extractor ? extractor.finish() : null;
    side = null;
    parentPort!.postMessage(
      { type: 'done', summary, extracted: extracted?.result ?? null } satisfies ReaderThreadMessage,
      extracted?.transfer ?? [],
    );
    writer.finish(RingState.DONE);
  } catch (err) {
    side?.dispose();
    const message = err instanceof Error ? err.message : String(err);
    post({
      type: 'error',
      kind: err instanceof CaptureError ? 'capture' : err instanceof NetworkmlError ? 'networkml' : 'other',
      message,
      offset: err instanceof CaptureError ? err.offset : undefined,
      exitCode: err instanceof NetworkmlError ? err.exitCode : undefined,
    });
    writer.finish(RingState.FAILED);
  }
}

// A thread started ahead of its capture (prestartReaderThread) is told which one when reading starts.
if (workerData) void run(workerData as ReaderThreadData);
else parentPort!.once('message', (data: ReaderThreadData) => void run(data));
