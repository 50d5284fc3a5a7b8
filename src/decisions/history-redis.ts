/**
 * Device history in Redis with the original's key layout (networkml/utils/common.py):
 * - hash `<mac>`, field `timestamps`: Python text of the sorted update times, e.g. "[1579736553.945077]";
 * - hash `<mac>_<time>`: `representation`, `current_representation`, `labels`, `confidences`, `other_ips`,
 *   `model_hash` as Python `str()` (lists as literals, the hash as bare text), the decision message under the capture key, and our `result` as JSON;
 * - set `mac_addresses`: every MAC seen.
 * The original's read-append-write of `timestamps` loses updates under concurrent writers; here it runs in a
 * WATCH/MULTI transaction retried on conflict.
 */
import { type ChainableCommander, Redis } from 'ioredis';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { jsonBytes } from '../outputs/json-pieces.js';
import {
  buildEntry,
  type DeviceHistory,
  type DeviceSummary,
  type HistoryEntry,
  normaliseMac,
  type UpdateInput,
} from './history.js';
import { redisLocation } from './open-history.js';
import { parsePython, pyFloat, toPython } from './pyliteral.js';

const MAX_ATTEMPTS = 100;

/**
 * How long a Redis may take to accept the connection, to answer the ready check, and to answer each
 * command. Without a bound a Redis that stops answering (stopped with SIGSTOP, a hung host, a listener that
 * never speaks) stalls the job that uses it forever, with no log and no way to stop it.
 */
export const DEFAULT_REDIS_TIMEOUT_MS = 5000;

export interface RedisHistoryOptions {
  /** Connect, ready and per-command timeout. Default DEFAULT_REDIS_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * What went wrong, in Redis's own words: a discarded transaction (`EXECABORT`) names the errors that
 * discarded it (ioredis's `previousErrors`: a `MISCONF` disk full, an `OOM`), and a closed connection the
 * error that closed it (`NOAUTH` after a Redis restart with a password), when there is one.
 */
export function redisCause(err: unknown, lastClientError?: unknown): string {
  const text = errorMessage(err);
  const previous: unknown =
    typeof err === 'object' && err !== null ? Reflect.get(err, 'previousErrors') : undefined;
  if (Array.isArray(previous) && previous.length > 0) {
    const causes = [...new Set(previous.map((e) => errorMessage(e)))];
    return `${text} (${causes.join('; ')})`;
  }
  if (/Connection is closed/i.test(text) && lastClientError !== undefined) {
    const cause = errorMessage(lastClientError);
    if (cause !== text) return `${text} (${cause})`;
  }
  return text;
}

/** `location` is already without the password. */
function serviceError(location: string, err: unknown, lastClientError?: unknown): NetworkmlError {
  return new NetworkmlError(`redis ${location}: ${redisCause(err, lastClientError)}`, ExitCode.SERVICE);
}

function parseTimes(text: string | null): number[] {
  if (text === null) return [];
  const v = parsePython(text);
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'number'))
    throw new SyntaxError('timestamps is not a list of numbers');
  return v as number[];
}

function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.map(Number) : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export function updateKey(mac: string, time: number): string {
  return `${mac}_${pyFloat(time)}`;
}

export class RedisHistory implements DeviceHistory {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly location: string,
    private readonly client: Redis,
    /** The client's latest 'error' event: what a later "Connection is closed." was caused by. */
    private readonly events: { last?: unknown },
  ) {}

  static async connect(url: string, options: RedisHistoryOptions = {}): Promise<RedisHistory> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    let client: Redis;
    try {
      client = new Redis(url, {
        lazyConnect: true,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
      });
    } catch (err) {
      throw serviceError(redisLocation(url), err);
    }
    // Failures surface through the awaited commands; an 'error' listener keeps them from being printed twice.
    // It keeps the last one: a refused connection rejects connect() with only "Connection is closed.".
    const events: { last?: unknown } = {};
    client.on('error', (err) => {
      events.last = err;
    });
    // connectTimeout ends with the TCP connection: a server that accepts and then never answers the ready
    // check would keep connect() waiting for ever.
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs} ms (connected, but Redis is not responding)`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([client.connect(), silent]);
    } catch (err) {
      client.disconnect();
      throw serviceError(redisLocation(url), events.last ?? err);
    } finally {
      clearTimeout(timer);
    }
    return new RedisHistory(redisLocation(url), client, events);
  }

  /** A command failed (timed out, say): the connection is not worth a polite QUIT. */
  private broken = false;

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NetworkmlError) throw err;
      this.broken = true;
      throw serviceError(this.location, err, this.events.last);
    }
  }

  /** One PING: the connection is there and this client may use it (a wrong password fails at connect). */
  async ping(): Promise<void> {
    await this.guard(() => this.client.ping());
  }

  /**
   * The stored average representation of the latest update before `before` made by the same model, since
   * representations of different models are not comparable. Without one, the latest update written by the
   * original itself (no `result` field; its model hash is of its own files) is continued, as the original
   * would (buildEntry still refuses one of another size).
   */
  private async previousState(mac: string, times: number[], before: number, modelHash: string) {
    const earlier = times.filter((t) => t < before).sort((a, b) => b - a);
    let original: { time: number; representation: number[] } | null = null;
    for (const time of earlier) {
      const [hash, text, result] = await this.client.hmget(
        updateKey(mac, time),
        'model_hash',
        'representation',
        'result',
      );
      if (text === null || text === undefined) continue;
      if (hash === modelHash) return { time, representation: numbers(parsePython(text)) };
      if (!original && (result === null || result === undefined))
        original = { time, representation: numbers(parsePython(text)) };
    }
    return original;
  }

  /** WATCH belongs to the connection: one transaction at a time per client. */
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.guard(fn));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * One WATCH/MULTI transaction on the device's key: `build` reads what it needs and queues the writes; the
   * whole is done again while another client changed the key meanwhile.
   */
  private async watched<T>(
    mac: string,
    build: () => Promise<{ tx: ChainableCommander; value: T }>,
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await this.client.watch(mac);
      const { tx, value } = await build();
      const done = await tx.exec();
      if (done !== null) {
        const failed = done.find(([err]) => err);
        if (failed) throw failed[0];
        return value;
      }
    }
    throw new NetworkmlError(
      `redis ${this.location}: too many concurrent updates of ${mac}`,
      ExitCode.SERVICE,
    );
  }

  record(input: UpdateInput): Promise<HistoryEntry> {
    return this.serially(() => this.recordNow(input));
  }

  private recordNow(input: UpdateInput): Promise<HistoryEntry> {
    const mac = normaliseMac(input.mac);
    return this.watched(mac, async () => {
      const times = parseTimes(await this.client.hget(mac, 'timestamps'));
      const entry = buildEntry(
        input,
        await this.previousState(mac, times, input.timestamps[0]!, input.modelHash),
      );
      const fields: Record<string, string | Buffer> = {
        representation: toPython(entry.representation),
        current_representation: toPython(entry.current_representation),
        labels: toPython(entry.labels),
        confidences: toPython(entry.confidences),
        other_ips: toPython(entry.other_ips),
        // str() of a Python string is the bare text.
        model_hash: entry.model_hash,
      };
      for (const [k, v] of Object.entries(input.decisions ?? {})) fields[k] = toPython(v);
      // The same JSON text as ever, as bytes built from its pieces: never the 20 MB string of a long capture.
      if (entry.result !== null) fields.result = jsonBytes(entry.result);
      const updated = times.includes(entry.time) ? times : [...times, entry.time].sort((a, b) => a - b);
      const key = updateKey(mac, entry.time);
      const tx = this.client
        .multi()
        .del(key)
        .hset(key, fields)
        .hset(mac, { timestamps: toPython(updated) })
        .sadd('mac_addresses', mac);
      return { tx, value: entry };
    });
  }

  async lastUpdate(mac: string, before?: number): Promise<number | null> {
    return this.guard(async () => {
      const times = parseTimes(await this.client.hget(normaliseMac(mac), 'timestamps'));
      let last: number | null = null;
      for (const t of times)
        if ((before === undefined || t < before) && (last === null || t > last)) last = t;
      return last;
    });
  }

  async list(mac: string): Promise<HistoryEntry[]> {
    const m = normaliseMac(mac);
    return this.guard(async () => {
      const times = parseTimes(await this.client.hget(m, 'timestamps'));
      const out: HistoryEntry[] = [];
      for (const time of times) {
        const entry = await this.entryAt(m, time);
        if (entry) out.push(entry);
      }
      return out;
    });
  }

  async devices(): Promise<DeviceSummary[]> {
    return this.guard(async () => {
      const out: DeviceSummary[] = [];
      for (const m of (await this.client.smembers('mac_addresses')).sort()) {
        const times = parseTimes(await this.client.hget(m, 'timestamps'));
        if (times.length === 0) continue;
        const latest = await this.entryAt(m, Math.max(...times));
        if (latest) out.push({ mac: m, updates: times.length, first: Math.min(...times), latest });
      }
      return out;
    });
  }

  /** Its update hashes, its timestamps hash and its place in `mac_addresses`, in one transaction. */
  forget(mac: string): Promise<number> {
    const m = normaliseMac(mac);
    return this.serially(() =>
      this.watched(m, async () => {
        const times = parseTimes(await this.client.hget(m, 'timestamps'));
        const tx = this.client.multi();
        for (const t of times) tx.del(updateKey(m, t));
        return { tx: tx.del(m).srem('mac_addresses', m), value: times.length };
      }),
    );
  }

  /** The update of device `m` at `time`, null when its hash is gone. */
  private async entryAt(m: string, time: number): Promise<HistoryEntry | null> {
    const h = await this.client.hgetall(updateKey(m, time));
    if (Object.keys(h).length === 0) return null;
    const py = (field: string) => (h[field] === undefined ? null : parsePython(h[field]));
    return {
      mac: m,
      time,
      representation: numbers(py('representation')),
      current_representation: numbers(py('current_representation')),
      labels: strings(py('labels')),
      confidences: numbers(py('confidences')),
      other_ips: strings(py('other_ips')),
      model_hash: h.model_hash ?? '',
      result: h.result === undefined ? null : (JSON.parse(h.result) as unknown),
    };
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.broken) {
      this.client.disconnect();
      return;
    }
    try {
      // Bounded by the command timeout.
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
