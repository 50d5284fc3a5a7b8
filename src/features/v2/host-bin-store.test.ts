import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openUnlinkedFile } from '../spill-file.js';
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

  it('reads back the very bits it stored: empty, sparse and dense records, -0 and NaN, after a move', () => {
    // Each kind in turn, so chunks hold a mix; 5 in memory, so most go through the file.
    const kinds = (i: number): Float64Array => {
      const own = new Float64Array(V2_STORED_COUNT);
      const kind = i % 7;
      if (kind === 1) own[(i * 7) % V2_STORED_COUNT] = i + 0.5;
      if (kind === 2) for (let j = 0; j < V2_STORED_COUNT; j += 3) own[j] = -j * 1e-3 - i;
      if (kind === 3) for (let j = 0; j < V2_STORED_COUNT; j++) own[j] = j + i * 1e6;
      // Just as many values as a sparse record is worth, and one more.
      if (kind === 5 || kind === 6)
        for (let j = 0; j < 154 + kind - 5; j++) own[(j * 5 + i) % V2_STORED_COUNT] = -1 - j;
      if (kind === 4) {
        own[0] = -0;
        own[1] = Number.NaN;
        own[V2_STORED_COUNT - 1] = Number.POSITIVE_INFINITY;
        own[V2_STORED_COUNT - 2] = Number.MIN_VALUE;
      }
      return own;
    };
    const bits = (a: Float64Array) => [...new Uint32Array(a.slice().buffer)];
    // Given a file, as on the reader thread, so that it can move to another thread (adopt takes the file).
    const store = new HostBinStore(5, openUnlinkedFile('v2-test'));
    const n = 1337;
    for (let i = 0; i < n; i++) store.add(i, i % 3, i, i + 1, kinds(i));
    // The kinds that are mostly +0 take a few bytes in the file, not a whole record's 1,392.
    const sizes = store.handOver();
    assert.ok(
      sizes.fileBytes < 0.5 * sizes.filed * V2_STORED_COUNT * 8,
      `${sizes.fileBytes} bytes in the file`,
    );
    const moved = HostBinStore.adopt(structuredClone(sizes));
    for (const i of [0, 1, 2, 3, 4, 255, 256, 257, n - 6, n - 1, 700, 3, 1000, 511, 512]) {
      assert.deepEqual(bits(moved.own(i)), bits(kinds(i)), `record ${i}`);
      assert.equal(moved.bin(i), i);
    }
    for (let i = n - 1; i >= 0; i--) assert.deepEqual(bits(moved.own(i)), bits(kinds(i)), `record ${i}`);
    moved.dispose();
  });
});
