/**
 * `networkml submit` as a user runs it (the real CLI in a child process) against a private RabbitMQ: what
 * it prints must be exactly what is on the broker, however the run ends.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { runCli } from '../../test-helpers/cli.js';
import { type RabbitServer, rabbitmqAvailable, startRabbit } from '../../test-helpers/rabbitmq.js';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUBMIT = fileURLToPath(new URL('../../service/submit.ts', import.meta.url));

const skip = rabbitmqAvailable()
  ? false
  : 'rabbitmq-server is not installed (apt-get install rabbitmq-server)';

/** Enough jobs that a run takes seconds, so it can be cut short while jobs are in flight. */
const MANY = Array.from({ length: 20_000 }, (_, i) => `site/capture-${i}.pcap`);

interface Receipt {
  id: string;
  file_path: string;
}

function receipts(stdout: string): Receipt[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Receipt);
}

/** `submit` in a child process; `onFirstReceipt` runs once its first JSON line arrived. */
function submitChild(
  args: string[],
  onFirstReceipt: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'submit', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let fired = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (!fired && stdout.includes('\n')) {
      fired = true;
      onFirstReceipt(child);
    }
  });
  // Reading stops when the test closes the pipe; later data is not ours to see.
  child.stdout.on('error', () => {});
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('networkml submit against a real broker', { skip, timeout: 300_000 }, () => {
  let rabbit: RabbitServer;

  before(async () => {
    rabbit = await startRabbit();
  });

  after(async () => {
    await rabbit?.dispose();
  });

  const flags = (queue: string): string[] => [
    '--rabbit-host',
    rabbit.host,
    '--rabbit-port',
    String(rabbit.port),
    '--rabbit-queue',
    queue,
  ];

  /** Every job body in the queue, drained. */
  async function queued(queue: string): Promise<Receipt[]> {
    const model = await connect(rabbit.url);
    try {
      const channel = await model.createChannel();
      const jobs: Receipt[] = [];
      for (;;) {
        const message = await channel.get(queue, { noAck: true });
        if (!message) return jobs;
        jobs.push(JSON.parse(message.content.toString('utf8')) as Receipt);
      }
    } finally {
      await model.close();
    }
  }

  async function queueExists(queue: string): Promise<boolean> {
    const model = await connect(rabbit.url);
    model.on('error', () => {});
    try {
      const channel = await model.createChannel();
      channel.on('error', () => {});
      await channel.checkQueue(queue);
      return true;
    } catch {
      return false;
    } finally {
      await model.close().catch(() => {});
    }
  }

  it('Ctrl-C mid-way: the jobs printed are exactly the jobs on the broker, and stderr says how many; exit 130', async () => {
    const run = await submitChild([...flags('interrupted'), ...MANY], (child) => child.kill('SIGINT'));
    assert.equal(run.code, 130, run.stderr);
    const printed = receipts(run.stdout);
    const onBroker = await queued('interrupted');
    assert.ok(printed.length < MANY.length, 'interrupted before the end');
    assert.deepEqual(
      onBroker.map((j) => j.id).sort(),
      printed.map((j) => j.id).sort(),
      'every job on the broker was printed, and only those',
    );
    assert.equal(
      run.stderr,
      `networkml: interrupted: ${printed.length} of ${MANY.length} jobs submitted (printed above); the other ${MANY.length - printed.length} were not sent\n`,
    );
  });

  it('standard output closed early (| head -1): every job is still submitted, exit 0', async () => {
    const run = await submitChild([...flags('head'), ...MANY], (child) => child.stdout?.destroy());
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const onBroker = await queued('head');
    assert.equal(onBroker.length, MANY.length);
    assert.deepEqual(
      onBroker.map((j) => j.file_path),
      MANY,
    );
  });

  it('refuses a path every worker refuses (.., empty, a directory) before sending anything: one line, exit 2', async () => {
    // test-data/captures: a directory here, as it would be for workers sharing this file system.
    for (const bad of [
      '../elsewhere/x.pcap',
      'site/../../x.pcap',
      '',
      'a\\..\\x.pcap',
      'test-data/captures',
    ]) {
      const r = runCli(['submit', ...flags('refused'), 'site/ok.pcap', bad]);
      assert.equal(r.status, 2, `${JSON.stringify(bad)}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.match(r.stderr, /^networkml: submit: /);
    }
    assert.equal(await queueExists('refused'), false, 'nothing was sent, not even the good path');
  });

  it('wrong credentials and a missing virtual host are named as such (exit 4)', () => {
    const password = runCli(['submit', ...flags('login'), 'x.pcap'], { env: { RABBIT_PASSWORD: 'wrong' } });
    assert.equal(password.status, 4, password.stderr);
    assert.match(
      password.stderr,
      /^networkml: RabbitMQ at amqp:\/\/127\.0\.0\.1:\d+ refused the login \(check RABBIT_USER, RABBIT_PASSWORD\): [^\n]+\n$/,
    );
    const vhost = runCli(['submit', ...flags('login'), 'x.pcap'], { env: { RABBIT_VHOST: 'nope' } });
    assert.equal(vhost.status, 4, vhost.stderr);
    assert.equal(
      vhost.stderr,
      `networkml: RabbitMQ at amqp://127.0.0.1:${rabbit.port}/nope refused to open virtual host 'nope' (it does not exist, or RABBIT_USER may not use it; check RABBIT_VHOST)\n`,
    );
  });

  it('a broker that blocks publishers (memory alarm): bounded, one line with the count confirmed, exit 4', async () => {
    // Before, submit waited for the confirms forever. The CLI's limit is 60 s; the library's option is
    // shortened here, through the same error path the CLI prints.
    await rabbit.ctl(['set_vm_memory_high_watermark', '0.0000001']);
    try {
      const script = [
        `import { submitJobs } from ${JSON.stringify(SUBMIT)};`,
        'try {',
        `  await submitJobs(['a.pcap', 'b.pcap'], { rabbit: ${JSON.stringify({ host: rabbit.host, port: rabbit.port, queue: 'blocked' })}, confirmTimeoutMs: 3000 });`,
        '} catch (err) { console.error(err.message); process.exitCode = err.exitCode; }',
      ].join('\n');
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 90_000,
      });
      assert.equal(r.status, 4, `${r.status} ${r.signal}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^the broker at amqp:\/\/127\.0\.0\.1:\d+ did not confirm jobs within 3 s \(it blocks publishers: low on memory\): 0 of 2 jobs were confirmed \(those sent but unconfirmed may still be queued: check the queue before submitting them again\)\n$/,
      );
      assert.ok(Date.now() - started < 45_000, 'bounded, and nothing keeps the process alive');
    } finally {
      await rabbit.ctl(['set_vm_memory_high_watermark', '0.4']);
    }
  });

  it('1000 captures, duplicates included: every job confirmed, printed once, in order, with its own id', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `site/c-${i % 900}.pcap`);
    const r = runCli(['submit', ...flags('thousand'), ...paths]);
    assert.equal(r.status, 0, r.stderr);
    const printed = receipts(r.stdout);
    assert.deepEqual(
      printed.map((j) => j.file_path),
      paths,
    );
    assert.equal(new Set(printed.map((j) => j.id)).size, paths.length);
    return queued('thousand').then((onBroker) => assert.deepEqual(onBroker, printed));
  });
});
