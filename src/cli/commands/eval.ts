/** `networkml eval <capture|dir>...`: roles, behaviour and decisions per capture. */
import { type Command, Option } from 'commander';
import {
  type OpenHistoryOptions,
  openHistory,
  requireNamedDataDirParent,
} from '../../decisions/open-history.js';
import { errorMessage, NetworkmlError, UsageError } from '../../errors.js';
import { collectGarbage } from '../../gc.js';
import { HOST_FOOTPRINT_KIND, modelFileKind, resolveModelPath } from '../../models/host-footprint.js';
import { evalTable, evalText } from '../../outputs/table.js';
import { prepareReading } from '../../pipeline/analyze.js';
import { anomalyNameFor, anomalyScorer, lstmFallbackNote, prepareScoring } from '../../pipeline/anomaly.js';
import {
  type AnomalyModelName,
  applyHistory,
  type EvaluateOptions,
  type ScoredUpdate,
} from '../../pipeline/evaluate.js';
import { historyPort } from '../../pipeline/history-port.js';
import { roleModelFor } from '../../pipeline/model-registry.js';
import { runJobs } from '../../pipeline/pool.js';
import type { CaptureResult } from '../../result.js';
import {
  addCaptureOptions,
  analyzeOptionsFrom,
  type CaptureCliOptions,
  optionNumber,
  threadsFrom,
} from '../capture-options.js';
import { historyWhere } from '../history-where.js';
import { expandCaptureArgs, onceEach } from '../inputs.js';
import { optionsGiven } from '../option-source.js';
import {
  openOutput,
  refuseOutputOverInput,
  reportCorruptAfterResult,
  writeCaptureWarnings,
  writeJsonLine,
} from '../output.js';
import { createProgress } from '../progress.js';
import {
  addHostFootprintOptions,
  evalHostFootprint,
  type HostFootprintCliOptions,
  hostFootprintOptionsFrom,
  warnHostFootprintOptionsUnused,
  warnIgnoredByHostFootprint,
} from './host-footprint.js';

/** The model options every evaluating command shares (see addModelOptions). */
export interface ModelCliOptions extends CaptureCliOptions {
  model?: string;
  anomaly?: AnomalyModelName;
  anomalyModel?: string;
  threshold?: string;
}

interface EvalCliOptions extends ModelCliOptions, HostFootprintCliOptions {
  json?: boolean;
  output?: string;
  perHost?: boolean;
  long?: boolean;
  history: boolean;
  dataDir?: string;
  redis?: string;
}

export function evaluateOptionsFrom(cli: ModelCliOptions): Omit<EvaluateOptions, 'history'> {
  const options: Omit<EvaluateOptions, 'history'> = { capture: analyzeOptionsFrom(cli) };
  if (cli.model) options.modelPath = resolveModelPath(cli.model);
  if (cli.anomaly) options.anomaly = cli.anomaly;
  if (cli.anomalyModel) options.anomalyModelPath = cli.anomalyModel;
  if (threadsFrom(cli) === 1) options.lstmThread = false;
  if (cli.threshold !== undefined) {
    const t = optionNumber(cli.threshold);
    if (!Number.isFinite(t) || t < 0 || t > 1)
      throw new UsageError(`--threshold must be between 0 and 1, not '${cli.threshold}'`);
    options.threshold = t;
  }
  return options;
}

const ANOMALY_FLAGS = {
  anomaly: '--anomaly',
  anomalyModel: '--anomaly-model',
  threshold: '--threshold',
} as const;

/**
 * One warning line naming the anomaly options given on the command line or in the environment that this
 * run does not use (`why`: what makes them unused), as train does for its own. A config file's are not
 * named: one may set them for every command.
 */
export function warnUnusedAnomalyOptions(
  command: Command,
  unused: readonly (keyof typeof ANOMALY_FLAGS)[],
  why: string,
): void {
  const given = optionsGiven(command, unused, ['cli', 'env']);
  if (given.length > 0)
    process.stderr.write(
      `networkml: warning: ${given.map((key) => ANOMALY_FLAGS[key]).join(', ')} ignored ${why}\n`,
    );
}

/** Warns about the anomaly model file and threshold given beside `--anomaly none`, which judges nothing. */
export function warnUnusedWithoutAnomaly(command: Command, name: AnomalyModelName): void {
  if (name === 'none')
    warnUnusedAnomalyOptions(command, ['anomalyModel', 'threshold'], 'with --anomaly none');
}

/** The host-footprint model judges no behaviour: every anomaly option given is unused. */
export const HOST_FOOTPRINT_IGNORES = 'with a host-footprint model (it judges no behaviour)';

/** Why eval and explain do not use --no-srcmacid and --csv-chunk-rows with another model. */
export const WITHOUT_HOST_FOOTPRINT = 'without --model host-footprint-v0.6.8';

/**
 * Loads the role and anomaly models: a bad model is the user's one mistake, not one per capture, so it is
 * refused before any work (exit 3).
 */
export function loadModels(options: Omit<EvaluateOptions, 'history'>): ReturnType<typeof roleModelFor> {
  const roleModel = roleModelFor(options.modelPath);
  anomalyScorer(options, roleModel);
  const note = lstmFallbackNote(options, roleModel);
  if (note) process.stderr.write(`networkml: warning: ${note}\n`);
  return roleModel;
}

/**
 * `hostFootprint: false` for a command that cannot use the v0.6.8 host-footprint model (no bins, no history);
 * `anomaly: false` for one that judges no behaviour, so that it neither offers the anomaly options nor reads
 * their environment variables (set for eval, they must not make such a command fail).
 */
export function addModelOptions(command: Command, { hostFootprint = true, anomaly = true } = {}): Command {
  command.addOption(
    new Option(
      '-m, --model <file>',
      `role model file, or a bundled one by name: onelayer-v0.4.8 (the default)${hostFootprint ? ', host-footprint-v0.6.8' : ''}`,
    ).env('NETWORKML_MODEL'),
  );
  return anomaly ? addAnomalyOptions(command) : command;
}

function addAnomalyOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--anomaly <model>',
        'anomaly model: lstm (the original), sos, behavior, none (default: behavior or sos when --anomaly-model is such a model, behavior when the role model has one beside it, NAME.behavior.json from `train`; else lstm)',
      )
        .choices(['lstm', 'sos', 'behavior', 'none'])
        .env('NETWORKML_ANOMALY'),
    )
    .addOption(
      new Option(
        '--anomaly-model <file>',
        "anomaly model file (default: the role model's NAME.behavior.json if present, else the bundled SoS LSTM)",
      ).env('NETWORKML_ANOMALY_MODEL'),
    )
    .addOption(
      new Option(
        '--threshold <p>',
        'abnormality above this is "abnormal" (default 0.99; behavior: the calibrated threshold stored in its model)',
      ).env('NETWORKML_THRESHOLD'),
    );
}

/** Where the device history is (SQLite or Redis), and `--no-history` (`noHistory`: what it does). */
export function addHistoryOptions(command: Command, noHistory: string): Command {
  return command
    .option('--no-history', noHistory)
    .addOption(
      new Option(
        '--data-dir <dir>',
        'where the SQLite device history lives (default ~/.local/share/networkml; ignored with Redis)',
      ).env('NETWORKML_DATA_DIR'),
    )
    .addOption(
      new Option(
        '--redis <url>',
        'keep device history in Redis (the original key layout), e.g. redis://host:6379',
      ).env('NETWORKML_REDIS'),
    );
}

export function registerEval(program: Command): void {
  addCaptureOptions(
    addModelOptions(
      addHistoryOptions(
        addHostFootprintOptions(program.command('eval'))
          .description("predict each capture's device role (top 3) and whether it behaves normally for it")
          .argument('<capture...>', "captures or directories of captures; '-' reads standard input")
          .option('--json', 'one JSON result per line (the original NetworkML message shape, plus detail)')
          .option('-o, --output <file>', 'write results to this file instead of standard output')
          .option(
            '--per-host',
            'one result per host (MAC speaking from a private address; the address itself on raw-IP, loopback and Linux cooked captures) in captures holding several',
          )
          .option('--long', 'a block per capture instead of the table'),
        'do not read or record device history',
      ),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml eval data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap\n  networkml eval --json captures/ > results.jsonl\n  networkml eval --model host-footprint-v0.6.8 --no-srcmacid data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap\n  tcpdump -i eth0 -w - -c 100000 | networkml eval -',
    )
    .action(async (args: string[], cli: EvalCliOptions, command: Command) => {
      const named = expandCaptureArgs(args);
      refuseOutputOverInput(cli.output, named);
      // A capture given twice (by two names, or itself and its folder) would be two identical rows.
      const paths = onceEach(named, 'evaluated');
      if (cli.model && modelFileKind(cli.model) === HOST_FOOTPRINT_KIND) {
        const options = hostFootprintOptionsFrom(cli.model, cli);
        warnUnusedAnomalyOptions(command, ['anomaly', 'anomalyModel', 'threshold'], HOST_FOOTPRINT_IGNORES);
        warnIgnoredByHostFootprint(command);
        await evalHostFootprint(paths, options, cli);
        return;
      }
      const given = evaluateOptionsFrom(cli);
      // A capture corrupt part-way gets the result of the packets before the corrupt record (marked), and its
      // error after it (exit 1), as tcpdump and tshark print what they read before such an error.
      const options = { ...given, capture: { ...given.capture, partialOnCorrupt: true } };
      warnHostFootprintOptionsUnused(command, cli, WITHOUT_HOST_FOOTPRINT);
      // One capture is read on this thread's reader thread: it starts now, while the models load.
      if (paths.length === 1 && !cli.perHost) prepareReading(paths[0]!, options.capture);
      const roleModel = loadModels(options);
      warnUnusedWithoutAnomaly(command, anomalyNameFor(options, roleModel));
      const where = cli.history ? historyWhere(cli, command) : null;
      // Before the work: a mistyped --data-dir is the user's one mistake, not a new empty history.
      if (where) requireNamedDataDirParent(where);
      // One capture is evaluated on this thread: its LSTM's second thread starts now, ready for scoring.
      if (paths.length === 1) prepareScoring(options, roleModel, paths[0]!);
      const out = await openOutput(cli.output);
      const progress = createProgress(paths.length, 'eval', Boolean(cli.json));
      const results = await runJobs(
        'eval',
        paths.map((path) => ({ path, options, perHost: Boolean(cli.perHost) })),
        { threads: threadsFrom(cli), onDone: () => progress.tick() },
      );
      progress.stop();
      // History is read and written here, on one connection, in time order (inTimeOrder): decisions that depend
      // on a device's previous update then come out the same however many threads evaluated the captures.
      // The evaluation's garbage goes before the history write adds its own, the write's before the output.
      collectGarbage();
      // A history that fails costs the history, not the results: they are written without what the history
      // would have added (from the failing capture on), and the exit code is still the failure's (4).
      let historyFailure: NetworkmlError | undefined;
      if (where) {
        try {
          await applyHistoryInTimeOrder(
            results.flatMap((r) => (r.ok ? r.value : [])),
            where,
            { write: true },
          );
        } catch (e) {
          if (!(e instanceof NetworkmlError)) throw e;
          historyFailure = e;
          process.stderr.write(`networkml: ${errorMessage(e)} (results written without device history)\n`);
        }
        collectGarbage();
      }
      const shown: CaptureResult[] = [];
      for (const r of results) {
        if (!r.ok) {
          process.stderr.write(`networkml: ${r.error}\n`);
          process.exitCode = r.exitCode;
          continue;
        }
        if (r.value[0]) writeCaptureWarnings(r.value[0].result);
        for (const { result } of r.value) {
          if (cli.json) writeJsonLine(out, result);
          else shown.push(result);
        }
        reportCorruptAfterResult(r.value[0]?.result.capture_error);
      }
      if (!results.some((r) => r.ok)) await out.abandon();
      else {
        if (cli.long) out.write(`${shown.map(evalText).join('\n\n')}\n`);
        else if (shown.length) out.write(`${evalTable(shown)}\n`);
        await out.close();
      }
      if (historyFailure) process.exitCode = historyFailure.exitCode;
    });
}

/**
 * Applies the device history to evaluations in the order of their captures' first bin (ties: input order). A
 * device's history is a timeline: each capture's `investigate` and own-history novelty are judged against the
 * updates before it, so captures evaluated together (a directory whose names do not sort by time) are judged
 * oldest first, and their decisions do not depend on how the files are named or listed. `write`: each update
 * is recorded too (eval); report reads the history only, opened read-only.
 */
export async function applyHistoryInTimeOrder(
  evaluations: readonly { result: CaptureResult; history: ScoredUpdate | null }[],
  where: OpenHistoryOptions,
  { write }: { write: boolean },
): Promise<void> {
  const time = (result: CaptureResult) => {
    const device = result.data[result.key];
    return device && typeof device === 'object' && device.valid ? device.timestamp : 0;
  };
  const ordered = evaluations
    .map((e, i) => ({ e, i, t: time(e.result) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ e }) => e);
  const history = await openHistory(write ? where : { ...where, readOnly: true });
  try {
    const port = write ? historyPort(history) : { ...historyPort(history), record: async () => {} };
    for (const { result, history: entry } of ordered) await applyHistory(result, entry, port);
  } finally {
    await history.close();
  }
}
