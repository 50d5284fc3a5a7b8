/** `networkml history [mac] [--json] [--redis URL] [--data-dir DIR]`: a device's past results, or every device's latest. */
import { type Command, Option } from 'commander';
import { type DeviceSummary, type HistoryEntry, parseMacAddress } from '../../decisions/history.js';
import { openHistory, requireNamedDataDir } from '../../decisions/open-history.js';
import { NetworkmlError, UsageError } from '../../errors.js';
import { alignColumns } from '../../outputs/table.js';
import { captureResultSchema } from '../../result.js';
import { historyWhere } from '../history-where.js';

export interface HistoryCliOptions {
  json?: boolean;
  forget?: boolean;
  redis?: string;
  dataDir?: string;
}

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

function topRoles(e: HistoryEntry): string {
  return e.labels
    .slice(0, 3)
    .map((l, i) => `${l} ${((e.confidences[i] ?? 0) * 100).toFixed(1)}%`)
    .join(', ');
}

/** `location`: where the history was looked for (history.location), so a wrong place is seen. */
export function historyTable(mac: string, entries: HistoryEntry[], location: string): string {
  if (entries.length === 0) return `no history for ${mac} in ${location}\n`;
  const rows: Row[] = entries.map((e) => {
    const d = decisionsOf(e);
    return {
      time: isoTime(e.time),
      labels: topRoles(e),
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
  const updates = entries.length === 1 ? '1 update' : `${entries.length} updates`;
  return `${mac}: ${updates}\n${alignColumns([header, ...rows].map((r) => cols.map((c) => r[c])))}\n`;
}

/** The devices of a history, one line each: how often and when seen, and their latest result. */
export function devicesTable(devices: DeviceSummary[], location: string): string {
  if (devices.length === 0) return `no device history in ${location}\n`;
  const header = ['mac', 'updates', 'first (UTC)', 'last (UTC)', 'latest roles', 'behavior', 'investigate'];
  const rows = devices.map((d) => {
    const e = d.latest;
    const decided = decisionsOf(e);
    return [
      d.mac,
      String(d.updates),
      isoTime(d.first),
      isoTime(e.time),
      topRoles(e),
      decided.behavior ?? '-',
      decided.investigate === undefined ? '-' : decided.investigate ? 'yes' : 'no',
    ];
  });
  const count = devices.length === 1 ? '1 device' : `${devices.length} devices`;
  return `${count} in ${location}\n${alignColumns([header, ...rows])}\n`;
}

/**
 * `mac`: one device's updates; absent: every device's latest. `command`: the parsed `history` command, whose
 * typed `--data-dir` is warned of when Redis wins.
 */
export async function runHistory(
  mac: string | undefined,
  options: HistoryCliOptions,
  out: NodeJS.WritableStream = process.stdout,
  command?: Command,
): Promise<void> {
  const normalised = mac === undefined ? null : parseMacAddress(mac);
  if (mac !== undefined && normalised === null)
    throw new UsageError(
      `not a MAC address: "${mac}" (expected e.g. 00:11:22:aa:bb:cc, 00-11-22-aa-bb-cc or 0011.22aa.bbcc)`,
    );
  if (options.forget && normalised === null)
    throw new UsageError('--forget needs the MAC address of the device to forget');
  const where = historyWhere(options, command);
  requireNamedDataDir(where);
  const history = await openHistory({ ...where, readOnly: true });
  if (options.forget && normalised !== null) {
    // Looked up read-only first: a history that is not there is not created to remove nothing from it.
    let updates: number;
    try {
      updates = (await history.list(normalised)).length;
    } finally {
      await history.close();
    }
    if (updates === 0)
      throw new NetworkmlError(`no history for ${normalised} in ${history.location}: nothing to forget`);
    const writable = await openHistory(where);
    try {
      const forgotten = await writable.forget(normalised);
      out.write(
        options.json
          ? `${JSON.stringify({ mac: normalised, history: writable.location, forgotten })}\n`
          : `forgot ${normalised}: ${forgotten === 1 ? '1 update' : `${forgotten} updates`} removed from ${writable.location}\n`,
      );
    } finally {
      await writable.close();
    }
    return;
  }
  try {
    if (normalised === null) {
      const devices = await history.devices();
      out.write(
        options.json
          ? `${JSON.stringify({ history: history.location, devices: devices.map(deviceJson) })}\n`
          : devicesTable(devices, history.location),
      );
      return;
    }
    const entries = await history.list(normalised);
    out.write(
      options.json
        ? `${JSON.stringify({ mac: normalised, history: history.location, updates: entries })}\n`
        : historyTable(normalised, entries, history.location),
    );
  } finally {
    await history.close();
  }
}

/** A device of `history --json` without a MAC: its latest update's roles and decisions, not its vectors. */
function deviceJson(d: DeviceSummary) {
  const e = d.latest;
  return {
    mac: d.mac,
    updates: d.updates,
    first: d.first,
    last: e.time,
    labels: e.labels,
    confidences: e.confidences,
    ...decisionsOf(e),
    model_hash: e.model_hash,
  };
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description(
      "a device's past results: update times, roles, decisions (from eval's device history); without a MAC, every device's latest",
    )
    .argument(
      '[mac]',
      'the device MAC address, e.g. 00:11:22:aa:bb:cc (also 00-11-22-aa-bb-cc, 0011.22aa.bbcc, 001122aabbcc)',
    )
    .option(
      '--json',
      'one JSON object: {"mac", "history" (where it was read), "updates": [...]} with every stored field; without a MAC {"history", "devices": [{"mac", "updates", "first", "last", "labels", "confidences", "behavior", "investigate", "abnormality", "model_hash"}]}',
    )
    .option(
      '--forget',
      'remove every update of the device (replaced, or its MAC reused): its next eval starts a new history; with --json {"mac", "history", "forgotten"}',
    )
    .addOption(
      new Option(
        '--redis <url>',
        'read the history from Redis (the original key layout), as eval records it; default REDIS_HOST if set',
      ).env('NETWORKML_REDIS'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'where the SQLite history lives, which must exist (default ~/.local/share/networkml; ignored with Redis)',
      ).env('NETWORKML_DATA_DIR'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  networkml history\n  networkml history 00:11:22:aa:bb:cc\n  networkml history 00:11:22:aa:bb:cc --json --redis redis://127.0.0.1:6379\n  networkml history --forget 00:11:22:aa:bb:cc\n',
    )
    .action(async (mac: string | undefined, options: HistoryCliOptions, command: Command) => {
      await runHistory(mac, options, process.stdout, command);
    });
}
