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

/** The services a device used in its stored updates before `before` (null when it has none with behaviour). */
export async function pastServicesOf(
  history: DeviceHistory,
  mac: string,
  before: number,
): Promise<Set<number> | null> {
  let found = false;
  const services = new Set<number>();
  for (const entry of await history.list(mac)) {
    const result = entry.result as CaptureResult | null;
    const codes = result?.detail?.behavior?.services;
    const first = result?.data?.[result.key];
    const time = first && typeof first === 'object' && first.valid ? first.timestamp : entry.time;
    if (!Array.isArray(codes) || !(time < before)) continue;
    found = true;
    for (const c of codes) if (typeof c === 'number') services.add(c);
  }
  return found ? services : null;
}

/** Evaluation's view of a device history (SQLite or Redis). */
export function historyPort(history: DeviceHistory): HistoryPort {
  return {
    lastUpdate: (mac, before) => history.lastUpdate(mac, before),
    pastServices: (mac, before) => pastServicesOf(history, mac, before),
    record: async (entry, result) => {
      await recordInto(history, entry, result);
    },
  };
}
