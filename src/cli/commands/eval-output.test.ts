/**
 * `eval -o`: never over its own input, results written even when the device history fails, and earlier
 * results kept when a run has none to put in their place.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';

const SAMPLE = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
const dir = mkdtempSync(join(tmpdir(), 'networkml-eval-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('eval -o', () => {
  it('refuses an output that is one of the inputs, by any name, and leaves the capture as it was', () => {
    const capture = join(dir, 'in.pcap');
    copyFileSync(SAMPLE, capture);
    symlinkSync(capture, join(dir, 'link.pcap'));
    for (const [inputs, output] of [
      [[capture], capture],
      [[capture], join(dir, 'link.pcap')],
      [[SAMPLE, dir], capture],
    ] as const) {
      const r = runCli(['eval', '--no-history', ...inputs, '-o', output]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^networkml: .*: is also an input \(.*\); refusing to overwrite it\n$/);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(readFileSync(capture), readFileSync(SAMPLE));
    const host = runCli(['eval', '--model', 'host-footprint-v0.6.8', capture, '-o', capture]);
    assert.equal(host.status, 2, host.stderr);
    // Standard input redirected from the output file (`-o in.pcap - < in.pcap`): eval, watch and report.
    for (const args of [
      ['eval', '--no-history', '-o', capture, '-'],
      ['watch', '-o', capture, '-'],
      ['report', '-', '-o', capture],
    ]) {
      const r = runCli(args, { stdinFile: capture });
      assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        `networkml: ${capture}: is also an input (standard input); refusing to overwrite it\n`,
      );
    }
    assert.deepEqual(readFileSync(capture), readFileSync(SAMPLE));
  });

  it('evaluates a capture given twice (itself and through its folder) once, and says so; report too', () => {
    const folder = join(dir, 'twice');
    mkdirSync(folder);
    const capture = join(folder, 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
    copyFileSync(SAMPLE, capture);
    const twice = `1 capture was given more than once (${capture} is ${capture}); each is evaluated once`;
    const r = runCli(['eval', '--json', '--no-history', folder, capture]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.equal(r.stderr, `networkml: warning: ${twice}\n`);
    const results = join(dir, 'twice.jsonl');
    writeFileSync(results, r.stdout);
    const page = join(dir, 'twice.html');
    const rep = runCli(['report', results, results, '-o', page]);
    assert.equal(rep.status, 0, rep.stderr);
    assert.equal(
      rep.stderr,
      `networkml: warning: 1 input was given more than once (${results} is ${results}); each is read once\n`,
    );
    assert.match(readFileSync(page, 'utf8'), /<b>1<\/b> capture ·/);
    const fromCaptures = runCli(['report', folder, capture, '-o', page]);
    assert.equal(fromCaptures.status, 0, fromCaptures.stderr);
    assert.equal(fromCaptures.stderr, `networkml: warning: ${twice}\n`);
  });

  it('a failing device history (exit 4) still writes the results, with a warning', () => {
    const dataDir = join(dir, 'data');
    const first = runCli(['eval', '--data-dir', dataDir, SAMPLE]);
    assert.equal(first.status, 0, first.stderr);
    truncateSync(join(dataDir, 'history.sqlite'), 5000);
    const output = join(dir, 'res.jsonl');
    const r = runCli(['eval', '--json', '--data-dir', dataDir, SAMPLE, '-o', output]);
    assert.equal(r.status, 4, r.stderr);
    assert.match(
      r.stderr,
      /^networkml: history database .*malformed \(results written without device history\)\n$/,
    );
    const results = readFileSync(output, 'utf8').trim().split('\n');
    assert.equal(results.length, 1);
    assert.equal((JSON.parse(results[0]!) as { file: string }).file, SAMPLE);
  });

  it('a history directory that cannot be made, even under /proc, is exit 4 and one line, not a hang', () => {
    const output = join(dir, 'proc.jsonl');
    // Node's recursive mkdir loops forever on /proc/…/…: mkdir there fails with ENOENT under a parent that exists.
    const r = runCli(['eval', '--json', '--data-dir', '/proc/networkml-none', SAMPLE, '-o', output], {
      timeoutMs: 60_000,
    });
    assert.equal(r.status, 4, r.stderr);
    assert.match(
      r.stderr,
      /^networkml: history database \/proc\/networkml-none\/history\.sqlite: ENOENT.*\(results written without device history\)\n$/,
    );
    assert.equal(readFileSync(output, 'utf8').trim().split('\n').length, 1);
  });

  it('makes a named data directory, but only its last level: a mistyped path is refused before the work', () => {
    const made = join(dir, 'history-here');
    const ok = runCli(['eval', '--data-dir', made, SAMPLE]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(join(made, 'history.sqlite')));
    const typo = join(dir, 'typo', 'a', 'b');
    for (const [args, env, from] of [
      [['--data-dir', typo], {}, ''],
      [[], { NETWORKML_DATA_DIR: typo }, ' (from $NETWORKML_DATA_DIR)'],
    ] as const) {
      const r = runCli(['eval', ...args, SAMPLE], { env });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `networkml: data directory ${typo}${from} does not exist, nor does ${join(dir, 'typo', 'a')}: only its last level is made (check the path)\n`,
      );
    }
    assert.equal(existsSync(join(dir, 'typo')), false);
  });

  it('keeps the file it would replace when every capture fails (exit 1), and replaces it when one works', () => {
    const output = join(dir, 'kept.jsonl');
    writeFileSync(output, 'earlier results\n');
    const missing = join(dir, 'missing.pcap');
    for (const extra of [[], ['--json'], ['--model', 'host-footprint-v0.6.8']]) {
      const r = runCli(['eval', '--no-history', ...extra, missing, '-o', output]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^networkml: .*missing\.pcap.*\n$/);
      assert.equal(readFileSync(output, 'utf8'), 'earlier results\n');
    }
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
    const some = runCli(['eval', '--no-history', '--json', missing, SAMPLE, '-o', output]);
    assert.equal(some.status, 1, some.stderr);
    assert.equal(readFileSync(output, 'utf8').trim().split('\n').length, 1);
  });
});

describe('eval --json detail', () => {
  it('records the bin length read with and the threshold decided against, the LSTM included', () => {
    const capture = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
    const r = runCli(['eval', '--json', '--no-history', '--duration', '60', '--threshold', '0.5', capture]);
    assert.equal(r.status, 0, r.stderr);
    const { detail } = JSON.parse(r.stdout) as {
      detail: { bin_duration_s: number; threshold: number; anomaly_model: string };
    };
    assert.equal(detail.anomaly_model, 'lstm');
    assert.equal(detail.bin_duration_s, 60);
    assert.equal(detail.threshold, 0.5);
    const none = runCli(['eval', '--json', '--no-history', '--anomaly', 'none', capture]);
    const d = (JSON.parse(none.stdout) as { detail: Record<string, unknown> }).detail;
    assert.equal(d.bin_duration_s, 900);
    assert.equal('threshold' in d, false, 'no anomaly model, no threshold');
  });
});
