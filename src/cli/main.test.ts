import assert from 'node:assert/strict';
import { test } from 'node:test';
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
