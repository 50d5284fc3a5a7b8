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
      // find: the same ids, -1 for a key never interned, and nothing added.
      for (let i = 0; i < n; i += 7) assert.equal(t.find(...key(i)), i);
      assert.equal(t.find(...key(n)), -1);
      assert.equal(t.find(1, 2, 3, 4), -1);
      assert.equal(t.size, n);
      t.clear();
      assert.equal(t.find(...key(0)), -1);
      assert.equal(t.size, 0);
    }
  });

  it('clears a table a burst grew, key by key, with every slot free afterwards', () => {
    const t = new QuadTable(16);
    for (let i = 0; i < 100_000; i++) t.intern(i, 0, 0, 0);
    for (let round = 0; round < 50; round++) {
      t.clear();
      // Few keys in a big table (the key-by-key clear), colliding runs included: keys 0..n again.
      const n = 1 + round * 37;
      for (let i = 0; i < n; i++) assert.equal(t.intern(i * 65_536, round, 0, 0), i);
      for (let i = 0; i < n; i++) assert.equal(t.intern(i * 65_536, round, 0, 0), i);
      assert.equal(t.size, n);
    }
    t.clear();
    // Nothing of the keys before is found: the last round's keys are new again (in reverse, new ids).
    for (let i = 999; i >= 0; i--) assert.equal(t.intern(i * 65_536, 49, 0, 0), 999 - i);
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
