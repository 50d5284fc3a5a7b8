import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { type ProvisionalRows, SessionRowAccumulator } from '../features/session-vectors.js';
import { analyzeCapture } from '../pipeline/analyze.js';
import { BinStream } from '../sessions/bin-stream.js';
import { DEFAULT_BIN_OPTIONS } from '../sessions/bins.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { SessionSequenceLstm } from './lstm.js';
import { EarlySequences, MAX_RESTARTS } from './lstm-early.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;
const lstm = SessionSequenceLstm.load(MODEL_PATH);
const captures = `${TEST_DATA}reference/captures`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-early-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Two device captures merged in time order (mergecap): the vote leader changes as they interleave. */
function merged(name: string, ...devices: string[]): string {
  const out = join(dir, `${name}.pcap`);
  execFileSync('mergecap', ['-F', 'pcap', '-w', out, ...devices.map((d) => `${captures}/${d}`)]);
  return out;
}

const EDIMAX = 'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
const WEMO = 'WeMoSwitch-sentinel-Mon0000-n00.pcap';
const HUE = 'HueBridge-sentinel-Mon0000-n00.pcap';
const DLINK = 'DLinkCam-sentinel-Mon0000-n00.pcap';

/**
 * The capture streamed bin by bin as the analysis does, with the early scorer given all the idle time it
 * wants after each of the first `stepBins` bins (every bin by default).
 */
async function streamed(path: string, spillRecords: number, stepBins = Number.POSITIVE_INFINITY) {
  const rows = new SessionRowAccumulator(false, true, { spillRecords });
  const early = new EarlySequences(lstm);
  let bins = 0;
  let changes = 0;
  let ip: string | null = null;
  const stream = new BinStream(DEFAULT_BIN_OPTIONS, (store, b) => {
    rows.addBin(store, b);
    if (bins++ < stepBins) while (early.step(rows));
    if (ip !== null && early.progress.ip !== ip) changes++;
    ip = early.progress.ip;
  });
  await readCapture(path, (p) => stream.add(p));
  stream.finish();
  return { sessions: rows.finish(), early, changes };
}

test('scores with the sequences scored while reading equal scoring them all, for every label', async () => {
  const paths = [
    `${captures}/${HUE}`,
    `${captures}/${WEMO}`,
    `${captures}/${DLINK}`,
    merged('wemo-hue', WEMO, HUE),
    merged('edimax-wemo', EDIMAX, WEMO),
  ];
  let compared = 0;
  let restarted = 0;
  for (const path of paths) {
    // In memory, and spilled to the temporary file after 100 sessions (read back by the early scorer).
    for (const spill of [1 << 13, 100]) {
      const { sessions, early, changes } = await streamed(path, spill);
      const source = sessions.rowSource!;
      const prefix = early.prefixFor(lstm, sessions.sourceIp);
      assert.ok(prefix !== null, `${path}: nothing scored early for ${sessions.sourceIp}`);
      // Every complete sequence of the device is final once its bin closed: all of them were scored.
      assert.equal(prefix.sequences, Math.floor(source.length / lstm.seqLen), path);
      if (early.progress.restarts > 0) restarted++;
      assert.equal(early.progress.restarts, changes, path);
      // Every label on this thread; one (a worker started per score) on two threads.
      for (const [label, thread] of [
        ...lstm.labelOrder.map((l) => [l, false] as const),
        [lstm.labelOrder[0]!, true] as const,
      ]) {
        const all = lstm.score(source, label, { thread });
        const rest = lstm.score(source, label, { thread, prefix });
        assert.ok(Object.is(rest.abnormality, all.abnormality), `${path} ${label} ${rest.abnormality}`);
        assert.deepEqual(rest, all);
        compared++;
      }
    }
  }
  assert.equal(compared, paths.length * 2 * (lstm.labelOrder.length + 1));
  // The merged captures' leaders changed while they were read (edimax-wemo: four times).
  assert.ok(restarted >= 4, `${restarted} runs restarted`);
});

test('sequences scored for an early leader that is not the device are not used', async () => {
  // WeMo leads the first bins of the merge, the HueBridge the rest: stop scoring while WeMo leads.
  const { sessions, early } = await streamed(merged('wemo-hue-2', WEMO, HUE), 1 << 13, 2);
  const { ip, sequences } = early.progress;
  assert.ok(ip !== null && ip !== sessions.sourceIp, `${ip} vs ${sessions.sourceIp}`);
  assert.ok(sequences > 0);
  assert.equal(early.prefixFor(lstm, sessions.sourceIp), null);
  // Another scorer (other weights object) cannot use them either, even for the right device.
  const { sessions: hue, early: hueEarly } = await streamed(`${captures}/${HUE}`, 1 << 13);
  assert.ok(hueEarly.prefixFor(lstm, hue.sourceIp) !== null);
  assert.equal(hueEarly.prefixFor(SessionSequenceLstm.load(MODEL_PATH), hue.sourceIp), null);
});

test('a leader that keeps changing ends the early scoring after MAX_RESTARTS restarts', () => {
  const row = new Float64Array(41);
  let leader = 0;
  const flipping: ProvisionalRows = {
    leader: () => leader,
    addressText: (id) => `10.0.0.${id}`,
    nextRow: (_address, cursor, out) => {
      out.set(row);
      cursor.record++;
      return true;
    },
  };
  const early = new EarlySequences(lstm);
  for (let i = 0; i <= MAX_RESTARTS; i++) {
    leader = i % 2;
    assert.equal(early.step(flipping), true, `leader change ${i}`);
  }
  leader = 1 - leader;
  assert.equal(early.step(flipping), false);
  assert.equal(early.prefixFor(lstm, `10.0.0.${leader}`), null);
  assert.equal(early.step(flipping), false);
});

test('a model of another input width scores nothing ahead (it refuses the rows itself, or never sees them)', () => {
  const narrow = new SessionSequenceLstm({
    format: 'networkml-v0.4.8-sos-lstm',
    label_order: ['A'],
    ports: [],
    seq_len: 2,
    rnn_size: 1,
    lstm_kernel: Array.from({ length: 12 }, () => [0, 0, 0, 0]),
    lstm_bias: [0, 0, 0, 0],
    dense_kernel: [[1]],
    dense_bias: [0],
  });
  assert.equal(narrow.inputSize, 11);
  const rows: ProvisionalRows = {
    leader: () => 0,
    addressText: () => '10.0.0.1',
    nextRow: (_address, cursor, out) => {
      out.fill(1, 0, 11);
      cursor.record++;
      return true;
    },
  };
  const early = new EarlySequences(narrow);
  assert.equal(early.step(rows), false);
  assert.equal(early.prefixFor(narrow, '10.0.0.1'), null);
});

test('the streamed analysis hands the early scorer back only for the rows it scored', async () => {
  for (const path of [merged('wemo-hue-3', WEMO, HUE), `${captures}/${HUE}`]) {
    const early = new EarlySequences(lstm);
    const threaded = await analyzeCapture(path, { readerThread: true, whileReading: early });
    assert.equal(threaded.sessions.whileRead, early);
    const plain = await analyzeCapture(path, { readerThread: false, whileReading: new EarlySequences(lstm) });
    assert.equal(plain.sessions.whileRead, undefined);
    // However much the reading left time for (timing-dependent), the result is the same.
    const prefix = early.prefixFor(lstm, threaded.sessions.sourceIp);
    for (const label of lstm.labelOrder) {
      const all = lstm.score(plain.sessions.rowSource!, label, { thread: false });
      const got = lstm.score(threaded.sessions.rowSource!, label, { thread: false, prefix });
      assert.ok(Object.is(got.abnormality, all.abnormality), `${path} ${label}`);
    }
  }
});

test('repeats are left out while reading and after, and scoring twice with one prefix agrees', async () => {
  // The engineering station's capture: 13 of its 30 sequences repeat an earlier one.
  const path = `${TEST_DATA}melsec/MelsecEngineeringPC-melsecews3101c02-Thu1020-n00.pcap`;
  // Early scoring stops after the first bins, so the rest is scored after, against the prefix's memo.
  for (const stepBins of [Number.POSITIVE_INFINITY, 1]) {
    const { sessions, early } = await streamed(path, 1 << 13, stepBins);
    const rows = sessions.rowSource!;
    const sequences = Math.floor(rows.length / lstm.seqLen);
    const prefix = early.prefixFor(lstm, sessions.sourceIp);
    assert.ok(prefix !== null);
    let repeats = early.progress.repeats;
    for (const label of lstm.labelOrder) {
      const every = lstm.scoreRange(rows, 0, sequences, lstm.labelVector(label)!);
      let after = -1;
      const first = lstm.score(rows, label, { prefix, stats: (n) => (after = n) });
      const again = lstm.score(rows, label, { prefix });
      assert.ok(Object.is(first.abnormality, every), `${label} ${stepBins}`);
      assert.ok(Object.is(again.abnormality, every), `${label} again`);
      if (label === lstm.labelOrder[0]) repeats += sequences - prefix.sequences - after;
    }
    assert.ok(repeats >= 13, `${stepBins}: ${repeats} repeats left out of ${sequences}`);
  }
});
