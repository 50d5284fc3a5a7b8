/**
 * `networkml.config.json`: defaults for any command-line option, so a deployment can be configured once.
 * Precedence, lowest first: built-in default < config file < environment variable < command line.
 *
 * Shape: option names in camelCase (as `--anomaly-model` → `anomalyModel`) at the top level apply to every
 * command that has that option; an object under a command's name applies to that command only:
 *   { "warmup": 1, "model": "models/site.json", "eval": { "threads": 2 }, "worker": { "prefetch": 4 } }
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { redisLocation } from '../decisions/open-history.js';
import { UsageError } from '../errors.js';

export const CONFIG_FILE = 'networkml.config.json';

type Setting = string | number | boolean;
export type Config = Record<string, Setting | Record<string, Setting>>;

export interface LoadedConfig {
  path: string;
  config: Config;
}

/** Finds the config: `--config FILE`, else NETWORKML_CONFIG, else ./networkml.config.json when present. */
export function findConfig(args: string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig | null {
  let path: string | undefined;
  const at = args.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (at >= 0) {
    path = args[at]!.includes('=') ? args[at]!.slice('--config='.length) : args[at + 1];
    if (!path) throw new UsageError('--config needs a file');
    args.splice(at, args[at]!.includes('=') ? 1 : 2);
  } else if (env.NETWORKML_CONFIG) path = env.NETWORKML_CONFIG;
  else if (existsSync(CONFIG_FILE)) path = CONFIG_FILE;
  if (!path) return null;
  let raw: unknown;
  try {
    // Windows editors (Notepad) save UTF-8 with a byte-order mark, which JSON.parse refuses.
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${path}: cannot read config (${(err as Error).message.split('\n')[0]})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new UsageError(`${path}: a config is a JSON object`);
  return { path, config: raw as Config };
}

function optionsOf(command: Command): Map<string, Option> {
  return new Map(command.options.map((o) => [o.attributeName(), o]));
}

function checkValue(path: string, where: string, option: Option, value: unknown): Setting {
  const takesValue = option.required || option.optional;
  if (takesValue) {
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      if (text.trim() === '') throw new UsageError(`${path}: ${where} must not be empty`);
      if (option.argChoices && !option.argChoices.includes(text)) {
        throw new UsageError(
          `${path}: ${where} must be one of ${option.argChoices.join(', ')}, not '${text}'`,
        );
      }
      return text;
    }
    throw new UsageError(`${path}: ${where} must be a string or a number`);
  }
  if (typeof value !== 'boolean') throw new UsageError(`${path}: ${where} must be true or false`);
  return value;
}

/** Settings are named as in code (`anomalyModel`); one written as its flag (`anomaly-model`) gets the name. */
function camelHint(key: string): string {
  const camel = key.replace(/^-+/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel === key ? '' : ` (settings are camelCase: '${camel}')`;
}

/** Placeholders of options whose value names something: a blank one names nothing (it is not the default). */
const NAMING_VALUE = /<(file|dir|model|url|host|name|key)>/;

/**
 * Refuses a blank value for an option that names a file, directory, host… (`--model ''`, `NETWORKML_MODEL=`):
 * the commands read '' as "not given", so a variable that a deployment failed to fill in would silently give
 * the bundled model or the default history. Numeric options refuse blanks where they are parsed.
 */
export function refuseBlankValues(program: Command): void {
  program.hook('preAction', (_program, action) => {
    for (const option of action.options) {
      if (!NAMING_VALUE.test(option.flags) || option.argChoices) continue;
      const name = option.attributeName();
      const value: unknown = action.getOptionValue(name);
      if (typeof value !== 'string' || value.trim() !== '') continue;
      const flag = option.long ?? option.flags;
      throw new UsageError(
        action.getOptionValueSource(name) === 'env'
          ? `${option.envVar} must not be empty (it sets ${flag})`
          : `${flag} must not be empty`,
      );
    }
  });
}

/**
 * A Redis location `--redis` (or NETWORKML_REDIS, or the original's REDIS_HOST) may name: a redis:// or rediss://
 * URL with a host, a Unix socket's absolute path, or `host[:port]` as ioredis reads it. Another scheme
 * (`http://x:1`) ioredis reads as a socket path, so it failed only when first used: in the worker, every job.
 */
export function redisLocationProblem(value: string): string | null {
  if (value.startsWith('/')) return null;
  if (!value.includes('://')) {
    // host, host:port, [v6]:port
    return /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value)
      ? null
      : 'must be a redis:// or rediss:// URL (redis://host:6379), host:port, or a Unix socket path';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a redis:// or rediss:// URL (redis://host:6379), host:port, or a Unix socket path';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return `must be a redis:// or rediss:// URL, not ${url.protocol}//`;
  if (url.hostname === '') return 'names no host (redis://host:6379)';
  return null;
}

/**
 * Refuses a `--redis` value (or, without one, a REDIS_HOST URL) that names no Redis (redisLocationProblem),
 * before any work.
 */
export function refuseBadRedisLocations(program: Command): void {
  program.hook('preAction', (_program, action) => {
    for (const option of action.options) {
      if (option.long !== '--redis') continue;
      const name = option.attributeName();
      const value: unknown = action.getOptionValue(name);
      const given = typeof value === 'string' && value.trim() !== '';
      // The original's REDIS_HOST: a host (port 6379) or, with a scheme, a URL used as it is.
      const host = process.env.REDIS_HOST ?? '';
      // Set but blank names no host: a usage error, as a blank NETWORKML_REDIS is, never "no Redis".
      if (!given && process.env.REDIS_HOST !== undefined && host.trim() === '')
        throw new UsageError('REDIS_HOST is set but empty: name a Redis host (redis:6379), or unset it');
      const checked = given ? value : host.includes('://') ? host : null;
      if (checked === null) continue;
      const problem = redisLocationProblem(checked);
      if (problem === null) continue;
      const from = !given
        ? 'REDIS_HOST'
        : action.getOptionValueSource(name) === 'env'
          ? `${option.envVar} (it sets --redis)`
          : '--redis';
      // Masked: a URL's password must not reach a log.
      throw new UsageError(`${from} ${problem}: ${JSON.stringify(redisLocation(checked))}`);
    }
  });
}

/**
 * Checks every setting against the program's options (an unknown name or a wrong type is an error naming
 * it) and installs a hook that applies them to the command about to run.
 */
export function applyConfig(program: Command, loaded: LoadedConfig): void {
  const { path, config } = loaded;
  const commands = new Map(program.commands.map((c) => [c.name(), c]));
  for (const [key, value] of Object.entries(config)) {
    const command = commands.get(key);
    if (command) {
      if (value === null || typeof value !== 'object')
        throw new UsageError(`${path}: "${key}" must be an object of ${key} options`);
      const options = optionsOf(command);
      for (const [name, v] of Object.entries(value)) {
        const option = options.get(name);
        if (!option) throw new UsageError(`${path}: '${name}' is not an option of '${key}'`);
        checkValue(path, `${key}.${name}`, option, v);
      }
      continue;
    }
    const owners = program.commands.filter((c) => optionsOf(c).has(key));
    if (owners.length === 0) throw new UsageError(`${path}: unknown setting '${key}'${camelHint(key)}`);
    for (const c of owners) checkValue(path, key, optionsOf(c).get(key)!, value);
  }
  program.hook('preAction', (_program, action) => {
    const section = config[action.name()];
    const settings: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(config).filter(([k]) => !commands.has(k))),
      ...(section && typeof section === 'object' ? section : {}),
    };
    const options = optionsOf(action);
    for (const [name, value] of Object.entries(settings)) {
      const option = options.get(name);
      if (!option) continue;
      const source = action.getOptionValueSource(name);
      // REDIS_HOST, the original's variable, is the environment's --redis: it beats the file as NETWORKML_REDIS does.
      if (name === 'redis' && (process.env.REDIS_HOST ?? '').trim() !== '') continue;
      if (source === undefined || source === 'default') {
        action.setOptionValueWithSource(name, checkValue(path, name, option, value), 'config');
      }
    }
  });
}

/**
 * A usage error about an option's value (`--warmup must be …`) says where the value came from when it was not
 * typed, an environment variable or the config file: the user looks there, not at a flag they never wrote. A
 * setting is named as the file's own checks name it (checkValue): `eval.threads` from the command's section,
 * `threads` from the top level (the section wins, as applyConfig applies them).
 */
export function namingItsSource(command: Command, message: string, loaded: LoadedConfig | undefined): string {
  const m = /^(--[a-z][a-z0-9-]*) (must .*)$/s.exec(message);
  const option = m ? command.options.find((o) => o.long === m[1]) : undefined;
  if (!m || !option) return message;
  const name = option.attributeName();
  const source = command.getOptionValueSource(name);
  if (source === 'env' && option.envVar) return `${option.envVar} ${m[2]} (it sets ${m[1]})`;
  if (source !== 'config' || !loaded) return message;
  const section = loaded.config[command.name()];
  const inSection = section !== null && typeof section === 'object' && name in section;
  return `${loaded.path}: ${inSection ? `${command.name()}.${name}` : name} ${m[2]}`;
}
