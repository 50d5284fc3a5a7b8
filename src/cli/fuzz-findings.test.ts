/**
 * The fuzz findings of issue 17 (test-data/captures/fuzz/, from shared/fuzz-findings) through the CLI, with
 * the exact commands of the findings' README, and the time rule (capture/time.ts) through every output:
 * a real capture re-encoded as pcapng with its times moved to 1921 and 2238, or with some packets' times
 * out of range.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { readCapture } from '../capture/reader.js';
import type { CaptureResult } from '../result.js';
import { resultMessages } from '../service/messages.js';
import { runCli } from '../test-helpers/cli.js';

const FUZZ = 'test-data/captures/fuzz';
const ARIA = 'test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap';
const ARIA_MAC = '20:f8:5e:ca:91:52';
const tmp = mkdtempSync(join(tmpdir(), 'networkml-fuzz-findings-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  return lines[0]!;
}

/**
 * A pcap re-encoded as little-endian pcapng: one interface with if_tsoffset = offsetSec, and every
 * `badEvery`-th packet's timestamp pushed to 2^64 - 1 µs (year ~580,000: out of range).
 */
function pcapToPcapng(pcap: Buffer, offsetSec: number, badEvery = 0): Buffer {
  const le = pcap.readUInt32LE(0) === 0xa1b2c3d4 || pcap.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const ns = (le ? pcap.readUInt32LE(0) : pcap.readUInt32BE(0)) === 0xa1b23c4d;
  const parts: Buffer[] = [];
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeBigInt64LE(-1n, 16);
  shb.writeUInt32LE(28, 24);
  parts.push(shb);
  const idb = Buffer.alloc(40);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(40, 4);
  idb.writeUInt16LE(u32(20) & 0xffff, 8);
  idb.writeUInt32LE(u32(16), 12);
  idb.writeUInt16LE(14, 16); // if_tsoffset
  idb.writeUInt16LE(8, 18);
  idb.writeBigInt64LE(BigInt(offsetSec), 20);
  idb.writeUInt16LE(9, 28); // if_tsresol: 10^-6 or 10^-9, as the pcap
  idb.writeUInt16LE(1, 30);
  idb.writeUInt8(ns ? 9 : 6, 32);
  idb.writeUInt32LE(40, 36);
  parts.push(idb);
  let n = 0;
  for (let p = 24; p + 16 <= pcap.length; ) {
    const caplen = u32(p + 8);
    const data = pcap.subarray(p + 16, p + 16 + caplen);
    const padded = (caplen + 3) & ~3;
    const epb = Buffer.alloc(32 + padded);
    const ts = BigInt(u32(p)) * (ns ? 1_000_000_000n : 1_000_000n) + BigInt(u32(p + 4));
    epb.writeUInt32LE(6, 0);
    epb.writeUInt32LE(epb.length, 4);
    const bad = badEvery > 0 && ++n % badEvery === 0;
    epb.writeUInt32LE(bad ? 0xffffffff : Number(ts >> 32n), 12);
    epb.writeUInt32LE(bad ? 0xffffffff : Number(ts & 0xffffffffn), 16);
    epb.writeUInt32LE(caplen, 20);
    epb.writeUInt32LE(u32(p + 12), 24);
    data.copy(epb, 28);
    epb.writeUInt32LE(epb.length, epb.length - 4);
    parts.push(epb);
    p += 16 + caplen;
  }
  return Buffer.concat(parts);
}

describe('fuzz findings (issue 17)', () => {
  it('inspect exception-01: a time outside the Date range is skipped with one warning, not a crash', () => {
    const file = `${FUZZ}/exception-01.pcapng`;
    const text = runCli(['inspect', '--warmup', '0', '--duration', '60', file]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      oneLine(text.stderr),
      /^networkml: warning: .*exception-01\.pcapng: packet 1 has a time outside 1684-07-28T00:12:27Z to 2255-06-05T23:47:33Z \(-9223372032\d+ s since 1970\); such packets are skipped$/,
    );
    assert.match(text.stdout, /1 packet \(0 IP, 0 repeats dropped\), 0 sessions/);
    assert.match(text.stdout, /no sessions: its one packet was skipped \(a time out of range\)/);
    assert.match(text.stdout, /valid: false/);

    const json = runCli(['inspect', '--json', '--warmup', '0', '--duration', '60', file]);
    assert.equal(json.status, 0, json.stderr);
    oneLine(json.stderr);
    const record = JSON.parse(json.stdout) as { valid: boolean; timestamps: number[]; warnings: string[] };
    assert.deepEqual(record.timestamps, []);
    assert.equal(record.valid, false);
    assert.equal(record.warnings.length, 1);
  });

  it('info invariant-01/02: packet counts agree with first and last time, negative times included', () => {
    const r = runCli(['info', `${FUZZ}/invariant-01.pcapng`, `${FUZZ}/invariant-02.pcapng`]);
    assert.equal(r.status, 0, r.stderr);
    const [one, two] = r.stdout.split(/\n(?=File:)/);
    // Two packets, one before 1970: both times are real times. The other is a Simple Packet Block first in
    // its section, so it has no time to take from a packet before it: time 0, counted and named.
    assert.match(one!, /Packets: +2 \(1 without a timestamp and none before in their section: time 0\)\n/);
    assert.match(one!, /First packet: +1881-06-06T20:26:46\.000220000Z +\(-2794966394\.000220000\)/);
    assert.match(one!, /Last packet: +1970-01-01T00:00:00\.000000000Z +\(0\.000000000\)/);
    assert.match(one!, /Duration: +2794966393\.999780 s/);
    // One packet, its time out of range: counted and skipped, so no first or last time.
    assert.match(two!, /Packets: +1 \(1 skipped: time out of range\)\n/);
    assert.match(two!, /First packet: +n\/a\nLast packet: +n\/a/);
    const [spb, outside, more] = r.stderr.trim().split('\n');
    assert.match(
      spb!,
      /invariant-01\.pcapng: packet 1 is a pcapng simple packet block, which has no timestamp/,
    );
    assert.match(outside!, /invariant-02\.pcapng: packet 1 has a time outside/);
    assert.equal(more, undefined);

    const json = runCli(['info', '--json', `${FUZZ}/invariant-01.pcapng`]);
    assert.equal(json.status, 0, json.stderr);
    const info = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(info.packets, 2);
    assert.equal(info.skippedBadTime, 0);
    assert.equal(info.withoutTimestampAtEpoch, 1);
    assert.equal(info.firstTime, '-2794966394.000220000');
    assert.equal(info.lastTime, '0.000000000');
  });

  for (const [name, outcome] of [
    ['diff-01', 'truncated'],
    ['diff-02', 'error'],
    ['diff-03', 'truncated'],
  ] as const) {
    it(`${name}.pcap.gz gives the same result as a file, from a pipe and as a stream in any chunks`, async () => {
      const file = `${FUZZ}/${name}.pcap.gz`;
      const bytes = readFileSync(file);
      const byPath = runCli(['info', '--json', file]);
      const byPipe = runCli(['info', '--json', '-'], { input: bytes });
      assert.equal(byPath.status, outcome === 'error' ? 1 : 0, byPath.stderr);
      assert.equal(byPipe.status, byPath.status);
      assert.equal(
        byPipe.stdout.replaceAll('"-"', JSON.stringify(file)).replaceAll('"-: ', `"${file}: `),
        byPath.stdout,
      );
      assert.equal(byPipe.stderr.replaceAll(' -: ', ` ${file}: `), byPath.stderr);
      if (outcome === 'error') {
        assert.match(oneLine(byPath.stderr), /^networkml: .*diff-02\.pcap\.gz: unsupported pcap version 7/);
      } else {
        assert.match(byPath.stderr, /compressed data ends early \(gzip stream truncated\)/);
        assert.equal((JSON.parse(byPath.stdout) as { packets: number }).packets, 0);
      }
      const results = new Set<string>();
      for (const size of [bytes.length, 1, 2, 3, 5, 7]) {
        const chunks: Buffer[] = [];
        for (let p = 0; p < bytes.length; p += size) chunks.push(bytes.subarray(p, p + size));
        const sources = [file, Readable.from(chunks)];
        for (const source of sources) {
          try {
            const s = await readCapture(source, () => {}, { name });
            results.add(JSON.stringify({ ...s, warnings: s.warnings.map((w) => w.message) }));
          } catch (err) {
            results.add(`error: ${(err as Error).message}`);
          }
        }
      }
      assert.equal(results.size, 1, [...results].join('\n'));
    });
  }

  it('every output handles times far from today and packets whose time is out of range', () => {
    const aria = readFileSync(ARIA);
    // Aria's 2016 times moved back to 1921 (negative epoch seconds) and forward to 2238; a third copy keeps
    // them but pushes every 40th packet's time out of range.
    const cases = [
      { name: 'aria-1921.pcapng', bytes: pcapToPcapng(aria, -3_000_000_000), year: '1921', bad: false },
      { name: 'aria-2238.pcapng', bytes: pcapToPcapng(aria, 7_000_000_000), year: '2238', bad: false },
      { name: 'aria-badtimes.pcapng', bytes: pcapToPcapng(aria, 0, 40), year: '2016', bad: true },
    ];
    const data = mkdtempSync(join(tmp, 'data-'));
    const env = { NETWORKML_DATA_DIR: data };
    for (const c of cases) {
      const file = join(tmp, c.name);
      writeFileSync(file, c.bytes);
      const warned = (stderr: string): void => {
        if (c.bad)
          assert.match(oneLine(stderr), /aria-badtimes\.pcapng: packet 40 has a time outside .* skipped$/);
        else assert.equal(stderr, '');
      };

      const info = runCli(['info', file], { env });
      assert.equal(info.status, 0, info.stderr);
      warned(info.stderr);
      assert.match(info.stdout, new RegExp(`First packet: +${c.year}-`));

      const table = runCli(['eval', file], { env });
      assert.equal(table.status, 0, table.stderr);
      warned(table.stderr);
      assert.match(table.stdout, new RegExp(`${ARIA_MAC} .* ${c.year}-\\d\\d-\\d\\d \\d\\d:\\d\\d`));

      const out = join(tmp, `${c.name}.json`);
      const json = runCli(['eval', '--json', '-o', out, file], { env });
      assert.equal(json.status, 0, json.stderr);
      const result = JSON.parse(readFileSync(out, 'utf8')) as CaptureResult;
      const device = result.data[result.key] as { timestamp: number; valid: boolean };
      assert.equal(device.valid, true);
      assert.equal(new Date(device.timestamp * 1000).toISOString().slice(0, 4), c.year);

      // The worker's messages carry the same time.
      const [message] = resultMessages('poseidon', { id: 'job-1', file_path: file }, result, '0.0.0');
      const sent = JSON.stringify(message);
      assert.match(sent, new RegExp(`"timestamp":${device.timestamp}`));

      const inspect = runCli(['inspect', file], { env });
      assert.equal(inspect.status, 0, inspect.stderr);
      assert.match(inspect.stdout, new RegExp(`bin 0 \\(\\d+ sessions, ${c.year}-`));

      const watch = runCli(['watch', '-'], { env, input: c.bytes });
      assert.equal(watch.status, 0, watch.stderr);
      if (c.bad) assert.match(oneLine(watch.stderr), /packet 40 has a time outside/);
      assert.match(watch.stdout, new RegExp(`^${c.year}-\\d\\d-\\d\\dT[\\d:]+Z bin 0 ${ARIA_MAC}`, 'm'));

      const html = join(tmp, `${c.name}.html`);
      const report = runCli(['report', out, '-o', html], { env });
      assert.equal(report.status, 0, report.stderr);
      // The page's text, without the embedded chart library (whose code says NaN).
      const page = readFileSync(html, 'utf8').replace(/<script[\s\S]*?<\/script>/g, '');
      assert.match(page, new RegExp(`${c.year}-\\d\\d-\\d\\d \\d\\d:\\d\\d`));
      assert.doesNotMatch(page, /Invalid Date|NaN/);
    }
    // The device's history holds every evaluation above, each with its own year.
    const history = runCli(['history', ARIA_MAC], { env });
    assert.equal(history.status, 0, history.stderr);
    for (const year of ['1921', '2238', '2016'])
      assert.match(history.stdout, new RegExp(`${year}-\\d\\d-\\d\\d`));
    assert.doesNotMatch(history.stdout, /NaN|Invalid/);
  });
});
