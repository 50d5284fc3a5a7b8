/** `networkml explain <capture...>`: which features pushed each capture's top role. */
import type { Command } from 'commander';
import { openHistory, requireNamedDataDir } from '../../decisions/open-history.js';
import { errorMessage, ModelError, NetworkmlError } from '../../errors.js';
import { HOST_FOOTPRINT_KIND, modelFileKind } from '../../models/host-footprint.js';
import { explainCapture, explainText } from '../../outputs/explain.js';
import { anomalyNameFor, anomalyScorer } from '../../pipeline/anomaly.js';
import { applyOwnHistory, evaluateCaptureDetailed, type HistoryPort } from '../../pipeline/evaluate.js';
import { pastServicesOf } from '../../pipeline/history-port.js';
import { roleModelFor } from '../../pipeline/model-registry.js';
import { addCaptureOptions, type CaptureCliOptions, decimalWholeNumber } from '../capture-options.js';
import { historyWhere, warnHistoryUnread } from '../history-where.js';
import { expandCaptureArgs } from '../inputs.js';
import { reportCorruptAfterResult, writeCaptureWarnings } from '../output.js';
import {
  addHistoryOptions,
  addModelOptions,
  evaluateOptionsFrom,
  HOST_FOOTPRINT_IGNORES,
  WITHOUT_HOST_FOOTPRINT,
  warnUnusedAnomalyOptions,
  warnUnusedWithoutAnomaly,
} from './eval.js';
import {
  addHostFootprintOptions,
  explainHostFootprintCli,
  type HostFootprintCliOptions,
  hostFootprintOptionsFrom,
  warnHostFootprintOptionsUnused,
  warnIgnoredByHostFootprint,
} from './host-footprint.js';

interface ExplainCliOptions extends CaptureCliOptions, HostFootprintCliOptions {
  model?: string;
  json?: boolean;
  top: string;
  history: boolean;
  dataDir?: string;
  redis?: string;
}

/**
 * The device history eval keeps, read only: with it a behaviour decision counts the services a device never
 * used before, as eval's did. One that cannot be opened costs that part (a warning, exit 4), not the
 * explanations.
 */
async function readHistory(
  cli: ExplainCliOptions,
  command: Command,
): Promise<{ port: Pick<HistoryPort, 'pastServices'>; close(): Promise<void> } | null> {
  try {
    const where = historyWhere(cli, command);
    requireNamedDataDir(where);
    const history = await openHistory({ ...where, readOnly: true });
    return {
      port: { pastServices: (mac, before) => pastServicesOf(history, mac, before) },
      close: () => history.close(),
    };
  } catch (err) {
    if (!(err instanceof NetworkmlError)) throw err;
    process.stderr.write(`networkml: ${errorMessage(err)} (explained without device history)\n`);
    process.exitCode = err.exitCode;
    return null;
  }
}

export function registerExplain(program: Command): void {
  addCaptureOptions(
    addModelOptions(
      addHistoryOptions(
        addHostFootprintOptions(program.command('explain'))
          .description("show which features pushed each capture's top role, from the model itself")
          .argument('<capture...>', "captures or directories; '-' reads standard input")
          .option('--top <n>', 'features to show', '10')
          .option('--json', 'one JSON object per line per capture'),
        "do not read device history (with it a behaviour model counts services the device never used before, as eval's decision did)",
      ),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml explain data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap --top 5\n  networkml explain --model host-footprint-v0.6.8 --no-srcmacid data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap --top 5\n  networkml explain --model v2.json --anomaly-model behavior.json capture.pcap   # also: why abnormal',
    )
    .action(async (args: string[], cli: ExplainCliOptions, command: Command) => {
      const top = decimalWholeNumber('top', cli.top, 1);
      if (cli.model && modelFileKind(cli.model) === HOST_FOOTPRINT_KIND) {
        const options = hostFootprintOptionsFrom(cli.model, cli);
        warnUnusedAnomalyOptions(command, ['anomaly', 'anomalyModel', 'threshold'], HOST_FOOTPRINT_IGNORES);
        warnIgnoredByHostFootprint(command);
        await explainHostFootprintCli(expandCaptureArgs(args), options, cli);
        return;
      }
      const given = evaluateOptionsFrom(cli);
      warnHostFootprintOptionsUnused(command, cli, WITHOUT_HOST_FOOTPRINT);
      // A bad model (role or behaviour) is the user's one mistake, not one per capture: loaded and checked
      // before any capture (exit 3), as eval does.
      const roleModel = roleModelFor(given.modelPath);
      // The role explanation needs no anomaly model; a behaviour model, when given, also says why a device
      // looks abnormal. The LSTM and SOS give a score without reasons: explain does not run them.
      const name = anomalyNameFor(given, roleModel);
      if (name === 'lstm' || name === 'sos')
        warnUnusedAnomalyOptions(
          command,
          ['anomaly', 'anomalyModel', 'threshold'],
          `by explain, which explains only a behaviour model's decision (not ${name}'s)`,
        );
      warnUnusedWithoutAnomaly(command, name);
      const options = {
        ...given,
        anomaly: name === 'behavior' ? 'behavior' : 'none',
        // A capture corrupt part-way: the packets before the corrupt record are explained (marked), then
        // its error (exit 1), as eval does.
        capture: { ...given.capture, partialOnCorrupt: true },
      } as const;
      anomalyScorer(options, roleModel);
      if (name !== 'behavior')
        warnHistoryUnread(
          command,
          "by explain without a behaviour model (only that model's decision reads device history)",
        );
      const history = name === 'behavior' && cli.history ? await readHistory(cli, command) : null;
      try {
        for (const path of expandCaptureArgs(args)) {
          try {
            const evaluation = await evaluateCaptureDetailed(path, options);
            writeCaptureWarnings(evaluation.result);
            if (history) await applyOwnHistory(evaluation.result, evaluation.history, history.port);
            const e = explainCapture(roleModel.model, evaluation, top);
            process.stdout.write(cli.json ? `${JSON.stringify(e)}\n` : `${explainText(e)}\n`);
            reportCorruptAfterResult(e.captureError);
          } catch (err) {
            // A capture's own failure is reported and the others explained; a model failure stops (exit 3).
            if (!(err instanceof NetworkmlError) || err instanceof ModelError) throw err;
            process.stderr.write(`networkml: ${errorMessage(err)}\n`);
            process.exitCode = err.exitCode;
          }
        }
      } finally {
        await history?.close();
      }
    });
}
