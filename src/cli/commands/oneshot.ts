/**
 * `networkml oneshot` (hidden): what Poseidon's two invocations are rewritten to (cli/poseidon-args.ts).
 * Prints the message(s) on stdout, one JSON line each, before publishing them (a broker that is down then
 * still leaves the result in the container's log), and exits.
 */
import { type Command, Option } from 'commander';
import { resolveModelPath } from '../../models/host-footprint.js';
import { ONE_SHOT_MODES, type OneShotMode, runOneShot } from '../../service/oneshot.js';
import { writeCaptureWarnings } from '../output.js';

interface OneShotFlags {
  mode: OneShotMode;
  model?: string;
  srcmacid: boolean;
}

export function registerOneShot(program: Command): void {
  program
    .command('oneshot', { hidden: true })
    .description(
      "evaluate one capture and publish its result as Poseidon's worker expects (`networkml -p FILE`, " +
        '`networkml --no-srcmacid -o/tmp FILE`); see docs/service.md',
    )
    .argument('<capture>', 'the capture Poseidon names (its file_path)')
    .addOption(
      new Option('--mode <release>', 'NetworkML release whose contract to follow')
        .choices(ONE_SHOT_MODES)
        .makeOptionMandatory(),
    )
    // The same variable as eval's --model: a config file's "model" reaches this option too, and the
    // environment must keep its place above the config file.
    .addOption(
      new Option('-m, --model <file>', 'v0.4.8 mode: role model (default: the bundled one-layer model)').env(
        'NETWORKML_MODEL',
      ),
    )
    .option(
      '--no-srcmacid',
      "v0.6.10 mode: every unicast host (the default --srcmacid: only the MAC v0.6 takes for the capture's device)",
    )
    .action(async (capture: string, flags: OneShotFlags) => {
      await runOneShot(
        {
          mode: flags.mode,
          capture,
          srcMacId: flags.srcmacid,
          ...(flags.model ? { modelPath: resolveModelPath(flags.model) } : {}),
        },
        (messages, warnings) => {
          writeCaptureWarnings({ warnings });
          for (const message of messages) process.stdout.write(`${JSON.stringify(message)}\n`);
        },
      );
    });
}
