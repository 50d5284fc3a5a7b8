import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonPieces, jsonBytes, writeJsonPieces } from './json-pieces.js';

function pieced(value: unknown, pieceChars?: number): { text: string | undefined; pieces: string[] } {
  const pieces: string[] = [];
  writeJsonPieces(value, (p) => void pieces.push(p), pieceChars);
  return { text: pieces.length ? pieces.join('') : undefined, pieces };
}

/** Values where a hand-written serialiser most easily differs from JSON.stringify. */
function awkward(): Record<string, unknown> {
  const sparse: unknown[] = [1];
  sparse[3] = 2;
  const shared = { s: 1 };
  return {
    unicode: ['é', '日本', '😀', '\ud800', '\udc00x', '\u2028\u2029', '"\\/\b\f\n\r\t\u0000\u001f\u007f'],
    numbers: [0, -0, 1e21, 1e-7, 5e-324, -1.7976931348623157e308, 0.1 + 0.2, NaN, Infinity, -Infinity],
    boxed: [new Number(-0), new String('s"'), new Boolean(false), Object(Symbol('x'))],
    skipped: { u: undefined, f: () => 1, s: Symbol('y'), kept: null },
    inArray: [undefined, () => 1, Symbol('z')],
    sparse,
    nested: [[[]], [[1, [2, [3, {}]]]], { a: { b: { c: [{}] } } }],
    keys: { b: 1, a: 2, 10: 'ten', 2: 'two', '': 'empty', 'k"\n': 'quoted key', __proto__x: 1 },
    dates: [new Date(0), { toJSON: (key: string) => `key=${key}` }],
    toJsonOnce: { toJSON: () => ({ toJSON: () => 'twice' }) },
    toJsonInArray: [
      { toJSON: () => ({ toJSON: () => 'twice' }) },
      { toJSON: (key: string) => ({ key }) },
      [{}],
    ],
    shared: [shared, shared],
    typed: new Float64Array([1.5, -0, NaN]),
    big: Array.from({ length: 3000 }, (_, i) => ({
      t: 1.5e9 + i / 7,
      ip: i % 2 ? '' : `10.0.0.${i}`,
      p: [i / 3],
    })),
  };
}

describe('JsonPieces', () => {
  for (const pieceChars of [1, 7, 1000, undefined]) {
    it(`joins to JSON.stringify's text on awkward values (pieces of ${pieceChars ?? 'default'} chars)`, () => {
      const value = awkward();
      assert.equal(pieced(value, pieceChars).text, JSON.stringify(value));
    });
  }

  it('gives what JSON.stringify gives for top-level primitives and skipped values', () => {
    for (const v of [
      null,
      true,
      false,
      0,
      -0,
      NaN,
      'x',
      '',
      [],
      {},
      new Date(5),
      undefined,
      () => 1,
      Symbol('s'),
    ])
      assert.equal(pieced(v).text, JSON.stringify(v), String(v));
  });

  it('hands out pieces of about the asked size', () => {
    const value = Array.from({ length: 10_000 }, (_, i) => i);
    const { pieces } = pieced(value, 4096);
    assert.ok(pieces.length > 5);
    for (const p of pieces.slice(0, -1))
      assert.ok(p.length >= 4096 && p.length < 4096 + 16, String(p.length));
  });

  it('throws a TypeError on a cycle and on a BigInt, as JSON.stringify does', () => {
    const cyclic: Record<string, unknown> = { a: [1] };
    (cyclic.a as unknown[]).push(cyclic);
    assert.throws(() => JSON.stringify(cyclic), TypeError);
    assert.throws(() => pieced(cyclic), TypeError);
    assert.throws(() => pieced({ n: 10n }), TypeError);
  });

  it('lets a caller pull pieces one at a time', () => {
    const pieces = new JsonPieces({ a: 'x'.repeat(50), b: [1, 2] }, 10);
    const got: string[] = [];
    for (let p = pieces.next(); p !== null; p = pieces.next()) got.push(p);
    assert.equal(got.join(''), JSON.stringify({ a: 'x'.repeat(50), b: [1, 2] }));
    assert.equal(pieces.next(), null);
  });

  it('jsonBytes: the UTF-8 bytes of JSON.stringify, exactly sized', () => {
    const value = awkward();
    const bytes = jsonBytes(value);
    assert.ok(bytes.equals(Buffer.from(JSON.stringify(value), 'utf8')));
  });
});
