/**
 * A RabbitMQ worker: consumes capture jobs from a durable queue, evaluates each capture, publishes the
 * result to a topic exchange and only then acknowledges the job, so a job is lost neither when the worker
 * dies (the broker redelivers what was not acked) nor when the broker dies (results wait for publisher
 * confirms before the ack). Results are published mandatory: one the broker returns (no queue bound to
 * receive it) is not a result, and its job goes back to the queue. Delivery is at-least-once: a worker
 * killed between publishing and acking causes a second result for that job.
 */
import { randomUUID } from 'node:crypto';
import { type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect, type Message } from 'amqplib';
import pino, { type Logger } from 'pino';
import { ExitCode, errorMessage, NetworkmlError, UsageError } from '../errors.js';
import type { CaptureResult } from '../result.js';
import { VERSION } from '../version.js';
import {
  type CaptureRetrySettings,
  DEFAULT_CAPTURE_RETRY,
  RETRIES_HEADER,
  retriesSoFar,
  retryDelayMs,
  retryDelays,
  retryQueueName,
  transientCode,
} from './capture-retry.js';
import { amqpUrl, describeBroker, RABBIT_DEFAULTS, type RabbitSettings } from './config.js';
import { closeConnection, DEFAULT_CONFIRM_TIMEOUT_MS } from './confirm-deadline.js';
import { type Job, JobError, parseJob, resolveJobPath } from './job.js';
import {
  amqpMessageId,
  classifiedWithoutMac,
  clipIdentity,
  clipText,
  DEFAULT_RESULT_FORMAT,
  errorMessages,
  type JobIdentity,
  NO_MAC_WARNING,
  type ResultFormat,
  type ResultMessage,
  resultMessages,
} from './messages.js';
import { assertJobQueue, assertResultExchange, assertRetryQueues, connectionRefusal } from './topology.js';
import { type JobOutcome, publishedValid, type WorkerStatus } from './worker-status.js';

export type Evaluate = (absolutePath: string) => Promise<CaptureResult>;

export interface WorkerOptions {
  /** Broker settings over RABBIT_DEFAULTS (the library reads no environment; the CLI does). */
  rabbit?: Partial<RabbitSettings>;
  /** Unacknowledged jobs the broker may hand this worker at once. Default: `concurrency`. */
  prefetch?: number;
  /** Jobs evaluated at the same time. Default 1. */
  concurrency?: number;
  /** Jobs may only name files under this directory. Default: the working directory. */
  captureRoot?: string;
  /** Default 'poseidon': the only shape Poseidon releases since v0.11 read (see docs/service.md). */
  resultFormat?: ResultFormat;
  evaluate: Evaluate;
  logger?: Logger;
  /** `results.version` in v0 messages. Default: this package's version. */
  version?: string;
  /** Reconnect backoff: first delay, doubled per failed attempt up to `maxDelayMs`, ±20 % jitter. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Deliveries of one job before the broker dead-letters it, when this worker creates the queue. Default 5. */
  deliveryLimit?: number;
  /** AMQP heartbeat; a dead broker or network is noticed after about two of these. Default 30. */
  heartbeatSeconds?: number;
  /**
   * Pause before a job whose result no queue would receive goes back to the queue: this, doubled per earlier
   * delivery, up to `maxDelayMs`. Default 1 s to 30 s.
   */
  unroutable?: { initialDelayMs?: number; maxDelayMs?: number };
  /**
   * Once stop() is called, how long a result may wait for its confirm (a broker in a memory or disk alarm
   * blocks publishers until it clears): past it the connection is closed, and the broker requeues the job.
   * Default DEFAULT_CONFIRM_TIMEOUT_MS (60 s), as submit and the one-shot mode give the broker.
   */
  stopConfirmTimeoutMs?: number;
  /**
   * A job whose capture cannot be read yet (missing, not readable, a shared volume failing: capture-retry.ts)
   * is tried again this many times, after growing pauses, before its error result. Default
   * DEFAULT_CAPTURE_RETRY (3 tries, 3 s, 6 s and 12 s later); `retries: 0` gives the error result at once.
   */
  captureRetry?: Partial<CaptureRetrySettings>;
  /** Called once per delivery the worker is done with: how it ended and how long it took (metrics.ts). */
  onJobDone?: (outcome: JobOutcome, seconds: number) => void;
}

export interface WorkerStats {
  /** Jobs that got a result and were acked. */
  succeeded: number;
  /** Jobs that got an error result and were dead-lettered. */
  failed: number;
  /** Deliveries whose capture could not be read yet, put in a retry queue for a later try. */
  retried: number;
  /** Deliveries whose result the broker returned (no queue bound) and which went back to the queue. */
  unroutable: number;
  /** Successful connections, the first included. */
  connections: number;
}

export interface WorkerHandle {
  /** Resolves when the worker first consumes from the queue. */
  readonly ready: Promise<void>;
  /** Resolves when the worker has stopped (after stop(), or never otherwise). */
  readonly done: Promise<void>;
  /**
   * Stops taking jobs, finishes (publishes and acks) those in hand, then disconnects. A result still not
   * confirmed `stopConfirmTimeoutMs` after the call is given up (its job goes back to the queue).
   */
  stop(): Promise<void>;
  stats(): WorkerStats;
  /** Whether it is consuming now, and why not (readiness). */
  status(): WorkerStatus;
}

interface Session {
  model: ChannelModel;
  channel: ConfirmChannel;
  consumerTag: string | null;
  closed: boolean;
  whenClosed: Promise<void>;
  /** Publish ids (header PUBLISH_ID_HEADER) the broker returned as unroutable, until their confirm arrives. */
  returned: Set<string>;
}

/**
 * Identifies each result publish so a `basic.return` can be tied to it: the broker sends the return before
 * the confirm of the same publish, on the same channel. The job id cannot do it (two jobs may share one, and
 * the v0 pair shares it).
 */
export const PUBLISH_ID_HEADER = 'x-networkml-publish-id';

/**
 * The device history (a service: Redis) failed or was skipped (its circuit breaker open) after the capture
 * was evaluated: `result` is complete without what the history adds. The worker publishes this result at
 * once, marked `"history": false` (the original, and the one-shot mode, publish without history too), rather
 * than dead-letter it or evaluate the job again: a Redis outage must cost the history, not the capacity, and
 * must not move the backlog to the dead-letter queue.
 */
export class HistoryUnavailable extends NetworkmlError {
  constructor(
    readonly result: CaptureResult,
    cause: unknown,
  ) {
    super(errorMessage(cause), ExitCode.SERVICE);
    this.name = 'HistoryUnavailable';
  }
}

/** A result still not confirmed when the worker, stopping, stopped waiting for it. */
class ConfirmAbandoned extends Error {
  constructor(seconds: number) {
    super(`not confirmed within ${seconds} s of stopping`);
    this.name = 'ConfirmAbandoned';
  }
}

/** The broker returned a mandatory result: no queue is bound to the exchange with its routing key. */
export class UnroutableError extends Error {
  constructor(exchange: string, routingKey: string) {
    super(`no queue is bound to exchange '${exchange}' with routing key '${routingKey}'`);
    this.name = 'UnroutableError';
  }
}

/** pino's levels, and the Python logging names Poseidon's own services use for the same ones. */
// A Map, not an object literal: `constructor` or `__proto__` must not name a level.
const LOG_LEVELS: ReadonlyMap<string, string> = new Map([
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
  ['critical', 'fatal'],
  ['silent', 'silent'],
]);

/** The pino level `LOG_LEVEL` names (default info); another value is a usage error naming the variable. */
export function logLevelFrom(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.LOG_LEVEL?.trim() ?? '';
  if (given === '') return 'info';
  const level = LOG_LEVELS.get(given.toLowerCase());
  if (level === undefined)
    throw new UsageError(
      `LOG_LEVEL must be one of trace, debug, info, warn (warning), error, fatal (critical), silent, not ${JSON.stringify(given)}`,
    );
  return level;
}

export function defaultLogger(): Logger {
  return pino({ name: 'networkml-worker', level: logLevelFrom() }, pino.destination({ fd: 2, sync: true }));
}

/**
 * Publishes one persistent, mandatory message and resolves once the broker confirmed it; rejects with
 * UnroutableError when the broker returned it (confirmed, but delivered to no queue: nothing is bound to
 * the exchange with this routing key, e.g. before Poseidon bound its queue or after a broker restart).
 */
function publishConfirmed(
  session: Session,
  exchange: string,
  routingKey: string,
  message: ResultMessage,
  messageId: string | null,
): Promise<void> {
  return publishBytes(session, exchange, routingKey, Buffer.from(JSON.stringify(message)), {
    messageId,
    contentType: 'application/json',
    headers: {},
  });
}

/** publishConfirmed's publish of any bytes: persistent, mandatory, confirmed, a return told apart. */
function publishBytes(
  session: Session,
  exchange: string,
  routingKey: string,
  content: Buffer,
  properties: { messageId: string | null; contentType: string | undefined; headers: Record<string, unknown> },
): Promise<void> {
  const publishId = randomUUID();
  const { messageId, contentType } = properties;
  return new Promise((resolve, reject) => {
    session.channel.publish(
      exchange,
      routingKey,
      content,
      {
        persistent: true,
        mandatory: true,
        ...(contentType === undefined ? {} : { contentType }),
        headers: { ...properties.headers, [PUBLISH_ID_HEADER]: publishId },
        ...(messageId === null ? {} : { messageId }),
      },
      (err: unknown) => {
        const returned = session.returned.delete(publishId);
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (returned) reject(new UnroutableError(exchange, routingKey));
        else resolve();
      },
    );
  });
}

/**
 * The headers a job keeps when it is put in a retry queue: the broker's own (its delivery count, the record of
 * its dead-lettering) are the broker's to set, and our publish id is the next publish's.
 */
function jobHeaders(message: ConsumeMessage): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message.properties.headers ?? {})) {
    if (
      key === 'x-delivery-count' ||
      key === PUBLISH_ID_HEADER ||
      /^x-(death|first-death-|last-death-)/.test(key)
    )
      continue;
    kept[key] = value;
  }
  return kept;
}

/** Deliveries of this message before this one: the quorum queue's count, else what `redelivered` tells. */
function earlierDeliveries(message: ConsumeMessage): number {
  const count: unknown = message.properties.headers?.['x-delivery-count'];
  if (typeof count === 'number' && Number.isFinite(count) && count >= 0) return count;
  return message.fields.redelivered ? 1 : 0;
}

export function runWorker(options: WorkerOptions): WorkerHandle {
  const rabbit: RabbitSettings = { ...RABBIT_DEFAULTS, ...options.rabbit };
  const concurrency = options.concurrency ?? 1;
  const prefetch = options.prefetch ?? concurrency;
  const captureRoot = options.captureRoot ?? process.cwd();
  const format = options.resultFormat ?? DEFAULT_RESULT_FORMAT;
  const version = options.version ?? VERSION;
  const log = options.logger ?? defaultLogger();
  const initialDelay = options.reconnect?.initialDelayMs ?? 500;
  const maxDelay = options.reconnect?.maxDelayMs ?? 30_000;
  const heartbeat = options.heartbeatSeconds ?? 30;
  const unroutableInitial = options.unroutable?.initialDelayMs ?? 1000;
  const unroutableMax = options.unroutable?.maxDelayMs ?? 30_000;
  const captureRetry: CaptureRetrySettings = { ...DEFAULT_CAPTURE_RETRY, ...options.captureRetry };
  const broker = describeBroker(rabbit);

  const stopConfirmMs = options.stopConfirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  // Per wait for a confirm: what starts its deadline, once stop() is called (or at once after it). A wait
  // before then has none: a blocked broker is waited for while the worker runs.
  const confirmWaits = new Set<() => void>();

  /** `work`, or ConfirmAbandoned once it has waited stopConfirmMs since stop() (or since it began after it). */
  function boundedOnceStopping<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let arm: () => void = () => {};
    const givenUp = new Promise<never>((_, reject) => {
      arm = () => {
        timer ??= setTimeout(() => reject(new ConfirmAbandoned(stopConfirmMs / 1000)), stopConfirmMs);
      };
    });
    givenUp.catch(() => {});
    confirmWaits.add(arm);
    if (stopping) arm();
    return Promise.race([work, givenUp]).finally(() => {
      confirmWaits.delete(arm);
      clearTimeout(timer);
    });
  }

  const stats: WorkerStats = { succeeded: 0, failed: 0, retried: 0, unroutable: 0, connections: 0 };
  const pending: { message: ConsumeMessage; session: Session }[] = [];
  let running = 0;
  let stopping = false;
  let session: Session | null = null;
  let wakeBackoff: (() => void) | null = null;
  let onIdle: (() => void) | null = null;
  /** Why the worker is not consuming, once it was or tried to (status()). */
  let lastProblem: string | null = null;

  let markReady: () => void = () => {};
  let failReady: (err: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {});

  /** A pause that stop() cuts short, so a job waiting to go back to the queue does not delay shutdown. */
  const pauses = new Set<() => void>();
  function pause(ms: number): Promise<void> {
    if (stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      pauses.add(wake);
    });
  }

  function requeue(message: ConsumeMessage, owner: Session): void {
    try {
      if (!owner.closed) owner.channel.nack(message, false, true);
    } catch {
      // The channel closed meanwhile: the broker requeues the job by itself.
    }
  }

  /** `tracked.outcome` is left 'requeued' by the paths that hand the job back to the queue. */
  async function handle(
    message: ConsumeMessage,
    owner: Session,
    tracked: { outcome: JobOutcome },
  ): Promise<void> {
    let identity: JobIdentity = { id: null, file_path: null };
    let job: Job | null = null;
    let messages: ResultMessage[];
    let failure: string | null = null;
    let valid: boolean | null = null;
    let withoutHistory = false;
    /** A capture that cannot be read yet, to be tried again after `delayMs` (capture-retry.ts). */
    let retry: { delayMs: number; code: string; error: string } | null = null;
    const retries = retriesSoFar(message.properties.headers);
    const started = Date.now();
    try {
      job = parseJob(message.content);
      identity = job;
      log.info(
        {
          job: clipIdentity(identity),
          redelivered: message.fields.redelivered,
          ...(retries > 0 ? { retry: retries } : {}),
        },
        'job started',
      );
      const path = await resolveJobPath(captureRoot, job.file_path);
      const result = await options.evaluate(path);
      messages = resultMessages(format, job, result, version);
      valid = result.valid;
      if (result.warnings?.length)
        log.warn(
          { job: clipIdentity(identity), warnings: result.warnings.map((w) => clipText(w)) },
          'capture warnings',
        );
      if (classifiedWithoutMac(result))
        log.warn({ job: clipIdentity(identity) }, `result without a device MAC: ${NO_MAC_WARNING}`);
      if (result.capture_error)
        log.warn(
          { job: clipIdentity(identity), error: clipText(result.capture_error.message) },
          'corrupt capture: the result of the packets before the corrupt record is published',
        );
    } catch (err) {
      if (err instanceof JobError) identity = err.identity;
      /** The system error of a capture that may be readable later (capture-retry.ts), else null. */
      const transient = transientCode(err);
      if (err instanceof HistoryUnavailable && job !== null) {
        // Published at once, marked; whoever runs the history (the CLI's circuit breaker) logs its outages
        // once per change, not here once per job.
        withoutHistory = true;
        valid = err.result.valid;
        messages = resultMessages(format, job, err.result, version, { history: false });
      } else if (
        err instanceof NetworkmlError &&
        err.exitCode === ExitCode.SERVICE &&
        !message.fields.redelivered
      ) {
        // Another service the evaluation needs failed: worth one more try, by any worker, after a pause.
        // Redelivered, it cannot circulate forever: it fails for good below.
        log.warn(
          { job: clipIdentity(identity), error: errorMessage(err) },
          'job requeued once after a service error',
        );
        await pause(1000);
        requeue(message, owner);
        return;
      } else if (transient !== null && job !== null && retries < captureRetry.retries) {
        // Not readable yet (a shared volume lagging behind the job): tried again after a pause, by whichever
        // worker then takes it; no result before the last try.
        retry = { delayMs: retryDelayMs(captureRetry, retries), code: transient, error: errorMessage(err) };
        messages = [];
      } else {
        failure = errorMessage(err);
        if (transient !== null && retries > 0) {
          // Said in the error result too: the capture was waited for, not given up on the first try.
          const waitedMs = retryDelays(captureRetry)
            .slice(0, retries)
            .reduce((a, b) => a + b, 0);
          failure = `${failure} (still, after ${retries} ${retries === 1 ? 'retry' : 'retries'} over ${Math.round(waitedMs / 1000)} s)`;
          log.warn(
            { job: clipIdentity(identity), error: clipText(failure), code: transient, retries },
            'capture still not readable after the retries: job failed, dead-lettered',
          );
        } else if (err instanceof NetworkmlError)
          log.warn({ job: clipIdentity(identity), error: clipText(failure) }, 'job failed');
        else log.error({ job: clipIdentity(identity), err }, 'job failed unexpectedly');
        messages = errorMessages(format, identity, failure, version);
      }
    }
    if (owner.closed) {
      log.warn(
        { job: clipIdentity(identity) },
        'connection lost before the result was sent; the broker will redeliver the job',
      );
      tracked.outcome = 'redelivered';
      return;
    }
    try {
      if (retry !== null) {
        // The job again, for later, then this delivery acked: in the broker all along, held by no worker.
        const queue = retryQueueName(rabbit.queue, retry.delayMs);
        await boundedOnceStopping(
          publishBytes(owner, '', queue, message.content, {
            messageId: typeof message.properties.messageId === 'string' ? message.properties.messageId : null,
            contentType: message.properties.contentType as string | undefined,
            headers: { ...jobHeaders(message), [RETRIES_HEADER]: retries + 1 },
          }),
        );
        owner.channel.ack(message);
        stats.retried++;
        tracked.outcome = 'retried';
        log.warn(
          {
            job: clipIdentity(identity),
            code: retry.code,
            error: clipText(retry.error),
            retry: retries + 1,
            of: captureRetry.retries,
            delayMs: retry.delayMs,
          },
          'capture not readable yet: the job is tried again after the pause',
        );
        return;
      }
      for (const body of messages) {
        await boundedOnceStopping(
          publishConfirmed(owner, rabbit.exchange, rabbit.routingKey, body, amqpMessageId(identity.id)),
        );
      }
      if (failure === null) {
        owner.channel.ack(message);
        stats.succeeded++;
        tracked.outcome = publishedValid(messages) ? 'result' : 'invalid_result';
      } else {
        // requeue=false routes the job to the dead-letter queue declared with the job queue.
        owner.channel.nack(message, false, false);
        stats.failed++;
        tracked.outcome = 'dead_lettered';
      }
      log.info(
        {
          job: clipIdentity(identity),
          ms: Date.now() - started,
          redelivered: message.fields.redelivered,
          outcome: failure === null ? 'result' : 'dead-lettered',
          // false: no device could be classified (the result's reason says why).
          ...(valid === null ? {} : { valid }),
          ...(withoutHistory ? { history: false } : {}),
        },
        'job done',
      );
    } catch (err) {
      if (err instanceof ConfirmAbandoned) {
        // The broker blocks publishers (a memory or disk alarm) and we are stopping: a supervisor's stop
        // would otherwise end in a kill. Closing the connection hands the job back to the broker.
        log.warn(
          { job: clipIdentity(identity), error: err.message },
          'result not confirmed; closing the connection: the broker will redeliver the job',
        );
        await closeConnection(owner.model);
        tracked.outcome = 'redelivered';
        return;
      }
      if (owner.closed) {
        log.warn(
          { job: clipIdentity(identity), error: errorMessage(err) },
          'result not confirmed; the broker will redeliver the job',
        );
        tracked.outcome = 'redelivered';
        return;
      }
      // Not published on a channel still open: confirmed but delivered nowhere (UnroutableError: acking
      // would lose the result), refused by the broker, or refused by the client before sending. Nothing
      // brings the job back while the channel lives, and with a prefetch of 1 this worker would take no
      // other: it goes back to the queue after a pause growing with its deliveries, and the queue's delivery
      // limit dead-letters it if it keeps failing, so it cannot circulate forever.
      const earlier = earlierDeliveries(message);
      const delayMs = Math.min(unroutableMax, unroutableInitial * 2 ** Math.min(earlier, 30));
      if (err instanceof UnroutableError) {
        stats.unroutable++;
        tracked.outcome = 'unroutable';
      }
      log.error(
        {
          job: clipIdentity(identity),
          ...(retry === null
            ? { exchange: rabbit.exchange, routingKey: rabbit.routingKey }
            : { retryQueue: retryQueueName(rabbit.queue, retry.delayMs) }),
          delivery: earlier + 1,
          delayMs,
        },
        `${retry === null ? 'result' : 'job for a later try'} not published: ${clipText(errorMessage(err))}; the job goes back to the queue (dead-lettered after the delivery limit)`,
      );
      await pause(delayMs);
      requeue(message, owner);
    }
  }

  function pump(): void {
    while (running < concurrency && pending.length > 0) {
      const next = pending.shift();
      if (!next) break;
      if (next.session.closed) continue;
      running++;
      const tracked: { outcome: JobOutcome } = { outcome: 'requeued' };
      const began = performance.now();
      void handle(next.message, next.session, tracked).finally(() => {
        running--;
        options.onJobDone?.(tracked.outcome, (performance.now() - began) / 1000);
        pump();
      });
    }
    if (running === 0 && pending.length === 0 && onIdle) onIdle();
  }

  async function open(): Promise<Session> {
    const url = `${amqpUrl(rabbit)}?heartbeat=${heartbeat}`;
    let model: ChannelModel;
    try {
      model = await connect(url, { timeout: 10_000 });
    } catch (err) {
      // Wrong credentials or a missing virtual host are not cured by retrying: stop, as for a 403 on
      // declaring the queues.
      throw connectionRefusal(broker, rabbit.vhost, err) ?? err;
    }
    let closeSession: () => void = () => {};
    const whenClosed = new Promise<void>((resolve) => {
      closeSession = resolve;
    });
    const current: Session = {
      model,
      channel: undefined as unknown as ConfirmChannel,
      consumerTag: null,
      closed: false,
      whenClosed,
      returned: new Set(),
    };
    const markClosed = () => {
      if (current.closed) return;
      current.closed = true;
      closeSession();
    };
    model.on('error', (err: Error) => log.warn({ error: errorMessage(err) }, 'connection error'));
    model.on('close', markClosed);
    model.on('blocked', (reason: string) => log.warn({ reason }, 'broker blocked publishing'));
    try {
      await assertResultExchange(model, rabbit);
      const channel = await model.createConfirmChannel();
      current.channel = channel;
      channel.on('error', (err: Error) => log.warn({ error: errorMessage(err) }, 'channel error'));
      // Arrives before the confirm of the same publish (see publishConfirmed).
      channel.on('return', (returned: Message) => {
        const id: unknown = returned.properties.headers?.[PUBLISH_ID_HEADER];
        if (typeof id === 'string') current.returned.add(id);
      });
      // Without its channel the session is useless: closing the connection sends us through reconnect.
      channel.on('close', () => {
        markClosed();
        model.close().catch(() => {});
      });
      await assertRetryQueues(model, rabbit, retryDelays(captureRetry));
      if ((await assertJobQueue(model, rabbit, options.deliveryLimit)) === 'other')
        log.warn(
          { queue: rabbit.queue },
          'the job queue exists with other arguments than a quorum queue with this delivery limit and a dead-letter exchange: rejected jobs may be dropped, and a job that kills its worker may come back forever (docs/service.md)',
        );
      await channel.prefetch(prefetch);
      const reply = await channel.consume(
        rabbit.queue,
        (message) => {
          if (message === null) {
            log.warn({ queue: rabbit.queue }, 'consumer cancelled by the broker; reconnecting');
            model.close().catch(() => {});
            return;
          }
          pending.push({ message, session: current });
          pump();
        },
        { noAck: false },
      );
      current.consumerTag = reply.consumerTag;
    } catch (err) {
      await model.close().catch(() => {});
      throw err;
    }
    return current;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function loop(): Promise<void> {
    let attempt = 0;
    while (!stopping) {
      try {
        session = await open();
        if (stopping) {
          await session.model.close().catch(() => {});
          break;
        }
        stats.connections++;
        attempt = 0;
        log.info(
          {
            broker,
            queue: rabbit.queue,
            prefetch,
            concurrency,
            format,
            captureRetries: captureRetry.retries,
            captureRetryDelayMs: captureRetry.initialDelayMs,
          },
          'consuming',
        );
        markReady();
        await session.whenClosed;
        if (!stopping) log.warn({ broker }, 'connection to the broker lost');
        lastProblem = 'connection to the broker lost';
      } catch (err) {
        const fatal = err instanceof NetworkmlError;
        lastProblem = errorMessage(err);
        log.warn({ broker, error: errorMessage(err), attempt }, 'cannot consume');
        if (fatal) throw err;
      }
      session = null;
      if (stopping) break;
      attempt++;
      const base = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 30));
      const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
      log.info({ delayMs: delay, attempt }, 'reconnecting');
      await sleep(delay);
    }
  }

  const done = loop();
  // A fatal setup error (e.g. a queue declared with other arguments) ends the worker: `done` and `ready` reject.
  done.catch((err: unknown) => failReady(err));

  async function stop(): Promise<void> {
    if (stopping) return done.catch(() => {});
    stopping = true;
    for (const arm of confirmWaits) arm();
    wakeBackoff?.();
    const current = session;
    if (current && !current.closed && current.consumerTag !== null) {
      await current.channel.cancel(current.consumerTag).catch(() => {});
    }
    for (const wake of [...pauses]) wake();
    // Prefetched jobs nobody started go back to the queue for other workers.
    for (const item of pending.splice(0)) {
      try {
        if (!item.session.closed) item.session.channel.nack(item.message, false, true);
      } catch {
        // The channel closed meanwhile; the broker requeues unacked jobs by itself.
      }
    }
    if (running > 0) {
      await new Promise<void>((resolve) => {
        onIdle = resolve;
      });
    }
    if (current && !current.closed) {
      // Channel first: RabbitMQ drops acks still in flight when the connection closes under them, which
      // would redeliver jobs that already have results.
      await current.channel.close().catch(() => {});
      await current.model.close().catch(() => {});
    }
    await done.catch(() => {});
    log.info({ ...stats }, 'stopped');
  }

  function status(): WorkerStatus {
    const counts = { inFlight: running, prefetched: pending.length };
    if (stopping)
      return { state: 'draining', reason: `stopping: finishing ${running} job(s) in hand`, ...counts };
    if (session !== null && !session.closed && session.consumerTag !== null)
      return { state: 'consuming', reason: null, ...counts };
    if (lastProblem === null) return { state: 'connecting', reason: `connecting to ${broker}`, ...counts };
    return {
      state: 'reconnecting',
      reason: `reconnecting to ${broker}: ${clipText(lastProblem)}`,
      ...counts,
    };
  }

  return { ready, done, stop, stats: () => ({ ...stats }), status };
}
