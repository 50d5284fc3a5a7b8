/**
 * Broker settings, named after the original's environment variables so a Poseidon deployment can swap the
 * container without touching its environment. Flags override the environment, which overrides defaults.
 */
import { UsageError } from '../errors.js';

export interface RabbitSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  vhost: string;
  /** Topic exchange results are published to. */
  exchange: string;
  routingKey: string;
  /** Durable queue jobs are consumed from. */
  queue: string;
}

export const RABBIT_DEFAULTS: RabbitSettings = {
  // 'messenger' is the broker's name on Poseidon's compose network, and the original's default.
  host: 'messenger',
  port: 5672,
  user: 'guest',
  password: 'guest',
  vhost: '/',
  exchange: 'topic-poseidon-internal',
  routingKey: 'poseidon.algos.decider',
  // Not the original's 'task_queue': there that name is Poseidon's own dispatch queue, which a worker
  // consuming it would steal messages from.
  queue: 'networkml_jobs',
};

export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`${what}: not a port: ${text}`);
  return port;
}

export function parsePositiveInt(text: string, what: string, max = 10_000): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) {
    throw new UsageError(`${what}: expected an integer from 1 to ${max}, got ${text}`);
  }
  return value;
}

/**
 * An environment boolean as the original NetworkML read one (`utils/common.py`): true for `true`, `t`, `y`
 * or `1` in any case, false for anything else, unset included. Poseidon v0.10 sets `RABBIT=True`, `REDIS=true`.
 */
export function envBool(value: string | undefined): boolean {
  return value !== undefined && ['true', 't', 'y', '1'].includes(value.trim().toLowerCase());
}

/**
 * Where shared device history lives for the service modes: an explicit URL, else `REDIS_HOST` (port 6379),
 * else host `redis` when `REDIS` is true (how Poseidon v0.10 asked NetworkML v0.4.8 for Redis history),
 * else none.
 */
export function serviceRedisUrl(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (explicit) return explicit;
  const host = env.REDIS_HOST;
  if (host) return host.includes('://') ? host : `redis://${host}:6379`;
  return envBool(env.REDIS) ? 'redis://redis:6379' : null;
}

/** Settings from RABBIT_* variables (empty means unset, as in the original), then `overrides`. */
export function rabbitSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<RabbitSettings> = {},
): RabbitSettings {
  const pick = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const port = pick('RABBIT_PORT');
  const fromEnv: Partial<RabbitSettings> = {
    host: pick('RABBIT_HOST'),
    port: port === undefined ? undefined : parsePort(port, 'RABBIT_PORT'),
    user: pick('RABBIT_USER'),
    password: pick('RABBIT_PASSWORD'),
    vhost: pick('RABBIT_VHOST'),
    exchange: pick('RABBIT_EXCHANGE'),
    routingKey: pick('RABBIT_ROUTING_KEY'),
    queue: pick('RABBIT_QUEUE_NAME'),
  };
  const merged: RabbitSettings = { ...RABBIT_DEFAULTS };
  for (const source of [fromEnv, overrides]) {
    for (const [key, value] of Object.entries(source) as [
      keyof RabbitSettings,
      string | number | undefined,
    ][]) {
      if (value !== undefined) (merged as unknown as Record<string, string | number>)[key] = value;
    }
  }
  return merged;
}

export function amqpUrl(settings: RabbitSettings): string {
  const auth = `${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}`;
  const vhost = settings.vhost === '/' ? '' : `/${encodeURIComponent(settings.vhost)}`;
  return `amqp://${auth}@${settings.host}:${settings.port}${vhost}`;
}

/** Where the broker is, without the password, for logs and error messages. */
export function describeBroker(settings: RabbitSettings): string {
  return `amqp://${settings.host}:${settings.port}${settings.vhost === '/' ? '' : `/${settings.vhost}`}`;
}

/** Dead-letter exchange and queue names derived from the job queue's. */
export function deadLetterNames(queue: string): { exchange: string; queue: string } {
  return { exchange: `${queue}.dlx`, queue: `${queue}.dead` };
}
