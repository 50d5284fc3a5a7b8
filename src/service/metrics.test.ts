/**
 * `networkml worker --metrics-port`: /metrics, /healthz and /readyz of real worker processes against a real
 * rabbitmq-server (private node on loopback), and the exposition and outcome helpers on their own.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceResult } from '../result.js';
import { freePort, type RabbitServer, rabbitmqAvailable, startRabbit } from '../test-helpers/rabbitmq.js';
import {
  type ResultCollector,
  settingsNamed,
  spawnWorker,
  startCollector,
  stopWorker,
  type WorkerProcess,
  workerArgs,
  writeRepeatedCapture,
} from '../test-helpers/service-harness.js';
import type { RabbitSettings } from './config.js';
import type { ResultMessage } from './messages.js';
import { DURATION_BUCKETS, WorkerMetrics } from './metrics.js';
import { submitJobs } from './submit.js';
import { publishedValid } from './worker-status.js';

const CAPTURES = resolve('test-data/captures');
const VALID = 'real/Aria-sentinel-Mon0000-n00.pcap';
/** A real capture with no session after the warm-up: published `valid: false`. */
const INVALID = 'real/iKettle2-sentinel-Mon0000-n00.pcap';
const BIG = 'big.pcap';

const skip = rabbitmqAvailable()
  ? false
  : 'rabbitmq-server is not installed (apt-get install rabbitmq-server)';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The value of one sample line (`name{labels} value`) of a Prometheus exposition. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no ${series} in\n${text}`);
  return Number(line.slice(series.length + 1));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('WorkerMetrics and publishedValid', () => {
  it('renders every outcome, a cumulative histogram and no timestamp before the first job', () => {
    const metrics = new WorkerMetrics();
    const empty = metrics.render(null, null);
    assert.equal(sample(empty, 'networkml_worker_jobs_total{outcome="result"}'), 0);
    assert.doesNotMatch(empty, /last_job_finished/);
    assert.equal(sample(empty, 'networkml_worker_state{state="connecting"}'), 1);
    metrics.jobDone('result', 0.2);
    metrics.jobDone('dead_lettered', 7);
    metrics.historyFailed();
    const text = metrics.render(null, null);
    assert.equal(sample(text, 'networkml_worker_jobs_total{outcome="result"}'), 1);
    assert.equal(sample(text, 'networkml_worker_jobs_total{outcome="dead_lettered"}'), 1);
    assert.equal(sample(text, 'networkml_worker_job_duration_seconds_bucket{le="0.25"}'), 1);
    assert.equal(sample(text, 'networkml_worker_job_duration_seconds_bucket{le="10"}'), 2);
    assert.equal(sample(text, 'networkml_worker_job_duration_seconds_bucket{le="+Inf"}'), 2);
    assert.equal(sample(text, 'networkml_worker_job_duration_seconds_count'), 2);
    assert.equal(sample(text, 'networkml_worker_device_history_failures_total'), 1);
    assert.ok(sample(text, 'networkml_worker_last_job_finished_timestamp_seconds') > 1.7e9);
    assert.ok(DURATION_BUCKETS.every((b, i) => i === 0 || b > DURATION_BUCKETS[i - 1]!));
    // Every sample line is `name{labels} number` under a TYPE line.
    for (const line of text.trim().split('\n')) {
      if (line.startsWith('#')) assert.match(line, /^# (HELP|TYPE) [a-z_]+ /);
      else assert.match(line, /^[a-z_]+(\{[a-z]+="[^"]*"\})? [-+0-9.e]+$/, line);
    }
  });

  it('tells a valid result from an invalid one in both message formats', () => {
    const base = { id: '1', file_path: 'x.pcap' };
    const results = { tool: 'networkml', version: '0' } as const;
    const poseidon = (valid: boolean): ResultMessage => ({
      tool: 'networkml',
      ...base,
      valid,
      data: { mac_addresses: {} },
    });
    const v0 = (valid: boolean): ResultMessage[] => [
      {
        ...base,
        type: 'metadata',
        data: { k: { valid, pcap: 'x.pcap' } as unknown as DeviceResult, pcap: 'x.pcap' },
        results,
      },
      { ...base, type: 'metadata', data: '', results },
    ];
    assert.equal(publishedValid([poseidon(true)]), true);
    assert.equal(publishedValid([poseidon(false)]), false);
    assert.equal(publishedValid(v0(true)), true);
    assert.equal(publishedValid(v0(false)), false);
    assert.equal(
      publishedValid([{ ...base, type: 'metadata', data: '', results, valid: false, error: 'x' }]),
      false,
    );
    assert.equal(publishedValid([]), false);
  });
});

describe('networkml worker --metrics-port with RabbitMQ', { skip, timeout: 600_000 }, () => {
  let rabbit: RabbitServer;
  let root = '';
  const workers: WorkerProcess[] = [];
  const collectors: ResultCollector[] = [];

  const settingsFor = (name: string): RabbitSettings => settingsNamed(rabbit, name);
  const collector = (settings: RabbitSettings, name: string) => startCollector(settings, name, collectors);

  function worker(settings: RabbitSettings, extra: string[], env: NodeJS.ProcessEnv = {}): WorkerProcess {
    const w = spawnWorker(workerArgs(settings, root, extra), env);
    workers.push(w);
    return w;
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'networkml-metrics-'));
    await cp(join(CAPTURES, 'real'), join(root, 'real'), { recursive: true });
    await writeRepeatedCapture(join(root, VALID), join(root, BIG), 150);
    rabbit = await startRabbit();
  });

  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    for (const c of collectors) await c.close();
    await rabbit?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('/readyz is 200 while consuming, 503 with the reason while the broker is down; /metrics counts jobs and reconnects', async () => {
    const settings = settingsFor('ready');
    const results = await collector(settings, 'ready');
    const port = await freePort();
    // The port from the environment variable, as a container sets it.
    const w = worker(settings, ['--heartbeat', '5'], { NETWORKML_METRICS_PORT: String(port) });
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    assert.deepEqual(await get(port, '/readyz'), { status: 200, body: 'consuming\n' });
    // --heartbeat reached the broker: the connection's negotiated timeout is 5 s.
    const timeouts = await rabbit.ctl(['list_connections', '-q', '--no-table-headers', 'timeout']);
    assert.match(timeouts, /^5$/m, timeouts);
    assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok\n' });
    assert.equal((await get(port, '/nothing')).status, 404);

    await submitJobs([VALID, INVALID, 'real/no-such.pcap'], { rabbit: settings });
    await results.waitFor((m) => m.length >= 3, 60_000, 'two results and an error result');
    // The missing capture's job was tried 3 more times first (--capture-retries' default), each try a
    // job counted ("retried"): its end is counted only once its error result has been sent (the collector
    // may have it before the worker counts it, on a loaded machine).
    const metrics = await until('three jobs counted', 10_000, async () => {
      const { status, body } = await get(port, '/metrics');
      assert.equal(status, 200);
      return sample(body, 'networkml_worker_jobs_total{outcome="dead_lettered"}') >= 1 ? body : null;
    });
    assert.equal(sample(metrics, 'networkml_worker_jobs_total{outcome="retried"}'), 3);
    assert.equal(sample(metrics, 'networkml_worker_job_duration_seconds_count'), 6);
    assert.equal(sample(metrics, 'networkml_worker_jobs_total{outcome="result"}'), 1);
    assert.equal(sample(metrics, 'networkml_worker_jobs_total{outcome="invalid_result"}'), 1);
    assert.equal(sample(metrics, 'networkml_worker_jobs_total{outcome="dead_lettered"}'), 1);
    assert.equal(sample(metrics, 'networkml_worker_jobs_in_flight'), 0);
    assert.equal(sample(metrics, 'networkml_worker_broker_connected'), 1);
    assert.equal(sample(metrics, 'networkml_worker_state{state="consuming"}'), 1);
    assert.equal(sample(metrics, 'networkml_worker_broker_reconnects_total'), 0);
    assert.ok(sample(metrics, 'networkml_worker_last_job_finished_timestamp_seconds') <= Date.now() / 1000);
    assert.ok(sample(metrics, 'process_resident_memory_bytes') > 0);

    await rabbit.stop();
    try {
      const down = await until('/readyz 503', 30_000, async () => {
        const r = await get(port, '/readyz');
        return r.status === 503 ? r : null;
      });
      assert.match(down.body, /^reconnecting to amqp:\/\/127\.0\.0\.1:\d+: .+\n$/);
      assert.equal(down.body.split('\n').length, 2, down.body);
      assert.equal((await get(port, '/healthz')).status, 200);
      const stateDown = (await get(port, '/metrics')).body;
      assert.equal(sample(stateDown, 'networkml_worker_broker_connected'), 0);
      assert.equal(sample(stateDown, 'networkml_worker_state{state="reconnecting"}'), 1);
    } finally {
      await rabbit.start();
    }
    await until('/readyz 200 again', 90_000, async () =>
      (await get(port, '/readyz')).status === 200 ? true : null,
    );
    assert.equal(sample((await get(port, '/metrics')).body, 'networkml_worker_broker_reconnects_total'), 1);
    assert.equal(await stopWorker(w), 0);
    await assert.rejects(get(port, '/healthz'), 'the server is closed with the worker');
  });

  it('/readyz is 503 while draining a job after SIGTERM, and the server closes when the worker exits', async () => {
    const settings = settingsFor('drain');
    const results = await collector(settings, 'drain');
    const port = await freePort();
    const w = worker(settings, ['--metrics-port', String(port), '--result-format', 'v0']);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    await submitJobs([BIG], { rabbit: settings });
    await w.waitForLog((l) => l.msg === 'job started', 30_000);
    const inFlight = sample((await get(port, '/metrics')).body, 'networkml_worker_jobs_in_flight');
    assert.equal(inFlight, 1);
    w.child.kill('SIGTERM');
    const draining = await until('/readyz 503 draining', 10_000, async () => {
      const r = await get(port, '/readyz');
      return r.status === 503 ? r : null;
    });
    assert.equal(draining.body, 'stopping: finishing 1 job(s) in hand\n');
    assert.equal(sample((await get(port, '/metrics')).body, 'networkml_worker_state{state="draining"}'), 1);
    assert.equal(await w.exited, 0, 'one SIGTERM: the job finished, exit 0');
    await results.waitFor((m) => m.length >= 1, 10_000, 'the drained job’s result');
    await assert.rejects(get(port, '/readyz'));
  });

  it('a result no queue receives counts as unroutable, each delivery', async () => {
    const settings = settingsFor('unroutable'); // no collector: nothing bound to its routing key
    const port = await freePort();
    const w = worker(settings, ['--metrics-port', String(port)]);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    await submitJobs([VALID], { rabbit: settings });
    const body = await until('an unroutable outcome', 30_000, async () => {
      const text = (await get(port, '/metrics')).body;
      return sample(text, 'networkml_worker_jobs_total{outcome="unroutable"}') >= 1 ? text : null;
    });
    assert.equal(sample(body, 'networkml_worker_jobs_total{outcome="result"}'), 0);
    assert.equal(await stopWorker(w), 0);
  });

  it('a metrics port in use, or a bad port or heartbeat, is one line and exit 2', async () => {
    const settings = settingsFor('inuse');
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
    try {
      const w = worker(settings, ['--metrics-port', String(port)]);
      assert.equal(await w.exited, 2);
      assert.deepEqual(
        w.text.filter((l) => l.trim() !== ''),
        [`networkml: --metrics-port ${port} on 127.0.0.1: address already in use`],
      );
      assert.equal(w.logs.filter((l) => l.msg === 'consuming').length, 0, 'never consumed');
    } finally {
      await new Promise((r) => taken.close(r));
    }
    for (const [args, env, message] of [
      [['--metrics-port', 'http'], {}, 'networkml: --metrics-port: not a port: http'],
      [
        [],
        { NETWORKML_HEARTBEAT: '-1' },
        'networkml: NETWORKML_HEARTBEAT (--heartbeat): expected an integer from 1 to 3600, got -1',
      ],
      [['--metrics-port', '9', '--metrics-host', ''], {}, 'networkml: --metrics-host: empty'],
    ] as const) {
      const w = worker(settings, [...args], env);
      assert.equal(await w.exited, 2, args.join(' '));
      assert.deepEqual(
        w.text.filter((l) => l.trim() !== ''),
        [message],
      );
    }
  });
});
