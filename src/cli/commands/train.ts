/** `networkml train <dir> --algorithm onelayer|randomforest --save FILE`: a role model from labelled captures. */
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { NetworkmlError, UsageError } from '../../errors.js';
import { saveModel } from '../../models/format.js';
import { type RoleAlgorithm, trainRoleModel } from '../../models/role-model.js';
import { runJobs } from '../../pipeline/pool.js';
import { DEFAULT_BIN_OPTIONS } from '../../sessions/bins.js';
import { filterByNames, labelOf, loadLabelAssignments, loadSplit } from '../../training/dataset.js';
import {
  addCaptureOptions,
  analyzeOptionsFrom,
  type CaptureCliOptions,
  threadsFrom,
} from '../capture-options.js';
import { expandCaptureArgs } from '../inputs.js';
import { createProgress } from '../progress.js';

interface TrainCliOptions extends CaptureCliOptions {
  algorithm: RoleAlgorithm;
  labels?: string;
  seed: string;
  save?: string;
  split?: string;
  hiddenSize?: string;
  json?: boolean;
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
        new Option('-a, --algorithm <name>', 'role model')
          .choices(['onelayer', 'randomforest'])
          .default('onelayer'),
      )
      .option('--labels <file>', 'label_assignments.json mapping file-name prefixes to role names')
      .option(
        '--split <file>',
        'train only on the "train" names of this split file ({"train": [...], "test": [...]})',
      )
      .option('--seed <n>', 'random seed (same seed, same data: same model)', '0')
      .option('--hidden-size <n>', 'one-layer hidden units (default 32)')
      .option('-w, --save <file>', 'where to write the model (JSON)')
      .option('--json', 'print the training summary as JSON'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml train captures/ --algorithm randomforest --save rf.json\n  networkml train setups/ --split dev-split.json --warmup 1 --seed 7 --save onelayer.json',
    )
    .action(async (args: string[], cli: TrainCliOptions) => {
      if (!cli.save) throw new UsageError('train needs --save FILE for the model');
      const started = performance.now();
      let paths = expandCaptureArgs(args);
      if (cli.split) paths = filterByNames(paths, loadSplit(cli.split).train, 'train');
      const assignments = cli.labels ? loadLabelAssignments(cli.labels) : undefined;
      const captureLabels = paths.map((p) => labelOf(p, assignments));
      if (new Set(captureLabels).size < 2) {
        throw new UsageError(
          `training needs captures of at least two labels; found only ${[...new Set(captureLabels)].join(', ') || 'none'}`,
        );
      }
      const options = analyzeOptionsFrom(cli);
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
      const rows: Float64Array[] = [];
      const labels: string[] = [];
      let empty = 0;
      results.forEach((r, i) => {
        if (!r.ok) throw new NetworkmlError(r.error);
        if (r.value.vectors.length === 0) empty++;
        for (const v of r.value.vectors) {
          rows.push(v);
          labels.push(captureLabels[i]!);
        }
      });
      if (new Set(labels).size < 2)
        throw new UsageError('fewer than two labels have usable sessions; try a smaller --warmup');
      const featureSeconds = (performance.now() - started) / 1000;
      const report = trainRoleModel(rows, labels, {
        algorithm: cli.algorithm,
        seed: positiveInt('seed', cli.seed),
        semantics: 'compat',
        binDurationS: options.durationS ?? DEFAULT_BIN_OPTIONS.durationS,
        warmupS: options.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS,
        dataset: args.map((a) => basename(a)).join(', '),
        ...(cli.hiddenSize ? { hiddenSize: positiveInt('hidden-size', cli.hiddenSize) } : {}),
      });
      saveModel(cli.save, report.model);
      const summary = {
        model: cli.save,
        algorithm: cli.algorithm,
        captures: paths.length,
        captures_without_sessions: empty,
        bins: rows.length,
        labels: report.model.labels,
        selected_features: report.model.selected.length,
        seconds: { features: featureSeconds, ...report.seconds, total: (performance.now() - started) / 1000 },
      };
      if (cli.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(
          `trained ${cli.algorithm} on ${rows.length} bins of ${paths.length} captures (${empty} without sessions), ` +
            `${summary.labels.length} labels, ${summary.selected_features} features selected\n` +
            `  features ${featureSeconds.toFixed(1)} s, fit ${report.seconds.total.toFixed(1)} s → ${cli.save}\n`,
        );
      }
    });
}
