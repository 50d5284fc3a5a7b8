/**
 * A capture corrupt part-way (a record header that cannot be, with more of the capture after it): eval, inspect
 * and explain give the result of the packets before the corrupt record, marked (`capture_error`, "(partial)"),
 * then its one-line error on stderr and exit 1, as tcpdump and tshark print what they read before such an
 * error; the other captures are still evaluated. train and test use no part of it. Before, every one of these
 * commands gave such a capture no result at all.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CaptureResult } from '../../result.js';
import { runCli } from '../../test-helpers/cli.js';
import { corruptGzip, corruptPcap } from '../../test-helpers/corrupt-capture.js';

const ROOT = join(import.meta.dirname, '../../..');
const DATA = join(ROOT, 'test-data');
const SAMPLE = join(ROOT, 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
const dir = mkdtempSync(join(tmpdir(), 'networkml-eval-corrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A real capture whose record after 60 % of the file claims 300,000 captured bytes; `clean` holds exactly the
// records before it (a capture that is not corrupt).
const c = corruptPcap(readFileSync(join(DATA, 'captures/real/Aria-sentinel-Mon0000-n00.pcap')));
// Named as train and test read labels: DeviceName-deviceID-time-duration-flags.pcap.
const corrupt = join(dir, 'Aria-X1-Mon0000-n00.pcap');
writeFileSync(corrupt, c.bytes);
const clean = join(dir, 'Aria-X2-Mon0000-n00.pcap');
writeFileSync(clean, c.before);
const error = `${corrupt}: corrupt record at byte offset ${c.at}: captured length 300000 is absurd`;
const captureError = { kind: 'corrupt', offset: c.at, message: error };

const results = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CaptureResult);

/** A result without what names its capture (file, key) and the mark: the same for the corrupt and clean. */
function content(r: CaptureResult) {
  const { file: _f, key, capture_error: _e, data, ...rest } = r;
  return { ...rest, device: data[key] };
}

describe('eval of a capture corrupt part-way', () => {
  it('--json: the result of the packets before the corrupt record, marked; its error on stderr; exit 1', () => {
    const args = ['eval', '--json', '--no-history', '--anomaly', 'none'];
    const r = runCli([...args, corrupt, SAMPLE]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `networkml: ${error}\n`);
    const [partial, other] = results(r.stdout);
    assert.deepEqual(partial!.capture_error, captureError);
    assert.equal(partial!.valid, true);
    assert.equal(other!.file, SAMPLE, 'the other capture is still evaluated');
    assert.equal(other!.capture_error, undefined);
    // Exactly what the capture of those packets gives.
    const expected = runCli([...args, clean]);
    assert.equal(expected.status, 0, expected.stderr);
    assert.deepEqual(content(partial!), content(results(expected.stdout)[0]!));
    // On one thread and on pool threads (two captures), and with the default LSTM: the same.
    const single = runCli([...args, corrupt, SAMPLE, '--threads', '1']);
    assert.deepEqual(single, r);
    const lstm = runCli(['eval', '--json', '--no-history', corrupt]);
    assert.equal(lstm.status, 1);
    assert.deepEqual(results(lstm.stdout)[0]!.capture_error, captureError);
  });

  it('the table marks its row "(partial)", --long says which bytes were read', () => {
    const r = runCli(['eval', '--no-history', corrupt, SAMPLE, join(dir, 'missing.pcap')]);
    assert.equal(r.status, 1);
    const rows = r.stdout.trim().split('\n');
    assert.equal(rows.length, 3, r.stdout);
    assert.match(rows[1]!, /^Aria-X1-Mon0000-n00 \(partial\) +\S+ +\S+ +\w/);
    assert.match(rows[2]!, /^EdimaxPlug1101W-sentinel-Mon0000-n00 +/);
    assert.equal(
      r.stderr,
      `networkml: ${error}\nnetworkml: ${join(dir, 'missing.pcap')}: cannot read: no such file\n`,
    );
    const long = runCli(['eval', '--long', '--no-history', corrupt]);
    assert.equal(long.status, 1);
    assert.match(
      long.stdout,
      new RegExp(
        `^${corrupt}\\n  partial     only the packets before a corrupt record at byte offset ${c.at} were read\\n  device `,
      ),
    );
  });

  it('--per-host: every host of it marked, the error once', () => {
    const r = runCli(['eval', '--json', '--per-host', '--no-history', '--anomaly', 'none', corrupt]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `networkml: ${error}\n`);
    const hosts = results(r.stdout);
    assert.ok(hosts.length >= 1);
    for (const h of hosts) assert.deepEqual(h.capture_error, captureError);
  });

  it("is recorded in the device's history, like a truncated capture's", () => {
    const dataDir = join(dir, 'history');
    const r = runCli(['eval', '--json', '--data-dir', dataDir, '--anomaly', 'none', corrupt]);
    assert.equal(r.status, 1, r.stderr);
    const device = results(r.stdout)[0]!.data['Aria-X1-Mon0000-n00'];
    assert.ok(device && typeof device === 'object' && device.valid);
    const history = runCli(['history', device.source_mac, '--json', '--data-dir', dataDir]);
    assert.equal(history.status, 0, history.stderr);
    const { updates } = JSON.parse(history.stdout) as { updates: { timestamp: number }[] };
    assert.equal(updates.length, 1);
  });

  it('a corrupt record right after the header: no packets, no result, as before', () => {
    const r = runCli(['eval', '--json', '--no-history', join(DATA, 'captures/edge/block-length-odd.pcapng')]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^networkml: .*block-length-odd\.pcapng: corrupt pcapng block at byte offset 28: /,
    );
  });
});

describe('a gzip-compressed capture whose compressed data turns corrupt part-way', () => {
  // Before, the packets decompressed before the corruption were dropped with the error: no result at all.
  const plain = readFileSync(join(DATA, 'captures/real/Aria-sentinel-Mon0000-n00.pcap'));
  const gz = join(dir, 'Aria-X3-Mon0000-n00.pcap.gz');
  writeFileSync(gz, corruptGzip(plain, 0.6).bytes);
  const gzError = new RegExp(
    `^${gz}: corrupt gzip data after compressed byte offset \\d+ \\(decompressed byte offset (\\d+)\\): invalid block type$`,
  );

  it('eval and inspect: the result of the packets decompressed before it, marked; its error; exit 1', () => {
    const args = ['eval', '--json', '--no-history', '--anomaly', 'none'];
    const r = runCli([...args, gz]);
    assert.equal(r.status, 1, r.stderr);
    const [line, ...more] = r.stderr.split('\n');
    assert.deepEqual(more, ['']);
    const message = line!.replace(/^networkml: /, '');
    const offset = Number(gzError.exec(message)?.[1]);
    const [partial] = results(r.stdout);
    // The offset is in the decompressed capture: the packets before it are what was read.
    assert.deepEqual(partial!.capture_error, { kind: 'corrupt', offset, message });
    const before = join(dir, 'Aria-X4-Mon0000-n00.pcap');
    writeFileSync(before, plain.subarray(0, offset));
    const expected = runCli([...args, before]);
    assert.equal(expected.status, 0, expected.stderr);
    assert.deepEqual(content(partial!), content(results(expected.stdout)[0]!));

    const table = runCli(['eval', '--no-history', gz]);
    assert.equal(table.status, 1);
    assert.match(table.stdout.split('\n')[1]!, /^Aria-X3-Mon0000-n00 \(partial\) +/);
    assert.equal(table.stderr, r.stderr);

    const inspect = runCli(['inspect', '--json', gz]);
    assert.equal(inspect.status, 1);
    assert.equal(inspect.stderr, r.stderr);
    assert.deepEqual((JSON.parse(inspect.stdout) as { capture_error?: unknown }).capture_error, {
      kind: 'corrupt',
      offset,
      message,
    });
  });
});

describe('inspect and explain of a capture corrupt part-way', () => {
  it('inspect: what the models see of the packets before it, marked; its error; exit 1', () => {
    const json = runCli(['inspect', '--json', corrupt]);
    assert.equal(json.status, 1);
    assert.equal(json.stderr, `networkml: ${error}\n`);
    const record = JSON.parse(json.stdout) as { capture_error?: unknown; valid: boolean; bins: number[] };
    assert.deepEqual(record.capture_error, captureError);
    const expected = JSON.parse(runCli(['inspect', '--json', clean]).stdout) as typeof record;
    assert.deepEqual(
      { ...record, pcap: '', capture_error: null },
      { ...expected, pcap: '', capture_error: null },
    );
    const text = runCli(['inspect', corrupt]);
    assert.equal(text.status, 1);
    assert.equal(text.stderr, `networkml: ${error}\n`);
    assert.match(
      text.stdout,
      new RegExp(
        `^${corrupt}\\n  partial: only the packets before a corrupt record at byte offset ${c.at} were read\\n`,
      ),
    );
  });

  it('explain: the packets before it explained, marked (captureError); its error; exit 1', () => {
    const r = runCli(['explain', '--json', '--no-history', corrupt, SAMPLE]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `networkml: ${error}\n`);
    const [e, other] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { captureError?: unknown; label: string | null; file: string });
    assert.deepEqual(e!.captureError, captureError);
    assert.notEqual(e!.label, null);
    assert.equal(other!.captureError, undefined);
    const expected = JSON.parse(runCli(['explain', '--json', '--no-history', clean]).stdout) as typeof e;
    assert.deepEqual({ ...e, file: '', captureError: null }, { ...expected, file: '', captureError: null });
    const text = runCli(['explain', '--no-history', corrupt]);
    assert.equal(text.status, 1);
    assert.match(
      text.stdout,
      /^\S+\n {2}partial: only the packets before a corrupt record at byte offset \d+ were read\n/,
    );
  });
});

describe('train and test of a data set with a capture corrupt part-way', () => {
  it('train refuses it: no model fitted on part of the data set, exit 1', () => {
    const setups = join(DATA, 'iot-sentinel/setups');
    for (const name of [
      'Aria-A1-Mon0000-n00.pcap',
      'Aria-A2-Mon0000-n00.pcap',
      'WeMoSwitch-A1-Mon0000-n00.pcap',
    ])
      copyFileSync(join(setups, name), join(dir, name));
    const r = runCli([
      'train',
      join(dir, 'Aria-A1-Mon0000-n00.pcap'),
      join(dir, 'WeMoSwitch-A1-Mon0000-n00.pcap'),
      corrupt,
      '--save',
      join(dir, 'model.json'),
      '--warmup',
      '0',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`networkml: ${error}\\n$`));
    assert.equal(r.stdout, '');
  });

  it('test scores the other captures only, exit 1', () => {
    const r = runCli(['test', '--json', join(dir, 'WeMoSwitch-A1-Mon0000-n00.pcap'), corrupt]);
    assert.equal(r.status, 1);
    // (and a warning: neither label is a role of the bundled model)
    assert.ok(r.stderr.split('\n').includes(`networkml: ${error}`), r.stderr);
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 1);
  });
});
