/**
 * Device history for workers: Redis only, since it is the one store all workers on all machines share (a
 * per-machine SQLite file would give each worker a different idea of when a device was last seen).
 * A Redis that goes away is reconnected on a later use rather than killing the worker; in a worker, a
 * circuit breaker (historyBreaker) decides when that later use is.
 */
import type { RedisHistory, RedisHistoryOptions } from '../decisions/history-redis.js';
import { redisLocation } from '../decisions/open-history.js';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import type { HistoryPort, ScoredUpdate } from '../pipeline/evaluate.js';
import { pastServicesOf, recordInto } from '../pipeline/history-port.js';
import type { CaptureResult } from '../result.js';

export interface SharedHistory extends HistoryPort {
  close(): Promise<void>;
  /** The URL with its password masked (redisLocation): fit for logs and messages. */
  readonly location: string;
  /** Connects when not connected, then one PING; rejects with the service error (exit code SERVICE). */
  ping(): Promise<void>;
}

export function redisHistory(url: string, options: RedisHistoryOptions = {}): SharedHistory {
  let current: Promise<RedisHistory> | null = null;
  const open = (): Promise<RedisHistory> => {
    if (!current) {
      const opening = import('../decisions/history-redis.js').then(({ RedisHistory }) =>
        RedisHistory.connect(url, options),
      );
      current = opening;
      // A failed connect is retried by the next use.
      opening.catch(() => {
        if (current === opening) current = null;
      });
    }
    return current;
  };
  async function use<T>(fn: (history: RedisHistory) => Promise<T>): Promise<T> {
    const history = await open();
    try {
      return await fn(history);
    } catch (err) {
      if (err instanceof NetworkmlError) {
        current = null;
        await history.close().catch(() => {});
      }
      throw err;
    }
  }
  return {
    location: redisLocation(url),
    ping: () => use((h) => h.ping()),
    lastUpdate: (mac, before) => use((h) => h.lastUpdate(mac, before)),
    pastServices: (mac, before) => use((h) => pastServicesOf(h, mac, before)),
    record: (entry: ScoredUpdate, result: CaptureResult) =>
      use(async (h) => {
        await recordInto(h, entry, result);
      }),
    async close() {
      const history = current;
      current = null;
      if (history) await (await history.catch(() => null))?.close();
    },
  };
}

/**
 * Redis refusing this configuration, as opposed to Redis not being there: a password it does not take (or
 * none where it wants one), a user without the rights, a host name that does not resolve, a URL it cannot
 * read. Retrying does not cure these.
 */
export function isRedisConfigurationError(message: string): boolean {
  return /\b(NOAUTH|WRONGPASS|NOPERM|ENOTFOUND)\b|AUTH.*without any password|invalid password|Invalid URL/i.test(
    message,
  );
}

export type BreakerEvent =
  | { state: 'open'; cause: string; retryInMs: number; atStart: boolean }
  | { state: 'still-open'; cause: string; retryInMs: number }
  | { state: 'closed'; downMs: number };

export interface BreakerOptions {
  /** First period without trying after a failure; doubled per failed probe up to maxBackoffMs. Default 5 s. */
  initialBackoffMs?: number;
  /** Default 60 s. */
  maxBackoffMs?: number;
  /** Called once per change of state (and once per failed probe), never per job. */
  onChange?: (event: BreakerEvent) => void;
  now?: () => number;
}

/** Why a job's history was skipped: the breaker is open, or opened while the job was using it. */
export class HistorySkipped extends NetworkmlError {
  /** `cause`: the failure that opened the breaker, with the Redis location (redisLocation) in it. */
  constructor(cause: string) {
    super(`device history skipped while Redis is unavailable: ${cause}`, ExitCode.SERVICE);
    this.name = 'HistorySkipped';
  }
}

export interface BreakerHistory {
  readonly location: string;
  /**
   * At start: connect and PING once. A configuration error (isRedisConfigurationError) rejects; any other
   * failure (Redis refusing connections, not answering) opens the breaker and resolves false.
   */
  check(): Promise<boolean>;
  /**
   * The history for one job. Its first call decides whether the job uses the history: yes while the breaker
   * is closed; no (HistorySkipped at once, without touching Redis) while it is open; after the back-off, the
   * first job to ask probes Redis (PING) for all, and the others skip meanwhile. A failure of the job's own
   * calls opens the breaker, and the job's later calls skip.
   */
  forJob(): HistoryPort;
  readonly state: 'closed' | 'open';
  close(): Promise<void>;
}

/**
 * A circuit breaker over the shared history: while Redis fails, jobs skip the history at once instead of
 * each paying Redis's timeouts (a hung Redis: 5 s per connect and per command), and one probe per back-off
 * period (5 s doubling to 60 s) finds out when it is back.
 */
export function historyBreaker(shared: SharedHistory, options: BreakerOptions = {}): BreakerHistory {
  const initial = options.initialBackoffMs ?? 5000;
  const max = options.maxBackoffMs ?? 60_000;
  const now = options.now ?? Date.now;
  const notify = options.onChange ?? (() => {});
  let open = false;
  let cause = '';
  let openedAt = 0;
  let backoff = initial;
  let retryAt = 0;
  let probing: Promise<boolean> | null = null;
  /** Bumped on every opening: a job admitted before it skips its later calls. */
  let generation = 0;

  function trip(err: unknown, atStart = false): void {
    const text = errorMessage(err);
    if (open) return;
    open = true;
    generation++;
    cause = text;
    openedAt = now();
    backoff = initial;
    retryAt = openedAt + backoff;
    notify({ state: 'open', cause, retryInMs: backoff, atStart });
  }

  async function probe(): Promise<boolean> {
    try {
      await shared.ping();
    } catch (err) {
      cause = errorMessage(err);
      backoff = Math.min(max, backoff * 2);
      retryAt = now() + backoff;
      notify({ state: 'still-open', cause, retryInMs: backoff });
      return false;
    }
    open = false;
    notify({ state: 'closed', downMs: now() - openedAt });
    return true;
  }

  /** Whether a job may use the history now. */
  async function admit(): Promise<boolean> {
    if (!open) return true;
    if (probing || now() < retryAt) return false;
    probing = probe().finally(() => {
      probing = null;
    });
    return probing;
  }

  return {
    location: shared.location,
    get state() {
      return open ? 'open' : 'closed';
    },
    async check() {
      try {
        await shared.ping();
        return true;
      } catch (err) {
        const text = errorMessage(err);
        if (isRedisConfigurationError(text))
          throw new NetworkmlError(
            `${text} (check --redis / REDIS_HOST: host, port, password)`,
            ExitCode.SERVICE,
          );
        trip(err, true);
        return false;
      }
    },
    forJob() {
      let admitted: Promise<number | null> | null = null;
      const enter = (): Promise<number | null> => {
        admitted ??= admit().then((yes) => (yes ? generation : null));
        return admitted;
      };
      async function use<T>(fn: () => Promise<T>): Promise<T> {
        const mine = await enter();
        if (mine === null || mine !== generation) throw new HistorySkipped(cause);
        try {
          return await fn();
        } catch (err) {
          if (err instanceof NetworkmlError && err.exitCode === ExitCode.SERVICE && mine === generation)
            trip(err);
          throw err;
        }
      }
      return {
        lastUpdate: (mac, before) => use(() => shared.lastUpdate(mac, before)),
        pastServices: (mac, before) => use(async () => (await shared.pastServices?.(mac, before)) ?? null),
        record: (entry, result) => use(() => shared.record(entry, result)),
      };
    },
    close: () => shared.close(),
  };
}
