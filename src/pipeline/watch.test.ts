import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { CaptureWarning } from '../capture/reader-api.js';
import { runCli } from '../test-helpers/cli.js';
import { relinked } from '../test-helpers/link-rewrite.js';
import { referenceCapturePath, referenceRecords, TEST_DATA } from '../test-helpers/reference.js';
import { analyzeCapture, REORDERED_WARNING_KIND } from './analyze.js';
import { evaluateCaptureDetailed, rankLabels } from './evaluate.js';
import { QUIET_SLACK_S, type WatchOptions, type WatchUpdate, watchCapture } from './watch.js';

describe('watch follows a stream bin by bin with the batch semantics', () => {
  let sameAddress = 0;
  for (const ref of referenceRecords().filter((r) => r.valid && r.bins.length > 1)) {
    it(ref.pcap, async () => {
      const updates: WatchUpdate[] = [];
      // A stream, not a path: what `tcpdump -w - | networkml watch -` gives.
      await watchCapture(createReadStream(referenceCapturePath(ref)), { anomaly: 'none' }, (u) =>
        updates.push(u),
      );
      const batch = await evaluateCaptureDetailed(referenceCapturePath(ref), { anomaly: 'none' });
      const mine = updates.filter((u) => u.mac === ref.capture_mac);
      // Every non-empty bin of the batch run is one update for the capture's device, with the same numbers.
      assert.equal(mine.length, batch.binProbabilities.length);
      mine.forEach((u, i) => {
        assert.deepEqual(
          u.roles,
          rankLabels(batch.result.detail!.labels, batch.binProbabilities[i]!).slice(0, 3),
        );
      });
      const last = mine.at(-1)!;
      assert.deepEqual(
        last.runningRoles.map(([l]) => l),
        batch.ranked.slice(0, 3).map(([l]) => l),
      );
      // Each line counts its own host's sessions: the device's, bin by bin, are the batch run's session rows
      // (where the device kept one address: the batch run takes one for the whole capture, watch one per bin).
      const { sourceIp, rows } = (await analyzeCapture(referenceCapturePath(ref), {})).sessions;
      if (mine.every((u) => u.ip === sourceIp)) {
        sameAddress++;
        assert.equal(
          mine.reduce((sum, u) => sum + u.sessions, 0),
          rows.length,
        );
      }
    });
  }
  it("counted the device's sessions where it kept one address (runs after the captures above)", () => {
    assert.ok(sameAddress >= 3, `${sameAddress} captures`);
  });
});

/** A little-endian µs pcap's header and records (16-byte record header + data each). */
function records(path: string): { header: Buffer; records: Buffer[] } {
  const bytes = readFileSync(path);
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
  const out: Buffer[] = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const len = bytes.readUInt32LE(o + 8);
    out.push(Buffer.from(bytes.subarray(o, o + 16 + len)));
    o += 16 + len;
  }
  return { header: bytes.subarray(0, 24), records: out };
}

async function watchBytes(
  bytes: Buffer,
  options: WatchOptions = {},
): Promise<{ updates: WatchUpdate[]; warnings: CaptureWarning[] }> {
  const updates: WatchUpdate[] = [];
  const warnings: CaptureWarning[] = [];
  await watchCapture(
    Readable.from([bytes]),
    { anomaly: 'none', ...options, onWarning: (w) => warnings.push(w) },
    (u) => updates.push(u),
  );
  return { updates, warnings };
}

describe('a live stream: a bin no later packet closes', () => {
  const edimax = referenceCapturePath(referenceRecords().find((r) => r.pcap.startsWith('EdimaxPlug'))!);
  const { header, records: all } = records(edimax);
  const options: WatchOptions = { anomaly: 'none', durationS: 3, warmupS: 0 };

  /**
   * Watches `bytes` written to a stream left open (a quiet live link) for `waitMs`: the updates told while
   * it was open, and every update once it is stopped.
   */
  async function quietStream(bytes: Buffer, waitMs: number, after: Buffer | null = null) {
    const input = new PassThrough();
    const stop = new AbortController();
    const updates: WatchUpdate[] = [];
    const warnings: CaptureWarning[] = [];
    const watching = watchCapture(
      input,
      { ...options, signal: stop.signal, onWarning: (w) => warnings.push(w) },
      (u) => updates.push(u),
    );
    input.write(bytes);
    const deadline = Date.now() + waitMs;
    while (updates.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // A moment more: every host of the bin is told at once.
    await new Promise((r) => setTimeout(r, 200));
    const whileOpen = updates.slice();
    if (after) input.write(after);
    // Read before the stop (a stop ends the reading at the next chunk).
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    input.end();
    await watching;
    return { whileOpen, updates, warnings };
  }

  /** The capture's first packets as if captured within 0.2 s from `startS`: one bin. */
  const oneBin = (startS: number): Buffer =>
    Buffer.concat([
      header,
      ...all.slice(0, 200).map((r, i) => {
        const c = Buffer.from(r);
        c.writeUInt32LE(startS, 0);
        c.writeUInt32LE(i * 1000, 4);
        return c;
      }),
    ]);

  it('is closed once its end has passed on the clock, when packet times follow it: the same bin, told sooner', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const bytes = oneBin(nowS);
    const { whileOpen, updates } = await quietStream(bytes, 30_000);
    assert.ok(whileOpen.length > 0, 'the bin was told while the stream was open');
    assert.ok(
      Date.now() / 1000 >= nowS + options.durationS! + QUIET_SLACK_S,
      'not before its end and the slack had passed',
    );
    assert.deepEqual(updates, whileOpen, 'nothing left to flush at the end');
    // What the same bytes give read at once, the bin flushed at their end.
    assert.deepEqual(updates, (await watchBytes(bytes, options)).updates);
  });

  it('a packet that comes for it after it was closed is told in a bin of its own, with one warning', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const record = (r: Buffer, sec: number): Buffer => {
      const c = Buffer.from(r);
      c.writeUInt32LE(sec, 0);
      return c;
    };
    // IPv4 packets (Ethernet type 0x0800): held back 1 s into the closed bin, then one of a later bin that
    // closes the late packet's.
    const [a, b] = all.slice(200).filter((r) => r.readUInt16BE(16 + 12) === 0x0800);
    const late = Buffer.concat([record(a!, nowS + 1), record(b!, nowS + 60)]);
    const { whileOpen, updates, warnings } = await quietStream(oneBin(nowS), 30_000, late);
    assert.ok(whileOpen.length > 0 && whileOpen.every((u) => u.bin === 0));
    assert.deepEqual(
      warnings.map((w) => w.kind),
      ['late-for-quiet-bin'],
    );
    assert.match(
      warnings[0]!.message,
      /^-: a packet arrived \d+\.\d s after its time, when its bin had been closed/,
    );
    // The late packet alone (its second is nowS + 1), then the later one's bin flushed at the end.
    const bins = updates.map((u) => [u.bin, Math.floor(u.binStart) - nowS, Math.floor(u.binEnd) - nowS]);
    assert.deepEqual(
      new Set(bins.filter(([bin]) => bin! > 0).map((b) => b.join())),
      new Set(['1,1,1', '2,60,60']),
    );
  });

  it('a quiet close that fails (an update that cannot be told) ends the watch with its error, the stream still open', async () => {
    const input = new PassThrough();
    let told = 0;
    const watching = watchCapture(input, options, () => {
      told++;
      throw new Error('no space left on device');
    });
    input.write(oneBin(Math.floor(Date.now() / 1000)));
    // Not ended, not stopped: only the failure ends it (before the fix, an uncaught exception on a timer).
    // A PassThrough holds no handle: this timer keeps the process alive, as a live pipe's descriptor would.
    const keepAlive = setInterval(() => {}, 1000);
    const started = Date.now();
    await assert
      .rejects(watching, /^Error: no space left on device$/)
      .finally(() => clearInterval(keepAlive));
    assert.ok(Date.now() - started < 30_000);
    // Told once; the failed bin is not flushed again at the end.
    assert.equal(told, 1);
    assert.equal(input.destroyed, true);
  });

  it('is kept open when packet times are far behind the clock (an old capture replayed)', async () => {
    const bytes = oneBin(Math.floor(Date.now() / 1000) - 86_400);
    const { whileOpen, updates } = await quietStream(bytes, 3000 + QUIET_SLACK_S * 1000 + 3000);
    assert.deepEqual(whileOpen, []);
    assert.ok(updates.length > 0, 'flushed at the end');
  });
});

describe('watch on a stream whose time goes back', () => {
  const edimax = referenceCapturePath(referenceRecords().find((r) => r.pcap.startsWith('EdimaxPlug'))!);
  const { header, records: all } = records(edimax);
  const DAY = 86_400;

  it('a step back of a day closes the open bin and starts one at the earlier time, warning once', async () => {
    // What `mergecap -a` gives for a capture followed by one whose clock was a day behind.
    const before = all.slice(0, 300);
    const after = all.slice(300, 600).map((r) => {
      const c = Buffer.from(r);
      c.writeUInt32LE(r.readUInt32LE(0) - DAY, 0);
      return c;
    });
    const stepAt = after[0]!.readUInt32LE(0) + after[0]!.readUInt32LE(4) / 1e6;
    const { updates, warnings } = await watchBytes(Buffer.concat([header, ...before, ...after]));
    for (const u of updates) assert.ok(u.binEnd >= u.binStart, `bin ${u.bin} ends before it starts`);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.kind, REORDERED_WARNING_KIND);
    assert.match(warnings[0]!.message, /^-: packet times go back across a bin \(by 8639\d\.\d{3} s\)/);
    // The part before the step is binned as it is alone; a bin starts at the step, its sessions counted
    // (the step does not restart the warm-up).
    const alone = (await watchBytes(Buffer.concat([header, ...before]))).updates;
    assert.deepEqual(updates.slice(0, alone.length), alone);
    const first = updates[alone.length]!;
    assert.equal(first.binStart, stepAt);
    assert.ok(first.sessions > 0);
    // Ascending bin numbers, one per closed bin.
    assert.deepEqual(
      [...new Set(updates.map((u) => u.bin))],
      [...new Set(updates.map((u) => u.bin))].map((_, i) => i),
    );
  });

  it('packets reordered by a few milliseconds at a bin edge stay in their bins: the same output, no warning', async () => {
    const inOrder = await watchBytes(Buffer.concat([header, ...all]));
    assert.equal(inOrder.warnings.length, 0);
    // The second packet of each bin after the first goes back to 5 ms before the bin's first packet: late by
    // a few milliseconds at the edge, as packets from two interfaces merged live can be.
    const starts = new Set(inOrder.updates.filter((u) => u.bin > 0).map((u) => u.binStart));
    const moved = all.map((r) => Buffer.from(r));
    let swaps = 0;
    for (let i = 0; i + 1 < moved.length; i++) {
      const r = moved[i]!;
      if (!starts.has(r.readUInt32LE(0) + r.readUInt32LE(4) / 1e6)) continue;
      const us = r.readUInt32LE(0) * 1e6 + r.readUInt32LE(4) - 5000;
      moved[i + 1]!.writeUInt32LE(Math.floor(us / 1e6), 0);
      moved[i + 1]!.writeUInt32LE(us % 1e6, 4);
      swaps++;
    }
    assert.ok(swaps > 2);
    const reordered = await watchBytes(Buffer.concat([header, ...moved]));
    assert.equal(reordered.warnings.length, 0);
    const same = (u: WatchUpdate) => [u.bin, u.mac, u.sessions, u.binEnd];
    assert.deepEqual(reordered.updates.map(same), inOrder.updates.map(same));
    for (const u of reordered.updates)
      assert.ok(u.binEnd >= u.binStart, `bin ${u.bin} ends before it starts`);
  });
});

it("says what the verdict judged: the LSTM the host's sessions so far", async () => {
  const ref = referenceRecords().find((r) => r.valid && r.bins.length > 1)!;
  const updates: WatchUpdate[] = [];
  await watchCapture(createReadStream(referenceCapturePath(ref)), { anomaly: 'lstm' }, (u) =>
    updates.push(u),
  );
  assert.ok(updates.length > 0);
  assert.ok(updates.every((u) => u.behaviorScope === 'running'));
});

describe("a forest's running roles", () => {
  it("are eval's for the same bins: the forest classifies the mean of a capture's features, not the mean of its bins' answers", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'networkml-watch-forest-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const modelPath = join(dir, 'forest.json');
    const trained = runCli([
      'train',
      `${TEST_DATA}iot-sentinel/setups`,
      '-a',
      'randomforest',
      '--no-behavior',
      '--save',
      modelPath,
    ]);
    assert.equal(trained.status, 0, trained.stderr);
    let differs = 0;
    for (const ref of referenceRecords().filter((r) => r.valid && r.bins.length > 1)) {
      const updates: WatchUpdate[] = [];
      await watchCapture(referenceCapturePath(ref), { anomaly: 'none', modelPath }, (u) => updates.push(u));
      const batch = await evaluateCaptureDetailed(referenceCapturePath(ref), { anomaly: 'none', modelPath });
      const mine = updates.filter((u) => u.mac === ref.capture_mac);
      assert.equal(mine.length, batch.binProbabilities.length, ref.pcap);
      assert.deepEqual(mine.at(-1)!.runningRoles, batch.ranked.slice(0, 3), ref.pcap);
      // The mean of the bins' answers, which watch gave before, is another answer on some of these captures.
      const labels = batch.result.detail!.labels;
      const meanOfBins = labels.map(
        (_, k) => batch.binProbabilities.reduce((a, p) => a + p[k]!, 0) / batch.binProbabilities.length,
      );
      if (rankLabels(labels, Float64Array.from(meanOfBins))[0]![1] !== batch.ranked[0]![1]) differs++;
    }
    assert.ok(differs > 0, 'the captures tell the two aggregations apart');
  });
});

it('on a capture whose frames do not begin with MACs, a host is its address: one update per address and bin', async () => {
  const merged = `${TEST_DATA}reference/captures/DLinkCam-sentinel-Mon0000-n00.pcap`;
  const bytes = readFileSync(merged);
  for (const link of [101, 113, 276] as const) {
    const updates: WatchUpdate[] = [];
    await watchCapture(Readable.from([relinked(bytes, link)]), { anomaly: 'none', warmupS: 0 }, (u) =>
      updates.push(u),
    );
    assert.ok(updates.length > 0);
    for (const u of updates) {
      assert.equal(u.mac, '', `${link}: no MAC made of header bytes`);
      assert.match(u.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    }
    const perBin = updates.map((u) => `${u.bin} ${u.ip}`);
    assert.equal(new Set(perBin).size, perBin.length, `${link}: ${perBin.join(', ')}`);
    assert.ok(updates.some((u) => u.ip === '10.10.10.37'));
  }
});
