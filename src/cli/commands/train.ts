/** `networkml train <dir> --algorithm onelayer|randomforest --save FILE`: a role model from labelled captures. */
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_MODEL_PATH } from '../../models/format.js';
import { resolveModelPath } from '../../models/host-footprint.js';
import { UNKNOWN_LABEL } from '../../models/role-model.js';
import {
  type LabelAssignments,
  labelOrUndefined,
  labelsDifferingInCase,
  loadLabelAssignments,
  splitNamesNotGiven,
} from '../../training/dataset.js';
import {
  type BehaviorFitSummary,
  type CompatTrainSummary,
  type TrainAlgorithm,
  type TrainRunOptions,
  type TrainSummary,
  trainFromCaptures,
  type V2TrainSummary,
} from '../../training/run.js';
import {
  addCaptureOptions,
  analyzeOptionsFrom,
  type CaptureCliOptions,
  decimalWholeNumber,
  optionNumber,
  threadsFrom,
} from '../capture-options.js';
import { onceEach, onceEachContent } from '../inputs.js';
import { optionsGiven } from '../option-source.js';
import { refuseOutputOverInput, refuseUnreplaceable, writeCaptureWarnings } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { capturesOfSplit } from '../split-inputs.js';

interface TrainCliOptions extends CaptureCliOptions {
  algorithm: TrainAlgorithm;
  model?: string;
  falseAlarmRate?: string;
  neighbours?: string;
  perplexity?: string;
  labels?: string;
  seed: string;
  save?: string;
  split?: string;
  hiddenSize?: string;
  json?: boolean;
  behavior: boolean;
  features: 'compat' | 'v2';
  unknownRate: string;
}

/** The largest seed: the generator (models/rng.ts) is seeded with 32 bits, so larger ones would wrap. */
export const MAX_SEED = 4294967295;

/** A plain decimal number ('0.05', '.5', '1e-3'): optionNumber, and finite. */
function decimal(name: string, text: string): number {
  const n = optionNumber(text);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not '${text}'`);
  return n;
}

function seedFrom(cli: TrainCliOptions): number {
  return decimalWholeNumber('seed', cli.seed, 0, MAX_SEED);
}

export function registerTrain(program: Command): void {
  addCaptureOptions(
    program
      .command('train')
      .description(
        'train a role model on labelled captures (label = file-name prefix: DeviceName-deviceID-time-duration-flags.pcap)',
      )
      .argument('<capture|dir...>', 'labelled captures or directories of them')
      .addOption(
        new Option(
          '-a, --algorithm <name>',
          'role model, or an anomaly model from normal captures: behavior (recommended) or sos',
        )
          .choices(['onelayer', 'randomforest', 'sos', 'behavior'])
          // Shown as what happens: with --features v2 and no -a, cross-validation chooses the role model.
          .default('onelayer', 'onelayer; with --features v2, the role model cross-validation chooses'),
      )
      .addOption(
        new Option(
          '--features <set>',
          "compat: the original's 4,104 port shares and recipe; v2: header features, model selection by CV, calibrated Unknown",
        )
          .choices(['compat', 'v2'])
          .default('compat'),
      )
      .option(
        '-m, --model <file>',
        'with --algorithm sos|behavior: the role model the anomaly model goes with (default: bundled)',
      )
      .option(
        '--false-alarm-rate <r>',
        'with --algorithm behavior: share of normal captures allowed to be called abnormal (default 0.01)',
      )
      .option('--neighbours <k>', 'with --algorithm behavior: nearest normal bins compared (default 2)')
      .option('--perplexity <n>', 'with --algorithm sos: the effective number of neighbours (default 30)')
      .option('--labels <file>', 'label_assignments.json mapping file-name prefixes to role names')
      .option(
        '--split <file>',
        'train only on the "train" names of this split file ({"train": [...], "test": [...]})',
      )
      .option('--seed <n>', 'random seed (same seed, same data: same model)', '0')
      .option(
        '--unknown-rate <share>',
        'with --features v2: share of known-type captures you accept being called Unknown (sets the threshold)',
        '0.02',
      )
      .option('--hidden-size <n>', 'one-layer hidden units (default 32)')
      .option(
        '--no-behavior',
        "role models: do not also learn normal behaviour (NAME.behavior.json, eval's default anomaly model)",
      )
      .option('-w, --save <file>', 'where to write the model (JSON)')
      .option('--json', 'print the training summary as JSON'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml train captures/ --algorithm randomforest --save rf.json\n  networkml train captures/ --features v2 --save v2.json\n  networkml train captures/ --features v2 --unknown-rate 0.05 --save v2.json\n  networkml train normal-captures/ --algorithm behavior --model v2.json --save behavior.json\n  networkml train setups/ --split dev-split.json --warmup 1 --seed 7 --save onelayer.json',
    )
    .action(async (args: string[], cli: TrainCliOptions, command: Command) => {
      if (!cli.save) throw new UsageError('train needs --save FILE for the model');
      const anomaly = cli.algorithm === 'sos' || cli.algorithm === 'behavior';
      // Every value given is checked, used or not; then one line names those this training ignores.
      const role = roleOptions(cli, args);
      const anomalyRun = anomalyOptions(cli);
      const ignored = ignoredOptions(cli, command);
      if (ignored.length > 0)
        process.stderr.write(
          `networkml: warning: ${ignored.join(', ')} ignored with ${trainingName(cli, command)}\n`,
        );
      refuseUnreplaceable(cli.save);
      const split = await capturesOfSplit(args, cli.split, 'train');
      // As test warns: a training capture renamed or missing would leave the model trained on fewer.
      const notGiven = split.listed ? splitNamesNotGiven(split.listed, split.paths, 'train') : null;
      if (notGiven) process.stderr.write(`networkml: warning: ${notGiven}\n`);
      // After the split: a capture reached first under a name the split does not list is still the split's.
      let paths = onceEach(split.paths, 'trained on');
      // The role model an anomaly model goes with is read, and must outlive, the training; so must the split
      // and label files (a model saved over the split file replaced it silently).
      refuseOutputOverInput(cli.save, [
        ...paths,
        ...(anomaly ? [anomalyRun.roleModel ?? DEFAULT_MODEL_PATH] : []),
        ...(cli.split ? [cli.split] : []),
        ...(cli.labels ? [cli.labels] : []),
      ]);
      const labels = cli.labels ? loadLabelAssignments(cli.labels) : undefined;
      // After the split (a copy of a test capture kept in its stead would leave the training short) and
      // after the check above (a copy left out is still an input --save must not replace).
      paths = await onceEachContent(paths, 'trained on', (p) => labelOrUndefined(p, labels), split.digests);
      warnOfLabelsDifferingInCase(paths, labels);
      let progress: Progress | undefined;
      const summary = await trainFromCaptures({
        paths,
        save: cli.save,
        ...(labels ? { labels } : {}),
        capture: analyzeOptionsFrom(cli),
        ...threadsOption(cli),
        // Not given: onelayer for compat features, model selection's choice for v2.
        ...(command.getOptionValueSource('algorithm') === 'default' ? {} : { algorithm: cli.algorithm }),
        ...(anomaly ? anomalyRun : role),
        onProgress: (done, total) => {
          progress ??= createProgress(total, 'features', Boolean(cli.json));
          if (done > 0) progress.tick();
          if (done === total) progress.stop();
        },
        onWarning: (message) => writeCaptureWarnings({ warnings: [message] }),
      });
      if ('labels_without_sessions' in summary) warnLabelsLeftOut(summary);
      process.stdout.write(cli.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
    });
}

/**
 * 'printer' and 'Printer' are two roles, as in the original; more often a naming slip than two device
 * types, so one warning names them with their captures (the labels stay as they are).
 */
function warnOfLabelsDifferingInCase(paths: readonly string[], assignments?: LabelAssignments): void {
  const labels = paths.flatMap((p) => labelOrUndefined(p, assignments) ?? []);
  const groups = labelsDifferingInCase(labels);
  if (groups.length === 0) return;
  const captures = (n: number) => `${n} ${n === 1 ? 'capture' : 'captures'}`;
  const named = groups
    .map((group) => group.map(([label, n]) => `${label} (${captures(n)})`).join(' and '))
    .join('; ');
  const fix = assignments
    ? 'give them one spelling in the label assignments'
    : 'rename the files to one spelling';
  process.stderr.write(
    `networkml: warning: labels that differ only in letter case are trained as different roles: ${named}; if they are one role, ${fix}\n`,
  );
}

/**
 * Names the labels the model cannot predict because none of their captures had a bin (too short for the
 * warm-up, no traffic of the device): the summary's label count alone does not say which roles are missing.
 */
function warnLabelsLeftOut(summary: CompatTrainSummary | V2TrainSummary): void {
  const missing = summary.labels_without_sessions;
  if (missing.length === 0) return;
  process.stderr.write(
    `networkml: warning: not in the model, no capture with usable sessions: ${missing.join(', ')}` +
      (summary.warmup_s > 0 ? `; try a smaller --warmup than ${summary.warmup_s} s` : '') +
      '\n',
  );
}

function threadsOption(cli: TrainCliOptions): { threads?: number } {
  const threads = threadsFrom(cli);
  return threads === undefined ? {} : { threads };
}

function unknownRateFrom(cli: TrainCliOptions): number {
  const unknownRate = decimal('unknown-rate', cli.unknownRate);
  if (!(unknownRate >= 0 && unknownRate < 1))
    throw new UsageError(`--unknown-rate must be a share in [0, 1), not '${cli.unknownRate}'`);
  return unknownRate;
}

function roleOptions(cli: TrainCliOptions, args: string[]): Partial<TrainRunOptions> {
  const hiddenSize =
    cli.hiddenSize === undefined ? undefined : decimalWholeNumber('hidden-size', cli.hiddenSize, 1);
  return {
    behavior: cli.behavior,
    features: cli.features,
    dataset: args.map((a) => basename(a)).join(', '),
    seed: seedFrom(cli),
    unknownRate: unknownRateFrom(cli),
    ...(hiddenSize !== undefined && cli.features === 'compat' ? { hiddenSize } : {}),
  };
}

function anomalyOptions(cli: TrainCliOptions): Partial<TrainRunOptions> {
  const perplexity = cli.perplexity === undefined ? undefined : decimal('perplexity', cli.perplexity);
  if (perplexity !== undefined && !(perplexity >= 1))
    throw new UsageError(`--perplexity must be a number >= 1, not '${cli.perplexity}'`);
  const falseAlarmRate =
    cli.falseAlarmRate === undefined ? undefined : decimal('false-alarm-rate', cli.falseAlarmRate);
  if (falseAlarmRate !== undefined && !(falseAlarmRate > 0 && falseAlarmRate < 1))
    throw new UsageError(`--false-alarm-rate must be between 0 and 1, not '${cli.falseAlarmRate}'`);
  const neighbours =
    cli.neighbours === undefined ? undefined : decimalWholeNumber('neighbours', cli.neighbours, 1);
  return {
    seed: seedFrom(cli),
    // A bundled model by name (onelayer-v0.4.8), as eval and test take it, or a file.
    ...(cli.model ? { roleModel: resolveModelPath(cli.model) } : {}),
    ...(perplexity ? { perplexity } : {}),
    ...(falseAlarmRate !== undefined ? { falseAlarmRate } : {}),
    ...(neighbours !== undefined ? { neighbours } : {}),
  };
}

/** Options given on the command line (or in the environment) that this training does not use. */
function ignoredOptions(cli: TrainCliOptions, command: Command): string[] {
  const algorithm = cli.algorithm;
  const anomaly = algorithm === 'sos' || algorithm === 'behavior';
  const onelayerCompat = !anomaly && cli.features === 'compat' && algorithm === 'onelayer';
  const unused: [keyof TrainCliOptions, string, boolean][] = [
    ['model', '--model', !anomaly],
    ['perplexity', '--perplexity', algorithm !== 'sos'],
    ['falseAlarmRate', '--false-alarm-rate', algorithm !== 'behavior'],
    ['neighbours', '--neighbours', algorithm !== 'behavior'],
    ['hiddenSize', '--hidden-size', !onelayerCompat],
    ['unknownRate', '--unknown-rate', anomaly || cli.features !== 'v2'],
    ['features', '--features', anomaly],
    ['behavior', '--no-behavior', anomaly],
  ];
  const given = new Set(
    optionsGiven(
      command,
      unused.map(([key]) => key),
      ['cli', 'env'],
    ),
  );
  return unused.filter(([key, , ignored]) => ignored && given.has(key)).map(([, flag]) => flag);
}

/** The settings that say which training this is, for the warning about ignored options. */
function trainingName(cli: TrainCliOptions, command: Command): string {
  if (cli.algorithm === 'sos' || cli.algorithm === 'behavior') return `--algorithm ${cli.algorithm}`;
  const chosen = command.getOptionValueSource('algorithm') !== 'default';
  return `--features ${cli.features}${chosen || cli.features === 'compat' ? ` --algorithm ${cli.algorithm}` : ''}`;
}

function summaryText(summary: TrainSummary): string {
  if (summary.algorithm === 'behavior') {
    return (
      `trained behaviour on ${summary.bins} host-bins of ${summary.captures} normal captures (${Object.keys(summary.per_label).length} labels), ` +
      `abnormal above ${summary.threshold.toFixed(3)} (${(summary.false_alarm_rate * 100).toFixed(1)} % false alarms) → ${summary.model}\n` +
      thinRolesText(summary.thin_roles, '') +
      oneTypeText(summary.one_type_labels, '')
    );
  }
  if (summary.algorithm === 'sos') {
    return `trained SOS on ${summary.devices} devices of ${Object.keys(summary.per_role).length} roles (role model ${summary.role_model}) → ${summary.model}\n`;
  }
  const candidates = summary.features === 'v2' ? Object.keys(summary.cv).length : 0;
  const chosen =
    summary.features === 'v2'
      ? candidates > 0
        ? `${summary.selected} chosen by ${candidates}-candidate CV`
        : `${summary.selected} (no model selection)`
      : summary.algorithm;
  const note =
    summary.features === 'v2' && summary.selection_note ? `  note: ${summary.selection_note}\n` : '';
  const calibration = summary.features === 'v2' ? summary.calibration : null;
  const openSetNote =
    summary.features === 'v2' && summary.open_set_note ? `  note: ${summary.open_set_note}\n` : '';
  // A v2 model answers Unknown only by its calibrated rule: without one, Unknown is no answer it gives.
  const answersUnknown = summary.features === 'compat' || calibration !== null;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `trained ${summary.features} ${chosen} on ${summary.bins} bins of ${summary.captures} captures (${summary.captures_without_sessions} without sessions), ` +
    `${labelCountText(summary.labels, answersUnknown)}\n` +
    note +
    (calibration
      ? (calibration.method === 'novelty'
          ? calibration.secondaryThreshold != null && calibration.jointThreshold != null
            ? `  Unknown when the rank distance to the nearest known type (above ${calibration.threshold.toFixed(3)} alone) or on the ` +
              `service role, who serves and who opens flows (above ${calibration.secondaryThreshold.toFixed(3)} alone), is more unusual ` +
              `than ${pct(calibration.jointThreshold)} of the training captures'` +
              ((calibration.secondaryMargin ?? 1) > 1
                ? ` (too few for the rate: the service-role score must pass ${calibration.secondaryMargin}× their largest)`
                : '') +
              ', '
            : `  Unknown when the rank distance to the nearest known type is above ${calibration.threshold.toFixed(3)}, `
          : `  Unknown when the top two probabilities sum to less than ${calibration.threshold.toFixed(3)}, `) +
        `set for --unknown-rate ${calibration.unknownRate}\n` +
        `  ${calibration.method === 'novelty' ? 'leave-one-out' : calibration.method === 'out-of-bag' ? 'out-of-bag' : 'cross-validated'}, each at the threshold the others set: known types called Unknown ${pct(calibration.knownUnknownRate)} of ${calibration.knownCaptures}` +
        knownLeftOut(calibration.knownLeftOut) +
        '; ' +
        `accuracy ${calibration.knownAccuracyBefore.toFixed(3)} → ${calibration.knownAccuracyAfter.toFixed(3)} with the Unknown rule\n` +
        rateNote(calibration) +
        (calibration.unseenUnknownRate !== null
          ? `  leave-one-type-out: unseen types called Unknown ${pct(calibration.unseenUnknownRate)} of ${calibration.unseenCaptures} ` +
            `(${Object.entries(calibration.unseenByLabel)
              .map(([l, r]) => `${l} ${pct(r)}`)
              .join(', ')})\n`
          : '') +
        `  siblings reported when the top two are within ${calibration.siblingMargin.toFixed(3)}\n`
      : '') +
    openSetNote +
    (summary.behavior
      ? `  normal behaviour from the same captures: ${summary.behavior.bins} device windows, abnormal above ${summary.behavior.threshold.toFixed(3)} ` +
        `(${(summary.behavior.false_alarm_rate * 100).toFixed(1)} % false alarms) → ${summary.behavior.model}\n` +
        thinRolesText(summary.behavior.thin_roles, '  ') +
        oneTypeText(summary.behavior.one_type_labels, '  ')
      : '') +
    (summary.removed_behavior
      ? `  removed ${summary.removed_behavior}: the behaviour model of the model replaced, which eval would refuse with this one\n`
      : '') +
    `  features ${summary.seconds.features.toFixed(1)} s, total ${summary.seconds.total.toFixed(1)} s → ${summary.model}\n`
  );
}

/**
 * The labels of one capture, not in the leave-one-out count: with no other capture of its type, a capture's
 * distance to the rest measures an unseen type (training/calibrate.ts), so "of 4" beside 6 captures says why.
 */
function knownLeftOut(labels: readonly string[] | undefined): string {
  if (!labels || labels.length === 0) return '';
  return ` (not counted: ${labels.length === 1 ? 'the one capture of' : 'the captures of labels with one,'} ${labels.join(', ')})`;
}

/**
 * When the rate asked for is finer than the captures can hold: a threshold cannot be stricter than calling
 * Unknown a capture beyond every training capture's score, which a new one like them is with probability
 * 1/(n + 1) per score (the service-role rule adds a second score, so about 2/(n + 1)).
 */
function rateNote(calibration: {
  unknownRate: number;
  knownCaptures: number;
  secondaryThreshold?: number | null;
}): string {
  const scores = calibration.secondaryThreshold != null ? 2 : 1;
  const n = calibration.knownCaptures;
  if (!(calibration.unknownRate * (n + 1) < scores)) return '';
  return (
    `  note: finer than ${n} captures can hold: a capture beyond all of them on ${scores === 2 ? 'either score' : 'its score'} ` +
    `is called Unknown, about ${scores}/(n + 1) = ${((scores / (n + 1)) * 100).toFixed(1)}% of new ones like them (more captures of the known types lower it)\n`
  );
}

/** "7 labels (+ Unknown)": the user's labels; Unknown is the model's answer for none of them, not one. */
function labelCountText(labels: readonly string[], answersUnknown: boolean): string {
  const own = labels.filter((l) => l !== UNKNOWN_LABEL).length;
  return `${own} ${own === 1 ? 'label' : 'labels'}${answersUnknown && own < labels.length ? ' (+ Unknown)' : ''}`;
}

/** The line naming the labels the behaviour model cannot tell apart (empty when there are none). */
function oneTypeText(pairs: readonly [string, string][], indent: string): string {
  if (pairs.length === 0) return '';
  return `${indent}  labels whose normal windows it cannot tell apart, one type to it: ${pairs.map(([a, b]) => `${a} = ${b}`).join(', ')}\n`;
}

/** The line saying which roles the pooled few-captures tail judges (empty when the model has none). */
function thinRolesText(thin: BehaviorFitSummary['thin_roles'], indent: string): string {
  if (!thin) return '';
  return (
    `${indent}  roles with fewer than ${thin.min_captures} training captures (${thin.roles.join(', ')}): ` +
    `judged by the cross-validated scores of such roles' ${thin.windows} windows where more lenient\n`
  );
}
