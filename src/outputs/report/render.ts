import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CaptureResult, DeviceResult, ValidDeviceResult } from '../../result.js';
import { partialLine } from '../table.js';
import { heatColor, heatGradient, otherColor, RoleColors } from './colors.js';
import { HOST_FOOTPRINT_NOT_SCORED } from './host-footprint-results.js';
import { escapeHtml as h, inlineScript, scriptJson, utcMinute, utcSecond } from './html.js';
import { type PageData, pageScript, type ScoreSpec, type TimelineSpec } from './page-script.js';
import { reportCss } from './style.js';
import { expectedOf, type NamedTestReport, type ReportInput, type TestMetrics } from './types.js';

let chartJs: string | undefined;

/** chart.js's UMD build, read once from the installed package so the report needs no network. */
function chartLibrary(): string {
  if (chartJs === undefined) {
    // The package exports only its ESM/CJS entries; the UMD bundle sits beside them in dist/.
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const code = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
    chartJs = inlineScript(code.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'));
  }
  return chartJs;
}

/** Series of a timeline beyond this many, or never above this share, are summed into "Other". */
const maxSeries = 8;
const minPeak = 0.05;

interface DeviceRow {
  result: CaptureResult;
  device: DeviceResult | undefined;
  timeline: TimelineSpec | undefined;
}

function deviceOf(result: CaptureResult): DeviceResult | undefined {
  const own = result.data[result.key];
  if (typeof own === 'object') return own;
  for (const [k, v] of Object.entries(result.data)) if (k !== 'pcap' && typeof v === 'object') return v;
  return undefined;
}

/** The bin length results written before `detail.bin_duration_s` were read with: the reference's. */
const DEFAULT_BIN_SECONDS = 900;

function binSecondsOf(result: CaptureResult): number {
  return result.detail?.bin_duration_s ?? DEFAULT_BIN_SECONDS;
}

/** "15-minute", "90-second": a bin length in words. */
export function binLengthText(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}-minute` : `${seconds}-second`;
}

function span(seconds: number): string {
  // Gaps between bins of a minute or less are seconds long.
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  if (m < 120) return `${m} min`;
  const hours = Math.round(m / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}

/**
 * One bar slot per bin, in time order, with an empty slot where time passes without a bin: bins are often
 * hours or days apart, and a time axis would either squash them or draw slopes through the silence.
 */
function timelineOf(result: CaptureResult, canvas: string, colors: RoleColors): TimelineSpec | undefined {
  const d = result.detail;
  if (!d || d.bins.length === 0) return undefined;
  const bins = [...d.bins].sort((a, b) => a.timestamp - b.timestamp);
  const first = bins[0]!.timestamp;
  const oneYear = utcMinute(first).slice(0, 4) === utcMinute(bins[bins.length - 1]!.timestamp).slice(0, 4);
  const slots: { bin: number; tick: string; title: string }[] = [];
  const binSeconds = binSecondsOf(result);
  let gaps = 0;
  bins.forEach((b, k) => {
    // A bin's time is its first packet's, so neighbours can be closer or further than one bin length.
    const gap = k > 0 ? b.timestamp - bins[k - 1]!.timestamp - binSeconds : 0;
    if (gap > binSeconds / 2) {
      gaps++;
      slots.push({ bin: -1, tick: `⋯ ${span(gap)}`, title: `no traffic for ${span(gap)}` });
    }
    const when = utcMinute(b.timestamp);
    slots.push({ bin: k, tick: oneYear ? when.slice(5) : when, title: `${when} UTC` });
  });
  const peaks = d.labels.map((_, i) => Math.max(...bins.map((b) => b.probabilities[i] ?? 0)));
  const order = d.labels
    .map((_, i) => i)
    .sort((a, b) => (d.probabilities[b] ?? 0) - (d.probabilities[a] ?? 0));
  const shown = order.filter((i, rank) => rank < 3 || (peaks[i]! >= minPeak && rank < maxSeries));
  const rest = order.filter((i) => !shown.includes(i));
  const valuesOf = (p: (bin: number) => number): (number | null)[] =>
    slots.map((s) => (s.bin < 0 ? null : p(s.bin)));
  const series = shown.map((i) => ({
    label: d.labels[i]!,
    color: colors.of(d.labels[i]!),
    values: valuesOf((k) => bins[k]!.probabilities[i] ?? 0),
  }));
  if (rest.length > 0) {
    const values = valuesOf((k) => rest.reduce((sum, i) => sum + (bins[k]!.probabilities[i] ?? 0), 0));
    series.push({ label: `Other (${rest.length} roles)`, color: otherColor, values });
  }
  return {
    canvas,
    ticks: slots.map((s) => s.tick),
    titles: slots.map((s) => s.title),
    gaps,
    binLength: binLengthText(binSeconds),
    series,
  };
}

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

function rolesCell(device: ValidDeviceResult, colors: RoleColors): string {
  const rows = device.classification.labels.map((label, i) => {
    const c = device.classification.confidences[i] ?? 0;
    const width = Math.min(100, Math.max(0, c * 100)).toFixed(1);
    return `<div class="role"><span class="role-name">${h(label)}</span><span class="bar"><span style="width:${width}%;background:${colors.of(label)}"></span></span><span class="num">${percent(c)}</span></div>`;
  });
  return rows.join('');
}

/**
 * The abnormality and the threshold it was judged against, as eval --long says them; a device the anomaly
 * model could not score has no abnormality (its 0 is the original's placeholder): the note says why.
 */
function abnormalityCell(d: CaptureResult['detail']): string {
  if (!d) return '<span class="muted">—</span>';
  if (d.abnormality_note)
    return `<span class="muted">not scored</span><div class="note">${h(d.abnormality_note)}</div>`;
  if (d.anomaly_model === 'none') return '<span class="muted">—</span>';
  const threshold =
    d.threshold === undefined ? '' : `<div class="note">threshold ${d.threshold.toFixed(3)}</div>`;
  return `${d.abnormality.toFixed(3)}${threshold}`;
}

/** What made a behaviour model call the device abnormal: its worst window and reasons, as eval --long. */
function evidenceHtml(d: CaptureResult['detail']): string {
  const behavior = d?.behavior;
  if (!behavior) return '';
  const w = behavior.worst_bin;
  const when = `worst window ${utcSecond(w.start)} – ${utcSecond(w.end)} UTC`;
  const reasons = behavior.reasons.map((r) => `<li>${h(r)}</li>`).join('');
  return `<div class="evidence">${h(when)}${reasons ? `<ul>${reasons}</ul>` : ''}</div>`;
}

function deviceRowHtml(row: DeviceRow, index: number, colors: RoleColors): string {
  const { result, device } = row;
  const warnings = (result.warnings ?? []).map((w) => `<div class="warning">warning: ${h(w)}</div>`);
  const partial = partialLine(result);
  if (partial) warnings.push(`<div class="warning">partial: ${h(partial)}</div>`);
  const file = `<div class="file">${h(result.file)}</div>${warnings.join('')}`;
  const name = `<div class="key">${h(result.key)}</div>${file}`;
  if (!device?.valid) {
    const note = device ? h(result.reason ?? 'not enough sessions to classify') : 'no device in result';
    return `<tr class="invalid" data-key="${h(result.key)}"><td class="device">${name}</td><td colspan="6" class="muted">${note}</td><td>no</td></tr>`;
  }
  const link = row.timeline
    ? `<div class="key"><a href="#device-${index}">${h(result.key)}</a></div>${file}`
    : name;
  const b = device.decisions.behavior;
  return [
    `<tr data-key="${h(result.key)}">`,
    `<td class="device">${link}</td>`,
    `<td class="mono">${h(device.source_ip)}<br><span class="muted">${h(device.source_mac)}</span></td>`,
    // The host-footprint model has no bins: its time is the host's last packet, as eval's table heads it.
    `<td class="mono when">${h(utcMinute(device.timestamp))}${result.detail?.abnormality_note === HOST_FOOTPRINT_NOT_SCORED ? '<br><span class="muted">last seen</span>' : ''}</td>`,
    `<td class="roles">${rolesCell(device, colors)}</td>`,
    `<td class="num">${abnormalityCell(result.detail)}</td>`,
    `<td><span class="badge ${b === 'abnormal' ? 'bad' : b === 'unknown' ? 'warn' : 'good'}">${h(b)}</span>${b === 'abnormal' ? evidenceHtml(result.detail) : ''}</td>`,
    `<td>${device.decisions.investigate ? '<span class="badge warn">yes</span>' : 'no'}</td>`,
    '<td>yes</td></tr>',
  ].join('');
}

function deviceTable(rows: DeviceRow[], colors: RoleColors): string {
  if (rows.length === 0) return '';
  const head =
    '<tr><th>Device (key / capture)</th><th>Source IP / MAC</th><th>First bin (UTC)</th><th>Top roles</th><th>Abnormality</th><th>Behavior</th><th>Investigate</th><th>Valid</th></tr>';
  const body = rows.map((r, i) => deviceRowHtml(r, i, colors)).join('\n');
  return `<section><h2>Devices</h2><table class="devices" id="devices"><thead>${head}</thead><tbody>\n${body}\n</tbody></table></section>`;
}

function timelineSections(rows: DeviceRow[]): string {
  const parts = rows.map((row, i) => {
    if (!row.timeline || !row.device?.valid) return '';
    const { result, device } = row;
    const d = result.detail!;
    const n = d.bins.length;
    const gaps = row.timeline.gaps;
    return `<section class="chart-card" id="device-${i}"><h3>${h(result.key)} <span class="muted">${h(device.source_ip)} · ${h(device.source_mac)}</span></h3><p class="file">${h(result.file)} · ${n} bin${n === 1 ? '' : 's'}${gaps ? ` · ${gaps} gap${gaps === 1 ? '' : 's'} without traffic (⋯)` : ''} · model ${h(d.model)}</p><div class="chart-box"><canvas id="${row.timeline.canvas}" role="img" aria-label="Role probabilities per ${binLengthText(binSecondsOf(result))} bin for ${h(result.key)}"></canvas></div></section>`;
  });
  const body = parts.join('\n');
  return body.trim() ? `<section><h2>Role probabilities over time</h2>\n${body}\n</section>` : '';
}

function heatMap(m: TestMetrics): string {
  const head = m.labels.map((l) => `<th class="col" title="${h(l)}"><span>${h(l)}</span></th>`).join('');
  const body = m.confusion
    .map((row, t) => {
      const total = row.reduce((a, b) => a + b, 0);
      const cells = row.map((count, p) => {
        const share = total > 0 ? count / total : 0;
        const cls = [p === t ? 'diag' : '', count === 0 ? 'zero' : '', share > 0.5 ? 'dark' : ''].filter(
          Boolean,
        );
        const title = `${m.labels[t]} → ${m.labels[p]}: ${count} (${percent(share)})`;
        return `<td class="${cls.join(' ')}" style="background:${heatColor(share)}" title="${h(title)}">${count}</td>`;
      });
      return `<tr><th class="rowh">${h(m.labels[t] ?? '')}</th>${cells.join('')}<td class="total">${total}</td></tr>`;
    })
    .join('\n');
  return `<div class="heat-wrap"><table class="heat"><thead><tr><th class="corner">truth ↓ · predicted →</th>${head}<th class="col total"><span>total</span></th></tr></thead><tbody>\n${body}\n</tbody></table><div class="scale"><span>0%</span><span class="ramp" style="background:${heatGradient}"></span><span>100%</span><span class="muted">cell colour: share of the true role's row; number: count</span></div></div>`;
}

function scoreTable(m: TestMetrics): string {
  const rows = m.perRole
    .map((r) => {
      // As `test` prints it: a role no test capture is of has recall and F1 of 0 of 0, n/a, not a score of 0.
      const score = (x: number) => (r.support === 0 ? 'n/a' : x.toFixed(3));
      return `<tr><td>${h(r.label)}</td><td class="num">${r.precision.toFixed(3)}</td><td class="num">${score(r.recall)}</td><td class="num">${score(r.f1)}</td><td class="num">${r.support}</td></tr>`;
    })
    .join('');
  return `<table class="scores"><thead><tr><th>Role</th><th>Precision</th><th>Recall</th><th>F1</th><th>Support</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function metricsBlock(title: string, m: TestMetrics, canvas: string): string {
  return `<div class="metrics"><h3>${h(title)} <span class="muted">mean F1 ${m.meanF1 === null ? 'n/a' : m.meanF1.toFixed(3)} · accuracy ${percent(m.accuracy)}</span></h3><div class="test-grid"><div>${heatMap(m)}</div><div><div class="chart-box scores-box" style="height:${Math.max(220, 40 + m.perRole.length * 34)}px"><canvas id="${canvas}" role="img" aria-label="${h(`Per-role F1, ${title}`)}"></canvas></div>${scoreTable(m)}</div></div></div>`;
}

function scoreSpec(m: TestMetrics, canvas: string): ScoreSpec {
  return {
    canvas,
    labels: m.perRole.map((r) => r.label),
    precision: m.perRole.map((r) => r.precision),
    recall: m.perRole.map((r) => r.recall),
    f1: m.perRole.map((r) => r.f1),
  };
}

function testSections(tests: NamedTestReport[], scores: ScoreSpec[]): string {
  return tests
    .map((t, i) => {
      const r = t.report;
      const meta = [
        r.model ? `model ${h(r.model)}` : '',
        r.captures !== undefined ? `${r.captures} captures` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      const blocks = [metricsBlock('With unknowns', r, `f1-${i}-u`)];
      scores.push(scoreSpec(r, `f1-${i}-u`));
      if (r.forcing) {
        blocks.push(metricsBlock('Forcing decisions (Unknown → second role)', r.forcing, `f1-${i}-f`));
        scores.push(scoreSpec(r.forcing, `f1-${i}-f`));
      }
      if (r.meanF1Definition) blocks.push(`<p class="muted">Mean F1: ${h(r.meanF1Definition)}.</p>`);
      if (r.confusedPairs && r.confusedPairs.length > 0) {
        const items = r.confusedPairs
          .map(
            (p) =>
              `<li>${h(p.a)} ↔ ${h(p.b)}: ${p.count} mislabelled, ${p.siblings} reported as siblings</li>`,
          )
          .join('');
        blocks.push(`<div class="pairs"><h3>Confused pairs</h3><ul>${items}</ul></div>`);
      }
      // Against the answer that counts as right: Unknown for a type the model has no role for.
      const missed = (r.predictions ?? []).filter((p) => p.predicted !== expectedOf(p));
      if (missed.length > 0) {
        const rows = missed
          .map(
            (p) =>
              `<tr><td>${h(p.file)}</td><td>${h(p.truth)}</td><td>${h(p.predicted)}</td><td class="num">${percent(p.confidence)}</td><td>${h(p.reason ?? (p.unknown ? `best role ${p.forced}` : expectedOf(p) !== p.truth ? 'no such role: Unknown expected' : ''))}</td></tr>`,
          )
          .join('');
        blocks.push(
          `<div class="missed"><h3>Captures not labelled right</h3><table class="scores"><thead><tr><th>Capture</th><th>Truth</th><th>Predicted</th><th>Confidence</th><th>Note</th></tr></thead><tbody>${rows}</tbody></table></div>`,
        );
      }
      return `<section class="test" id="test-${i}"><h2>Test results: ${h(t.name)}</h2>${meta ? `<p class="file">${meta}</p>` : ''}${blocks.join('\n')}</section>`;
    })
    .join('\n');
}

function summary(rows: DeviceRow[]): string {
  if (rows.length === 0) return '';
  const valid = rows.filter((r) => r.device?.valid === true);
  const decided = valid.map((r) => r.device as ValidDeviceResult);
  const abnormal = decided.filter((d) => d.decisions.behavior === 'abnormal').length;
  const investigate = decided.filter((d) => d.decisions.investigate).length;
  const models = [...new Set(rows.flatMap((r) => (r.result.detail ? [r.result.detail.model] : [])))];
  // --per-host gives one row per host of a capture: count the hosts then, not as captures.
  const files = new Set(rows.map((r) => r.result.file)).size;
  const plural = (n: number, word: string) => `<b>${n}</b> ${word}${n === 1 ? '' : 's'}`;
  const items = [
    files === rows.length
      ? plural(rows.length, 'capture')
      : `${plural(rows.length, 'host')} in ${plural(files, 'capture')}`,
    `<b>${valid.length}</b> classified`,
    `<b>${rows.length - valid.length}</b> invalid`,
    `<b>${abnormal}</b> abnormal`,
    `<b>${investigate}</b> to investigate`,
  ];
  if (models.length) items.push(`model ${models.map(h).join(', ')}`);
  return `<p class="summary">${items.join(' · ')}</p>`;
}

function skippedSection(skipped: string[]): string {
  if (skipped.length === 0) return '';
  const n = skipped.length;
  const items = skipped.map((reason) => `<li>${h(reason)}</li>`).join('');
  return `<section id="skipped"><h2>Not in this report: ${n} input${n === 1 ? '' : 's'} skipped</h2><ul>${items}</ul></section>`;
}

/** One self-contained, offline HTML page: tables as HTML, charts drawn by the inlined chart.js. */
export function renderReport(input: ReportInput): string {
  const colors = new RoleColors();
  const rows: DeviceRow[] = input.captures.map((result, i) => {
    const device = deviceOf(result);
    const timeline = device?.valid ? timelineOf(result, `timeline-${i}`, colors) : undefined;
    return { result, device, timeline };
  });
  const scores: ScoreSpec[] = [];
  const tests = testSections(input.tests, scores);
  const data: PageData = { timelines: rows.flatMap((r) => (r.timeline ? [r.timeline] : [])), scores };
  const title = input.title ?? 'NetworkML report';
  const when = input.generatedAt
    ? `<p class="muted">Generated ${h(input.generatedAt.toISOString())}</p>`
    : '';
  const empty = rows.length === 0 && input.tests.length === 0 ? '<p>No results.</p>' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${h(title)}</title>
<style>${reportCss}</style>
</head>
<body>
<header><h1>${h(title)}</h1>${when}${summary(rows)}</header>
<main>
${skippedSection(input.skipped ?? [])}${empty}${deviceTable(rows, colors)}
${timelineSections(rows)}
${tests}
</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${chartLibrary()}</script>
<script>${inlineScript(pageScript)}</script>
</body>
</html>
`;
}
