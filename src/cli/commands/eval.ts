/** `networkml eval <capture|dir>...`: roles, behaviour and decisions per capture. */
import { type Command, Option } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { evalText } from '../../outputs/table.js';
import type { AnomalyModelName, EvaluateOptions } from '../../pipeline/evaluate.js';
import { runJobs } from '../../pipeline/pool.js';
import {
  addCaptureOptions,
  analyzeOptionsFrom,
  type CaptureCliOptions,
  threadsFrom,
} from '../capture-options.js';
import { expandCaptureArgs } from '../inputs.js';
import { openOutput } from '../output.js';
import { createProgress } from '../progress.js';

interface EvalCliOptions extends CaptureCliOptions {
  model?: string;
  anomaly?: AnomalyModelName;
  anomalyModel?: string;
  threshold?: string;
  json?: boolean;
  output?: string;
  perHost?: boolean;
}

export function evaluateOptionsFrom(cli: EvalCliOptions): Omit<EvaluateOptions, 'history'> {
  const options: Omit<EvaluateOptions, 'history'> = { capture: analyzeOptionsFrom(cli) };
  if (cli.model) options.modelPath = cli.model;
  if (cli.anomaly) options.anomaly = cli.anomaly;
  if (cli.anomalyModel) options.anomalyModelPath = cli.anomalyModel;
  if (cli.threshold !== undefined) {
    const t = Number(cli.threshold);
    if (!Number.isFinite(t) || t < 0 || t > 1)
      throw new UsageError(`--threshold must be between 0 and 1, not '${cli.threshold}'`);
    options.threshold = t;
  }
  return options;
}

export function addModelOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '-m, --model <file>',
        'role model (default: the bundled NetworkML v0.4.8 one-layer model)',
      ).env('NETWORKML_MODEL'),
    )
    .addOption(
      new Option('--anomaly <model>', 'anomaly model')
        .choices(['lstm', 'sos', 'none'])
        .env('NETWORKML_ANOMALY'),
    )
    .addOption(
      new Option('--anomaly-model <file>', 'anomaly model file (default: the bundled SoS LSTM)').env(
        'NETWORKML_ANOMALY_MODEL',
      ),
    )
    .addOption(
      new Option('--threshold <p>', 'abnormality above this is "abnormal" (default 0.99)').env(
        'NETWORKML_THRESHOLD',
      ),
    );
}

export function registerEval(program: Command): void {
  addCaptureOptions(
    addModelOptions(
      program
        .command('eval')
        .description("predict each capture's device role (top 3) and whether it behaves normally for it")
        .argument('<capture...>', "captures or directories of captures; '-' reads standard input")
        .option('--json', 'one JSON result per line (the original NetworkML message shape, plus detail)')
        .option('-o, --output <file>', 'write results to this file instead of standard output')
        .option(
          '--per-host',
          'one result per host (MAC speaking from a private address) in captures holding several',
        ),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml eval data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap\n  networkml eval --json captures/ > results.jsonl\n  tcpdump -i eth0 -w - -c 100000 | networkml eval -',
    )
    .action(async (args: string[], cli: EvalCliOptions) => {
      const paths = expandCaptureArgs(args);
      const options = evaluateOptionsFrom(cli);
      const out = await openOutput(cli.output);
      const progress = createProgress(paths.length, 'eval', Boolean(cli.json));
      const results = await runJobs(
        'eval',
        paths.map((path) => ({ path, options, perHost: Boolean(cli.perHost) })),
        { threads: threadsFrom(cli), onDone: () => progress.tick() },
      );
      progress.stop();
      let first = true;
      for (const r of results) {
        if (!r.ok) {
          process.stderr.write(`networkml: ${r.error}\n`);
          process.exitCode = ExitCode.BAD_INPUT;
          continue;
        }
        for (const { result } of r.value) {
          if (cli.json) out.write(`${JSON.stringify(result)}\n`);
          else out.write(`${first ? '' : '\n'}${evalText(result)}\n`);
          first = false;
        }
      }
      await out.close();
    });
}
