import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketRecord } from '../capture/packet.js';
import { fewestAllocatedBytes } from '../test-helpers/allocation.js';
import { packedLongCapture } from '../test-helpers/packed-capture.js';
import { BEHAVIOR_FEATURES, BehaviorExtractor, hostBins } from './behavior.js';

describe('behaviour extractor allocation', () => {
  it('counts packets (unpacked from the ring, as the analysis thread does) with no allocation per packet', async () => {
    const { records, count: n } = await packedLongCapture();
    assert.ok(n > 50_000, `${n} packets`);
    // One extractor throughout (see v2/allocation.test.ts): the measured pass closes no bin.
    const behavior = new BehaviorExtractor({ durationS: 900 });
    const rec = new PacketRecord();
    const feed = () => {
      for (let i = 0; i < n; i++) {
        records.unpack(i, rec);
        behavior.add(rec);
      }
    };
    for (let warm = 0; warm < 4; warm++) feed(); // optimised code: the interpreter boxes every double
    const perPacket = (await fewestAllocatedBytes(feed, 4 * n)) / n;
    // A heap number per packet would be 16 B or more (the host keys and the time were, ~28 B).
    assert.ok(perPacket < 4, `${perPacket.toFixed(2)} bytes allocated per packet`);
  });

  // The capture above is numbered in 10/8, whose addresses are small integers. Above 2^31 (192.168/16,
  // 172.16/12, most public ones) an address read as unsigned was a heap number per packet, so were flow keys
  // of local ports from 32768 on and ARP targets, and an ARP request's time passed to a call: 35.5 bytes a
  // packet here before. One heap number every 8 packets is 2 bytes a packet, so the bound is 1 (0.05 now).
  it('counts packets of a network numbered above 2^31 (DNS from high ports, ARP, IPv6) with none either', async () => {
    const behavior = new BehaviorExtractor({ durationS: 900 });
    const p = new PacketRecord();
    p.hasMacs = true;
    p.macs.set([0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x14]);
    // Addresses made once: an array literal in the loop would be the allocation measured.
    const v4Device = Uint8Array.of(192, 168, 1, 20);
    const v4Resolvers = [1, 2, 3].map((r) => Uint8Array.of(192, 168, 1, r));
    const v6Device = Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14);
    const v6Servers = Array.from({ length: 7 }, (_, r) =>
      Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, r),
    );
    /** An IP packet from the device (TCP with PSH+ACK, or UDP). */
    const ip = (
      version: number,
      proto: number,
      tcpFlags: number,
      src: Uint8Array,
      dst: Uint8Array,
      port: number,
    ) => {
      p.ipVersion = version;
      p.arpOp = 0;
      p.ipProto = p.l4Proto = proto;
      p.tcpFlags = tcpFlags;
      p.srcAddr.set(src);
      p.dstAddr.set(dst);
      p.dstPort = port;
    };
    const n = 60_000;
    let second = 1_700_000_000;
    const feed = () => {
      for (let i = 0; i < n; i++) {
        p.tsSec = second;
        p.tsNsec = i * 10_000;
        p.ttl = 64;
        p.originalLength = 90;
        p.ipLength = 76;
        p.l4PayloadLength = 48;
        p.srcPort = 40_000 + (i % 2_000);
        if (i % 8 === 5) {
          // An ARP request for a 192.168 neighbour (a sweep asks for many).
          p.ipVersion = 0;
          p.arpOp = 1;
          p.arpTarget = 0xc0a8_0100 + ((i >> 3) % 200);
        } else if (i % 4 === 3) ip(6, 6, 0x18, v6Device, v6Servers[i % 7]!, 443);
        else ip(4, 17, 0, v4Device, v4Resolvers[i % 3]!, 53);
        behavior.add(p);
      }
      second += 1;
    };
    for (let warm = 0; warm < 4; warm++) feed();
    const perPacket = (await fewestAllocatedBytes(feed, 4 * n)) / n;
    assert.ok(perPacket < 1, `${perPacket.toFixed(2)} bytes allocated per packet`);
    const result = behavior.finish();
    assert.equal(result.hosts[result.device]?.key, '02:00:00:00:00:14');
    const [window] = hostBins(result);
    const value = (name: string) => window!.values[BEHAVIOR_FEATURES.findIndex((f) => f.name === name)];
    assert.equal(value('arp.targets.out'), 200);
    assert.equal(value('dns.peers'), 3);
  });
});
