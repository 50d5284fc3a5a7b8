import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEHAVIOR_FEATURE_COUNT, serviceCode } from '../features/behavior.js';
import { BehaviorModel, type TrainingSample } from '../models/behavior.js';
import { withOwnHistory } from './behavior-anomaly.js';

const DNS = serviceCode(true, 1, 53);
const SSH = serviceCode(true, 0, 22);

function sample(group: string, x: number): TrainingSample {
  const values = new Array<number>(BEHAVIOR_FEATURE_COUNT).fill(0);
  values[0] = x;
  return { group, label: 'plug', values, services: [[DNS, 1, 1]] };
}

describe('withOwnHistory', () => {
  const model = new BehaviorModel({ k: 1 }).fit(Array.from({ length: 10 }, (_, i) => sample(`p-${i}`, i)));

  it('adds services the device never used before as novelty, and names them', () => {
    const bins = [
      { score: 0.5, services: [[DNS, 1, 3]] as [number, number, number][] },
      {
        score: 0.5,
        services: [
          [DNS, 1, 2],
          [SSH, 40, 40],
        ] as [number, number, number][],
      },
    ];
    const own = withOwnHistory(model, bins, new Set([DNS]));
    assert.ok(own);
    assert.equal(own.worst, 1);
    const raised = 0.5 + model.noveltyWeight * model.serviceNovelty([[SSH, 40, 40]]);
    assert.equal(own.abnormality, model.captureAbnormality(model.tailProbability(raised), 2));
    assert.deepEqual(own.reasons, ['outgoing tcp port 22 to 40 peers: never used by this device before']);
  });

  it('changes nothing when every service was seen before', () => {
    assert.equal(withOwnHistory(model, [{ score: 3, services: [[DNS, 1, 1]] }], new Set([DNS])), null);
  });
});
