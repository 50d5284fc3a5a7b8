/**
 * A default eval (the bundled compat model) does not import the v2 feature extractor or the v0.6.8
 * host-footprint features: ~20 modules of start-up it never uses (issue 14). Those paths themselves are
 * tested where they are used (analyze, evaluate, host-footprint tests).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultEvalWithHook } from '../test-helpers/eval-imports.js';
import { VERSION } from '../version.js';

/** A resolve hook in the child that notes every module it imports, on stderr. */
const NOTE_IMPORTS =
  "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('IMPORT ' + r.url + '\\n'); return r; }";

/** The module URLs the hook noted. */
const importsOf = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('IMPORT '));

test('a default eval loads neither the v2 extractor, the host-footprint features nor the progress bar', () => {
  const r = defaultEvalWithHook(NOTE_IMPORTS);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"anomaly_model":"lstm"/);
  const imported = importsOf(r.stderr);
  // The hook sees the run's modules (the check would pass vacuously otherwise).
  assert.ok(
    imported.some((l) => l.includes('/src/pipeline/analyze.ts')),
    imported.join('\n'),
  );
  const unwanted = imported.filter(
    (l) =>
      /\/src\/features\/(v2\/(extractor|reader-side|tables|summary)|host-footprint\/)/.test(l) ||
      // The progress bar's package: only for a bar shown (several captures, stderr a terminal, no --json).
      l.includes('/node_modules/cli-progress/'),
  );
  assert.deepEqual(unwanted, []);
});

test('--version and -V print the version and import no command', () => {
  for (const flag of ['--version', '-V']) {
    const r = defaultEvalWithHook(NOTE_IMPORTS, [], [flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${VERSION}\n`);
    const imported = importsOf(r.stderr);
    assert.ok(
      imported.some((l) => l.includes('/src/cli/main.ts')),
      imported.join('\n'),
    );
    assert.deepEqual(
      imported.filter((l) => l.includes('/src/cli/commands/')),
      [],
      flag,
    );
  }
});
