import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ExitCode, NetworkmlError } from '../errors.js';
import { type RedisServer, startRedis } from '../test-helpers/redis.js';
import { buildEntry, type DeviceHistory, movingAverage, type UpdateInput } from './history.js';
import { HISTORY_FILE, openHistory } from './open-history.js';

const T0 = 1_579_736_553.945077;
const DAY = 86_400;
const MAC = 'AA:BB:CC:00:11:22';

function update(times: number[], reps: number[][], extra: Partial<UpdateInput> = {}): UpdateInput {
  return {
    mac: MAC,
    representations: reps,
    timestamps: times,
    labels: ['Printer', 'Unknown', 'GPU laptop'],
    confidences: [0.6, 0.3, 0.1],
    otherIps: ['10.0.0.9', '10.0.0.2'],
    modelHash: 'abc123',
    ...extra,
  };
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('moving average by hand: first bin as is, then α = 1 − e^(−Δt/86400) per later bin', () => {
  const first = movingAverage([[2, 4]], [T0]);
  assert.deepEqual([...first.representation], [2, 4]);
  assert.equal(first.time, T0);
  const a = 1 - Math.exp(-1);
  const b = 1 - Math.exp(-0.5);
  const two = movingAverage(
    [
      [0, 0],
      [1, 1],
      [5, 5],
    ],
    [T0, T0 + DAY, T0 + DAY],
  );
  // The third bin has the same time as the second: the original skips it.
  close(two.representation[0]!, a);
  assert.equal(two.time, T0 + DAY);
  const cont = movingAverage([[3, 3]], [T0 + 1.5 * DAY], { time: T0 + DAY, representation: [a, a] });
  close(cont.representation[1]!, a + b * (3 - a));
});

test('buildEntry reads each representation once and gives both averages as movingAverage does', () => {
  const rng = {
    s: 7,
    next() {
      this.s = (this.s * 1_103_515_245 + 12_345) % 2_147_483_648;
      return this.s / 2_147_483_648;
    },
  };
  const reps = Array.from({ length: 60 }, () => Array.from({ length: 5 }, () => rng.next() * 10 - 5));
  // Repeated and earlier-than-previous times are skipped by the average; both cases are in here.
  const times = reps.map((_, i) => T0 + Math.floor(i / 3) * 3_600);
  let reads = 0;
  // Representations computed when read, as the one-layer model's hidden rows are.
  const counted = new Proxy(reps, {
    get: (target, key, receiver) => {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  for (const previous of [
    null,
    { time: T0 + 5 * 3_600, representation: [1, 2, 3, 4, 5] },
    { time: T0, representation: [1, 2] },
  ]) {
    reads = 0;
    const entry = buildEntry(update(times, counted), previous);
    assert.equal(reads, reps.length);
    const comparable = previous && previous.representation.length === 5 ? previous : null;
    assert.deepEqual(entry.current_representation, [...movingAverage(reps, times).representation]);
    assert.deepEqual(entry.representation, [...movingAverage(reps, times, comparable).representation]);
    assert.equal(entry.time, times.at(-1));
  }
});

/** The same behaviour from both stores. */
function behaves(name: string, open: () => Promise<DeviceHistory>, reopen: () => Promise<DeviceHistory>) {
  describe(name, () => {
    test('records, averages across captures, answers lastUpdate and list, survives a reopen', async () => {
      const h = await open();
      const e1 = await h.record(
        update(
          [T0, T0 + 900],
          [
            [1, 0],
            [0, 1],
          ],
          { result: { key: 'x', n: 1 } },
        ),
      );
      assert.equal(e1.time, T0 + 900);
      const a900 = 1 - Math.exp(-900 / DAY);
      assert.deepEqual(e1.current_representation, e1.representation);
      close(e1.representation[0]!, 1 - a900);
      assert.deepEqual(e1.other_ips, ['10.0.0.2', '10.0.0.9']);
      assert.equal(e1.mac, MAC.toLowerCase());

      // Two days later: the stored average continues from e1's; the current one starts afresh.
      const t2 = T0 + 2 * DAY;
      const e2 = await h.record(update([t2], [[0, 0]]));
      const a2 = 1 - Math.exp(-(t2 - (T0 + 900)) / DAY);
      close(e2.representation[0]!, (1 - a900) * (1 - a2));
      assert.deepEqual(e2.current_representation, [0, 0]);

      assert.equal(await h.lastUpdate(MAC), t2);
      assert.equal(await h.lastUpdate(MAC.toLowerCase(), t2), T0 + 900);
      assert.equal(await h.lastUpdate(MAC, T0 + 900), null);
      assert.equal(await h.lastUpdate('00:00:00:00:00:01'), null);
      await h.close();

      const again = await reopen();
      const list = await again.list(MAC);
      assert.deepEqual(
        list.map((e) => e.time),
        [T0 + 900, t2],
      );
      assert.deepEqual(list[0]!.result, { key: 'x', n: 1 });
      assert.equal(list[1]!.result, null);
      assert.deepEqual(list[0]!.labels, ['Printer', 'Unknown', 'GPU laptop']);
      assert.deepEqual(list[0]!.confidences, [0.6, 0.3, 0.1]);
      assert.equal(list[0]!.model_hash, 'abc123');
      assert.deepEqual(list[1]!.representation, e2.representation);
      // Re-evaluating the same capture replaces its update rather than adding one.
      await again.record(update([t2], [[0, 0]], { labels: ['Unknown', 'Printer', 'GPU laptop'] }));
      const relisted = await again.list(MAC);
      assert.equal(relisted.length, 2);
      assert.equal(relisted[1]!.labels[0], 'Unknown');
      assert.deepEqual(relisted[1]!.representation, e2.representation);
      assert.deepEqual(await again.list('00:00:00:00:00:01'), []);
      await again.close();
    });

    test('the average is kept per model: another model (another size) in between does not break it', async () => {
      const h = await open();
      const mac = '02:00:00:00:00:0a';
      const a = await h.record(update([T0], [[1, 1]], { mac, modelHash: 'model-a' }));
      // A forest's class probabilities (3 labels) after a one-layer model's hidden layer (2 units).
      const b = await h.record(update([T0 + DAY], [[0.2, 0.3, 0.5]], { mac, modelHash: 'model-b' }));
      assert.deepEqual(b.representation, [0.2, 0.3, 0.5]);
      const a2 = await h.record(update([T0 + 2 * DAY], [[0, 0]], { mac, modelHash: 'model-a' }));
      const alpha = 1 - Math.exp(-2);
      close(a2.representation[0]!, a.representation[0]! * (1 - alpha));
      // Update times stay per device, whatever the model.
      assert.equal(await h.lastUpdate(mac, T0 + 2 * DAY), T0 + DAY);
      assert.deepEqual(
        (await h.list(mac)).map((e) => e.model_hash),
        ['model-a', 'model-b', 'model-a'],
      );
      await h.close();
    });

    test('devices: every device once, by MAC, with its number of updates, first time and latest update', async () => {
      const h = await open();
      const mac = 'fe:00:00:00:00:01';
      await h.record(update([T0 + 5 * DAY], [[1, 0]], { mac, labels: ['Printer', 'Unknown', 'GPU laptop'] }));
      await h.record(update([T0 + 3 * DAY], [[0, 1]], { mac, result: { key: 'old' } }));
      const devices = await h.devices();
      const macs = devices.map((d) => d.mac);
      assert.deepEqual(macs, [...new Set(macs)].sort());
      const d = devices.find((x) => x.mac === mac)!;
      assert.equal(d.updates, 2);
      assert.equal(d.first, T0 + 3 * DAY);
      // The latest by time, not the last recorded.
      assert.equal(d.latest.time, T0 + 5 * DAY);
      assert.deepEqual(d.latest.labels, ['Printer', 'Unknown', 'GPU laptop']);
      assert.deepEqual(d.latest.representation, (await h.list(mac)).at(-1)!.representation);
      assert.ok(devices.every((x) => x.updates >= 1 && x.first <= x.latest.time));
      await h.close();
    });

    test('forget: every update of the device goes, and the device from the list; the others stay', async () => {
      const h = await open();
      const gone = 'fd:00:00:00:00:01';
      const kept = 'fd:00:00:00:00:02';
      for (const t of [T0, T0 + DAY, T0 + 2 * DAY]) await h.record(update([t], [[1, 0]], { mac: gone }));
      await h.record(update([T0], [[0, 1]], { mac: kept }));
      // In either case (the store's form is lower case).
      assert.equal(await h.forget('FD:00:00:00:00:01'), 3);
      assert.deepEqual(await h.list(gone), []);
      assert.equal(await h.lastUpdate(gone), null);
      const macs = (await h.devices()).map((d) => d.mac);
      assert.ok(!macs.includes(gone) && macs.includes(kept));
      assert.equal((await h.list(kept)).length, 1);
      assert.equal(await h.forget(gone), 0);
      // A new history starts from scratch: its first update's average is its own representation.
      const fresh = await h.record(update([T0 + 3 * DAY], [[0, 1]], { mac: gone }));
      assert.deepEqual(fresh.representation, [0, 1]);
      await h.close();
    });
  });
}

/** Runs the fixture writer as a separate process. */
function writer(target: string, mac: string, first: number, step: number, count: number): Promise<void> {
  const script = new URL('./concurrent-writer.fixture.ts', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, target, mac, String(first), String(step), String(count)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer exited ${code}: ${err}`)),
    );
  });
}

async function concurrentWriters(target: string, open: () => Promise<DeviceHistory>) {
  const N = 300;
  // Same MAC from both processes (interleaved times) plus one MAC each: nothing may be lost.
  await Promise.all([
    writer(target, 'de:ad:be:ef:00:01', 1_600_000_000, 2, N),
    writer(target, 'de:ad:be:ef:00:01', 1_600_000_001, 2, N),
  ]);
  const h = await open();
  const list = await h.list('de:ad:be:ef:00:01');
  assert.equal(list.length, 2 * N);
  assert.deepEqual(
    list.map((e) => e.time),
    Array.from({ length: 2 * N }, (_, i) => 1_600_000_000 + i),
  );
  const writers = new Set(list.map((e) => (e.result as { writer: number }).writer));
  assert.equal(writers.size, 2);
  await h.close();
}

const dir = mkdtempSync(join(tmpdir(), 'networkml-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

behaves(
  'SQLite history',
  () => openHistory({ dataDir: join(dir, 'a', 'nested'), env: {} }),
  () => openHistory({ dataDir: join(dir, 'a', 'nested'), env: {} }),
);

describe('SQLite specifics', () => {
  test('the data directory and file are created on first use; read-only opening creates nothing', async () => {
    const d = join(dir, 'fresh');
    const ro = await openHistory({ dataDir: d, readOnly: true, env: {} });
    assert.deepEqual(await ro.list(MAC), []);
    assert.equal(await ro.lastUpdate(MAC), null);
    await assert.rejects(ro.record(update([T0], [[1]])), NetworkmlError);
    assert.equal(existsSync(d), false);
    const h = await openHistory({ dataDir: d, env: {} });
    await h.record(update([T0], [[1]]));
    await h.close();
    assert.equal(existsSync(join(d, HISTORY_FILE)), true);
  });

  test('NETWORKML_DATA_DIR chooses the directory', async () => {
    const d = join(dir, 'env');
    const h = await openHistory({ env: { NETWORKML_DATA_DIR: d } });
    assert.equal(h.location, join(d, HISTORY_FILE));
    await h.close();
  });

  test('an unusable data directory is a service error, one line', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    await assert.rejects(
      openHistory({ dataDir: join(file, 'sub'), env: {} }),
      (err: unknown) =>
        err instanceof NetworkmlError && err.exitCode === ExitCode.SERVICE && !err.message.includes('\n'),
    );
  });

  test('two processes writing at once lose nothing', async () => {
    const d = join(dir, 'concurrent');
    await concurrentWriters(d, () => openHistory({ dataDir: d, env: {} }));
  });
});

describe('Redis history (real redis-server)', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });

  behaves(
    'Redis store',
    () => openHistory({ redis: server.url }),
    () => openHistory({ env: { REDIS_HOST: server.url } }),
  );

  test("keys and values in the original's layout", async () => {
    const h = await openHistory({ redis: server.url });
    const mac = '11:22:33:44:55:66';
    await h.record({
      ...update([T0], [[0.5, 1]]),
      mac,
      decisions: { trace1: { decisions: { behavior: 'normal', investigate: true }, valid: true } },
      result: { ours: true, name: 'caf\u00e9 \ud83d\ude00 "q"', bins: [[-0, 1e21, 0.1]] },
    });
    await h.close();
    const r = new Redis(server.url);
    try {
      assert.equal(await r.hget(mac, 'timestamps'), '[1579736553.945077]');
      assert.equal(await r.sismember('mac_addresses', mac), 1);
      const state = await r.hgetall(`${mac}_1579736553.945077`);
      assert.equal(state.representation, '[0.5, 1.0]');
      assert.equal(state.current_representation, '[0.5, 1.0]');
      assert.equal(state.labels, "['Printer', 'Unknown', 'GPU laptop']");
      assert.equal(state.confidences, '[0.6, 0.3, 0.1]');
      assert.equal(state.other_ips, "['10.0.0.2', '10.0.0.9']");
      assert.equal(state.model_hash, 'abc123');
      assert.equal(state.trace1, "{'decisions': {'behavior': 'normal', 'investigate': True}, 'valid': True}");
      assert.equal(
        state.result,
        '{"ours":true,"name":"caf\u00e9 \ud83d\ude00 \\"q\\"","bins":[[0,1e+21,0.1]]}',
      );
    } finally {
      r.disconnect();
    }
  });

  test('reads state written by the original (Python str() values, NumPy 2 floats)', async () => {
    const r = new Redis(server.url);
    const mac = '0a:0b:0c:0d:0e:0f';
    try {
      await r.hset(mac, { timestamps: '[1579736553.0]' });
      await r.hset(`${mac}_1579736553.0`, {
        representation: '[np.float64(0.25), np.float64(0.75)]',
        current_representation: '[0.25, 0.75]',
        labels: "['Printer', 'Unknown', 'GPU laptop']",
        confidences: '[0.5, 0.25, 0.25]',
        other_ips: "['192.168.1.2']",
        model_hash: 'deadbeef',
      });
    } finally {
      r.disconnect();
    }
    const h = await openHistory({ redis: server.url });
    const [entry] = await h.list(mac);
    assert.deepEqual(entry!.representation, [0.25, 0.75]);
    assert.equal(entry!.model_hash, 'deadbeef');
    assert.equal(await h.lastUpdate(mac, 1579736554), 1579736553);
    // A later capture continues the original's stored average.
    const next = await h.record({ ...update([1579736553 + DAY], [[1.25, 0.75]]), mac });
    close(next.representation[0]!, 0.25 + (1 - Math.exp(-1)) * 1);
    await h.close();
  });

  test('an unreachable server is a service error, promptly', async () => {
    const started = Date.now();
    await assert.rejects(
      openHistory({ redis: 'redis://127.0.0.1:1' }),
      (err: unknown) => err instanceof NetworkmlError && err.exitCode === ExitCode.SERVICE,
    );
    assert.ok(Date.now() - started < 5000);
  });

  test('two processes writing at once lose nothing', async () => {
    await concurrentWriters(server.url, () => openHistory({ redis: server.url }));
  });
});
