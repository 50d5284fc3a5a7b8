/**
 * One large capture (above READER_THREAD_MIN_BYTES) goes through the two-thread reader by default and
 * through one thread with `--threads 1`: the same output, the same one-line errors and exit codes, no hang.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { READER_THREAD_MIN_BYTES } from '../pipeline/analyze.js';
import { runCli } from '../test-helpers/cli.js';
import { repeatedCapture } from '../test-helpers/repeated-capture.js';

const DATA = join(import.meta.dirname, '../../test-data');
const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'networkml-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a large capture read on a second thread', () => {
  const aria = readdirSync(join(DATA, 'captures/real')).find((f) => f.startsWith('Aria-sentinel'))!;
  const big = repeatedCapture(join(DATA, 'captures/real', aria), READER_THREAD_MIN_BYTES + 1024 * 1024);
  const path = join(dir, 'large.pcap');
  writeFileSync(path, big);

  const both = (args: string[]) => {
    const threaded = runCli(args);
    const single = runCli([...args, '--threads', '1']);
    return { threaded, single };
  };

  it('gives the same result as one thread', () => {
    const { threaded, single } = both(['eval', path, '--json', '--anomaly', 'none', '--no-history']);
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.equal(threaded.stdout, single.stdout);
    assert.equal(JSON.parse(threaded.stdout.split('\n')[0]!).valid, true, threaded.stdout.slice(0, 300));
  });

  it('cut short: the same warning and result', () => {
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, big.subarray(0, big.length - 7));
    const { threaded, single } = both(['eval', cut, '--json', '--anomaly', 'none', '--no-history']);
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.match(threaded.stderr, /truncated capture: the last record at byte offset \d+ is incomplete/);
    assert.deepEqual(threaded, single);
  });

  it('corrupt in the middle: the same result of the packets before it, one-line error and exit code 1', () => {
    const bad = Buffer.from(big);
    // The record header after the first 10 MB claims an absurd captured length.
    let o = 24;
    while (o < 10_000_000) o += 16 + bad.readUInt32LE(o + 8);
    bad.writeUInt32LE(0x7fff_ffff, o + 8);
    const corrupt = join(dir, 'corrupt.pcap');
    writeFileSync(corrupt, bad);
    for (const options of [['--anomaly', 'none'], []]) {
      const { threaded, single } = both(['eval', corrupt, '--json', ...options, '--no-history']);
      assert.equal(threaded.status, 1);
      assert.equal(
        threaded.stderr,
        `networkml: ${corrupt}: corrupt record at byte offset ${o}: captured length 2147483647 is absurd\n`,
      );
      assert.deepEqual(threaded, single);
      const result = JSON.parse(threaded.stdout) as { valid: boolean; capture_error: { offset: number } };
      assert.equal(result.valid, true);
      assert.equal(result.capture_error.offset, o);
    }
  });

  it('default eval (the LSTM scores its first sequences while reading): the same result as one thread', () => {
    const { threaded, single } = both(['eval', path, '--json', '--no-history']);
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.equal(threaded.stdout, single.stdout);
    const { detail } = JSON.parse(threaded.stdout.split('\n')[0]!) as {
      detail: { abnormality: number; anomaly_model: string; abnormality_note?: string };
    };
    assert.equal(detail.anomaly_model, 'lstm');
    assert.ok(detail.abnormality > 0 && detail.abnormality_note === undefined, JSON.stringify(detail));
    // With NETWORKML_DEBUG it says how much of the scoring the read's idle time took (how many depends on
    // the machine's load: the count is not asserted, its bounds are); the result is the same.
    const debug = runCli(['eval', path, '--json', '--no-history'], { env: { NETWORKML_DEBUG: '1' } });
    assert.equal(debug.stdout, single.stdout);
    const m =
      /^networkml: debug: LSTM sequences taken while reading: (\d+) of (\d+) \((\d+) for the last leader on this thread, of which (\d+) repeats; \d+ restarts; (\d+) checked on the second thread, (\d+) new ones scored there\); scored after: (\d+)$/m.exec(
        debug.stderr,
      );
    assert.ok(m, debug.stderr);
    const [taken, total, leader, repeats, checked, scoredThere, after] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    assert.ok(taken <= total && total >= 6 && repeats <= leader, m[0]);
    // What was taken is what one of the two threads went through; the second thread scores only new ones.
    assert.ok(taken === 0 || taken === leader || taken === checked, m[0]);
    assert.ok(scoredThere <= checked && checked <= total, m[0]);
    // Scored after the read: the new sequences among those taken that were not scored yet, then the new ones
    // of the rest; each sequence at most once.
    assert.ok(after <= total - (taken === checked ? scoredThere : taken), m[0]);
  });

  it('default eval of a capture with many sessions: the LSTM worker checks and scores during the read', () => {
    // ~13,000 sessions: the device's rows go to a file, which the LSTM's prestarted worker reads as bins
    // close. Run as users run it (bin/networkml.js, the built code): from sources the worker loads too slowly
    // to start before so short a read ends (the result is the same, it only does nothing).
    assert.ok(existsSync(join(ROOT, 'dist/cli/main.js')), 'dist/cli/main.js is missing: run `npm run build`');
    const hue = join(dir, 'hue.pcap');
    writeFileSync(
      hue,
      repeatedCapture(
        join(DATA, 'reference/captures/HueBridge-sentinel-Mon0000-n00.pcap'),
        2 * READER_THREAD_MIN_BYTES,
      ),
    );
    const launcher = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(join(ROOT, 'bin/networkml.js'), args, {
        encoding: 'utf8',
        env: { ...process.env, NETWORKML_DATA_DIR: dir, ...env },
        timeout: 120_000,
      });
    const args = ['eval', hue, '--json', '--no-history'];
    // How much the second thread does depends on the machine's load (lowest priority, and a loaded machine may
    // start it only after so short a read): NETWORKML_DEBUG_LSTM_WAIT has scoring wait until it caught up.
    const debug = launcher(args, { NETWORKML_DEBUG: '1', NETWORKML_DEBUG_LSTM_WAIT: '1' });
    const single = launcher([...args, '--threads', '1']);
    assert.equal(debug.status, 0, debug.stderr);
    assert.equal(debug.stdout, single.stdout);
    const m =
      /taken while reading: (\d+) of (\d+) .*; (\d+) checked on the second thread, (\d+) new ones/.exec(
        debug.stderr,
      );
    assert.ok(m, debug.stderr);
    const [taken, total, checked, scored] = m.slice(1).map(Number) as [number, number, number, number];
    // What it checked is what the read took.
    assert.ok(checked > 0 && taken === checked && checked <= total && scored <= checked, m[0]);
  });

  describe('with a v2 model (v2 features on the reader thread) and its behaviour model (here)', () => {
    const role = join(dir, 'role.json');
    before(() => {
      // Writes role.behavior.json beside it: eval's default anomaly model for this role model.
      const trained = runCli([
        'train',
        join(DATA, 'iot-sentinel/setups'),
        '--split',
        join(DATA, 'iot-sentinel/dev-split.json'),
        '--features',
        'v2',
        '--save',
        role,
      ]);
      assert.equal(trained.status, 0, trained.stderr);
    });

    it('gives the same result as one thread: behaviour (the default), none, and per host', () => {
      for (const extra of [[], ['--anomaly', 'none'], ['--per-host']]) {
        const { threaded, single } = both([
          'eval',
          path,
          '--model',
          role,
          '--json',
          '--no-history',
          ...extra,
        ]);
        assert.equal(threaded.status, 0, threaded.stderr);
        assert.equal(threaded.stdout, single.stdout, extra.join(' '));
        const first = JSON.parse(threaded.stdout.split('\n')[0]!) as { detail?: { anomaly_model?: string } };
        if (extra.length === 0) assert.equal(first.detail?.anomaly_model, 'behavior');
      }
    });

    it('cut short and corrupt: the same warning, or result of the packets before the corrupt record, one-line error and exit code', () => {
      const cut = join(dir, 'cut-v2.pcap');
      writeFileSync(cut, big.subarray(0, big.length - 7));
      const bad = Buffer.from(big);
      let o = 24;
      while (o < 10_000_000) o += 16 + bad.readUInt32LE(o + 8);
      bad.writeUInt32LE(0x7fff_ffff, o + 8);
      const corrupt = join(dir, 'corrupt-v2.pcap');
      writeFileSync(corrupt, bad);
      const c = both(['eval', cut, '--model', role, '--json', '--no-history']);
      assert.equal(c.threaded.status, 0, c.threaded.stderr);
      assert.match(c.threaded.stderr, /truncated capture: the last record at byte offset \d+ is incomplete/);
      assert.deepEqual(c.threaded, c.single);
      const e = both(['eval', corrupt, '--model', role, '--json', '--no-history']);
      assert.equal(e.threaded.status, 1);
      assert.match(
        e.threaded.stderr,
        /^networkml: .*corrupt record at byte offset \d+: captured length \d+ is absurd\n$/,
      );
      assert.deepEqual(e.threaded, e.single);
      // The v2 features of those packets, made on the reader thread, and the behaviour model's verdict.
      const result = JSON.parse(e.threaded.stdout) as {
        valid: boolean;
        capture_error: { offset: number };
        detail: { anomaly_model: string };
      };
      assert.equal(result.valid, true);
      assert.equal(result.capture_error.offset, o);
      assert.equal(result.detail.anomaly_model, 'behavior');
    });
  });
});
