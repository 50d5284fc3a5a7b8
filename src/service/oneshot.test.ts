/**
 * Poseidon's two invocations from the plain CLI, with the environment its workers.json gives, against a
 * real rabbitmq-server and redis-server; and Poseidon HEAD's own consumer code (test-data/poseidon, run by
 * Debian's python3 with python3-pika) in both start orders.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { hostFootprintPredict } from '../pipeline/host-footprint.js';
import { runCli } from '../test-helpers/cli.js';
import { corruptPcap } from '../test-helpers/corrupt-capture.js';
import { freePort, type RabbitServer, rabbitmqAvailable } from '../test-helpers/rabbitmq.js';
import type { RedisServer } from '../test-helpers/redis.js';
import { ResultCollector, spawnWorker, stopWorker, workerArgs } from '../test-helpers/service-harness.js';
import { startRabbitAndRedis } from '../test-helpers/services.js';
import { amqpUrl, describeBroker, envBool, RABBIT_DEFAULTS, type RabbitSettings } from './config.js';
import type { PoseidonMessage, V0Message } from './messages.js';

const CAPTURE = resolve('test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap');
/** Several hosts: HEAD mode gives one device each. */
const MULTI = resolve('data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
const CONSUMER = resolve('test-data/poseidon/poseidon_consumer.py');
const PYTHON = '/usr/bin/python3';

const skip = !rabbitmqAvailable()
  ? 'rabbitmq-server is not installed (apt-get install rabbitmq-server)'
  : spawnSync('redis-server', ['--version']).error
    ? 'redis-server is not installed (apt-get install redis-server)'
    : false;
const noPika =
  spawnSync(PYTHON, ['-c', 'import pika']).status === 0
    ? false
    : 'Debian python3-pika is not installed (apt-get install python3-pika)';

it('environment booleans parse as the original: true, t, y, 1 in any case', () => {
  for (const yes of ['true', 'True', 'TRUE', 't', 'T', 'y', 'Y', '1']) assert.equal(envBool(yes), true, yes);
  for (const no of [undefined, '', 'false', 'False', '0', 'no', 'n', 'yes', 'on', '2'])
    assert.equal(envBool(no), false, String(no));
});

it('-p FILE -m NAME: a bundled model by name, as eval takes it (no broker in the environment)', () => {
  const r = runCli(['-p', CAPTURE, '-m', 'onelayer-v0.4.8'], { env: { RABBIT: '', RABBIT_HOST: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

it("both invocations print the reader's warnings on stderr, as eval does (the container's log)", () => {
  const truncated = resolve('test-data/captures/edge/truncated-record.pcap');
  const dir = mkdtempSync(join(tmpdir(), 'networkml-oneshot-warn-'));
  try {
    const eval_ = runCli(['eval', '--no-history', truncated]);
    const warning = eval_.stderr.split('\n').find((l) => l.startsWith('networkml: warning: '));
    assert.ok(warning?.includes('truncated capture'), eval_.stderr);
    const env = { RABBIT: '', RABBIT_HOST: '', RESULT_PATH: join(dir, 'result.json') };
    for (const args of [
      ['-p', truncated],
      ['--no-srcmacid', '-o/tmp', truncated],
    ]) {
      const r = runCli(args, { env });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, `${warning}\n`, args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('-p FILE with a capture corrupt part-way: the v0 pair of the packets before it, marked; its error; exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-oneshot-corrupt-'));
  try {
    const { bytes, at } = corruptPcap(readFileSync(CAPTURE));
    const file = join(dir, 'Aria-X1-Mon0000-n00.pcap');
    writeFileSync(file, bytes);
    const error = `${file}: corrupt record at byte offset ${at}: captured length 300000 is absurd`;
    const r = runCli(['-p', file], { env: { RABBIT: '', RABBIT_HOST: '' } });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `networkml: ${error}\n`);
    const [first, last] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as V0Message);
    assert.deepEqual(first!.capture_error, { kind: 'corrupt', offset: at, message: error });
    const device = (first!.data as Record<string, { valid: boolean }>)['Aria-X1-Mon0000-n00'];
    assert.equal(device?.valid, true);
    assert.equal(last!.data, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('HEAD mode with a capture corrupt part-way: the hosts of the packets before it, marked, in RESULT_PATH too; its error; exit 1', () => {
  // Before, an error result (valid false, no hosts), where -p FILE gave the packets before the corrupt record.
  const dir = mkdtempSync(join(tmpdir(), 'networkml-oneshot-corrupt-head-'));
  try {
    const { bytes, at, before } = corruptPcap(readFileSync(CAPTURE));
    const file = join(dir, 'Aria-X1-Mon0000-n00.pcap');
    writeFileSync(file, bytes);
    const error = `${file}: corrupt record at byte offset ${at}: captured length 300000 is absurd`;
    const resultPath = join(dir, 'result.json');
    const env = { RABBIT: '', RABBIT_HOST: '', RESULT_PATH: resultPath, id: 'job-1' };
    const r = runCli(['--no-srcmacid', '-o/tmp', file], { env });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `networkml: ${error}\n`);
    const message = JSON.parse(r.stdout) as { valid: boolean; capture_error?: unknown; data: unknown };
    assert.deepEqual(JSON.parse(readFileSync(resultPath, 'utf8')), message);
    assert.deepEqual(message.capture_error, { kind: 'corrupt', offset: at, message: error });
    assert.equal(message.valid, true);
    // The hosts the packets before it give, as a capture of only them.
    mkdirSync(join(dir, 'clean'));
    const clean = join(dir, 'clean', 'Aria-X1-Mon0000-n00.pcap');
    writeFileSync(clean, before);
    const expected = runCli(['--no-srcmacid', '-o/tmp', clean], { env });
    assert.equal(expected.status, 0, expected.stderr);
    const { capture_error: _e, ...rest } = message;
    assert.deepEqual(
      JSON.parse(JSON.stringify(rest).split(file).join('CAPTURE')),
      JSON.parse(expected.stdout.split(clean).join('CAPTURE')),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a RESULT_PATH that cannot be written is one plain line (not the raw ENOENT text); the result still goes to stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-oneshot-result-'));
  try {
    const resultPath = join(dir, 'missing', 'result.json');
    const r = runCli(['--no-srcmacid', '-o/tmp', CAPTURE], {
      env: { RABBIT: '', RABBIT_HOST: '', RESULT_PATH: resultPath },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `networkml: RESULT_PATH ${resultPath}: cannot write: its folder does not exist\n`);
    assert.equal(r.stdout.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('-p FILE: NETWORKML_MODEL ranks above a config file\'s "model", as for eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-oneshot-model-'));
  try {
    const config = join(dir, 'settings.json');
    writeFileSync(config, JSON.stringify({ model: 'onelayer-v0.4.8' }));
    const env = { RABBIT: '', RABBIT_HOST: '', NETWORKML_CONFIG: config };
    assert.equal(runCli(['-p', CAPTURE], { env }).status, 0);
    const missing = join(dir, 'missing.json');
    const r = runCli(['-p', CAPTURE], { env: { ...env, NETWORKML_MODEL: missing } });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /missing\.json: cannot read model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('-p FILE with a RABBIT_PORT that is not a port: usage error before any work', () => {
  const r = runCli(['-p', CAPTURE], { env: { RABBIT: 'true', RABBIT_PORT: 'abc' } });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'networkml: RABBIT_PORT: not a port: abc\n');
  assert.equal(r.stdout, '');
});

interface Consumer {
  child: ChildProcess;
  /** Resolves with the first line (READY or DECLARE-FAILED). */
  first: Promise<string>;
  /** Resolves with the exit code and the JSON report (null when it failed before). */
  done: Promise<{ code: number | null; report: ConsumerReport | null }>;
}

interface ConsumerReport {
  stored: Record<string, { uid?: string; classification?: { labels: string[]; confidences: number[] } }>;
  returned: { routing_key: string; handled: boolean }[];
}

/** Poseidon HEAD's consumer, unmodified, taking `count` messages from poseidon_main. */
function startConsumer(rabbit: RabbitServer, count: number, timeoutS = 60): Consumer {
  const child = spawn(PYTHON, [CONSUMER, rabbit.host, String(rabbit.port), String(count), String(timeoutS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let resolveFirst: (line: string) => void = () => {};
  const first = new Promise<string>((r) => {
    resolveFirst = r;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    const nl = out.indexOf('\n');
    if (nl >= 0) resolveFirst(out.slice(0, nl));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const done = new Promise<{ code: number | null; report: ConsumerReport | null }>((r) => {
    child.on('close', (code) => {
      resolveFirst(out.split('\n')[0] ?? '');
      const last = out.trim().split('\n').at(-1) ?? '';
      let report: ConsumerReport | null = null;
      try {
        report = JSON.parse(last) as ConsumerReport;
      } catch {
        if (code !== 3) process.stderr.write(`poseidon_consumer.py: ${err}\n`);
      }
      r({ code, report });
    });
  });
  return { child, first, done };
}

describe("Poseidon's invocations and consumer against real RabbitMQ and Redis", {
  skip,
  timeout: 600_000,
}, () => {
  let rabbit: RabbitServer;
  let redis: RedisServer;
  let dir = '';
  const consumers: Consumer[] = [];

  /** Exactly the environment of workers.json, with the broker on loopback instead of `messenger`. */
  function brokerEnv(): NodeJS.ProcessEnv {
    return {
      RABBIT_HOST: rabbit.host,
      RABBIT_PORT: String(rabbit.port),
      RABBIT_EXCHANGE: 'topic-poseidon-internal',
      RABBIT_QUEUE_NAME: 'topic-poseidon-internal',
      RABBIT_ROUTING_KEY: 'poseidon.algos.decider',
    };
  }
  const settings = (): RabbitSettings => ({ ...RABBIT_DEFAULTS, host: rabbit.host, port: rabbit.port });

  /** The broker as before anyone started: no result exchange, no Poseidon queue. */
  async function pristine(): Promise<void> {
    const model = await connect(amqpUrl(settings()));
    const channel = await model.createChannel();
    await channel.deleteQueue('poseidon_main');
    await channel.deleteExchange('topic-poseidon-internal');
    await model.close();
  }

  function headRun(id: string, capture = MULTI, flags = ['--no-srcmacid', '-o/tmp']) {
    const resultPath = join(dir, `${id}.json`);
    const r = runCli([...flags, capture], {
      env: { ...brokerEnv(), RESULT_PATH: resultPath, id, file_path: `/files/${id}.pcap` },
    });
    return { ...r, resultPath };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'networkml-oneshot-'));
    [rabbit, redis] = await startRabbitAndRedis();
  });

  after(async () => {
    for (const c of consumers) c.child.kill('SIGKILL');
    await rabbit?.dispose();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('start order: our one-shot first, then Poseidon HEAD declares and stores the roles', {
    skip: noPika,
  }, async () => {
    await pristine();
    // Nothing is bound yet: the result reaches no queue. It is still printed and written to RESULT_PATH, and
    // the exit code and one line say it went nowhere (it was confirmed and dropped with exit 0).
    const early = headRun('early');
    assert.equal(early.status, 4, early.stderr);
    assert.equal(
      early.stderr,
      `networkml: the broker at ${describeBroker(settings())} took the result but no queue is bound to exchange ` +
        "'topic-poseidon-internal' with routing key 'poseidon.algos.decider': nothing received it\n",
    );
    assert.equal((JSON.parse(await readFile(early.resultPath, 'utf8')) as PoseidonMessage).id, 'early');
    const consumer = startConsumer(rabbit, 1);
    consumers.push(consumer);
    assert.equal(await consumer.first, 'READY', "Poseidon's exchange_declare must accept ours");
    const run = headRun('job-head-1');
    assert.equal(run.status, 0, run.stderr);
    const written = JSON.parse(await readFile(run.resultPath, 'utf8')) as PoseidonMessage;
    const { code, report } = await consumer.done;
    assert.equal(code, 0);
    assert.ok(report);
    assert.deepEqual(
      report.returned.map((r) => [r.routing_key, r.handled]),
      [['poseidon.algos.decider', true]],
    );
    const macs = Object.keys(written.data.mac_addresses);
    assert.ok(macs.length >= 2, `several hosts in ${MULTI}`);
    assert.deepEqual(Object.keys(report.stored).sort(), macs.sort());
    for (const mac of macs) {
      const stored: ConsumerReport['stored'][string] = report.stored[mac]!;
      assert.equal(stored.uid, 'job-head-1');
      assert.deepEqual(stored.classification, written.data.mac_addresses[mac]!.classification);
      assert.equal(stored.classification?.labels.length, 3);
    }
  });

  it('start order: Poseidon HEAD first, then our one-shot and our worker', { skip: noPika }, async () => {
    await pristine();
    const consumer = startConsumer(rabbit, 2);
    consumers.push(consumer);
    assert.equal(await consumer.first, 'READY');
    // Another device than the worker's job, so each stored MAC shows which message it came from.
    const run = headRun('job-head-2', MULTI, ['-o', '/tmp']);
    assert.equal(run.status, 0, run.stderr);
    const s = { ...settings(), queue: 'jobs.order' };
    const worker = spawnWorker(workerArgs(s, resolve('test-data/captures')));
    try {
      await worker.waitForLog((l) => l.msg === 'consuming', 30_000);
      const model = await connect(amqpUrl(s));
      const channel = await model.createConfirmChannel();
      channel.sendToQueue(
        s.queue,
        Buffer.from(JSON.stringify({ id: 'job-worker', file_path: 'real/Aria-sentinel-Mon0000-n00.pcap' })),
        { persistent: true },
      );
      await channel.waitForConfirms();
      await model.close();
      const { code, report } = await consumer.done;
      assert.equal(code, 0);
      const uids = new Set(Object.values(report!.stored).map((d) => d.uid));
      assert.deepEqual(
        [...uids].sort(),
        ['job-head-2', 'job-worker'],
        'the one-shot and the worker (default poseidon shape) both stored',
      );
    } finally {
      assert.equal(await stopWorker(worker), 0);
    }
  });

  it('an exchange declared durable (the old behaviour) is what broke Poseidon: the check can fail', {
    skip: noPika,
  }, async () => {
    await pristine();
    const model = await connect(amqpUrl(settings()));
    const channel = await model.createChannel();
    await channel.assertExchange('topic-poseidon-internal', 'topic', { durable: true });
    await model.close();
    const consumer = startConsumer(rabbit, 1);
    consumers.push(consumer);
    assert.equal(await consumer.first, 'DECLARE-FAILED');
    await pristine();
  });

  it('networkml -p FILE (Poseidon v0.10): v0 pair with id/file_path from the environment, history in Redis', async () => {
    const collector = new ResultCollector(settings(), 'collect.v048');
    await collector.start();
    const client = new Redis(redis.url);
    try {
      const r = runCli(['-p', CAPTURE], {
        env: {
          ...brokerEnv(),
          POSEIDON_PUBLIC_SESSIONS: '1',
          RABBIT: 'True',
          RABBIT_QUEUE: 'True',
          REDIS: 'true',
          REDIS_HOST: redis.url,
          id: 'job-v048',
          file_path: '/files/Aria-sentinel-Mon0000-n00.pcap',
          file_type: 'ncapture',
        },
      });
      assert.equal(r.status, 0, r.stderr);
      await collector.waitFor((m) => m.length >= 2, 30_000, 'result and end of batch');
      const [result, end] = collector.messages as V0Message[];
      assert.equal(result!.id, 'job-v048');
      assert.equal(result!.history, undefined, 'history applied: no mark');
      assert.equal(result!.file_path, '/files/Aria-sentinel-Mon0000-n00.pcap');
      assert.equal(result!.type, 'metadata');
      assert.equal(result!.results.tool, 'networkml');
      const device = (result!.data as Record<string, { valid: boolean; source_mac: string }>)[
        'Aria-sentinel-Mon0000-n00'
      ]!;
      assert.equal(device.valid, true);
      assert.equal(end!.id, 'job-v048');
      assert.equal(end!.data, '');
      // What went out is also on stdout, one line per message.
      assert.deepEqual(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
        collector.messages,
      );
      assert.ok((await client.smembers('mac_addresses')).includes(device.source_mac));
    } finally {
      client.disconnect();
      await collector.close();
    }
  });

  it('-p FILE: RABBIT false publishes nothing; REDIS=true alone means host redis', async () => {
    const quiet = runCli(['-p', CAPTURE], { env: { ...brokerEnv(), RABBIT: 'false', REDIS: '' } });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout.trim().split('\n').length, 2);
    const r = runCli(['-p', CAPTURE], { env: { ...brokerEnv(), RABBIT: 'y', REDIS: 'T', REDIS_HOST: '' } });
    assert.equal(r.status, 4);
    assert.match(r.stderr, /^networkml: .*redis:\/\/redis:6379.*\n$/);
  });

  it('--no-srcmacid -o/tmp FILE (Poseidon HEAD): mac_addresses published and written to RESULT_PATH; -o DIR and --output too', async () => {
    const collector = new ResultCollector(settings(), 'collect.head');
    await collector.start();
    try {
      const runs = [
        headRun('h1'),
        headRun('h2', MULTI, ['--no-srcmacid', '-o', '/tmp']),
        headRun('h3', MULTI, ['--output', '/tmp']),
        headRun('h4', MULTI, ['--output=/tmp', '--srcmacid']),
      ];
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      await collector.waitFor((m) => m.length >= runs.length, 30_000, 'one message per run');
      for (const [i, r] of runs.entries()) {
        const written = JSON.parse(await readFile(r.resultPath, 'utf8')) as PoseidonMessage;
        const published = (collector.messages as PoseidonMessage[]).find((m) => m.id === `h${i + 1}`);
        assert.deepEqual(published, written);
        assert.equal(written.tool, 'networkml');
        assert.equal(written.file_path, `/files/h${i + 1}.pcap`);
        assert.ok(Object.keys(written.data.mac_addresses).length > 0, 'at least one host');
        for (const device of Object.values(written.data.mac_addresses)) {
          // v0.6.10's predict.json: uid = env id, file_path = env file_path, pcap = its basename.
          assert.equal(device.uid, `h${i + 1}`);
          assert.equal(device.pcap, `h${i + 1}.pcap`);
          assert.equal(device.classification.labels.length, 3);
        }
      }
      // HEAD mode runs the v0.6.8 host-footprint model: exactly its predict.json for this capture and job.
      const expected = await hostFootprintPredict(MULTI, {
        selection: 'no-srcmacid',
        uid: 'h2',
        filePath: '/files/h2.pcap',
      });
      assert.deepEqual(JSON.parse(await readFile(runs[1]!.resultPath, 'utf8')).data, expected.data);
      // No usable host (no Ethernet frames): still one message, tied to its job at the top level.
      const none = headRun('h-none', resolve('test-data/captures/edge/raw101.pcap'));
      assert.equal(none.status, 0, none.stderr);
      const message = JSON.parse(await readFile(none.resultPath, 'utf8')) as PoseidonMessage;
      assert.equal(message.id, 'h-none');
      assert.equal(message.valid, false);
    } finally {
      await collector.close();
    }
  });

  it('an id longer than an AMQP message-id may be is published whole in the message (both invocations)', async () => {
    const collector = new ResultCollector(settings(), 'collect.longid');
    await collector.start();
    try {
      const longId = `${'i'.repeat(300)}é`;
      const head = runCli(['--no-srcmacid', '-o/tmp', MULTI], {
        env: {
          ...brokerEnv(),
          RESULT_PATH: join(dir, 'long.json'),
          id: longId,
          file_path: '/files/long.pcap',
        },
      });
      assert.equal(head.status, 0, head.stderr);
      const v0 = runCli(['-p', MULTI], {
        env: { ...brokerEnv(), RABBIT: 'true', id: `v0-${longId}`, file_path: '/files/v0.pcap' },
      });
      assert.equal(v0.status, 0, v0.stderr);
      await collector.waitFor((m) => m.length >= 3, 30_000, 'the HEAD message and the v0 pair');
      const ids = (collector.messages as { id?: string | null }[]).map((m) => m.id);
      assert.ok(
        ids.includes(longId) && ids.includes(`v0-${longId}`),
        JSON.stringify(ids.map((i) => i?.slice(0, 8))),
      );
    } finally {
      await collector.close();
    }
  });

  it('a broker that is down: bounded retries, one line, exit 4 (both invocations)', async () => {
    const port = await freePort();
    const down = { ...brokerEnv(), RABBIT_PORT: String(port), RESULT_PATH: join(dir, 'down.json') };
    for (const args of [
      ['-p', CAPTURE],
      ['--no-srcmacid', '-o/tmp', CAPTURE],
    ]) {
      const started = Date.now();
      const r = runCli(args, { env: { ...down, RABBIT: 'true' }, timeoutMs: 60_000 });
      assert.equal(r.status, 4, r.stderr);
      assert.match(
        r.stderr,
        /^networkml: cannot reach the broker at amqp:\/\/127\.0\.0\.1:\d+ after 5 attempts: .*\n$/,
      );
      assert.ok(Date.now() - started < 30_000, 'bounded');
      // What could not be published is on standard output (the container's log), not lost.
      const printed = r.stdout.trim().split('\n');
      assert.equal(printed.length, args[0] === '-p' ? 2 : 1, r.stdout);
      assert.equal((JSON.parse(printed[0]!) as { file_path: string }).file_path, CAPTURE);
    }
    // The HEAD result is on disk before publishing is tried: nothing is lost.
    assert.equal(
      (JSON.parse(await readFile(join(dir, 'down.json'), 'utf8')) as PoseidonMessage).tool,
      'networkml',
    );
  });

  it('a RABBIT_VHOST the broker does not have: one line naming it, exit 4, no retries', async () => {
    const started = Date.now();
    const r = runCli(['-p', CAPTURE], {
      env: { ...brokerEnv(), RABBIT: 'true', RABBIT_VHOST: 'no-such-vhost' },
      timeoutMs: 60_000,
    });
    assert.equal(r.status, 4, r.stderr);
    assert.equal(
      r.stderr,
      `networkml: RabbitMQ at amqp://127.0.0.1:${rabbit.port}/no-such-vhost refused to open virtual host 'no-such-vhost' (it does not exist, or RABBIT_USER may not use it; check RABBIT_VHOST)\n`,
    );
    assert.ok(Date.now() - started < 15_000, 'not retried');
    assert.equal(r.stdout.trim().split('\n').length, 2, 'the result is still printed');
  });

  it('-p FILE with REDIS=true and Redis down: the v0 pair is still published (as the original), exit 4', async () => {
    const collector = new ResultCollector(settings(), 'collect.noredis');
    await collector.start();
    try {
      const redisPort = await freePort();
      const r = runCli(['-p', CAPTURE], {
        env: {
          ...brokerEnv(),
          RABBIT: 'True',
          REDIS: 'true',
          REDIS_HOST: `redis://127.0.0.1:${redisPort}`,
          id: 'job-noredis',
        },
        timeoutMs: 60_000,
      });
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /^networkml: redis .*without device history\)\n$/);
      await collector.waitFor((m) => m.length >= 2, 30_000, 'result and end of batch');
      const [result, end] = collector.messages as V0Message[];
      assert.equal(result!.id, 'job-noredis');
      assert.equal(result!.history, false, 'marked as without device history');
      assert.equal(end!.history, undefined);
      const device = (result!.data as Record<string, { valid: boolean }>)['Aria-sentinel-Mon0000-n00']!;
      assert.equal(device.valid, true);
      assert.equal(end!.data, '');
      assert.equal(r.stdout.trim().split('\n').length, 2);
    } finally {
      await collector.close();
    }
  });

  it('a capture that cannot be read: the error result is published (and written to RESULT_PATH), exit 1', async () => {
    const collector = new ResultCollector(settings(), 'collect.badcapture');
    await collector.start();
    try {
      const missing = join(dir, 'gone.pcap');
      const v048 = runCli(['-p', missing], { env: { ...brokerEnv(), RABBIT: 'true', id: 'bad-v048' } });
      assert.equal(v048.status, 1, v048.stderr);
      assert.match(v048.stderr, /^networkml: .*gone\.pcap: cannot read: no such file\n$/);
      const head = headRun('bad-head', missing);
      assert.equal(head.status, 1, head.stderr);
      await collector.waitFor((m) => m.length >= 3, 30_000, 'the v0 error pair and the HEAD error');
      const [error, end, headError] = collector.messages as [V0Message, V0Message, PoseidonMessage];
      assert.equal(error.id, 'bad-v048');
      assert.equal(error.valid, false);
      assert.match(error.error ?? '', /no such file/);
      assert.deepEqual(error.data, { gone: { valid: false, pcap: 'gone.pcap' }, pcap: 'gone.pcap' });
      assert.equal(end.data, '');
      assert.equal(headError.id, 'bad-head');
      assert.equal(headError.valid, false);
      assert.deepEqual(headError.data.mac_addresses, {});
      assert.deepEqual(JSON.parse(await readFile(head.resultPath, 'utf8')), headError);
    } finally {
      await collector.close();
    }
  });

  it('a broker that takes the connection but blocks publishers (memory alarm): bounded, exit 4, the process ends', async () => {
    // Before, the one-shot waited for confirms forever: one hung container per capture.
    await rabbit.ctl(['set_vm_memory_high_watermark', '0.0000001']);
    try {
      const script = [
        `import { runOneShot } from ${JSON.stringify(resolve('src/service/oneshot.ts'))};`,
        'try {',
        `  await runOneShot({ mode: 'v0.4.8', capture: ${JSON.stringify(CAPTURE)}, retry: { publishTimeoutMs: 3000 } },`,
        '    (messages) => console.log(messages.length));',
        '} catch (err) { console.error(err.message); process.exitCode = err.exitCode; }',
      ].join('\n');
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, ...brokerEnv(), RABBIT: 'true', id: 'blocked' },
        encoding: 'utf8',
        timeout: 90_000,
      });
      assert.equal(r.status, 4, `${r.status} ${r.signal}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^the broker at amqp:\/\/127\.0\.0\.1:\d+ did not confirm the result within 3 s \(it blocks publishers: low on memory\)\n$/,
      );
      assert.equal(r.stdout, '2\n', 'the v0 pair was shown before publishing');
      assert.ok(Date.now() - started < 45_000, 'bounded, and nothing keeps the process alive');
    } finally {
      await rabbit.ctl(['set_vm_memory_high_watermark', '0.4']);
    }
  });

  it('bad invocations are usage errors', () => {
    const extra = runCli(['--no-srcmacid', '-o/tmp', CAPTURE, CAPTURE]);
    assert.equal(extra.status, 2);
    assert.match(extra.stderr, /one capture/);
    const unknown = runCli(['-p', CAPTURE, '--bogus', 'x']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
  });
});
