/**
 * One interface for "does this device behave normally?": the original's session LSTM (`lstm`), SOS among
 * devices of the predicted role (`sos`), the behaviour model (`behavior`) and none. Eval, watch and the
 * worker all go through anomalyScorer(); the decision itself is decide() (src/decisions/decide.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DEFAULT_THRESHOLD } from '../decisions/decide.js';
import { UsageError } from '../errors.js';
import { type BehaviorBin, type BehaviorResult, stackBitsText } from '../features/behavior.js';
import type { RowWork, SessionVectors } from '../features/session-vectors.js';
import { lazyArray } from '../lazy-array.js';
import type { BehaviorModel, BinScore, StreamedCaptureScore } from '../models/behavior.js';
import type { LoadedModel } from '../models/format.js';
import { EarlySequences } from '../models/lstm-early.js';
import type { BehaviorDetail } from '../result.js';
import {
  type BehaviorWindowScore,
  companionBehaviorPath,
  loadBehaviorModel,
  scoreBehavior,
} from './behavior-anomaly.js';
import { lstmFor, sosModelFor } from './model-registry.js';
import { deviceRepresentation } from './sos-anomaly.js';

export type AnomalyModelName = 'lstm' | 'sos' | 'behavior' | 'none';

export interface AnomalyOptions {
  anomaly?: AnomalyModelName;
  anomalyModelPath?: string;
  /** Overrides the scorer's threshold (lstm/sos: 0.99; behavior: calibrated, stored in the model). */
  threshold?: number;
  /** The LSTM's second scoring thread (see SessionSequenceLstm.score): false for `--threads 1`. */
  lstmThread?: boolean | 'auto';
}

/** What a scorer may look at for one device. */
export interface AnomalyInput {
  /** The device's session rows (the LSTM's input); a getter, computed on first use. */
  readonly sessions: SessionVectors;
  /** The rows the role model saw, one per bin. */
  vectors: readonly Float64Array[];
  /** The predicted top role. */
  role: string;
  /** The host's key (MAC, or IP on links without MACs); '' for "the capture's device". */
  hostKey: string;
  behavior: BehaviorResult | null;
  /**
   * How long the capture observed the network (its first to last packet), seconds: the behaviour model does
   * not judge a fragment (too few packets in less than one window). Undefined (watch: a bin is a period
   * watched, not a fragment): every host is judged.
   */
  observedS?: number;
}

export interface AnomalyOutcome {
  abnormality: number;
  /** False when the score could not be computed: the decision is then `unknown`, with `note` saying why. */
  scored: boolean;
  note?: string;
  threshold: number;
  detail?: BehaviorDetail;
  /** Behaviour only: each bin's raw score and services, to add the device's own history later. */
  bins?: BehaviorWindowScore[];
  /** Behaviour only: the role whose own normal windows calibrated the score (null: the population's). */
  calibratedOn?: string | null;
  /** Behaviour with the one-type term only: each window's `detail.types` fields, computed when read. */
  types?: BehaviorWindowTypes[];
}

/** The fields of `detail.behavior.types` that describe the deciding window (the others describe the capture). */
export interface BehaviorWindowTypes {
  worst_also_like: string | null;
  worst_also_like_services: number[];
  worst_not_like_its_vendors?: string | null;
}

/** A window's `types` fields, from its BinScore. */
export function behaviorWindowTypes(model: BehaviorModel, w: BinScore): BehaviorWindowTypes {
  return {
    worst_also_like: w.otherType?.label ?? null,
    worst_also_like_services: w.otherType?.services ?? [],
    // Only with the vendor term (older files' output keeps its keys).
    ...(model.vendorWeight > 0 ? { worst_not_like_its_vendors: w.vendorLabel } : {}),
  };
}

/** Window i (`window`) of a streamed score, as the device's history reads it. */
export function behaviorWindowScore(
  score: StreamedCaptureScore,
  i: number,
  window: BehaviorBin,
): BehaviorWindowScore {
  return {
    score: score.scores[i]!,
    services: window.services,
    window: { index: window.bin, start: window.start, end: window.end },
    distance: score.distances[i]!,
    novelty: score.novelties[i]!,
  };
}

/**
 * Every window's `types` fields, each scored again when read: only a window the device's own history makes
 * the deciding one is (a long capture has ~17,000).
 */
export function lazyWindowTypes(model: BehaviorModel, score: StreamedCaptureScore): BehaviorWindowTypes[] {
  return lazyArray(score.scores.length, (i) => behaviorWindowTypes(model, score.windowBin(i)));
}

export interface AnomalyScorer {
  readonly name: AnomalyModelName;
  /** Whether the capture analysis must run the behaviour extractor. */
  readonly needsBehavior: boolean;
  /** The anomaly model file in use (named, or the role model's companion behaviour model). */
  readonly modelPath?: string;
  /** The behaviour model's window (s), when it needs behaviour. */
  readonly behaviorWindowS?: number;
  /**
   * Work on the device's rows to do while one capture is read (AnalyzeOptions.whileReading), a fresh one
   * per capture: the LSTM's first sequences; score() then uses what it did.
   */
  whileReading?(): RowWork;
  score(input: AnomalyInput): AnomalyOutcome;
}

/**
 * Which anomaly model runs, and from which file: the one named; behaviour or SOS when the named file is
 * such a model; otherwise behaviour when the role model has a companion behaviour model (trained
 * beside it by `train`, NAME.behavior.json); otherwise the original's LSTM (the bundled compat path).
 */
export function resolveAnomaly(
  options: AnomalyOptions,
  roleModel?: LoadedModel,
): { name: AnomalyModelName; modelPath?: string } {
  const named = options.anomalyModelPath;
  const companion = roleModel ? companionBehaviorPath(roleModel.path) : undefined;
  const companionExists = companion !== undefined && existsSync(companion);
  if (options.anomaly) {
    // Two options that disagree are the user's to settle, not a model file to refuse as foreign (exit 3).
    const kind = named && options.anomaly !== 'none' ? anomalyFileName(named) : undefined;
    if ((kind === 'behavior' || kind === 'sos') && kind !== options.anomaly)
      throw new UsageError(
        `--anomaly ${options.anomaly} with --anomaly-model ${named}, ${kind === 'behavior' ? 'a behaviour' : 'an SOS'} model: give --anomaly ${kind}, or leave --anomaly out (the file says which model it is)`,
      );
    if (options.anomaly === 'behavior' && !named && companionExists)
      return { name: 'behavior', modelPath: companion };
    return { name: options.anomaly, ...(named ? { modelPath: named } : {}) };
  }
  if (named) return { name: anomalyFileName(named), modelPath: named };
  if (companionExists) return { name: 'behavior', modelPath: companion };
  return { name: 'lstm' };
}

/**
 * Why the anomaly model chosen for a v2 role model is the original's LSTM, when no option chose it: the
 * behaviour model `train` writes beside it is missing (copied without it, or `train --no-behavior`). The LSTM
 * was made for the bundled model and catches little (README, Behaviour), so a user relying on the behaviour
 * model must hear that it is not the one judging. Null when nothing needs saying.
 */
export function lstmFallbackNote(options: AnomalyOptions, roleModel: LoadedModel): string | null {
  if (options.anomaly || options.anomalyModelPath || roleModel.model.features.semantics !== 'v2') return null;
  if (resolveAnomaly(options, roleModel).name !== 'lstm') return null;
  return `no behaviour model beside ${roleModel.path} (${companionBehaviorPath(roleModel.path)}): behaviour is judged by the original's LSTM, which catches little; train one (networkml train CAPTURES -a behavior -m ${roleModel.path} --save ${companionBehaviorPath(roleModel.path)}), or choose with --anomaly`;
}

/** The anomaly model's name alone (see resolveAnomaly). */
export function anomalyNameFor(options: AnomalyOptions, roleModel?: LoadedModel): AnomalyModelName {
  return resolveAnomaly(options, roleModel).name;
}

const anomalyFiles = new Map<string, AnomalyModelName>();

/**
 * The anomaly model a file is for, by the kind it declares: a behaviour or an SOS model file names its own
 * scorer; anything else is the LSTM's (its loader says what is wrong with a file that is not one).
 */
function anomalyFileName(path: string): AnomalyModelName {
  let name = anomalyFiles.get(path);
  if (name === undefined) {
    let kind: string | undefined;
    try {
      kind = /"kind"\s*:\s*"(behavior|sos)"/.exec(readFileSync(path, 'utf8'))?.[1];
    } catch {
      kind = undefined;
    }
    name = kind === 'behavior' || kind === 'sos' ? kind : 'lstm';
    anomalyFiles.set(path, name);
  }
  return name;
}

/**
 * Captures at least this large are likely to have the THREAD_MIN_SEQUENCES sequences that make the LSTM
 * score on two threads: its second thread is started while they are read. A smaller one that would use it
 * starts it when scoring, as before; a larger one that does not leaves it idle (~0.1 s of the other core).
 */
export const PRESTART_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Readies what scoring `capturePath` will need while the capture is read (issue 14): the LSTM's second
 * thread, when the LSTM scores on two threads and the capture is large enough to use it. Results do not
 * depend on it: the thread only starts earlier.
 */
export function prepareScoring(options: AnomalyOptions, roleModel: LoadedModel, capturePath: string): void {
  if (options.lstmThread === false) return;
  const { name, modelPath } = resolveAnomaly(options, roleModel);
  if (name !== 'lstm' || capturePath === '-') return;
  let size = 0;
  try {
    const stat = statSync(capturePath);
    if (stat.isFile()) size = stat.size;
  } catch {
    return; // the reader reports a missing capture in its own words
  }
  if (size >= PRESTART_MIN_BYTES) lstmFor(modelPath).prestartThread();
}

/** Builds (and validates: a bad model file throws here, before any capture is read) the chosen scorer. */
export function anomalyScorer(options: AnomalyOptions, roleModel: LoadedModel): AnomalyScorer {
  const { name, modelPath } = resolveAnomaly(options, roleModel);
  const needsFile = (what: string) =>
    new UsageError(
      `--anomaly ${name} needs --anomaly-model FILE (made by \`networkml train --algorithm ${what}\`)`,
    );
  switch (name) {
    case 'none': {
      const threshold = options.threshold ?? DEFAULT_THRESHOLD;
      return {
        name,
        needsBehavior: false,
        score: () => ({
          abnormality: 0,
          scored: false,
          note: 'no anomaly model (--anomaly none)',
          threshold,
        }),
      };
    }
    case 'lstm': {
      const lstm = lstmFor(modelPath);
      const threshold = options.threshold ?? DEFAULT_THRESHOLD;
      return {
        name,
        needsBehavior: false,
        whileReading: () => new EarlySequences(lstm),
        score: ({ sessions, role }) => {
          const early = sessions.whileRead;
          const prefix = early instanceof EarlySequences ? early.prefixFor(lstm, sessions.sourceIp) : null;
          // The scorer's own behaviour uses its default threshold; ours is decided by decide().
          let after = 0;
          const s = lstm.score(sessions.rowSource ?? sessions.rows, role, {
            thread: options.lstmThread ?? 'auto',
            prefix,
            stats: (scored) => {
              after = scored;
            },
          });
          // How much of the scoring the read's idle time did, and how much repeats saved (bench/README.md,
          // issue 14); stderr, on request.
          if (process.env.NETWORKML_DEBUG && early instanceof EarlySequences) {
            const { sequences, repeats, restarts, background } = early.progress;
            process.stderr.write(
              `networkml: debug: LSTM sequences taken while reading: ${prefix?.sequences ?? 0} of ${s.sequences} (${sequences} for the last leader on this thread, of which ${repeats} repeats; ${restarts} restarts; ${background.checked} checked on the second thread, ${background.scored} new ones scored there); scored after: ${after}\n`,
            );
          }
          return {
            abnormality: s.abnormality,
            scored: s.scored,
            threshold,
            ...(s.note ? { note: s.note } : {}),
          };
        },
      };
    }
    case 'sos': {
      const path = modelPath;
      if (!path) throw needsFile('sos');
      const sos = sosModelFor(path, roleModel).sos;
      const threshold = options.threshold ?? DEFAULT_THRESHOLD;
      return {
        name,
        needsBehavior: false,
        score: ({ vectors, role }) => {
          const representation = deviceRepresentation(roleModel.model, vectors);
          if (!representation)
            return { abnormality: 0, scored: false, note: 'no bins to represent the device', threshold };
          const [s] = sos.score([representation], [role]);
          return {
            abnormality: s!.probability,
            scored: s!.scored,
            threshold,
            ...(s!.note ? { note: s!.note } : {}),
          };
        },
      };
    }
    case 'behavior': {
      const path = modelPath;
      if (!path) throw needsFile('behavior');
      const loaded = loadBehaviorModel(path, roleModel);
      const model = loaded.model;
      const threshold = options.threshold ?? model.state!.threshold;
      return {
        name,
        modelPath: path,
        needsBehavior: true,
        behaviorWindowS: model.windowS,
        score: ({ behavior, hostKey, role, observedS }) => {
          const outcome = scoreBehavior(model, behavior, hostKey, role, observedS);
          if (!outcome.scored || !outcome.score)
            return { abnormality: 0, scored: false, note: outcome.note ?? 'not scored', threshold };
          const { score, windows, services, stacks } = outcome;
          const worst = windows.get(score.worst);
          const w = score.worstBin;
          return {
            abnormality: score.abnormality,
            scored: true,
            threshold,
            detail: {
              references: 'population: the nearest normal host-bins of every training device',
              calibration: calibrationText(model, score.calibratedOn),
              bins_scored: windows.length,
              worst_bin: { index: worst.bin, start: worst.start, end: worst.end },
              score: w.score,
              distance: w.distance,
              novelty: w.novelty,
              reasons: score.reasons,
              ...(score.fit
                ? {
                    types: {
                      best_fit: score.fit.label,
                      other_windows: score.fit.otherWindows,
                      other_windows_like: score.fit.other,
                      ...behaviorWindowTypes(model, w),
                    },
                  }
                : {}),
              services,
              // Only with the stack term (older files' output keeps its keys).
              ...(model.stackWeight > 0 ? { network_stacks: stackBitsText(stacks) } : {}),
            },
            // Read when the device's history asks (rarely): the services come from the windows again.
            bins: lazyArray(windows.length, (i) => behaviorWindowScore(score, i, windows.get(i))),
            calibratedOn: score.calibratedOn,
            ...(score.fit ? { types: lazyWindowTypes(model, score) } : {}),
          };
        },
      };
    }
  }
}

/** What a behaviour score's tail probability was calibrated on, for `detail.behavior.calibration`. */
function calibrationText(model: BehaviorModel, role: string | null): string {
  switch (model.calibrationOf(role ?? undefined)) {
    case 'role':
      return `role ${role}: cross-validated scores of its own training devices`;
    case 'thin':
      return `role ${role}, trained on fewer than ${model.calibrationMinCaptures} captures: cross-validated scores of the captures of such roles, each without itself, where more lenient than the population's`;
    default:
      return 'population: cross-validated scores of every training device';
  }
}
