import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { captureInfo, infoJson, infoText } from './info.js';

const EDIMAX = `${TEST_DATA}../data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`;

/** A little-endian pcap (µs or ns, 16-byte records) rewritten big-endian, as a big-endian host writes it. */
function bigEndian(le: Buffer): Buffer {
  const be = Buffer.from(le);
  be.writeUInt32BE(le.readUInt32LE(0), 0);
  be.writeUInt16BE(le.readUInt16LE(4), 4);
  be.writeUInt16BE(le.readUInt16LE(6), 6);
  for (let o = 8; o < 24; o += 4) be.writeUInt32BE(le.readUInt32LE(o), o);
  for (let o = 24; o + 16 <= le.length; ) {
    const caplen = le.readUInt32LE(o + 8);
    for (let f = 0; f < 16; f += 4) be.writeUInt32BE(le.readUInt32LE(o + f), o + f);
    o += 16 + caplen;
  }
  return be;
}

/** What info --json says of a capture, less what names or sizes it (the file, its headers). */
function infoOf(json: Record<string, unknown>): Record<string, unknown> {
  const { source: _s, bytes: _b, sections: _n, linkTypes: _l, ...rest } = json;
  return rest;
}

describe('pcap files one after another (cat part1.pcap part2.pcap, tail -F over rotated files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-concat-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // tcpdump -C / -G style parts of a real capture, 200 packets each (9 files).
  execFileSync('editcap', ['-F', 'pcap', '-c', '200', EDIMAX, join(dir, 'part.pcap')]);
  const names = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  const parts = names.map((f) => readFileSync(f));
  const original = readFileSync(EDIMAX);

  it('read as the original capture: info, eval --json and watch --json give its results', async () => {
    assert.equal(parts.length, 9);
    const joined = join(dir, 'joined.pcap');
    writeFileSync(joined, Buffer.concat(parts));
    const info = await captureInfo(joined);
    assert.equal(info.corrupt, null);
    assert.equal(info.summary.sections, 9);
    assert.deepEqual(info.summary.linkTypes, Array(9).fill(1));
    assert.deepEqual(infoOf(infoJson(info)), infoOf(infoJson(await captureInfo(EDIMAX))));
    assert.match(infoText(info), /^Format: +pcap, 9 files one after another$/m);

    // Through standard input, as `cat part* | networkml eval -` gives them.
    const evaluated = runCli(['eval', '--json', '--no-history', '-'], { input: Buffer.concat(parts) });
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const whole = runCli(['eval', '--json', '--no-history', '-'], { input: original });
    assert.equal(evaluated.stdout, whole.stdout);
    const watched = runCli(['watch', '--json', '-'], { input: Buffer.concat(parts) });
    assert.equal(watched.status, 0, watched.stderr);
    assert.equal(watched.stderr, '');
    assert.equal(watched.stdout, runCli(['watch', '--json', EDIMAX]).stdout);
  });

  it('each file with its own byte order and time unit: microseconds, nanoseconds, big- and little-endian', async () => {
    /** Part i as editcap writes it in nanoseconds. */
    const nanoseconds = (i: number): Buffer => {
      const ns = join(dir, `ns-${i}.pcap`);
      execFileSync('editcap', ['-F', 'nsecpcap', names[i]!, ns]);
      const bytes = readFileSync(ns);
      assert.equal(bytes.readUInt32LE(0), 0xa1b23c4d);
      return bytes;
    };
    const mixed = Buffer.concat([
      parts[0]!,
      nanoseconds(1),
      bigEndian(parts[2]!),
      bigEndian(nanoseconds(3)),
      ...parts.slice(4),
    ]);
    const path = join(dir, 'mixed.pcap');
    writeFileSync(path, mixed);
    const info = await captureInfo(path);
    assert.equal(info.summary.sections, 9);
    assert.deepEqual(infoOf(infoJson(info)), infoOf(infoJson(await captureInfo(EDIMAX))));
    const evaluated = runCli(['eval', '--json', '--no-history', '-'], { input: mixed });
    assert.equal(evaluated.status, 0, evaluated.stderr);
    assert.equal(
      evaluated.stdout,
      runCli(['eval', '--json', '--no-history', '-'], { input: original }).stdout,
    );
  });

  it("a file header with its time zone set (old writers put the zone's offset there) starts a file", async () => {
    // Byte order of the file before it, µs: only the lengths a record would have tell the header apart.
    for (const zone of [-18_000, 3600, 19_800]) {
      const second = Buffer.from(parts[1]!);
      second.writeInt32LE(zone, 8);
      const path = join(dir, `zone${zone}.pcap`);
      writeFileSync(path, Buffer.concat([parts[0]!, second, parts[2]!]));
      const info = await captureInfo(path);
      assert.equal(info.corrupt, null, String(zone));
      assert.equal(info.summary.sections, 3, String(zone));
      assert.equal(info.summary.packets, 600, String(zone));
    }
  });

  it('a record whose time reads as a pcap magic and version is still a record', async () => {
    // 0xa1b2c3d4 seconds (2055-12-19) and 262,146 µs: in a little-endian µs file its first 8 bytes are a
    // little-endian file header's magic and version 2.4. Its lengths tell it from one.
    const bytes = Buffer.from(parts[0]!);
    bytes.writeUInt32LE(0xa1b2c3d4, 24);
    bytes.writeUInt32LE(262_146, 28);
    assert.deepEqual([...bytes.subarray(24, 32)], [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    const path = join(dir, 'magic-time.pcap');
    writeFileSync(path, bytes);
    const info = await captureInfo(path);
    assert.equal(info.corrupt, null);
    assert.equal(info.summary.sections, 1);
    assert.equal(info.summary.packets, 200);
    assert.deepEqual(info.summary.lastTime, { sec: 0xa1b2c3d4, nsec: 262_146_000 });
  });
});
