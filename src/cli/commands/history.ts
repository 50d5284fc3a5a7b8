/** `networkml history <mac> [--json] [--redis URL] [--data-dir DIR]`: a device's past results. */
import { type Command, Option } from 'commander';
import type { HistoryEntry } from '../../decisions/history.js';
import { openHistory, requireNamedDataDir } from '../../decisions/open-history.js';
import { UsageError } from '../../errors.js';
import { captureResultSchema } from '../../result.js';
import { historyWhere } from '../history-where.js';

export interface HistoryCliOptions {
  json?: boolean;
  redis?: string;
  dataDir?: string;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

interface Row {
  time: string;
  labels: string;
  behavior: string;
  investigate: string;
  abnormality: string;
  ips: string;
  model: string;
}

/**
 * What our stored result says about the device, when the entry carries one (parsed with the result schema;
 * updates written by the original, or by a version with another result shape, show "-").
 */
function decisionsOf(entry: HistoryEntry): {
  behavior?: string;
  investigate?: boolean;
  abnormality?: number;
} {
  const parsed = captureResultSchema.safeParse(entry.result);
  if (!parsed.success) return {};
  const result = parsed.data;
  const device = result.data[result.key];
  const decisions = typeof device === 'object' && device.valid ? device.decisions : undefined;
  return {
    ...(decisions ? { behavior: decisions.behavior, investigate: decisions.investigate } : {}),
    ...(result.detail ? { abnormality: result.detail.abnormality } : {}),
  };
}

function isoTime(t: number): string {
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime())
    ? String(t)
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/** `location`: where the history was looked for (history.location), so a wrong place is seen. */
export function historyTable(mac: string, entries: HistoryEntry[], location: string): string {
  if (entries.length === 0) return `no history for ${mac} in ${location}\n`;
  const rows: Row[] = entries.map((e) => {
    const d = decisionsOf(e);
    return {
      time: isoTime(e.time),
      labels: e.labels
        .slice(0, 3)
        .map((l, i) => `${l} ${((e.confidences[i] ?? 0) * 100).toFixed(1)}%`)
        .join(', '),
      behavior: d.behavior ?? '-',
      investigate: d.investigate === undefined ? '-' : d.investigate ? 'yes' : 'no',
      abnormality: d.abnormality === undefined ? '-' : d.abnormality.toFixed(4),
      ips: String(e.other_ips.length),
      model: e.model_hash.slice(0, 12) || '-',
    };
  });
  const header: Row = {
    time: 'time (UTC)',
    labels: 'roles',
    behavior: 'behavior',
    investigate: 'investigate',
    abnormality: 'abnormality',
    ips: 'peers',
    model: 'model',
  };
  const cols = Object.keys(header) as (keyof Row)[];
  const width = Object.fromEntries(
    cols.map((c) => [c, Math.max(...[header, ...rows].map((r) => r[c].length))]),
  );
  const line = (r: Row) =>
    cols
      .map((c) => r[c].padEnd(width[c]!))
      .join('  ')
      .trimEnd();
  const updates = entries.length === 1 ? '1 update' : `${entries.length} updates`;
  return `${mac}: ${updates}\n${[header, ...rows].map(line).join('\n')}\n`;
}

/** `command`: the parsed `history` command, whose typed `--data-dir` is warned of when Redis wins. */
export async function runHistory(
  mac: string,
  options: HistoryCliOptions,
  out: NodeJS.WritableStream = process.stdout,
  command?: Command,
): Promise<void> {
  if (!MAC.test(mac.trim()))
    throw new UsageError(`not a MAC address: "${mac}" (expected e.g. 00:11:22:aa:bb:cc)`);
  const where = historyWhere(options, command);
  requireNamedDataDir(where);
  const history = await openHistory({ ...where, readOnly: true });
  try {
    const entries = await history.list(mac);
    const normalised = mac.trim().toLowerCase();
    out.write(
      options.json
        ? `${JSON.stringify({ mac: normalised, history: history.location, updates: entries })}\n`
        : historyTable(normalised, entries, history.location),
    );
  } finally {
    await history.close();
  }
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description("a device's past results: update times, roles, decisions (from eval's device history)")
    .argument('<mac>', 'the device MAC address, e.g. 00:11:22:aa:bb:cc')
    .option(
      '--json',
      'one JSON object: {"mac", "history" (where it was read), "updates": [...]} with every stored field',
    )
    .addOption(
      new Option(
        '--redis <url>',
        'read the history from Redis (the original key layout), as eval records it; default REDIS_HOST if set',
      ).env('NETWORKML_REDIS'),
    )
    .option(
      '--data-dir <dir>',
      'where the SQLite history lives, which must exist (default $NETWORKML_DATA_DIR or ~/.local/share/networkml; ignored with Redis)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml history 00:11:22:aa:bb:cc\n  networkml history 00:11:22:aa:bb:cc --json --redis redis://127.0.0.1:6379\n',
    )
    .action(async (mac: string, options: HistoryCliOptions, command: Command) => {
      await runHistory(mac, options, process.stdout, command);
    });
}
