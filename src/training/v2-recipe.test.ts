import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { captureNovelty, isUnknown } from '../models/role-model.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { captureFeatureSet } from '../test-helpers/v2-capture.js';
import { labelOf } from './dataset.js';
import { type LabelledCapture, predictLabel } from './select.js';
import { trainV2Model } from './v2-recipe.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const split = JSON.parse(readFileSync(`${TEST_DATA}iot-sentinel/dev-split.json`, 'utf8')) as {
  train: string[];
  test: string[];
};

async function load(names: string[]): Promise<LabelledCapture[]> {
  const out: LabelledCapture[] = [];
  for (const name of names) {
    const f = await captureFeatureSet(`${setups}/${name}`, { durationS: 900, warmupS: 0 });
    out.push({ name, label: labelOf(name), rows: f.v2Rows });
  }
  return out;
}

describe('v2 recipe on real captures', () => {
  it('seed does not matter: accuracy spread ≤ 0.02 and the threshold stays put over seeds 0–2', async () => {
    const train = await load(split.train);
    const test = await load(split.test);
    const accuracies: number[] = [];
    const thresholds: number[] = [];
    for (const seed of [0, 1, 2]) {
      const { model, calibration } = trainV2Model(train, {
        seed,
        binDurationS: 900,
        warmupS: 0,
        dataset: 'test',
        unknownRate: 0.02,
        estimateUnseen: false,
      });
      assert.ok(calibration);
      assert.equal(calibration.method, 'novelty');
      assert.equal(model.novelty?.threshold, calibration.threshold);
      assert.equal(model.unknownThreshold, null, 'the novelty rule replaces the confidence threshold');
      assert.equal(model.siblingMargin, calibration.siblingMargin);
      assert.equal(model.unknownRate, 0.02);
      assert.equal(
        model.kind,
        'ranknn',
        'the nearest-capture model leads the grid and ties the forests here',
      );
      assert.equal(calibration.unseenUnknownRate, null, 'not estimated when asked not to');
      assert.ok(calibration.knownUnknownRate <= 0.04, `known called Unknown ${calibration.knownUnknownRate}`);
      let right = 0;
      for (const c of test) {
        const p = predictLabel(model, c.rows);
        if (!isUnknown(model, p.top, p.secondTop, captureNovelty(model, c.rows)) && p.label === c.label)
          right++;
      }
      accuracies.push(right / test.length);
      thresholds.push(calibration.threshold);
    }
    const spread = Math.max(...accuracies) - Math.min(...accuracies);
    assert.ok(spread <= 0.02 + 1e-12, `accuracies ${accuracies.join(', ')}`);
    assert.ok(Math.min(...accuracies) >= 0.94, `accuracies ${accuracies.join(', ')}`);
    assert.ok(
      Math.max(...thresholds) - Math.min(...thresholds) < 0.1,
      `thresholds ${thresholds.map((t) => t.toFixed(3)).join(', ')}`,
    );
  });
});
