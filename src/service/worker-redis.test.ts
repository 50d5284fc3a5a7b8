/**
 * The worker and its Redis device history, with real servers (a private rabbitmq-server and redis-servers on
 * loopback) and real worker processes: the start-up probe (a configuration Redis refuses is exit 4, one line;
 * the URL's password is never logged) and the circuit breaker (Redis down: every job evaluated once and
 * published at once, marked "history": false; one log line per change of state).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, type RabbitServer, rabbitmqAvailable, startRabbit } from '../test-helpers/rabbitmq.js';
import { type RedisServer, startRedis } from '../test-helpers/redis.js';
import {
  type LogLine,
  type ResultCollector,
  settingsNamed,
  spawnWorker,
  startCollector,
  stopWorker,
  type WorkerProcess,
  workerArgs,
} from '../test-helpers/service-harness.js';
import type { RabbitSettings } from './config.js';
import type { PoseidonMessage } from './messages.js';
import { submitJobs } from './submit.js';

const CAPTURE = 'Aria-sentinel-Mon0000-n00.pcap';

const skip = !rabbitmqAvailable()
  ? 'rabbitmq-server is not installed (apt-get install rabbitmq-server)'
  : spawnSync('redis-server', ['--version']).error
    ? 'redis-server is not installed (apt-get install redis-server)'
    : false;

const PASSWORD = 's3cretpw';

describe('networkml worker and its Redis history', { skip, timeout: 600_000 }, () => {
  let rabbit: RabbitServer;
  let root = '';
  const workers: WorkerProcess[] = [];
  const collectors: ResultCollector[] = [];
  const redises: RedisServer[] = [];

  const settingsFor = (name: string): RabbitSettings => settingsNamed(rabbit, name);
  const collector = (settings: RabbitSettings, name: string) => startCollector(settings, name, collectors);

  function worker(settings: RabbitSettings, extra: string[], env: NodeJS.ProcessEnv = {}): WorkerProcess {
    const w = spawnWorker(workerArgs(settings, root, extra), env);
    workers.push(w);
    return w;
  }

  async function redisServer(options: Parameters<typeof startRedis>[0] = {}): Promise<RedisServer> {
    const r = await startRedis(options);
    redises.push(r);
    return r;
  }

  /** The exit code and the non-JSON stderr lines of a worker expected to stop by itself. */
  async function exitOf(w: WorkerProcess): Promise<{ code: number | string; lines: string[] }> {
    const code = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    return { code: code as number | string, lines: w.text.filter((l) => l.trim() !== '') };
  }

  const results = (c: ResultCollector) => c.messages as PoseidonMessage[];
  const started = (w: WorkerProcess) => w.logs.filter((l) => l.msg === 'job started');
  const isOpened = (l: LogLine) => /^device history unavailable/.test(l.msg ?? '');
  const isClosed = (l: LogLine) => l.msg === 'device history available again';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'networkml-root-'));
    await cp(resolve('test-data/captures/real', CAPTURE), join(root, CAPTURE));
    rabbit = await startRabbit();
  });

  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    for (const c of collectors) await c.close();
    for (const r of redises) await r.stop();
    await rabbit?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('the start log names the Redis without its password, and the history is written', async () => {
    const redis = await redisServer({ args: ['--requirepass', PASSWORD] });
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const settings = settingsFor('redis-auth');
    const c = await collector(settings, 'redis-auth');
    const w = worker(settings, ['--redis', url]);
    const line = await w.waitForLog((l) => l.msg === 'device history shared through Redis', 30_000);
    assert.equal(line.redis, `redis://:***@127.0.0.1:${redis.port}`);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    await submitJobs([CAPTURE], { rabbit: settings });
    await c.waitFor((m) => m.length >= 1, 60_000, 'the result');
    assert.equal(results(c)[0]!.valid, true);
    assert.equal(results(c)[0]!.history, undefined, 'history applied: no mark');
    assert.equal(await stopWorker(w), 0);
    const everything = JSON.stringify(w.logs) + w.text.join('\n');
    assert.ok(!everything.includes(PASSWORD), 'the password is in no log line');
  });

  for (const [what, url, pattern] of [
    [
      'a wrong Redis password',
      (port: number) => `redis://:wrong-${PASSWORD}@127.0.0.1:${port}`,
      /^networkml: redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS .*\(check --redis \/ REDIS_HOST: host, port, password\)$/,
    ],
    [
      'no password where Redis wants one',
      (port: number) => `redis://127.0.0.1:${port}`,
      /^networkml: redis redis:\/\/127\.0\.0\.1:\d+: NOAUTH /,
    ],
    [
      'a Redis host name that does not resolve',
      () => 'redis://no-such-host.invalid:6379',
      /^networkml: redis redis:\/\/no-such-host\.invalid:6379: getaddrinfo ENOTFOUND /,
    ],
  ] as const) {
    it(`${what} stops the worker at start with one line (exit 4)`, async () => {
      const redis = await redisServer({ args: ['--requirepass', PASSWORD] });
      const w = worker(settingsFor('redis-refused'), ['--redis', url(redis.port)]);
      const { code, lines } = await exitOf(w);
      assert.equal(code, 4, w.text.join(' | '));
      assert.equal(lines.length, 1, w.text.join(' | '));
      assert.match(lines[0]!, pattern);
      assert.ok(!lines[0]!.includes(PASSWORD));
      assert.ok(!w.logs.some((l) => l.msg === 'consuming'), 'it never consumed');
    });
  }

  it('Redis down at start: a loud warning, then 20 jobs each evaluated once and published at once, marked', async () => {
    const port = await freePort();
    const settings = settingsFor('redis-down');
    const c = await collector(settings, 'redis-down');
    const w = worker(settings, ['--redis', `redis://127.0.0.1:${port}`]);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const warned = w.logs.filter(isOpened);
    assert.equal(warned.length, 1, JSON.stringify(w.logs));
    assert.equal(warned[0]!.level, 50, 'an error-level line');
    assert.match(String(warned[0]!.error), /ECONNREFUSED/);
    const t0 = Date.now();
    const jobs = await submitJobs(Array(20).fill(CAPTURE), { rabbit: settings });
    await c.waitFor((m) => m.length >= 20, 120_000, '20 results');
    const elapsed = Date.now() - t0;
    // Before, each job was evaluated, held its slot for 1 s, was requeued and evaluated again: over 20 s.
    assert.ok(elapsed < 10_000, `20 jobs took ${elapsed} ms`);
    assert.equal(started(w).length, 20, 'each job evaluated once');
    assert.ok(!w.logs.some((l) => l.redelivered === true || /requeued/.test(l.msg ?? '')));
    assert.deepEqual(
      results(c)
        .map((m) => m.id)
        .sort(),
      jobs.map((j) => j.id).sort(),
      'one result each',
    );
    for (const m of results(c)) {
      assert.equal(m.valid, true);
      assert.equal(m.history, false);
      assert.ok(Object.keys(m.data.mac_addresses).length > 0);
    }
    const done = w.logs.filter((l) => l.msg === 'job done');
    assert.ok(done.every((l) => l.history === false && l.outcome === 'result'));
    assert.equal(w.logs.filter(isOpened).length, 1, 'logged once, not per job');
    assert.equal(await stopWorker(w), 0);
  });

  it('Redis hung mid-run (CLIENT PAUSE): one job waits out the timeout, the next ones skip the history at once', async () => {
    const redis = await redisServer();
    const admin = new Redis(redis.url);
    try {
      const settings = settingsFor('redis-hung');
      const c = await collector(settings, 'redis-hung');
      const w = worker(settings, ['--redis', redis.url]);
      await w.waitForLog((l) => l.msg === 'consuming', 30_000);
      await submitJobs([CAPTURE], { rabbit: settings });
      await c.waitFor((m) => m.length >= 1, 60_000, 'the first result');
      assert.equal(results(c)[0]!.history, undefined);
      await admin.client('PAUSE', 60_000, 'ALL');
      const t0 = Date.now();
      await submitJobs(Array(10).fill(CAPTURE), { rabbit: settings });
      await c.waitFor((m) => m.length >= 11, 60_000, '10 results while Redis hangs');
      const elapsed = Date.now() - t0;
      // Before: each job waited 5 s, was requeued after 1 s, and waited 5 s again (~110 s for 10 jobs).
      assert.ok(elapsed < 20_000, `10 jobs took ${elapsed} ms`);
      assert.ok(
        results(c)
          .slice(1)
          .every((m) => m.history === false && m.valid),
      );
      assert.equal(started(w).length, 11, 'each job evaluated once');
      assert.equal(w.logs.filter(isOpened).length, 1);
      assert.match(String(w.logs.find(isOpened)!.error), /timed out|not responding/i);
      assert.equal(await stopWorker(w), 0);
    } finally {
      admin.disconnect();
    }
  });

  it('Redis stopped mid-run and restarted: marked results meanwhile, history again after, one line per change', async () => {
    const redis = await redisServer();
    const settings = settingsFor('redis-outage');
    const c = await collector(settings, 'redis-outage');
    const w = worker(settings, ['--redis', redis.url]);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    await submitJobs([CAPTURE], { rabbit: settings });
    await c.waitFor((m) => m.length >= 1, 60_000, 'the first result');
    assert.equal(results(c)[0]!.history, undefined);

    await redis.stop();
    await submitJobs(Array(10).fill(CAPTURE), { rabbit: settings });
    await c.waitFor((m) => m.length >= 11, 60_000, '10 results while Redis is down');
    assert.ok(
      results(c)
        .slice(1)
        .every((m) => m.history === false && m.valid),
    );
    assert.equal(started(w).length, 11, 'each job evaluated once');
    assert.equal(w.logs.filter(isOpened).length, 1);
    const opened = w.logs.find(isOpened)!;
    assert.match(String(opened.error), /^redis redis:\/\/127\.0\.0\.1:\d+: /);

    redises.push(await startRedis({ port: redis.port }));
    // The breaker probes again 5 s after opening (then 10 s, ...): jobs until then skip the history.
    const deadline = Date.now() + 60_000;
    while (!w.logs.some(isClosed) && Date.now() < deadline) {
      // Counted before submitting: under load the result can arrive before the submit's confirm returns.
      const count = c.messages.length + 1;
      await submitJobs([CAPTURE], { rabbit: settings });
      await c.waitFor((m) => m.length >= count, 60_000, 'a result');
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(w.logs.some(isClosed), 'history available again');
    const before = c.messages.length;
    await submitJobs([CAPTURE], { rabbit: settings });
    await c.waitFor((m) => m.length > before, 60_000, 'a result after Redis came back');
    assert.equal(results(c).at(-1)!.history, undefined, 'history applied again');
    assert.equal(w.logs.filter(isOpened).length, 1);
    assert.equal(w.logs.filter(isClosed).length, 1);
    assert.equal(started(w).length, c.messages.length, 'no job evaluated twice, no result twice');
    assert.equal(await stopWorker(w), 0);
  });
});
