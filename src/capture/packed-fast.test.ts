import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from './decode.js';
import { PACKED_RECORD_BYTES, PackedRecords } from './packed.js';
import { LinkType, PacketRecord } from './packet.js';
import { readCapture } from './reader.js';
import type { FrameTaker } from './reader-api.js';

const TEST_DATA = fileURLToPath(new URL('../../test-data/', import.meta.url));

function capturesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...capturesUnder(path));
    else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) found.push(path);
  }
  return found.sort();
}

/** Every IP packet of a capture packed as the reader thread packs it, with or without the shortcut. */
async function packAll(
  path: string,
  shortcut: boolean,
): Promise<{ bytes: Uint8Array; count: number; taken: number; error: string | null }> {
  let capacity = 1024;
  let records = new PackedRecords(new ArrayBuffer(capacity * PACKED_RECORD_BYTES), 0, capacity);
  let count = 0;
  let taken = 0;
  const room = (): number => {
    if (count === capacity) {
      const grown = new PackedRecords(new ArrayBuffer(2 * capacity * PACKED_RECORD_BYTES), 0, 2 * capacity);
      grown.bytes.set(records.bytes);
      records = grown;
      capacity *= 2;
    }
    return count;
  };
  const taker: FrameTaker = {
    take(time, b, off, caplen, origlen, linkType) {
      if (
        linkType !== LinkType.ETHERNET ||
        !records.packEthernetIpv4(room(), time, b, off, caplen, origlen)
      ) {
        return false;
      }
      count++;
      taken++;
      return true;
    },
  };
  let error: string | null = null;
  try {
    await readCapture(
      path,
      (p) => {
        if (p.ipVersion !== 4 && p.ipVersion !== 6) return;
        records.pack(room(), p);
        count++;
      },
      shortcut ? { frameTaker: taker } : {},
    );
  } catch (err) {
    // A corrupt capture fails the same way on both paths (compared), after the same records.
    error = String(err);
  }
  return { bytes: records.bytes.subarray(0, count * PACKED_RECORD_BYTES), count, taken, error };
}

describe('packEthernetIpv4 (the reader thread shortcut)', () => {
  it('packs every test capture exactly as decodeFrame then pack do', async () => {
    const paths = capturesUnder(TEST_DATA);
    assert.ok(paths.length > 200, `${paths.length} captures`);
    let packets = 0;
    let taken = 0;
    for (const path of paths) {
      const slow = await packAll(path, false);
      const fast = await packAll(path, true);
      assert.equal(fast.count, slow.count, path);
      assert.equal(fast.error, slow.error, path);
      assert.ok(Buffer.from(fast.bytes).equals(Buffer.from(slow.bytes)), `${path}: packed records differ`);
      packets += slow.count;
      taken += fast.taken;
    }
    // Most packets of these captures are the common shape; the rest go through the decoder.
    assert.ok(taken > packets / 2 && taken < packets, `${taken} of ${packets} taken`);
  });

  it('agrees with the decoder on mutated headers, and declines what it does not handle', () => {
    const base = firstTcpFrame();
    const rec = new PacketRecord();
    const slots = 2;
    const decoded = new PackedRecords(new ArrayBuffer(slots * PACKED_RECORD_BYTES), 0, slots);
    const direct = new PackedRecords(new ArrayBuffer(slots * PACKED_RECORD_BYTES), 0, slots);
    const time = new Float64Array([1_700_000_000, 123_456_789]);
    // Header bytes worth mutating: ethertype, IP version/IHL, lengths, flags and offset, protocol, ports,
    // TCP data offset and flags, UDP length.
    const spots = [12, 13, 14, 16, 17, 20, 21, 23, 34, 36, 38, 39, 46, 47];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let took = 0;
    let declined = 0;
    for (let round = 0; round < 20_000; round++) {
      const frame = Uint8Array.from(base);
      for (let k = random(4); k >= 0; k--) frame[spots[random(spots.length)]!] = random(256);
      if (random(2) === 0) frame[23] = random(2) === 0 ? 6 : 17;
      if (random(3) === 0) frame[14] = 0x40 | (5 + random(3));
      const caplen = random(4) === 0 ? random(frame.length + 1) : frame.length;
      const origlen = random(4) === 0 ? random(2 * frame.length) : frame.length;
      decoded.bytes.fill(0);
      direct.bytes.fill(0);
      if (!direct.packEthernetIpv4(0, time, frame, 0, caplen, origlen)) {
        declined++;
        continue;
      }
      took++;
      rec.tsSec = time[0]!;
      rec.tsNsec = time[1]!;
      rec.capturedLength = caplen;
      rec.originalLength = origlen;
      decodeFrame(rec, frame, 0, caplen, LinkType.ETHERNET);
      assert.equal(rec.ipVersion, 4, `round ${round}`);
      decoded.pack(0, rec);
      assert.deepEqual(direct.bytes, decoded.bytes, `round ${round}: ${Buffer.from(frame).toString('hex')}`);
    }
    assert.ok(took > 3_000 && declined > 2_000, `${took} taken, ${declined} declined`);
  });
});

/** The first Ethernet/IPv4/TCP frame with a plain 20-byte IP header of a real capture (classic pcap, LE). */
function firstTcpFrame(): Uint8Array {
  const file = readFileSync(join(TEST_DATA, 'captures/real/Aria-sentinel-Mon0000-n00.pcap'));
  assert.equal(file.readUInt32LE(0), 0xa1b2c3d4);
  for (let at = 24; at + 16 <= file.length; ) {
    const caplen = file.readUInt32LE(at + 8);
    const frame = file.subarray(at + 16, at + 16 + caplen);
    if (caplen >= 54 && frame[12] === 0x08 && frame[13] === 0 && frame[14] === 0x45 && frame[23] === 6) {
      return Uint8Array.from(frame.subarray(0, 54));
    }
    at += 16 + caplen;
  }
  throw new Error('no TCP frame');
}
