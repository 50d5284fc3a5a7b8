/** The CLI side of NetworkML v0.6.8's host-footprint model (`--model host-footprint-v0.6.8`). */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { loadHostFootprintModel } from '../../models/host-footprint.js';
import { alignColumns, partialLine } from '../../outputs/table.js';
import type { HostFootprintEvalResult, PredictJsonOptions } from '../../pipeline/host-footprint.js';
import { runJobs } from '../../pipeline/pool.js';
import { decimalWholeNumber, threadsFrom } from '../capture-options.js';
import { optionsGiven } from '../option-source.js';
import { openOutput, reportCorruptAfterResult, writeCaptureWarnings } from '../output.js';
import { createProgress } from '../progress.js';

/** The options the host-footprint model adds to eval, explain and inspect. */
export interface HostFootprintCliOptions {
  srcmacid?: boolean;
  csvChunkRows?: string;
}

export function addHostFootprintOptions(command: Command): Command {
  return command
    .option(
      '--srcmacid',
      "host-footprint model: only the MAC NetworkML v0.6.8 takes for the capture's device (default)",
    )
    .option(
      '--no-srcmacid',
      'host-footprint model: every unicast MAC, not only the one NetworkML v0.6.8 picks',
    )
    .option(
      '--csv-chunk-rows <n>',
      "host-footprint model: the original's pandas read chunk, which decided IPv6 rounding (default 2048)",
    );
}

export function hostFootprintOptionsFrom(model: string, cli: HostFootprintCliOptions): PredictJsonOptions {
  const options: PredictJsonOptions = {
    model,
    selection: cli.srcmacid === false ? 'no-srcmacid' : 'srcmacid',
  };
  if (cli.csvChunkRows !== undefined) {
    const n = decimalWholeNumber('csv-chunk-rows', cli.csvChunkRows, 1);
    if (!Number.isInteger(Math.log2(n)))
      throw new UsageError(`--csv-chunk-rows must be a power of two, not '${cli.csvChunkRows}'`);
    options.csvChunkRows = n;
  }
  return options;
}

/**
 * The flags among `flags` typed on the command line. Values from the environment or a config file are standing
 * defaults for every command (the Docker image sets NETWORKML_DATA_DIR), not a request for this run.
 */
function typedFlags(command: Command, flags: Record<string, string>): string[] {
  return optionsGiven(command, Object.keys(flags), ['cli']).map((key) => flags[key]!);
}

/** Options of eval, explain and inspect that the host-footprint path cannot use. */
const SESSION_FLAGS = {
  duration: '--duration',
  warmup: '--warmup',
  publicSessions: '--public-sessions',
  perHost: '--per-host',
  long: '--long',
  // Not --no-history: it asks for what happens anyway.
  dataDir: '--data-dir',
  redis: '--redis',
};

/**
 * One warning naming the session, bin and history options given to a host-footprint run: NetworkML v0.6.8
 * had none of them, so they change nothing, and a user who asked for a 60 s warm-up or `--per-host` must
 * not take the result for one that honoured it.
 */
export function warnIgnoredByHostFootprint(
  command: Command,
  runWith = 'a host-footprint model',
  /** The calling command's own options the host-footprint path ignores, named in the same line. */
  alsoIgnored: Record<string, string> = {},
): void {
  const given = typedFlags(command, { ...SESSION_FLAGS, ...alsoIgnored });
  if (given.length === 0) return;
  const hint = given.includes('--per-host') ? '; --no-srcmacid gives every host' : '';
  process.stderr.write(
    `networkml: warning: ${given.join(', ')} ignored with ${runWith} (NetworkML v0.6.8 has no sessions, time bins or device history${hint})\n`,
  );
}

/**
 * One warning naming the host-footprint options given to a run of another model (`without`: what would have
 * used them), e.g. Poseidon HEAD's `--no-srcmacid` copied without `--model host-footprint-v0.6.8`.
 */
export function warnHostFootprintOptionsUnused(
  command: Command,
  cli: HostFootprintCliOptions,
  without: string,
): void {
  const given = typedFlags(command, {
    srcmacid: cli.srcmacid === false ? '--no-srcmacid' : '--srcmacid',
    csvChunkRows: '--csv-chunk-rows',
  });
  if (given.length > 0) process.stderr.write(`networkml: warning: ${given.join(', ')} ignored ${without}\n`);
}

function pct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** One row per host. */
export function hostFootprintTable(results: HostFootprintEvalResult[]): string {
  const rows: string[][] = [['CAPTURE', 'MAC', 'IP', 'ROLES (TOP 3)', 'INVESTIGATE', 'LAST SEEN (UTC)']];
  for (const r of results) {
    // A result of the packets before a corrupt record (the error is on stderr), as eval's table marks it.
    const capture = `${basename(r.file).split('.')[0]!}${r.capture_error ? ' (partial)' : ''}`;
    const hosts = Object.entries(r.data.mac_addresses);
    if (hosts.length === 0) rows.push([capture, '-', '-', `no host (${r.note ?? 'valid: false'})`, '-', '-']);
    for (const [mac, d] of hosts) {
      rows.push([
        capture,
        mac,
        d.source_ip ?? '-',
        d.classification.labels.map((l, i) => `${l} ${pct(d.classification.confidences[i]!)}`).join(', '),
        d.decisions.investigate ? 'yes' : 'no',
        new Date(d.timestamp * 1000).toISOString().slice(0, 16).replace('T', ' '),
      ]);
    }
  }
  return alignColumns(rows);
}

/** `networkml eval --model host-footprint-v0.6.8 ...`: no device history (v0.6.8 kept none). */
export async function evalHostFootprint(
  paths: string[],
  options: PredictJsonOptions,
  cli: { json?: boolean; output?: string; threads?: string },
): Promise<void> {
  // A bad model is refused before any work (exit 3).
  loadHostFootprintModel(options.model);
  const out = await openOutput(cli.output);
  const progress = createProgress(paths.length, 'eval', Boolean(cli.json));
  // A capture corrupt part-way: the hosts of the packets before the corrupt record, marked, then its error
  // (exit 1), as eval with the other models.
  const partial = { ...options, partialOnCorrupt: true };
  const results = await runJobs(
    'hostFootprint',
    paths.map((path) => ({ path, options: partial })),
    { threads: threadsFrom(cli), onDone: () => progress.tick() },
  );
  progress.stop();
  const shown: HostFootprintEvalResult[] = [];
  for (const r of results) {
    if (!r.ok) {
      process.stderr.write(`networkml: ${r.error}\n`);
      process.exitCode = r.exitCode;
      continue;
    }
    writeCaptureWarnings(r.value);
    if (cli.json) out.write(`${JSON.stringify(r.value)}\n`);
    else shown.push(r.value);
    reportCorruptAfterResult(r.value.capture_error);
  }
  if (!results.some((r) => r.ok)) return out.abandon();
  if (shown.length) out.write(`${hostFootprintTable(shown)}\n`);
  await out.close();
}

/** `inspect --features host-footprint`: the 221 named values of every host, readable or one JSON line per capture. */
export async function inspectHostFootprint(
  paths: string[],
  options: PredictJsonOptions,
  json: boolean,
): Promise<void> {
  const { analyzeHostFootprint } = await import('../../pipeline/host-footprint.js');
  const { HOST_FOOTPRINT_FEATURES } = await import('../../features/host-footprint/names.js');
  const { hostFootprintCaptureError } = await import('../../pipeline/host-footprint.js');
  for (const path of paths) {
    try {
      const a = await analyzeHostFootprint(path, { ...options, partialOnCorrupt: true });
      writeCaptureWarnings({ warnings: a.summary.warnings.map((w) => w.message) });
      const marked = hostFootprintCaptureError(a);
      const hosts = a.hosts.map((h) => ({
        mac: h.mac,
        source_ip: h.sourceIp,
        srcips: h.srcips,
        timestamp: h.timestamp,
        features: Object.fromEntries(HOST_FOOTPRINT_FEATURES.map((n, i) => [n, h.features[i]!])),
      }));
      if (json) {
        const record = {
          file: path,
          selection: options.selection ?? 'srcmacid',
          hosts,
          ...(a.note ? { note: a.note } : {}),
          ...marked,
        };
        process.stdout.write(`${JSON.stringify(record)}\n`);
        reportCorruptAfterResult(a.corrupt);
        continue;
      }
      const lines = [
        `${path}  (${a.summary.packets} packets; ${hosts.length} host(s), ${options.selection ?? 'srcmacid'})`,
      ];
      const partial = partialLine(marked);
      if (partial) lines.push(`  partial: ${partial}`);
      if (a.note) lines.push(`  no host: ${a.note}`);
      for (const h of hosts) {
        lines.push(
          `  host ${h.mac}  source_ip ${h.source_ip ?? '-'}  last seen ${new Date(h.timestamp * 1000).toISOString()}`,
        );
        for (const [name, value] of Object.entries(h.features)) lines.push(`    ${name.padEnd(40)} ${value}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      reportCorruptAfterResult(a.corrupt);
    } catch (err) {
      await reportError(err);
    }
  }
}

async function reportError(err: unknown): Promise<void> {
  const { errorMessage, NetworkmlError } = await import('../../errors.js');
  if (!(err instanceof NetworkmlError)) throw err;
  process.stderr.write(`networkml: ${errorMessage(err)}\n`);
  process.exitCode = err.exitCode;
}

export interface HostExplanation {
  mac: string;
  label: string;
  probability: number;
  scale: string;
  base: number;
  influences: { feature: number; name: string; contribution: number; value: number }[];
}

/** `explain --model host-footprint-v0.6.8`: per host, the features that pushed its top role. */
export async function explainHostFootprintCli(
  paths: string[],
  options: PredictJsonOptions,
  cli: { json?: boolean; top: string },
): Promise<void> {
  const { analyzeHostFootprint, predictHost } = await import('../../pipeline/host-footprint.js');
  const { explainHostFootprint } = await import('../../models/host-footprint.js');
  const model = loadHostFootprintModel(options.model);
  const top = Number(cli.top);
  for (const path of paths) {
    try {
      const a = await analyzeHostFootprint(path, { ...options, partialOnCorrupt: true });
      // explain's JSON names it captureError, as for the other models.
      const captureError = a.corrupt ? { kind: 'corrupt' as const, ...a.corrupt } : undefined;
      writeCaptureWarnings({ warnings: a.summary.warnings.map((w) => w.message) });
      const hosts: HostExplanation[] = a.hosts.map((h) => {
        const p = predictHost(model, h);
        const k = model.classes.indexOf(p.ranked[0]!.class);
        const e = explainHostFootprint(model, p.modelInput, k);
        const influences = [...e.contributions]
          .map((contribution, feature) => ({
            feature,
            name: model.features[feature]!,
            contribution,
            value: p.modelInput[feature]!,
          }))
          .filter((f) => f.contribution !== 0)
          .sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution) || x.feature - y.feature)
          .slice(0, top);
        return {
          mac: h.mac,
          label: p.ranked[0]!.label,
          probability: p.ranked[0]!.p,
          scale: 'centred logit (gradient × standardized input)',
          base: e.base,
          influences,
        };
      });
      if (cli.json) {
        process.stdout.write(
          `${JSON.stringify({ file: path, hosts, ...(a.note ? { note: a.note } : {}), ...(captureError ? { captureError } : {}) })}\n`,
        );
        reportCorruptAfterResult(captureError);
        continue;
      }
      const partial = partialLine({ capture_error: captureError });
      const lines = [partial ? `${path}\n  partial: ${partial}` : path];
      if (hosts.length === 0) lines.push(`  no host${a.note ? `: ${a.note}` : ''}`);
      for (const h of hosts) {
        lines.push(
          `  host ${h.mac}: top role ${h.label} (${pct(h.probability)}), contributions to its ${h.scale}:`,
        );
        for (const f of h.influences) {
          const sign = f.contribution >= 0 ? '+' : '−';
          lines.push(`    ${f.name}: ${sign}${Math.abs(f.contribution).toFixed(3)}   (value ${f.value})`);
        }
        lines.push(`    (baseline ${h.base.toFixed(3)})`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      reportCorruptAfterResult(captureError);
    } catch (err) {
      await reportError(err);
    }
  }
}
