/**
 * The service tests' broker on a machine without rabbitmq-server or Erlang: their files must fail at once
 * with what to install, and end, not wait (a file run alone, without `npm test` installing the package).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EPMD_MISSING, RABBITMQ_MISSING } from './rabbitmq.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-no-rabbit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SERVICES = new URL('./services.ts', import.meta.url).href;
const RABBITMQ = new URL('./rabbitmq.ts', import.meta.url).href;

/**
 * Runs `call` (a call of one of `module`'s exports) in its own process, catching its error as a test file's
 * hook would: the process must then end by itself, with nothing of the helper's left to wait for.
 */
function runAlone(
  module: string,
  call: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; stderr: string; ms: number } {
  const script = [
    `import * as helper from '${module}';`,
    `try { await helper.${call}; } catch (err) { console.error(String(err)); process.exitCode = 1; }`,
  ].join('\n');
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    // Where tsx resolves, whatever directory the tests run from.
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.signal, null, `still running after ${Date.now() - started} ms: ${r.stderr}`);
  return { status: r.status, stderr: r.stderr, ms: Date.now() - started };
}

test('without rabbitmq-server: the broker and Redis start fails at once, naming the package, and the process ends', () => {
  const r = runAlone(SERVICES, 'startRabbitAndRedis()', {
    NETWORKML_TEST_RABBITMQ_BIN: join(dir, 'no-such-dir'),
  });
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes(`Error: ${RABBITMQ_MISSING}\n`), r.stderr);
  assert.equal(
    RABBITMQ_MISSING,
    'rabbitmq-server is not installed: run `npm test` (it installs it) or `apt-get install rabbitmq-server`',
  );
  assert.ok(r.ms < 30_000, `${r.ms} ms`);
});

/**
 * rabbitmq-server's scripts (whether this machine has them or not), and a PATH with the shell and cat the
 * helper runs and, when `epmd` is given, that script as epmd. Returns the environment for runAlone.
 */
function machine(name: string, epmd?: string): NodeJS.ProcessEnv {
  const scripts = join(dir, name, 'rabbitmq');
  mkdirSync(scripts, { recursive: true });
  writeFileSync(join(scripts, 'rabbitmq-server'), '');
  const bin = join(dir, name, 'bin');
  mkdirSync(bin);
  const found = spawnSync('sh', ['-c', 'command -v sh; command -v cat'], { encoding: 'utf8' });
  const [sh, cat] = found.stdout.trim().split('\n');
  symlinkSync(sh!, join(bin, 'sh'));
  symlinkSync(cat!, join(bin, 'cat'));
  if (epmd) writeFileSync(join(bin, 'epmd'), epmd, { mode: 0o755 });
  return { NETWORKML_TEST_RABBITMQ_BIN: scripts, PATH: bin };
}

test("without Erlang's epmd on PATH: the broker start fails at once, saying so", () => {
  const r = runAlone(RABBITMQ, 'startRabbit()', machine('no-epmd'));
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes(`Error: ${EPMD_MISSING}\n`), r.stderr);
  assert.ok(r.ms < 30_000, `${r.ms} ms`);
});

test('an epmd that never listens: the start fails after its wait, and the process ends', () => {
  const r = runAlone(RABBITMQ, 'startRabbit()', machine('silent-epmd', '#!/bin/sh\nexit 0\n'));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /^Error: nothing listens on 127\.0\.0\.1:\d+ after 10000 ms\n$/);
});
