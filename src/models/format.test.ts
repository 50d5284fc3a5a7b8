import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ExitCode, ModelError, NetworkmlError } from '../errors.js';
import { calibratedNovelty } from '../training/calibrate.js';
import { fitRankNnModel } from '../training/select.js';
import {
  BUNDLED_FILE_HASHES,
  canonicalJson,
  DEFAULT_MODEL_PATH,
  DEFAULT_SOS_MODEL_PATH,
  documentChecksum,
  loadModel,
  loadModelDocument,
  modelFileHash,
  parseModelDocument,
  saveModel,
  sha256Hex,
} from './format.js';
import { HOST_FOOTPRINT_MODEL_PATH } from './host-footprint.js';
import { calibrationRank, fitNovelty, noveltyScore } from './novelty.js';
import { Rng } from './rng.js';
import {
  applyUnknownThreshold,
  captureNovelty,
  isUnknown,
  type OneLayerRoleModel,
  predictBins,
  predictCapture,
  type RoleModel,
  trainRoleModel,
} from './role-model.js';

const dir = mkdtempSync(join(tmpdir(), 'nml-format-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sparse 4,104-wide bins: each class uses its own few destination ports and ratio features. */
function syntheticBins(perClass: number, classes: string[], seed: number) {
  const rng = new Rng(seed);
  const rows: Float64Array[] = [];
  const labels: string[] = [];
  classes.forEach((label, c) => {
    for (let i = 0; i < perClass; i++) {
      const x = new Float64Array(4104);
      x[1024 + 53] = rng.next() * 0.3;
      x[1024 + 100 + c * 7] = 0.3 + rng.next() * 0.4;
      x[3072 + 200 + c * 11] = rng.next() < 0.8 ? 0.2 + rng.next() * 0.3 : 0;
      x[4096] = c % 2 === 0 ? 1 : rng.next() * 0.2;
      x[4097] = rng.next();
      rows.push(x);
      labels.push(label);
    }
  });
  return { rows, labels };
}

const data = syntheticBins(12, ['Printer', 'Camera', 'Hub'], 1);
const onelayer = trainRoleModel(data.rows, data.labels, {
  algorithm: 'onelayer',
  seed: 3,
  maxIter: 300,
}).model;
const forest = trainRoleModel(data.rows, data.labels, {
  algorithm: 'randomforest',
  seed: 3,
  nEstimators: 20,
}).model;

function roundTrip(model: RoleModel, name: string): RoleModel {
  const path = join(dir, name);
  const hash = saveModel(path, model);
  assert.equal(hash, modelFileHash(path));
  const back = loadModel(path);
  assert.equal(back.hash, hash);
  return back.model;
}

test('role models round-trip through the file format with identical predictions', () => {
  for (const [m, name] of [
    [onelayer, 'one.json'],
    [forest, 'rf.json'],
  ] as const) {
    const back = roundTrip(m, name);
    assert.equal(back.kind, m.kind);
    assert.deepEqual(back.labels, m.labels);
    assert.deepEqual(back.selected, m.selected);
    assert.deepEqual(back.training, m.training);
    assert.deepEqual(predictBins(back, data.rows), predictBins(m, data.rows));
    assert.deepEqual(predictCapture(back, data.rows.slice(0, 3)), predictCapture(m, data.rows.slice(0, 3)));
  }
  // no temp file left behind by the atomic write
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('the novelty rule round-trips and decides Unknown from the capture, not the probabilities', () => {
  const columns = Int32Array.from([1024 + 53, 1024 + 100, 1024 + 107, 1024 + 114, 4096, 4097]);
  const novelty = fitNovelty(columns, data.rows);
  novelty.threshold = 0.2;
  const m: RoleModel = { ...forest, novelty, unknownRate: 0.02 };
  const back = roundTrip(m, 'novelty.json');
  assert.ok(back.novelty);
  assert.deepEqual(back.novelty.columns, columns);
  assert.deepEqual(back.novelty.points, novelty.points);
  assert.equal(back.novelty.threshold, 0.2);
  assert.equal(back.novelty.neighbours, 3);
  const near = [data.rows[0]!];
  const far = [Float64Array.from(data.rows[0]!, (v, f) => (columns.includes(f) ? v + 5 : v))];
  assert.equal(captureNovelty(back, near), captureNovelty(m, near));
  // captureNovelty is in units of the threshold: above 1 is Unknown.
  assert.ok(captureNovelty(back, near)! <= 1, 'a training capture is not novel');
  assert.ok(captureNovelty(back, far)! > 1, 'one beyond every training value is');
  assert.equal(isUnknown(back, 0.99, 0.01, captureNovelty(back, far)), true);
  assert.equal(isUnknown(back, 0.2, 0.1, captureNovelty(back, near)), false);
  assert.throws(() => isUnknown(back, 0.99, 0.01), /needs the capture's novelty/);
  const ranked: [string, number][] = [
    ['Hub', 0.9],
    ['Camera', 0.1],
  ];
  assert.equal(applyUnknownThreshold(back, ranked, captureNovelty(back, far))[0]![0], 'Unknown');
  assert.equal(applyUnknownThreshold(back, ranked, captureNovelty(back, near))[0]![0], 'Hub');
  // Unknown's confidence: 1 − top without a rank (a one-rule reference), the capture's rank with one.
  assert.deepEqual(applyUnknownThreshold(back, ranked, captureNovelty(back, far)), [
    ['Unknown', 1 - 0.9],
    ...ranked,
  ]);
  assert.deepEqual(applyUnknownThreshold(back, ranked, { ratio: 1.4, rank: 0.99, beyond: 2 }), [
    ['Unknown', 0.99],
    ...ranked,
  ]);
  assert.deepEqual(applyUnknownThreshold(back, ranked, { ratio: 0.8, rank: 0.7, beyond: 0.6 }), ranked);
  // A reference whose points do not match its columns is refused like any other bad shape.
  const doc = JSON.parse(readFileSync(join(dir, 'novelty.json'), 'utf8')) as Record<string, unknown> & {
    novelty: { points: number[][] };
  };
  doc.novelty.points[1]!.pop();
  doc.checksum = documentChecksum(doc);
  expectModelError(JSON.stringify(doc), /novelty points must have 6 values/);
});

test('nearest-type labels and the jointly calibrated secondary (service-role) rule round-trip; bad ones are refused', () => {
  const columns = Int32Array.from([1024 + 53, 1024 + 100, 1024 + 107, 1024 + 114, 4096, 4097]);
  const service = Int32Array.from([4096, 4097]);
  const caps = data.rows.map((r, i) => ({ name: `c${i}`, label: data.labels[i]!, rows: [r] }));
  const { reference: novelty } = calibratedNovelty(caps, columns, 0.02, service);
  const m: RoleModel = { ...forest, novelty, unknownRate: 0.02 };
  const back = roundTrip(m, 'novelty-secondary.json');
  assert.ok(back.novelty?.secondary);
  assert.deepEqual(back.novelty.labels, novelty.labels);
  assert.deepEqual(back.novelty.secondary.columns, service);
  assert.deepEqual(back.novelty.secondary.labels, novelty.labels);
  assert.equal(back.novelty.secondary.threshold, novelty.secondary!.threshold);
  assert.deepEqual(back.novelty.calibration, novelty.calibration);
  assert.deepEqual(back.novelty.secondary.calibration, novelty.secondary!.calibration);
  assert.equal(back.novelty.jointThreshold, novelty.jointThreshold);
  for (const i of [0, 7, 30]) {
    const x = [Float64Array.from(data.rows[i]!, (v, f) => (f === 4096 ? v + 0.3 : v))];
    assert.equal(captureNovelty(back, x), captureNovelty(m, x));
  }
  // Only the service-role columns moved beyond every training value: that rule calls it Unknown.
  const flipped = [Float64Array.from(data.rows[0]!, (v, f) => (f === 4096 || f === 4097 ? v + 50 : v))];
  const sec = back.novelty.secondary;
  assert.equal(calibrationRank(sec.calibration!, noveltyScore(sec, flipped[0]!)), 1, 'above all its scores');
  assert.equal(isUnknown(back, 0.99, 0.01, captureNovelty(back, flipped)), true);
  assert.equal(isUnknown(back, 0.99, 0.01, captureNovelty(back, [data.rows[0]!])), false);
  const doc = JSON.parse(readFileSync(join(dir, 'novelty-secondary.json'), 'utf8')) as Record<
    string,
    unknown
  > & {
    novelty: { secondary: { columns: number[] }; labels: number[]; jointThreshold?: number };
  };
  const refused = (edit: (d: typeof doc) => void, why: RegExp) => {
    const d = JSON.parse(JSON.stringify(doc)) as typeof doc;
    edit(d);
    d.checksum = documentChecksum(d);
    expectModelError(JSON.stringify(d), why);
  };
  refused((d) => {
    d.novelty.secondary.columns = [5];
  }, /secondary novelty column is not a novelty column/);
  refused((d) => {
    d.novelty.labels.pop();
  }, /one label per point/);
  refused((d) => {
    delete d.novelty.jointThreshold;
  }, /needs calibration scores and a joint threshold/);
  refused((d) => {
    (d.novelty as Record<string, unknown>).secondaryMargin = 0.5;
  }, /secondary margin below 1/);
  // The secondary margin round-trips; without one nothing is written, as before it existed.
  const withMargin: RoleModel = { ...m, novelty: { ...novelty, secondaryMargin: 1.25 } };
  const back2 = roundTrip(withMargin, 'novelty-margin.json');
  assert.equal(back2.novelty?.secondaryMargin, 1.25);
  const plain: RoleModel = { ...m, novelty: { ...novelty, secondaryMargin: 1 } };
  const back3 = roundTrip(plain, 'novelty-nomargin.json');
  assert.equal(back3.novelty?.secondaryMargin, 1);
  assert.equal(
    'secondaryMargin' in
      (JSON.parse(readFileSync(join(dir, 'novelty-nomargin.json'), 'utf8')) as typeof doc).novelty,
    false,
  );
  for (const i of [0, 7, 30]) {
    const x = [Float64Array.from(data.rows[i]!, (v, f) => (f === 4096 ? v + 0.3 : v))];
    assert.equal(captureNovelty(back2, x), captureNovelty(withMargin, x));
    assert.equal(captureNovelty(back3, x), captureNovelty(plain, x));
  }
});

test('a nearest-capture (ranknn) model round-trips with identical probabilities; bad label indices are refused', () => {
  const caps = data.rows.map((r, i) => ({ name: `c${i}`, label: data.labels[i]!, rows: [r] }));
  // The rows are compat-wide (4,104 features): a v2 model of that width is refused as a file.
  const m = fitRankNnModel(caps, { semantics: 'compat' });
  const back = roundTrip(m, 'ranknn.json');
  assert.equal(back.kind, 'ranknn');
  assert.deepEqual(predictBins(back, data.rows), predictBins(m, data.rows));
  const doc = JSON.parse(readFileSync(join(dir, 'ranknn.json'), 'utf8')) as Record<string, unknown> & {
    rankNn: { pointLabels: number[] };
  };
  doc.rankNn.pointLabels[0] = 9;
  doc.checksum = documentChecksum(doc);
  expectModelError(JSON.stringify(doc), /ranknn needs one label index below 4 per point/);
});

function expectModelError(text: string, pattern: RegExp): void {
  const path = join(dir, 'bad.json');
  writeFileSync(path, text);
  assert.throws(
    () => loadModel(path),
    (err: unknown) => err instanceof ModelError && pattern.test(err.message) && !err.message.includes('\n'),
  );
}

test('a binary file given as a model is named, not quoted: no control bytes reach the terminal', () => {
  const good = readFileSync(DEFAULT_MODEL_PATH);
  const capture = readFileSync(
    fileURLToPath(new URL('../../test-data/iot-sentinel/setups/Aria-A1-Mon0000-n00.pcap', import.meta.url)),
  );
  for (const [bytes, reason] of [
    [gzipSync(good), 'a gzip-compressed file, not JSON: decompress it first'],
    [capture, 'a binary file, not JSON'],
  ] as const) {
    const path = join(dir, 'binary.json');
    writeFileSync(path, bytes);
    assert.throws(
      () => loadModel(path),
      (err: unknown) =>
        err instanceof ModelError &&
        err.message === `${path}: not a networkml model (${reason})` &&
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
        !/[\u0000-\u001f\u007f\ufffd]/.test(err.message),
    );
  }
});

test('corrupt, foreign and unsupported files are refused with one-line ModelErrors', () => {
  const good = readFileSync(DEFAULT_MODEL_PATH, 'utf8');
  expectModelError(good.slice(0, good.length / 2), /not a networkml model \(invalid JSON/);
  expectModelError('{"foo": 1}', /not a networkml model \(no "format" field\)/);
  expectModelError('[1,2,3]', /not a networkml model \(not a JSON object\)/);
  expectModelError(
    '{"format": "networkml-v0.4.8-onelayer", "labels": []}',
    /not a networkml model \(format "networkml-v0.4.8-onelayer"\)/,
  );
  const doc = JSON.parse(good);
  expectModelError(JSON.stringify({ ...doc, version: 2 }), /unsupported model version 2/);
  // one weight changed in the last digit
  const flipped = structuredClone(doc);
  flipped.weights.w1[3][7] = flipped.weights.w1[3][7] === 0 ? 1e-300 : -flipped.weights.w1[3][7];
  assert.notEqual(flipped.weights.w1[3][7], doc.weights.w1[3][7]);
  expectModelError(JSON.stringify(flipped), /corrupt model: checksum mismatch/);
  // a correctly checksummed file with inconsistent shapes
  const shapes = structuredClone(doc);
  shapes.weights.b1.pop();
  shapes.checksum = documentChecksum(shapes);
  expectModelError(JSON.stringify(shapes), /bad shapes: b1 must have 32 values/);
  const outOfRange = structuredClone(doc);
  outOfRange.selected[0] = 5000;
  outOfRange.checksum = documentChecksum(outOfRange);
  expectModelError(JSON.stringify(outOfRange), /a selected feature is >= 4104/);
  // checksummed, shapes consistent, but not the width of any feature set: refused once, not per capture
  for (const [semantics, count] of [
    ['v2', 4104],
    ['compat', 4105],
  ] as const) {
    const width = structuredClone(doc);
    width.features = { ...width.features, semantics, count };
    width.normalisation.means = Array.from({ length: count }, (_, i) => doc.normalisation.means[i] ?? 0);
    width.normalisation.stds = Array.from({ length: count }, (_, i) => doc.normalisation.stds[i] ?? 1);
    width.checksum = documentChecksum(width);
    expectModelError(
      JSON.stringify(width),
      new RegExp(`bad shapes: ${count} features is not a count of the ${semantics} feature set`),
    );
  }
  const nan = structuredClone(doc);
  nan.weights.b2[0] = null;
  nan.checksum = documentChecksum(nan);
  expectModelError(JSON.stringify(nan), /invalid model \(weights\.b2\.0/);
  const sos = readFileSync(DEFAULT_SOS_MODEL_PATH, 'utf8');
  expectModelError(sos, /a "sos-lstm" model is not a role model/);
  // The bundled host-footprint model is a 12-role model too, but not one test, train or watch can use: said so.
  expectModelError(
    readFileSync(HOST_FOOTPRINT_MODEL_PATH, 'utf8'),
    /the host-footprint model names a role per host from a whole capture and is used by eval and explain only/,
  );
  assert.throws(() => loadModel(join(dir, 'missing.json')), /cannot read model/);
});

test('a cyclic tree is refused (prediction could never end)', () => {
  const path = join(dir, 'rf.json');
  saveModel(path, forest);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const t = doc.trees[0];
  const internal = t.feature.findIndex((f: number) => f >= 0);
  t.left[internal] = internal;
  doc.checksum = documentChecksum(doc);
  expectModelError(JSON.stringify(doc), /bad shapes: tree 0 node/);
});

test('a model is never renamed over a special file (a FIFO, /dev/null): refused, the file left as it was', () => {
  const fifo = join(dir, 'model-fifo');
  execFileSync('mkfifo', [fifo]);
  assert.throws(
    () => saveModel(fifo, onelayer),
    (err: unknown) =>
      err instanceof ModelError && /model-fifo: cannot write model \(not a regular file\)/.test(err.message),
  );
  assert.equal(statSync(fifo).isFIFO(), true);
});

test('NaN weights are refused at save time', () => {
  const bad = structuredClone(onelayer) as OneLayerRoleModel;
  bad.mlp.b2[0] = Number.NaN;
  assert.throws(() => saveModel(join(dir, 'nan.json'), bad), /non-finite/);
});

test('a model its loader would refuse is never written: one line, exit 70 (a bug, not a bad file)', () => {
  const cases: [string, (m: OneLayerRoleModel) => void, RegExp][] = [
    [
      'empty-label.json',
      (m) => {
        m.labels[0] = '';
      },
      /not written: the trained model would not load \(.*labels\.0: /,
    ],
    [
      'big-seed.json',
      (m) => {
        m.training!.seed = 2 ** 53 + 2;
      },
      /not written: the trained model would not load \(.*training\.seed: /,
    ],
    [
      'no-hidden.json',
      (m) => {
        m.mlp.hiddenSize = 0;
      },
      /cannot save model: \d+ weights in rows of 0 columns/,
    ],
  ];
  for (const [name, spoil, where] of cases) {
    const bad = structuredClone(onelayer) as OneLayerRoleModel;
    spoil(bad);
    const path = join(dir, name);
    assert.throws(
      () => saveModel(path, bad),
      (err: unknown) =>
        err instanceof NetworkmlError &&
        !(err instanceof ModelError) &&
        err.exitCode === ExitCode.INTERNAL &&
        where.test(err.message) &&
        !err.message.includes('\n'),
    );
    assert.equal(existsSync(path), false, `${name} not written`);
  }
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left behind');
});

test('the bundled SoS LSTM keeps its original fields under our envelope', () => {
  const { doc, hash } = loadModelDocument(DEFAULT_SOS_MODEL_PATH, 'sos-lstm');
  assert.equal(doc.kind, 'sos-lstm');
  assert.equal(doc.seq_len, 10);
  assert.equal(doc.rnn_size, 100);
  assert.equal((doc.lstm_kernel as number[][]).length, 141);
  assert.equal((doc.lstm_kernel as number[][])[0]!.length, 400);
  assert.equal((doc.dense_kernel as number[][]).length, 100);
  assert.match((doc.source as { licence: string }).licence, /Apache-2\.0/);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.throws(
    () => loadModelDocument(DEFAULT_MODEL_PATH, 'sos-lstm'),
    /a role model \("onelayer"\), where an LSTM anomaly model \("sos-lstm"\) was expected/,
  );
});

test('the bundled model files are the ones whose checksum is not verified twice, and their checksums hold', () => {
  const modelsDir = dirname(DEFAULT_MODEL_PATH);
  const files = readdirSync(modelsDir).filter((f) => f.endsWith('.json'));
  const hashes = new Set<string>();
  for (const f of files) {
    const text = readFileSync(join(modelsDir, f), 'utf8');
    const doc = JSON.parse(text) as Record<string, unknown>;
    // The skip is only sound for files whose checksum verifies the slow way.
    assert.equal(documentChecksum(doc), doc.checksum, f);
    hashes.add(sha256Hex(text));
  }
  // Every bundled file listed, and nothing else (a stale entry would be a file no longer shipped).
  assert.deepEqual([...BUNDLED_FILE_HASHES].sort(), [...hashes].sort());
});

test('a bundled model with one weight edited in its text is verified, and refused', () => {
  const text = readFileSync(DEFAULT_SOS_MODEL_PATH, 'utf8');
  // The first weight of the kernel, changed in place: everything else (the checksum field too) as shipped.
  const at = text.indexOf('"lstm_kernel"');
  const match = /-?\d[\d.eE+-]*/.exec(text.slice(at + '"lstm_kernel"'.length));
  assert.ok(match);
  const start = at + '"lstm_kernel"'.length + match.index;
  const value = Number(match[0]);
  const edited = `${text.slice(0, start)}${String(value === 0 ? 1e-300 : -value)}${text.slice(start + match[0].length)}`;
  assert.ok(BUNDLED_FILE_HASHES.has(sha256Hex(text)));
  assert.doesNotThrow(() => parseModelDocument(text, 'sos-lstm.json', 'sos-lstm'));
  assert.throws(
    () => parseModelDocument(edited, 'edited.json', 'sos-lstm'),
    (err: unknown) => err instanceof ModelError && /corrupt model: checksum mismatch/.test(err.message),
  );
});

test('the checksum text: arrays of numbers as one native stringify writes them, everything else key by key', () => {
  const doc = {
    b: [1, -0, 2.5, 1e21, 5e-324, -1e-7],
    a: { z: [[0.1, 2], []], y: 'é"', x: null, w: undefined },
    c: [1, 'two', null, [3], { k: 4, j: 5 }],
  };
  assert.equal(
    canonicalJson(doc),
    '{"a":{"x":null,"y":"é\\"","z":[[0.1,2],[]]},"b":[1,0,2.5,1e+21,5e-324,-1e-7],"c":[1,"two",null,[3],{"j":5,"k":4}]}',
  );
  // A hole (never in parsed JSON) writes nothing, as before the fast path.
  // biome-ignore lint/suspicious/noSparseArray: the case tested
  assert.equal(canonicalJson([1, , 3]), '[1,,3]');
  // The shipped files' checksums were written before this fast path (each is a large model): still theirs.
  for (const url of ['onelayer-v0.4.8.json', 'host-footprint-v0.6.8.json', 'sos-lstm-v0.4.8.json']) {
    const file = JSON.parse(readFileSync(new URL(`../../models/${url}`, import.meta.url), 'utf8'));
    assert.equal(documentChecksum(file), file.checksum, url);
  }
});
