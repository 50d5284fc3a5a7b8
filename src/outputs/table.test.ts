import assert from 'node:assert/strict';
import { it } from 'node:test';
import { abnormalityText } from './table.js';

it('shows abnormality to two decimals, or to as many as set it apart from the threshold', () => {
  assert.equal(abnormalityText(0.7234, 0.99), '0.72');
  assert.equal(abnormalityText(0.7234, undefined), '0.72');
  // 0.993 against 0.99 read "abnormal (0.99)": a tie that was not one.
  assert.equal(abnormalityText(0.993, 0.99), '0.993');
  assert.equal(abnormalityText(0.9896, 0.99), '0.9896');
  assert.equal(abnormalityText(0.99, 0.99), '0.990000');
  assert.equal(abnormalityText(1, 0.99), '1.00');
});
