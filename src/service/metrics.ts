/**
 * The worker's operability surface (`networkml worker --metrics-port`): one HTTP server with
 * - `/metrics`: Prometheus text format (jobs by outcome, job durations, jobs in flight, broker connections
 *   and state, last job finished, device-history failures, process figures);
 * - `/healthz`: liveness: 200 whenever the event loop answers;
 * - `/readyz`: 200 only while connected to the broker and consuming, else 503 with a one-line reason.
 * node:http and a hand-written exposition: a few counters do not need a dependency.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { ExitCode, NetworkmlError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import type { WorkerStats } from './worker.js';
import { JOB_OUTCOMES, type JobOutcome, type WorkerState, type WorkerStatus } from './worker-status.js';

/** Job duration buckets (seconds): milliseconds for small captures up to RabbitMQ's 30 min consumer_timeout. */
export const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

const STATES: readonly WorkerState[] = ['connecting', 'consuming', 'reconnecting', 'draining'];

/** What the endpoints read from the running worker (a WorkerHandle). */
export interface WorkerSource {
  status(): WorkerStatus;
  stats(): WorkerStats;
}

/** Counters the worker's hooks feed (onJobDone, the device-history wrapper); rendered on each scrape. */
export class WorkerMetrics {
  private readonly outcomes = new Map<JobOutcome, number>(JOB_OUTCOMES.map((o) => [o, 0]));
  private readonly bucketCounts = DURATION_BUCKETS.map(() => 0);
  private durationCount = 0;
  private durationSum = 0;
  private lastJobFinished: number | null = null;
  private historyFailures = 0;

  jobDone(outcome: JobOutcome, seconds: number): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= DURATION_BUCKETS[i]!) this.bucketCounts[i]!++;
    }
    this.durationCount++;
    this.durationSum += seconds;
    this.lastJobFinished = Date.now() / 1000;
  }

  /** An evaluation whose device history (Redis) failed. */
  historyFailed(): void {
    this.historyFailures++;
  }

  /** The Prometheus text exposition (format 0.0.4). */
  render(source: WorkerSource | null, loopDelay: IntervalHistogram | null): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labels} ${formatNumber(value)}`);
    };
    const status = source?.status() ?? null;
    const stats = source?.stats() ?? null;
    metric('networkml_worker_info', 'gauge', 'The worker version.', [[`{version="${VERSION}"}`, 1]]);
    metric(
      'networkml_worker_jobs_total',
      'counter',
      'Deliveries the worker is done with, by outcome (see docs/service.md).',
      JOB_OUTCOMES.map((o) => [`{outcome="${o}"}`, this.outcomes.get(o) ?? 0]),
    );
    out.push(
      '# HELP networkml_worker_job_duration_seconds Time from starting a job to being done with it (any outcome).',
      '# TYPE networkml_worker_job_duration_seconds histogram',
    );
    DURATION_BUCKETS.forEach((le, i) => {
      out.push(`networkml_worker_job_duration_seconds_bucket{le="${le}"} ${this.bucketCounts[i]}`);
    });
    out.push(
      `networkml_worker_job_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`,
      `networkml_worker_job_duration_seconds_sum ${formatNumber(this.durationSum)}`,
      `networkml_worker_job_duration_seconds_count ${this.durationCount}`,
    );
    metric('networkml_worker_jobs_in_flight', 'gauge', 'Jobs being evaluated or published now.', [
      ['', status?.inFlight ?? 0],
    ]);
    metric('networkml_worker_jobs_prefetched', 'gauge', 'Jobs handed over by the broker, not started.', [
      ['', status?.prefetched ?? 0],
    ]);
    if (this.lastJobFinished !== null)
      metric(
        'networkml_worker_last_job_finished_timestamp_seconds',
        'gauge',
        'When the worker was last done with a job (Unix time); absent before the first.',
        [['', this.lastJobFinished]],
      );
    metric(
      'networkml_worker_device_history_failures_total',
      'counter',
      'Evaluations whose shared device history (Redis) failed.',
      [['', this.historyFailures]],
    );
    const connections = stats?.connections ?? 0;
    metric(
      'networkml_worker_broker_connections_total',
      'counter',
      'Connections that consumed, the first included.',
      [['', connections]],
    );
    metric(
      'networkml_worker_broker_reconnects_total',
      'counter',
      'Connections that consumed after the first.',
      [['', Math.max(0, connections - 1)]],
    );
    metric('networkml_worker_broker_connected', 'gauge', '1 while connected to the broker and consuming.', [
      ['', status?.state === 'consuming' ? 1 : 0],
    ]);
    metric(
      'networkml_worker_state',
      'gauge',
      'The worker state: 1 for the current one.',
      STATES.map((s) => [`{state="${s}"}`, (status?.state ?? 'connecting') === s ? 1 : 0]),
    );
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    metric('process_cpu_user_seconds_total', 'counter', 'User CPU time spent in seconds.', [
      ['', cpu.user / 1e6],
    ]);
    metric('process_cpu_system_seconds_total', 'counter', 'System CPU time spent in seconds.', [
      ['', cpu.system / 1e6],
    ]);
    metric('process_cpu_seconds_total', 'counter', 'User and system CPU time spent in seconds.', [
      ['', (cpu.user + cpu.system) / 1e6],
    ]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', memory.rss]]);
    metric(
      'process_start_time_seconds',
      'gauge',
      'Start time of the process since the Unix epoch in seconds.',
      [['', Math.round(Date.now() / 1000 - process.uptime())]],
    );
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use in bytes.', [['', memory.heapUsed]]);
    if (loopDelay !== null)
      metric(
        'nodejs_eventloop_delay_max_seconds',
        'gauge',
        'Longest event-loop block since start (a long one risks the AMQP heartbeat, see --heartbeat).',
        [['', loopDelay.max / 1e9]],
      );
    return `${out.join('\n')}\n`;
  }
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  readonly port: number;
  /** Sets the worker the endpoints report on; before it, /readyz answers 503 "starting". */
  watch(source: WorkerSource): void;
  close(): Promise<void>;
}

/** The reason a listen error is a configuration error, or null for another error. */
function listenProblem(err: NodeJS.ErrnoException, where: string): string | null {
  switch (err.code) {
    case 'EADDRINUSE':
      return `${where}: address already in use`;
    case 'EACCES':
      return `${where}: permission denied (a port below 1024 needs privileges)`;
    case 'EADDRNOTAVAIL':
      return `${where}: no such local address`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: host not found`;
    default:
      return null;
  }
}

/**
 * Listens on host:port and serves /metrics, /healthz and /readyz. A port in use (or another address problem)
 * is a UsageError (exit 2) naming it, not a stack trace.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  metrics: WorkerMetrics;
}): Promise<MetricsServer> {
  const { host, port, metrics } = options;
  let source: WorkerSource | null = null;
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();

  const respond = (res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      respond(res, 405, 'method not allowed\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/metrics') {
        respond(res, 200, metrics.render(source, loopDelay), 'text/plain; version=0.0.4; charset=utf-8');
      } else if (path === '/healthz') {
        respond(res, 200, 'ok\n');
      } else if (path === '/readyz') {
        const status = source?.status() ?? null;
        if (status?.state === 'consuming') respond(res, 200, 'consuming\n');
        else respond(res, 503, `${(status?.reason ?? 'starting').replace(/[\r\n]+/g, ' ')}\n`);
      } else {
        respond(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
      }
    } catch {
      respond(res, 500, 'internal error\n');
    }
  });
  // A scraper that keeps connections open must not hold the process after close().
  server.keepAliveTimeout = 5000;
  const where = `--metrics-port ${port} on ${host.includes(':') ? `[${host}]` : host}`;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    loopDelay.disable();
    const problem = listenProblem(err as NodeJS.ErrnoException, where);
    if (problem !== null) throw new UsageError(problem);
    throw new NetworkmlError(`${where}: ${(err as Error).message}`, ExitCode.SERVICE);
  }
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: bound,
    watch(next) {
      source = next;
    },
    close() {
      loopDelay.disable();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
