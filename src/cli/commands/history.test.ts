import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { openHistory } from '../../decisions/open-history.js';
import { ExitCode, UsageError } from '../../errors.js';
import { runCli } from '../../test-helpers/cli.js';
import { type RedisServer, startRedis } from '../../test-helpers/redis.js';
import { runHistory } from './history.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-history-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function capture(mac: string | undefined, options: Parameters<typeof runHistory>[1]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => {
    text += String(d);
  });
  await runHistory(mac, options, out);
  return text;
}

test('table and JSON of a device recorded by eval-like updates', async () => {
  const h = await openHistory({ dataDir: dir, env: {} });
  const mac = '00:11:22:aa:bb:cc';
  await h.record({
    mac,
    representations: [[1, 2]],
    timestamps: [1_579_736_553.945077],
    labels: ['Printer', 'Unknown', 'GPU laptop'],
    confidences: [0.61, 0.3, 0.09],
    otherIps: ['10.0.0.2'],
    modelHash: '0123456789abcdef0123',
    // What eval stores: its whole result.
    result: {
      file: 'trace.pcap',
      key: 'trace',
      valid: true,
      data: {
        trace: {
          decisions: { behavior: 'normal', investigate: false },
          classification: { labels: ['Printer', 'Unknown', 'GPU laptop'], confidences: [0.61, 0.3, 0.09] },
          timestamp: 1_579_736_553.945077,
          valid: true,
          source_ip: '10.0.0.1',
          source_mac: '00:11:22:aa:bb:cc',
          pcap_labels: null,
        },
        pcap: 'trace.pcap',
      },
      detail: {
        labels: ['GPU laptop', 'Printer', 'Unknown'],
        probabilities: [0.09, 0.61, 0.3],
        bins: [],
        abnormality: 0.123456,
        anomaly_model: 'lstm',
        model: '0123456789abcdef0123',
      },
    },
  });
  await h.close();
  const table = await capture('00:11:22:AA:BB:CC', { dataDir: dir });
  const lines = table.trimEnd().split('\n');
  assert.equal(lines[0], '00:11:22:aa:bb:cc: 1 update');
  assert.match(lines[1]!, /^time \(UTC\)\s+roles\s+behavior\s+investigate\s+abnormality\s+peers\s+model$/);
  assert.match(
    lines[2]!,
    /^2020-01-22 23:42:33Z\s+Printer 61\.0%, Unknown 30\.0%, GPU laptop 9\.0%\s+normal\s+no\s+0\.1235\s+1\s+0123456789ab$/,
  );
  const json = JSON.parse(await capture(mac, { dataDir: dir, json: true })) as {
    mac: string;
    updates: { time: number; representation: number[] }[];
  };
  assert.equal(json.mac, mac);
  assert.equal(json.updates[0]!.time, 1_579_736_553.945077);
  assert.deepEqual(json.updates[0]!.representation, [1, 2]);
});

test('no history: names where it looked (existing folder without a file), creates nothing', async () => {
  const empty = join(dir, 'none');
  mkdirSync(empty);
  const file = join(empty, 'history.sqlite');
  assert.equal(
    await capture('00:00:00:00:00:01', { dataDir: empty }),
    `no history for 00:00:00:00:00:01 in ${file}\n`,
  );
  // --json names where it looked too.
  assert.deepEqual(JSON.parse(await capture('00:00:00:00:00:01', { dataDir: empty, json: true })), {
    mac: '00:00:00:00:00:01',
    history: file,
    updates: [],
  });
  assert.deepEqual(readdirSync(empty), []);
});

test('a device the database does not know: names the database', async () => {
  const h = await openHistory({ dataDir: dir, env: {} });
  await h.close();
  assert.equal(
    await capture('00:00:00:00:00:02', { dataDir: dir }),
    `no history for 00:00:00:00:00:02 in ${join(dir, 'history.sqlite')}\n`,
  );
});

test('a --data-dir that does not exist is an error, one line, and is not created', () => {
  const typo = join(dir, 'typo-dir');
  for (const json of [[], ['--json']]) {
    const r = runCli(['history', '00:00:00:00:00:01', '--data-dir', typo, ...json]);
    assert.equal(r.status, ExitCode.BAD_INPUT);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `networkml: data directory ${typo} does not exist\n`);
  }
  assert.equal(existsSync(typo), false);
});

test('a $NETWORKML_DATA_DIR that does not exist is an error that says where the folder came from', () => {
  const typo = join(dir, 'typo-env');
  const r = runCli(['history', '00:00:00:00:00:01'], { env: { NETWORKML_DATA_DIR: typo } });
  assert.equal(r.status, ExitCode.BAD_INPUT);
  assert.equal(r.stderr, `networkml: data directory ${typo} (from $NETWORKML_DATA_DIR) does not exist\n`);
  assert.equal(existsSync(typo), false);
});

test('a blank $NETWORKML_DATA_DIR is a usage error, as eval has it, not the default history', () => {
  for (const blank of ['', ' ']) {
    const r = runCli(['history', '00:00:00:00:00:01'], { env: { NETWORKML_DATA_DIR: blank } });
    assert.equal(r.status, ExitCode.USAGE, r.stderr);
    assert.equal(r.stderr, 'networkml: NETWORKML_DATA_DIR must not be empty (it sets --data-dir)\n');
  }
  // Given --data-dir, the variable is not read.
  const named = runCli(['history', '00:00:00:00:00:01', '--data-dir', dir], {
    env: { NETWORKML_DATA_DIR: '' },
  });
  assert.notEqual(named.status, ExitCode.USAGE, named.stderr);
});

test('the environment beats the config file, as for eval: $NETWORKML_DATA_DIR over dataDir, REDIS_HOST over redis', () => {
  const fromFile = join(dir, 'config-dir');
  const fromEnv = join(dir, 'env-dir');
  mkdirSync(fromFile);
  mkdirSync(fromEnv);
  const config = join(dir, 'precedence.config.json');
  writeFileSync(config, JSON.stringify({ dataDir: fromFile }));
  const r = runCli(['history'], { env: { NETWORKML_CONFIG: config, NETWORKML_DATA_DIR: fromEnv } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${join(fromEnv, 'history.sqlite').replaceAll('/', '\\/')}`));
  writeFileSync(config, JSON.stringify({ redis: 'redis://127.0.0.1:1' }));
  const redis = runCli(['history'], { env: { NETWORKML_CONFIG: config, REDIS_HOST: '127.0.0.1:2' } });
  assert.equal(redis.status, ExitCode.SERVICE, redis.stderr);
  assert.match(redis.stderr, /^networkml: redis redis:\/\/127\.0\.0\.1:2:/);
});

test('a --data-dir that is a file is an error', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const r = runCli(['history', '00:00:00:00:00:01', '--data-dir', file]);
  assert.equal(r.status, ExitCode.BAD_INPUT);
  assert.equal(r.stderr, `networkml: data directory ${file} is not a directory\n`);
});

test('the default data directory not existing yet is no history, and is not created', () => {
  const home = join(dir, 'home');
  mkdirSync(home);
  const r = runCli(['history', '00:00:00:00:00:01'], { env: { NETWORKML_DATA_DIR: undefined, HOME: home } });
  assert.equal(r.status, 0, r.stderr);
  const file = join(home, '.local', 'share', 'networkml', 'history.sqlite');
  assert.equal(r.stdout, `no history for 00:00:00:00:00:01 in ${file}\n`);
  assert.equal(r.stderr, '');
  assert.deepEqual(readdirSync(home), []);
});

test('a malformed MAC is a usage error', async () => {
  await assert.rejects(capture('not-a-mac', { dataDir: dir }), UsageError);
});

test('a stored result of another shape is not guessed at: its decisions show "-"', async () => {
  const h = await openHistory({ dataDir: dir, env: {} });
  const mac = '00:11:22:aa:bb:dd';
  await h.record({
    mac,
    representations: [[1]],
    timestamps: [1_579_736_553],
    labels: ['Printer'],
    confidences: [1],
    otherIps: [],
    modelHash: 'abc',
    result: { key: 'trace', data: { trace: { decisions: { behavior: 'normal' } } } },
  });
  await h.close();
  const row = (await capture(mac, { dataDir: dir })).trimEnd().split('\n')[2]!;
  assert.match(row, /Printer 100\.0%\s+-\s+-\s+-\s+0\s+abc$/);
});

test('without a MAC: every device once, with its latest roles and decisions; MACs as other tools print them', async () => {
  const d = join(dir, 'devices');
  mkdirSync(d);
  assert.equal(
    await capture(undefined, { dataDir: d }),
    `no device history in ${join(d, 'history.sqlite')}\n`,
  );
  const h = await openHistory({ dataDir: d, env: {} });
  for (const [mac, time, label] of [
    ['00:11:22:aa:bb:cc', 1_579_736_553, 'Printer'],
    ['00:11:22:aa:bb:cc', 1_579_822_953, 'GPU laptop'],
    ['02:00:00:00:00:01', 1_579_736_000, 'Unknown'],
  ] as const)
    await h.record({
      mac,
      representations: [[1, 2]],
      timestamps: [time],
      labels: [label],
      confidences: [0.9],
      otherIps: [],
      modelHash: 'abc',
      result: { key: 'trace', data: { trace: { decisions: { behavior: 'normal' } } } },
    });
  await h.close();
  const lines = (await capture(undefined, { dataDir: d })).trimEnd().split('\n');
  assert.equal(lines[0], `2 devices in ${join(d, 'history.sqlite')}`);
  assert.match(
    lines[1]!,
    /^mac\s+updates\s+first \(UTC\)\s+last \(UTC\)\s+latest roles\s+behavior\s+investigate$/,
  );
  assert.match(
    lines[2]!,
    /^00:11:22:aa:bb:cc\s+2\s+2020-01-22 23:42:33Z\s+2020-01-23 23:42:33Z\s+GPU laptop 90\.0%\s+-\s+-$/,
  );
  assert.match(lines[3]!, /^02:00:00:00:00:01\s+1\s/);
  const json = JSON.parse(await capture(undefined, { dataDir: d, json: true })) as {
    history: string;
    devices: { mac: string; updates: number; first: number; last: number; labels: string[] }[];
  };
  assert.equal(json.history, join(d, 'history.sqlite'));
  assert.deepEqual(
    json.devices.map((x) => [x.mac, x.updates, x.first, x.last, x.labels[0]]),
    [
      ['00:11:22:aa:bb:cc', 2, 1_579_736_553, 1_579_822_953, 'GPU laptop'],
      ['02:00:00:00:00:01', 1, 1_579_736_000, 1_579_736_000, 'Unknown'],
    ],
  );
  const one = await capture('00:11:22:aa:bb:cc', { dataDir: d });
  for (const typed of ['00-11-22-AA-BB-CC', '0011.22aa.bbcc', '001122AABBCC', ' 00:11:22:AA:BB:CC '])
    assert.equal(await capture(typed, { dataDir: d }), one, typed);
  for (const bad of ['00:11:22:aa:bb', '00:11-22:aa:bb:cc', '0011.22aa.bbc', 'zz:11:22:aa:bb:cc'])
    await assert.rejects(capture(bad, { dataDir: d }), UsageError, bad);
});

test("--forget: the device's updates removed, said on stdout; an unknown one and a missing MAC refused", async () => {
  const d = join(dir, 'forget');
  mkdirSync(d);
  const h = await openHistory({ dataDir: d, env: {} });
  for (const [mac, time] of [
    ['00:11:22:aa:bb:cc', 1_579_736_553],
    ['00:11:22:aa:bb:cc', 1_579_822_953],
    ['02:00:00:00:00:01', 1_579_736_000],
  ] as const)
    await h.record({
      mac,
      representations: [[1, 2]],
      timestamps: [time],
      labels: ['Printer'],
      confidences: [0.9],
      otherIps: [],
      modelHash: 'abc',
    });
  await h.close();
  const env = { NETWORKML_DATA_DIR: d };
  const db = join(d, 'history.sqlite');
  const forgot = runCli(['history', '--forget', '00-11-22-AA-BB-CC'], { env });
  assert.equal(forgot.status, 0, forgot.stderr);
  assert.equal(forgot.stdout, `forgot 00:11:22:aa:bb:cc: 2 updates removed from ${db}\n`);
  assert.equal(forgot.stderr, '');
  assert.equal(
    runCli(['history', '00:11:22:aa:bb:cc'], { env }).stdout,
    `no history for 00:11:22:aa:bb:cc in ${db}\n`,
  );
  assert.match(runCli(['history'], { env }).stdout, /^1 device in .*\n.*\n02:00:00:00:00:01\s+1\s/);
  const again = runCli(['history', '--forget', '00:11:22:aa:bb:cc'], { env });
  assert.equal(again.status, ExitCode.BAD_INPUT);
  assert.equal(again.stderr, `networkml: no history for 00:11:22:aa:bb:cc in ${db}: nothing to forget\n`);
  const json = runCli(['history', '--forget', '02:00:00:00:00:01', '--json'], { env });
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { mac: '02:00:00:00:00:01', history: db, forgotten: 1 });
  const noMac = runCli(['history', '--forget'], { env });
  assert.equal(noMac.status, ExitCode.USAGE);
  assert.equal(noMac.stderr, 'networkml: --forget needs the MAC address of the device to forget\n');
  // A data directory without a history: nothing is created to remove nothing from.
  const empty = join(dir, 'forget-empty');
  mkdirSync(empty);
  const none = runCli(['history', '--forget', '00:11:22:aa:bb:cc'], { env: { NETWORKML_DATA_DIR: empty } });
  assert.equal(none.status, ExitCode.BAD_INPUT);
  assert.deepEqual(readdirSync(empty), []);
});

const noRedis = spawnSync('redis-server', ['--version']).error
  ? 'redis-server is not installed (apt-get install redis-server)'
  : false;

describe('history from Redis', { skip: noRedis }, () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });

  test('without a MAC: the devices Redis holds (its mac_addresses set), as from SQLite', async () => {
    const h = await openHistory({ redis: server.url });
    await h.record({
      mac: '0A:00:00:00:00:02',
      representations: [[1, 2]],
      timestamps: [1_579_736_553],
      labels: ['Printer'],
      confidences: [1],
      otherIps: [],
      modelHash: 'abc',
    });
    await h.close();
    const json = JSON.parse(await capture(undefined, { redis: server.url, json: true })) as {
      devices: { mac: string; updates: number; labels: string[] }[];
    };
    assert.deepEqual(
      json.devices.filter((x) => x.mac === '0a:00:00:00:00:02').map((x) => [x.updates, x.labels]),
      [[1, ['Printer']]],
    );
  });

  test('no history: names the Redis, without its password', async () => {
    const url = `redis://default:s3cret@127.0.0.1:${server.port}`;
    assert.equal(
      await capture('00:00:00:00:00:01', { redis: url }),
      `no history for 00:00:00:00:00:01 in redis://default:***@127.0.0.1:${server.port}\n`,
    );
  });
});

test('a Redis that cannot be reached: the error does not show its password', () => {
  const r = runCli(['history', '00:00:00:00:00:01', '--redis', 'redis://:s3cret@127.0.0.1:1']);
  assert.equal(r.status, ExitCode.SERVICE);
  assert.match(r.stderr, /^networkml: redis redis:\/\/:\*\*\*@127\.0\.0\.1:1: /);
  assert.ok(!r.stderr.includes('s3cret'), r.stderr);
});
