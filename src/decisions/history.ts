/**
 * Per-device history (the original's Redis state, REFERENCE.md §7): for each MAC the update times, and per
 * update the moving-average representation, the current one, labels, confidences, other IPs and model hash.
 *
 * Moving average (time constant τ = 86,400 s): starting from the device's latest stored average before this
 * capture made by the same model (or from the first bin as is), each later bin moves it by
 * α = 1 − exp(−Δt/τ) towards that bin. Representations of different models are not comparable (a one-layer
 * model's hidden layer, a random forest's class probabilities, of different sizes), so the average is kept
 * per model hash; update times (and so `investigate` for a device not seen for a day) are per device.
 */
export const DEFAULT_TIME_CONSTANT = 86_400;

/** What one evaluated capture contributes to a device's history (made by pipeline/evaluate). */
export interface DeviceUpdate {
  mac: string;
  /**
   * One representation per non-empty bin, in time order: the one-layer model's hidden layer, or a model
   * without one's class probabilities.
   */
  representations: readonly ArrayLike<number>[];
  /** Each bin's time, epoch seconds. */
  timestamps: readonly number[];
  labels: readonly string[];
  confidences: readonly number[];
  otherIps: readonly string[];
  modelHash: string;
}

/** An update as a store records it: the device update, plus what the original stored beside it. */
export interface UpdateInput extends DeviceUpdate {
  /** Our full result for this capture (stored as JSON). */
  result?: unknown;
  /** The original also stored its decision message under `<key>` in the update's hash: key → message. */
  decisions?: Record<string, unknown>;
}

/** One stored update, field names as the original's Redis hash. */
export interface HistoryEntry {
  mac: string;
  /** The update's time: the capture's last bin time, epoch seconds. */
  time: number;
  representation: number[];
  current_representation: number[];
  labels: string[];
  confidences: number[];
  other_ips: string[];
  model_hash: string;
  result: unknown;
}

/** One device of a history (DeviceHistory.devices). */
export interface DeviceSummary {
  mac: string;
  updates: number;
  /** The first update's time (epoch s). */
  first: number;
  latest: HistoryEntry;
}

export interface DeviceHistory {
  /** Stores one capture's update (computing the moving average from the stored state) and returns it. */
  record(input: UpdateInput): Promise<HistoryEntry>;
  /** The latest update time strictly before `before` (any time when omitted), or null. */
  lastUpdate(mac: string, before?: number): Promise<number | null>;
  /** All updates of a device, oldest first. */
  list(mac: string): Promise<HistoryEntry[]>;
  /** Every device with an update, by MAC: how many, the first one's time and the latest update. */
  devices(): Promise<DeviceSummary[]>;
  /** Removes every update of a device (a device replaced, a MAC reused); returns how many there were. */
  forget(mac: string): Promise<number>;
  close(): Promise<void>;
  /** Where the history lives (file path, or Redis URL with its password masked), for messages and logs. */
  readonly location: string;
}

/**
 * The original's `average_representation`: the average continues from `previous` (the stored average at
 * `previousTime`); without one, the first bin is taken as is. Bins not later than the running time are skipped.
 * Returns the last bin's time (the update's time) and the average.
 */
export function movingAverage(
  representations: readonly ArrayLike<number>[],
  timestamps: readonly number[],
  previous: { time: number; representation: ArrayLike<number> } | null = null,
  timeConstant = DEFAULT_TIME_CONSTANT,
): { time: number; representation: Float64Array } {
  checkLengths(representations, timestamps);
  const average = new RunningAverage(previous, timeConstant);
  for (let i = 0; i < representations.length; i++) average.add(representations[i]!, timestamps[i]!);
  return {
    time: timestamps[timestamps.length - 1]!,
    representation: average.value(representations[0]!.length),
  };
}

function checkLengths(representations: readonly unknown[], timestamps: readonly number[]): void {
  if (representations.length === 0 || representations.length !== timestamps.length) {
    throw new RangeError('movingAverage needs one timestamp per representation, at least one');
  }
}

/** movingAverage's state: the running time and average, moved by one bin at a time. */
class RunningAverage {
  private prevTime: number | null;
  private avg: Float64Array | null;

  constructor(
    previous: { time: number; representation: ArrayLike<number> } | null,
    private readonly timeConstant: number,
  ) {
    this.prevTime = previous ? previous.time : null;
    this.avg = previous ? Float64Array.from(previous.representation) : null;
  }

  add(rep: ArrayLike<number>, t: number): void {
    if (this.prevTime === null || this.avg === null) {
      this.avg = Float64Array.from(rep);
      this.prevTime = t;
    } else if (t > this.prevTime) {
      const avg = this.avg;
      const alpha = 1 - Math.exp(-(t - this.prevTime) / this.timeConstant);
      for (let k = 0; k < avg.length; k++) avg[k]! += alpha * (rep[k]! - avg[k]!);
      this.prevTime = t;
    }
  }

  value(width: number): Float64Array {
    return this.avg ?? new Float64Array(width);
  }
}

/** The entry an update produces, given the device's previous stored state (if any). */
export function buildEntry(
  input: UpdateInput,
  previous: { time: number; representation: ArrayLike<number> } | null,
): HistoryEntry {
  const { representations: reps, timestamps } = input;
  checkLengths(reps, timestamps);
  // Both averages in one pass: a representation may be computed when read (the one-layer model's hidden layer).
  const first = reps[0]!;
  // A stored average of another size cannot be continued (another model's representation): start afresh.
  const comparable = previous && previous.representation.length === first.length ? previous : null;
  const current = new RunningAverage(null, DEFAULT_TIME_CONSTANT);
  const avg = new RunningAverage(comparable, DEFAULT_TIME_CONSTANT);
  for (let i = 0; i < reps.length; i++) {
    const rep = i === 0 ? first : reps[i]!;
    current.add(rep, timestamps[i]!);
    avg.add(rep, timestamps[i]!);
  }
  return {
    mac: normaliseMac(input.mac),
    time: timestamps[timestamps.length - 1]!,
    representation: Array.from(avg.value(first.length)),
    current_representation: Array.from(current.value(first.length)),
    labels: [...input.labels],
    confidences: [...input.confidences],
    other_ips: [...input.otherIps].sort(),
    model_hash: input.modelHash,
    result: input.result ?? null,
  };
}

export function normaliseMac(mac: string): string {
  return mac.trim().toLowerCase();
}

/**
 * A MAC typed in any of the forms tools print — `00:11:22:aa:bb:cc`, `00-11-22-AA-BB-CC` (Windows),
 * `0011.22aa.bbcc` (Cisco), `001122aabbcc` — in the history's form (colons, lower case); null if it is none.
 */
export function parseMacAddress(text: string): string | null {
  const t = text.trim().toLowerCase();
  const hex = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/.test(t)
    ? t.replace(/[:-]/g, '')
    : /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(t)
      ? t.replace(/\./g, '')
      : /^[0-9a-f]{12}$/.test(t)
        ? t
        : null;
  return hex === null ? null : hex.match(/../g)!.join(':');
}
