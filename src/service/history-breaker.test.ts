/**
 * The worker's circuit breaker over the shared history (historyBreaker), against a scripted history and a
 * fake clock; and the Redis cause behind an EXECABORT, against a real redis-server refusing writes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisHistory } from '../decisions/history-redis.js';
import { ExitCode, NetworkmlError } from '../errors.js';
import type { ScoredUpdate } from '../pipeline/evaluate.js';
import type { CaptureResult } from '../result.js';
import { startRedis } from '../test-helpers/redis.js';
import { type BreakerEvent, HistorySkipped, historyBreaker, type SharedHistory } from './history.js';

/** A history whose every call fails (with a service error, as RedisHistory's) while `down` is set. */
function scripted() {
  const calls: string[] = [];
  const state = { down: false, message: 'redis redis://r:6379: connect ECONNREFUSED 127.0.0.1:6379' };
  const fail = (what: string) => {
    calls.push(what);
    if (state.down) throw new NetworkmlError(state.message, ExitCode.SERVICE);
  };
  const shared: SharedHistory = {
    location: 'redis://r:6379',
    async ping() {
      fail('ping');
    },
    async lastUpdate() {
      fail('lastUpdate');
      return null;
    },
    async pastServices() {
      fail('pastServices');
      return null;
    },
    async record() {
      fail('record');
    },
    async close() {},
  };
  return { shared, calls, state };
}

const entry = {} as ScoredUpdate;
const result = {} as CaptureResult;

describe('historyBreaker', () => {
  it('opens on a failure: later jobs skip at once without calling Redis, one probe per back-off, doubling', async () => {
    const { shared, calls, state } = scripted();
    let clock = 1_000_000;
    const events: BreakerEvent[] = [];
    const breaker = historyBreaker(shared, {
      now: () => clock,
      onChange: (e) => events.push(e),
      initialBackoffMs: 5000,
      maxBackoffMs: 12_000,
    });
    assert.equal(await breaker.check(), true);
    await breaker.forJob().lastUpdate('m', 1);
    state.down = true;
    // The failing job: its error is Redis's own, and its later calls skip.
    const failing = breaker.forJob();
    await assert.rejects(failing.lastUpdate('m', 1), /ECONNREFUSED/);
    await assert.rejects(failing.record(entry, result), HistorySkipped);
    assert.equal(breaker.state, 'open');
    calls.length = 0;
    for (let i = 0; i < 20; i++) {
      await assert.rejects(breaker.forJob().lastUpdate('m', 1), (err: unknown) => {
        assert.ok(err instanceof HistorySkipped);
        assert.equal(err.exitCode, ExitCode.SERVICE);
        assert.match(err.message, /^device history skipped while Redis is unavailable: .*ECONNREFUSED/);
        return true;
      });
    }
    assert.deepEqual(calls, [], 'no Redis call while open');
    // After the back-off, one job probes (PING); it fails: the next period is twice as long.
    clock += 5000;
    await assert.rejects(breaker.forJob().lastUpdate('m', 1), HistorySkipped);
    assert.deepEqual(calls, ['ping']);
    clock += 9999;
    await assert.rejects(breaker.forJob().lastUpdate('m', 1), HistorySkipped);
    assert.deepEqual(calls, ['ping']);
    clock += 1;
    await assert.rejects(breaker.forJob().lastUpdate('m', 1), HistorySkipped);
    assert.deepEqual(calls, ['ping', 'ping']);
    // Capped at maxBackoffMs.
    clock += 12_000;
    await assert.rejects(breaker.forJob().lastUpdate('m', 1), HistorySkipped);
    assert.deepEqual(calls, ['ping', 'ping', 'ping']);
    // Back: the probing job uses the history, and so do the next ones.
    state.down = false;
    clock += 12_000;
    const probing = breaker.forJob();
    await probing.lastUpdate('m', 1);
    await probing.record(entry, result);
    await breaker.forJob().lastUpdate('m', 1);
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(
      events.map((e) => e.state),
      ['open', 'still-open', 'still-open', 'still-open', 'closed'],
    );
    assert.deepEqual(
      events.map((e) => ('retryInMs' in e ? e.retryInMs : null)),
      [5000, 10_000, 12_000, 12_000, null],
    );
  });

  it('while one job probes, the others skip; a job admitted before the opening skips its later calls', async () => {
    const { shared, calls, state } = scripted();
    let clock = 0;
    let release: () => void = () => {};
    const slowPing = new Promise<void>((r) => {
      release = r;
    });
    const breaker = historyBreaker(
      {
        ...shared,
        async ping() {
          calls.push('ping');
          await slowPing;
          if (state.down) throw new NetworkmlError('down', ExitCode.SERVICE);
        },
      },
      { now: () => clock },
    );
    const early = breaker.forJob();
    await early.lastUpdate('m', 1);
    state.down = true;
    await assert.rejects(breaker.forJob().lastUpdate('m', 1));
    calls.length = 0;
    // `early` began before the opening: it does not write what it may have read half of.
    await assert.rejects(early.record(entry, result), HistorySkipped);
    state.down = false;
    clock += 5000;
    const probe = breaker.forJob().lastUpdate('m', 1);
    for (let i = 0; i < 5; i++) await assert.rejects(breaker.forJob().lastUpdate('m', 1), HistorySkipped);
    release();
    await probe;
    assert.deepEqual(calls, ['ping', 'lastUpdate']);
  });

  it('at start: a configuration error rejects (exit 4), an unreachable Redis opens the breaker', async () => {
    for (const message of [
      'redis redis://:***@h:1: WRONGPASS invalid username-password pair or user is disabled.',
      'redis redis://h:1: NOAUTH HELLO must be called with the client already authenticated',
      'redis redis://nosuch:6379: getaddrinfo ENOTFOUND nosuch',
    ]) {
      const { shared, state } = scripted();
      state.down = true;
      state.message = message;
      await assert.rejects(historyBreaker(shared).check(), (err: unknown) => {
        assert.ok(err instanceof NetworkmlError);
        assert.equal(err.exitCode, ExitCode.SERVICE);
        assert.ok(err.message.startsWith(message), err.message);
        return true;
      });
    }
    for (const message of [
      'redis redis://h:1: connect ECONNREFUSED 127.0.0.1:1',
      'redis redis://h:1: no answer within 5000 ms (connected, but Redis is not responding)',
    ]) {
      const { shared, state } = scripted();
      state.down = true;
      state.message = message;
      const events: BreakerEvent[] = [];
      const breaker = historyBreaker(shared, { onChange: (e) => events.push(e) });
      assert.equal(await breaker.check(), false);
      assert.equal(breaker.state, 'open');
      assert.deepEqual(events, [{ state: 'open', cause: message, retryInMs: 5000, atStart: true }]);
    }
  });
});

const noRedis = spawnSync('redis-server', ['--version']).error
  ? 'redis-server is not installed (apt-get install redis-server)'
  : false;

describe('Redis errors name their cause', { skip: noRedis, timeout: 60_000 }, () => {
  it('a transaction Redis discards (EXECABORT) says why: here OOM, as MISCONF on a full disk', async () => {
    const redis = await startRedis();
    const admin = new Redis(redis.url);
    const history = await RedisHistory.connect(redis.url);
    try {
      await admin.config('SET', 'maxmemory', '1');
      await assert.rejects(
        history.record({
          mac: 'aa:bb:cc:dd:ee:ff',
          representations: [[0.1, 0.9]],
          timestamps: [1579736553],
          labels: ['a', 'b', 'c'],
          confidences: [0.5, 0.3, 0.2],
          otherIps: [],
          modelHash: 'h',
        }),
        (err: unknown) => {
          assert.ok(err instanceof NetworkmlError);
          assert.match(err.message, /EXECABORT .*\(OOM command not allowed/);
          return true;
        },
      );
    } finally {
      await history.close();
      admin.disconnect();
      await redis.stop();
    }
  });
});
