import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnTable } from './columns.js';

describe('ColumnTable', () => {
  it('grows every column together by doubling, keeping rows and filling new ones', () => {
    const t = new ColumnTable(4);
    const ids = t.int();
    const last = t.float(1, -1);
    const wide = t.float(3);
    const flags = t.byte();
    for (let r = 0; r < 4; r++) {
      ids.data[r] = r + 10;
      last.data[r] = r / 2;
      wide.data.set([r, r + 0.5, r + 0.25], r * 3);
      flags.data[r] = r;
    }
    const before = ids.data;
    t.ensure(4);
    assert.equal(ids.data, before, 'no growth while rows fit');
    t.ensure(5);
    assert.equal(ids.data.length, 8);
    assert.equal(last.data.length, 8);
    assert.equal(wide.data.length, 24);
    assert.equal(flags.data.length, 8);
    t.ensure(33);
    assert.equal(ids.data.length, 64, 'doubling until the rows fit');
    assert.equal(wide.data.length, 192);
    assert.deepEqual([...ids.data.subarray(0, 5)], [10, 11, 12, 13, 0]);
    assert.deepEqual([...last.data.subarray(0, 5)], [0, 0.5, 1, 1.5, -1]);
    assert.equal(last.data[63], -1);
    assert.deepEqual([...wide.data.subarray(9, 13)], [3, 3.5, 3.25, 0]);
    assert.deepEqual([...flags.data.subarray(0, 5)], [0, 1, 2, 3, 0]);
  });

  it('fills the initial rows of a column with a fill value', () => {
    const t = new ColumnTable(2);
    const keys = t.int(2, -1);
    assert.deepEqual([...keys.data], [-1, -1, -1, -1]);
  });
});
