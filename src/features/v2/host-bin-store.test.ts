import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostBinStore } from './host-bin-store.js';
import { V2_STORED_COUNT } from './names.js';

function record(i: number): Float64Array {
  const own = new Float64Array(V2_STORED_COUNT);
  for (let j = 0; j < V2_STORED_COUNT; j++) own[j] = Math.sin(i * 1000 + j) * (j % 7 === 0 ? 0 : 1e6);
  return own;
}

describe('HostBinStore', () => {
  it('gives back every record, in memory and from its temporary file, in any order', () => {
    // 3 records in memory: 1,000 records go through the file (and chunks of 256 are read back).
    const store = new HostBinStore(3);
    const n = 1000;
    for (let i = 0; i < n; i++) store.add(i >> 2, i % 4, i * 0.5, i * 0.5 + 1, record(i));
    assert.equal(store.length, n);
    const order = [...Array(n).keys()];
    for (const i of [...order, ...order.reverse(), 5, 900, 5, 999, 0]) {
      assert.deepEqual([...store.own(i)], [...record(i)], `record ${i}`);
      assert.equal(store.bin(i), i >> 2);
      assert.equal(store.key(i), i % 4);
      assert.equal(store.start(i), i * 0.5);
      assert.equal(store.end(i), i * 0.5 + 1);
    }
    assert.equal(store.inMemory(0), false);
    assert.equal(store.inMemory(n - 1), true);
  });

  it('keeps a small capture in memory', () => {
    const store = new HostBinStore();
    for (let i = 0; i < 10; i++) store.add(i, 0, i, i, record(i));
    for (let i = 0; i < 10; i++) {
      assert.ok(store.inMemory(i));
      assert.deepEqual([...store.own(i)], [...record(i)]);
    }
  });
});
