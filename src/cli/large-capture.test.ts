/**
 * One large capture (above READER_THREAD_MIN_BYTES) goes through the two-thread reader by default and
 * through one thread with `--threads 1`: the same output, the same one-line errors and exit codes, no hang.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { READER_THREAD_MIN_BYTES } from '../pipeline/analyze.js';
import { runCli } from '../test-helpers/cli.js';

const DATA = join(import.meta.dirname, '../../test-data');
const dir = mkdtempSync(join(tmpdir(), 'networkml-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A little-endian µs pcap made of a real capture's records repeated, each copy shifted past the previous
 * one's end so times never go back, until it is `minBytes` long.
 */
function largeCapture(minBytes: number): Buffer {
  const name = readdirSync(join(DATA, 'captures/real')).find((f) => f.startsWith('Aria-sentinel'))!;
  const bytes = readFileSync(join(DATA, 'captures/real', name));
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
  const records: Buffer[] = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const len = bytes.readUInt32LE(o + 8);
    records.push(bytes.subarray(o, o + 16 + len));
    o += 16 + len;
  }
  const first = records[0]!.readUInt32LE(0);
  const span = records.at(-1)!.readUInt32LE(0) - first + 1;
  const out: Buffer[] = [bytes.subarray(0, 24)];
  let size = 24;
  for (let copy = 0; size < minBytes; copy++) {
    for (const r of records) {
      const c = Buffer.from(r);
      c.writeUInt32LE(r.readUInt32LE(0) + copy * span, 0);
      out.push(c);
      size += c.length;
    }
  }
  return Buffer.concat(out);
}

describe('a large capture read on a second thread', () => {
  const big = largeCapture(READER_THREAD_MIN_BYTES + 1024 * 1024);
  const path = join(dir, 'large.pcap');
  writeFileSync(path, big);

  const both = (args: string[]) => {
    const threaded = runCli(args);
    const single = runCli([...args, '--threads', '1']);
    return { threaded, single };
  };

  it('gives the same result as one thread', () => {
    const { threaded, single } = both(['eval', path, '--json', '--anomaly', 'none', '--no-history']);
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.equal(threaded.stdout, single.stdout);
    assert.equal(JSON.parse(threaded.stdout.split('\n')[0]!).valid, true, threaded.stdout.slice(0, 300));
  });

  it('cut short: the same warning and result', () => {
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, big.subarray(0, big.length - 7));
    const { threaded, single } = both(['eval', cut, '--json', '--anomaly', 'none', '--no-history']);
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.match(threaded.stderr, /truncated capture: the last record at byte offset \d+ is incomplete/);
    assert.deepEqual(threaded, single);
  });

  it('corrupt in the middle: the same one-line error and exit code 1', () => {
    const bad = Buffer.from(big);
    // The record header after the first 10 MB claims an absurd captured length.
    let o = 24;
    while (o < 10_000_000) o += 16 + bad.readUInt32LE(o + 8);
    bad.writeUInt32LE(0x7fff_ffff, o + 8);
    const corrupt = join(dir, 'corrupt.pcap');
    writeFileSync(corrupt, bad);
    const { threaded, single } = both(['eval', corrupt, '--json', '--anomaly', 'none', '--no-history']);
    assert.equal(threaded.status, 1);
    assert.match(
      threaded.stderr,
      /^networkml: .*corrupt record at byte offset \d+: captured length \d+ is absurd\n$/,
    );
    assert.deepEqual(threaded, single);
  });
});
