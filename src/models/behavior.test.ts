import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEHAVIOR_FEATURE_COUNT, BEHAVIOR_FEATURES, serviceCode } from '../features/behavior.js';
import { BehaviorModel, type TrainingSample } from './behavior.js';

const SHARE = BEHAVIOR_FEATURES.findIndex((f) => f.kind === 'share');
const COUNT = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'peers');
const DNS = serviceCode(true, 1, 53);
const SMB = serviceCode(true, 0, 445);

/** Every feature 0 except `share` (a share feature: no transform) and `peers` (a count: log1p). */
function sample(group: string, share: number, peers = 0, services = [[DNS, 1, 1]]): TrainingSample {
  const values = new Array<number>(BEHAVIOR_FEATURE_COUNT).fill(0);
  values[SHARE] = share;
  values[COUNT] = peers;
  return { group, label: group.split('-')[0]!, values, services: services as [number, number, number][] };
}

/** Ten normal captures whose one share feature is 0.1 · i (IQR 0.45 > the 0.1 floor). */
const normals = Array.from({ length: 10 }, (_, i) => sample(`dev-${i}`, 0.1 * i));

describe('BehaviorModel', () => {
  it('robust-standardises with the median and IQR of the training bins, with a floor per kind', () => {
    const m = new BehaviorModel({ k: 1 }).fit(normals);
    const s = m.state!;
    assert.ok(Math.abs(s.center[SHARE]! - 0.45) < 1e-12);
    assert.ok(Math.abs(s.scale[SHARE]! - 0.45) < 1e-12);
    // A constant count column: median log1p(0) = 0, IQR 0 → the count floor 0.5.
    assert.equal(s.center[COUNT], 0);
    assert.equal(s.scale[COUNT], 0.5);
    // z of peers = 7 is log1p(7)/0.5 = 2 ln 8.
    const z = m.standardise(sample('q', 0.45, 7).values);
    assert.ok(Math.abs(z[COUNT]! - 2 * Math.log(8)) < 1e-12);
    assert.equal(z[SHARE], 0);
  });

  it('scores the distance to the nearest normal bins plus novelty of unseen services', () => {
    const m = new BehaviorModel({ k: 1, noveltyWeight: 1 }).fit(normals);
    // Identical to a training bin, same services: score 0.
    const same = m.scoreBin(sample('q', 0.1 * 3));
    assert.equal(same.distance, 0);
    assert.equal(same.novelty, 0);
    // 0.45 / 0.45 = 1 standardised unit from the nearest (0.4 or 0.5 → 0.05/0.45 away).
    const off = m.scoreBin(sample('q', 0.95));
    assert.ok(Math.abs(off.distance - 0.05 / 0.45) < 1e-12, `${off.distance}`);
    // A new service (SMB to 37 peers): novelty ln(1 + 1) + ln(1 + 37).
    const smb = m.scoreBin(
      sample('q', 0.1 * 3, 0, [
        [DNS, 1, 1],
        [SMB, 37, 40],
      ]),
    );
    assert.ok(Math.abs(smb.novelty - (Math.log(2) + Math.log(38))) < 1e-12);
    assert.ok(Math.abs(smb.score - smb.novelty) < 1e-12);
    assert.deepEqual(smb.novel, [[SMB, 37, 40]]);
    const reasons = m.explain(
      sample('q', 0.1 * 3, 0, [
        [DNS, 1, 1],
        [SMB, 37, 40],
      ]),
      smb,
    );
    assert.match(reasons[0]!, /new outgoing tcp port 445 to 37 peers/);
  });

  it('cross-validates: a training bin is never its own neighbour', () => {
    const m = new BehaviorModel({ k: 1 }).fit(normals);
    // Leaving dev-3 (0.3) out, its nearest are 0.2 and 0.4: 0.1/0.45 away; the ends are 0.1/0.45 away too.
    const cv = m.state!.cvScores;
    assert.equal(cv.length, 10);
    for (const s of cv) assert.ok(Math.abs(s - 0.1 / 0.45) < 1e-9, `${s}`);
  });

  it('turns scores into tail probabilities and a capture abnormality calibrated to the false-alarm rate', () => {
    const m = new BehaviorModel({ k: 1, falseAlarmRate: 0.05 }).fit(normals);
    const s = m.state!;
    s.cvScores = Array.from({ length: 99 }, (_, i) => i + 1); // 1..99
    s.tau = 2;
    assert.equal(m.tailProbability(0.5), 1);
    // 50: 49 below it, interpolated rank 50 → (100 − 50)/100.
    assert.ok(Math.abs(m.tailProbability(50) - 0.5) < 1e-12);
    assert.ok(Math.abs(m.tailProbability(50.5) - 0.495) < 1e-12);
    assert.ok(Math.abs(m.tailProbability(99) - 0.01) < 1e-12);
    // Beyond the largest normal score: exp(−(s − 99)/τ)/(n + 1).
    assert.ok(Math.abs(m.tailProbability(103) - Math.exp(-2) / 100) < 1e-15);
    assert.equal(s.threshold, 0.95);
    // The worst bin decides, corrected for the number of bins: (1 − p_min)^m.
    const one = m.score([sample('q', 0.1 * 3)]);
    assert.ok(one.abnormality >= 0 && one.abnormality <= 1);
    // The quantile property: of the normal scores, a share ≈ falseAlarmRate lies above the threshold.
    const above = s.cvScores.filter((x) => 1 - m.tailProbability(x) > s.threshold).length;
    assert.ok(above / s.cvScores.length <= 0.05 && above / s.cvScores.length >= 0.03, `${above}`);
  });

  it('is deterministic for a seed, and round-trips through JSON', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      sample(`dev-${i % 12}`, ((i * 7919) % 100) / 100, i % 5),
    );
    const a = new BehaviorModel({ maxReferences: 30, seed: 4 }).fit(many);
    const b = new BehaviorModel({ maxReferences: 30, seed: 4 }).fit(many);
    const c = new BehaviorModel({ maxReferences: 30, seed: 5 }).fit(many);
    assert.deepEqual(a.toJSON(), b.toJSON());
    assert.notDeepEqual(a.toJSON().state.refs, c.toJSON().state.refs);
    const back = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    const q = sample('q', 0.77, 3);
    assert.deepEqual(back.score([q]), a.score([q]));
  });

  it('refuses too little data and malformed files', () => {
    assert.throws(() => new BehaviorModel().fit([]), /no host-bins/);
    assert.throws(() => new BehaviorModel().fit([sample('a-1', 0), sample('a-1', 1)]), /at least two/);
    assert.throws(() => new BehaviorModel({ falseAlarmRate: 1.5 }), /false-alarm-rate/);
    const doc = new BehaviorModel().fit(normals).toJSON() as unknown as { state: { scale: number[] } };
    doc.state.scale = [1, 2];
    assert.throws(() => BehaviorModel.fromJSON(doc), /inconsistent/);
  });
});
