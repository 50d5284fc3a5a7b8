/** `networkml report <results.json|capture|dir>... -o report.html`: one offline HTML page of results. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type OpenHistoryOptions, requireNamedDataDir } from '../../decisions/open-history.js';
import { ExitCode, errorMessage, ModelError, NetworkmlError, UsageError } from '../../errors.js';
import { HOST_FOOTPRINT_KIND, modelFileKind } from '../../models/host-footprint.js';
import { type LoadedResults, parseResults } from '../../outputs/report/load.js';
import { renderReport } from '../../outputs/report/render.js';
import type { AnomalyModelName, EvaluateOptions, ScoredUpdate } from '../../pipeline/evaluate.js';
import { runJobs } from '../../pipeline/pool.js';
import type { CaptureResult } from '../../result.js';
import { addCaptureOptions, type CaptureCliOptions, threadsFrom } from '../capture-options.js';
import { type HistoryWhereCliOptions, historyWhere } from '../history-where.js';
import {
  distinctFiles,
  expandCaptureArgs,
  fileHead,
  refuseStdinTwice,
  repeatedWarning,
  statOrUndefined,
} from '../inputs.js';
import { openOutput, refuseOutputOverInput, writeCaptureWarnings } from '../output.js';
import {
  addHistoryOptions,
  addModelOptions,
  applyHistoryInTimeOrder,
  evaluateOptionsFrom,
  loadModels,
} from './eval.js';

/**
 * A capture's results (one, or one per host) or its one-line error; `history`: what each result hands the
 * device history (eval's ScoredUpdate, same order), when the evaluation gives it.
 */
export type Outcome =
  | { ok: true; value: CaptureResult[]; history?: (ScoredUpdate | null)[] }
  | { ok: false; error: string };

/** Evaluates captures, outcomes in input order (a failed capture carries its one-line error). */
export type EvaluateCaptures = (
  paths: string[],
  options: Omit<EvaluateOptions, 'history'>,
  threads: number | undefined,
) => Promise<Outcome[]>;

/** `eval`'s job; the history is read after it (runReport), never written: a report is a look, not an update. */
const evaluateOnWorkers: EvaluateCaptures = async (paths, options, threads) => {
  const outcomes = await runJobs(
    'eval',
    paths.map((path) => ({ path, options })),
    threads === undefined ? {} : { threads },
  );
  return outcomes.map((o) =>
    o.ok ? { ok: true, value: o.value.map((e) => e.result), history: o.value.map((e) => e.history) } : o,
  );
};

export interface ReportDeps {
  /** Default: the same evaluation as `eval`, on worker threads. */
  evaluate?: EvaluateCaptures;
  /** Reads standard input for the `-` argument (results as JSON lines). */
  readStdin?: () => Promise<string>;
  now?: () => Date;
}

/** The command line's options: `eval`'s model and capture options, plus the page's. */
export interface ReportOptions extends CaptureCliOptions, HistoryWhereCliOptions {
  output: string;
  /**
   * Read the device history as eval does (commander's --no-history sets false; true by default on the command
   * line). Absent (a caller of runReport that says nothing): not read.
   */
  history?: boolean;
  title?: string;
  model?: string;
  anomaly?: AnomalyModelName;
  anomalyModel?: string;
  threshold?: string;
}

const resultsName = /\.jsonl?$/i;

/**
 * Results by name, or by content: `eval --json > results.txt` starts with `{` (a test report or a JSON array
 * with `{` or `[`), which no capture format's magic number does.
 */
function isResults(input: string): boolean {
  if (input === '-' || resultsName.test(input)) return true;
  // Only a regular file: a byte read from a pipe (`<(…)`) would be taken from the capture reader.
  if (!statOrUndefined(input)?.isFile()) return false;
  const head = fileHead(input, 1);
  return head !== null && (head[0] === 0x7b || head[0] === 0x5b);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function warnRepeated(
  repeated: readonly [string, string][],
  err: NodeJS.WritableStream,
  what: 'input' | 'capture',
): void {
  if (repeated.length > 0)
    err.write(
      `networkml: warning: ${repeatedWarning(repeated, what === 'input' ? 'read' : 'evaluated', what)}\n`,
    );
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(e);
    throw new NetworkmlError(`${path}: ${why}`);
  }
}

/**
 * Gathers results from every input (results files as given, captures evaluated now), renders and writes
 * the page. A bad input is reported on one line and skipped; returns 1 if any was, and writes nothing when
 * no input gave a result.
 */
export async function runReport(
  inputs: string[],
  options: ReportOptions,
  deps: ReportDeps = {},
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if (inputs.length === 0)
    throw new UsageError('report needs at least one results file, capture or directory');
  refuseStdinTwice(inputs);
  // The inputs as given before any is read (standard input from the output file would be read first); the
  // captures found in directories after they are listed, below.
  refuseOutputOverInput(options.output, inputs);
  const evaluateOptions = evaluateOptionsFrom(options);
  const results = new Set(inputs.filter(isResults));
  if (inputs.some((input) => !results.has(input))) {
    if (options.model && modelFileKind(options.model) === HOST_FOOTPRINT_KIND)
      throw new ModelError(
        `${options.model}: report evaluates captures with time-bin models only: run eval --model ${options.model} --json CAPTURES -o results.jsonl, then report results.jsonl`,
      );
    loadModels(evaluateOptions);
  }
  // Read only, and only for captures evaluated here (results keep eval's decisions): a data directory named must
  // be there (as explain and history say), before any work.
  const evaluates = inputs.some((input) => !results.has(input));
  const where = options.history === true && evaluates ? historyWhere(options) : null;
  if (where) requireNamedDataDir(where);
  const all: LoadedResults = { captures: [], tests: [] };
  // Also shown on the page: a report read later, or by someone else, must not pass for the whole story.
  const skipped: string[] = [];
  const fail = (e: unknown): void => {
    if (!(e instanceof NetworkmlError)) throw e;
    err.write(`networkml: ${errorMessage(e)}\n`);
    skipped.push(errorMessage(e));
  };
  const captures: string[] = [];
  // Each file once: one given twice (by two names, or a capture and its folder) would count its devices twice.
  const given = distinctFiles(inputs);
  warnRepeated(given.repeated, err, 'input');
  for (const input of given.files) {
    try {
      if (results.has(input)) {
        const text =
          input === '-' ? await (deps.readStdin ?? (() => readAll(process.stdin)))() : readText(input);
        const loaded = parseResults(text, input === '-' ? 'stdin' : input);
        all.captures.push(...loaded.captures);
        all.tests.push(...loaded.tests);
        if (loaded.skipped) fail(new NetworkmlError(loaded.skipped));
      } else {
        captures.push(...expandCaptureArgs([input]));
      }
    } catch (e) {
      fail(e);
    }
  }
  refuseOutputOverInput(options.output, captures);
  const distinctCaptures = distinctFiles(captures);
  warnRepeated(distinctCaptures.repeated, err, 'capture');
  captures.splice(0, captures.length, ...distinctCaptures.files);
  // Opened before the work so that a path that cannot be written fails first; written only at the end.
  const file = options.output === '-' ? null : await openOutput(options.output);
  // A capture corrupt part-way: the result of the packets before the corrupt record, marked on the page as
  // eval marks it, then its error on stderr (exit 1), as eval gives it.
  let corrupt = false;
  let historyFailure: number | undefined;
  if (captures.length > 0) {
    const evaluations: { result: CaptureResult; history: ScoredUpdate | null }[] = [];
    const evaluate = deps.evaluate ?? evaluateOnWorkers;
    const partial = { ...evaluateOptions, capture: { ...evaluateOptions.capture, partialOnCorrupt: true } };
    for (const outcome of await evaluate(captures, partial, threadsFrom(options))) {
      if (!outcome.ok) {
        fail(new NetworkmlError(outcome.error));
        continue;
      }
      if (outcome.value[0]) writeCaptureWarnings(outcome.value[0], err);
      all.captures.push(...outcome.value);
      outcome.value.forEach((result, i) => {
        evaluations.push({ result, history: outcome.history?.[i] ?? null });
      });
      const captureError = outcome.value[0]?.capture_error;
      if (captureError) {
        err.write(`networkml: ${captureError.message}\n`);
        corrupt = true;
      }
    }
    if (where) historyFailure = await readHistoryInto(evaluations, where, err);
  }
  if (all.captures.length === 0 && all.tests.length === 0) {
    if (skipped.length > 0) return ExitCode.BAD_INPUT;
    throw new NetworkmlError('no results to report');
  }
  const html = renderReport({
    ...(options.title ? { title: options.title } : {}),
    generatedAt: (deps.now ?? (() => new Date()))(),
    captures: all.captures,
    tests: all.tests,
    skipped,
  });
  if (file) {
    file.write(html);
    await file.close();
  } else out.write(html);
  return skipped.length > 0 || corrupt ? ExitCode.BAD_INPUT : (historyFailure ?? ExitCode.OK);
}

/**
 * The device history eval keeps, read and never written: each capture's `investigate` and a behaviour model's
 * decision are judged against the updates before it, oldest capture first, as eval judged them. A history that
 * fails costs the history, not the page: one line, its exit code returned.
 */
async function readHistoryInto(
  evaluations: readonly { result: CaptureResult; history: ScoredUpdate | null }[],
  where: OpenHistoryOptions,
  err: NodeJS.WritableStream,
): Promise<number | undefined> {
  try {
    await applyHistoryInTimeOrder(evaluations, where, { write: false });
    return undefined;
  } catch (e) {
    if (!(e instanceof NetworkmlError)) throw e;
    err.write(`networkml: ${errorMessage(e)} (reported without device history)\n`);
    return e.exitCode;
  }
}

export function registerReport(program: Command, deps: ReportDeps = {}): void {
  addCaptureOptions(
    addModelOptions(
      addHistoryOptions(
        program
          .command('report')
          .description('write one self-contained offline HTML report: devices, role timelines, test scores')
          .argument(
            '<input...>',
            "results of 'eval --json' (any model) or 'test --json' (.json/.jsonl, or any file of JSON; '-' reads them from standard input), captures or directories of captures",
          )
          .option('-o, --output <file>', "HTML file to write ('-' for standard output)", 'report.html')
          .option('--title <text>', 'page title', 'NetworkML report'),
        "do not read device history (with it, captures given are judged as eval judged them: investigate, and a behaviour model's own-history services; it is never written)",
      ),
      { hostFootprint: false },
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml eval --json captures/ > results.jsonl && networkml report results.jsonl -o report.html\n  networkml report captures/ test-results.json -o report.html\n  networkml eval --json capture.pcap | networkml report - -o report.html',
    )
    .action(async (inputs: string[], options: ReportOptions) => {
      const code = await runReport(inputs, options, deps);
      if (code !== ExitCode.OK) process.exitCode = code;
    });
}
