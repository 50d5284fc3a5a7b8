/** Screen and print styles; colours are forced in print so bars and heat maps survive "no backgrounds". */
export const reportCss = `
:root { --fg: #1f2328; --muted: #667085; --line: #d8dee4; --bg: #ffffff; --head: #f6f8fa; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { padding: 20px 28px 8px; border-bottom: 1px solid var(--line); }
main { padding: 8px 28px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 0 0 4px; }
p { margin: 4px 0; }
a { color: inherit; }
.muted { color: var(--muted); font-weight: normal; }
.summary b { font-size: 16px; }
.file { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.key { font-weight: 600; overflow-wrap: anywhere; }
.warning { color: #8a5a00; font-size: 11.5px; overflow-wrap: anywhere; }
td.device { min-width: 14em; max-width: 22em; }
.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: 11px; max-width: 14em; margin-left: auto; }
.evidence { font-size: 11px; max-width: 28em; margin-top: 4px; }
.evidence ul { margin: 2px 0 0; padding-left: 1.2em; }
table { border-collapse: collapse; }
table.devices { width: 100%; }
table.devices th, table.devices td { border-bottom: 1px solid var(--line); padding: 7px 8px; vertical-align: top; text-align: left; }
table.devices th { background: var(--head); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
table.devices td.num { text-align: right; }
tr.invalid td { background: #fafafa; }
.roles { min-width: 360px; }
.role { display: grid; grid-template-columns: minmax(9em, 13em) 1fr 4.2em; gap: 8px; align-items: center; font-size: 12.5px; }
.role-name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.bar { height: 10px; background: #eef1f4; border-radius: 5px; overflow: hidden; display: block; }
.bar span { display: block; height: 100%; border-radius: 5px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.good { background: #dcf5e3; color: #1a7f37; }
.badge.bad { background: #ffe0e0; color: #b42318; }
.badge.warn { background: #fff1c2; color: #8a5a00; }
.chart-card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 12px 0; break-inside: avoid; }
.chart-box { position: relative; height: 260px; width: 100%; }
.test-grid { display: grid; grid-template-columns: minmax(0, auto) minmax(320px, 1fr); gap: 24px; align-items: start; }
.metrics { margin: 14px 0 24px; break-inside: avoid; }
.heat-wrap { overflow-x: auto; }
table.heat { font-size: 12px; }
table.heat td { width: 38px; height: 30px; text-align: center; font-variant-numeric: tabular-nums; border: 1px solid #fff; }
table.heat td.zero { color: #9aa4b2; }
table.heat td.dark { color: #fff; }
table.heat td.diag { outline: 2px solid #1f2328; outline-offset: -2px; font-weight: 700; }
table.heat td.total { background: var(--head); color: var(--muted); }
table.heat th.rowh { text-align: right; padding-right: 8px; font-weight: normal; white-space: nowrap; }
table.heat th.col { vertical-align: bottom; height: 150px; padding: 0 0 4px; font-weight: normal; }
table.heat th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; display: inline-block; }
table.heat th.corner { font-size: 11px; color: var(--muted); font-weight: normal; vertical-align: bottom; text-align: right; padding: 0 8px 4px 0; }
.scale { display: flex; align-items: center; gap: 8px; font-size: 11px; margin-top: 8px; flex-wrap: wrap; }
.scale .ramp { display: inline-block; width: 160px; height: 10px; border: 1px solid var(--line); }
table.scores { font-size: 12.5px; margin-top: 10px; }
table.scores th, table.scores td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; }
table.scores td.num { text-align: right; }
#skipped { border-left: 4px solid #b42318; background: #fff5f5; padding: 2px 14px 6px; margin: 16px 0; }
#skipped h2 { font-size: 15px; margin: 8px 0 4px; color: #b42318; }
#skipped ul { margin: 0; padding-left: 18px; font-size: 12.5px; }
#skipped li { overflow-wrap: anywhere; }
@media (max-width: 1100px) { .test-grid { grid-template-columns: 1fr; } }
/* Narrow screens and paper: the device table must fit about 18 cm. */
@media (max-width: 1000px), print {
  table.devices th, table.devices td { padding: 5px 4px; }
  table.devices th { font-size: 8.5px; letter-spacing: 0; }
  .roles { min-width: 10em; }
  .role { grid-template-columns: 1fr 3.4em; gap: 0 4px; font-size: 11px; margin-bottom: 2px; }
  .role .role-name { grid-area: 1 / 1; }
  .role .num { grid-area: 1 / 2; }
  .role .bar { grid-area: 2 / 1 / 3 / 3; height: 4px; }
  td.device { min-width: 7em; }
  .mono { font-size: 10px; }
  .badge { font-size: 10px; padding: 1px 5px; }
  .note { max-width: 8em; }
  .evidence { font-size: 9.5px; max-width: 14em; overflow-wrap: anywhere; }
  .when { white-space: normal; }
  table.heat td { width: 30px; height: 24px; }
}
@media print {
  body { font-size: 10.5pt; }
  header, main { padding-left: 0; padding-right: 0; }
  a { text-decoration: none; }
  .test-grid { grid-template-columns: 1fr; }
  section.test { break-before: page; }
  table.devices tr { break-inside: avoid; }
  /* If a chart kept its screen size, shrink its bitmap to the paper rather than cut it off. */
  canvas { max-width: 100% !important; height: auto !important; }
}
`;
