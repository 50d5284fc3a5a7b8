import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';

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
});
