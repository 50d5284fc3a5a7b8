/**
 * The result of evaluating one capture, in the original NetworkML's message shape (REFERENCE.md §7):
 * `{"data": {"<key>": DeviceResult, "pcap": "<file>"}}`, plus what our extras add (per-bin detail).
 * The zod schema is the one declaration: the types are derived from it, and stored or piped results
 * (`report`, `history`) are parsed with it.
 */
import { z } from 'zod';

/** A finite number: JSON cannot hold the others. */
export const finite = z.number().finite();

/** `unknown`: the anomaly model could not score the device (the result's detail says why). */
export const behaviorSchema = z.enum(['normal', 'abnormal', 'unknown']);

export const deviceDecisionsSchema = z.object({ behavior: behaviorSchema, investigate: z.boolean() });

export const classificationSchema = z.object({
  /** Exactly three labels, most likely first. */
  labels: z.array(z.string()),
  confidences: z.array(finite),
});

export const validDeviceResultSchema = z.object({
  decisions: deviceDecisionsSchema,
  classification: classificationSchema,
  /** First bin's time, epoch seconds. */
  timestamp: finite,
  valid: z.literal(true),
  source_ip: z.string(),
  source_mac: z.string(),
  pcap_labels: z.string().nullable(),
});

export const invalidDeviceResultSchema = z.object({ valid: z.literal(false), pcap: z.string() });

/** One role-probability vector per non-empty time bin, for timelines and reports. */
export const binDetailSchema = z.object({
  timestamp: finite,
  capture_ip: z.string(),
  probabilities: z.array(finite),
});

/** What the behaviour model found (eval --anomaly behavior). */
export const behaviorDetailSchema = z.object({
  /** Which normal devices the device was compared with. */
  references: z.string(),
  /** Whose normal scores set its abnormality and threshold: its predicted role's own, or the population's. */
  calibration: z.string().optional(),
  bins_scored: z.number().int(),
  /** The bin that decided: its index and first/last packet time (epoch s). */
  worst_bin: z.object({ index: z.number().int(), start: finite, end: finite }),
  /** Raw score of that bin: distance to its nearest normal bins plus the novelty term. */
  score: finite,
  distance: finite,
  novelty: finite,
  /** What made it unusual, in words, most telling first. */
  reasons: z.array(z.string()),
  /** Service codes (src/features/behavior.ts serviceCode) the device used in this capture, for its history. */
  services: z.array(z.number().int()),
  /**
   * Which normal device types the device's windows look like (behaviour models that score it): the one type
   * that fits all its windows best, how many windows fit another type better (and which), and the type whose
   * services the deciding window (worst_bin: the model's worst, or the one the device's history raised most)
   * also used (with those service codes).
   */
  types: z
    .object({
      best_fit: z.string(),
      other_windows: z.number().int(),
      other_windows_like: z.string().nullable(),
      worst_also_like: z.string().nullable(),
      worst_also_like_services: z.array(z.number().int()),
      /**
       * The type of the training devices with the device's MAC vendor prefix when the deciding window fits
       * none of their normal windows, else null; behaviour models with the vendor term only.
       */
      worst_not_like_its_vendors: z.string().nullable().optional(),
    })
    .optional(),
  /** Whether the device's own history was part of normal (services it never used before add to the score). */
  own_history: z.boolean().optional(),
  /**
   * The network stacks the device sent with over the capture, in words ("initial TTL 64", "SYNs with 20 bytes
   * of TCP options"); behaviour models with the second-stack term only.
   */
  network_stacks: z.array(z.string()).optional(),
});

/**
 * A capture that is corrupt part-way (a record header or block length that cannot be): the result is of the
 * packets before that record, as tcpdump and tshark print what they read before such an error. The command
 * still reports the error on stderr and exits 1.
 */
export const captureErrorSchema = z.object({
  kind: z.literal('corrupt'),
  /**
   * Byte offset of the corrupt record in the (decompressed) capture: the bytes before it were read. For corrupt
   * gzip data, where the packets decompressed before it end (the message names the compressed offset too).
   */
  offset: z.number().int().nonnegative(),
  /** The reader's one-line error, as printed on stderr. */
  message: z.string(),
});

/** What `networkml eval --json` prints per capture (one JSON line). */
export const captureResultSchema = z.object({
  /** The capture's path as given. */
  file: z.string(),
  /** Poseidon trace key, else the file name before its first '.'. */
  key: z.string(),
  valid: z.boolean(),
  /** The original's message body: `{ [key]: DeviceResult, pcap }`. */
  data: z.record(z.string(), z.union([z.string(), validDeviceResultSchema, invalidDeviceResultSchema])),
  /** Why an invalid result (valid: false) could not be classified, e.g. no sessions after the warm-up. */
  reason: z.string().optional(),
  /** Reader warnings (e.g. a truncated tail: everything complete was used). Printed on stderr by the CLI. */
  warnings: z.array(z.string()).optional(),
  /** The capture is corrupt at a record: this result is of the packets before it (absent otherwise). */
  capture_error: captureErrorSchema.optional(),
  /** Our additions; absent in compat-only output. */
  detail: z
    .object({
      labels: z.array(z.string()),
      /** Mean probabilities over bins, in `labels` order. */
      probabilities: z.array(finite),
      bins: z.array(binDetailSchema),
      /** The time-bin length the capture was read with, seconds (absent in results written before it). */
      bin_duration_s: finite.optional(),
      abnormality: finite,
      /** Why abnormality could not be scored (e.g. fewer than 6 session sequences), when it could not. */
      abnormality_note: z.string().optional(),
      anomaly_model: z.enum(['lstm', 'sos', 'behavior', 'none']),
      /** The threshold the anomaly decision used (absent without an anomaly model, and in LSTM results written before it). */
      threshold: finite.optional(),
      behavior: behaviorDetailSchema.optional(),
      model: z.string(),
      /** The top two roles when they are within the model's calibrated sibling margin (v2 models). */
      siblings: z.tuple([z.string(), z.string()]).optional(),
      /**
       * v2 models with the novelty (Unknown) rule: the capture's novelty in units of that rule's threshold;
       * above 1 it is called Unknown, just below 1 it nearly was (its top role is then a weak guess).
       */
      role_novelty: finite.optional(),
      /**
       * With the two-score rule: the capture's novelty over the most unusual training capture's (above 1: past
       * it). role_novelty is a rank, the same for every capture past them all; this says how far past.
       */
      role_novelty_beyond: finite.optional(),
    })
    .refine((d) => d.probabilities.length === d.labels.length, 'detail.probabilities must match labels')
    .refine(
      (d) => d.bins.every((b) => b.probabilities.length === d.labels.length),
      'every bin needs one probability per label',
    )
    .optional(),
});

export type Behavior = z.infer<typeof behaviorSchema>;
export type DeviceDecisions = z.infer<typeof deviceDecisionsSchema>;
export type Classification = z.infer<typeof classificationSchema>;
export type ValidDeviceResult = z.infer<typeof validDeviceResultSchema>;
export type InvalidDeviceResult = z.infer<typeof invalidDeviceResultSchema>;
export type DeviceResult = ValidDeviceResult | InvalidDeviceResult;
export type BinDetail = z.infer<typeof binDetailSchema>;
export type CaptureErrorDetail = z.infer<typeof captureErrorSchema>;
export type BehaviorDetail = z.infer<typeof behaviorDetailSchema>;
export type CaptureResult = z.infer<typeof captureResultSchema>;
