import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commandNamed } from './main.js';

test('the command named is the first argument that is not an option or the value of --config', () => {
  assert.equal(commandNamed(['eval', 'a.pcap', '--json']), 'eval');
  assert.equal(commandNamed(['--config', 'info', 'eval', 'a.pcap']), 'eval');
  assert.equal(commandNamed(['--config=x.json', 'worker']), 'worker');
  assert.equal(commandNamed(['-V']), null);
  assert.equal(commandNamed(['--help']), null);
  // Commander's own `help` and a typo need every command (the list, the "did you mean" suggestion).
  assert.equal(commandNamed(['help', 'eval']), null);
  assert.equal(commandNamed(['evl', 'a.pcap']), null);
  assert.equal(commandNamed(['--', 'eval']), null);
  assert.equal(commandNamed([]), null);
});

test('a standard output that fails (not a reader going away) is one line and exit 1', () => {
  const run = fileURLToPath(new URL('./run.ts', import.meta.url));
  const args = [
    '--import',
    'tsx',
    run,
    'eval',
    '--no-history',
    'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
  ];
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'networkml: standard output: cannot write: no space left on the device\n');
  } finally {
    closeSync(full);
  }
});
