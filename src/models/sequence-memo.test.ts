import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeCapture } from '../pipeline/analyze.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { SessionSequenceLstm } from './lstm.js';
import type { RowSource } from './lstm-core.js';
import { SequenceMemo } from './sequence-memo.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;
const lstm = SessionSequenceLstm.load(MODEL_PATH);
const WIDTH = 41;
const SEQ = 10;

function row(...values: number[]): Float64Array {
  const r = new Float64Array(WIDTH);
  r.set(values);
  return r;
}

/** Checks the sequence of `rows` against the memo (and remembers it when new). */
function seen(memo: SequenceMemo, rows: readonly Float64Array[]): boolean {
  for (const [t, r] of rows.entries()) memo.setRow(t, r);
  return memo.seenBefore();
}

test('a sequence counts as seen only when every row is bit for bit one seen in that place', () => {
  const memo = new SequenceMemo(WIDTH, SEQ);
  const a = row(1, 0, 0, 1, 0, 60, 52, 1, 1, 1, 1);
  const b = row(0, 1, 0, 1, 0, 1500, 40, 12, 9, 3.5, 2.25);
  const base = [a, b, a, a, b, a, a, a, b, a];
  assert.equal(seen(memo, base), false);
  assert.equal(seen(memo, base), true);
  assert.equal(
    seen(
      memo,
      base.map((r) => r.slice()),
    ),
    true,
    'equal copies',
  );
  // One value one ulp away, a −0 for a 0, two rows swapped, a value in the last column: all new.
  const ulp = b.slice();
  ulp[9] = 3.5000000000000004;
  const negativeZero = a.slice();
  negativeZero[2] = -0;
  const lastColumn = a.slice();
  lastColumn[WIDTH - 1] = 1;
  for (const [name, rows] of [
    ['ulp', [a, ulp, a, a, b, a, a, a, b, a]],
    ['-0', [a, b, a, a, b, a, a, a, b, negativeZero]],
    ['swapped', [b, a, a, a, b, a, a, a, b, a]],
    ['last column', [a, b, a, a, b, a, a, a, b, lastColumn]],
  ] as const) {
    assert.equal(seen(memo, rows), false, name);
    assert.equal(seen(memo, rows), true, `${name} again`);
  }
  assert.equal(memo.checked, 11);
  assert.equal(memo.repeats, 6);
});

test('past its bounds the memo remembers nothing new, so the new is always scored', () => {
  const rows = Array.from({ length: 12 }, (_, i) => row(i));
  // Three distinct rows at most: a sequence with a fourth is never taken for a repeat.
  const fewRows = new SequenceMemo(WIDTH, SEQ, 3);
  const three = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0].map((i) => rows[i]!);
  const four = [0, 1, 2, 3, 1, 2, 0, 1, 2, 0].map((i) => rows[i]!);
  assert.equal(seen(fewRows, three), false);
  assert.equal(seen(fewRows, three), true);
  assert.equal(seen(fewRows, four), false);
  assert.equal(seen(fewRows, four), false);
  // One sequence at most: the second one is scored every time.
  const oneSequence = new SequenceMemo(WIDTH, SEQ, 100, 1);
  assert.equal(seen(oneSequence, three), false);
  assert.equal(seen(oneSequence, four), false);
  assert.equal(seen(oneSequence, four), false);
  assert.equal(seen(oneSequence, three), true);
  // Growth past the first capacity keeps every entry findable (2,000 sequences of 30 rows: i's digits).
  const many = new SequenceMemo(WIDTH, SEQ);
  const sequence = (i: number) => Array.from({ length: SEQ }, (_, t) => row(t, Math.floor(i / 3 ** t) % 3));
  for (let i = 0; i < 2000; i++) assert.equal(seen(many, sequence(i)), false);
  for (let i = 0; i < 2000; i++) assert.equal(seen(many, sequence(i)), true, `sequence ${i}`);
  // Row ids up to the row cap (16,384), two to a key word: sequences of overlapping windows of 16,000
  // distinct rows, each told apart from its neighbours, then each found again.
  const wide = new SequenceMemo(WIDTH, SEQ);
  const distinctRows = Array.from({ length: 16_000 }, (_, i) => row(i + 0.5));
  const windowAt = (i: number) => distinctRows.slice(i, i + SEQ);
  for (let i = 0; i + SEQ <= distinctRows.length; i += 7)
    assert.equal(seen(wide, windowAt(i)), false, `${i}`);
  for (let i = 0; i + SEQ <= distinctRows.length; i += 7)
    assert.equal(seen(wide, windowAt(i)), true, `${i} again`);
  assert.equal(seen(wide, windowAt(3)), false, 'a window never seen');
});

test('a clone knows what its original knew, and each learns on its own after', () => {
  const memo = new SequenceMemo(WIDTH, SEQ);
  const x = Array.from({ length: SEQ }, (_, t) => row(t));
  const y = Array.from({ length: SEQ }, (_, t) => row(t, 1));
  seen(memo, x);
  const copy = memo.clone();
  assert.equal(seen(copy, y), false);
  assert.equal(seen(copy, x), true);
  assert.equal(seen(memo, y), false, 'the original did not learn the clone’s sequence');
});

/** Rows in a RowSource, as the streamed analysis hands them out. */
function source(rows: readonly Float64Array[]): RowSource {
  return { length: rows.length, width: WIDTH, read: (i, out) => out.set(rows[i]!) };
}

/** The maximum over every sequence, each scored: what the reference computes. */
function everySequence(rows: RowSource | readonly Float64Array[], label: string): number {
  return lstm.scoreRange(rows, 0, Math.floor(rows.length / SEQ), lstm.labelVector(label)!);
}

test('leaving repeats out gives the abnormality of scoring every sequence, bit for bit', async () => {
  // Repetitive real captures (the engineering station's: 13 of its 30 sequences repeat), and others.
  const paths = [
    ...readdirSync(`${TEST_DATA}melsec`)
      .filter((f) => f.endsWith('.pcap'))
      .map((f) => `${TEST_DATA}melsec/${f}`),
    `${TEST_DATA}reference/captures/HueBridge-sentinel-Mon0000-n00.pcap`,
  ];
  let skipped = 0;
  for (const path of paths) {
    const { sessions } = await analyzeCapture(path, {});
    const rows = sessions.rowSource!;
    const sequences = Math.floor(rows.length / SEQ);
    for (const label of lstm.labelOrder) {
      for (const thread of [false, true]) {
        let scored = -1;
        const got = lstm.score(rows, label, { thread, stats: (n) => (scored = n) });
        if (!got.scored) continue;
        assert.ok(Object.is(got.abnormality, everySequence(rows, label)), `${path} ${label} ${thread}`);
        assert.ok(scored >= 0 && scored <= sequences);
        if (label === lstm.labelOrder[0] && !thread) skipped += sequences - scored;
      }
    }
  }
  assert.ok(skipped >= 13, `${skipped} repeats left out`);
});

test('a sequence that differs from a repeated one only in its last value is scored (it holds the maximum)', () => {
  // Sequences of row a, then a sequence of nine a and one row b whose scores top theirs: a memo that
  // looked at fewer rows or values would take it for a repeat and miss the maximum.
  const a = row(1, 0, 0, 1, 0, 60, 60, 1, 1, 1, 1);
  const label = lstm.labelOrder[0]!;
  const vector = lstm.labelVector(label)!;
  const plain = Array.from({ length: SEQ }, () => a);
  const base = lstm.scoreSequence(plain, 0, vector);
  let b: Float64Array | null = null;
  for (let v = 1; v < 5000 && b === null; v *= 1.5) {
    const candidate = a.slice();
    candidate[10] = v;
    if (lstm.scoreSequence([...plain.slice(0, SEQ - 1), candidate], 0, vector) > base) b = candidate;
  }
  assert.ok(b !== null, 'a last row that raises the score');
  const rows = [...plain, ...plain, ...plain, ...plain.slice(0, SEQ - 1), b, ...plain, ...plain];
  for (const sessions of [rows, source(rows)]) {
    let scored = -1;
    const got = lstm.score(sessions, label, { stats: (n) => (scored = n) });
    assert.equal(scored, 2, 'the plain sequence once, the one with b once');
    assert.ok(Object.is(got.abnormality, everySequence(sessions, label)));
    assert.ok(got.abnormality > base);
  }
});
