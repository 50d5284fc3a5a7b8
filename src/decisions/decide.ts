/**
 * The original's `basic_decision` (REFERENCE.md §7): abnormal when the anomaly score exceeds the threshold
 * (unknown when it could not be computed: the original's silent 0.0 / normal hid exactly the devices that
 * need a look); investigate when the top label is Unknown or the device's previous update is more than the look time old.
 */
import type { Behavior, DeviceDecisions } from '../result.js';

export const DEFAULT_THRESHOLD = 0.99;
/** Seconds; the original's config "look time". */
export const DEFAULT_LOOK_TIME = 86_400;
export const UNKNOWN_LABEL = 'Unknown';

export interface DecisionInput {
  /** The capture's most likely label. */
  topLabel: string;
  /** Anomaly score in [0, 1] (0.0 when it could not be computed, as the original does). */
  abnormality: number;
  /** False when the anomaly model could not score the device: behaviour is then `unknown`, never `normal`. */
  scored?: boolean;
  /** This update's time (the capture's first bin), epoch seconds. */
  timestamp: number;
  /** The device's most recent update strictly before `timestamp`, or null when there is none. */
  previousUpdate: number | null;
  threshold?: number;
  lookTime?: number;
}

export function behaviorOf(abnormality: number, threshold = DEFAULT_THRESHOLD, scored = true): Behavior {
  if (!scored) return 'unknown';
  return abnormality > threshold ? 'abnormal' : 'normal';
}

export function decide(input: DecisionInput): DeviceDecisions {
  const lookTime = input.lookTime ?? DEFAULT_LOOK_TIME;
  const stale = input.previousUpdate !== null && input.timestamp - input.previousUpdate > lookTime;
  return {
    behavior: behaviorOf(input.abnormality, input.threshold, input.scored ?? true),
    investigate: stale || input.topLabel === UNKNOWN_LABEL,
  };
}
