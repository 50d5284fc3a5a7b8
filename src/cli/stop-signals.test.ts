import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('./stop-signals.ts', import.meta.url));

/** A child process that imports onStopSignals, then runs `lines`. */
function run(lines: string[]): SpawnSyncReturns<string> {
  const script = [`import { onStopSignals } from ${JSON.stringify(MODULE)};`, ...lines].join('\n');
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

it('the first SIGTERM or SIGINT asks the work to stop, a second exits at once with 130', () => {
  const r = run([
    "onStopSignals((s) => console.log('first', s), (s) => console.log('second', s));",
    "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);",
    "setTimeout(() => process.kill(process.pid, 'SIGINT'), 150);",
    "setTimeout(() => console.log('not reached'), 5000);",
  ]);
  assert.equal(r.status, 130, r.stderr);
  assert.equal(r.stdout, 'first SIGTERM\nsecond SIGINT\n');
});

it('once removed, the handlers leave the signals to their default (the process dies of it)', () => {
  const r = run([
    "const remove = onStopSignals(() => console.log('first'));",
    'remove();',
    "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);",
    "setTimeout(() => console.log('not reached'), 5000);",
  ]);
  assert.equal(r.signal, 'SIGTERM', `${r.status} ${r.stdout}`);
  assert.equal(r.stdout, '');
});
