import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { referenceRecords, TEST_DATA } from '../test-helpers/reference.js';

const sample = 'data/samples/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap';

describe('the CLI shell', () => {
  it("keeps the original's -a/-o/-p/-m flags working", () => {
    const data = mkdtempSync(join(tmpdir(), 'networkml-legacy-'));
    try {
      const legacy = runCli(['-a', 'onelayer', '-o', 'eval', '-p', sample], {
        env: { NETWORKML_DATA_DIR: data },
      });
      const modern = runCli(['eval', sample, '--no-history']);
      assert.equal(modern.status, 0, modern.stderr);
      assert.equal(legacy.status, 0, legacy.stderr);
      // The bundled model calls this capture Unknown, so history cannot change `investigate`: same output.
      assert.equal(legacy.stdout, modern.stdout);
      assert.match(modern.stdout, /^CAPTURE +MAC +IP +ROLES \(TOP 3\)/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
    const bad = runCli(['-o', 'dance', '-p', sample]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^networkml: unknown operation 'dance'/);
  });

  it("`-o FILE` after a subcommand is the output file, not the original's -o/--operation", () => {
    const dir = mkdtempSync(join(tmpdir(), 'networkml-output-'));
    try {
      const env = { NETWORKML_DATA_DIR: join(dir, 'data') };
      const results = join(dir, 'results.jsonl');
      const report = join(dir, 'report.html');
      const evaluated = runCli(['eval', '--json', '-o', results, sample], { env });
      assert.equal(evaluated.status, 0, evaluated.stderr);
      assert.equal(evaluated.stdout, '');
      const line = JSON.parse(readFileSync(results, 'utf8').trim()) as { key: string; valid: boolean };
      assert.equal(line.valid, true);
      const reported = runCli(['report', results, '-o', report], { env });
      assert.equal(reported.status, 0, reported.stderr);
      assert.match(readFileSync(report, 'utf8'), /^<!DOCTYPE html>/i);
      assert.match(readFileSync(report, 'utf8'), new RegExp(line.key));
      // `-o eval` after a subcommand is a file called "eval", still not the original's form.
      const named = runCli(['eval', '--json', '--no-history', '-o', join(dir, 'eval'), sample], { env });
      assert.equal(named.status, 0, named.stderr);
      assert.equal(readFileSync(join(dir, 'eval'), 'utf8'), readFileSync(results, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inspect --json prints the reference output shape', () => {
    const r = runCli(['inspect', '--json', `${TEST_DATA}reference/captures`]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const refs = referenceRecords();
    assert.equal(lines.length, refs.length);
    for (const line of lines) {
      const ref = refs.find((x) => x.pcap === line.pcap)!;
      assert.deepEqual(line.bins, ref.bins);
      assert.deepEqual(line.features, ref.features);
      assert.equal(line.capture_mac, ref.capture_mac);
    }
  });

  it('inspect --json names --top as ignored when typed (the JSON lists every feature), output unchanged', () => {
    const capture = `${TEST_DATA}reference/captures/HueBridge-sentinel-Mon0000-n00.pcap`;
    const plain = runCli(['inspect', '--json', capture]);
    const r = runCli(['inspect', '--json', '--top', '3', capture]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'networkml: warning: --top ignored with --json (it lists every feature)\n');
    assert.equal(r.stdout, plain.stdout);
    assert.equal(plain.stderr, '');
  });

  it("inspect names eval's reason when no session is left, and the addresses' when no session has a private one", () => {
    // 11.6 s of traffic: every session inside the 120 s warm-up.
    const short = `${TEST_DATA}iot-sentinel/setups/Aria-A1-Mon0000-n00.pcap`;
    const r = runCli(['inspect', short]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}capture source: none: no sessions after the 120 s warm-up: every address:port pair first appears within it \(the capture spans 11\.6 s\); --warmup 0 keeps its early sessions$/m,
    );
    const kept = runCli(['inspect', '--warmup', '0', short]);
    assert.match(kept.stdout, /^ {2}capture source: [0-9a-f]{2}(:[0-9a-f]{2}){5}$/m);
  });

  it("inspect --features v2 without --warmup uses v2's warm-up (0), as its models do; compat keeps 120 s", () => {
    // Every session of this setup starts within its first 120 s: compat's warm-up leaves none.
    const capture = `${TEST_DATA}iot-sentinel/setups/Aria-C9-Mon0000-n00.pcap`;
    const v2 = runCli(['inspect', '--features', 'v2', capture]);
    assert.equal(v2.status, 0, v2.stderr);
    assert.match(v2.stdout, /5 sessions in 1 bin of 900 s \(warm-up 0 s\)/);
    const compat = runCli(['inspect', capture]);
    assert.equal(compat.status, 0, compat.stderr);
    assert.match(compat.stdout, /no usable sessions/);
    assert.match(
      runCli(['inspect', '--features', 'v2', '--warmup', '120', capture]).stdout,
      /no usable sessions/,
    );
  });

  it('inspect --features v2 names every header feature of the device', () => {
    const r = runCli([
      'inspect',
      '--json',
      '--features',
      'v2',
      '--warmup',
      '0',
      `${TEST_DATA}iot-sentinel/setups/Aria-A1-Mon0000-n00.pcap`,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const line = JSON.parse(r.stdout) as {
      capture_mac: string;
      v2: {
        hosts: { key: string }[];
        device: number;
        bins: { host: number; features: Record<string, number> }[];
      };
    };
    assert.equal(line.v2.hosts[line.v2.device]!.key, line.capture_mac);
    const features = line.v2.bins.find((b) => b.host === line.v2.device)!.features;
    assert.ok(features['out.proto.tcp']! > 0 && features['out.proto.tcp']! <= 1);
    assert.ok(
      Object.keys(features).every((k) => /^(out|in|host|port)\./.test(k)),
      Object.keys(features).join(' '),
    );
    // The per-port block a feature-set-2 model reads is there too (its shares are in (0, 1]).
    const ports = Object.keys(features).filter((k) => k.startsWith('port.'));
    assert.ok(ports.length > 0, Object.keys(features).join(' '));
    for (const k of ports) assert.ok(features[k]! > 0 && features[k]! <= 1, `${k}=${features[k]}`);
  });

  it('gives one line and exit 1 for a file that is not a capture, 2 for bad usage, 3 for a corrupt model', () => {
    const notCapture = runCli(['eval', '--no-history', 'package.json']);
    assert.equal(notCapture.status, 1);
    assert.match(notCapture.stderr, /^networkml: package\.json: not a capture file \(magic 0x/);
    assert.equal(notCapture.stderr.trim().split('\n').length, 1);
    const usage = runCli(['eval', '--threshold', 'high', sample]);
    assert.equal(usage.status, 2);
    assert.equal(usage.stderr.trim().split('\n').length, 1, usage.stderr);
    const model = runCli(['eval', '--no-history', '--model', 'package.json', sample]);
    assert.equal(model.status, 3);
    assert.match(model.stderr, /^networkml: .*package\.json: not a networkml model/);
    assert.equal(model.stderr.trim().split('\n').length, 1, model.stderr);
  });

  it("gives commander's usage errors (unknown option or command, missing argument) as one networkml: line", () => {
    const cases: [string[], string][] = [
      [['eval', '--frob', sample], "networkml: unknown option '--frob' (run with --help for usage)"],
      [['evl', sample], "networkml: unknown command 'evl' (Did you mean eval?) (run with --help for usage)"],
      [['eval'], "networkml: missing required argument 'capture' (run with --help for usage)"],
      [
        ['eval', '--threads'],
        "networkml: option '--threads <n>' argument missing (run with --help for usage)",
      ],
    ];
    for (const [args, line] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr, `${line}\n`);
    }
  });

  it('refuses an anomaly model whose weights were altered (checksum), before any work', () => {
    const doc = JSON.parse(readFileSync('models/sos-lstm-v0.4.8.json', 'utf8')) as { dense_bias: number[] };
    doc.dense_bias[0]! += 1e-9;
    const dir = mkdtempSync(join(tmpdir(), 'networkml-cli-'));
    try {
      writeFileSync(join(dir, 'lstm.json'), JSON.stringify(doc));
      const r = runCli(['eval', '--no-history', '--anomaly-model', join(dir, 'lstm.json'), sample]);
      assert.equal(r.status, 3);
      assert.match(r.stderr, /^networkml: .*lstm\.json: corrupt model: checksum mismatch\n$/);
      assert.equal(r.stdout, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses everything complete in a truncated capture and warns once with the byte offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'networkml-cli-'));
    try {
      const cut = join(dir, 'cut.pcap');
      writeFileSync(
        cut,
        readFileSync('data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap').subarray(0, 100_000),
      );
      const r = runCli(['eval', '--json', '--no-history', cut]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stderr,
        /^networkml: warning: .*cut\.pcap: truncated capture: the last record at byte offset 99533 is incomplete/,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1);
      const result = JSON.parse(r.stdout) as { valid: boolean; warnings: string[] };
      assert.equal(result.valid, true);
      assert.equal(result.warnings.length, 1);
      // explain and train read it too, and say so the same way (they had used it without a word).
      const warned =
        /^networkml: warning: .*cut\.pcap: truncated capture: the last record at byte offset 99533 is incomplete/m;
      const explained = runCli(['explain', '--top', '2', cut]);
      assert.equal(explained.status, 0, explained.stderr);
      assert.match(explained.stderr, warned);
      const training = join(dir, 'training');
      mkdirSync(training);
      const setups = `${TEST_DATA}iot-sentinel/setups`;
      for (const f of ['Aria-A1-Mon0000-n00.pcap', 'HueBridge-A1-Mon0000-n00.pcap'])
        copyFileSync(join(setups, f), join(training, f));
      copyFileSync(cut, join(training, 'EdimaxPlug1101W-cut-Mon0000-n00.pcap'));
      for (const how of [
        ['--features', 'v2'],
        ['-a', 'behavior'],
      ]) {
        const trained = runCli(['train', training, ...how, '--save', join(dir, `${how[1]}.json`)]);
        assert.equal(trained.status, 0, trained.stderr);
        assert.match(
          trained.stderr,
          /^networkml: warning: .*EdimaxPlug1101W-cut-Mon0000-n00\.pcap: truncated capture: the last record at byte offset 99533 is incomplete/m,
          how.join(' '),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has an example in every command help', () => {
    const top = runCli(['--help']).stdout;
    const commands = [...top.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    assert.ok(commands.length >= 10, top);
    for (const command of commands) {
      const help = runCli([command, '--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /Examples?:/, `${command} --help has an example`);
    }
  });
});
