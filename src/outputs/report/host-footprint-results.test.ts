import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluateHostFootprint } from '../../pipeline/host-footprint.js';
import { chromiumMissing, openFile } from '../../test-helpers/chromium.js';
import { runCli } from '../../test-helpers/cli.js';
import { HOST_FOOTPRINT_NOT_SCORED } from './host-footprint-results.js';
import { parseResults } from './load.js';
import { renderReport } from './render.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLE = join(root, 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
const NO_ETHERNET = join(root, 'test-data/captures/edge/raw101.pcap');
const MODEL = 'host-footprint-v0.6.8';

/** What `eval --model host-footprint-v0.6.8 --json` prints for `path`: one JSON line. */
async function evalLine(path: string, selection: 'srcmacid' | 'no-srcmacid' = 'srcmacid'): Promise<string> {
  return JSON.stringify(await evaluateHostFootprint(path, { model: MODEL, selection }));
}

describe('report of host-footprint eval results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-report-hf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('one host per result, its roles as eval gave them, shown as not scored for behaviour (the model has none)', async () => {
    const line = await evalLine(SAMPLE);
    const printed = JSON.parse(line) as {
      data: {
        mac_addresses: Record<string, { classification: unknown; decisions: { investigate: boolean } }>;
      };
    };
    const [mac, host] = Object.entries(printed.data.mac_addresses)[0]!;
    const { captures, tests, skipped } = parseResults(line, 'hf.json');
    assert.equal(skipped, undefined);
    assert.equal(tests.length, 0);
    assert.equal(captures.length, 1);
    const r = captures[0]!;
    assert.equal(r.key, 'EdimaxPlug1101W-sentinel-Mon0000-n00');
    const device = r.data[r.key];
    assert.ok(typeof device === 'object' && device.valid);
    assert.equal(device.source_mac, mac);
    assert.deepEqual(device.classification, host.classification);
    assert.deepEqual(device.decisions, { behavior: 'unknown', investigate: host.decisions.investigate });
    assert.equal(r.detail?.abnormality_note, HOST_FOOTPRINT_NOT_SCORED);
    assert.equal(r.detail?.bins.length, 0);
    assert.equal(r.detail?.labels.length, r.detail?.probabilities.length);
    // Its time is the host's last packet (eval's LAST SEEN), not a first bin: the row says so.
    assert.match(
      renderReport({ captures, tests: [] }),
      /<td class="mono when">[^<]*<br><span class="muted">last seen<\/span><\/td>/,
    );
  });

  it('every host of a --no-srcmacid result, each keyed by its MAC (as --per-host)', async () => {
    const line = await evalLine(SAMPLE, 'no-srcmacid');
    const macs = Object.keys((JSON.parse(line) as { data: { mac_addresses: object } }).data.mac_addresses);
    assert.ok(macs.length > 1);
    const { captures } = parseResults(line, 'hf.json');
    assert.deepEqual(
      captures.map((c) => c.key),
      macs,
    );
  });

  it('a result without a host is an invalid row saying why', async () => {
    const { captures } = parseResults(await evalLine(NO_ETHERNET), 'hf.json');
    assert.equal(captures.length, 1);
    assert.equal(captures[0]!.valid, false);
    assert.equal(captures[0]!.reason, 'no Ethernet frames');
    assert.match(renderReport({ captures, tests: [] }), /no Ethernet frames/);
  });

  it('a broken one is refused with what is wrong, not taken for a capture result', async () => {
    const broken = JSON.parse(await evalLine(SAMPLE)) as { detail: { model?: string } };
    delete broken.detail.model;
    assert.throws(
      () => parseResults(JSON.stringify(broken), 'hf.json'),
      /^NetworkmlError: hf\.json: not a valid host-footprint result \(detail\.model: /,
    );
  });

  it('as a user runs it: eval --model host-footprint-v0.6.8 --json -o FILE, then report FILE -o HTML', async () => {
    const results = join(dir, 'hf.jsonl');
    const html = join(dir, 'hf.html');
    const evaluated = runCli(['eval', '--model', MODEL, '--json', SAMPLE, NO_ETHERNET, '-o', results]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const reported = runCli(['report', results, '-o', html]);
    assert.equal(reported.status, 0, reported.stderr);
    assert.equal(reported.stderr, '');
    const page = readFileSync(html, 'utf8');
    assert.ok(page.includes(HOST_FOOTPRINT_NOT_SCORED));
    // Captures with it still need the two steps: report evaluates captures with time-bin models only.
    const direct = runCli(['report', SAMPLE, '--model', MODEL, '-o', join(dir, 'x.html')]);
    assert.equal(direct.status, 3);
    assert.match(
      direct.stderr,
      /^networkml: .*report evaluates captures with time-bin models only: .*eval --model /,
    );
  });

  it('renders in a browser: a row per host, no timeline, no page errors', {
    skip: chromiumMissing(),
  }, async () => {
    const { captures } = parseResults(
      [await evalLine(SAMPLE, 'no-srcmacid'), await evalLine(NO_ETHERNET)].join('\n'),
      'hf.jsonl',
    );
    const path = join(dir, 'browser.html');
    writeFileSync(path, renderReport({ captures, tests: [] }));
    const opened = await openFile(path);
    try {
      await opened.page.waitForSelector('body[data-charts-ready]', { timeout: 10_000 });
      const keys = await opened.page.$$eval('#devices tbody tr', (rows) =>
        rows.map((r) => r.getAttribute('data-key')),
      );
      assert.deepEqual([...keys].sort(), captures.map((c) => c.key).sort());
      assert.equal((await opened.page.$$('canvas')).length, 0);
      assert.deepEqual(opened.pageErrors, []);
      assert.deepEqual(opened.consoleErrors, []);
    } finally {
      await opened.close();
    }
  });
});
