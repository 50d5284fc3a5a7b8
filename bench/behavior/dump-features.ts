/**
 * Dumps the behaviour features (device host-bins) of every capture of a behaviour-benchmark manifest to one
 * JSON file, for tuning the behaviour model offline without re-reading captures:
 *   npx tsx bench/behavior/dump-features.ts [--manifest FILE] [--out FILE] [--window 300]
 * (--window: the behaviour window in seconds; the model's default when omitted.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { hostBins } from '../../src/features/behavior.js';
import { DEFAULT_BEHAVIOR_WINDOW_S } from '../../src/models/behavior.js';
import { analyzeCapture } from '../../src/pipeline/analyze.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const manifest = JSON.parse(readFileSync(arg('manifest', '/work/behavior-bench/manifest.json'), 'utf8')) as {
  entries: { id: string; path: string }[];
};
const out: Record<string, unknown>[] = [];
for (const e of manifest.entries) {
  const a = await analyzeCapture(e.path, {
    behavior: true,
    warmupS: 0,
    behaviorWindowS: Number(arg('window', String(DEFAULT_BEHAVIOR_WINDOW_S))),
  });
  out.push({ ...e, bins: a.behavior ? hostBins(a.behavior) : [] });
}
writeFileSync(arg('out', '/tmp/behavior-features.json'), JSON.stringify(out));
