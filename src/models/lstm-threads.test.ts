import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { ModelError } from '../errors.js';
import { SessionRowAccumulator } from '../features/session-vectors.js';
import { shareRowArrays } from '../features/shared-rows.js';
import { BinStream } from '../sessions/bin-stream.js';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { SessionSequenceLstm } from './lstm.js';
import { CHUNK_SEQUENCES, prestartLstmWorker, scoreOnTwoThreads } from './lstm-threads.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;

/** A reference capture's LSTM rows as the streamed analysis gives them, kept in memory or spilled to a file. */
async function streamedRows(path: string, spillRecords: number) {
  const rows = new SessionRowAccumulator(false, true, { spillRecords });
  const stream = new BinStream({ durationS: 900, warmupS: 0 }, (store, bins) => rows.addBin(store, bins));
  await readCapture(path, (p) => stream.add(p));
  stream.finish();
  return rows.finish();
}

/** The four largest valid reference captures, largest first (HueBridge: 340 sequences, 22 chunks). */
const largest = () =>
  referenceRecords()
    .filter((r) => r.valid)
    .map((r) => referenceCapturePath(r))
    .sort((a, b) => statSync(b).size - statSync(a).size)
    .slice(0, 4);

/**
 * The largest reference capture's rows (spilled past 1,000 records), its sequence count, the Unknown label
 * vector and its abnormality scored on this thread alone: what the two-thread results are compared with.
 */
async function largestScoredOnOneThread() {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  const sessions = await streamedRows(largest()[0]!, 1000);
  const source = sessions.rowSource!;
  const sequences = Math.floor(source.length / 10);
  const label = lstm.labelVector('Unknown')!;
  const one = lstm.score(source, 'Unknown', { thread: false }).abnormality;
  return { lstm, source, sequences, label, one };
}

/** Sequence indexes [from, to), as scoreOnTwoThreads takes them. */
function range(from: number, to: number): Int32Array {
  return Int32Array.from({ length: to - from }, (_, i) => from + i);
}

test('two threads give the single thread abnormality bit for bit (rows in memory, spilled, arrays)', async () => {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  let compared = 0;
  let chunks = 0;
  for (const path of largest()) {
    for (const spill of [1 << 13, 100]) {
      const sessions = await streamedRows(path, spill);
      const source = sessions.rowSource!;
      const sequences = Math.floor(source.length / 10);
      if (sequences < lstm.minSequences) continue;
      const one = lstm.score(source, 'Unknown', { thread: false });
      const two = lstm.score(source, 'Unknown', { thread: true });
      assert.ok(Object.is(two.abnormality, one.abnormality), `${path} spill ${spill}`);
      assert.deepEqual(two, one);
      if (spill === 100) {
        const arrays = lstm.score(sessions.rows, 'Unknown', { thread: true });
        assert.ok(Object.is(arrays.abnormality, one.abnormality), `${path} arrays`);
      }
      compared++;
      chunks = Math.max(chunks, Math.ceil(sequences / CHUNK_SEQUENCES));
    }
  }
  assert.ok(compared >= 6, `${compared} comparisons`);
  assert.ok(chunks > 10, `at most ${chunks} chunks`);
});

test('the worker scores chunks when this thread is busy, and the result is still the same', async () => {
  const { lstm, source, sequences, label, one } = await largestScoredOnOneThread();
  // This thread reads its rows slowly (3 ms each), so the worker starts while chunks are left.
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const slow = {
    length: source.length,
    width: source.width,
    read: (i: number, out: Float64Array) => {
      Atomics.wait(nap, 0, 0, 3);
      source.read(i, out);
    },
  };
  const stats = { chunks: 0, workerChunks: 0 };
  const two = scoreOnTwoThreads(lstm, slow, source.share(), label, range(0, sequences), stats);
  assert.ok(Object.is(two, one), `${two} vs ${one}`);
  assert.ok(stats.workerChunks > 0, `the worker scored ${stats.workerChunks} of ${stats.chunks} chunks`);
});

test('a worker that fails gives one-line error and no hang; a model error keeps its exit code', () => {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  const rows = Array.from({ length: 200 }, (_, i) => {
    const v = new Float64Array(41);
    v[0] = i % 2;
    v[5] = i;
    return v;
  });
  const label = lstm.labelVector('Unknown')!;
  // Rows in a "file" whose descriptor is not open: the worker cannot read them, this thread can.
  const fd = 0x3fffffff;
  const started = Date.now();
  assert.throws(
    () =>
      scoreOnTwoThreads(
        lstm,
        rows,
        { length: 200, width: 41, stored: 11, fd, chunkRows: 64 },
        label,
        range(0, 20),
      ),
    (err: unknown) =>
      err instanceof Error &&
      !(err instanceof ModelError) &&
      /^the LSTM scoring thread failed: .*EBADF/.test(err.message) &&
      !err.message.includes('\n'),
  );
  assert.ok(Date.now() - started < 10_000, 'no hang');
  // Rows of the wrong width (the worker's own ModelError comes back as such, exit code 3).
  const narrow = shareRowArrays(rows, 41);
  assert.throws(
    () => scoreOnTwoThreads(lstm, rows, { ...narrow, width: 40 }, label, range(0, 20)),
    (err: unknown) =>
      err instanceof Error &&
      (err as { exitCode?: number }).exitCode === 3 &&
      /session vector has 40 values/.test(err.message),
  );
});

test('a worker started before the rows exist scores from the first chunks, with the same result', async () => {
  const { lstm, source, sequences, label, one } = await largestScoredOnOneThread();
  // Started, then given the time a capture's reading would give it: its start-up is over when scoring
  // begins, so it claims chunks even though this thread reads its rows at full speed (~0.1 s in all).
  prestartLstmWorker(lstm);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const stats = { chunks: 0, workerChunks: 0 };
  const two = scoreOnTwoThreads(lstm, source, source.share(), label, range(0, sequences), stats);
  assert.ok(Object.is(two, one), `${two} vs ${one}`);
  assert.ok(stats.workerChunks > 0, `the worker scored ${stats.workerChunks} of ${stats.chunks} chunks`);
  // One started for another scorer is not used for this one (a fresh worker is): same result still.
  prestartLstmWorker(SessionSequenceLstm.load(MODEL_PATH));
  const other = scoreOnTwoThreads(lstm, source, source.share(), label, range(0, sequences));
  assert.ok(Object.is(other, one), `${other} vs ${one}`);
});

test('the worker scores what this thread publishes while it is still filling the order, same result', async () => {
  const { lstm, source, sequences, label, one } = await largestScoredOnOneThread();
  prestartLstmWorker(lstm);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const room = new Int32Array(new SharedArrayBuffer(4 * sequences));
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const stats = { chunks: 0, workerChunks: 0 };
  let published = 0;
  // Every sequence but the multiples of 7, published a chunk at a time with a pause: the worker has
  // scored chunks before the last is published.
  const two = scoreOnTwoThreads(lstm, source, source.share(), label, room, stats, (publish) => {
    let n = 0;
    for (let s = 0; s < sequences; s++) {
      if (s % 7 === 0) continue;
      room[n++] = s;
      if (n % CHUNK_SEQUENCES === 0) {
        publish(n);
        published++;
        Atomics.wait(nap, 0, 0, 5);
      }
    }
    return n;
  });
  const kept = Int32Array.from({ length: sequences }, (_, s) => s).filter((s) => s % 7 !== 0);
  const expected = lstm.scoreRange(source, 0, kept.length, label, kept);
  assert.ok(Object.is(two, expected), `${two} vs ${expected}`);
  assert.ok(two <= one);
  assert.equal(stats.chunks, Math.ceil(kept.length / CHUNK_SEQUENCES));
  assert.ok(
    published > 10 && stats.workerChunks > 0,
    `${stats.workerChunks} of ${stats.chunks} by the worker`,
  );
});

test('a fill that fails ends the worker with no hang, and its error is the one thrown', () => {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  const rows = Array.from({ length: 200 }, (_, i) =>
    Float64Array.from({ length: 41 }, (_, k) => (i + k) % 3),
  );
  const shared = shareRowArrays(rows, 41);
  const label = lstm.labelVector('Unknown')!;
  const started = Date.now();
  assert.throws(
    () =>
      scoreOnTwoThreads(
        lstm,
        rows,
        shared,
        label,
        new Int32Array(new SharedArrayBuffer(80)),
        undefined,
        (publish) => {
          publish(0);
          throw new Error('no more rows');
        },
      ),
    /^Error: no more rows$/,
  );
  // An order the worker could not see is refused.
  assert.throws(
    () => scoreOnTwoThreads(lstm, rows, shared, label, new Int32Array(20), undefined, () => 0),
    /not shared memory/,
  );
  assert.ok(Date.now() - started < 10_000, 'no hang');
});
