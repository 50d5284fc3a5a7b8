import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelError } from '../errors.js';
import { SessionSequenceLstm, type SosLstmModelFile, sosLstmModelSchema } from './lstm.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;

function loadRaw(): SosLstmModelFile {
  return JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as SosLstmModelFile;
}

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** Independent re-implementation: plain nested arrays, full concat(x, h) · K product, no skipping. */
function referenceScores(model: SosLstmModelFile, seq: number[][], labelIndex: number): number[] {
  const H = model.rnn_size;
  let c = new Array<number>(H).fill(0);
  let h = new Array<number>(H).fill(0);
  const out: number[] = [];
  for (const x of seq) {
    const xh = [...x, ...h];
    const zz = model.lstm_bias.map(
      (b, g) => b + xh.reduce((acc, v, k) => acc + v * model.lstm_kernel[k]![g]!, 0),
    );
    const nc = c.map((cu, u) => cu * sig(zz[2 * H + u]! + 1.0) + sig(zz[u]!) * Math.tanh(zz[H + u]!));
    h = nc.map((cu, u) => sig(zz[3 * H + u]!) * Math.tanh(cu));
    c = nc;
    const logits = model.dense_bias.map(
      (b, l) => b + h.reduce((acc, v, u) => acc + v * model.dense_kernel[u]![l]!, 0),
    );
    out.push(sig(logits[labelIndex]!));
  }
  return out;
}

/** Session-like vectors: 0/1 flags, byte counts, packet counts, rates, sparse port one-hots. */
function randomSession(r: () => number): number[] {
  const v = new Array<number>(41).fill(0);
  v[0] = r() < 0.5 ? 1 : 0;
  v[1] = r() < 0.3 ? 1 : 0;
  v[2 + Math.floor(r() * 3)] = 1;
  v[5] = Math.floor(r() * 1500);
  v[6] = Math.floor(r() * 1500);
  v[7] = Math.floor(r() * 50);
  v[8] = Math.floor(r() * 50);
  v[9] = r() * 10;
  v[10] = r() * 10;
  if (r() < 0.3) v[11 + Math.floor(r() * 15)] = 1;
  if (r() < 0.3) v[26 + Math.floor(r() * 15)] = 1;
  return v;
}

test('loads the shared v0.4.8 model: 41 inputs, 100 units, 13 labels', () => {
  const m = SessionSequenceLstm.load(MODEL_PATH);
  assert.equal(m.inputSize, 41);
  assert.equal(m.rnnSize, 100);
  assert.equal(m.seqLen, 10);
  assert.equal(m.labelOrder.length, 13);
  assert.equal(m.labelOrder[12], 'Unknown');
});

test('accepts our networkml-model wrapper around the original fields', () => {
  const { format: _format, ...fields } = loadRaw();
  const m = SessionSequenceLstm.fromJSON({
    format: 'networkml-model',
    version: 1,
    kind: 'sos-lstm',
    ...fields,
  });
  assert.equal(m.inputSize, 41);
});

test('per-step scores equal an independent nested-array implementation on random sequences', () => {
  const raw = loadRaw();
  const m = new SessionSequenceLstm(raw);
  const r = rng(42);
  let worst = 0;
  for (let trial = 0; trial < 12; trial++) {
    const seq = Array.from({ length: 10 }, () => randomSession(r));
    const labelIndex = trial % 13;
    const expected = referenceScores(raw, seq, labelIndex);
    const got = new Float64Array(10);
    const max = m.scoreSequence(
      seq.map((s) => Float64Array.from(s)),
      0,
      m.labelVector(raw.label_order[labelIndex]!)!,
      got,
    );
    for (let t = 0; t < 10; t++) worst = Math.max(worst, Math.abs(got[t]! - expected[t]!));
    assert.equal(max, Math.max(...got));
  }
  assert.ok(worst < 1e-12, `max deviation ${worst}`);
});

test('hand-computed 1-unit cell: forget bias 1, recurrence, label weighting', () => {
  // 11 inputs (no ports), one unit, labels A/B. Input 0 drives j only; h feeds back into o with weight 2.
  const kernel = Array.from({ length: 12 }, () => [0, 0, 0, 0]);
  kernel[0] = [0, 1, 0, 0];
  kernel[11] = [0, 0, 0, 2];
  const model: SosLstmModelFile = {
    format: 'networkml-v0.4.8-sos-lstm',
    label_order: ['A', 'B'],
    ports: [],
    seq_len: 2,
    rnn_size: 1,
    lstm_kernel: kernel,
    lstm_bias: [0, 0, 0, 0],
    dense_kernel: [[2, -1]],
    dense_bias: [0.5, 0],
  };
  const m = new SessionSequenceLstm(model);
  const x = new Float64Array(11);
  x[0] = 1;
  const c1 = 0.5 * Math.tanh(1);
  const h1 = 0.5 * Math.tanh(c1);
  const c2 = c1 * sig(1) + 0.5 * Math.tanh(1);
  const h2 = sig(2 * h1) * Math.tanh(c2);
  const scores = new Float64Array(2);
  m.scoreSequence([x, x], 0, m.labelVector('A')!, scores);
  assert.ok(Math.abs(scores[0]! - sig(2 * h1 + 0.5)) < 1e-15);
  assert.ok(Math.abs(scores[1]! - sig(2 * h2 + 0.5)) < 1e-15);
  m.scoreSequence([x, x], 0, m.labelVector('B')!, scores);
  assert.ok(Math.abs(scores[1]! - sig(-h2)) < 1e-15);
});

test('capture score: max over all complete sequences; a trailing partial sequence is dropped', () => {
  const raw = loadRaw();
  const m = new SessionSequenceLstm(raw);
  const r = rng(7);
  const sessions = Array.from({ length: 67 }, () => randomSession(r));
  const label = 'Printer';
  const li = raw.label_order.indexOf(label);
  let expected = 0;
  for (let s = 0; s + 10 <= sessions.length; s += 10) {
    expected = Math.max(expected, ...referenceScores(raw, sessions.slice(s, s + 10), li));
  }
  const got = m.score(
    sessions.map((s) => Float64Array.from(s)),
    label,
  );
  assert.equal(got.scored, true);
  assert.equal(got.sequences, 6);
  assert.ok(Math.abs(got.abnormality - expected) < 1e-12);
  assert.equal(got.behavior, got.abnormality > 0.99 ? 'abnormal' : 'normal');
  // Changing only the dropped tail changes nothing.
  const tail = sessions.map((s) => Float64Array.from(s));
  tail[66]![5] = 99999;
  assert.equal(m.score(tail, label).abnormality, got.abnormality);
});

test('fewer than 6 sequences: not scored, 0.0, with a note', () => {
  const m = SessionSequenceLstm.load(MODEL_PATH);
  const r = rng(1);
  const sessions = Array.from({ length: 59 }, () => Float64Array.from(randomSession(r)));
  const got = m.score(sessions, 'Unknown');
  assert.deepEqual(got, {
    abnormality: 0,
    behavior: 'normal',
    sequences: 5,
    scored: false,
    note: 'fewer than 6 session sequences (5)',
  });
  assert.equal(m.score([], 'Unknown').note, 'fewer than 6 session sequences (0)');
});

test('threshold decides behavior', () => {
  const r = rng(3);
  const sessions = Array.from({ length: 60 }, () => Float64Array.from(randomSession(r)));
  const a = SessionSequenceLstm.load(MODEL_PATH, { threshold: 0 }).score(sessions, 'Printer');
  assert.equal(a.behavior, 'abnormal');
  const b = SessionSequenceLstm.load(MODEL_PATH, { threshold: 1 }).score(sessions, 'Printer');
  assert.equal(b.behavior, 'normal');
});

test('refuses corrupt model files with ModelError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-'));
  const raw = loadRaw();
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: Array<[string, string]> = [
    ['missing.json', ''],
    ['notjson.json', '{"format": '],
    ['foreign.json', JSON.stringify({ format: 'something-else' })],
    ['shape.json', JSON.stringify({ ...raw, lstm_kernel: raw.lstm_kernel.slice(1) })],
    [
      'row.json',
      JSON.stringify({ ...raw, dense_kernel: [raw.dense_kernel[0]!.slice(1), ...raw.dense_kernel.slice(1)] }),
    ],
    ['bias.json', JSON.stringify({ ...raw, lstm_bias: raw.lstm_bias.slice(3) })],
    [
      'infinite.json',
      JSON.stringify({ ...raw, dense_bias: [] }).replace(
        '"dense_bias":[]',
        `"dense_bias":[1e999${',0'.repeat(12)}]`,
      ),
    ],
    ['null.json', JSON.stringify({ ...raw, dense_bias: [null, ...raw.dense_bias.slice(1)] })],
  ];
  for (const [name, text] of cases) {
    const p = name === 'missing.json' ? join(dir, name) : write(name, text);
    assert.throws(
      () => SessionSequenceLstm.load(p),
      (err: unknown) => err instanceof ModelError && !err.message.includes('\n'),
      name,
    );
  }
  // Worded as every other model file that cannot be read: the path first.
  assert.throws(() => SessionSequenceLstm.load(join(dir, 'missing.json')), {
    message: `${join(dir, 'missing.json')}: cannot read model (ENOENT: no such file or directory, open '${join(dir, 'missing.json')}')`,
  });
});

test('a session vector of the wrong length is refused', () => {
  const m = SessionSequenceLstm.load(MODEL_PATH);
  const sessions = Array.from({ length: 60 }, () => new Float64Array(40));
  assert.throws(() => m.score(sessions, 'Printer'), ModelError);
});

test('an unknown top label is reported, not scored', () => {
  const m = SessionSequenceLstm.load(MODEL_PATH);
  const sessions = Array.from({ length: 60 }, () => new Float64Array(41));
  const got = m.score(sessions, 'Toaster');
  assert.equal(got.scored, false);
  assert.equal(got.abnormality, 0);
  assert.match(got.note!, /Toaster/);
});

test('abnormality equals NetworkML v0.4.8 on every reference capture (sessions from the capture itself)', async () => {
  const { analyzeCapture } = await import('../pipeline/analyze.js');
  const { referenceCapturePath, referenceRecords } = await import('../test-helpers/reference.js');
  const m = SessionSequenceLstm.load(MODEL_PATH);
  for (const ref of referenceRecords()) {
    if (!ref.valid) continue;
    const analysis = await analyzeCapture(referenceCapturePath(ref), {});
    const got = m.score(analysis.sessions.rows, ref.predictions![0]![0]);
    if (ref.abnormality === undefined) {
      // The reference could not score (train_test_split raised): 0.0, reported as such.
      assert.equal(got.scored, false, ref.pcap);
      assert.equal(got.abnormality, 0, ref.pcap);
      assert.match(got.note!, /^fewer than 6 session sequences \(\d\)$/, ref.pcap);
      assert.match(ref.sos_error ?? '', /n_samples=\d/, ref.pcap);
      continue;
    }
    assert.equal(got.sequences, ref.sos_sequences, `${ref.pcap} sequences`);
    assert.equal(got.scored, true, ref.pcap);
    assert.ok(
      Math.abs(got.abnormality - ref.abnormality) <= 1e-6,
      `${ref.pcap}: ${got.abnormality} vs ${ref.abnormality} (|Δ| ${Math.abs(got.abnormality - ref.abnormality)})`,
    );
  }
});

test('the sos-lstm schema refuses a bad weight anywhere, naming where, and accepts the files as they are', () => {
  const raw = loadRaw() as unknown as Record<string, unknown>;
  const wrapped = { ...raw, format: 'networkml-model', version: 1, kind: 'sos-lstm', checksum: 'x' };
  const kernel = raw.lstm_kernel as number[][];
  const withKernel = (k: unknown) => ({ ...raw, lstm_kernel: k });
  const withCell = (r: number, c: number, v: unknown) =>
    withKernel(kernel.map((row, i) => (i === r ? row.map((x, j) => (j === c ? v : x)) : row)));
  const accepted: Array<[string, unknown]> = [
    ['original', raw],
    ['wrapped', wrapped],
    ['empty kernel', withKernel([])],
    ['empty rows', withKernel([[], []])],
    ['-0', withCell(1, 1, -0)],
  ];
  for (const [name, doc] of accepted) {
    const parsed = sosLstmModelSchema().safeParse(doc);
    assert.ok(parsed.success, name);
    // What the scorer reads is the file's own (only the envelope's checksum is dropped).
    assert.deepEqual(parsed.data.lstm_kernel, (doc as { lstm_kernel: unknown }).lstm_kernel, name);
  }
  // The message a user gets (SessionSequenceLstm.fromJSON) names the entry at fault.
  const refused: Array<[string, unknown, RegExp]> = [
    ['NaN', withCell(3, 7, Number.NaN), /at lstm_kernel\.3\.7: not a finite number/],
    [
      'Infinity',
      withCell(140, 399, Number.POSITIVE_INFINITY),
      /at lstm_kernel\.140\.399: not a finite number/,
    ],
    [
      '-Infinity in the dense kernel',
      { ...raw, dense_kernel: [[Number.NEGATIVE_INFINITY]] },
      /dense_kernel\.0\.0/,
    ],
    ['a string', withCell(0, 0, '0.5'), /lstm_kernel\.0\.0: not a finite number/],
    ['null', withCell(5, 0, null), /lstm_kernel\.5\.0: not a finite number/],
    ['a bias', { ...raw, lstm_bias: [0, Number.NaN] }, /lstm_bias\.1: not a finite number/],
    [
      'a row not an array',
      withKernel([...kernel.slice(0, 2), 7, ...kernel.slice(3)]),
      /lstm_kernel\.2: expected an array/,
    ],
    [
      'the kernel not an array',
      withKernel({ 0: kernel[0] }),
      /at lstm_kernel: .*expected array, received object/,
    ],
    ['the kernel missing', withKernel(undefined), /at lstm_kernel: .*received undefined/],
    ['a sparse row', withKernel([new Array(3)]), /lstm_kernel\.0\.0: not a finite number/],
    ['an empty label order', { ...raw, label_order: [] }, /at label_order: /],
    ['not an object', 42, /^not a sos-lstm model: .*expected object/],
    ['another format', { format: 'x' }, /at format: /],
  ];
  for (const [name, doc, message] of refused) {
    assert.equal(sosLstmModelSchema().safeParse(doc).success, false, name);
    assert.throws(
      () => SessionSequenceLstm.fromJSON(doc),
      (err: unknown) => err instanceof ModelError && message.test(err.message) && !err.message.includes('\n'),
      name,
    );
  }
  // Our wrapper's own fields are checked too (the bundled file is in it).
  assert.throws(
    () => SessionSequenceLstm.fromJSON({ ...wrapped, version: 2 }),
    (err: unknown) => err instanceof ModelError && /at version: /.test(err.message),
  );
});
