/**
 * Device history for workers: Redis only, since it is the one store all workers on all machines share (a
 * per-machine SQLite file would give each worker a different idea of when a device was last seen).
 * A Redis that goes away is reconnected on the next job rather than killing the worker.
 */
import type { DeviceHistory } from '../decisions/history.js';
import { NetworkmlError } from '../errors.js';
import type { HistoryPort, ScoredUpdate } from '../pipeline/evaluate.js';
import { pastServicesOf, recordInto } from '../pipeline/history-port.js';
import type { CaptureResult } from '../result.js';

export interface SharedHistory extends HistoryPort {
  close(): Promise<void>;
  readonly location: string;
}

export function redisHistory(url: string): SharedHistory {
  let current: Promise<DeviceHistory> | null = null;
  const open = (): Promise<DeviceHistory> => {
    if (!current) {
      current = import('../decisions/history-redis.js').then(({ RedisHistory }) => RedisHistory.connect(url));
      // A failed connect is retried by the next job.
      current.catch(() => {
        current = null;
      });
    }
    return current;
  };
  async function use<T>(fn: (history: DeviceHistory) => Promise<T>): Promise<T> {
    const history = await open();
    try {
      return await fn(history);
    } catch (err) {
      if (err instanceof NetworkmlError) {
        current = null;
        await history.close().catch(() => {});
      }
      throw err;
    }
  }
  return {
    location: url,
    lastUpdate: (mac, before) => use((h) => h.lastUpdate(mac, before)),
    pastServices: (mac, before) => use((h) => pastServicesOf(h, mac, before)),
    record: (entry: ScoredUpdate, result: CaptureResult) =>
      use(async (h) => {
        await recordInto(h, entry, result);
      }),
    async close() {
      const history = current;
      current = null;
      if (history) await (await history.catch(() => null))?.close();
    },
  };
}
