/**
 * docs/json-fields.md documents the fields of `info --json` and `explain --json` (the host-footprint model's
 * per-host shape too): every field they print is in
 * its table and every field in a table is printed (by the real commands, or for the fields only a behaviour
 * model or the Unknown rule gives, by explain's own JSON builder on a real evaluation), so the tables cannot
 * drift from the output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { explainCapture } from '../outputs/explain.js';
import { evaluateCaptureDetailed } from '../pipeline/evaluate.js';
import { roleModelFor } from '../pipeline/model-registry.js';
import { runCli } from '../test-helpers/cli.js';
import { corruptPcap } from '../test-helpers/corrupt-capture.js';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
const DOC = readFileSync(join(ROOT, 'docs/json-fields.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'networkml-json-fields-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const corrupt = join(dir, 'Aria-X1-Mon0000-n00.pcap');
writeFileSync(
  corrupt,
  corruptPcap(readFileSync(join(ROOT, 'test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap'))).bytes,
);

/** The field paths in the table under `## \`<heading>\``. */
function documented(heading: string): string[] {
  const start = DOC.indexOf(`## \`${heading}\``);
  assert.ok(start >= 0, heading);
  const end = DOC.indexOf('\n## ', start + 1);
  const section = DOC.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

/** Every field path of a JSON value: `a.b`, and `a[].b` for the fields of the objects in array `a`. */
function paths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) if (v !== null && typeof v === 'object') paths(v, `${prefix}[]`, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    paths(v, p, out);
  }
  return out;
}

/** Every printed field is documented (or holds documented ones), every documented one printed. */
function assertDocumented(heading: string, printed: Set<string>): void {
  const fields = documented(heading);
  assert.ok(fields.length > 5, heading);
  const undocumented = [...printed].filter(
    (p) => !fields.some((f) => f === p || f.startsWith(`${p}.`) || f.startsWith(`${p}[].`)),
  );
  assert.deepEqual(undocumented, [], `printed by ${heading} but not in docs/json-fields.md`);
  const unseen = fields.filter((f) => !printed.has(f));
  assert.deepEqual(unseen, [], `in docs/json-fields.md but never printed by ${heading}`);
}

function jsonLines(args: string[], status: number): unknown[] {
  const r = runCli(args);
  assert.equal(r.status, status, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

describe('docs/json-fields.md', () => {
  it('info --json: every field documented, every documented field printed', () => {
    const printed = new Set<string>();
    for (const v of jsonLines(['info', '--json', SAMPLE, corrupt], 1)) paths(v, '', printed);
    assertDocumented('info --json', printed);
  });

  it('explain --json: every field documented, every documented field printed', async () => {
    const printed = new Set<string>();
    // A capture explained, one without usable bins (every session in the warm-up), one corrupt part-way.
    const short = join(ROOT, 'test-data/behavior/Aria-C9scan-Mon0000-n00.pcap');
    for (const v of jsonLines(['explain', '--json', '--no-history', SAMPLE, short, corrupt], 1))
      paths(v, '', printed);
    // What only a behaviour model's decision (behavior) and the Unknown rule (explained, roleNovelty, roleNoveltyBeyond) add, from explain's
    // JSON builder on a real evaluation made to carry them.
    const e = await evaluateCaptureDetailed(SAMPLE, { anomaly: 'none' });
    const detail = e.result.detail!;
    detail.anomaly_model = 'behavior';
    detail.behavior = {
      references: 'all',
      bins_scored: 1,
      worst_bin: { index: 0, start: 1, end: 2 },
      score: 1,
      distance: 1,
      novelty: 0,
      reasons: ['a service never seen'],
      services: [],
    };
    detail.role_novelty = 1.02;
    detail.role_novelty_beyond = 1.7;
    const best = detail.labels.find((l) => l !== 'Unknown')!;
    detail.probabilities = detail.labels.map((l) => (l === best ? 0.6 : 0.4 / (detail.labels.length - 1)));
    const built = explainCapture(roleModelFor().model, {
      ...e,
      ranked: [['Unknown', 0.7], ...e.ranked.filter(([l]) => l !== 'Unknown')],
      anomaly: { abnormality: 0.5, threshold: 0.9, note: 'fewer windows than the model needs' },
    });
    assert.ok(built.explained && built.behavior?.note, JSON.stringify(built).slice(0, 300));
    paths(JSON.parse(JSON.stringify(built)), '', printed);
    assertDocumented('explain --json', printed);
  });

  it('explain --json --model host-footprint-v0.6.8: its per-host shape, every field documented and printed', () => {
    const printed = new Set<string>();
    const noEthernet = join(ROOT, 'test-data/captures/edge/raw101.pcap');
    const args = ['explain', '--json', '--model', 'host-footprint-v0.6.8'];
    for (const v of jsonLines([...args, SAMPLE, noEthernet, corrupt], 1)) paths(v, '', printed);
    assertDocumented('explain --json --model host-footprint-v0.6.8', printed);
  });
});
