import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BEHAVIOR_FEATURES, hostBins } from '../../src/features/behavior.js';
import { analyzeCapture } from '../../src/pipeline/analyze.js';

const f = BEHAVIOR_FEATURES.findIndex((x) => x.name === process.argv[2]);
const rows: [number, string][] = [];
for (const dir of process.argv.slice(3)) {
  const files = statSync(dir).isDirectory() ? readdirSync(dir).map((n) => join(dir, n)) : [dir];
  for (const p of files) {
    if (!/\.pcap(ng)?$/.test(p)) continue;
    const a = await analyzeCapture(p, { behavior: true, warmupS: 0, behaviorWindowS: 300 });
    if (!a.behavior) continue;
    let m = 0;
    for (const b of hostBins(a.behavior)) m = Math.max(m, b.values[f] ?? 0);
    rows.push([m, p.split('/').pop()!]);
  }
}
rows.sort((a, b) => b[0] - a[0]);
console.log(rows.slice(0, 6), rows.filter((r) => r[0] > 0).length, rows.length);
