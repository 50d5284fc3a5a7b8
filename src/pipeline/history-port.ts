import type { DeviceHistory, DeviceUpdate } from '../decisions/history.js';
import type { CaptureResult } from '../result.js';
import type { HistoryPort } from './evaluate.js';

/** Stores an evaluation's history entry the way the original did: the update plus its decision message. */
export function recordInto(
  history: DeviceHistory,
  entry: DeviceUpdate,
  result: CaptureResult,
): Promise<unknown> {
  return history.record({
    ...entry,
    result,
    decisions: { [result.key]: result.data[result.key] },
  });
}

/** Evaluation's view of a device history (SQLite or Redis). */
export function historyPort(history: DeviceHistory): HistoryPort {
  return {
    lastUpdate: (mac, before) => history.lastUpdate(mac, before),
    record: async (entry, result) => {
      await recordInto(history, entry, result);
    },
  };
}
