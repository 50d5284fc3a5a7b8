import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ModelError } from '../../errors.js';
import { documentChecksum, loadModel, saveModel } from '../../models/format.js';
import { explain, predictCapture, topLabels } from '../../models/role-model.js';
import { evaluateCapture } from '../../pipeline/evaluate.js';
import { captureFeatureSet } from '../../test-helpers/v2-capture.js';
import { labelOf } from '../../training/dataset.js';
import { fitRankNnModel, type LabelledCapture } from '../../training/select.js';
import {
  PORT_LABELS,
  V2_FEATURE_COUNT,
  V2_FEATURE_COUNTS,
  V2_OWN_COUNT,
  V2_PORT_OFFSET,
  v2FeatureNames,
  v2FeatureVersion,
} from './index.js';

const DIR = 'test-data/melsec';
const PC = 'MelsecEngineeringPC-melsecews3101c01-Thu0829-n00.pcap';
const PLC = 'MelsecPLC-melsecplcc02-Thu0829-n00.pcap';

async function ports(file: string): Promise<Record<string, number>> {
  const s = await captureFeatureSet(join(DIR, file), { durationS: 900, warmupS: 0 });
  assert.equal(s.v2Rows.length, 1);
  const v = s.v2Rows[0]!;
  assert.equal(v.length, V2_FEATURE_COUNT);
  return Object.fromEntries(PORT_LABELS.map((l, i) => [l, v[V2_PORT_OFFSET + i]!]));
}

describe('v2 per-port service features', () => {
  it('come after the compat block, so every earlier column keeps its name and index', () => {
    const names = v2FeatureNames();
    assert.equal(names.length, V2_FEATURE_COUNT);
    assert.equal(V2_FEATURE_COUNTS[1], V2_FEATURE_COUNT - PORT_LABELS.length);
    assert.ok(names[V2_FEATURE_COUNTS[1] - 1]!.startsWith('compat.'));
    assert.deepEqual(
      names.slice(V2_PORT_OFFSET),
      PORT_LABELS.map((l) => `port.${l}`),
    );
    assert.equal(v2FeatureVersion(V2_FEATURE_COUNTS[1]), 1);
    assert.equal(v2FeatureVersion(V2_FEATURE_COUNT), 2);
    assert.equal(v2FeatureVersion(V2_OWN_COUNT), null);
  });

  it('tell the engineering PC (talks to UDP/5560) from its PLC (serves it), the two ends of one recording', async () => {
    // The PC broadcasts to 255.255.255.255:5560 from a new ephemeral port each time; the PLC answers from
    // 5560 to the PC's ephemeral ports. v2's hostIsServer compares the two port numbers of a packet; these
    // ask which end stays fixed.
    const pc = await ports(PC);
    const plc = await ports(PLC);
    assert.deepEqual(pc, {
      localRegisteredShare: 0,
      remoteRegisteredShare: 1,
      fixedLocalShare: 0,
      fixedRemoteShare: 1,
      groupTalkShare: 1,
      groupServeShare: 0,
    });
    assert.deepEqual(plc, {
      localRegisteredShare: 1,
      remoteRegisteredShare: 0,
      fixedLocalShare: 1,
      fixedRemoteShare: 0,
      groupTalkShare: 0,
      groupServeShare: 1,
    });
  });

  it('label a held-out broadcasting PC right in the nearest-capture model; without them it is the PLC', async () => {
    const caps: LabelledCapture[] = [];
    for (const f of readdirSync(DIR)
      .filter((f) => f.endsWith('.pcap'))
      .sort()) {
      const s = await captureFeatureSet(join(DIR, f), { durationS: 900, warmupS: 0 });
      caps.push({ name: f, label: labelOf(f), rows: s.v2Rows });
    }
    for (const f of readdirSync('test-data/roles-dev').filter((f) => f.endsWith('.pcap'))) {
      const s = await captureFeatureSet(join('test-data/roles-dev', f), { durationS: 900, warmupS: 0 });
      caps.push({ name: f, label: labelOf(f), rows: s.v2Rows });
    }
    const held = caps.find((c) => c.name === PC)!;
    const train = caps.filter((c) => c !== held);
    const top = (m: ReturnType<typeof fitRankNnModel>, rows: Float64Array[]): string =>
      topLabels(m.labels, predictCapture(m, rows)!, 1).labels[0]!;

    const now = fitRankNnModel(train, { semantics: 'v2', warmupS: 0 });
    assert.equal(now.features.count, V2_FEATURE_COUNT);
    assert.equal(now.rankNn.primary, V2_OWN_COUNT);
    assert.equal(now.rankNn.blockWeight, 0.2);
    assert.equal(top(now, held.rows), 'MelsecEngineeringPC');
    // Explained per column, the block's shares included: ln(p_top / p_next) = Σ contributions.
    const e = explain(now, held.rows[0]!, 'MelsecEngineeringPC');
    const p = [...predictCapture(now, held.rows)!].sort((a, b) => b - a);
    const sum = e.contributions.reduce((a, c) => a + c.contribution, 0);
    assert.ok(Math.abs(sum - Math.log(p[0]! / p[1]!)) < 1e-9);
    assert.ok(
      e.contributions.some((c) => c.feature >= V2_PORT_OFFSET && c.contribution > 0),
      'the per-port block pulls towards the PC',
    );

    // The same captures as a version-1 model sees them (no per-port block): the other end of the recording.
    const v1 = (rows: Float64Array[]): Float64Array[] => rows.map((r) => r.slice(0, V2_FEATURE_COUNTS[1]));
    const before = fitRankNnModel(
      train.map((c) => ({ ...c, rows: v1(c.rows) })),
      { semantics: 'v2', warmupS: 0 },
    );
    assert.equal(before.rankNn.primary, V2_OWN_COUNT);
    assert.equal(before.rankNn.blockWeight, 0);
    assert.equal(before.selected.length, V2_OWN_COUNT);
    assert.equal(top(before, v1(held.rows)), 'MelsecPLC');

    // Saved and loaded, both answer exactly as fitted; the version-1 file has no block fields.
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    for (const [m, rows] of [
      [now, held.rows],
      [before, v1(held.rows)],
    ] as const) {
      const path = join(dir, `m${m.features.count}.json`);
      saveModel(path, m);
      const loaded = loadModel(path).model;
      assert.equal(loaded.kind, 'ranknn');
      if (loaded.kind !== 'ranknn') continue;
      assert.equal(loaded.rankNn.primary, m.rankNn.primary);
      assert.equal(loaded.rankNn.blockWeight, m.rankNn.blockWeight);
      assert.deepEqual(predictCapture(loaded, rows), predictCapture(m, rows));
    }
    // eval hands each model the vector of its feature set: the set-1 file gets the 4,272 values and answers
    // as fitted on them (the PLC), the set-2 file the whole vector (the PC).
    for (const [m, label] of [
      [before, 'MelsecPLC'],
      [now, 'MelsecEngineeringPC'],
    ] as const) {
      const result = await evaluateCapture(join(DIR, PC), {
        modelPath: join(dir, `m${m.features.count}.json`),
        anomaly: 'none',
      });
      const device = result.data[result.key];
      assert.ok(typeof device === 'object' && device.valid);
      assert.equal(device.classification.labels[0], label);
      const fitted = predictCapture(m, m === now ? held.rows : v1(held.rows))!;
      assert.equal(device.classification.confidences[0], Math.max(...fitted));
    }

    // A file whose block leaves no main column, or has a block without its weight, is refused in one line.
    const path = join(dir, `m${V2_FEATURE_COUNT}.json`);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as {
      rankNn: { columns: number[]; block?: number; blockWeight?: number };
      checksum: string;
    };
    for (const edit of [
      (d: typeof doc) => {
        d.rankNn.block = d.rankNn.columns.length;
      },
      (d: typeof doc) => {
        delete d.rankNn.blockWeight;
      },
    ]) {
      const bad = structuredClone(doc);
      edit(bad);
      bad.checksum = documentChecksum(bad as unknown as Record<string, unknown>);
      const badPath = join(dir, 'bad.json');
      writeFileSync(badPath, JSON.stringify(bad));
      assert.throws(
        () => loadModel(badPath),
        (err: unknown) =>
          err instanceof ModelError && /ranknn/.test(err.message) && !err.message.includes('\n'),
      );
    }
    rmSync(dir, { recursive: true });
  });
});
