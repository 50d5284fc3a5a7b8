/**
 * `--data-dir` beside a Redis device history: Redis is used, and a data directory typed on the command line
 * is said to be ignored (eval, explain, history); one from $NETWORKML_DATA_DIR, which the Docker image sets on
 * every run, is not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, runCli } from '../test-helpers/cli.js';
import { type RedisServer, startRedis } from '../test-helpers/redis.js';
import { TEST_DATA } from '../test-helpers/reference.js';

const noRedis = spawnSync('redis-server', ['--version']).error
  ? 'redis-server is not installed (apt-get install redis-server)'
  : false;

const dir = mkdtempSync(join(tmpdir(), 'networkml-history-where-'));
const captures = join(dir, 'captures');
const dataDir = join(dir, 'data');
const behavior = join(dir, 'behavior.json');
const capture = join(captures, 'Aria-A1-Mon0000-n00.pcap');
const ARIA = '20:f8:5e:ca:91:52';

describe('--data-dir with the device history in Redis', { skip: noRedis }, () => {
  let redis: RedisServer;
  /** Each case its own Redis database, so that every eval records into an empty history. */
  let db = 0;
  const freshRedis = () => `redis://127.0.0.1:${redis.port}/${++db}`;
  const ignored = (url: string) =>
    `networkml: warning: --data-dir ${dataDir} ignored: device history is kept in Redis (${url})\n`;

  before(async () => {
    mkdirSync(captures);
    mkdirSync(dataDir);
    for (const type of ['Aria', 'HueBridge', 'iKettle2'])
      for (const n of [1, 2, 3]) {
        const name = `${type}-A${n}-Mon0000-n00.pcap`;
        copyFileSync(join(TEST_DATA, 'iot-sentinel/setups', name), join(captures, name));
      }
    // explain reads the history only for a behaviour model's decision.
    const trained = runCli(['train', captures, '--algorithm', 'behavior', '--save', behavior]);
    assert.equal(trained.status, 0, trained.stderr);
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `eval --json --warmup 0 ARGS capture` into `url`: its result line, and its warnings. */
  function evalInto(url: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
    const r = runCli(['eval', '--json', '--warmup', '0', '--redis', url, ...args, capture], { env });
    assert.equal(r.status, 0, r.stderr);
    return r;
  }

  it('eval: warns of a typed --data-dir, records into Redis as without it, and hides the password', () => {
    const alone = evalInto(freshRedis(), []);
    assert.equal(alone.stderr, '');
    const url = freshRedis().replace('//', '//:s3cret@');
    const typed = evalInto(url, ['--data-dir', dataDir]);
    assert.equal(typed.stderr, ignored(url.replace('s3cret', '***')));
    assert.equal(typed.stdout, alone.stdout);
    const fromEnv = evalInto(freshRedis(), [], { NETWORKML_DATA_DIR: dataDir });
    assert.equal(fromEnv.stderr, '');
    assert.equal(fromEnv.stdout, alone.stdout);
    // Not recorded there as well: the directory is only named, never written.
    assert.equal(existsSync(join(dataDir, 'history.sqlite')), false);
    // Without history neither store is used: nothing is ignored.
    const noHistory = evalInto(freshRedis(), ['--no-history', '--data-dir', dataDir]);
    assert.equal(noHistory.stderr, '');
  });

  it('explain and history: warn of a typed --data-dir and read Redis as without it', () => {
    const url = freshRedis();
    evalInto(url, []);
    const explain = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = runCli(
        ['explain', '--json', '--warmup', '0', '--anomaly-model', behavior, '--redis', url, ...args, capture],
        { env },
      );
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    const history = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = runCli(['history', ARIA, '--json', '--redis', url, ...args], { env });
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    for (const run of [explain, history]) {
      const alone = run([]);
      assert.equal(alone.stderr, '');
      const typed = run(['--data-dir', dataDir]);
      assert.equal(typed.stderr, ignored(url));
      assert.equal(typed.stdout, alone.stdout);
      const fromEnv = run([], { NETWORKML_DATA_DIR: dataDir });
      assert.equal(fromEnv.stderr, '');
      assert.equal(fromEnv.stdout, alone.stdout);
    }
    // The history it read is Redis's: the device's one update.
    const { updates } = JSON.parse(history([]).stdout) as { updates: unknown[] };
    assert.equal(updates.length, 1);
  });

  it('history reads the Redis that $NETWORKML_REDIS names, as eval records into it', () => {
    const url = freshRedis();
    const env = { NETWORKML_REDIS: url, NETWORKML_DATA_DIR: dataDir };
    const recorded = runCli(['eval', '--json', '--warmup', '0', capture], { env });
    assert.equal(recorded.status, 0, recorded.stderr);
    const r = runCli(['history', ARIA, '--json'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { updates: unknown[] }).updates.length, 1);
    assert.equal(existsSync(join(dataDir, 'history.sqlite')), false, 'SQLite was neither written nor read');
  });
});
