/**
 * A default eval (the bundled compat model) does not import the v2 feature extractor or the v0.6.8
 * host-footprint features: ~20 modules of start-up it never uses (issue 14). Those paths themselves are
 * tested where they are used (analyze, evaluate, host-footprint tests).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

test('a default eval loads neither the v2 extractor nor the host-footprint features', () => {
  const root = join(import.meta.dirname, '../..');
  // A resolve hook in the child notes every module it imports.
  const hook = `data:text/javascript,${encodeURIComponent(
    "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('IMPORT ' + r.url + '\\n'); return r; }",
  )}`;
  const script = [
    "import { register } from 'node:module';",
    `register(${JSON.stringify(hook)});`,
    "const { main } = await import('./src/cli/main.ts');",
    "process.exitCode = await main(['node', 'networkml', 'eval', 'test-data/reference/captures/WeMoSwitch-sentinel-Mon0000-n00.pcap', '--json', '--no-history']);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NETWORKML_DATA_DIR: join(root, 'no-such-dir') },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"anomaly_model":"lstm"/);
  const imported = r.stderr.split('\n').filter((l) => l.startsWith('IMPORT '));
  // The hook sees the run's modules (the check would pass vacuously otherwise).
  assert.ok(
    imported.some((l) => l.includes('/src/pipeline/analyze.ts')),
    imported.join('\n'),
  );
  const unwanted = imported.filter((l) =>
    /\/src\/features\/(v2\/(extractor|reader-side|tables|summary)|host-footprint\/)/.test(l),
  );
  assert.deepEqual(unwanted, []);
});
