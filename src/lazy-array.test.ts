import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lazyArray } from './lazy-array.js';

describe('lazyArray', () => {
  it('reads like the array it stands for', () => {
    let made = 0;
    const a = lazyArray(5, (i) => {
      made++;
      return { i, sq: i * i };
    });
    assert.equal(a.length, 5);
    assert.ok(Array.isArray(a));
    assert.deepEqual(a[3], { i: 3, sq: 9 });
    assert.equal(a[5], undefined);
    assert.equal(a[-1], undefined);
    assert.ok(3 in a && !(5 in a));
    assert.deepEqual(
      [...a],
      Array.from({ length: 5 }, (_, i) => ({ i, sq: i * i })),
    );
    assert.deepEqual(
      a.map((x) => x.sq),
      [0, 1, 4, 9, 16],
    );
    assert.equal(JSON.stringify(a), JSON.stringify([...a]));
    assert.ok(made >= 4 * 5, 'elements are made when read, not kept');
  });

  it('costs no slot per element (3.7 M elements, as the session rows of the ~11 GB stream)', () => {
    const before = process.memoryUsage().heapUsed;
    const a = lazyArray(3_700_000, (i) => i);
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(a.length, 3_700_000);
    assert.equal(a[3_699_999], 3_699_999);
    // A `new Array(3_700_000)` target alone was 29.6 MB.
    assert.ok(grown < 4 * 1024 * 1024, `${grown} bytes`);
  });
});
