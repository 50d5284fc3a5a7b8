import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('./stop-signals.ts', import.meta.url));

it('the first SIGTERM or SIGINT asks the work to stop, a second exits at once with 130', () => {
  const script = [
    `import { onStopSignals } from ${JSON.stringify(MODULE)};`,
    "onStopSignals((s) => console.log('first', s), (s) => console.log('second', s));",
    "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);",
    "setTimeout(() => process.kill(process.pid, 'SIGINT'), 150);",
    "setTimeout(() => console.log('not reached'), 5000);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 130, r.stderr);
  assert.equal(r.stdout, 'first SIGTERM\nsecond SIGINT\n');
});

it('once removed, the handlers leave the signals to their default (the process dies of it)', () => {
  const script = [
    `import { onStopSignals } from ${JSON.stringify(MODULE)};`,
    "const remove = onStopSignals(() => console.log('first'));",
    'remove();',
    "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);",
    "setTimeout(() => console.log('not reached'), 5000);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.signal, 'SIGTERM', `${r.status} ${r.stdout}`);
  assert.equal(r.stdout, '');
});
