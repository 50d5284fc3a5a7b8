import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelError } from '../errors.js';
import { HOST_FOOTPRINT_FEATURES } from '../features/host-footprint/names.js';
import { HOST_FOOTPRINT_MODEL_PATH, loadHostFootprintModel } from '../models/host-footprint.js';
import { TEST_DATA, v068Records } from '../test-helpers/reference.js';
import { analyzeHostFootprint, hostFootprintPredict, predictHost, predictJsonOf } from './host-footprint.js';

test('every reference capture, both modes: model inputs, probabilities (1e-9), top 3 and predict.json', async () => {
  const model = loadHostFootprintModel();
  let maxDiff = 0;
  for (const ref of v068Records()) {
    const path = `${TEST_DATA}reference/captures/${ref.pcap}`;
    const where = `${ref.pcap} ${ref.mode}`;
    const analysis = await analyzeHostFootprint(path, {
      selection: ref.mode,
      csvChunkRows: ref.csv_chunk_rows,
    });
    const predictions = analysis.hosts.map((h) => predictHost(model, h));
    assert.equal(predictions.length, ref.hosts.length, where);
    predictions.forEach((p, i) => {
      const r = ref.hosts[i]!;
      // The scaler's inputs: the features after the original's CSV round trip (1 ulp off for some).
      HOST_FOOTPRINT_FEATURES.forEach((name, j) => {
        assert.equal(p.modelInput[j], r.model_input_diffs?.[name] ?? r.features[name], `${where} ${name}`);
      });
      model.classes.forEach((c, k) => {
        const d = Math.abs(p.probabilities[k]! - r.probabilities[c]!);
        maxDiff = Math.max(maxDiff, d);
        assert.ok(d <= 1e-9, `${where} ${r.mac} ${c}: ${p.probabilities[k]} vs ${r.probabilities[c]}`);
      });
      assert.deepEqual(
        p.ranked.slice(0, 3).map((x) => x.class),
        r.top3.map(([c]) => c),
        `${where} ${r.mac} top 3`,
      );
      assert.equal(p.topRole, r.top_role, where);
    });
    // predict.json: same keys in the same order, confidences to 1e-9.
    const round = (_k: string, v: unknown): unknown =>
      Array.isArray(v) && typeof v[0] === 'number' ? v.map((x: number) => Math.round(x * 1e9)) : v;
    assert.equal(
      JSON.stringify(predictJsonOf(predictions, ref.pcap), round),
      JSON.stringify(ref.result, round),
      `${where} predict.json`,
    );
  }
  assert.ok(maxDiff < 1e-12, `max |Δp| ${maxDiff}`);
});

test('hostFootprintPredict: the library call behind Poseidon HEAD (env id and file_path)', async () => {
  const path = `${TEST_DATA}reference/captures/iKettle2-sentinel-Mon0000-n00.pcap`;
  const out = await hostFootprintPredict(path, {
    selection: 'no-srcmacid',
    uid: 'job-7',
    filePath: '/files/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap',
  });
  const devices = Object.values(out.data.mac_addresses);
  assert.equal(devices.length, 3);
  for (const d of devices) {
    assert.equal(d.uid, 'job-7');
    assert.equal(d.pcap, 'trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap');
    assert.equal(d.pcap_key, 'ab12');
    assert.equal(d.pcap_labels, 'ip6-1-2-3-4');
    assert.equal(d.classification.labels.length, 3);
  }
});

test('a model file with one changed weight is refused (checksum)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-model-'));
  const text = readFileSync(HOST_FOOTPRINT_MODEL_PATH, 'utf8');
  const bad = join(dir, 'bad.json');
  const doc = JSON.parse(text);
  doc.layers[0].bias[0] += 1e-12;
  writeFileSync(bad, JSON.stringify(doc));
  assert.throws(
    () => loadHostFootprintModel(bad),
    (e: unknown) => e instanceof ModelError && /checksum/.test(e.message),
  );
});
