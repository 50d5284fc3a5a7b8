/** `networkml watch <capture|->`: a result per host each time a time bin of a live stream closes. */
import type { Command } from 'commander';
import { StoppedBeforeCaptureError } from '../../capture/reader-api.js';
import { stdinUntil } from '../../capture/source.js';
import { ExitCode, errorMessage, ModelError, UsageError } from '../../errors.js';
import { HOST_FOOTPRINT_KIND, modelFileKind } from '../../models/host-footprint.js';
import { noSessionsReason } from '../../outputs/no-sessions.js';
import { roleModelFor } from '../../pipeline/model-registry.js';
import { compatOnlyMessage, type WatchUpdate, watchBinOptions, watchCapture } from '../../pipeline/watch.js';
import { addCaptureOptions, analyzeOptionsFrom, type CaptureCliOptions } from '../capture-options.js';
import { openOutput, refuseOutputOverInput } from '../output.js';
import { addModelOptions, evaluateOptionsFrom, warnUnusedWithoutAnomaly } from './eval.js';

interface WatchCliOptions extends CaptureCliOptions {
  model?: string;
  json?: boolean;
  follow?: boolean;
  output?: string;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function pct(p: number): string {
  return `${Math.round(p * 100)}%`;
}

function watchText(u: WatchUpdate): string {
  const when = new Date(u.binEnd * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const roles = (r: [string, number][]) => r.map(([l, p]) => `${l} ${pct(p)}`).join(', ');
  // The behaviour verdict goes on the line of what it judged: this bin alone, or the host's sessions so far.
  const behavior =
    `; ${u.behavior}` +
    (u.abnormalityNote ? ` (${u.abnormalityNote})` : ` (abnormality ${u.abnormality.toFixed(3)})`);
  const reasons =
    u.behaviorDetail && u.behavior === 'abnormal'
      ? u.behaviorDetail.reasons.map((r) => `\n    - ${r}`).join('')
      : '';
  const bin = u.behaviorScope === 'bin';
  return (
    `${when} bin ${u.bin} ${u.mac || '-'} ${u.ip ?? '-'} (${u.sessions} session${u.sessions === 1 ? '' : 's'})\n` +
    `  this bin: ${roles(u.roles)}${bin ? behavior + reasons : ''}\n` +
    `  running (${u.binsSeen} bin${u.binsSeen === 1 ? '' : 's'}): ${roles(u.runningRoles)}${bin ? '' : behavior + reasons}`
  );
}

export function registerWatch(program: Command): void {
  addCaptureOptions(
    addModelOptions(
      program
        .command('watch')
        .description("follow a capture stream: each host's roles and behaviour whenever a time bin closes")
        .argument('<capture>', "a capture file, or '-' for standard input")
        .option('--json', 'one JSON object per host and bin')
        .option(
          '-o, --output <file>',
          'write the updates to this file instead of standard output, each as it comes (the file is emptied first)',
        )
        .option(
          '-f, --follow',
          'at the end of a capture file, wait for more (tail -F): a file being written is read as it grows',
        ),
      // No time bins in the host-footprint model, and streams take compat role models only.
      { hostFootprint: false },
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  tcpdump -i eth0 -U -w - | networkml watch -\n' +
        '  networkml watch --follow capture.pcap\n' +
        '  networkml watch --duration 60 --warmup 0 capture.pcap\n' +
        '  tcpdump -i eth0 -U -w - | networkml watch --json -o updates.jsonl -\n' +
        'Ctrl-C (or SIGTERM, SIGHUP) flushes the open bin and exits 0. A named pipe or <(tcpdump -U -w - …) is\n' +
        'read as standard input is. Without --follow a file is read to its current end; with it, a file tcpdump -w\n' +
        'is still writing is read as it grows (tail -F): one truncated or replaced at its path (rotated) is said so\n' +
        'on stderr and read from its start. pcap files one after another (cat, tail -F over rotated files) are\n' +
        'read as one stream.\n' +
        'A bin closes when a packet of a later bin arrives, or, when packet times follow the clock (a live\n' +
        'capture, not a replay), once the clock has passed its end by the delivery delay seen plus 2 s.\n' +
        'Role models: compat ones (the bundled one, or train --features compat); eval takes v2 and host-footprint models.',
    )
    .action(async (source: string, cli: WatchCliOptions, command: Command) => {
      if (cli.model && modelFileKind(cli.model) === HOST_FOOTPRINT_KIND)
        throw new ModelError(
          `${cli.model}: watch cannot use a host-footprint model (no time bins); use eval --model ${cli.model} instead`,
        );
      const capture = analyzeOptionsFrom(cli);
      const evaluate = evaluateOptionsFrom(cli);
      refuseSharedNonCompatModel(command, evaluate.modelPath);
      if (evaluate.anomaly) warnUnusedWithoutAnomaly(command, evaluate.anomaly);
      refuseOutputOverInput(cli.output, [source]);
      const out = await openOutput(cli.output, 'stream');
      const controller = new AbortController();
      // A blocked read of standard input would never see the abort: this one ends with it, the open bin flushes.
      // (A pipe given by path, and a followed file, end with the signal passed on below.)
      const input = source === '-' ? stdinUntil(controller.signal).stream : source;
      const onSignal = () => controller.abort();
      // SIGHUP too: a watch left running in a terminal that closes still flushes its open bin (to a file).
      for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
      let updates = 0;
      let failed = false;
      try {
        const summary = await watchCapture(
          input,
          {
            ...capture,
            ...evaluate,
            signal: controller.signal,
            ...(cli.follow ? { follow: true } : {}),
            onWarning: (w) => process.stderr.write(`networkml: warning: ${errorMessage(w.message)}\n`),
          },
          (u) => {
            updates++;
            out.write(cli.json ? `${JSON.stringify(u)}\n` : `${watchText(u)}\n`);
          },
        );
        // Nothing printed: say why (as eval does), or "it did nothing" and "there was nothing" look alike.
        if (updates === 0) {
          const options = watchBinOptions(capture, roleModelFor(evaluate.modelPath).model);
          process.stderr.write(`networkml: no bin to report: ${noSessionsReason({ summary, options })}\n`);
        }
      } catch (err) {
        // Interrupted before a capture header arrived: nothing was wrong with a capture that never came.
        if (!(controller.signal.aborted && err instanceof StoppedBeforeCaptureError)) {
          failed = true;
          throw err;
        }
      } finally {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
        // After a failure its error is the one to tell: a close failing too would replace it.
        await (failed ? out.close().catch(() => {}) : out.close());
      }
      if (controller.signal.aborted) process.exitCode = ExitCode.OK;
    });
}

/**
 * A v2 model set for every command (the config file's top-level "model", $NETWORKML_MODEL), as the README's
 * settings example does for eval, would make every watch fail on a model the user never gave it: said here
 * with where it came from and how to give watch its own. (Given with --model, watchCapture says it plainly.)
 */
function refuseSharedNonCompatModel(command: Command, modelPath: string | undefined): void {
  const source = command.getOptionValueSource('model');
  if (source !== 'config' && source !== 'env') return;
  const loaded = roleModelFor(modelPath);
  if (loaded.model.features.semantics === 'compat') return;
  const from =
    source === 'env'
      ? 'set by NETWORKML_MODEL'
      : 'set by the config file for every command (give watch its own: "watch": { "model": "onelayer-v0.4.8" })';
  throw new UsageError(`${compatOnlyMessage(loaded)}, ${from}; or --model onelayer-v0.4.8`);
}
