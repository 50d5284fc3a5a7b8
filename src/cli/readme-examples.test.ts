/**
 * Every command the README shows and every `--help` example, run exactly as written through a shell, with
 * the defaults a user gets (device history on, in a temporary data directory). Only placeholders change:
 * placeholder files are real captures and models made here, `-i eth0` reads a real capture (`-r FILE`),
 * and the hosts `broker` / `redis` are the RabbitMQ and Redis servers the test starts. A last test checks that
 * no example in the README or in any `--help` was left out.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rabbitSettings } from '../service/config.js';
import type { RabbitServer } from '../test-helpers/rabbitmq.js';
import type { RedisServer } from '../test-helpers/redis.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { ResultCollector } from '../test-helpers/service-harness.js';
import { startRabbitAndRedis } from '../test-helpers/services.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN = join(ROOT, 'src/cli/run.ts');
const work = mkdtempSync(join(tmpdir(), 'networkml-readme-'));
const bin = join(work, '.bin');
const setups = join(TEST_DATA, 'iot-sentinel/setups');
const TRACE = 'trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap';
const CAPTURE = join(ROOT, 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
const SAMPLE_MAC = '74:da:38:4a:76:49';

let rabbit: RabbitServer;
let redis: RedisServer;
/** Examples run so far, as written (before placeholders were replaced). */
const covered = new Set<string>();

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    NETWORKML_DATA_DIR: join(work, 'data'),
    // The broker the examples' `broker` stands for listens on a test port.
    RABBIT_PORT: String(rabbit.port),
    NETWORKML_DEBUG: '',
  };
}

/** The example with its placeholders replaced; every replacement must apply. */
function substitute(example: string, replacements: [string, string][]): string {
  let command = example;
  for (const [from, to] of replacements) {
    assert.ok(command.includes(from), `${from} not in ${example}`);
    command = command.replaceAll(from, to);
  }
  return command;
}

const LIVE: [string, string] = ['-i eth0', `-r ${CAPTURE}`];
const FILES: [string, string] = ['/files', join(work, 'files')];

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(example: string, replacements: [string, string][] = [], cwd = work): Ran {
  covered.add(example);
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', substitute(example, replacements)], {
    cwd,
    env: env(),
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(example: string, replacements: [string, string][] = [], cwd = work): Ran {
  const r = run(example, replacements, cwd);
  assert.equal(r.status, 0, `${example}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|^\s+at /m, example);
  return r;
}

function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(join(work, path), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Starts a long-running example (a worker) in the background. */
function background(example: string, replacements: [string, string][]): ChildProcess {
  covered.add(example);
  // A single command: bash execs it, so the signal below reaches the worker itself.
  return spawn('bash', ['-c', substitute(example, replacements)], {
    cwd: work,
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** A step that is not itself an example (making a model or a store the next example uses). */
function prepare(args: string[]): void {
  const r = spawnSync('networkml', args, { cwd: work, env: env(), encoding: 'utf8', timeout: 900_000 });
  assert.equal(r.status, 0, `networkml ${args.join(' ')}\n${r.stderr}`);
}

before(async () => {
  mkdirSync(bin);
  // `networkml` on PATH runs this tree's sources (tsx resolved here: the examples run in other directories).
  writeFileSync(
    join(bin, 'networkml'),
    `#!/bin/sh\nexec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${RUN}" "$@"\n`,
  );
  chmodSync(join(bin, 'networkml'), 0o755);
  // A site's labelled captures (three device types), captures held out from training, one new capture.
  mkdirSync(join(work, 'captures'));
  mkdirSync(join(work, 'held-out'));
  for (const type of ['Aria', 'HueBridge', 'iKettle2']) {
    for (const n of [1, 2, 3, 4]) {
      const name = `${type}-A${n}-Mon0000-n00.pcap`;
      copyFileSync(join(setups, name), join(work, 'captures', name));
    }
    for (const n of [1, 2]) {
      const name = `${type}-C${n}-Mon0000-n00.pcap`;
      copyFileSync(join(setups, name), join(work, 'held-out', name));
    }
  }
  // Two longer captures, so that the original recipe's 120 s warm-up leaves sessions of two labels.
  for (const name of ['Aria-sentinel-Mon0000-n00.pcap', 'iKettle2-sentinel-Mon0000-n00.pcap'])
    copyFileSync(join(TEST_DATA, 'reference/captures', name), join(work, 'captures', name));
  copyFileSync(join(setups, 'Aria-C3-Mon0000-n00.pcap'), join(work, 'new-capture.pcap'));
  copyFileSync(CAPTURE, join(work, 'capture.pcap'));
  // The IoT Sentinel dev split, as `setups/` and `dev-split.json`; the bundled samples as `data/samples`.
  symlinkSync(setups, join(work, 'setups'));
  copyFileSync(join(TEST_DATA, 'iot-sentinel/dev-split.json'), join(work, 'dev-split.json'));
  mkdirSync(join(work, 'data'));
  symlinkSync(join(ROOT, 'data/samples'), join(work, 'data/samples'));
  copyFileSync(join(ROOT, 'models/onelayer-v0.4.8.json'), join(work, 'model.json'));
  mkdirSync(join(work, 'files'));
  copyFileSync(join(ROOT, 'data/samples', TRACE), join(work, 'files', TRACE));
  [rabbit, redis] = await startRabbitAndRedis();
});

after(async () => {
  await Promise.all([rabbit?.dispose(), redis?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe('README and --help examples, run as written', () => {
  it('standalone: eval, report, explain, watch, info, inspect', () => {
    const readable = ok('networkml eval capture.pcap');
    assert.match(readable.stdout, /^CAPTURE +MAC +IP +ROLES \(TOP 3\)/);
    assert.match(readable.stdout, new RegExp(SAMPLE_MAC));
    ok('networkml eval data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');

    ok('networkml eval --json captures/ > results.jsonl && networkml report results.jsonl -o report.html');
    assert.equal(jsonLines('results.jsonl').length, 14);
    assert.match(readFileSync(join(work, 'report.html'), 'utf8'), /Aria-A1-Mon0000-n00/);
    rmSync(join(work, 'results.jsonl'));
    ok('networkml eval --json captures/ > results.jsonl');
    assert.equal(jsonLines('results.jsonl').length, 14);
    const fromStdin = ok('tcpdump -i eth0 -w - -c 100000 | networkml eval -', [LIVE]);
    assert.match(fromStdin.stdout, new RegExp(SAMPLE_MAC));
    rmSync(join(work, 'report.html'));
    ok('networkml eval --json capture.pcap | networkml report - -o report.html');
    assert.match(readFileSync(join(work, 'report.html'), 'utf8'), /capture/);

    assert.match(ok('networkml explain capture.pcap').stdout, /port/);
    assert.match(
      ok('networkml explain data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap --top 5').stdout,
      /port/,
    );

    const watched = ok('tcpdump -i eth0 -U -w - | networkml watch -', [LIVE]);
    assert.match(watched.stdout, new RegExp(SAMPLE_MAC));
    assert.match(ok('networkml watch --duration 60 --warmup 0 capture.pcap').stdout, new RegExp(SAMPLE_MAC));
    assert.equal(
      ok('tcpdump -i eth0 -U -w - | networkml watch --json -o updates.jsonl -', [LIVE]).stdout,
      '',
    );
    assert.ok(jsonLines('updates.jsonl').some((u) => (u as { mac?: string }).mac === SAMPLE_MAC));

    assert.match(ok('networkml info data/samples/*.pcap').stdout, /pcap/);
    const info = JSON.parse(ok('tcpdump -i eth0 -c 1000 -w - | networkml info --json -', [LIVE]).stdout) as {
      packets: number;
    };
    assert.equal(info.packets, 1000);

    assert.match(ok(`networkml inspect data/samples/${TRACE}`).stdout, /session/i);
    ok('networkml inspect --json --warmup 1 captures/ > features.jsonl');
    assert.equal(jsonLines('features.jsonl').length, 14);
    assert.match(ok('networkml inspect --features v2 --warmup 0 capture.pcap').stdout, /\S/);

    // The original's flags.
    const legacy = ok('networkml -a onelayer -o eval -p capture.pcap -m model.json');
    assert.match(legacy.stdout, new RegExp(SAMPLE_MAC));
  });

  it('watch --follow: reads the file, then waits for more until stopped (SIGTERM), the open bin flushed', async () => {
    const example = 'networkml watch --follow capture.pcap';
    covered.add(example);
    // A single command: bash execs it, so the signal reaches watch itself.
    const child = spawn('bash', ['-c', example], {
      cwd: work,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const printed = { out: '', err: '' };
    child.stdout!.on('data', (d: Buffer) => {
      printed.out += d;
    });
    child.stderr!.on('data', (d: Buffer) => {
      printed.err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!printed.out.includes(SAMPLE_MAC) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(printed.out, new RegExp(SAMPLE_MAC), printed.err);
      // Read to its end: it waits for more (a file still being written), never calling its end truncated.
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(child.exitCode, null, 'still following');
      child.kill('SIGTERM');
      assert.equal(await exited, 0, printed.err);
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal(printed.err, '');
    // Every bin, the open one flushed at the stop: what reading the file once gives.
    const once = spawnSync('networkml', ['watch', 'capture.pcap'], {
      cwd: work,
      env: env(),
      encoding: 'utf8',
    });
    assert.equal(once.status, 0, once.stderr);
    assert.equal(printed.out, once.stdout);
  });

  it('history: the table and --json from Redis', () => {
    const table = ok('networkml history 00:11:22:aa:bb:cc', [['00:11:22:aa:bb:cc', SAMPLE_MAC]]);
    assert.match(table.stdout, /update/);
    assert.match(ok('networkml history').stdout, new RegExp(`^${SAMPLE_MAC}\\s+\\d+\\s`, 'm'));
    // A device evaluated into Redis first (the original's store).
    prepare(['eval', '--redis', redis.url, 'capture.pcap']);
    const fromRedis = ok('networkml history 00:11:22:aa:bb:cc --json --redis redis://127.0.0.1:6379', [
      ['00:11:22:aa:bb:cc', SAMPLE_MAC],
      ['redis://127.0.0.1:6379', redis.url],
    ]);
    assert.equal((JSON.parse(fromRedis.stdout) as { updates: unknown[] }).updates.length, 1);
    // Last: the device's history is gone from the default store (SQLite), Redis's untouched.
    const forgot = ok('networkml history --forget 00:11:22:aa:bb:cc', [['00:11:22:aa:bb:cc', SAMPLE_MAC]]);
    assert.match(forgot.stdout, new RegExp(`^forgot ${SAMPLE_MAC}: \\d+ updates? removed from `));
    assert.match(ok(`networkml history ${SAMPLE_MAC}`).stdout, /^no history for /);
    const redisAfter = ok('networkml history 00:11:22:aa:bb:cc --json --redis redis://127.0.0.1:6379', [
      ['00:11:22:aa:bb:cc', SAMPLE_MAC],
      ['redis://127.0.0.1:6379', redis.url],
    ]);
    assert.equal((JSON.parse(redisAfter.stdout) as { updates: unknown[] }).updates.length, 1);
  });

  it('training on your own network: train, test, eval with the trained models, report', () => {
    ok('networkml train captures/ --features v2 --save site-v2.json');
    assert.ok(existsSync(join(work, 'site-v2.behavior.json')));
    const judged = ok('networkml eval --model site-v2.json new-capture.pcap');
    assert.match(judged.stdout, /Aria/);
    assert.match(judged.stdout, /\b(normal|abnormal)\b/);
    ok('networkml train captures/ -a sos -m site-v2.json --save site-sos.json');
    // The baseline the README compares with: the original recipe on the same captures.
    prepare(['train', 'captures/', '-a', 'randomforest', '--warmup', '1', '--save', 'compat.json']);
    const tested = ok('networkml test held-out/ --model site-v2.json --baseline compat.json');
    assert.match(tested.stdout, /F1/);
    const evaluated = ok(
      'networkml eval --model site-v2.json --anomaly sos --anomaly-model site-sos.json new-capture.pcap',
    );
    assert.match(evaluated.stdout, /Aria/);

    ok('networkml train captures/ --algorithm randomforest --save rf.json');
    ok('networkml train captures/ --features v2 --save v2.json');
    ok('networkml train setups/ --split dev-split.json --warmup 1 --seed 7 --save onelayer.json');
    assert.match(ok('networkml test setups/ --split dev-split.json --model onelayer.json').stdout, /F1/);
    ok('networkml test setups/ --split dev-split.json --model v2.json --baseline compat.json');
    ok(
      'networkml test captures/ --model rf.json --json > test.json && networkml report test.json -o test.html',
    );
    assert.ok(existsSync(join(work, 'test.html')));
    copyFileSync(join(work, 'test.json'), join(work, 'test-results.json'));
    ok('networkml report captures/ test-results.json -o report.html');

    // The settings file example, with its models where it says.
    mkdirSync(join(work, 'models'));
    copyFileSync(join(work, 'site-v2.json'), join(work, 'models/site-v2.json'));
    copyFileSync(join(work, 'site-sos.json'), join(work, 'models/site-sos.json'));
    const config = readmeBlocks('json')[0]!;
    covered.add(config);
    writeFileSync(join(work, 'networkml.config.json'), config);
    const configured = spawnSync('networkml', ['eval', '--json', 'new-capture.pcap'], {
      cwd: work,
      env: env(),
      encoding: 'utf8',
    });
    rmSync(join(work, 'networkml.config.json'));
    assert.equal(configured.status, 0, configured.stderr);
    assert.equal(
      (JSON.parse(configured.stdout) as { detail: { anomaly_model: string } }).detail.anomaly_model,
      'sos',
    );
  });

  it('the service: worker and submit against a real broker and Redis', async () => {
    const settings = rabbitSettings({}, { host: '127.0.0.1', port: rabbit.port });
    const results = new ResultCollector(settings, 'readme-results');
    await results.start();
    const broker: [string, string] = ['RABBIT_HOST=broker', 'RABBIT_HOST=127.0.0.1'];
    const redisHost: [string, string] = ['REDIS_HOST=redis', `REDIS_HOST=${redis.url}`];
    try {
      const worker = background(
        'RABBIT_HOST=broker REDIS_HOST=redis networkml worker --capture-root /files',
        [broker, redisHost, FILES],
      );
      ok(`RABBIT_HOST=broker networkml submit /files/${TRACE}`, [broker, FILES]);
      await results.waitFor((m) => m.length >= 1, 120_000, 'the first result');
      // The README's form, with RABBIT_HOST set in the environment as a deployment would.
      const submitted = spawnSync(
        'bash',
        ['-c', `networkml submit /files/${TRACE}`.replace('/files', FILES[1])],
        {
          cwd: work,
          env: { ...env(), RABBIT_HOST: '127.0.0.1' },
          encoding: 'utf8',
        },
      );
      covered.add(`networkml submit /files/${TRACE}`);
      assert.equal(submitted.status, 0, submitted.stderr);
      await results.waitFor((m) => m.length >= 2, 120_000, 'the second result');
      assert.equal(await stop(worker), 0);

      const poseidon = background(
        'networkml worker --rabbit-host 127.0.0.1 --concurrency 2 --result-format poseidon',
        [],
      );
      const before = results.messages.length;
      ok('networkml submit --rabbit-host 127.0.0.1 captures/*.pcap > jobs.jsonl');
      assert.equal(jsonLines('jobs.jsonl').length, 14);
      await results.waitFor((m) => m.length >= before + 14, 120_000, 'fourteen poseidon results');
      assert.equal(await stop(poseidon), 0);
    } finally {
      await results.close();
    }
  });

  it("behaviour, the v0.6.8 host-footprint model and Poseidon's one-shot invocations", () => {
    // The site's normal captures, as the README's normal/ and normal-captures/.
    for (const name of ['normal', 'normal-captures']) symlinkSync(join(work, 'captures'), join(work, name));
    ok('networkml train normal/ -a behavior -m site-v2.json --save behavior.json');
    const judged = ok('networkml eval --model site-v2.json --anomaly-model behavior.json new-capture.pcap');
    assert.match(judged.stdout, /\b(normal|abnormal|unknown)\b/);
    assert.match(
      ok('networkml explain --model site-v2.json --anomaly-model behavior.json new-capture.pcap').stdout,
      /behaviour/,
    );
    ok('networkml train captures/ --features v2 --unknown-rate 0.05 --save v2.json');
    ok('networkml train normal-captures/ --algorithm behavior --model v2.json --save behavior.json');
    assert.match(
      ok(
        'networkml explain --model v2.json --anomaly-model behavior.json capture.pcap   # also: why abnormal',
      ).stdout,
      /behaviour/,
    );

    const hosts = ok(
      'networkml eval --model host-footprint-v0.6.8 --no-srcmacid data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
    );
    assert.match(hosts.stdout, new RegExp(SAMPLE_MAC));
    const predicted = JSON.parse(
      ok('networkml eval --model host-footprint-v0.6.8 --json capture.pcap').stdout,
    ) as {
      data: { mac_addresses: Record<string, unknown> };
    };
    // --srcmacid (the default) picks one device, as v0.6.8 did (not always the v0.4.8 model's).
    assert.equal(Object.keys(predicted.data.mac_addresses).length, 1);
    assert.match(ok('networkml inspect --features host-footprint capture.pcap').stdout, /\S/);
    assert.match(
      ok(
        'networkml inspect --features host-footprint --no-srcmacid data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
      ).stdout,
      new RegExp(SAMPLE_MAC),
    );
    ok('networkml explain --model host-footprint-v0.6.8 capture.pcap');
    // --no-srcmacid: every host, the plug among them (without it the original's choice is another host).
    assert.match(
      ok(
        'networkml explain --model host-footprint-v0.6.8 --no-srcmacid data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap --top 5',
      ).stdout,
      new RegExp(`host ${SAMPLE_MAC}: top role`),
    );

    // Poseidon's two invocations, with `messenger` and `redis` the test's broker and Redis.
    copyFileSync(CAPTURE, join(work, 'files', 'x.pcap'));
    const messenger: [string, string] = ['RABBIT_HOST=messenger', 'RABBIT_HOST=127.0.0.1'];
    const v010 = ok(
      'RABBIT=True REDIS=true RABBIT_HOST=messenger id=42 file_path=/files/x.pcap networkml -p /files/x.pcap',
      [messenger, ['REDIS=true', `REDIS=true REDIS_HOST=${redis.url}`], FILES],
    );
    const [first] = v010.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    assert.equal(first?.id, '42');
    const predictPath = join(work, 'predict.json');
    ok(
      'RABBIT_HOST=messenger RESULT_PATH=/tmp/predict.json id=42 networkml --no-srcmacid -o/tmp /files/x.pcap',
      [messenger, ['RESULT_PATH=/tmp/predict.json', `RESULT_PATH=${predictPath}`], FILES],
    );
    const head = JSON.parse(readFileSync(predictPath, 'utf8')) as {
      data: { mac_addresses: Record<string, { uid: string }> };
    };
    assert.equal(head.data.mac_addresses[SAMPLE_MAC]?.uid, '42');
  });

  it('no README or --help example is left out', () => {
    const notRun: Record<string, string> = {
      'npm ci && npx networkml eval data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap':
        'installs from the registry; its command is the eval --help example, run above',
      'npm test': 'this suite',
      'npm run build': 'the build, run by npm test',
      'npm run typecheck && npm run lint': 'run by npm test',
      'node --import tsx --test src/features/compat.test.ts': 'a test file of this suite',
      'docker build -t networkml .': 'needs a Docker engine: npm run test:docker builds and runs the image',
      'docker run --rm -v $PWD:/pcaps networkml eval /pcaps/capture.pcap':
        'needs a Docker engine: npm run test:docker runs this very line (src/service/docker.test.ts)',
    };
    // The README's development command runs the CLI from sources in the repository.
    const fromSources = 'node --import tsx src/cli/run.ts eval data/samples/*.pcap';
    ok(fromSources, [], ROOT);
    const examples = [...readmeCommands(), ...helpExamples()];
    const missing = examples.filter((e) => !covered.has(e) && !(e in notRun));
    assert.deepEqual(missing, []);
    assert.ok(examples.length > 30, `${examples.length} examples found`);
  });
});

/** The fenced code blocks of the README in a language. */
function readmeBlocks(lang: string): string[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!.trim());
}

/** Every command line of the README's sh blocks, without its trailing comment. */
function readmeCommands(): string[] {
  return readmeBlocks('sh')
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The example lines of every command's --help. */
function helpExamples(): string[] {
  // Every module that registers a command a user sees (hidden ones are rewrite targets, e.g. Poseidon's
  // invocations become `oneshot`; their examples are the README's).
  const commands = readdirSync(join(ROOT, 'src/cli/commands'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => {
      const source = readFileSync(join(ROOT, 'src/cli/commands', f), 'utf8');
      return /export function register/.test(source) && !/hidden: true/.test(source);
    })
    .map((f) => f.replace(/\.ts$/, ''));
  const out: string[] = [];
  for (const command of commands) {
    const help = spawnSync(process.execPath, ['--import', 'tsx', RUN, command, '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(help.status, 0, `${command} --help: ${help.stderr}`);
    const lines = help.stdout.split('\n');
    const start = lines.findIndex((l) => /^Examples?:$/.test(l));
    assert.ok(start >= 0, `${command} --help has no examples`);
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith('  ')) break;
      out.push(line.trim());
    }
  }
  return out;
}
