/**
 * Anomaly options that a run does not use are named in one warning line, never dropped silently: an engineer
 * who passes `--anomaly-model` or `--threshold` must learn that they changed nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';

const SAMPLE = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
const SOS_LSTM = 'models/sos-lstm-v0.4.8.json';
const dir = mkdtempSync(join(tmpdir(), 'networkml-anomaly-options-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ok(args: string[], env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const r = runCli(args, { env });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

describe('anomaly options that disagree', () => {
  it('--anomaly naming another model than the --anomaly-model file is is a usage error (exit 2), said once', () => {
    // The kind is read from the file before it is loaded: a stand-in says it is a behaviour or an SOS model.
    for (const kind of ['behavior', 'sos'] as const) {
      const file = join(dir, `${kind}.json`);
      writeFileSync(file, JSON.stringify({ format: 'networkml-model', version: 1, kind }));
      const other = kind === 'behavior' ? 'lstm' : 'behavior';
      const r = runCli(['eval', '--no-history', '--anomaly', other, '--anomaly-model', file, SAMPLE]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(
        r.stderr,
        `networkml: --anomaly ${other} with --anomaly-model ${file}, ${kind === 'behavior' ? 'a behaviour' : 'an SOS'} model: give --anomaly ${kind}, or leave --anomaly out (the file says which model it is)\n`,
      );
    }
  });
});

describe('anomaly options a run does not use', () => {
  it('eval --anomaly none names the anomaly model and threshold it ignores, and its results do not change', () => {
    const plain = ok(['eval', '--json', '--no-history', '--anomaly', 'none', SAMPLE]);
    assert.equal(plain.stderr, '');
    const both = ok([
      'eval',
      '--json',
      '--no-history',
      '--anomaly',
      'none',
      '--anomaly-model',
      SOS_LSTM,
      '--threshold',
      '0.5',
      SAMPLE,
    ]);
    assert.equal(
      both.stderr,
      'networkml: warning: --anomaly-model, --threshold ignored with --anomaly none\n',
    );
    assert.equal(both.stdout, plain.stdout);
    const fromEnv = ok(['eval', '--json', '--no-history', '--anomaly', 'none', SAMPLE], {
      NETWORKML_THRESHOLD: '0.5',
    });
    assert.equal(fromEnv.stderr, 'networkml: warning: --threshold ignored with --anomaly none\n');
    const watched = ok(['watch', '--anomaly', 'none', '--threshold', '0.5', SAMPLE]);
    assert.equal(watched.stderr, 'networkml: warning: --threshold ignored with --anomaly none\n');
  });

  it("a config file's settings for every command are not named", () => {
    const config = join(dir, 'networkml.config.json');
    writeFileSync(
      config,
      JSON.stringify({ threshold: 0.5, anomalyModel: SOS_LSTM, eval: { anomaly: 'none' } }),
    );
    assert.equal(ok(['--config', config, 'eval', '--no-history', SAMPLE]).stderr, '');
  });

  it('eval and explain with the host-footprint model name the anomaly options (it judges no behaviour)', () => {
    for (const command of ['eval', 'explain']) {
      const r = ok([
        command,
        '--model',
        'host-footprint-v0.6.8',
        '--anomaly',
        'lstm',
        '--threshold',
        '0.5',
        SAMPLE,
      ]);
      assert.equal(
        r.stderr,
        'networkml: warning: --anomaly, --threshold ignored with a host-footprint model (it judges no behaviour)\n',
      );
    }
  });

  it("explain names the LSTM or SOS it does not run (it explains a behaviour model's decision only)", () => {
    const r = ok(['explain', '--anomaly-model', SOS_LSTM, SAMPLE]);
    assert.equal(
      r.stderr,
      "networkml: warning: --anomaly-model ignored by explain, which explains only a behaviour model's decision (not lstm's)\n",
    );
    assert.equal(r.stdout, ok(['explain', SAMPLE]).stdout);
    assert.equal(ok(['explain', SAMPLE]).stderr, '');
  });

  it('explain without a behaviour model names the history options typed for it (it reads no history)', () => {
    const dataDir = join(dir, 'data');
    const plain = ok(['explain', SAMPLE]).stdout;
    const typed = ok(['explain', '--data-dir', dataDir, '--redis', 'redis://127.0.0.1:1', SAMPLE]);
    assert.equal(
      typed.stderr,
      "networkml: warning: --data-dir, --redis ignored by explain without a behaviour model (only that model's decision reads device history)\n",
    );
    assert.equal(typed.stdout, plain);
    // Asked for with --no-history, or set in the environment (the Docker image sets it): nothing to say.
    assert.equal(ok(['explain', '--no-history', '--data-dir', dataDir, SAMPLE]).stderr, '');
    assert.equal(ok(['explain', SAMPLE], { NETWORKML_DATA_DIR: dataDir }).stderr, '');
  });
});
