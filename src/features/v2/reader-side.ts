/**
 * The v2 extractor on the reader thread (capture/reader-worker.ts loads this module by its URL): it reads
 * each packet's packed record there (the fields the one-thread path reads of the decoded packet), so the
 * analysis thread keeps only sessions and compat features. Its closed state crosses back once, at the end
 * (`adoptV2`), where compat's join it.
 */
import type { PackedRecords } from '../../capture/packed.js';
import type { ReaderExtractor } from '../../capture/reader-thread.js';
import { type V2Closed, V2Extractor, type V2Options } from './extractor.js';
import { HostBinStore, type HostBinStoreData } from './host-bin-store.js';

/** V2Closed as plain data (structured-clone safe). */
export interface V2ClosedData extends Omit<V2Closed, 'pending'> {
  pending: HostBinStoreData;
}

/** `options.spillFd`: the temporary file the analysis thread opened for a long capture's features. */
export function createReaderExtractor(options: V2Options): ReaderExtractor {
  const v2 = new V2Extractor(options);
  return {
    addPacked: (records: PackedRecords, i: number) => v2.addPacked(records, i),
    finish: () => {
      const closed = v2.close();
      const pending = closed.pending.handOver();
      const result: V2ClosedData = { ...closed, pending };
      const transfer = [
        pending.binOf,
        pending.keyOf,
        pending.startOf,
        pending.endOf,
        pending.buffer,
        pending.chunkAt,
      ];
      return { result, transfer: [closed.hostOfKey.buffer, ...transfer.map((a) => a.buffer)] };
    },
    dispose: () => v2.dispose(),
  };
}

/** The closed extractor from the reader thread's `finish` (taking its temporary file, if any). */
export function adoptV2(data: V2ClosedData): V2Closed {
  return { ...data, pending: HostBinStore.adopt(data.pending) };
}
