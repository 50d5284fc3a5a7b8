/**
 * Service mode against a real rabbitmq-server (private node on loopback, shared by this file) with worker
 * processes running the real `networkml worker` and the real evaluator on real captures.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import pino from 'pino';
import { evaluateCapture } from '../pipeline/evaluate.js';
import type { DeviceResult } from '../result.js';
import { runCli } from '../test-helpers/cli.js';
import { relinked } from '../test-helpers/link-rewrite.js';
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
  writeRepeatedCapture,
} from '../test-helpers/service-harness.js';
import { silentServer } from '../test-helpers/silent-server.js';
import { amqpUrl, deadLetterNames, type RabbitSettings } from './config.js';
import { NO_MAC_WARNING, type PoseidonMessage, type V0Message } from './messages.js';
import { submitJobs } from './submit.js';
import { runWorker } from './worker.js';

const CAPTURES = resolve('test-data/captures');
/** Copy of test-data/captures plus a generated big capture (symlinks out of the root would be refused). */
let root = '';
/** Small real captures: one with a usable session (valid) and ones without (valid: false). */
const SMALL = [
  'real/Aria-sentinel-Mon0000-n00.pcap',
  'real/iKettle2-sentinel-Mon0000-n00.pcap',
  'real/DLinkDayCam-A1-Mon0000-n00.pcap',
];
/** Aria's capture 40 times over (~7 MB, about half a second to evaluate): a job is in hand long enough to kill. */
const BIG = 'big.pcap';

const skip = rabbitmqAvailable()
  ? false
  : 'rabbitmq-server is not installed (apt-get install rabbitmq-server)';

function results(messages: unknown[]): V0Message[] {
  return (messages as V0Message[]).filter((m) => m.data !== '');
}

function countById(messages: V0Message[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(String(m.id), (counts.get(String(m.id)) ?? 0) + 1);
  return counts;
}

const isDone = (line: LogLine) => line.msg === 'job done';

describe('networkml worker with RabbitMQ', { skip, timeout: 600_000 }, () => {
  let rabbit: RabbitServer;
  const workers: WorkerProcess[] = [];
  const collectors: ResultCollector[] = [];

  const settingsFor = (name: string): RabbitSettings => settingsNamed(rabbit, name);
  const collector = (settings: RabbitSettings, name: string) => startCollector(settings, name, collectors);

  /** Most tests here read v0 messages; the poseidon default has its own test. */
  function worker(settings: RabbitSettings, extra: string[] = []): WorkerProcess {
    const format = extra.includes('--result-format') ? [] : ['--result-format', 'v0'];
    const w = spawnWorker(workerArgs(settings, root, [...format, ...extra]));
    workers.push(w);
    return w;
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'networkml-root-'));
    await cp(join(CAPTURES, 'real'), join(root, 'real'), { recursive: true });
    await cp(join(CAPTURES, 'edge'), join(root, 'edge'), { recursive: true });
    await writeRepeatedCapture(join(root, SMALL[0]!), join(root, BIG), 40);
    await symlink(resolve('package.json'), join(root, 'escape.pcap'));
    rabbit = await startRabbit();
  });

  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    for (const c of collectors) await c.close();
    await rabbit?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('200 jobs over 2 worker processes: 200 results, each job exactly one', async () => {
    const settings = settingsFor('two');
    const results200 = await collector(settings, 'two');
    const a = worker(settings);
    const b = worker(settings);
    await Promise.all([a, b].map((w) => w.waitForLog((l) => l.msg === 'consuming', 30_000)));
    const paths = Array.from({ length: 200 }, (_, i) => SMALL[i % SMALL.length]!);
    const jobs = await submitJobs(paths, { rabbit: settings });
    assert.equal(new Set(jobs.map((j) => j.id)).size, 200);

    // Each v0 result is followed by its end-of-batch marker: 400 messages in all.
    await results200.waitFor((m) => m.length >= 400, 120_000, '200 results and 200 end markers');
    await new Promise((r) => setTimeout(r, 500)); // room for any duplicate to show up
    const got = results(results200.messages);
    assert.equal(got.length, 200);
    const counts = countById(got);
    for (const job of jobs)
      assert.equal(counts.get(job.id), 1, `job ${job.id} has ${counts.get(job.id) ?? 0} results`);
    for (const m of got) {
      assert.equal(m.type, 'metadata');
      assert.equal(m.results.tool, 'networkml');
      assert.equal(m.valid, undefined, 'no error results');
      const job = jobs.find((j) => j.id === m.id)!;
      assert.equal(m.file_path, job.file_path);
    }
    // Aria has a usable session, the others do not: both kinds are published.
    assert.ok(
      got.some(
        (m) =>
          typeof m.data === 'object' &&
          (m.data['Aria-sentinel-Mon0000-n00'] as DeviceResult | undefined)?.valid === true,
      ),
    );
    assert.ok(
      got.some(
        (m) =>
          typeof m.data === 'object' &&
          (m.data['DLinkDayCam-A1-Mon0000-n00'] as DeviceResult | undefined)?.valid === false,
      ),
    );
    const share = [a, b].map((w) => w.logs.filter(isDone).length);
    assert.ok(share[0]! > 0 && share[1]! > 0, `both workers took jobs: ${share.join(' + ')}`);
    assert.deepEqual(await Promise.all([stopWorker(a), stopWorker(b)]), [0, 0]);
  });

  it('a worker killed with SIGKILL mid-job: every job still gets a result (redelivery)', async () => {
    const settings = settingsFor('kill');
    const c = await collector(settings, 'kill');
    const victim = worker(settings);
    await victim.waitForLog((l) => l.msg === 'consuming', 30_000);
    const jobs = await submitJobs(
      Array.from({ length: 20 }, () => BIG),
      { rabbit: settings },
    );
    // Killed while a job is in hand: it started a job and has not finished it.
    await victim.waitForLog((l) => l.msg === 'job done', 60_000);
    await victim.waitForLog(
      (l) => l.msg === 'job started' && !victim.logs.some((d) => isDone(d) && d.job?.id === l.job?.id),
      60_000,
    );
    victim.child.kill('SIGKILL');
    assert.equal(await victim.exited, 'SIGKILL');
    const survivor = worker(settings);

    // Asserted: every job has at least one result and none is missing. Not asserted: exactly one, since a
    // worker killed between publishing and acking legitimately causes a duplicate (at-least-once).
    await c.waitFor(
      (m) => {
        const counts = countById(results(m));
        return jobs.every((j) => (counts.get(j.id) ?? 0) >= 1);
      },
      120_000,
      'a result for every job',
    );
    const counts = countById(results(c.messages));
    for (const job of jobs) assert.ok((counts.get(job.id) ?? 0) >= 1, `job ${job.id} lost`);
    const redelivered = survivor.logs
      .filter((l) => isDone(l) && l.redelivered === true)
      .map((l) => l.job?.id);
    // Jobs the victim started and never finished (known only after the kill): each came back as a redelivery.
    const finished = new Set(victim.logs.filter(isDone).map((l) => l.job?.id));
    const unfinished = victim.logs
      .filter((l) => l.msg === 'job started' && !finished.has(l.job?.id))
      .map((l) => l.job?.id);
    assert.ok(unfinished.length >= 1, 'the victim died with a job in hand');
    for (const id of unfinished) assert.ok(redelivered.includes(id), `job ${id} in hand was redelivered`);
    assert.equal(await stopWorker(survivor), 0);
  });

  it('a job that kills every worker taking it is dead-lettered after the delivery limit', async () => {
    const settings = settingsFor('crashloop');
    let current = worker(settings, ['--delivery-limit', '2']);
    await current.waitForLog((l) => l.msg === 'consuming', 30_000);
    const [job] = await submitJobs([BIG], { rabbit: settings });
    // Delivery limit 2: the broker hands the job out 3 times; each worker dies with it in hand.
    for (let delivery = 1; delivery <= 3; delivery++) {
      await current.waitForLog((l) => l.msg === 'job started' && l.job?.id === job!.id, 60_000);
      current.child.kill('SIGKILL');
      await current.exited;
      current = worker(settings);
      await current.waitForLog((l) => l.msg === 'consuming', 30_000);
    }
    const model = await connect(amqpUrl(settings));
    try {
      const channel = await model.createChannel();
      const dead = deadLetterNames(settings.queue).queue;
      let deadCount = 0;
      for (let i = 0; i < 100 && deadCount === 0; i++) {
        deadCount = (await channel.checkQueue(dead)).messageCount;
        if (deadCount === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(deadCount, 1, 'the job is in the dead-letter queue');
      const message = await channel.get(dead, { noAck: true });
      assert.ok(message);
      assert.equal(message.properties.messageId, job!.id);
      assert.equal((await channel.checkQueue(settings.queue)).messageCount, 0);
    } finally {
      await model.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!current.logs.some((l) => l.msg === 'job started'), 'no fourth delivery');
    assert.equal(await stopWorker(current), 0);
  });

  it('the broker restarted mid-run: workers reconnect and finish every job', async () => {
    const settings = settingsFor('restart');
    const c = await collector(settings, 'restart');
    const a = worker(settings);
    const b = worker(settings);
    await Promise.all([a, b].map((w) => w.waitForLog((l) => l.msg === 'consuming', 30_000)));
    const jobs = await submitJobs(
      Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? BIG : SMALL[i % SMALL.length]!)),
      { rabbit: settings },
    );
    await c.waitFor((m) => results(m).length >= 5, 60_000, 'first results');
    await rabbit.restart();

    // Asserted: each job ≥ 1 result, none missing (a job whose ack died with the broker is redone).
    await c.waitFor(
      (m) => {
        const counts = countById(results(m));
        return jobs.every((j) => (counts.get(j.id) ?? 0) >= 1);
      },
      180_000,
      'a result for every job after the restart',
    );
    for (const w of [a, b]) {
      assert.ok(
        w.logs.some((l) => l.msg === 'reconnecting'),
        'the worker noticed the broker going away',
      );
      // It may still be backing off when the other worker has finished the queue: give it that long.
      await w.waitForLog(
        (l) => l.msg === 'consuming' && w.logs.filter((x) => x.msg === 'consuming').length >= 2,
        60_000,
      );
    }
    assert.deepEqual(await Promise.all([stopWorker(a), stopWorker(b)]), [0, 0]);
  });

  it('SIGTERM finishes the job in hand, then exits 0 leaving the rest queued', async () => {
    const settings = settingsFor('term');
    const c = await collector(settings, 'term');
    const w = worker(settings);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const jobs = await submitJobs([BIG, BIG, BIG, BIG], { rabbit: settings });
    const started = await w.waitForLog((l) => l.msg === 'job started', 60_000);
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0);
    const done = w.logs.filter(isDone).map((l) => l.job?.id);
    assert.ok(done.includes(started.job?.id ?? null), 'the job in hand was finished');
    await c.waitFor((m) => results(m).length >= done.length, 10_000, 'the finished jobs’ results');
    const model = await connect(amqpUrl(settings));
    try {
      const channel = await model.createChannel();
      const queue = await channel.checkQueue(settings.queue);
      assert.equal(
        queue.messageCount,
        jobs.length - done.length,
        `unstarted jobs stay queued; worker log: ${JSON.stringify(w.logs.map((l) => [l.msg, l.job?.id]))}`,
      );
    } finally {
      await model.close();
    }
  });

  it('poison jobs get one error result each and are dead-lettered; the worker keeps going', async () => {
    const settings = settingsFor('poison');
    const c = await collector(settings, 'poison');
    // In-process this time: the library API with the real evaluator.
    const handle = runWorker({
      rabbit: settings,
      captureRoot: root,
      resultFormat: 'v0',
      evaluate: (path) => evaluateCapture(path),
      logger: pino({ level: 'silent' }),
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      // missing.pcap may yet appear: tried twice more (the other poison jobs never are), 0.2 s and 0.4 s later.
      captureRetry: { retries: 2, initialDelayMs: 200 },
    });
    try {
      await handle.ready;
      const poison = await submitJobs(
        [
          'missing.pcap',
          'edge/not-a-capture.txt',
          'edge/empty.pcap',
          '../etc/passwd',
          '/etc/passwd',
          'escape.pcap',
        ],
        { rabbit: settings },
      );
      const [malformed] = await submitJobs(['{"id": "m1", "file_path": '], {
        rabbit: settings,
        raw: true,
        ids: ['m1'],
      });
      const [good] = await submitJobs([SMALL[0]!], { rabbit: settings });
      const all = [...poison, malformed!, good!];
      await c.waitFor((m) => results(m).length >= all.length, 60_000, 'one result per job');
      await new Promise((r) => setTimeout(r, 300));
      const got = results(c.messages);
      const errors = got.filter((m) => m.valid === false);
      assert.equal(errors.length, poison.length + 1, 'one error result per poison job');
      for (const job of poison) {
        const mine = errors.filter((m) => m.id === job.id);
        assert.equal(mine.length, 1, `${job.file_path}: one error result`);
        assert.equal(mine[0]!.file_path, job.file_path);
        assert.match(mine[0]!.error ?? '', /\S/);
        assert.ok(!(mine[0]!.error ?? '').includes('\n'));
      }
      const byPath = (p: string) => errors.find((m) => m.file_path === p)?.error ?? '';
      assert.match(byPath('missing.pcap'), /no such file/);
      assert.match(byPath('edge/not-a-capture.txt'), /not a capture/);
      assert.match(byPath('../etc/passwd'), /refused/);
      assert.match(byPath('/etc/passwd'), /outside the capture root/);
      assert.match(byPath('escape.pcap'), /symlink/);
      // The malformed job's id cannot be read, so its error result has none.
      assert.ok(errors.some((m) => m.id === null && /malformed/.test(m.error ?? '')));
      const goodResult = got.filter((m) => m.id === good!.id);
      assert.equal(goodResult.length, 1);
      assert.equal(goodResult[0]!.valid, undefined);

      const model = await connect(amqpUrl(settings));
      try {
        const channel = await model.createChannel();
        assert.equal((await channel.checkQueue(settings.queue)).messageCount, 0, 'nothing left to redeliver');
        const dead = deadLetterNames(settings.queue).queue;
        const deadIds: string[] = [];
        for (;;) {
          const message = await channel.get(dead, { noAck: true });
          if (!message) break;
          deadIds.push(String(message.properties.messageId));
        }
        assert.deepEqual(
          deadIds.sort(),
          all
            .filter((j) => j !== good)
            .map((j) => j.id)
            .sort(),
        );
      } finally {
        await model.close();
      }
      assert.deepEqual(handle.stats(), {
        succeeded: 1,
        failed: poison.length + 1,
        retried: 2,
        unroutable: 0,
        connections: 1,
      });
    } finally {
      await handle.stop();
    }
  });

  it('networkml submit prints one JSON line per job; bad flags and an absent broker are one-line errors', async () => {
    const settings = settingsFor('cli');
    const port = String(rabbit.port);
    const ok = runCli([
      'submit',
      '--rabbit-host',
      '127.0.0.1',
      '--rabbit-port',
      port,
      '--rabbit-queue',
      settings.queue,
      SMALL[0]!,
      SMALL[1]!,
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    const lines = ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; file_path: string });
    assert.deepEqual(
      lines.map((l) => l.file_path),
      [SMALL[0], SMALL[1]],
    );
    for (const l of lines)
      assert.match(l.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const model = await connect(amqpUrl(settings));
    try {
      const channel = await model.createChannel();
      assert.equal((await channel.checkQueue(settings.queue)).messageCount, 2, 'both jobs queued');
      const first = await channel.get(settings.queue, { noAck: true });
      assert.ok(first);
      assert.equal(first.properties.deliveryMode, 2, 'persistent');
      assert.deepEqual(JSON.parse(first.content.toString('utf8')), lines[0]);
    } finally {
      await model.close();
    }

    const badFormat = runCli(['worker', '--result-format', 'xml']);
    assert.equal(badFormat.status, 2, `--result-format xml: ${badFormat.stderr}`);
    assert.equal(badFormat.stderr.trim().split('\n').length, 1, badFormat.stderr);
    assert.match(badFormat.stderr, /--result-format/);
    // A blank format, given or from a variable left empty, names no format: refused, not the default.
    for (const [args, env, named] of [
      [['--result-format', ''], {}, '--result-format'],
      [[], { NETWORKML_RESULT_FORMAT: '' }, 'NETWORKML_RESULT_FORMAT'],
      [[], { NETWORKML_RESULT_FORMAT: 'xml' }, 'NETWORKML_RESULT_FORMAT'],
    ] as const) {
      const blank = runCli(['worker', ...args], { env });
      assert.equal(blank.status, 2, `${JSON.stringify(args)} ${JSON.stringify(env)}: ${blank.stderr}`);
      assert.match(
        blank.stderr,
        new RegExp(`^networkml: ${named}: expected v0 or poseidon, got '(xml)?'\n$`),
      );
    }
    const badPrefetch = runCli(['worker', '--prefetch', '0']);
    assert.equal(badPrefetch.status, 2, `--prefetch 0: ${badPrefetch.stderr}`);
    const closedPort = String(await freePort());
    const absent = runCli(['submit', '--rabbit-host', '127.0.0.1', '--rabbit-port', closedPort, 'x.pcap']);
    assert.equal(absent.status, 4, `absent broker: ${absent.stderr}`);
    assert.match(absent.stderr, /^networkml: cannot reach RabbitMQ at amqp:\/\/127\.0\.0\.1:\d+: .+\n$/);
  });

  it('a job queue setup the broker refuses stops the worker with a one-line error (exit 4)', async () => {
    const settings = settingsFor('conflict');
    const model = await connect(amqpUrl(settings));
    try {
      const channel = await model.createChannel();
      // Someone else's dead-letter queue of the same name, with other arguments.
      await channel.assertQueue(deadLetterNames(settings.queue).queue, { durable: false });
      const w = worker(settings);
      const code = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
      assert.equal(code, 4, w.text.join(' | '));
      assert.equal(w.text.filter((l) => l.trim() !== '').length, 1);
      assert.match(w.text[0] ?? '', /^networkml: cannot declare job queue 'jobs\.conflict' .*PRECONDITION/);
    } finally {
      await model.close();
    }
  });

  /** Messages in `queue`, taken off it; polls until at least `atLeast` are there or `timeoutMs` passed. */
  async function drain(queue: string, atLeast: number, timeoutMs: number) {
    const model = await connect(rabbit.url);
    try {
      const channel = await model.createChannel();
      const deadline = Date.now() + timeoutMs;
      while ((await channel.checkQueue(queue)).messageCount < atLeast && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const got: { messageId: unknown; headers: Record<string, unknown> }[] = [];
      for (;;) {
        const message = await channel.get(queue, { noAck: true });
        if (!message) break;
        got.push({
          messageId: message.properties.messageId,
          headers: (message.properties.headers ?? {}) as Record<string, unknown>,
        });
      }
      return got;
    } finally {
      await model.close();
    }
  }

  const isUnroutable = (l: LogLine) => /^result not published: no queue is bound/.test(l.msg ?? '');

  it('a result no queue would receive: the job is not acked, and is dead-lettered after the delivery limit', async () => {
    // Nothing is bound to the exchange with this routing key (as after a broker restart, before Poseidon
    // binds again): the broker confirms such a publish, so a worker that acked on the confirm lost results.
    const settings = settingsFor('unbound');
    const w = worker(settings, ['--delivery-limit', '2']);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const [job] = await submitJobs([SMALL[0]!], { rabbit: settings });
    // Delivery limit 2: three deliveries (pauses of 1, 2 and 4 s), then the broker dead-letters it.
    const dead = await drain(deadLetterNames(settings.queue).queue, 1, 40_000);
    assert.deepEqual(
      dead.map((d) => d.messageId),
      [job!.id],
      'the job is in the dead-letter queue, not acked as done',
    );
    const lines = w.logs.filter(isUnroutable);
    assert.equal(lines.length, 3, 'one line per delivery');
    assert.equal(
      lines[0]!.msg,
      "result not published: no queue is bound to exchange 'topic-poseidon-internal' with routing key " +
        "'poseidon.algos.decider.unbound'; the job goes back to the queue (dead-lettered after the delivery limit)",
    );
    assert.equal(lines[0]!.job?.id, job!.id);
    assert.ok(!w.logs.some(isDone), 'never reported as done');
    assert.equal(await stopWorker(w), 0);
  });

  it('a result no queue would receive yet arrives once a queue is bound', async () => {
    const settings = settingsFor('late');
    const w = worker(settings);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const [job] = await submitJobs([SMALL[0]!], { rabbit: settings });
    // (Before the fix, the job was acked here as done, and its result was gone.)
    await w.waitForLog((l) => isUnroutable(l) || isDone(l), 60_000);
    // Poseidon (here a collector) binds its queue after the first attempt: the requeued job's result arrives.
    const c = await collector(settings, 'late');
    await c.waitFor((m) => results(m).length >= 1, 60_000, 'the result after the binding');
    assert.equal(results(c.messages)[0]!.id, job!.id);
    const done = await w.waitForLog(isDone, 10_000);
    assert.equal(done.outcome, 'result');
    assert.equal(done.redelivered, true);
    assert.equal(await stopWorker(w), 0);
  });

  it('a job with a 1 MB path gets one small error result and short log lines; a 20-digit id keeps its digits', async () => {
    const settings = settingsFor('huge');
    const c = await collector(settings, 'huge');
    // (missing.pcap is tried again 1 s and 2 s later, its id kept through the retry queue)
    const w = worker(settings, [
      '--result-format',
      'poseidon',
      '--capture-retries',
      '2',
      '--capture-retry-delay',
      '1',
    ]);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const hugePath = `real/${'x'.repeat(1_000_000)}.pcap`;
    const [huge] = await submitJobs([hugePath], { rabbit: settings });
    await submitJobs(['{"id":12345678901234567890,"file_path":"missing.pcap"}'], {
      rabbit: settings,
      raw: true,
      ids: ['numeric'],
    });
    const [good] = await submitJobs([SMALL[0]!], { rabbit: settings });
    await c.waitFor((m) => m.length >= 3, 60_000, 'three results');
    await new Promise((r) => setTimeout(r, 300));
    const messages = c.messages as PoseidonMessage[];
    assert.equal(messages.length, 3);
    const hugeResults = messages.filter((m) => m.valid === false && m.file_path?.startsWith('real/xxx'));
    assert.equal(hugeResults.length, 1, 'one error result for the huge job');
    const size = JSON.stringify(hugeResults[0]).length;
    assert.ok(size < 4000, `the error result is small: ${size} characters`);
    assert.equal(hugeResults[0]!.id, huge!.id);
    assert.match(hugeResults[0]!.file_path ?? '', /… \(1000010 bytes\)$/);
    assert.match(hugeResults[0]!.error ?? '', /… \(1000010 bytes\)/);
    const longest = Math.max(...w.logs.map((l) => JSON.stringify(l).length));
    assert.ok(longest < 4000, `log lines stay short: ${longest} characters`);
    // A JSON number beyond 2^53 as id: the result carries its digits, not 12345678901234567000.
    assert.ok(
      messages.some((m) => m.id === '12345678901234567890' && /no such file/.test(m.error ?? '')),
      JSON.stringify(messages.map((m) => m.id)),
    );
    assert.equal(messages.find((m) => m.id === good!.id)?.valid, true, 'the worker went on');
    assert.equal(await stopWorker(w), 0);
  });

  it('takes its options from the environment; says why a result has no device, and passes on reader warnings', async () => {
    const settings = settingsFor('env');
    const c = await collector(settings, 'env');
    const w = spawnWorker(workerArgs(settings, root, ['--result-format', 'poseidon']), {
      NETWORKML_CONCURRENCY: '2',
      NETWORKML_PREFETCH: '3',
    });
    workers.push(w);
    const consuming = await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    assert.equal(consuming.concurrency, 2);
    assert.equal(consuming.prefetch, 3);
    // A capture shorter than the warm-up (no device), and one cut inside its last record (a warning).
    const [short, cut] = await submitJobs(['edge/snaplen-cut.pcap', 'edge/truncated-record.pcap'], {
      rabbit: settings,
    });
    await c.waitFor((m) => m.length >= 2, 60_000, 'two results');
    const messages = c.messages as PoseidonMessage[];
    const shortResult = messages.find((m) => m.id === short!.id)!;
    assert.equal(shortResult.valid, false);
    assert.equal(shortResult.error, undefined);
    assert.match(shortResult.reason ?? '', /^no sessions/);
    const cutResult = messages.find((m) => m.id === cut!.id)!;
    assert.match(cutResult.warnings?.[0] ?? '', /truncated capture/);
    // Logged after the result is published: waited for, not looked up.
    const done = (id: string) =>
      w.waitForLog((l) => l.msg === 'job done' && (l.job as { id: string }).id === id, 30_000);
    assert.equal((await done(short!.id)).valid, false);
    await done(cut!.id);
    assert.ok(w.logs.some((l) => l.msg === 'capture warnings' && (l.job as { id: string }).id === cut!.id));
    // The queue this worker declared has its arguments: nothing to warn about.
    assert.ok(!w.logs.some((l) => /job queue exists with other arguments/.test(String(l.msg))));
    assert.equal(await stopWorker(w), 0);
  });

  it('warns when the job queue exists without its dead-letter exchange and delivery limit', async () => {
    const settings = settingsFor('classic');
    const model = await connect(amqpUrl(settings));
    const channel = await model.createChannel();
    await channel.assertQueue(settings.queue, { durable: true });
    await model.close();
    const w = worker(settings);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    assert.ok(
      w.logs.some(
        (l) => /job queue exists with other arguments/.test(String(l.msg)) && l.queue === settings.queue,
      ),
      w.text.join(' | '),
    );
    assert.equal(await stopWorker(w), 0);
  });

  it('a job whose id is longer than a message-id may be gets its result, and the worker takes the next job', async () => {
    // AMQP's message-id holds 255 bytes: the whole id once made the client refuse the publish, and the job
    // stayed unacknowledged on a live channel (never redelivered: the worker took no other job).
    const settings = settingsFor('longid');
    const c = await collector(settings, 'longid');
    const w = worker(settings, ['--result-format', 'poseidon']);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const longId = `é${'i'.repeat(254)}é${'x'.repeat(100)}`; // 357 characters, 359 bytes; the cut falls inside an é
    await submitJobs([JSON.stringify({ id: longId, file_path: SMALL[0] })], {
      rabbit: settings,
      raw: true,
      ids: ['long'],
    });
    const [good] = await submitJobs([SMALL[0]!], { rabbit: settings });
    await c.waitFor((m) => m.length >= 2, 60_000, 'two results');
    const messages = c.messages as PoseidonMessage[];
    const long = messages.find((m) => m.id === longId);
    assert.ok(long, JSON.stringify(messages.map((m) => m.id?.slice(0, 20))));
    assert.equal(long.valid, true, 'a result, not an error');
    assert.equal(messages.find((m) => m.id === good!.id)?.valid, true, 'the worker went on');
    assert.equal(await stopWorker(w), 0);
  });

  it('stopping while the broker blocks publishers: the result is given up after the deadline, the job requeued', async () => {
    // Before, stop() waited for the confirm as long as the alarm lasted (a supervisor's stop ended in a kill).
    const settings = settingsFor('blocked');
    const c = await collector(settings, 'blocked');
    let evaluating: () => void = () => {};
    const started = new Promise<void>((r) => {
      evaluating = r;
    });
    const handle = runWorker({
      rabbit: settings,
      captureRoot: root,
      // The alarm starts while the job is evaluated: its result is the publish the broker blocks.
      evaluate: async (path) => {
        await rabbit.ctl(['set_vm_memory_high_watermark', '0.0000001']);
        evaluating();
        return evaluateCapture(path);
      },
      logger: pino({ level: 'silent' }),
      stopConfirmTimeoutMs: 2000,
    });
    try {
      await handle.ready;
      const [job] = await submitJobs([SMALL[0]!], { rabbit: settings });
      await started;
      await new Promise((r) => setTimeout(r, 1500));
      const stopping = Date.now();
      await handle.stop();
      const took = Date.now() - stopping;
      assert.ok(took < 20_000, `stop() took ${took} ms`);
      assert.equal(handle.stats().succeeded, 0);
      await rabbit.ctl(['set_vm_memory_high_watermark', '0.4']);
      // The job went back to the queue: another worker gives it its result.
      const next = runWorker({
        rabbit: settings,
        captureRoot: root,
        evaluate: (path) => evaluateCapture(path),
        logger: pino({ level: 'silent' }),
      });
      try {
        await c.waitFor(
          (m) => (m as PoseidonMessage[]).some((x) => x.id === job!.id),
          60_000,
          'the requeued job',
        );
      } finally {
        await next.stop();
      }
    } finally {
      await rabbit.ctl(['set_vm_memory_high_watermark', '0.4']);
      await handle.stop();
    }
  });

  it('a Redis that never answers: the worker starts with the history skipped, the result is published at once, marked, no hang', async () => {
    // It was dead-lettered with an error result (a Redis restart moved the whole backlog to the dead-letter
    // queue), then requeued once per job, each attempt waiting out Redis's timeouts. Now the start-up probe
    // opens the circuit breaker, and jobs skip the history without waiting for Redis.
    const silent = await silentServer();
    try {
      const settings = settingsFor('silent-redis');
      const c = await collector(settings, 'silent-redis');
      const w = worker(settings, ['--redis', `redis://127.0.0.1:${silent.port}`]);
      await w.waitForLog((l) => l.msg === 'consuming', 30_000);
      const warned = w.logs.find((l) => /^device history unavailable at start/.test(l.msg ?? ''));
      assert.match(String(warned?.error), /^redis redis:\/\/127\.0\.0\.1:\d+: .*(not responding|timed out)/);
      const [job] = await submitJobs([SMALL[0]!], { rabbit: settings });
      await c.waitFor((m) => results(m).length >= 1, 40_000, 'the result');
      const [result] = results(c.messages);
      assert.equal(result!.id, job!.id);
      // A result (v0 shape here), not an error result, marked as without history.
      assert.equal(result!.valid, undefined, JSON.stringify(result));
      assert.equal(result!.error, undefined);
      assert.equal(result!.history, false);
      const done = await w.waitForLog(isDone, 10_000);
      assert.ok(Number(done.ms) < 5000, `no Redis timeout paid by the job: ${done.ms} ms`);
      assert.equal(done.redelivered, false);
      assert.deepEqual(
        await drain(deadLetterNames(settings.queue).queue, 0, 2_000),
        [],
        'nothing dead-lettered',
      );
      const started = Date.now();
      assert.equal(await stopWorker(w), 0);
      assert.ok(Date.now() - started < 15_000, 'SIGTERM ends it promptly');
    } finally {
      await silent.close();
    }
  });

  for (const [what, env, line] of [
    [
      'a wrong RabbitMQ password',
      { RABBIT_PASSWORD: 'wrong' },
      /^networkml: RabbitMQ at amqp:\/\/127\.0\.0\.1:\d+ refused the login \(check RABBIT_USER, RABBIT_PASSWORD\): .*ACCESS.REFUSED/,
    ],
    [
      'a RABBIT_VHOST the broker does not have',
      { RABBIT_VHOST: 'no-such-vhost' },
      /^networkml: RabbitMQ at amqp:\/\/127\.0\.0\.1:\d+\/no-such-vhost refused to open virtual host 'no-such-vhost' \(it does not exist, or RABBIT_USER may not use it; check RABBIT_VHOST\)$/,
    ],
  ] as const) {
    it(`${what} stops the worker with one line (exit 4) instead of retrying forever`, async () => {
      const w = spawnWorker(workerArgs(settingsFor('refused'), root), env);
      workers.push(w);
      const code = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
      assert.equal(code, 4, w.text.join(' | '));
      const lines = w.text.filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, w.text.join(' | '));
      assert.match(lines[0]!, line);
    });
  }

  it('a capture without MACs (raw IP): its result and the log say Poseidon will drop it (keyed "")', async () => {
    const settings = settingsFor('no-mac');
    const c = await collector(settings, 'no-mac');
    await writeFile(join(root, 'aria-raw.pcap'), relinked(await readFile(join(root, SMALL[0]!)), 101));
    const w = worker(settings, ['--result-format', 'poseidon']);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const [job] = await submitJobs(['aria-raw.pcap'], { rabbit: settings });
    await c.waitFor((m) => m.length >= 1, 30_000, 'the result');
    const [message] = c.messages as PoseidonMessage[];
    assert.deepEqual(Object.keys(message!.data.mac_addresses), ['']);
    assert.deepEqual(message!.warnings, [NO_MAC_WARNING]);
    const logged = await w.waitForLog(
      (l) => l.msg === `result without a device MAC: ${NO_MAC_WARNING}`,
      5000,
    );
    assert.equal(logged.job?.id, job!.id);
    assert.equal(await stopWorker(w), 0);
  });

  describe('a capture that cannot be read yet (a shared volume lagging behind its job)', () => {
    // Before, such a job got its error result and was dead-lettered at once.
    const isRetry = (l: LogLine) =>
      l.msg === 'capture not readable yet: the job is tried again after the pause';
    const appear = (name: string) => cp(join(root, SMALL[0]!), join(root, name));

    /** The messages in `queue` now (counted by the broker). */
    async function queued(settings: RabbitSettings, queue: string): Promise<number> {
      const model = await connect(amqpUrl(settings));
      try {
        return (await (await model.createChannel()).checkQueue(queue)).messageCount;
      } finally {
        await model.close();
      }
    }

    it('appearing 2 s after its job: tried again (defaults: 3 s later), one result', async () => {
      const settings = settingsFor('appears');
      const c = await collector(settings, 'appears');
      const w = worker(settings);
      await w.waitForLog((l) => l.msg === 'consuming', 30_000);
      const [job] = await submitJobs(['late-aria.pcap'], { rabbit: settings });
      const retry = await w.waitForLog(isRetry, 30_000);
      assert.equal(retry.code, 'ENOENT');
      assert.equal(retry.retry, 1);
      assert.equal(retry.of, 3);
      assert.equal(retry.delayMs, 3000);
      await new Promise((r) => setTimeout(r, 2000));
      await appear('late-aria.pcap');
      await c.waitFor((m) => results(m).length >= 1, 30_000, 'the result');
      await new Promise((r) => setTimeout(r, 1000)); // room for any duplicate or error result
      const got = results(c.messages);
      assert.equal(got.length, 1, JSON.stringify(got));
      assert.equal(got[0]!.id, job!.id);
      assert.equal(got[0]!.valid, undefined, 'a result, not an error');
      const done = w.logs.filter(isDone);
      assert.equal(done.length, 1);
      assert.equal(done[0]!.outcome, 'result');
      assert.equal(w.logs.filter(isRetry).length, 1);
      assert.ok(w.logs.some((l) => l.msg === 'job started' && l.retry === 1));
      assert.equal(await stopWorker(w), 0);
    });

    it('never appearing: dead-lettered after the retries with one error result and a clear log line; other jobs go on meanwhile', async () => {
      const settings = settingsFor('never');
      const c = await collector(settings, 'never');
      // One job at a time, one unacknowledged: a job held while it waits would stop every other.
      const w = worker(settings, [
        '--capture-retries',
        '2',
        '--capture-retry-delay',
        '2',
        '--concurrency',
        '1',
      ]);
      await w.waitForLog((l) => l.msg === 'consuming', 30_000);
      const started = Date.now();
      const [missing] = await submitJobs(['never.pcap'], { rabbit: settings });
      await w.waitForLog(isRetry, 30_000);
      const good = await submitJobs([SMALL[0]!, SMALL[1]!], { rabbit: settings });
      await c.waitFor((m) => results(m).length >= 3, 60_000, 'three results');
      const got = results(c.messages);
      // Both others were done during the pauses, before the missing one was given up.
      assert.deepEqual(
        got.map((m) => m.id),
        [good[0]!.id, good[1]!.id, missing!.id],
      );
      const error = got[2]!;
      assert.equal(error.valid, false);
      assert.equal(error.error, 'never.pcap: no such file (still, after 2 retries over 6 s)');
      assert.ok(Date.now() - started >= 6000, 'given up after its pauses (2 s and 4 s)');
      const givenUp = await w.waitForLog(
        (l) => l.msg === 'capture still not readable after the retries: job failed, dead-lettered',
        5000,
      );
      assert.equal(givenUp.code, 'ENOENT');
      assert.equal(givenUp.retries, 2);
      assert.deepEqual(
        w.logs.filter(isRetry).map((l) => [l.retry, l.delayMs]),
        [
          [1, 2000],
          [2, 4000],
        ],
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(results(c.messages).length, 3, 'no other result');
      assert.equal(
        await queued(settings, deadLetterNames(settings.queue).queue),
        1,
        'in the dead-letter queue',
      );
      for (const delay of [2000, 4000])
        assert.equal(await queued(settings, `${settings.queue}.retry-${delay}ms`), 0);
      assert.equal(await stopWorker(w), 0);
    });

    it('SIGTERM during the pause: the worker stops at once, the job waits in the broker and is done by the next worker', async () => {
      const settings = settingsFor('pause-term');
      const c = await collector(settings, 'pause-term');
      const args = ['--capture-retry-delay', '3'];
      const first = worker(settings, args);
      await first.waitForLog((l) => l.msg === 'consuming', 30_000);
      const [job] = await submitJobs(['paused-aria.pcap'], { rabbit: settings });
      await first.waitForLog(isRetry, 30_000);
      const stopping = Date.now();
      assert.equal(await stopWorker(first), 0);
      assert.ok(
        Date.now() - stopping < 2500,
        'nothing held during the pause: stopped without waiting for it',
      );
      // In the broker all the while: its retry queue, then (3 s after) the job queue.
      assert.equal(
        (await queued(settings, `${settings.queue}.retry-3000ms`)) + (await queued(settings, settings.queue)),
        1,
      );
      await appear('paused-aria.pcap');
      const second = worker(settings, args);
      await c.waitFor((m) => results(m).length >= 1, 30_000, 'the result from the next worker');
      await new Promise((r) => setTimeout(r, 1000));
      const got = results(c.messages);
      assert.deepEqual(
        got.map((m) => [m.id, m.valid]),
        [[job!.id, undefined]],
      );
      assert.ok(second.logs.some((l) => l.msg === 'job started' && l.retry === 1));
      assert.equal(await stopWorker(second), 0);
    });
  });

  it('a --capture-root that does not exist (or is a file) is refused at start: exit 2, one line', () => {
    const missing = runCli(
      ['worker', '--rabbit-host', '127.0.0.1', '--capture-root', join(root, 'nonexistent')],
      {
        timeoutMs: 30_000,
      },
    );
    assert.equal(missing.status, 2, missing.stderr);
    assert.equal(
      missing.stderr,
      `networkml: --capture-root ${join(root, 'nonexistent')}: no such directory\n`,
    );
    const file = runCli(['worker', '--rabbit-host', '127.0.0.1', '--capture-root', join(root, BIG)], {
      timeoutMs: 30_000,
    });
    assert.equal(file.status, 2, file.stderr);
    assert.match(file.stderr, /^networkml: --capture-root .*big\.pcap: not a directory\n$/);
  });

  it('with --redis, workers record device history in the shared Redis', async (t) => {
    if (spawnSync('redis-server', ['--version']).error) {
      t.skip('redis-server is not installed (apt-get install redis-server)');
      return;
    }
    const redis: RedisServer = await startRedis();
    const client = new Redis(redis.url);
    try {
      const settings = settingsFor('redis');
      const c = await collector(settings, 'redis');
      const w = worker(settings, ['--redis', redis.url]);
      await w.waitForLog((l) => l.msg === 'consuming', 30_000);
      const [job] = await submitJobs([SMALL[0]!], { rabbit: settings });
      await c.waitFor((m) => results(m).length >= 1, 60_000, 'the result');
      const device = results(c.messages)[0]!.data as Record<string, DeviceResult>;
      const aria = device['Aria-sentinel-Mon0000-n00'];
      assert.ok(aria?.valid === true);
      assert.equal(results(c.messages)[0]!.id, job!.id);
      // The original's layout: set mac_addresses, hash <mac> with the update times.
      assert.ok((await client.smembers('mac_addresses')).includes(aria.source_mac));
      assert.match((await client.hget(aria.source_mac, 'timestamps')) ?? '', /^\[\d/);
      assert.equal(await stopWorker(w), 0);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('default --result-format poseidon: one message per capture, devices keyed by MAC', async () => {
    const settings = settingsFor('poseidon');
    const c = await collector(settings, 'poseidon');
    const w = spawnWorker(workerArgs(settings, root));
    workers.push(w);
    await w.waitForLog((l) => l.msg === 'consuming', 30_000);
    const [aria, kettle] = await submitJobs([SMALL[0]!, SMALL[1]!], { rabbit: settings });
    await c.waitFor((m) => m.length >= 2, 60_000, 'two results');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.messages.length, 2, 'no end-of-batch markers in this format');
    const messages = c.messages as PoseidonMessage[];
    const ariaMessage = messages.find((m) => m.id === aria!.id)!;
    assert.equal(ariaMessage.tool, 'networkml');
    assert.equal(ariaMessage.valid, true);
    const devices = Object.entries(ariaMessage.data.mac_addresses);
    assert.equal(devices.length, 1);
    const [mac, device] = devices[0]!;
    assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.equal(device.uid, aria!.id);
    assert.equal(device.file_path, aria!.file_path);
    assert.equal(device.pcap, 'Aria-sentinel-Mon0000-n00.pcap');
    assert.equal(device.classification.labels.length, 3);
    assert.equal(device.classification.confidences.length, 3);
    assert.equal(typeof device.decisions.investigate, 'boolean');
    const kettleMessage = messages.find((m) => m.id === kettle!.id)!;
    assert.equal(kettleMessage.valid, false);
    assert.deepEqual(kettleMessage.data.mac_addresses, {});
    // A job as Poseidon's network tap publishes it (ncapture's send_message.py, started without an id).
    const tap = { id: '', type: 'metadata', file_path: SMALL[0]!, data: '', file_type: 'pcap_strip' };
    await submitJobs([JSON.stringify(tap)], { rabbit: settings, raw: true, ids: [''] });
    await c.waitFor((m) => m.length >= 3, 60_000, "the tap job's result");
    const tapMessage = (c.messages as PoseidonMessage[])[2]!;
    assert.equal(tapMessage.id, '');
    assert.equal(tapMessage.valid, true);
    assert.deepEqual(Object.keys(tapMessage.data.mac_addresses), Object.keys(ariaMessage.data.mac_addresses));
    assert.equal(await stopWorker(w), 0);
  });
});
