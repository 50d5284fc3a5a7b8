import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { referenceRecords, TEST_DATA } from '../test-helpers/reference.js';

const sample = 'data/samples/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap';

describe('the CLI shell', () => {
  it("keeps the original's -a/-o/-p/-m flags working", () => {
    const legacy = runCli(['-a', 'onelayer', '-o', 'eval', '-p', sample], {
      env: { NETWORKML_DATA_DIR: '/nonexistent-never-written' },
    });
    const modern = runCli(['eval', sample, '--no-history']);
    assert.equal(modern.status, 0, modern.stderr);
    assert.equal(legacy.status, 0, legacy.stderr);
    assert.equal(legacy.stdout.replace(/investigate.*\n/, ''), modern.stdout.replace(/investigate.*\n/, ''));
    const bad = runCli(['-o', 'dance', '-p', sample]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^networkml: unknown operation 'dance'/);
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
