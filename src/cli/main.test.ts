import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { READER_THREAD_MIN_BYTES, spareReaderThread } from '../capture/reader-thread.js';
import { commandNamed, prestartReading } from './main.js';

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

test('eval of one large capture file starts its reader thread before the command loads; other runs do not', async (t) => {
  if (availableParallelism() < 2) return t.skip('one core: no reader thread');
  const dir = mkdtempSync(join(tmpdir(), 'networkml-prestart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const large = join(dir, 'large.pcap');
  const other = join(dir, 'other.pcap');
  const small = join(dir, 'small.pcap');
  for (const path of [large, other]) {
    writeFileSync(path, '');
    truncateSync(path, READER_THREAD_MIN_BYTES);
  }
  writeFileSync(small, Buffer.alloc(1024));
  // Only the arguments are looked at: nothing is read, so a sparse file of the size will do.
  assert.equal(await prestartReading(['eval', small, '--json']), false);
  assert.equal(await prestartReading(['eval', dir]), false);
  assert.equal(await prestartReading(['eval', large, other]), false);
  assert.equal(await prestartReading(['eval', large, '--threads', '1']), false);
  assert.equal(await prestartReading(['eval', large, '--threads=2']), false);
  assert.equal(await prestartReading(['eval', large, '--per-host']), false);
  assert.equal(await prestartReading(['eval', '-m', 'model.json', '--json', large]), true);
  assert.ok(spareReaderThread());
});
