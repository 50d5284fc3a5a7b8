import assert from 'node:assert/strict';
import { test } from 'node:test';
import { behaviorOf, decide } from './decide.js';

const T = 1_579_736_553.945077;

test('Unknown top label: investigate, even for a device never seen before', () => {
  assert.deepEqual(decide({ topLabel: 'Unknown', abnormality: 0, timestamp: T, previousUpdate: null }), {
    behavior: 'normal',
    investigate: true,
  });
});

test('stale device: previous update more than 86,400 s earlier', () => {
  const d = decide({ topLabel: 'Printer', abnormality: 0.5, timestamp: T, previousUpdate: T - 86_400.001 });
  assert.equal(d.investigate, true);
});

test('fresh device: exactly the look time, sooner, or no history at all', () => {
  for (const previousUpdate of [T - 86_400, T - 60, null]) {
    const d = decide({ topLabel: 'Printer', abnormality: 0.5, timestamp: T, previousUpdate });
    assert.deepEqual(d, { behavior: 'normal', investigate: false }, String(previousUpdate));
  }
});

test('look time is configurable', () => {
  const d = decide({
    topLabel: 'Printer',
    abnormality: 0,
    timestamp: T,
    previousUpdate: T - 61,
    lookTime: 60,
  });
  assert.equal(d.investigate, true);
});

test('behavior: abnormal strictly above the threshold', () => {
  assert.equal(behaviorOf(0.99), 'normal');
  assert.equal(behaviorOf(0.9900001), 'abnormal');
  assert.equal(behaviorOf(0.5, 0.4), 'abnormal');
  assert.equal(
    decide({ topLabel: 'Printer', abnormality: 0.995, timestamp: T, previousUpdate: null }).behavior,
    'abnormal',
  );
});
