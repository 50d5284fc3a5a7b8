import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { logLevelFrom } from './worker.js';

it("LOG_LEVEL takes pino's levels and the Python names Poseidon's services use; another is a usage error", () => {
  assert.equal(logLevelFrom({}), 'info');
  assert.equal(logLevelFrom({ LOG_LEVEL: ' ' }), 'info');
  assert.equal(logLevelFrom({ LOG_LEVEL: 'WARNING' }), 'warn');
  assert.equal(logLevelFrom({ LOG_LEVEL: 'CRITICAL' }), 'fatal');
  assert.equal(logLevelFrom({ LOG_LEVEL: 'Debug' }), 'debug');
  // Names an object literal would find among its inherited properties too.
  for (const bad of ['bogus', 'constructor', '__proto__', 'toString'])
    assert.throws(
      () => logLevelFrom({ LOG_LEVEL: bad }),
      /^UsageError: LOG_LEVEL must be one of .*, not "/,
      bad,
    );
  // The worker refuses it at start, one line, exit 2 (it was an internal error, exit 70), before any broker.
  const r = runCli(['worker', '--capture-root', '.'], {
    env: { LOG_LEVEL: 'bogus', RABBIT_HOST: '127.0.0.1', RABBIT_PORT: '1' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /^networkml: LOG_LEVEL must be one of trace, debug, info, warn \(warning\), error, fatal \(critical\), silent, not "bogus"\n$/,
  );
});
