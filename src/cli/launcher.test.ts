/**
 * bin/networkml.js as users run it: an executable whose shebang
 * (`env -S node --max-semi-space-size=2 --expose-gc`) starts Node with the V8 flags that cap the young
 * generation and expose gc() (src/gc.ts) (needs the build: npm test builds first).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCHER = `${ROOT}bin/networkml.js`;

describe('bin/networkml.js', () => {
  it('runs as an executable, with the young-generation cap and gc() in its shebang', () => {
    assert.ok(existsSync(`${ROOT}dist/cli/main.js`), 'dist/cli/main.js is missing: run `npm run build`');
    assert.match(
      readFileSync(LAUNCHER, 'utf8').split('\n')[0]!,
      /^#!\/usr\/bin\/env -S node --max-semi-space-size=2 --expose-gc$/,
    );
    assert.equal(execFileSync(LAUNCHER, ['--version'], { encoding: 'utf8' }).trim(), VERSION);
  });
});
