/** `networkml inspect <capture...> [--json]`: what the model sees in each capture. */
import { type Command, Option } from 'commander';
import { ExitCode } from '../../errors.js';
import { runJobs } from '../../pipeline/pool.js';
import {
  addCaptureOptions,
  analyzeOptionsFrom,
  type CaptureCliOptions,
  decimalWholeNumber,
  threadsFrom,
} from '../capture-options.js';
import { expandCaptureArgs } from '../inputs.js';
import { optionsGiven } from '../option-source.js';
import { reportCorruptAfterResult, writeCaptureWarnings } from '../output.js';
import {
  addHostFootprintOptions,
  type HostFootprintCliOptions,
  hostFootprintOptionsFrom,
  inspectHostFootprint,
  warnHostFootprintOptionsUnused,
  warnIgnoredByHostFootprint,
} from './host-footprint.js';

interface InspectCliOptions extends CaptureCliOptions, HostFootprintCliOptions {
  json?: boolean;
  features: 'compat' | 'v2' | 'host-footprint';
  top: string;
}

export function registerInspect(program: Command): void {
  addCaptureOptions(
    addHostFootprintOptions(program.command('inspect'))
      .description('show the sessions, time bins, capture source and features the models see')
      .argument('<capture...>', "captures or directories of captures; '-' reads standard input")
      .option('--json', 'one JSON object per line per capture, in the shape of the reference outputs')
      .option('--top <n>', 'features to name per bin in the readable form', '8')
      .addOption(
        new Option(
          '--features <set>',
          'v2 also shows the named header features of every host and bin; host-footprint: the 221 values per host of NetworkML v0.6.8',
        )
          .choices(['compat', 'v2', 'host-footprint'])
          .default('compat'),
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml inspect data/samples/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap\n  networkml inspect --json --warmup 1 captures/ > features.jsonl\n  networkml inspect --features v2 --warmup 0 capture.pcap\n  networkml inspect --features host-footprint --no-srcmacid data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
    )
    .action(async (args: string[], cli: InspectCliOptions, command: Command) => {
      const top = decimalWholeNumber('top', cli.top, 0);
      const paths = expandCaptureArgs(args);
      if (cli.features === 'host-footprint') {
        const options = hostFootprintOptionsFrom('host-footprint-v0.6.8', cli);
        // Every one of a host's values is shown: there is no per-bin list to cut to --top.
        warnIgnoredByHostFootprint(command, '--features host-footprint', { top: '--top' });
        await inspectHostFootprint(paths, options, Boolean(cli.json));
        return;
      }
      // A capture corrupt part-way: the packets before the corrupt record are shown (marked), then its error
      // (exit 1), as eval does.
      const given = analyzeOptionsFrom(cli);
      // v2's warm-up is 0 unless asked for, as `train --features v2` and its models use: the sessions shown
      // are then the ones a v2 model would classify.
      if (cli.features === 'v2' && given.warmupS === undefined) given.warmupS = 0;
      const options = { ...given, features: cli.features, partialOnCorrupt: true };
      warnHostFootprintOptionsUnused(command, cli, 'without --features host-footprint');
      if (cli.json) {
        // The JSON lists every non-zero feature of every bin (the reference output's shape): nothing to cut.
        if (optionsGiven(command, ['top'], ['cli']).length > 0)
          process.stderr.write('networkml: warning: --top ignored with --json (it lists every feature)\n');
        const results = await runJobs(
          'inspect',
          paths.map((path) => ({ path, options })),
          { threads: threadsFrom(cli) },
        );
        results.forEach((r) => {
          if (!r.ok) {
            process.stderr.write(`networkml: ${r.error}\n`);
            process.exitCode = r.exitCode;
            return;
          }
          writeCaptureWarnings(r.value);
          process.stdout.write(`${JSON.stringify(r.value)}\n`);
          reportCorruptAfterResult(r.value.capture_error);
        });
        return;
      }
      const { analyzeCapture } = await import('../../pipeline/analyze.js');
      const { inspectRecord, inspectText } = await import('../../outputs/inspect.js');
      const { errorMessage, NetworkmlError } = await import('../../errors.js');
      for (const path of paths) {
        try {
          const analysis = await analyzeCapture(path, options);
          for (const w of analysis.summary.warnings)
            process.stderr.write(`networkml: warning: ${w.message}\n`);
          process.stdout.write(`${inspectText(analysis, inspectRecord(analysis), top)}\n`);
          reportCorruptAfterResult(analysis.corrupt);
        } catch (err) {
          if (!(err instanceof NetworkmlError)) throw err;
          process.stderr.write(`networkml: ${errorMessage(err)}\n`);
          process.exitCode = ExitCode.BAD_INPUT;
        }
      }
    });
}
