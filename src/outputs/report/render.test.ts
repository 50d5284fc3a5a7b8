import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CaptureResult } from '../../result.js';
import { captureResultSchema } from '../../result.js';
import {
  canvasInk,
  chromiumMissing,
  type OpenedPage,
  openFile,
  screenshot,
} from '../../test-helpers/chromium.js';
import { renderReport } from './render.js';
import { testReportSchema } from './schema.js';
import type { TestReport } from './types.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(root, 'test-data/results');
const artifacts = join(root, 'test-artifacts/report');

function readLines(name: string): CaptureResult[] {
  return readFileSync(join(fixtures, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => captureResultSchema.parse(JSON.parse(l)));
}

const captures = [...readLines('devices.jsonl'), ...readLines('single-bin.jsonl')];
const testReport: TestReport = testReportSchema.parse(
  JSON.parse(readFileSync(join(fixtures, 'test-report.json'), 'utf8')),
);

function writeArtifact(name: string, html: string): string {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, name);
  writeFileSync(path, html);
  return path;
}

async function waitForCharts(opened: OpenedPage): Promise<number> {
  await opened.page.waitForSelector('body[data-charts-ready]', { timeout: 10_000 });
  return Number(await opened.page.getAttribute('body', 'data-charts-ready'));
}

describe('renderReport: the behaviour decision and its evidence', () => {
  // A real `eval --json` result (behaviour model, README in test-data/results) and the fixture whose
  // anomaly model could not score the device.
  const [scan] = readLines('behavior.jsonl');
  const [unscored] = readLines('single-bin.jsonl');
  const html = renderReport({ title: 'Behaviour', captures: [scan!, unscored!], tests: [] });
  const row = (key: string) => html.match(new RegExp(`<tr data-key="${key}">.*?</tr>`))![0];

  test('counts --per-host rows as hosts of their captures, not as captures', () => {
    const summaryOf = (results: CaptureResult[]) =>
      renderReport({ captures: results, tests: [] }).match(/<p class="summary">(.*?)<\/p>/)![1]!;
    assert.match(summaryOf([scan!, unscored!]), /^<b>2<\/b> captures · /);
    // Two hosts of one capture (as eval --per-host writes them) beside another capture.
    const host = { ...scan!, key: 'another-host' };
    assert.match(summaryOf([scan!, host, unscored!]), /^<b>3<\/b> hosts in <b>2<\/b> captures · /);
  });

  test('an abnormal device shows the threshold, its worst window and the reasons, as eval --long', () => {
    const r = row('Aria-C9scan-Mon0000-n00');
    assert.match(r, /1\.000<div class="note">threshold 0\.990<\/div>/);
    assert.match(r, /worst window 2016-09-05 16:07:10 – 2016-09-05 16:07:13 UTC/);
    for (const reason of scan!.detail!.behavior!.reasons) assert.ok(r.includes(`<li>${reason}</li>`), reason);
  });

  test("a timeline says its bins' length, and marks time without traffic by it", () => {
    // 60 s bins (eval --duration 60): 8 minutes between two bins is a gap; a result written before
    // bin_duration_s was read with the reference's 15 minutes.
    const first = scan!.detail!.bins[0]!;
    const sixty: CaptureResult = {
      ...scan!,
      key: 'sixty',
      detail: {
        ...scan!.detail!,
        bin_duration_s: 60,
        bins: [0, 60, 600].map((dt) => ({ ...first, timestamp: first.timestamp + dt })),
      },
    };
    const page = renderReport({ title: 'Bins', captures: [sixty], tests: [] });
    assert.match(page, /aria-label="Role probabilities per 1-minute bin for sixty"/);
    assert.match(page, /"binLength":"1-minute"/);
    assert.match(page, /3 bins · 1 gap without traffic/);
    assert.match(page, /no traffic for 8 min/);
    const { bin_duration_s: _, ...before } = sixty.detail!;
    const old = renderReport({ title: 'Bins', captures: [{ ...sixty, detail: before }], tests: [] });
    assert.match(old, /per 15-minute bin for sixty/);
    assert.match(old, /3 bins · /);
    assert.doesNotMatch(old, /gap without traffic/);
    // 30 s bins, 50 s apart: a gap of 20 s, said in seconds (it read "0 min").
    const thirty = renderReport({
      title: 'Bins',
      captures: [
        {
          ...sixty,
          detail: {
            ...sixty.detail!,
            bin_duration_s: 30,
            bins: [0, 30, 80].map((dt) => ({ ...first, timestamp: first.timestamp + dt })),
          },
        },
      ],
      tests: [],
    });
    assert.match(thirty, /no traffic for 20 s/);
    assert.doesNotMatch(thirty, /0 min/);
  });

  test('a device the anomaly model could not score shows no abnormality of 0, only why', () => {
    const r = row(unscored!.key);
    assert.doesNotMatch(r, /0\.000/);
    assert.ok(
      r.includes(`not scored</span><div class="note">${unscored!.detail!.abnormality_note!}</div>`),
      r,
    );
  });
});

describe('renderReport (markup)', () => {
  const html = renderReport({
    title: 'Fixture report',
    captures,
    tests: [{ name: 'test-report.json', report: testReport }],
  });

  test('shows a role no test capture is of with recall and F1 n/a, as test prints it, not 0.000', () => {
    const unknown = html.match(/<tr><td>Unknown<\/td>.*?<\/tr>/)![0];
    assert.match(
      unknown,
      /<td class="num">[\d.]+<\/td><td class="num">n\/a<\/td><td class="num">n\/a<\/td><td class="num">0<\/td>/,
    );
    assert.match(
      html,
      /<tr><td>Printer<\/td><td class="num">[\d.]+<\/td><td class="num">[\d.]+<\/td><td class="num">[\d.]+<\/td><td class="num">95<\/td>/,
    );
  });

  test('is one file with no external references', () => {
    assert.doesNotMatch(html, /<script[^>]+src=/i);
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /sourceMappingURL/);
    // Exactly our three script elements: any stray `</script` in the inlined library would end one early.
    assert.equal(html.match(/<script\b/gi)?.length, 3);
    assert.equal(html.match(/<\/script/gi)?.length, 3);
    assert.ok(html.length > 150_000, 'chart.js is inlined');
  });

  test('renders without a generation time unless given one, so output is reproducible', () => {
    const again = renderReport({
      title: 'Fixture report',
      captures,
      tests: [{ name: 'test-report.json', report: testReport }],
    });
    assert.equal(again, html);
    const dated = renderReport({
      captures: [],
      tests: [],
      generatedAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    });
    assert.match(dated, /Generated 2024-01-02T03:04:05.000Z/);
    assert.match(dated, /No results\./);
  });
});

describe('renderReport in headless Chromium', { skip: chromiumMissing() }, () => {
  let opened: OpenedPage;
  let charts = 0;

  before(async () => {
    const html = renderReport({
      title: 'Fixture report',
      captures,
      tests: [{ name: 'test-report.json', report: testReport }],
    });
    opened = await openFile(writeArtifact('fixtures.html', html));
    charts = await waitForCharts(opened);
  });

  after(async () => {
    if (opened) {
      await screenshot(opened.page, join(artifacts, 'fixtures.png'));
      await opened.close();
    }
  });

  test('loads offline without errors', () => {
    assert.deepEqual(opened.blockedRequests, []);
    assert.deepEqual(opened.pageErrors, []);
    assert.deepEqual(opened.consoleErrors, []);
  });

  test('lists every capture in input order, the invalid one marked', async () => {
    const keys = await opened.page.$$eval('#devices tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-key')),
    );
    assert.deepEqual(
      keys,
      captures.map((c) => c.key),
    );
    const invalid = await opened.page.$$eval('#devices tbody tr.invalid', (rows) =>
      rows.map((r) => r.getAttribute('data-key')),
    );
    assert.deepEqual(invalid, ['empty-2020-01-01']);
    const first = await opened.page.textContent('#devices tbody tr:first-child');
    assert.match(first ?? '', /10\.0\.1\.27/);
    assert.match(first ?? '', /3c:52:82:1a:9e:04/);
    assert.match(first ?? '', /Business workstation/);
    const second = await opened.page.textContent('#devices tbody tr:nth-child(2)');
    assert.match(second ?? '', /abnormal/);
    assert.match(second ?? '', /yes/);
  });

  test('draws every chart: one timeline per classified capture, F1 bars per decision mode', async () => {
    const ids = await opened.page.$$eval('canvas', (els) => els.map((e) => e.id));
    assert.deepEqual(ids, ['timeline-0', 'timeline-1', 'timeline-3', 'f1-0-u', 'f1-0-f']);
    assert.equal(charts, ids.length);
    for (const id of ids) {
      const ink = await canvasInk(opened.page, id);
      assert.ok(ink > 0.02, `${id} has drawn pixels (${ink.toFixed(4)})`);
    }
  });

  test('a timeline has one slot per bin, and a marked slot where time passes without one', async () => {
    const ticks = (await opened.page.evaluate("Chart.getChart('timeline-0').data.labels")) as string[];
    assert.equal(ticks.length, 13);
    assert.equal(ticks[6], '⋯ 3 h');
    assert.equal(ticks[0], '10-09 10:00');
    assert.equal(ticks[7], '10-09 14:30');
    assert.match((await opened.page.textContent('#device-0 .file')) ?? '', /12 bins · 1 gap without traffic/);
  });

  test('the heat map shows every confusion count', async () => {
    const tables = await opened.page.$$eval('table.heat tbody', (bodies) =>
      bodies.map((b) =>
        [...b.querySelectorAll('tr')].map((tr) =>
          [...tr.querySelectorAll('td:not(.total)')].map((td) => Number(td.textContent)),
        ),
      ),
    );
    assert.equal(tables.length, 2);
    assert.deepEqual(tables[0], testReport.confusion);
    assert.deepEqual(tables[1], testReport.forcing?.confusion);
    // Colour follows the row share: a full diagonal cell is darker than an empty one.
    const colours = await opened.page.$$eval(
      'table.heat tbody tr:first-child td.diag, table.heat tbody tr:first-child td.zero',
      (tds) => tds.map((td) => td.getAttribute('style')),
    );
    assert.notEqual(colours[0], colours[1]);
  });
});

describe('renderReport on paper', { skip: chromiumMissing() }, () => {
  test('fits A4 width when printed: no element wider than the page, charts still drawn', async () => {
    const html = renderReport({ captures, tests: [{ name: 'test-report.json', report: testReport }] });
    // About the printable width of A4 / Letter at 96 px per inch with default margins.
    const opened = await openFile(writeArtifact('print.html', html), { width: 720, height: 1000 });
    try {
      await waitForCharts(opened);
      await opened.page.emulateMedia({ media: 'print' });
      await opened.page.evaluate('window.dispatchEvent(new Event("beforeprint"))');
      const overflow = await opened.page.evaluate(
        `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 721).map((e) => e.tagName + '.' + e.className)`,
      );
      assert.deepEqual(overflow, []);
      for (const id of await opened.page.$$eval('canvas', (els) => els.map((e) => e.id))) {
        assert.ok((await canvasInk(opened.page, id)) > 0.02, `${id} still drawn`);
      }
      await screenshot(opened.page, join(artifacts, 'print.png'));
      assert.deepEqual(opened.pageErrors, []);
      assert.deepEqual(opened.consoleErrors, []);
    } finally {
      await opened.close();
    }
  });
});

describe('renderReport escapes user strings', { skip: chromiumMissing() }, () => {
  const evil = '<img src=x onerror=alert(1)>';
  const evilLabel = '</script><script>alert(2)</script>';

  test('an injected file name, key and role appear as text and run nothing', async () => {
    const base = captures[0]!;
    const key = `${evil}"'&`;
    const device = base.data[base.key];
    assert.ok(typeof device === 'object' && device.valid);
    const hostile: CaptureResult = {
      ...base,
      file: `${evil}.pcap`,
      key,
      data: {
        [key]: {
          ...device,
          classification: {
            labels: [evilLabel, ...device.classification.labels.slice(1)],
            confidences: device.classification.confidences,
          },
        },
        pcap: `${evil}.pcap`,
      },
      detail: base.detail && {
        ...base.detail,
        labels: [evilLabel, ...base.detail.labels.slice(1)],
        model: evil,
      },
    };
    const html = renderReport({
      title: evil,
      captures: [hostile],
      tests: [{ name: evil, report: testReport }],
    });
    assert.doesNotMatch(html, /<img/i);
    const opened = await openFile(writeArtifact('injection.html', html));
    try {
      const dialogs: string[] = [];
      opened.page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await waitForCharts(opened);
      assert.equal(await opened.page.$$eval('img', (els) => els.length), 0);
      assert.equal(await opened.page.textContent('#devices tbody tr .key'), key);
      assert.equal(await opened.page.textContent('#devices tbody tr .file'), `${evil}.pcap`);
      assert.equal(await opened.page.title(), evil);
      assert.match(
        (await opened.page.textContent('#devices tbody tr .roles')) ?? '',
        /<\/script><script>alert\(2\)/,
      );
      assert.match((await opened.page.textContent('section.test h2')) ?? '', /<img src=x/);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(opened.pageErrors, []);
      assert.deepEqual(opened.consoleErrors, []);
      assert.deepEqual(opened.blockedRequests, []);
    } finally {
      await opened.close();
    }
  });
});
