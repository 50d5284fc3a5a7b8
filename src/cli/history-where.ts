/** Where eval, explain and history find the device history, from their `--data-dir` and `--redis`. */
import type { Command } from 'commander';
import { type OpenHistoryOptions, redisLocation, redisUrlFrom } from '../decisions/open-history.js';
import { optionsGiven } from './option-source.js';

export interface HistoryWhereCliOptions {
  dataDir?: string;
  redis?: string;
}

/**
 * The history the options name. Redis (`--redis`, $NETWORKML_REDIS, REDIS_HOST) wins over the data directory,
 * so a `--data-dir` typed for this run beside it would go unread without a word: one warning line says so.
 * One from $NETWORKML_DATA_DIR is not named: the Docker image sets it on every run. Call it only when the
 * history is used (not with `--no-history`); without `command` (a call from code) nothing was typed.
 */
export function historyWhere(cli: HistoryWhereCliOptions, command?: Command): OpenHistoryOptions {
  // One from $NETWORKML_DATA_DIR is left for openHistory to read: its messages then say where it came from.
  const fromEnv = command?.getOptionValueSource('dataDir') === 'env';
  const where = {
    ...(cli.dataDir && !fromEnv ? { dataDir: cli.dataDir } : {}),
    ...(cli.redis ? { redis: cli.redis } : {}),
  };
  const url = redisUrlFrom(where);
  if (url && cli.dataDir && command && optionsGiven(command, ['dataDir'], ['cli']).length > 0)
    process.stderr.write(
      `networkml: warning: --data-dir ${cli.dataDir} ignored: device history is kept in Redis (${redisLocation(url)})\n`,
    );
  return where;
}

/**
 * One warning naming the history options typed for a run that reads no history (`why`, e.g. explain without a
 * behaviour model). Not for `--no-history`, which asks for exactly that, nor for the environment's.
 */
export function warnHistoryUnread(command: Command, why: string): void {
  const typed = optionsGiven(command, ['dataDir', 'redis'], ['cli']);
  if (typed.length > 0 && command.getOptionValue('history') !== false)
    process.stderr.write(
      `networkml: warning: ${typed.map((key) => (key === 'dataDir' ? '--data-dir' : '--redis')).join(', ')} ignored ${why}\n`,
    );
}
