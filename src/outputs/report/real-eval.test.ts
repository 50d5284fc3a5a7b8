import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluateCapture } from '../../pipeline/evaluate.js';
import type { CaptureResult } from '../../result.js';
import { captureResultSchema } from '../../result.js';
import { canvasInk, chromiumMissing, openFile, screenshot } from '../../test-helpers/chromium.js';
import { renderReport } from './render.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const captures = join(root, 'test-data/reference/captures');
const artifacts = join(root, 'test-artifacts/report');

test('a report of real eval results renders every device and draws its timeline', {
  skip: chromiumMissing(),
}, async () => {
  const results: CaptureResult[] = [];
  for (const name of readdirSync(captures).sort()) {
    // What `eval --json` prints must satisfy the report's own input schema.
    const result = captureResultSchema.parse(
      JSON.parse(JSON.stringify(await evaluateCapture(join(captures, name)))),
    );
    results.push(result);
  }
  assert.ok(results.length >= 7);
  const html = renderReport({ title: 'Reference captures', captures: results, tests: [] });
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, 'real-eval.html');
  writeFileSync(path, html);
  const opened = await openFile(path);
  try {
    await opened.page.waitForSelector('body[data-charts-ready]', { timeout: 10_000 });
    const keys = await opened.page.$$eval('#devices tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-key')),
    );
    assert.deepEqual(
      keys,
      results.map((r) => r.key),
    );
    const withBins = results.filter((r) => r.valid && (r.detail?.bins.length ?? 0) > 0);
    const canvases = await opened.page.$$eval('canvas', (els) => els.map((e) => e.id));
    assert.equal(canvases.length, withBins.length);
    for (const id of canvases) assert.ok((await canvasInk(opened.page, id)) > 0.02, `${id} drawn`);
    await screenshot(opened.page, join(artifacts, 'real-eval.png'));
    assert.deepEqual(opened.pageErrors, []);
    assert.deepEqual(opened.consoleErrors, []);
    assert.deepEqual(opened.blockedRequests, []);
  } finally {
    await opened.close();
  }
});
