import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureFeatureSet } from '../test-helpers/v2-capture.js';
import { labelOf as labelOfCapture } from './dataset.js';
import { type LabelledCapture, predictLabel, trainCandidate } from './select.js';

const DIR = 'test-data/iot-sentinel/setups';
const split = JSON.parse(readFileSync('test-data/iot-sentinel/dev-split.json', 'utf8')) as {
  train: string[];
  test: string[];
};

async function load(names: string[], warmupS: number): Promise<LabelledCapture[]> {
  const out: LabelledCapture[] = [];
  for (const name of names) {
    const f = await captureFeatureSet(join(DIR, name), { durationS: 900, warmupS });
    out.push({ name, label: labelOfCapture(name), rows: f.v2Rows });
  }
  return out;
}

describe('v2 accuracy per capture on the IoT Sentinel dev split', () => {
  for (const warmupS of [0, 1]) {
    it(`reaches 0.95 with --warmup ${warmupS}`, async () => {
      const train = await load(split.train, warmupS);
      const test = await load(split.test, warmupS);
      const model = trainCandidate(
        train.filter((c) => c.rows.length > 0),
        { algorithm: 'randomforest', nEstimators: 100, minSamplesSplit: 2 },
        { semantics: 'v2', selectFeatures: false, unknownAugmentation: false, warmupS },
        0,
      );
      const wrong = test.filter((c) => predictLabel(model, c.rows).label !== c.label).map((c) => c.name);
      const accuracy = 1 - wrong.length / test.length;
      assert.ok(accuracy >= 0.95, `accuracy ${accuracy.toFixed(3)}; wrong: ${wrong.join(', ')}`);
    });
  }
});
