// Writes the hand-made report fixtures in this folder (deterministic; rerun with `node generate.mjs`).
// Shapes follow src/outputs/result.ts (CaptureResult) and src/outputs/report/types.ts (TestReport).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const labels = [
  'Administrator workstation',
  'Printer',
  'Confluence server',
  'GPU laptop',
  'Exchange server',
  'Distributed file share',
  'Administrator server',
  'GitHub server',
  'Active Directory controller',
  'Business workstation',
  'PKI server',
  'Developer workstation',
  'Unknown',
];
const model = 'networkml-v0.4.8-onelayer.json';
let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const round = (v) => Math.round(v * 1e6) / 1e6;

/** Bins drifting around `base` (label -> weight), renormalised, 900 s apart, with a pause after bin `gapAfter`. */
const gapSeconds = 3 * 3600;
function bins(start, n, base, ip, gapAfter) {
  return Array.from({ length: n }, (_, k) => {
    const raw = labels.map((l) => (base[l] ?? 0.004) * (0.6 + 0.8 * rand()) * (1 + 0.3 * Math.sin(k / 2)));
    const sum = raw.reduce((a, b) => a + b, 0);
    const pause = gapAfter !== undefined && k > gapAfter ? gapSeconds : 0;
    return { timestamp: start + 900 * k + pause, capture_ip: ip, probabilities: raw.map((v) => round(v / sum)) };
  });
}

function capture(file, key, ip, mac, start, n, base, abnormality, extra = {}) {
  const b = bins(start, n, base, ip, extra.gapAfter);
  const mean = labels.map((_, i) => round(b.reduce((s, x) => s + x.probabilities[i], 0) / b.length));
  const top = labels
    .map((l, i) => [l, mean[i]])
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3);
  const investigate = top[0][0] === 'Unknown' || extra.investigate === true;
  return {
    file,
    key,
    valid: true,
    data: {
      [key]: {
        decisions: { behavior: abnormality > 0.99 ? 'abnormal' : 'normal', investigate },
        classification: { labels: top.map((t) => t[0]), confidences: top.map((t) => t[1]) },
        timestamp: start,
        valid: true,
        source_ip: ip,
        source_mac: mac,
        pcap_labels: extra.pcap_labels ?? null,
      },
      pcap: file.split('/').pop(),
    },
    detail: {
      labels,
      probabilities: mean,
      bins: b,
      abnormality,
      ...(extra.note ? { abnormality_note: extra.note } : {}),
      anomaly_model: 'sos',
      model,
    },
  };
}

const devices = [
  capture(
    'captures/BusinessWorkstation-2019-10-09-1000.pcap',
    'BusinessWorkstation-2019-10-09-1000',
    '10.0.1.27',
    '3c:52:82:1a:9e:04',
    1570615200,
    12,
    {
      'Business workstation': 0.7,
      'Developer workstation': 0.15,
      'Administrator workstation': 0.06,
      Unknown: 0.05,
    },
    0.412,
    { gapAfter: 5 },
  ),
  capture(
    '/data/poseidon/trace_3f9e1a7b2c4d_2020-05-11_09_30_12-client-ip-10-0-0-12.pcap',
    '3f9e1a7b2c4d',
    '10.0.0.12',
    'b8:27:eb:4f:11:c2',
    1589189412,
    6,
    { Unknown: 0.46, Printer: 0.28, 'PKI server': 0.12, 'Exchange server': 0.06 },
    0.9957,
    { pcap_labels: 'ip-10-0-0-12' },
  ),
  {
    file: 'captures/empty-2020-01-01.pcap',
    key: 'empty-2020-01-01',
    valid: false,
    data: {
      'empty-2020-01-01': { valid: false, pcap: 'empty-2020-01-01.pcap' },
      pcap: 'empty-2020-01-01.pcap',
    },
  },
];
writeFileSync(join(here, 'devices.jsonl'), `${devices.map((d) => JSON.stringify(d)).join('\n')}\n`);

const single = capture(
  'captures/GitHubServer-2019-11-02-0845.pcap.gz',
  'GitHubServer-2019-11-02-0845',
  '192.168.10.5',
  '00:50:56:a3:7c:19',
  1572684300,
  1,
  { 'GitHub server': 0.55, 'Confluence server': 0.2, 'Administrator server': 0.1 },
  0,
  { note: 'fewer than 6 session sequences (4)' },
);
writeFileSync(join(here, 'single-bin.jsonl'), `${JSON.stringify(single)}\n`);

/** Precision/recall/F1 per label from confusion[truth][predicted], as the test command computes them. */
function metrics(confusion) {
  const perRole = labels.map((label, i) => {
    const tp = confusion[i][i];
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision: round(precision), recall: round(recall), f1: round(f1), support };
  });
  const scored = perRole.filter((r) => r.support > 0);
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = labels.reduce((a, _, i) => a + confusion[i][i], 0);
  return {
    labels,
    confusion,
    perRole,
    meanF1: round(scored.reduce((a, r) => a + r.f1, 0) / scored.length),
    accuracy: round(correct / total),
  };
}

const u = labels.length - 1;
const withUnknowns = labels.map((_, t) => {
  const row = labels.map(() => 0);
  if (t === u) {
    row[u] = 0;
    return row; // no capture is truly Unknown
  }
  const n = 40 + Math.floor(rand() * 80);
  row[t] = Math.round(n * (0.55 + 0.35 * rand()));
  let rest = n - row[t];
  const unknown = Math.round(rest * 0.5);
  row[u] = unknown;
  rest -= unknown;
  while (rest > 0) {
    const p = Math.floor(rand() * u);
    const k = Math.min(rest, 1 + Math.floor(rand() * 4));
    row[p] += k;
    rest -= k;
  }
  return row;
});
// Forcing: a bin predicted Unknown takes its second label, right about two times in three.
const forced = withUnknowns.map((row, t) => {
  const out = [...row];
  const moved = out[u];
  out[u] = 0;
  const right = Math.round(moved * 0.66);
  out[t === u ? 0 : t] += right;
  out[(t + 1) % u] += moved - right;
  return out;
});
const report = { ...metrics(withUnknowns), forcing: metrics(forced), model, captures: 141 };
writeFileSync(join(here, 'test-report.json'), `${JSON.stringify(report, null, 1)}\n`);
