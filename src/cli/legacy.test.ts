import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { translateLegacyArgs } from './legacy.js';

const SAMPLE = 'data/samples/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap';
const dir = mkdtempSync(join(tmpdir(), 'networkml-legacy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the original's -o/--operation form", () => {
  it('takes a value after = whole, even when it holds = itself', () => {
    assert.deepEqual(translateLegacyArgs(['--operation=eval', '--path=/files/a=b.pcap']), [
      'eval',
      '/files/a=b.pcap',
    ]);
    assert.deepEqual(translateLegacyArgs(['-o', 'eval', '-p', 'x.pcap', '--trained_model=m=1.json']), [
      'eval',
      'x.pcap',
      '--model',
      'm=1.json',
    ]);
  });

  it("accepts the original's -v/--verbose LEVEL (a log level of the original's) like the rest", () => {
    const plain = runCli(['-o', 'eval', '-p', SAMPLE]);
    assert.equal(plain.status, 0, plain.stderr);
    for (const verbose of [
      ['-v', 'INFO'],
      ['--verbose', 'DEBUG'],
    ]) {
      const r = runCli(['-o', 'eval', '-p', SAMPLE, ...verbose]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout);
    }
  });

  it('goes with --config, as does Poseidon v0.10 form', () => {
    const capture = join(dir, 'x=y.pcap');
    copyFileSync(SAMPLE, capture);
    const config = join(dir, 'settings.json');
    writeFileSync(config, JSON.stringify({ eval: { json: true }, oneshot: { model: 'onelayer-v0.4.8' } }));
    const legacy = runCli(['--config', config, '-o', 'eval', `--path=${capture}`]);
    assert.equal(legacy.status, 0, legacy.stderr);
    assert.equal((JSON.parse(legacy.stdout) as { file: string }).file, capture, 'JSON from the config');
    const poseidon = runCli([`--config=${config}`, '-p', capture], { env: { RABBIT: '', RABBIT_HOST: '' } });
    assert.equal(poseidon.status, 0, poseidon.stderr);
    assert.equal(poseidon.stdout.trim().split('\n').length, 2);
  });
});
