import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BehaviorPacket } from '../features/behavior.js';
import { PACKED_RECORD_BYTES, PackedPacket, PackedRecords } from './packed.js';
import { PacketRecord } from './packet.js';
import { readCapture } from './reader.js';

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

/** What the behaviour extractor reads of a packet (BehaviorPacket), as plain data. */
function seen(p: BehaviorPacket): unknown {
  const time = new Float64Array(1);
  p.timeMicrosTo(time);
  return {
    time: time[0],
    ipVersion: p.ipVersion,
    hasMacs: p.hasMacs,
    macs: [...p.macs],
    srcAddr: [...p.srcAddr],
    dstAddr: [...p.dstAddr],
    originalLength: p.originalLength,
    ipLength: p.ipLength,
    l4PayloadLength: p.l4PayloadLength,
    l4Proto: p.l4Proto,
    ttl: p.ttl,
    tcpFlags: p.tcpFlags,
    tcpHeaderWords: p.tcpHeaderWords,
    isLaterFragment: p.isLaterFragment,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    icmpType: p.icmpType,
    arpOp: p.arpOp,
    arpSender: p.arpSender,
    arpTarget: p.arpTarget,
  };
}

describe('PackedRecords.load (the behaviour extractor on the analysis thread)', () => {
  it('gives every packet of every test capture as unpack gives it, in order, through one reused packet', async () => {
    const records = new PackedRecords(new ArrayBuffer(PACKED_RECORD_BYTES), 0, 1);
    const loaded = new PackedPacket();
    const unpacked = new PacketRecord();
    let packets = 0;
    let v4AfterV6 = 0;
    let previous = 0;
    for (const path of capturesUnder(TEST_DATA)) {
      try {
        await readCapture(path, (p) => {
          records.pack(0, p);
          records.load(0, loaded);
          records.unpack(0, unpacked);
          assert.deepEqual(seen(loaded), seen(unpacked), `${path}: packet ${p.index}`);
          if (p.ipVersion === 4 && previous === 6) v4AfterV6++;
          previous = p.ipVersion;
          packets++;
        });
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        // A corrupt capture: the packets before its corrupt record were compared.
      }
    }
    assert.ok(packets > 100_000, `${packets} packets`);
    // The IPv4 packet after an IPv6 one has its address bytes 4–15 zeroed again.
    assert.ok(v4AfterV6 > 100, `${v4AfterV6} IPv4 packets right after an IPv6 one`);
  });
});
