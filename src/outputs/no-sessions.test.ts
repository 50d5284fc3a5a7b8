import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { CaptureResult } from '../result.js';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-no-sessions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A little-endian pcap with every record cut to `snaplen` bytes, as `tcpdump -s snaplen` would have kept. */
function cutTo(source: string, snaplen: number): Buffer {
  const bytes = readFileSync(source);
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian microsecond pcap');
  const out = [Buffer.from(bytes.subarray(0, 24))];
  out[0]!.writeUInt32LE(snaplen, 16);
  for (let at = 24; at + 16 <= bytes.length; ) {
    const caplen = bytes.readUInt32LE(at + 8);
    const kept = Math.min(caplen, snaplen);
    const header = Buffer.from(bytes.subarray(at, at + 16));
    header.writeUInt32LE(kept, 8);
    out.push(header, bytes.subarray(at + 16, at + 16 + kept));
    at += 16 + caplen;
  }
  return Buffer.concat(out);
}

it('a capture with no decodable IP header is said to have none, not blamed on the warm-up', () => {
  const capture = join(dir, 'Aria-cut-Mon0000-n00.pcap');
  writeFileSync(capture, cutTo(`${TEST_DATA}iot-sentinel/setups/Aria-A1-Mon0000-n00.pcap`, 30));
  const why =
    /no sessions: none of its \d+ packets has an IP header the reader could decode \(no IP traffic, or a snap length that cut it\)/;
  for (const warmup of ['120', '0']) {
    const r = runCli(['eval', '--json', '--no-history', '--warmup', warmup, capture]);
    assert.equal(r.status, 0, r.stderr);
    assert.match((JSON.parse(r.stdout) as CaptureResult).reason!, why);
  }
  const inspected = runCli(['inspect', capture]);
  assert.equal(inspected.status, 0, inspected.stderr);
  assert.match(inspected.stdout, new RegExp(`capture source: none: ${why.source}`));
});
