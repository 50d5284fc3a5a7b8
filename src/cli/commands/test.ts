/** `networkml test <dir> --model FILE`: how well a role model labels captures whose role is known. */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, type ExitCodeValue, NetworkmlError } from '../../errors.js';
import { resolveModelPath } from '../../models/host-footprint.js';
import { UNKNOWN_LABEL } from '../../models/role-model.js';
import { expectedOf, type TestPrediction, type TestReport } from '../../outputs/report/types.js';
import { deviceOf } from '../../outputs/table.js';
import type { EvaluateOptions } from '../../pipeline/evaluate.js';
import { roleModelFor } from '../../pipeline/model-registry.js';
import { runJobs } from '../../pipeline/pool.js';
import type { CaptureResult } from '../../result.js';
import {
  firstNames,
  labelOfGiven,
  labelOrUndefined,
  loadLabelAssignments,
  splitNamesNotGiven,
} from '../../training/dataset.js';
import {
  confusedPairs,
  expectedAnswer,
  MEAN_F1_DEFINITION,
  scorePredictions,
} from '../../training/metrics.js';
import { addCaptureOptions, type CaptureCliOptions, threadsFrom } from '../capture-options.js';
import { onceEach, onceEachContent, reportInputsLeftOut } from '../inputs.js';
import { writeCaptureWarnings } from '../output.js';
import { createProgress } from '../progress.js';
import { capturesOfSplit } from '../split-inputs.js';
import { addModelOptions, evaluateOptionsFrom } from './eval.js';

interface TestCliOptions extends CaptureCliOptions {
  model?: string;
  baseline?: string;
  labels?: string;
  split?: string;
  json?: boolean;
}

const NO_SESSIONS = '(no sessions)';

export interface TestRun extends TestReport {
  predictions: TestPrediction[];
  /** Captures whose top label is the expected answer (a capture without sessions counts as wrong). */
  accuracyPerCapture: number;
  capturesWithoutSessions: number;
  speed: { seconds: number; megabytesPerSecond: number; secondsPer15MinuteCapture: number | null };
  /** The same scores for the --baseline model, when given. */
  baseline?: TestRun;
}

export function registerTest(program: Command): void {
  addCaptureOptions(
    addModelOptions(
      program
        .command('test')
        .description(
          'score a role model on labelled captures: precision, recall, F1 per role, confusion matrix, speed',
        )
        .argument(
          '<capture|dir...>',
          'labelled captures (DeviceName-deviceID-time-duration-flags.pcap) or directories',
        )
        .option('--labels <file>', 'label_assignments.json mapping file-name prefixes to role names')
        .option('--split <file>', 'test only the "test" names of this split file')
        .option('--baseline <model>', 'also score this model and show per role where the first one gains')
        .option('--json', 'print the scores as JSON (the report command draws them)'),
      // test scores roles only: no anomaly options, and -m takes role models, not host-footprint-v0.6.8.
      { hostFootprint: false, anomaly: false },
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml test setups/ --split dev-split.json --model onelayer.json\n  networkml test setups/ --split dev-split.json --model v2.json --baseline compat.json\n  networkml test captures/ --model rf.json --json > test.json && networkml report test.json -o test.html',
    )
    .action(async (args: string[], cli: TestCliOptions) => {
      const split = await capturesOfSplit(args, cli.split, 'test');
      const notGiven = split.listed ? splitNamesNotGiven(split.listed, split.paths, 'test') : null;
      if (notGiven) process.stderr.write(`networkml: warning: ${notGiven}\n`);
      // After the split: a capture reached first under a name the split does not list is still the split's.
      let paths = onceEach(split.paths, 'tested');
      const assignments = cli.labels ? loadLabelAssignments(cli.labels) : undefined;
      // After the split's check: a copy left out was still given.
      paths = await onceEachContent(paths, 'tested', (p) => labelOrUndefined(p, assignments), split.digests);
      // A capture whose name gives no label is reported (one line) and left out, as one that cannot be read.
      const unlabelled: NetworkmlError[] = [];
      const truth: string[] = [];
      paths = paths.filter((p) => {
        try {
          truth.push(labelOfGiven(p, assignments));
          return true;
        } catch (err) {
          if (!(err instanceof NetworkmlError)) throw err;
          unlabelled.push(err);
          return false;
        }
      });
      reportInputsLeftOut(unlabelled, paths.length > 0);
      // A bad model is one mistake, not one per capture: refuse it before any work (exit 3), as eval does.
      const modelPath = cli.model ? resolveModelPath(cli.model) : undefined;
      const roles = rolesOf(modelPath);
      const baselineRoles = cli.baseline ? rolesOf(resolveModelPath(cli.baseline)) : null;
      const noRole = noRoleWarning(truth, roles, cli);
      if (noRole) process.stderr.write(`networkml: warning: ${noRole}\n`);
      // A capture that cannot be read is reported (one line) and left out; the others are scored, and the
      // exit code says one was bad (README "Exit codes").
      const failed = new Set<number>();
      const reportFailures = (failures: CaptureFailure[]) => {
        for (const f of failures) {
          if (failed.has(f.index)) continue;
          failed.add(f.index);
          process.stderr.write(`networkml: ${f.error}\n`);
          process.exitCode = f.exitCode;
        }
      };
      const first = await scoreModel(paths, truth, cli, cli.model);
      reportFailures(first.failures);
      // Once, from the first model's reading: the baseline reads the same captures.
      for (const result of first.evaluated) writeCaptureWarnings(result);
      if (first.run === null) return;
      const run = first.run;
      if (cli.baseline) {
        const kept = paths.flatMap((_, i) => (failed.has(i) ? [] : [i]));
        const baseline = await scoreModel(
          kept.map((i) => paths[i]!),
          kept.map((i) => truth[i]!),
          cli,
          cli.baseline,
        );
        reportFailures(baseline.failures.map((f) => ({ ...f, index: kept[f.index]! })));
        if (baseline.run) run.baseline = baseline.run;
      }
      // Nothing classifiable at all is bad input (the reasons are in the output), with or without --json.
      if (run.capturesWithoutSessions === run.captures) process.exitCode = ExitCode.BAD_INPUT;
      if (cli.json) {
        process.stdout.write(`${JSON.stringify(run)}\n`);
        return;
      }
      process.stdout.write(testText(run));
      if (run.baseline && baselineRoles)
        process.stdout.write(
          gainText(run, run.baseline) + differentRolesText(run.predictions, roles, baselineRoles),
        );
    });
}

/** A role model's roles (Unknown is its answer for none of them, not one); refuses a bad model (exit 3). */
function rolesOf(modelPath: string | undefined): Set<string> {
  return new Set(roleModelFor(modelPath).model.labels.filter((l) => l !== UNKNOWN_LABEL));
}

/**
 * When no capture's label is a role of the model, every capture is expected to be called Unknown and an
 * accuracy of 1.000 says only that the model called them all Unknown: more likely the wrong --model (or
 * none, the bundled one) or --labels than a test of unseen types. Null otherwise, and for captures
 * labelled Unknown on purpose.
 */
function noRoleWarning(
  truth: readonly string[],
  roles: ReadonlySet<string>,
  cli: TestCliOptions,
): string | null {
  const labels = [...new Set(truth)].filter((t) => t !== UNKNOWN_LABEL).sort();
  if (labels.length === 0 || labels.some((t) => roles.has(t))) return null;
  return (
    `none of the test labels (${firstNames(labels)}) is a role of the model ${cli.model ?? '(the bundled onelayer-v0.4.8: no --model given)'}, ` +
    'so every capture is scored as right when called Unknown; check --model' +
    (cli.labels ? ' and --labels' : '')
  );
}

/**
 * With a baseline whose roles differ, for the test captures: a capture of a role only one model has is
 * right for the other when called Unknown, so the two accuracies count different answers as right.
 */
function differentRolesText(
  predictions: readonly TestPrediction[],
  roles: ReadonlySet<string>,
  baselineRoles: ReadonlySet<string>,
): string {
  const truths = [...new Set(predictions.map((p) => p.truth))].sort();
  const onlyModel = truths.filter((t) => roles.has(t) && !baselineRoles.has(t));
  const onlyBaseline = truths.filter((t) => baselineRoles.has(t) && !roles.has(t));
  if (onlyModel.length === 0 && onlyBaseline.length === 0) return '';
  const parts = [
    ...(onlyModel.length > 0 ? [`a role of the model only: ${onlyModel.join(', ')}`] : []),
    ...(onlyBaseline.length > 0 ? [`a role of the baseline only: ${onlyBaseline.join(', ')}`] : []),
  ];
  return (
    `note: the two models know different roles of the test captures (${parts.join('; ')}): where a model has no such role, ` +
    'Unknown is its right answer, so the two accuracies count different answers as right\n'
  );
}

/** A capture that could not be evaluated: its index in the paths given, the one-line error, the exit code. */
interface CaptureFailure {
  index: number;
  error: string;
  exitCode: ExitCodeValue;
}

/**
 * Evaluates every capture with one model and scores its top labels against the truth of the captures that
 * could be evaluated (`evaluated`, their results); `run` is null when none could.
 */
async function scoreModel(
  allPaths: string[],
  allTruth: string[],
  cli: TestCliOptions,
  model: string | undefined,
): Promise<{ run: TestRun | null; failures: CaptureFailure[]; evaluated: CaptureResult[] }> {
  const started = performance.now();
  const options = { ...evaluateOptionsFrom({ ...cli, model }), anomaly: 'none' as const };
  const progress = createProgress(allPaths.length, 'test', Boolean(cli.json));
  const results = await runJobs(
    'eval',
    allPaths.map((path) => ({ path, options })),
    { threads: threadsFrom(cli), onDone: () => progress.tick() },
  );
  progress.stop();
  const failures: CaptureFailure[] = [];
  const evaluated: number[] = [];
  results.forEach((r, i) => {
    if (r.ok) evaluated.push(i);
    else failures.push({ index: i, error: r.error, exitCode: r.exitCode as ExitCodeValue });
  });
  if (evaluated.length === 0) return { run: null, failures, evaluated: [] };
  const paths = evaluated.map((i) => allPaths[i]!);
  const truth = evaluated.map((i) => allTruth[i]!);
  const roles = new Set(roleModelFor(options.modelPath).model.labels.filter((l) => l !== UNKNOWN_LABEL));
  const expected = truth.map((t) => expectedAnswer(t, roles));
  const predictions: TestPrediction[] = [];
  let empty = 0;
  let bins = 0;
  const evaluatedResults: CaptureResult[] = [];
  evaluated.forEach((k, i) => {
    const r = results[k]!;
    if (!r.ok) return;
    const result = r.value[0]!.result;
    evaluatedResults.push(result);
    const device = deviceOf(result);
    const base = {
      file: paths[i] === '-' ? '-' : basename(paths[i]!),
      truth: truth[i]!,
      expected: expected[i]!,
    };
    if (!device) {
      empty++;
      predictions.push({
        ...base,
        predicted: NO_SESSIONS,
        confidence: 0,
        unknown: false,
        forced: NO_SESSIONS,
        siblings: null,
        reason: result.reason ?? 'no sessions',
      });
      return;
    }
    const { labels, confidences } = device.classification;
    const unknown = labels[0] === UNKNOWN_LABEL;
    const forcedAt = labels.findIndex((l) => l !== UNKNOWN_LABEL);
    predictions.push({
      ...base,
      predicted: labels[0]!,
      confidence: confidences[0]!,
      unknown,
      forced: forcedAt >= 0 ? labels[forcedAt]! : labels[0]!,
      siblings: result.detail?.siblings ?? null,
    });
    bins += result.detail?.bins.length ?? 0;
  });
  const withUnknowns = predictions.map((p) => p.predicted);
  const forcing = predictions.map((p) => p.forced);
  const seconds = (performance.now() - started) / 1000;
  const binsSeconds = bins * binLengthS(options);
  const bytes = paths.reduce((sum, p) => sum + (p === '-' ? 0 : statSync(p).size), 0);
  const scored = scorePredictions(expected, withUnknowns);
  const run: TestRun = {
    ...scored,
    forcing: scorePredictions(expected, forcing),
    model: model ?? 'bundled onelayer-v0.4.8',
    captures: paths.length,
    meanF1Definition: MEAN_F1_DEFINITION,
    predictions,
    confusedPairs: confusedPairs(predictions),
    accuracyPerCapture: scored.accuracy,
    capturesWithoutSessions: empty,
    speed: {
      seconds,
      megabytesPerSecond: bytes / 1e6 / seconds,
      secondsPer15MinuteCapture: binsSeconds ? (seconds / binsSeconds) * 900 : null,
    },
  };
  return { run, failures, evaluated: evaluatedResults };
}

/** The bin length the captures were read with: the one asked for, else the model's. */
function binLengthS(options: Omit<EvaluateOptions, 'history'>): number {
  return options.capture?.durationS ?? roleModelFor(options.modelPath).model.capture.binDurationS;
}

/** Per role: the model's F1 beside the baseline's, and the gain (e.g. v2 over compat). */
function gainText(run: TestRun, baseline: TestRun): string {
  const roles = run.perRole.filter((r) => r.support > 0 && r.label !== UNKNOWN_LABEL);
  const width = Math.max(...roles.map((r) => r.label.length), 'accuracy'.length);
  const lines = ['', `per role: ${run.model} against baseline ${baseline.model}`];
  lines.push(`${'role'.padEnd(width)}  F1 model  F1 baseline    gain`);
  for (const r of roles) {
    const b = baseline.perRole.find((x) => x.label === r.label)?.f1 ?? 0;
    const gain = r.f1 - b;
    lines.push(
      `${r.label.padEnd(width)}  ${r.f1.toFixed(3).padStart(8)}  ${b.toFixed(3).padStart(11)}  ${(gain >= 0 ? '+' : '') + gain.toFixed(3)}`,
    );
  }
  const gain = run.accuracyPerCapture - baseline.accuracyPerCapture;
  lines.push(
    `${'accuracy'.padEnd(width)}  ${run.accuracyPerCapture.toFixed(3).padStart(8)}  ${baseline.accuracyPerCapture.toFixed(3).padStart(11)}  ${(gain >= 0 ? '+' : '') + gain.toFixed(3)}`,
  );
  return `${lines.join('\n')}\n`;
}

function testText(run: TestRun): string {
  const lines: string[] = [];
  const width = Math.max(...run.labels.map((l) => l.length), 5);
  lines.push(`${'role'.padEnd(width)}  precision  recall     F1  captures   F1 (forcing decisions)`);
  run.perRole.forEach((r) => {
    const forcedF1 = run.forcing!.perRole.find((f) => f.label === r.label)?.f1 ?? 0;
    // No test capture of it (Unknown when every test capture is of a known type): recall, and so F1, are
    // 0 of 0, n/a as mean F1 says it, not a score of 0.
    const score = (x: number) => (r.support === 0 ? 'n/a' : x.toFixed(3));
    lines.push(
      `${r.label.padEnd(width)}  ${r.precision.toFixed(3).padStart(9)}  ${score(r.recall).padStart(6)}  ${score(r.f1).padStart(5)}  ${String(r.support).padStart(8)}   ${score(forcedF1)}`,
    );
  });
  // As mean F1 counts them (MEAN_F1_DEFINITION): a capture labelled Unknown is of an unknown type, not a role.
  const roles = run.perRole.filter((r) => r.support > 0 && r.label !== UNKNOWN_LABEL).length;
  // Only these count as wrong: a capture of an unknown type called Unknown is right.
  const unknowns = run.predictions.filter((p) => p.unknown && expectedOf(p) !== UNKNOWN_LABEL).length;
  const unseen = run.predictions.filter((p) => expectedOf(p) === UNKNOWN_LABEL && p.truth !== UNKNOWN_LABEL);
  lines.push('');
  if (unseen.length > 0) {
    const types = [...new Set(unseen.map((p) => p.truth))].sort();
    const rejected = unseen.filter((p) => p.unknown).length;
    lines.push(
      `${unseen.length} ${unseen.length === 1 ? 'capture is' : 'captures are'} of ${types.length === 1 ? 'a type' : 'types'} the model has no role for ` +
        `(${types.join(', ')}): right when called Unknown, scored under Unknown; ${rejected} of ${unseen.length} ${rejected === 1 ? 'was' : 'were'} called Unknown`,
    );
  }
  lines.push(
    run.meanF1 === null
      ? 'mean F1 n/a (no test capture is of a role the model knows; Unknown is not a role)'
      : `mean F1 ${run.meanF1.toFixed(3)} (over the ${roles} ${roles === 1 ? 'role' : 'roles'} of the test captures; Unknown is not a role)`,
  );
  lines.push(
    `mean F1, forcing decisions ${run.forcing!.meanF1 === null ? 'n/a' : run.forcing!.meanF1.toFixed(3)} (Unknown replaced by the best role)`,
  );
  lines.push(
    `accuracy per capture ${run.accuracyPerCapture.toFixed(3)} (${Math.round(run.accuracyPerCapture * run.captures!)}/${run.captures}; ` +
      `${unknowns} of known types called Unknown and ${run.capturesWithoutSessions} without sessions count as wrong); ` +
      `forcing decisions ${run.forcing!.accuracy.toFixed(3)}`,
  );
  lines.push('');
  if (run.confusedPairs && run.confusedPairs.length > 0) {
    lines.push('confused pairs (either direction; siblings = top two too close to tell apart)');
    for (const p of run.confusedPairs)
      lines.push(`  ${p.a} ↔ ${p.b}: ${p.count} mislabelled, ${p.siblings} reported as siblings`);
  } else lines.push('confused pairs: none');
  const missed = run.predictions.filter((p) => p.predicted !== expectedOf(p));
  if (missed.length > 0) {
    lines.push('');
    lines.push('captures not labelled right');
    for (const p of missed)
      lines.push(
        `  ${p.file}: ${p.truth}${expectedOf(p) === p.truth ? '' : ' (no such role: Unknown expected)'} → ${p.predicted}` +
          (p.reason
            ? ` (${p.reason})`
            : ` ${(p.confidence * 100).toFixed(1)}%${p.unknown ? `, best role ${p.forced}` : ''}`),
      );
  }
  lines.push('');
  lines.push(...confusionText(run));
  const s = run.speed;
  lines.push('');
  lines.push(
    `speed ${s.megabytesPerSecond.toFixed(1)} MB/s, ${s.seconds.toFixed(1)} s in all` +
      (s.secondsPer15MinuteCapture !== null
        ? `, ${s.secondsPer15MinuteCapture.toFixed(4)} s per 15-minute capture`
        : ''),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The confusion matrix with numbered columns: labels cut to a column's width are not unique (Administrator
 * workstation and Administrator server, EdimaxPlug1101W and EdimaxPlug2101W), and those are the pairs a
 * confusion matrix is read for.
 */
function confusionText(run: TestRun): string[] {
  const numbered = run.labels.map((l, i) => `${i + 1} ${l}`);
  const width = Math.max(...numbered.map((l) => l.length));
  const cell = Math.max(
    3,
    String(run.labels.length).length,
    ...run.confusion.flat().map((n) => String(n).length),
  );
  const lines = ['confusion matrix (rows: truth, columns: predicted, numbered as the rows)'];
  lines.push(`${''.padEnd(width)} ${run.labels.map((_, i) => String(i + 1).padStart(cell)).join(' ')}`);
  run.confusion.forEach((row, i) => {
    lines.push(`${numbered[i]!.padEnd(width)} ${row.map((n) => String(n || '.').padStart(cell)).join(' ')}`);
  });
  return lines;
}
