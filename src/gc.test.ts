import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { collectGarbage, GarbagePacer } from './gc.js';

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

describe('GarbagePacer', () => {
  /** A collection that takes `ms` of this thread's time, as a real one of a large heap does. */
  function slowGc(ms: number, calls: { n: number }) {
    return () => {
      calls.n++;
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
  }

  it('keeps its collections to their share of the time; long evaluations each get one', () => {
    const calls = { n: 0 };
    holder.gc = slowGc(10, calls);
    const pacer = new GarbagePacer(1, 0.1);
    const started = performance.now();
    // 400 quick evaluations of ~1 ms each: one collection per evaluation would be 4 s of collections.
    for (let i = 0; i < 400; i++) {
      const end = performance.now() + 1;
      while (performance.now() < end);
      pacer.collect();
    }
    const elapsed = performance.now() - started;
    assert.ok(calls.n >= 2, `${calls.n} collections`);
    // Each starts only while those before took at most a tenth of the time: one more at most.
    assert.ok(
      calls.n * 10 <= 0.1 * elapsed + 10 + 5,
      `${calls.n} collections of 10 ms in ${elapsed.toFixed(0)} ms`,
    );

    // Evaluations that take long next to a collection each get one.
    calls.n = 0;
    const slowPacer = new GarbagePacer(1, 0.1);
    for (let i = 0; i < 5; i++) {
      const end = performance.now() + 200;
      while (performance.now() < end);
      slowPacer.collect();
    }
    assert.equal(calls.n, 5);
  });

  it('does not collect a heap below its threshold, nor without gc()', () => {
    const calls = { n: 0 };
    holder.gc = slowGc(0, calls);
    new GarbagePacer(2 ** 40).collect();
    assert.equal(calls.n, 0);
    delete holder.gc;
    new GarbagePacer(1).collect();
  });
});
