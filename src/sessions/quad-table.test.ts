import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuadTable } from './quad-table.js';

describe('QuadTable', () => {
  it('gives dense ids in insertion order, the same id for the same key, through growth and clear', () => {
    const t = new QuadTable(4);
    const key = (i: number): [number, number, number, number] => [i & 1, i >> 3, (6 << 16) | (i * 7919), -i];
    const n = 5000;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < n; i++) assert.equal(t.intern(...key(i)), i);
      assert.equal(t.size, n);
      // Again, in another order: no new ids.
      for (let i = n - 1; i >= 0; i -= 3) assert.equal(t.intern(...key(i)), i);
      assert.equal(t.size, n);
      for (let w = 0; w < 4; w++) assert.equal(t.word(1234, w), key(1234)[w]);
      t.clear();
      assert.equal(t.size, 0);
    }
  });

  it('tells keys apart that differ in one word only, and treats 2^32 - 1 as -1', () => {
    const t = new QuadTable();
    assert.equal(t.intern(1, 2, 3, 4), 0);
    assert.equal(t.intern(1, 2, 3, 5), 1);
    assert.equal(t.intern(0, 2, 3, 4), 2);
    assert.equal(t.intern(1, 2, 3, 0xffffffff), 3);
    assert.equal(t.intern(1, 2, 3, -1), 3);
    assert.equal(t.intern(1, 2, 3, 4), 0);
  });
});
