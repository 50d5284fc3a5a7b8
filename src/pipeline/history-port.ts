import type { DeviceHistory, DeviceUpdate } from '../decisions/history.js';
import { abnormalityText } from '../outputs/table.js';
import type { CaptureResult } from '../result.js';
import type { HistoryPort } from './evaluate.js';

/**
 * Stores an evaluation's history entry the way the original did: the update plus its decision message. A
 * result that replaces an abnormal update of the same time carries a warning saying so (replacedAbnormalWarning).
 */
export async function recordInto(
  history: DeviceHistory,
  entry: DeviceUpdate,
  result: CaptureResult,
): Promise<unknown> {
  const warning = await replacedAbnormalWarning(history, entry, result);
  if (warning) result.warnings = [...(result.warnings ?? []), warning];
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

/**
 * The warning owed when this update takes the place of a stored one of the same device and time (the same
 * capture evaluated again, e.g. with another model) that was abnormal while this one is not: the history keeps
 * one update per device and time, so the abnormal result would otherwise leave it unsaid.
 */
export async function replacedAbnormalWarning(
  history: DeviceHistory,
  entry: DeviceUpdate,
  result: CaptureResult,
): Promise<string | null> {
  const time = entry.timestamps[entry.timestamps.length - 1];
  if (time === undefined || storedBehaviour(result)?.decision === 'abnormal') return null;
  // A capture later than every stored update (the usual case) replaces none: one query, not the device's list.
  const latest = await history.lastUpdate(entry.mac);
  if (latest === null || latest < time) return null;
  const stored = (await history.list(entry.mac)).find((e) => e.time === time);
  const before = stored ? storedBehaviour(stored.result as CaptureResult | null) : null;
  if (before?.decision !== 'abnormal') return null;
  const score =
    before.abnormality === null ? '' : ` (${abnormalityText(before.abnormality, before.threshold)})`;
  return `history: this result replaces the device's earlier update of the same time, which was abnormal${score}; the history keeps one update per device and time, so that abnormal result is no longer in it`;
}

/** A result's behaviour decision, abnormality and threshold, when it has them (stored or new). */
function storedBehaviour(
  result: CaptureResult | null,
): { decision: unknown; abnormality: number | null; threshold: number | undefined } | null {
  const device = result?.data?.[result.key];
  if (!device || typeof device !== 'object' || !device.valid) return null;
  const abnormality = result?.detail?.abnormality;
  return {
    decision: device.decisions.behavior,
    abnormality: typeof abnormality === 'number' ? abnormality : null,
    threshold: result?.detail?.threshold,
  };
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
