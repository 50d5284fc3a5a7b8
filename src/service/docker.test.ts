/**
 * Our image as Poseidon runs it, on a real Docker engine. Run through `npm run test:docker`
 * (scripts/test-docker.sh builds the images and sets NETWORKML_TEST_DOCKER=1); skipped in `npm test`, which
 * must not need a Docker engine.
 * - Poseidon's own worker.py `callback` (HEAD and v0.10.3, unmodified) starts our image for a job on the
 *   `poseidon_poseidon` network with the broker as `messenger` and Redis as `redis`; the result reaches
 *   topic-poseidon-internal / poseidon.algos.decider in that release's shape, and HEAD's own consumer
 *   (handler_algos_decider → merge_metadata) stores the roles; v0.10's history lands in Redis.
 * - The README's `docker run --rm -v $PWD:/pcaps networkml eval /pcaps/capture.pcap`, timed; `docker stop`
 *   on an eval; eval under another `--user`; the licence files.
 * - docker-compose.yml with 2 workers on 20 jobs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'amqplib';
import { freePort } from '../test-helpers/rabbitmq.js';
import { ResultCollector } from '../test-helpers/service-harness.js';
import { RABBIT_DEFAULTS, type RabbitSettings } from './config.js';
import type { PoseidonMessage, V0Message } from './messages.js';
import { submitJobs } from './submit.js';

const IMAGE = process.env.NETWORKML_IMAGE ?? '';
const RABBITMQ_IMAGE = process.env.RABBITMQ_IMAGE ?? 'rabbitmq:3';
const REDIS_IMAGE = process.env.REDIS_IMAGE ?? 'redis:7';
const NETWORK = 'poseidon_poseidon';
const POSEIDON = resolve('test-data/poseidon');
const PYTHON = '/usr/bin/python3';
const ARIA = resolve('test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap');
const EDIMAX = resolve('data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');

const skip =
  process.env.NETWORKML_TEST_DOCKER !== '1' || IMAGE === ''
    ? 'needs a Docker engine and the built image: run `npm run test:docker`'
    : false;

const swarmSkip =
  skip ||
  (process.env.NETWORKML_TEST_SWARM !== '1'
    ? 'Docker Swarm test off (NETWORKML_TEST_SWARM=1; needs root)'
    : false);

function docker(args: string[], timeoutMs = 120_000): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

function compose(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): string {
  const useV2 = spawnSync('docker', ['compose', 'version']).status === 0;
  const [cmd, prefix] = useV2 ? ['docker', ['compose']] : ['docker-compose', []];
  const r = spawnSync(cmd, [...prefix, '-p', 'networkmltest', '-f', resolve('docker-compose.yml'), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`compose ${args.join(' ')}: ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

async function waitForAmqp(port: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const model = await connect(`amqp://guest:guest@127.0.0.1:${port}`);
      await model.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The networkml entry of a release's workers.json, pointing at our image (name:tag split as Poseidon does). */
async function workersJson(release: 'head' | 'v0.10.3', dir: string): Promise<string> {
  const original = JSON.parse(await readFile(join(POSEIDON, release, 'workers.json'), 'utf8')) as {
    workers: { name: string; image: string; version?: string }[];
  };
  const entry = original.workers.find((w) => w.name === 'networkml');
  assert.ok(entry);
  const colon = IMAGE.lastIndexOf(':');
  entry.image = IMAGE.slice(0, colon);
  entry.version = IMAGE.slice(colon + 1);
  const path = join(dir, `workers-${release}.json`);
  await writeFile(path, JSON.stringify({ workers: [entry] }));
  return path;
}

/** Poseidon's unmodified worker.py `callback` on one job (VOL_PREFIX, SWARM read from `env` by worker.py). */
function callPoseidonWorker(
  release: 'head' | 'v0.10.3',
  workers: string,
  job: object,
  env: NodeJS.ProcessEnv,
): void {
  const r = spawnSync(
    PYTHON,
    [
      join(POSEIDON, 'poseidon_worker.py'),
      join(POSEIDON, release, 'worker.py'),
      workers,
      JSON.stringify(job),
    ],
    { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\[Create container\]/, `worker.py started our container: ${r.stdout}`);
}

interface StoredDevice {
  uid: string;
  pcap: string;
  classification: { labels: string[] };
}

/** Poseidon HEAD's own consumer (sdnevents.py → handler_algos_decider → merge_metadata), ready for `count` results. */
async function startPoseidonConsumer(
  port: number,
  count: number,
): Promise<() => Promise<Record<string, StoredDevice>>> {
  const consumer = spawn(PYTHON, [
    join(POSEIDON, 'poseidon_consumer.py'),
    '127.0.0.1',
    String(port),
    String(count),
    '180',
  ]);
  let out = '';
  consumer.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise<number | null>((r) => consumer.on('close', r));
  const deadline = Date.now() + 30_000;
  while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(out.split('\n')[0], 'READY');
  return async () => {
    assert.equal(await exited, 0, out);
    return (JSON.parse(out.trim().split('\n').at(-1)!) as { stored: Record<string, StoredDevice> }).stored;
  };
}

describe('the image as Poseidon runs it (Docker)', { skip, timeout: 1_200_000 }, () => {
  let dir = '';
  let volPrefix = '';
  let rabbitPort = 0;
  const made: string[] = [];
  let madeNetwork = false;

  const settings = (): RabbitSettings => ({ ...RABBIT_DEFAULTS, host: '127.0.0.1', port: rabbitPort });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'networkml-docker-'));
    // worker.py mounts VOL_PREFIX + '/opt/poseidon_files' at /files.
    volPrefix = join(dir, 'host');
    const files = join(volPrefix, 'opt/poseidon_files');
    await mkdir(files, { recursive: true });
    await chmod(dir, 0o755);
    await copyFile(ARIA, join(files, 'Aria-sentinel-Mon0000-n00.pcap'));
    await copyFile(EDIMAX, join(files, 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap'));
    assert.equal(
      spawnSync('docker', ['network', 'inspect', NETWORK]).status,
      1,
      `network ${NETWORK} exists already (a real Poseidon?): not touching it`,
    );
    docker(['network', 'create', NETWORK]);
    madeNetwork = true;
    rabbitPort = await freePort();
    made.push(
      docker([
        'run',
        '-d',
        '--name',
        'messenger',
        '--network',
        NETWORK,
        '-p',
        `127.0.0.1:${rabbitPort}:5672`,
        RABBITMQ_IMAGE,
      ]),
    );
    made.push(docker(['run', '-d', '--name', 'redis', '--network', NETWORK, REDIS_IMAGE]));
    await waitForAmqp(rabbitPort);
  });

  after(async () => {
    // Containers worker.py started (auto-removed when they exit; any left over are ours too).
    const ours = spawnSync('docker', ['ps', '-aq', '--filter', `ancestor=${IMAGE}`], { encoding: 'utf8' });
    for (const id of ours.stdout.split('\n').filter(Boolean)) spawnSync('docker', ['rm', '-f', id]);
    for (const id of made) spawnSync('docker', ['rm', '-f', '-v', id]);
    if (madeNetwork) spawnSync('docker', ['network', 'rm', NETWORK]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const poseidonCallback = (release: 'head' | 'v0.10.3', workers: string, job: object): void =>
    callPoseidonWorker(release, workers, job, { VOL_PREFIX: volPrefix });

  it("Poseidon HEAD's worker.py starts our image; its consumer stores the roles", async () => {
    const stored = await startPoseidonConsumer(rabbitPort, 1);
    const job = {
      id: 'docker-head',
      file_path: '/files/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
      file_type: 'ncapture',
      type: 'data',
    };
    poseidonCallback('head', await workersJson('head', dir), job);
    const devices = Object.values(await stored());
    assert.ok(devices.length >= 2, 'one device per host');
    for (const device of devices) {
      assert.equal(device.uid, 'docker-head');
      assert.equal(device.pcap, 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
      assert.equal(device.classification.labels.length, 3);
    }
  });

  it("Poseidon v0.10.3's worker.py starts our image: the v0 pair, history in Redis", async () => {
    const collector = new ResultCollector(settings(), 'collect.v0103');
    await collector.start();
    try {
      const job = {
        id: 'docker-v010',
        file_path: '/files/Aria-sentinel-Mon0000-n00.pcap',
        file_type: 'ncapture',
      };
      poseidonCallback('v0.10.3', await workersJson('v0.10.3', dir), job);
      await collector.waitFor((m) => m.length >= 2, 180_000, 'result and end of batch');
      const [result, end] = collector.messages as V0Message[];
      assert.equal(result!.id, 'docker-v010');
      assert.equal(result!.file_path, job.file_path);
      assert.equal(end!.data, '');
      const device = (result!.data as Record<string, { valid: boolean; source_mac: string }>)[
        'Aria-sentinel-Mon0000-n00'
      ]!;
      assert.equal(device.valid, true);
      const macs = docker(['exec', 'redis', 'redis-cli', 'SMEMBERS', 'mac_addresses']);
      assert.ok(macs.split('\n').includes(device.source_mac), `Redis mac_addresses: ${macs}`);
    } finally {
      await collector.close();
    }
  });

  it('the README: docker run --rm -v $PWD:/pcaps networkml eval /pcaps/capture.pcap', () => {
    const pcaps = join(dir, 'pcaps');
    spawnSync('mkdir', ['-p', pcaps]);
    spawnSync('cp', [ARIA, join(pcaps, 'capture.pcap')]);
    const times: number[] = [];
    let output = '';
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      output = docker(['run', '--rm', '-v', `${pcaps}:/pcaps`, IMAGE, 'eval', '/pcaps/capture.pcap']);
      times.push(Date.now() - started);
    }
    assert.match(output, /capture/);
    times.sort((a, b) => a - b);
    const size = Number(docker(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
    process.stderr.write(
      `docker: image ${(size / 1e6).toFixed(0)} MB; one-shot eval of a 167 KB capture: median ${times[1]} ms (${times.join(', ')})\n`,
    );
  });

  it('docker stop: eval stops at once on SIGTERM, not killed after the 10 s grace', () => {
    // `eval -` waits on its standard input: a command with no signal handler of its own, mid-work.
    const id = docker(['run', '-d', '-i', IMAGE, 'eval', '-']);
    made.push(id);
    docker(['exec', id, 'true']);
    const started = Date.now();
    docker(['stop', '--time', '10', id]);
    const ms = Date.now() - started;
    const code = docker(['inspect', '--format', '{{.State.ExitCode}}', id]);
    // 143: died of SIGTERM (128 + 15); 137 was docker's SIGKILL after the grace.
    assert.equal(code, '143', `exit code after docker stop (took ${ms} ms)`);
    assert.ok(ms < 8000, `docker stop took ${ms} ms`);
  });

  it("docs/docker.md's bundled-sample line, and under the caller's --user: exit 0, device history kept", async () => {
    const docs = await readFile(resolve('docs/docker.md'), 'utf8');
    const line = /^docker run --rm networkml eval (\S+)\s+# bundled sample$/m.exec(docs);
    assert.ok(line, 'docs/docker.md runs a bundled sample');
    const sample = line[1]!;
    // --user: what one passes to own the files eval writes to a mounted directory.
    for (const user of [[], ['--user', '12345:12345']]) {
      const r = spawnSync('docker', ['run', '--rm', ...user, IMAGE, 'eval', sample], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(r.stderr, '', `${user.join(' ')}: ${r.stderr}`);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /EdimaxPlug1101W/);
    }
  });

  it('the image carries the licence it is labelled with, and the notices', () => {
    assert.equal(
      docker([
        'image',
        'inspect',
        '--format',
        '{{index .Config.Labels "org.opencontainers.image.licenses"}}',
        IMAGE,
      ]),
      'Apache-2.0',
    );
    const licence = docker(['run', '--rm', '--entrypoint', 'cat', IMAGE, '/opt/networkml/LICENSE']);
    assert.match(licence, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(docker(['run', '--rm', '--entrypoint', 'cat', IMAGE, '/opt/networkml/NOTICE']), /Apache/);
  });

  it('docker-compose.yml: 2 workers share 20 jobs', async () => {
    const captures = join(volPrefix, 'opt/poseidon_files');
    const port = await freePort();
    const env = {
      NETWORKML_IMAGE: IMAGE,
      RABBITMQ_IMAGE,
      REDIS_IMAGE,
      CAPTURES_DIR: captures,
      RABBIT_PUBLISH: `127.0.0.1:${port}`,
    };
    try {
      compose(['up', '-d', '--no-build', '--scale', 'networkml=2'], env);
      await waitForAmqp(port);
      const s: RabbitSettings = { ...RABBIT_DEFAULTS, host: '127.0.0.1', port };
      const collector = new ResultCollector(s, 'collect.compose');
      await collector.start();
      try {
        // Workers declare the job queue when they connect; wait for both consumers.
        const deadline = Date.now() + 120_000;
        for (;;) {
          const model = await connect(`amqp://guest:guest@127.0.0.1:${port}`);
          const channel = await model.createChannel();
          channel.on('error', () => {});
          const q = await channel.checkQueue(s.queue).catch(() => null);
          await model.close().catch(() => {});
          if (q && q.consumerCount >= 2) break;
          assert.ok(Date.now() < deadline, 'both workers consuming');
          await new Promise((r) => setTimeout(r, 1000));
        }
        const jobs = await submitJobs(
          Array.from({ length: 20 }, (_, i) =>
            i % 2 ? 'Aria-sentinel-Mon0000-n00.pcap' : 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
          ),
          { rabbit: s },
        );
        await collector.waitFor((m) => m.length >= 20, 300_000, '20 results');
        const messages = collector.messages as PoseidonMessage[];
        // Exactly one result per job: 20 messages carrying the 20 job ids.
        assert.equal(messages.length, 20);
        assert.deepEqual(new Set(messages.map((m) => m.id)), new Set(jobs.map((j) => j.id)));
        assert.ok(messages.every((m) => m.tool === 'networkml' && m.valid));
        const logs = compose(['logs', '--no-color', 'networkml'], env);
        const perWorker = new Map<string, number>();
        for (const line of logs.split('\n')) {
          const m = /^(\S+)\s*\|.*"msg":"job done"/.exec(line);
          if (m) perWorker.set(m[1]!, (perWorker.get(m[1]!) ?? 0) + 1);
        }
        assert.equal(perWorker.size, 2, `both workers took jobs: ${[...perWorker.entries()].join(' ')}`);
      } finally {
        await collector.close();
      }
    } finally {
      compose(['down', '-v', '--remove-orphans', '--timeout', '20'], env);
    }
  });
});

describe("Poseidon's SWARM=1 path: our image as a Swarm service (Docker Swarm)", {
  skip: swarmSkip,
  timeout: 900_000,
}, () => {
  // Poseidon constrains each job's service to node.role==worker, so a manager alone never runs it:
  // scripts/docker-swarm-node.sh adds a second engine (own network namespace) that joins as the worker.
  const SWARM_NODE = resolve('scripts/docker-swarm-node.sh');
  let dir = '';
  let volPrefix = '';
  let rabbitPort = 0;
  let workerHost = '';
  const made: string[] = [];
  let madeNetwork = false;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'networkml-swarm-'));
    volPrefix = join(dir, 'host');
    const files = join(volPrefix, 'opt/poseidon_files');
    await mkdir(files, { recursive: true });
    await chmod(dir, 0o755);
    await copyFile(EDIMAX, join(files, 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap'));
    const up = spawnSync('bash', [SWARM_NODE, 'up', IMAGE], { encoding: 'utf8', timeout: 600_000 });
    assert.equal(up.status, 0, `docker-swarm-node.sh up: ${up.stderr}`);
    workerHost = up.stdout.trim();
    // As Poseidon's compose file deploys it in swarm mode: an attachable overlay network.
    docker(['network', 'create', '-d', 'overlay', '--attachable', NETWORK]);
    madeNetwork = true;
    rabbitPort = await freePort();
    made.push(
      docker([
        'run',
        '-d',
        '--name',
        'messenger',
        '--network',
        NETWORK,
        '-p',
        `127.0.0.1:${rabbitPort}:5672`,
        RABBITMQ_IMAGE,
      ]),
    );
    made.push(docker(['run', '-d', '--name', 'redis', '--network', NETWORK, REDIS_IMAGE]));
    await waitForAmqp(rabbitPort);
  });

  after(async () => {
    const services = spawnSync('docker', ['service', 'ls', '-q', '--filter', 'label=project=poseidon'], {
      encoding: 'utf8',
    });
    for (const id of services.stdout.split('\n').filter(Boolean)) spawnSync('docker', ['service', 'rm', id]);
    for (const id of made) spawnSync('docker', ['rm', '-f', '-v', id]);
    // The overlay network goes once its last task's endpoint is released (a few seconds after service rm).
    for (let i = 0; madeNetwork && i < 30; i++) {
      if (spawnSync('docker', ['network', 'rm', NETWORK]).status === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    spawnSync('bash', [SWARM_NODE, 'down'], { timeout: 300_000 });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("Poseidon HEAD's worker.py with SWARM=1 runs our image as a service on the worker; its consumer stores the roles", async () => {
    const stored = await startPoseidonConsumer(rabbitPort, 1);
    const job = {
      id: 'swarm-head',
      file_path: '/files/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
      file_type: 'ncapture',
      type: 'data',
    };
    const started = Date.now();
    callPoseidonWorker('head', await workersJson('head', dir), job, { VOL_PREFIX: volPrefix, SWARM: '1' });
    const devices = Object.values(await stored());
    const ms = Date.now() - started;
    assert.ok(devices.length >= 2, 'one device per host');
    for (const device of devices) {
      assert.equal(device.uid, 'swarm-head');
      assert.equal(device.pcap, 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
      assert.equal(device.classification.labels.length, 3);
    }
    // The service Poseidon made: its one task ran to completion on the worker node, not on the manager.
    const service = docker(['service', 'ls', '-q', '--filter', 'label=project=poseidon']);
    assert.equal(service.split('\n').length, 1, 'one service for the job');
    const workerNode = docker(['-H', workerHost, 'info', '--format', '{{.Swarm.NodeID}}']);
    // The task reports Complete a moment after its container published the result and exited.
    let tasks = '';
    for (let i = 0; i < 60 && !/Complete/.test(tasks); i++) {
      if (i) await new Promise((r) => setTimeout(r, 1000));
      tasks = docker(['service', 'ps', '--format', '{{.Node}} {{.DesiredState}} {{.CurrentState}}', service]);
    }
    assert.match(tasks, /Complete/, tasks);
    const task = docker(['service', 'ps', '-q', service]).split('\n')[0]!;
    assert.equal(docker(['inspect', '--format', '{{.NodeID}}', task]), workerNode, tasks);
    process.stderr.write(
      `docker swarm: Poseidon job to stored roles in ${ms} ms (tasks: ${tasks.replaceAll('\n', '; ')})\n`,
    );
  });
});
