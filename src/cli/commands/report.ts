/** `networkml report <results.json|capture|dir>... -o report.html`: one offline HTML page of results. */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, errorMessage, NetworkmlError, UsageError } from '../../errors.js';
import { type LoadedResults, parseResults } from '../../outputs/report/load.js';
import { renderReport } from '../../outputs/report/render.js';
import type { CaptureResult } from '../../outputs/result.js';
import { expandCaptureArgs } from '../inputs.js';

export type EvaluateCapture = (path: string, options?: { modelPath?: string }) => Promise<CaptureResult>;

export interface ReportDeps {
  /** Classifies one capture (src/pipeline/evaluate.ts); injected so this command does not load models itself. */
  evaluateCapture: EvaluateCapture;
  /** Reads standard input for the `-` argument (results as JSON lines). */
  readStdin?: () => Promise<string>;
  now?: () => Date;
}

export interface ReportOptions {
  output: string;
  model?: string;
  title?: string;
}

const resultsFile = /\.jsonl?$/i;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
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

/** Writes beside the target then renames, so a reader never sees half a report and a failure leaves none. */
export function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : errorMessage(e);
    throw new NetworkmlError(`${path}: cannot write the report: ${why}`);
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
  deps: ReportDeps,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if (inputs.length === 0)
    throw new UsageError('report needs at least one results file, capture or directory');
  const all: LoadedResults = { captures: [], tests: [] };
  let failed = false;
  const fail = (e: unknown): void => {
    if (!(e instanceof NetworkmlError)) throw e;
    err.write(`networkml: ${errorMessage(e)}\n`);
    failed = true;
  };
  const captures: string[] = [];
  for (const input of inputs) {
    try {
      if (input === '-' || resultsFile.test(input)) {
        const text =
          input === '-' ? await (deps.readStdin ?? (() => readAll(process.stdin)))() : readText(input);
        const loaded = parseResults(text, input === '-' ? 'stdin' : input);
        all.captures.push(...loaded.captures);
        all.tests.push(...loaded.tests);
      } else {
        captures.push(...expandCaptureArgs([input]));
      }
    } catch (e) {
      fail(e);
    }
  }
  for (const capture of captures) {
    try {
      all.captures.push(
        await deps.evaluateCapture(capture, options.model ? { modelPath: options.model } : {}),
      );
    } catch (e) {
      fail(e);
    }
  }
  if (all.captures.length === 0 && all.tests.length === 0) {
    if (failed) return ExitCode.BAD_INPUT;
    throw new NetworkmlError('no results to report');
  }
  const html = renderReport({
    ...(options.title ? { title: options.title } : {}),
    generatedAt: (deps.now ?? (() => new Date()))(),
    captures: all.captures,
    tests: all.tests,
  });
  if (options.output === '-') out.write(html);
  else writeAtomic(options.output, html);
  return failed ? ExitCode.BAD_INPUT : ExitCode.OK;
}

export function registerReport(program: Command, deps: ReportDeps): void {
  program
    .command('report')
    .description('write one self-contained offline HTML report: devices, role timelines, test scores')
    .argument(
      '<input...>',
      "results (.json/.jsonl from 'eval --json' or 'test --json'; '-' reads them from standard input), captures or directories of captures",
    )
    .option('-o, --output <file>', "HTML file to write ('-' for standard output)", 'report.html')
    .option('--model <path>', 'role model for the captures given (default: the bundled one)')
    .option('--title <text>', 'page title', 'NetworkML report')
    .addHelpText(
      'after',
      '\nExamples:\n  networkml eval --json captures/ > results.jsonl && networkml report results.jsonl -o report.html\n  networkml report captures/ test-results.json -o report.html',
    )
    .action(async (inputs: string[], options: ReportOptions) => {
      const code = await runReport(inputs, options, deps);
      if (code !== ExitCode.OK) process.exitCode = code;
    });
}
