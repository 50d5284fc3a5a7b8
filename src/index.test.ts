/**
 * The library entry as a user imports it: `import … from 'networkml'` resolves package.json's exports to the
 * built dist/index.js (npm test builds first; alone: `npm run build`), and its typed API evaluates a capture.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

it("package.json's main is the built src/index.ts, and its API evaluates a capture", async () => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { main: string; types: string };
  assert.equal(pkg.main, 'dist/index.js');
  assert.equal(pkg.types, 'dist/index.d.ts');
  assert.ok(existsSync(`${ROOT}dist/index.js`), 'dist/index.js is missing: run `npm run build`');
  assert.ok(existsSync(`${ROOT}dist/index.d.ts`));
  const lib = (await import('networkml')) as typeof import('./index.js');
  const result = await lib.evaluateCapture(`${ROOT}data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`, {
    anomaly: 'none',
  });
  assert.equal(lib.captureResultSchema.parse(result).valid, true);
  const device = result.data[result.key];
  assert.ok(typeof device === 'object' && device.valid);
  assert.equal(device.source_mac, '74:da:38:4a:76:49');
  assert.equal(device.classification.labels[0], lib.UNKNOWN_LABEL);
});
