import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { redisLocationProblem } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const capture = `${TEST_DATA}iot-sentinel/setups/Aria-A1-Mon0000-n00.pcap`;

function config(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function valid(r: { stdout: string }): boolean {
  return (JSON.parse(r.stdout) as { valid: boolean }).valid;
}

describe('networkml.config.json', () => {
  // A 40-second capture: valid only when the warm-up is shorter than the default 120 s.
  const oneSecond = config('warmup.json', { warmup: 1, eval: { anomaly: 'none', history: false } });

  it('sets option defaults, per command or for all', () => {
    const r = runCli(['--config', oneSecond, 'eval', '--json', capture]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(valid(r), true);
    assert.equal(
      (JSON.parse(r.stdout) as { detail: { anomaly_model: string } }).detail.anomaly_model,
      'none',
    );
  });

  it('loses to environment variables and to the command line', () => {
    const env = runCli(['eval', '--json', capture], {
      env: { NETWORKML_CONFIG: oneSecond, NETWORKML_WARMUP: '120' },
    });
    assert.equal(env.status, 0, env.stderr);
    assert.equal(valid(env), false);
    const flag = runCli(['--config', oneSecond, 'eval', '--json', '--warmup', '120', capture]);
    assert.equal(valid(flag), false);
  });

  it('refuses unknown settings and bad values with one line naming them', () => {
    const cases: [unknown, RegExp][] = [
      [{ warmupp: 1 }, /unknown setting 'warmupp'/],
      [{ eval: { anomaly: 'foo' } }, /eval\.anomaly must be one of lstm, sos, behavior, none, not 'foo'/],
      [{ eval: { nope: true } }, /'nope' is not an option of 'eval'/],
      [{ eval: { json: 'yes' } }, /eval\.json must be true or false/],
      [{ model: '' }, /: model must not be empty$/m],
      [{ eval: { dataDir: ' ' } }, /: eval\.dataDir must not be empty$/m],
      [
        { 'anomaly-model': 'x.json' },
        /unknown setting 'anomaly-model' \(settings are camelCase: 'anomalyModel'\)/,
      ],
    ];
    cases.forEach(([value, message], i) => {
      const r = runCli(['--config', config(`bad${i}.json`, value), 'eval', capture]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
    writeFileSync(join(dir, 'broken.json'), '{"warmup": ');
    const broken = runCli(['--config', join(dir, 'broken.json'), 'eval', capture]);
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /^networkml: .*broken\.json: cannot read config/);
  });

  it('reads a file saved with a UTF-8 byte-order mark (Windows editors)', () => {
    const path = join(dir, 'bom.json');
    writeFileSync(path, `\uFEFF${JSON.stringify({ warmup: 1, eval: { anomaly: 'none', history: false } })}`);
    const r = runCli(['--config', path, 'eval', '--json', capture]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(valid(r), true);
  });
});

describe("a bad value's error names where the value came from", () => {
  it('the flag typed, the environment variable, or the settings file', () => {
    const threads = config('threads.json', { eval: { threads: 'two' } });
    const warmup = config('warmup-abc.json', { warmup: 'abc' });
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [
        ['eval', '--no-history', '--warmup', 'abc', capture],
        {},
        "networkml: --warmup must be a non-negative number of seconds, not 'abc'\n",
      ],
      [
        ['eval', '--no-history', capture],
        { NETWORKML_WARMUP: 'abc' },
        "networkml: NETWORKML_WARMUP must be a non-negative number of seconds, not 'abc' (it sets --warmup)\n",
      ],
      [
        ['--config', threads, 'eval', '--no-history', capture],
        {},
        `networkml: ${threads}: eval.threads must be a whole number of at least 1, not 'two'\n`,
      ],
      [
        ['--config', warmup, 'eval', '--no-history', capture],
        {},
        `networkml: ${warmup}: warmup must be a non-negative number of seconds, not 'abc'\n`,
      ],
    ];
    for (const [args, env, message] of cases) {
      const r = runCli(args, { env });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, message);
    }
  });
});

describe('a blank value for an option that names a file, directory or host', () => {
  // The commands read '' as "not given": a deployment's unfilled variable silently gave the bundled model.
  it('is a usage error from the command line and the environment, not the default', () => {
    const model = `${TEST_DATA}models/missing-on-purpose.json`;
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['eval', '--no-history', '--model', '', capture], {}, /^networkml: --model must not be empty\n$/],
      [
        ['eval', '--no-history', capture],
        { NETWORKML_MODEL: '' },
        /^networkml: NETWORKML_MODEL must not be empty/,
      ],
      [['eval', capture], { NETWORKML_DATA_DIR: ' ' }, /^networkml: NETWORKML_DATA_DIR must not be empty/],
      [['eval', '--no-history', '--anomaly-model', '', capture], {}, /--anomaly-model must not be empty/],
      [['eval', '--no-history', '-o', '', capture], {}, /--output must not be empty/],
      [['eval', '--redis', '', capture], {}, /--redis must not be empty/],
    ];
    for (const [args, env, message] of cases) {
      const r = runCli(args, { env });
      assert.equal(r.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    // A non-blank value still goes through as given (and a missing model is still exit 3).
    assert.equal(runCli(['eval', '--no-history', capture], { env: { NETWORKML_MODEL: model } }).status, 3);
  });
});

describe('a --redis that names no Redis', () => {
  // ioredis reads anything else as a socket path or a host: the worker dead-lettered every job instead.
  it('is a usage error before any work, from the command line and the environment, its password masked', () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [
        ['eval', '--redis', 'not a url', capture],
        {},
        'networkml: --redis must be a redis:// or rediss:// URL (redis://host:6379), host:port, or a Unix socket path: "not a url"\n',
      ],
      [
        ['history', '00:11:22:33:44:55'],
        { REDIS_HOST: 'http://x:1' },
        'networkml: REDIS_HOST must be a redis:// or rediss:// URL, not http://: "http://x:1"\n',
      ],
      [
        ['history', '00:11:22:33:44:55'],
        { NETWORKML_REDIS: 'http://u:secret@x:1' },
        'networkml: NETWORKML_REDIS (it sets --redis) must be a redis:// or rediss:// URL, not http://: "http://u:***@x:1/"\n',
      ],
      [
        ['worker', '--redis', 'redis://'],
        {},
        'networkml: --redis names no host (redis://host:6379): "redis://"\n',
      ],
      [
        ['eval', capture],
        { REDIS_HOST: ' ' },
        'networkml: REDIS_HOST is set but empty: name a Redis host (redis:6379), or unset it\n',
      ],
    ];
    for (const [args, env, message] of cases) {
      const r = runCli(args, { env });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    // What ioredis reads as a Redis: URLs, socket paths, and host[:port] (the worker's help names redis:6379).
    for (const ok of [
      'redis://127.0.0.1:6379/2',
      'rediss://h',
      '/run/redis.sock',
      'redis:6379',
      'localhost',
      '[::1]:6379',
    ])
      assert.equal(redisLocationProblem(ok), null, ok);
  });
});
