import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../test-helpers/cli.js';

const RUN = fileURLToPath(new URL('../cli/run.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sample = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
const mac = '74:da:38:4a:76:49';

// Root writes anywhere: the reader must be another user for the directory's permissions to count.
const asRoot = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

it('history reads a database in a directory the user may read but not write', {
  skip: asRoot && !setpriv ? 'running as root without setpriv to drop privileges' : false,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-readonly-history-'));
  const home = mkdtempSync(join(tmpdir(), 'networkml-readonly-home-'));
  try {
    const evaluated = runCli(['eval', '--data-dir', dir, sample]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    // A cleanly closed WAL database: no -wal/-shm file left for a reader to use.
    assert.deepEqual(readdirSync(dir), ['history.sqlite']);
    chmodSync(dir, 0o555);
    chmodSync(home, 0o777);
    const command = [process.execPath, '--import', 'tsx', RUN, 'history', '--json', '--data-dir', dir, mac];
    const [file, ...args] = asRoot
      ? [setpriv!, '--reuid=65534', '--regid=65534', '--clear-groups', ...command]
      : command;
    const r = spawnSync(file!, args, {
      cwd: ROOT,
      env: { ...process.env, HOME: home, NETWORKML_DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(readdirSync(dir), ['history.sqlite'], 'nothing written beside it');
    chmodSync(dir, 0o755);
    const mine = runCli(['history', '--json', '--data-dir', dir, mac]);
    assert.equal(mine.status, 0, mine.stderr);
    assert.equal(r.stdout, mine.stdout, 'the same history as its writer reads');
    assert.match(r.stdout, /74:da:38:4a:76:49/);
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
