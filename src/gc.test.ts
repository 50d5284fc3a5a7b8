import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { collectGarbage } from './gc.js';

const holder = globalThis as { gc?: () => void };
const own = holder.gc;
after(() => {
  if (own) holder.gc = own;
  else delete holder.gc;
});

describe('collectGarbage', () => {
  it('does nothing without gc() (Node started without --expose-gc)', () => {
    delete holder.gc;
    collectGarbage();
  });

  it('collects only when the heap holds enough to be worth it', () => {
    let calls = 0;
    holder.gc = () => void calls++;
    collectGarbage();
    assert.equal(calls, 0, 'a test process heap is far below the threshold');
    // A stage may ask for less (the anomaly stage: 20 MiB), or more.
    collectGarbage(1);
    assert.equal(calls, 1, 'any heap holds a byte');
    calls = 0;
    // 64 MiB of doubles in a plain array live on V8's heap.
    const big = new Array<number>(8 * 1024 * 1024).fill(0.5);
    collectGarbage();
    assert.equal(calls, 1);
    assert.equal(big.length, 8 * 1024 * 1024);
  });
});
