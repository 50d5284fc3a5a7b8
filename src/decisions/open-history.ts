/**
 * Opening a device history: Redis when configured, else SQLite under the data directory. Kept apart from
 * history.ts (what both stores share), which the stores import, so the modules do not import each other.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { NetworkmlError, UsageError } from '../errors.js';
import type { DeviceHistory } from './history.js';

export const HISTORY_FILE = 'history.sqlite';

/**
 * `$NETWORKML_DATA_DIR`, else ~/.local/share/networkml. A blank one is refused (usage error), as every command's
 * options refuse it: a variable a deployment failed to fill in would otherwise read or write the default history.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.NETWORKML_DATA_DIR;
  if (dir !== undefined && dir.trim() === '')
    throw new UsageError('NETWORKML_DATA_DIR must not be empty (it sets --data-dir)');
  if (dir) return dir;
  return join(homedir(), '.local', 'share', 'networkml');
}

export interface OpenHistoryOptions {
  /** redis://host:port[/db]; wins over REDIS_HOST. */
  redis?: string;
  dataDir?: string;
  /** Do not create the SQLite file when it does not exist (reading commands). */
  readOnly?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Redis URL from the options or the original's `REDIS_HOST` (port 6379), else null for SQLite. */
export function redisUrlFrom(options: OpenHistoryOptions): string | null {
  if (options.redis) return options.redis;
  const host = (options.env ?? process.env).REDIS_HOST;
  if (host && host !== '') return host.includes('://') ? host : `redis://${host}:6379`;
  return null;
}

/** A Redis URL for messages and logs: its password (if any) masked, the rest as given. */
export function redisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL ioredis's parser would take either; still, hide anything that looks like credentials.
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}

/** Redis when configured (`--redis URL` or `REDIS_HOST`), else SQLite under the data directory. */
export async function openHistory(options: OpenHistoryOptions = {}): Promise<DeviceHistory> {
  const url = redisUrlFrom(options);
  if (url) {
    const { RedisHistory } = await import('./history-redis.js');
    return RedisHistory.connect(url);
  }
  const { SqliteHistory } = await import('./history-sqlite.js');
  const dir = options.dataDir ?? defaultDataDir(options.env);
  return SqliteHistory.open(join(dir, HISTORY_FILE), { readOnly: options.readOnly ?? false });
}

/**
 * For commands that only read the history: a data directory the user named (`dataDir`, or $NETWORKML_DATA_DIR)
 * must be there, or a mistyped one would read as "no history". The built-in default not existing yet only means
 * nothing was recorded; with Redis configured there is no directory to check.
 */
export function requireNamedDataDir(options: OpenHistoryOptions): void {
  const named = namedDataDir(options);
  if (!named) return;
  const stat = statSync(named.dir, { throwIfNoEntry: false });
  if (!stat) throw new NetworkmlError(`data directory ${named.dir}${named.from} does not exist`);
  if (!stat.isDirectory())
    throw new NetworkmlError(`data directory ${named.dir}${named.from} is not a directory`);
}

/**
 * For commands that write the history (eval): a data directory the user named is made if missing, but only its
 * last level — a mistyped path (`/tmp/typo/a/b`) would otherwise become a new, empty history, silently, against
 * which every device looks new. The built-in default is made whole.
 */
export function requireNamedDataDirParent(options: OpenHistoryOptions): void {
  const named = namedDataDir(options);
  if (!named) return;
  const stat = statSync(named.dir, { throwIfNoEntry: false });
  if (stat) {
    if (!stat.isDirectory())
      throw new NetworkmlError(`data directory ${named.dir}${named.from} is not a directory`);
    return;
  }
  const parent = dirname(resolve(named.dir));
  if (!statSync(parent, { throwIfNoEntry: false })?.isDirectory())
    throw new NetworkmlError(
      `data directory ${named.dir}${named.from} does not exist, nor does ${parent}: only its last level is made (check the path)`,
    );
}

/** The data directory the user named (`dataDir`, or $NETWORKML_DATA_DIR), null for the default or with Redis. */
function namedDataDir(options: OpenHistoryOptions): { dir: string; from: string } | null {
  const env = options.env ?? process.env;
  if (redisUrlFrom({ ...(options.redis ? { redis: options.redis } : {}), env })) return null;
  const fromEnv = options.dataDir ? undefined : env.NETWORKML_DATA_DIR;
  // A blank one is a usage error there (defaultDataDir), not "unset": the default history would be read.
  if (fromEnv !== undefined) defaultDataDir(env);
  return options.dataDir
    ? { dir: options.dataDir, from: '' }
    : fromEnv
      ? { dir: fromEnv, from: ' (from $NETWORKML_DATA_DIR)' }
      : null;
}
