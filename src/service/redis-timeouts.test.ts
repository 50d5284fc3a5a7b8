/**
 * A Redis that stops answering must not stall anything: a real redis-server paused with CLIENT PAUSE, and a
 * TCP listener that accepts connections and never writes (a stopped or hung Redis), against RedisHistory
 * and one-shot mode (`REDIS=true REDIS_HOST=… networkml -p FILE`, exit 4). The worker's side (its circuit
 * breaker: the result published at once without the history, marked) is in worker.test.ts and
 * worker-redis.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisHistory } from '../decisions/history-redis.js';
import { ExitCode, NetworkmlError } from '../errors.js';
import { runCli } from '../test-helpers/cli.js';
import { freePort } from '../test-helpers/ports.js';
import { type RedisServer, startRedis } from '../test-helpers/redis.js';
import { silentServer } from '../test-helpers/silent-server.js';

const CAPTURE = resolve('test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap');

const noRedis = spawnSync('redis-server', ['--version']).error
  ? 'redis-server is not installed (apt-get install redis-server)'
  : false;

function isServiceError(pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof NetworkmlError, String(err));
    assert.equal(err.exitCode, ExitCode.SERVICE);
    assert.ok(!err.message.includes('\n'));
    assert.match(err.message, pattern);
    return true;
  };
}

describe('a Redis that does not answer', { timeout: 60_000 }, () => {
  let silent: { port: number; close(): Promise<void> };
  before(async () => {
    silent = await silentServer();
  });
  after(async () => {
    await silent?.close();
  });

  it('RedisHistory.connect gives up after its timeout (exit 4), not never', async () => {
    const started = Date.now();
    await assert.rejects(
      RedisHistory.connect(`redis://127.0.0.1:${silent.port}`, { timeoutMs: 500 }),
      isServiceError(/^redis redis:\/\/127\.0\.0\.1:\d+: no answer within 500 ms/),
    );
    const took = Date.now() - started;
    assert.ok(took < 3000, `${took} ms`);
  });

  it('a port where nothing listens is named as refused, not "Connection is closed."', async () => {
    const port = await freePort();
    await assert.rejects(
      RedisHistory.connect(`redis://127.0.0.1:${port}`, { timeoutMs: 500 }),
      isServiceError(
        new RegExp(`^redis redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`),
      ),
    );
  });

  it('a command to a Redis that stopped answering times out (exit 4), and close() does not wait', {
    skip: noRedis,
  }, async () => {
    const server: RedisServer = await startRedis();
    const admin = new Redis(server.url);
    try {
      const history = await RedisHistory.connect(server.url, { timeoutMs: 500 });
      assert.equal(await history.lastUpdate('00:11:22:33:44:55'), null);
      // The real server stops answering every client for 5 s, as a SIGSTOPped one would.
      await admin.client('PAUSE', 5000, 'ALL');
      const started = Date.now();
      await assert.rejects(
        history.lastUpdate('00:11:22:33:44:55'),
        isServiceError(/^redis redis:\/\/127\.0\.0\.1:\d+: Command timed out$/),
      );
      await history.close();
      const took = Date.now() - started;
      assert.ok(took < 3000, `${took} ms`);
    } finally {
      admin.disconnect();
      await server.stop();
    }
  });

  it('one-shot -p with REDIS_HOST at a silent server: the result without history, exit 4 with one line, no hang', () => {
    const started = Date.now();
    const r = runCli(['-p', CAPTURE], {
      env: { REDIS: 'true', REDIS_HOST: `redis://127.0.0.1:${silent.port}`, RABBIT: '', RABBIT_HOST: '' },
      timeoutMs: 40_000,
    });
    assert.equal(r.status, 4, `status ${r.status}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /^networkml: redis redis:\/\/127\.0\.0\.1:\d+: no answer within 5000 ms \(connected, but Redis is not responding\) \(the result is given without device history\)\n$/,
    );
    assert.equal(r.stdout.trim().split('\n').length, 2, 'the v0 pair, without history');
    assert.ok(Date.now() - started < 30_000, 'bounded');
  });
});
