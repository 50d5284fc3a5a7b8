import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../models/rng.js';
import { chooseThreshold, type KnownOutcome, type UnseenOutcome } from './calibrate.js';

describe('Unknown threshold calibration', () => {
  it('separates confident known types from unsure unseen ones', () => {
    const rng = new Rng(5);
    const known: KnownOutcome[] = Array.from({ length: 200 }, () => ({
      top: rng.uniform(0.7, 1),
      correct: true,
    }));
    const unseen: UnseenOutcome[] = Array.from({ length: 100 }, (_, i) => ({
      top: rng.uniform(0.2, 0.6),
      label: i < 50 ? 'x' : 'y',
    }));
    const c = chooseThreshold(known, unseen);
    assert.ok(c.threshold > 0.6 && c.threshold < 0.7, `threshold ${c.threshold}`);
    assert.equal(c.unseenUnknownRate, 1);
    assert.equal(c.knownUnknownRate, 0);
    assert.equal(c.knownAccuracyAfter, 1);
    assert.deepEqual(c.unseenByLabel, { x: 1, y: 1 });
  });

  it('with overlap, calls more than half of the unseen Unknown at the least cost', () => {
    const rng = new Rng(6);
    const known: KnownOutcome[] = Array.from({ length: 300 }, () => ({
      top: rng.uniform(0.4, 1),
      correct: rng.next() < 0.9,
    }));
    const unseen: UnseenOutcome[] = Array.from({ length: 300 }, () => ({ top: rng.uniform(0.3, 0.8) }));
    const c = chooseThreshold(known, unseen);
    assert.ok(c.unseenUnknownRate > 0.5, `unseen Unknown rate ${c.unseenUnknownRate}`);
    assert.ok(c.knownUnknownRate < c.unseenUnknownRate);
    assert.ok(c.knownAccuracyAfter <= c.knownAccuracyBefore);
  });

  it("counts the model's own Unknown label as Unknown", () => {
    const known: KnownOutcome[] = [{ top: 0.9, correct: true }];
    const unseen: UnseenOutcome[] = [
      { top: 0.95, unknown: true },
      { top: 0.95, unknown: true },
    ];
    const c = chooseThreshold(known, unseen);
    assert.equal(c.unseenUnknownRate, 1);
    assert.equal(c.knownUnknownRate, 0);
  });
});
