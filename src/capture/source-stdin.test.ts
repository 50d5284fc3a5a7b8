import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../test-helpers/cli.js';

const RUN = fileURLToPath(new URL('../cli/run.ts', import.meta.url));

it('standard input that is a directory is named as one, not called an empty capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-stdin-dir-'));
  const fd = openSync(dir, 'r');
  try {
    for (const args of [
      ['eval', '--no-history', '-'],
      ['watch', '-'],
    ]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, ...args], {
        stdio: [fd, 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.stderr, 'networkml: -: cannot read: is a directory\n', args.join(' '));
      assert.equal(r.status, 1);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

it('eval --per-host names standard input in its errors, not the file it was kept in', () => {
  const r = runCli(['eval', '--no-history', '--per-host', '-'], { input: '' });
  assert.equal(r.stderr, 'networkml: -: not a capture file (empty)\n');
  assert.equal(r.status, 1);
});
