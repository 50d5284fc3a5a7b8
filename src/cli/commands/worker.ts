/** `networkml worker`: the Poseidon service mode, a thin shell over runWorker(). */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';
import { ExitCode, UsageError } from '../../errors.js';
import { anomalyScorer } from '../../pipeline/anomaly.js';
import {
  type AnomalyModelName,
  type EvaluateOptions,
  evaluateCaptureKeepingResult,
  type HistoryPort,
} from '../../pipeline/evaluate.js';
import { roleModelFor } from '../../pipeline/model-registry.js';
import type { CaptureResult } from '../../result.js';
import { DEFAULT_CAPTURE_RETRY } from '../../service/capture-retry.js';
import { addRabbitFlags, type RabbitFlags, rabbitFromFlags } from '../../service/cli-flags.js';
import { parsePort, parsePositiveInt, serviceRedisUrl } from '../../service/config.js';
import {
  type BreakerEvent,
  type BreakerHistory,
  historyBreaker,
  redisHistory,
} from '../../service/history.js';
import { DEFAULT_RESULT_FORMAT, RESULT_FORMATS, type ResultFormat } from '../../service/messages.js';
import { type MetricsServer, startMetricsServer, WorkerMetrics } from '../../service/metrics.js';
import { defaultLogger, type Evaluate, HistoryUnavailable, runWorker } from '../../service/worker.js';
import { onStopSignals } from '../stop-signals.js';
import { addModelOptions, evaluateOptionsFrom } from './eval.js';

export interface WorkerFlags extends RabbitFlags {
  deliveryLimit?: string;
  redis?: string;
  model?: string;
  anomaly?: AnomalyModelName;
  anomalyModel?: string;
  threshold?: string;
  prefetch?: string;
  concurrency?: string;
  captureRoot?: string;
  resultFormat?: string;
  captureRetries?: string;
  captureRetryDelay?: string;
  /** How errors name the options set from the environment ('NETWORKML_CONCURRENCY (--concurrency)'). */
  shownAs?: Partial<Record<(typeof SHOWN_FROM_ENV)[number], string>>;
  metricsPort?: string;
  metricsHost?: string;
  heartbeat?: string;
}

/** The options whose errors name their environment variable when it set them. */
const SHOWN_FROM_ENV = [
  'concurrency',
  'prefetch',
  'deliveryLimit',
  'captureRoot',
  'metricsPort',
  'heartbeat',
  'captureRetries',
  'captureRetryDelay',
] as const;

/** Where the metrics and health endpoints listen: loopback unless told (a container sets 0.0.0.0). */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/**
 * --heartbeat: whole seconds, 1 to 3600, or 0 for the broker's own value. The broker and the client agree on
 * the lower of the two non-zero values, so a heartbeat above the broker's `heartbeat` setting (60 s by
 * default) needs that raised too.
 */
function parseHeartbeat(text: string, shown = '--heartbeat'): number {
  return text === '0' ? 0 : parsePositiveInt(text, shown, 3600);
}

/** The flag, else NETWORKML_RESULT_FORMAT, else the default; a blank one is refused, not read as unset. */
function resultFormatFrom(flag: string | undefined): ResultFormat {
  const fromEnv = flag === undefined ? process.env.NETWORKML_RESULT_FORMAT : undefined;
  const text = flag ?? fromEnv ?? DEFAULT_RESULT_FORMAT;
  const format = RESULT_FORMATS.find((f) => f === text);
  if (!format) {
    const name = fromEnv === undefined ? '--result-format' : 'NETWORKML_RESULT_FORMAT';
    throw new UsageError(`${name}: expected ${RESULT_FORMATS.join(' or ')}, got '${text}'`);
  }
  return format;
}

async function checkCaptureRoot(dir: string, shown = '--capture-root'): Promise<string> {
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${shown} ${dir}: ${code === 'ENOENT' ? 'no such directory' : `cannot be read (${code ?? 'error'})`}`,
    );
  }
  if (!info.isDirectory()) throw new UsageError(`${shown} ${dir}: not a directory`);
  return dir;
}

/** Runs until SIGTERM/SIGINT (first: finish the jobs in hand; second: exit at once). */
export async function runWorkerCommand(flags: WorkerFlags, evaluate?: Evaluate): Promise<void> {
  const shown = flags.shownAs ?? {};
  const concurrency =
    flags.concurrency === undefined
      ? 1
      : parsePositiveInt(flags.concurrency, shown.concurrency ?? '--concurrency', 256);
  const prefetch =
    flags.prefetch === undefined
      ? concurrency
      : parsePositiveInt(flags.prefetch, shown.prefetch ?? '--prefetch', 65_535);
  // Refused at start (exit 2), not once per job: every job would otherwise be dead-lettered.
  const captureRoot = await checkCaptureRoot(flags.captureRoot ?? process.cwd(), shown.captureRoot);
  const logger = defaultLogger();
  const given = evaluateOptionsFrom(flags);
  // A capture corrupt part-way: its result of the packets before the corrupt record is published, marked
  // (`capture_error`), as eval prints it; the job is acked (the same bytes give the same result again).
  const evaluateOptions = { ...given, capture: { ...given.capture, partialOnCorrupt: true } };
  // A bad role or anomaly model (corrupt, foreign, a behaviour model of another role model) is refused at
  // start (exit 3), not once per job.
  if (!evaluate) anomalyScorer(evaluateOptions, roleModelFor(evaluateOptions.modelPath));
  const redisUrl = serviceRedisUrl(flags.redis);
  const history = redisUrl ? historyBreaker(redisHistory(redisUrl), { onChange: logBreaker(logger) }) : null;
  if (history) {
    // One probe at start: a Redis that refuses this configuration (password, host name) stops the worker
    // (exit 4, one line) as a broker refusing the login does; one merely not answering yet opens the
    // breaker, and the worker publishes results marked "history": false until it answers.
    try {
      if (await history.check())
        logger.info({ redis: history.location }, 'device history shared through Redis');
    } catch (err) {
      await history.close().catch(() => {});
      throw err;
    }
  }
  const heartbeatSeconds =
    flags.heartbeat === undefined ? undefined : parseHeartbeat(flags.heartbeat, shown.heartbeat);
  if (flags.metricsHost !== undefined && flags.metricsHost.trim() === '')
    throw new UsageError('--metrics-host: empty');
  const metricsPort =
    flags.metricsPort === undefined
      ? null
      : parsePort(flags.metricsPort, shown.metricsPort ?? '--metrics-port');
  const metrics = metricsPort === null ? null : new WorkerMetrics();
  // Every setting is checked before the server listens: an error after it would leave it open.
  const rabbit = rabbitFromFlags(flags);
  const resultFormat = resultFormatFrom(flags.resultFormat);
  const deliveryLimit =
    flags.deliveryLimit === undefined
      ? undefined
      : parsePositiveInt(flags.deliveryLimit, shown.deliveryLimit ?? '--delivery-limit', 1000);
  const captureRetries =
    flags.captureRetries === undefined
      ? DEFAULT_CAPTURE_RETRY.retries
      : flags.captureRetries === '0'
        ? 0
        : parsePositiveInt(flags.captureRetries, shown.captureRetries ?? '--capture-retries', 10);
  const captureRetryDelayMs =
    flags.captureRetryDelay === undefined
      ? DEFAULT_CAPTURE_RETRY.initialDelayMs
      : 1000 *
        parsePositiveInt(flags.captureRetryDelay, shown.captureRetryDelay ?? '--capture-retry-delay', 3600);
  // Listening before connecting: a port in use is refused at start (exit 2), before any job is taken.
  const server: MetricsServer | null =
    metrics === null || metricsPort === null
      ? null
      : await startMetricsServer({
          host: flags.metricsHost ?? DEFAULT_METRICS_HOST,
          port: metricsPort,
          metrics,
        });
  if (server)
    logger.info(
      { host: flags.metricsHost ?? DEFAULT_METRICS_HOST, port: server.port },
      'serving /metrics, /healthz and /readyz',
    );
  const evaluateJob = evaluate ?? ((path: string) => evaluateWithHistory(path, evaluateOptions, history));
  const handle = runWorker({
    rabbit,
    concurrency,
    prefetch,
    captureRoot,
    resultFormat,
    deliveryLimit,
    captureRetry: { retries: captureRetries, initialDelayMs: captureRetryDelayMs },
    evaluate: metrics === null ? evaluateJob : countHistoryFailures(evaluateJob, metrics),
    logger,
    heartbeatSeconds,
    onJobDone: metrics === null ? undefined : (outcome, seconds) => metrics.jobDone(outcome, seconds),
  });
  server?.watch(handle);
  const removeSignals = onStopSignals(
    (signal) => {
      logger.info({ signal }, 'finishing the jobs in hand, then stopping');
      void handle.stop();
    },
    (signal) => logger.warn({ signal }, 'second signal: exiting without finishing the jobs in hand'),
  );
  try {
    await handle.done;
  } finally {
    removeSignals();
    await server?.close();
    await history?.close();
  }
}

/** `evaluate`, counting in `metrics` the evaluations whose device history failed (HistoryUnavailable). */
function countHistoryFailures(evaluate: Evaluate, metrics: WorkerMetrics): Evaluate {
  return async (path) => {
    try {
      return await evaluate(path);
    } catch (err) {
      if (err instanceof HistoryUnavailable) metrics.historyFailed();
      throw err;
    }
  };
}

/** The breaker's changes of state as log lines: one per change (and per failed probe), never per job. */
function logBreaker(logger: Logger): (event: BreakerEvent) => void {
  return (event) => {
    if (event.state === 'open')
      logger.error(
        { error: event.cause, retryInMs: event.retryInMs },
        event.atStart
          ? 'device history unavailable at start: results are published without it, marked "history": false, until Redis answers'
          : 'device history unavailable: results are published without it, marked "history": false, until Redis answers',
      );
    else if (event.state === 'still-open')
      logger.warn(
        { error: event.cause, retryInMs: event.retryInMs },
        'device history still unavailable: next try after the back-off',
      );
    else logger.info({ downMs: event.downMs }, 'device history available again');
  };
}

/**
 * A job's result, completed by the shared device history when there is one. A history service that fails
 * (Redis down), or that the breaker skips while it is down, costs what it adds, not the evaluation: the
 * result comes with the error (HistoryUnavailable) for the worker to publish it at once, marked.
 */
async function evaluateWithHistory(
  path: string,
  options: EvaluateOptions,
  breaker: BreakerHistory | null,
): Promise<CaptureResult> {
  const history: HistoryPort | null = breaker ? breaker.forJob() : null;
  const { result, historyError } = await evaluateCaptureKeepingResult(path, options, history);
  if (historyError === null) return result;
  if (historyError.exitCode === ExitCode.SERVICE) throw new HistoryUnavailable(result, historyError);
  throw historyError;
}

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'consume capture jobs {"id","file_path"} from RabbitMQ and publish each result (Poseidon service mode)',
    )
    .addOption(
      new Option(
        '--prefetch <n>',
        'unacknowledged jobs the broker may hand this worker (default: --concurrency)',
      ).env('NETWORKML_PREFETCH'),
    )
    .addOption(
      new Option('--concurrency <n>', 'jobs evaluated at the same time (default 1)').env(
        'NETWORKML_CONCURRENCY',
      ),
    )
    .addOption(
      new Option(
        '--capture-root <dir>',
        'jobs may only name files under this directory (default: working directory)',
      ).env('NETWORKML_CAPTURE_ROOT'),
    )
    .option(
      '--result-format <format>',
      "'poseidon' (default: data.mac_addresses, what Poseidon reads) or 'v0' (the original NetworkML's) (env: NETWORKML_RESULT_FORMAT)",
    )
    .addOption(
      new Option(
        '--delivery-limit <n>',
        'deliveries of one job before it is dead-lettered, if this worker creates the queue (default 5)',
      ).env('NETWORKML_DELIVERY_LIMIT'),
    )
    .addOption(
      new Option(
        '--capture-retries <n>',
        'tries again, after growing pauses, a job whose capture cannot be read yet (missing, permission denied, I/O error: a shared volume lagging) before its error result; 0: none (default 3)',
      ).env('NETWORKML_CAPTURE_RETRIES'),
    )
    .addOption(
      new Option(
        '--capture-retry-delay <seconds>',
        'pause before the first of those tries, doubled for each further one (default 3: tries 3, 6 and 12 s apart)',
      ).env('NETWORKML_CAPTURE_RETRY_DELAY'),
    )
    .addOption(
      new Option(
        '--metrics-port <port>',
        'serve Prometheus /metrics, /healthz and /readyz on this port (default: off)',
      ).env('NETWORKML_METRICS_PORT'),
    )
    .addOption(
      new Option(
        '--metrics-host <address>',
        `address the metrics port listens on (default ${DEFAULT_METRICS_HOST}: this host only; 0.0.0.0 lets a Prometheus elsewhere scrape it)`,
      ).env('NETWORKML_METRICS_HOST'),
    )
    .addOption(
      new Option(
        '--heartbeat <seconds>',
        "AMQP heartbeat timeout: a peer silent about this long is dropped; at most the broker's (default 30; 0: the broker's)",
      ).env('NETWORKML_HEARTBEAT'),
    )
    .option(
      '--redis <url>',
      'share device history through this Redis (default: REDIS_HOST, port 6379; else redis:6379 when REDIS is true; else none)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  RABBIT_HOST=broker REDIS_HOST=redis networkml worker --capture-root /files\n' +
        '  networkml worker --rabbit-host 127.0.0.1 --concurrency 2 --result-format poseidon\n' +
        'SIGTERM finishes the job in hand, then exits 0. See docs/service.md.',
    );
  addModelOptions(command);
  addRabbitFlags(command).action(async (flags: WorkerFlags) => {
    const shownAs: NonNullable<WorkerFlags['shownAs']> = {};
    for (const key of SHOWN_FROM_ENV) {
      const option = command.options.find((o) => o.attributeName() === key);
      if (option?.envVar && command.getOptionValueSource(key) === 'env')
        shownAs[key] = `${option.envVar} (${option.long})`;
    }
    await runWorkerCommand({ ...flags, shownAs });
  });
}
