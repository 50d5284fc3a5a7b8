import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelIndex, layout } from './blocks.js';
import { COUNTS, SUMMARY, SUMMARY_DIR, SUMS } from './layout.js';

describe('layout', () => {
  it('derives offsets from the declared blocks', () => {
    const l = layout([
      ['a', 1],
      ['b', 4],
      ['c', 0],
      ['d', 2],
    ]);
    assert.deepEqual(l.at, { a: 0, b: 1, c: 5, d: 5 });
    assert.equal(l.size, 7);
    assert.deepEqual(
      l.blocks.map((b) => [b.name, b.offset, b.width]),
      [
        ['a', 0, 1],
        ['b', 1, 4],
        ['c', 5, 0],
        ['d', 5, 2],
      ],
    );
  });
  it('refuses a block declared twice or a bad width', () => {
    assert.throws(
      () =>
        layout([
          ['a', 1],
          ['a', 2],
        ]),
      /declared twice/,
    );
    assert.throws(() => layout([['a', 1.5]]), /width/);
  });
  it('indexes labels', () => {
    assert.deepEqual(labelIndex(['x', 'y']), { x: 0, y: 1 });
  });
  it('lays the v2 rows out as nested blocks', () => {
    assert.equal(SUMMARY.at.in, SUMMARY_DIR.size);
    assert.equal(SUMMARY.size, SUMS.size - SUMS.at.host + 2 * SUMMARY_DIR.size);
    assert.equal(COUNTS.size, 2 * COUNTS.at.in);
  });
});
