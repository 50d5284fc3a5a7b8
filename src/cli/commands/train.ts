/** `networkml train <dir> --algorithm onelayer|randomforest --save FILE`: a role model from labelled captures. */
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { NetworkmlError, UsageError } from '../../errors.js';
import { BehaviorModel, type TrainingSample } from '../../models/behavior.js';
import { saveModel } from '../../models/format.js';
import { type RoleAlgorithm, type RoleModel, trainRoleModel } from '../../models/role-model.js';
import { RoleConditionedSos } from '../../models/sos.js';
import { saveBehaviorModel } from '../../pipeline/behavior-anomaly.js';
import { roleModelFor } from '../../pipeline/model-registry.js';
import { runJobs } from '../../pipeline/pool.js';
import { deviceRepresentation, representationName, saveSosModel } from '../../pipeline/sos-anomaly.js';
import { DEFAULT_BIN_OPTIONS } from '../../sessions/bins.js';
import type { OpenSetCalibration } from '../../training/calibrate.js';
import { filterByNames, labelOf, loadLabelAssignments, loadSplit } from '../../training/dataset.js';
import type { LabelledCapture } from '../../training/select.js';
import { trainV2Model } from '../../training/v2-recipe.js';
import {
  addCaptureOptions,
  analyzeOptionsFrom,
  type CaptureCliOptions,
  threadsFrom,
} from '../capture-options.js';
import { expandCaptureArgs } from '../inputs.js';
import { createProgress } from '../progress.js';

interface TrainCliOptions extends CaptureCliOptions {
  algorithm: RoleAlgorithm | 'sos' | 'behavior';
  falseAlarmRate?: string;
  neighbours?: string;
  model?: string;
  perplexity?: string;
  labels?: string;
  seed: string;
  save?: string;
  split?: string;
  hiddenSize?: string;
  json?: boolean;
  features: 'compat' | 'v2';
  unknownRate: string;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number >= 0, not '${text}'`);
  return n;
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
          .default('onelayer'),
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
      .option('-w, --save <file>', 'where to write the model (JSON)')
      .option('--json', 'print the training summary as JSON'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml train captures/ --algorithm randomforest --save rf.json\n  networkml train captures/ --features v2 --save v2.json\n  networkml train captures/ --features v2 --unknown-rate 0.05 --save v2.json\n  networkml train normal-captures/ --algorithm behavior --model v2.json --save behavior.json\n  networkml train setups/ --split dev-split.json --warmup 1 --seed 7 --save onelayer.json',
    )
    .action(async (args: string[], cli: TrainCliOptions) => {
      if (!cli.save) throw new UsageError('train needs --save FILE for the model');
      const started = performance.now();
      let paths = expandCaptureArgs(args);
      if (cli.split) paths = filterByNames(paths, loadSplit(cli.split).train, 'train');
      const assignments = cli.labels ? loadLabelAssignments(cli.labels) : undefined;
      const captureLabels = paths.map((p) => labelOf(p, assignments));
      if (cli.algorithm === 'behavior') {
        await trainBehavior(paths, captureLabels, cli);
        return;
      }
      if (new Set(captureLabels).size < 2) {
        throw new UsageError(
          `training needs captures of at least two labels; found only ${[...new Set(captureLabels)].join(', ') || 'none'}`,
        );
      }
      if (cli.algorithm === 'sos') {
        await trainSos(paths, captureLabels, cli);
        return;
      }
      const v2 = cli.features === 'v2';
      const options = analyzeOptionsFrom(cli);
      // v2 is the corrected feature set: no warm-up unless asked for (the model records what it used).
      if (v2 && options.warmupS === undefined) options.warmupS = 0;
      if (v2) options.features = 'v2';
      const binDurationS = options.durationS ?? DEFAULT_BIN_OPTIONS.durationS;
      const warmupS = options.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS;
      const progress = createProgress(paths.length, 'features', Boolean(cli.json));
      const results = await runJobs(
        'features',
        paths.map((path) => ({ path, options })),
        {
          threads: threadsFrom(cli),
          onDone: () => progress.tick(),
        },
      );
      progress.stop();
      const captures: LabelledCapture[] = results.map((r, i) => {
        if (!r.ok) throw new NetworkmlError(r.error);
        return { name: basename(paths[i]!), label: captureLabels[i]!, rows: r.value.vectors };
      });
      const empty = captures.filter((c) => c.rows.length === 0).length;
      const bins = captures.reduce((n, c) => n + c.rows.length, 0);
      if (new Set(captures.filter((c) => c.rows.length > 0).map((c) => c.label)).size < 2)
        throw new UsageError('fewer than two labels have usable sessions; try a smaller --warmup');
      const featureSeconds = (performance.now() - started) / 1000;
      const seed = positiveInt('seed', cli.seed);
      const unknownRate = Number(cli.unknownRate);
      if (!(unknownRate >= 0 && unknownRate < 1))
        throw new UsageError(`--unknown-rate must be a share in [0, 1), not '${cli.unknownRate}'`);
      const dataset = args.map((a) => basename(a)).join(', ');
      let model: RoleModel;
      let detail: Record<string, unknown>;
      if (v2) {
        const algorithmGiven = program.commands
          .find((c) => c.name() === 'train')
          ?.getOptionValueSource('algorithm');
        const report = trainV2Model(captures, {
          seed,
          binDurationS,
          warmupS,
          dataset,
          unknownRate,
          ...(algorithmGiven && algorithmGiven !== 'default'
            ? { algorithm: cli.algorithm as RoleAlgorithm }
            : {}),
        });
        model = report.model;
        detail = {
          selected: report.selection.best.name,
          cv: Object.fromEntries(report.selection.results.map((r) => [r.name, r.accuracy])),
          calibration: report.calibration,
        };
      } else {
        const rows = captures.flatMap((c) => c.rows);
        const labels = captures.flatMap((c) => c.rows.map(() => c.label));
        const report = trainRoleModel(rows, labels, {
          algorithm: cli.algorithm as RoleAlgorithm,
          seed,
          semantics: 'compat',
          binDurationS,
          warmupS,
          dataset,
          ...(cli.hiddenSize ? { hiddenSize: positiveInt('hidden-size', cli.hiddenSize) } : {}),
        });
        model = report.model;
        detail = { selected_features: report.model.selected.length, fit_seconds: report.seconds };
      }
      saveModel(cli.save, model);
      const summary = {
        model: cli.save,
        features: cli.features,
        algorithm: model.kind,
        captures: paths.length,
        captures_without_sessions: empty,
        bins,
        labels: model.labels,
        warmup_s: warmupS,
        duration_s: binDurationS,
        ...detail,
        seconds: { features: featureSeconds, total: (performance.now() - started) / 1000 },
      };
      if (cli.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        const chosen = v2
          ? `${String(detail.selected)} chosen by ${Object.keys(detail.cv as object).length}-candidate CV`
          : model.kind;
        const calibration = detail.calibration as OpenSetCalibration | null | undefined;
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        process.stdout.write(
          `trained ${cli.features} ${chosen} on ${bins} bins of ${paths.length} captures (${empty} without sessions), ` +
            `${model.labels.length} labels\n` +
            (calibration
              ? `  Unknown when the top two probabilities sum to less than ${calibration.threshold.toFixed(3)}, ` +
                `set for --unknown-rate ${calibration.unknownRate}\n` +
                `  ${calibration.method === 'out-of-bag' ? 'out-of-bag' : 'cross-validated'}: known types called Unknown ${pct(calibration.knownUnknownRate)} of ${calibration.knownCaptures}; ` +
                `accuracy ${calibration.knownAccuracyBefore.toFixed(3)} → ${calibration.knownAccuracyAfter.toFixed(3)} with the Unknown rule\n` +
                (calibration.unseenUnknownRate !== null
                  ? `  leave-one-type-out: unseen types called Unknown ${pct(calibration.unseenUnknownRate)} of ${calibration.unseenCaptures} ` +
                    `(${Object.entries(calibration.unseenByLabel)
                      .map(([l, r]) => `${l} ${pct(r)}`)
                      .join(', ')})\n`
                  : '') +
                `  siblings reported when the top two are within ${calibration.siblingMargin.toFixed(3)}\n`
              : '') +
            `  features ${featureSeconds.toFixed(1)} s, total ${summary.seconds.total.toFixed(1)} s → ${cli.save}\n`,
        );
      }
    });
}

/**
 * `train --algorithm sos`: one reference set of device representations per role (the file-name labels),
 * as the chosen role model sees each capture, for eval's `--anomaly sos`.
 */
async function trainSos(paths: string[], labels: string[], cli: TrainCliOptions): Promise<void> {
  const started = performance.now();
  const role = roleModelFor(cli.model);
  const options = {
    durationS: role.model.capture.binDurationS,
    warmupS: role.model.capture.warmupS,
    features: role.model.features.semantics,
    ...analyzeOptionsFrom(cli),
  };
  const results = await runJobs(
    'features',
    paths.map((path) => ({ path, options })),
    { threads: threadsFrom(cli) },
  );
  const rows: Float64Array[] = [];
  const roles: string[] = [];
  results.forEach((r, i) => {
    if (!r.ok) throw new NetworkmlError(r.error);
    const representation = deviceRepresentation(role.model, r.value.vectors);
    if (representation) {
      rows.push(representation);
      roles.push(labels[i]!);
    }
  });
  if (rows.length === 0) throw new UsageError('no capture has usable sessions; try a smaller --warmup');
  const perplexity = cli.perplexity === undefined ? undefined : Number(cli.perplexity);
  if (perplexity !== undefined && !(perplexity >= 1))
    throw new UsageError(`--perplexity must be a number >= 1, not '${cli.perplexity}'`);
  const sos = new RoleConditionedSos({
    representation: representationName(role),
    ...(perplexity ? { perplexity } : {}),
  }).fit(rows, roles);
  saveSosModel(cli.save!, sos);
  const perRole = Object.fromEntries(
    [...new Set(roles)].sort().map((r) => [r, roles.filter((x) => x === r).length]),
  );
  const summary = {
    model: cli.save,
    algorithm: 'sos',
    role_model: role.path,
    devices: rows.length,
    per_role: perRole,
    seconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(
    cli.json
      ? `${JSON.stringify(summary)}\n`
      : `trained SOS on ${rows.length} devices of ${Object.keys(perRole).length} roles (role model ${role.path}) → ${cli.save}\n`,
  );
}

/**
 * `train --algorithm behavior`: what normal looks like, from normal captures (every capture's device
 * host-bins), with a threshold calibrated by cross-validation to the stated false-alarm rate.
 */
async function trainBehavior(paths: string[], labels: string[], cli: TrainCliOptions): Promise<void> {
  const started = performance.now();
  const role = roleModelFor(cli.model);
  const options = { durationS: role.model.capture.binDurationS, ...analyzeOptionsFrom(cli) };
  const falseAlarmRate = cli.falseAlarmRate === undefined ? undefined : Number(cli.falseAlarmRate);
  if (falseAlarmRate !== undefined && !(falseAlarmRate > 0 && falseAlarmRate < 1))
    throw new UsageError(`--false-alarm-rate must be between 0 and 1, not '${cli.falseAlarmRate}'`);
  const k = cli.neighbours === undefined ? undefined : positiveInt('neighbours', cli.neighbours);
  if (k === 0) throw new UsageError('--neighbours must be at least 1');
  const results = await runJobs(
    'behavior',
    paths.map((path) => ({ path, options })),
    { threads: threadsFrom(cli) },
  );
  const samples: TrainingSample[] = [];
  let empty = 0;
  results.forEach((r, i) => {
    if (!r.ok) throw new NetworkmlError(r.error);
    if (r.value.length === 0) empty++;
    for (const b of r.value)
      samples.push({
        group: basename(paths[i]!),
        label: labels[i]!,
        values: b.values,
        services: b.services,
        publicPeers: b.publicPeers,
      });
  });
  const seed = positiveInt('seed', cli.seed);
  const model = new BehaviorModel({
    seed,
    ...(falseAlarmRate !== undefined ? { falseAlarmRate } : {}),
    ...(k !== undefined ? { k } : {}),
  }).fit(samples);
  saveBehaviorModel(cli.save!, model, role, {
    dataset: paths.length === 1 ? basename(paths[0]!) : `${paths.length} captures`,
    date: new Date().toISOString(),
    seed,
    captures: paths.length,
    bins: samples.length,
  });
  const perLabel = Object.fromEntries(
    [...new Set(labels)].sort().map((l) => [l, labels.filter((x) => x === l).length]),
  );
  const summary = {
    model: cli.save,
    algorithm: 'behavior',
    role_model: role.path,
    captures: paths.length,
    captures_without_ip: empty,
    bins: samples.length,
    per_label: perLabel,
    false_alarm_rate: model.falseAlarmRate,
    threshold: model.state!.threshold,
    seconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(
    cli.json
      ? `${JSON.stringify(summary)}\n`
      : `trained behaviour on ${samples.length} host-bins of ${paths.length} normal captures (${Object.keys(perLabel).length} labels), ` +
          `abnormal above ${model.state!.threshold.toFixed(3)} (${(model.falseAlarmRate * 100).toFixed(1)} % false alarms) → ${cli.save}\n`,
  );
}
