import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { SessionRowAccumulator } from '../features/session-vectors.js';
import { BinStream } from '../sessions/bin-stream.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { SessionSequenceLstm } from './lstm.js';
import { BackgroundSequences } from './lstm-background.js';
import { prestartLstmWorker } from './lstm-threads.js';

const MODEL_PATH = new URL('../../test-data/models/networkml-v0.4.8-sos-lstm.json', import.meta.url).pathname;
const captures = `${TEST_DATA}reference/captures`;
const HUE = `${captures}/HueBridge-sentinel-Mon0000-n00.pcap`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-background-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A capture streamed bin by bin as the analysis does, its kept sessions spilled past `spillRecords` (so the
 * leader's rows go to a file), with the second thread told after each bin. Waits until the thread has
 * checked every sequence it was given (or `waitMs`).
 */
async function streamed(lstm: SessionSequenceLstm, path: string, spillRecords: number, waitMs = 20_000) {
  prestartLstmWorker(lstm);
  const rows = new SessionRowAccumulator(false, true, { spillRecords });
  const background = new BackgroundSequences(lstm);
  const stream = new BinStream({ durationS: 60, warmupS: 0 }, (store, bins) => {
    rows.addBin(store, bins);
    background.binAdded(rows);
  });
  await readCapture(path, (p) => stream.add(p));
  stream.finish();
  const given = Math.floor((rows.leaderFile()?.file.rows ?? 0) / lstm.seqLen);
  for (const until = Date.now() + waitMs; Date.now() < until && background.progress.checked < given; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { background, rows, given };
}

test('what the second thread did while reading gives every label the abnormality of scoring it all', async () => {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  const { background, rows, given } = await streamed(lstm, HUE, 100);
  const sessions = rows.finish();
  assert.ok(given > 100, `${given} sequences given to the second thread`);
  const prefix = background.prefixFor(lstm, sessions.sourceIp);
  assert.ok(prefix, 'a prefix');
  assert.equal(prefix.sequences, given);
  const source = sessions.rowSource!;
  for (const label of lstm.labelOrder) {
    const whole = lstm.score(source, label, { thread: false });
    for (const thread of [false, true]) {
      const withPrefix = lstm.score(source, label, { thread, prefix });
      assert.ok(Object.is(withPrefix.abnormality, whole.abnormality), `${label} (thread ${thread})`);
    }
  }
  // Only the new sequences the thread had not scored are left, then the new ones after the prefix.
  let after = -1;
  lstm.score(source, 'Unknown', { thread: false, prefix, stats: (n) => (after = n) });
  assert.ok(
    after >= (prefix.pending?.length ?? 0) && after < Math.floor(source.length / lstm.seqLen),
    `${after}`,
  );
});

test('nothing is used for another device, another scorer, rows dropped, or with no thread', async () => {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  const other = await streamed(lstm, HUE, 100);
  assert.equal(other.background.prefixFor(lstm, '192.0.2.1'), null, 'another device');
  other.rows.dropSpill();
  const scorer = await streamed(lstm, HUE, 100);
  const sourceIp = scorer.rows.finish().sourceIp;
  assert.equal(
    scorer.background.prefixFor(SessionSequenceLstm.load(MODEL_PATH), sourceIp),
    null,
    'another scorer',
  );
  // The analysis abandoned after the read: the rows' file is closed.
  const abandoned = await streamed(lstm, HUE, 100);
  abandoned.rows.dropSpill();
  assert.equal(abandoned.background.prefixFor(lstm, sourceIp), null, 'rows dropped');
  // No thread started for this scorer: nothing is sent, nothing is given.
  const lone = new BackgroundSequences(SessionSequenceLstm.load(MODEL_PATH));
  const rows = new SessionRowAccumulator(false, true, { spillRecords: 100 });
  const bins = new BinStream({ durationS: 60, warmupS: 0 }, (store, b) => {
    rows.addBin(store, b);
    lone.binAdded(rows);
  });
  await readCapture(HUE, (p) => bins.add(p));
  bins.finish();
  assert.equal(lone.following, false);
  assert.equal(lone.prefixFor(lstm, rows.finish().sourceIp), null);
});

test('a leader whose rows were dropped while the thread read them gives nothing', async () => {
  const lstm = SessionSequenceLstm.load(MODEL_PATH);
  prestartLstmWorker(lstm);
  // Three devices merged: the leader changes after the rows went to a file, so they are dropped.
  const out = join(dir, 'merged.pcap');
  execFileSync('mergecap', [
    '-F',
    'pcap',
    '-w',
    out,
    HUE,
    `${captures}/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`,
    `${captures}/DLinkCam-sentinel-Mon0000-n00.pcap`,
  ]);
  const rows = new SessionRowAccumulator(false, true, { spillRecords: 20 });
  const background = new BackgroundSequences(lstm);
  let followedFile: { closed: boolean } | null = null;
  let leaderChangedOnFile = false;
  const stream = new BinStream({ durationS: 60, warmupS: 0 }, (store, bins) => {
    rows.addBin(store, bins);
    const file = rows.leaderFile()?.file ?? null;
    if (followedFile && file !== followedFile) leaderChangedOnFile = true;
    followedFile ??= file;
    background.binAdded(rows);
  });
  await readCapture(out, (p) => stream.add(p));
  stream.finish();
  const sessions = rows.finish();
  // (The merge moves the lead after the first leader's rows went to a file.)
  assert.ok(leaderChangedOnFile, 'the lead moved once the rows were on file');
  assert.equal(followedFile!.closed, true);
  assert.equal(background.following, false);
  assert.equal(background.prefixFor(lstm, sessions.sourceIp), null);
});
