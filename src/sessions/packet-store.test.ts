import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PACKED_RECORD_BYTES, PackedRecords } from '../capture/packed.js';
import { PacketRecord } from '../capture/packet.js';
import { fewestAllocatedBytes } from '../test-helpers/allocation.js';
import { macText } from './address.js';
import { MacTable, PacketStore } from './packet-store.js';

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

interface Pkt {
  time: number;
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  proto: number;
  ipLength: number;
}

/** The original's semantics written plainly: an ordered map keyed by (time, src, dst), repeats overwrite. */
function naive(packets: Pkt[]): { rows: Pkt[]; duplicates: number } {
  const at = new Map<string, number>();
  const rows: Pkt[] = [];
  let duplicates = 0;
  for (const p of packets) {
    const key = `${p.time}|${p.src}:${p.srcPort}|${p.dst}:${p.dstPort}`;
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, rows.length);
      rows.push(p);
    } else {
      rows[i] = p;
      duplicates++;
    }
  }
  return { rows, duplicates };
}

function addr(n: number): Uint8Array {
  return Uint8Array.of(10, 0, (n >> 8) & 0xff, n & 0xff);
}

function stored(store: PacketStore): Pkt[] {
  const out: Pkt[] = [];
  const { endpoints, addresses } = store;
  const host = (e: number) => {
    const [, , b2, b3] = addresses.text[endpoints.address[e]!]!.split('.').map(Number);
    return (b2! << 8) | b3!;
  };
  for (let r = 0; r < store.length; r++) {
    const s = store.srcEndpoint.data[r]!;
    const d = store.dstEndpoint.data[r]!;
    out.push({
      time: store.timeUs.data[r]!,
      src: host(s),
      dst: host(d),
      srcPort: endpoints.port[s]!,
      dstPort: endpoints.port[d]!,
      proto: store.proto.data[r]!,
      ipLength: store.ipLength.data[r]!,
    });
  }
  return out;
}

function fill(store: PacketStore, packets: Pkt[]): void {
  const head = new Uint8Array(12);
  for (const p of packets) {
    store.addFields(
      p.time,
      4,
      addr(p.src),
      0,
      addr(p.dst),
      0,
      p.srcPort,
      p.dstPort,
      head,
      0,
      p.proto,
      p.ipLength,
      1,
    );
  }
}

/**
 * Packets whose times mostly rise, with repeats of recent keys, steps back (`back` of them), and runs of
 * one time (`run` packets long at most).
 */
function traffic(seed: number, n: number, back: number, run: number): Pkt[] {
  const rnd = lcg(seed);
  const out: Pkt[] = [];
  let t = 1_480_000_000_000_000;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    let time = t;
    if (r < back) time = t - Math.floor(rnd() * 50);
    else if (rnd() > 1 / run) time = t;
    else t = time = t + 1 + Math.floor(rnd() * 3);
    const recent =
      out.length > 0 && rnd() < 0.3
        ? out[out.length - 1 - Math.floor(rnd() * Math.min(out.length, 40))]!
        : null;
    out.push(
      recent && rnd() < 0.7
        ? { ...recent, time: recent.time, proto: 6 + i, ipLength: i }
        : {
            time,
            src: Math.floor(rnd() * 6),
            dst: Math.floor(rnd() * 6),
            srcPort: Math.floor(rnd() * 3),
            dstPort: 80,
            proto: i,
            ipLength: i,
          },
    );
  }
  return out;
}

describe('PacketStore dedup (repeat of time, source, destination overwrites in place)', () => {
  const cases: [string, number, number, number][] = [
    ['times in order, short runs', 1, 0, 1.5],
    ['some steps back', 2, 0.02, 1.5],
    ['many steps back (a hash of the late rows)', 3, 0.3, 1.5],
    ['long runs of one time (hash index)', 4, 0, 60],
    ['steps back and long runs', 5, 0.05, 30],
  ];
  for (const [name, seed, back, run] of cases) {
    it(name, () => {
      const packets = traffic(seed, 3000, back, run);
      const want = naive(packets);
      assert.ok(want.duplicates > 50, 'the traffic has repeats');
      const store = new PacketStore();
      fill(store, packets);
      assert.equal(store.duplicates, want.duplicates);
      assert.deepEqual(stored(store), want.rows);
      // Reused for the next bin, the store forgets the previous one (index included).
      store.reset();
      const next = traffic(seed + 100, 500, back, run);
      fill(store, next);
      assert.deepEqual(stored(store), naive(next).rows);
    });
  }
});

/**
 * `count` packed packets between `hosts` hosts (a multiple of 5: every fifth host is IPv6, every eighth
 * IPv4 one public), a few ports each, times rising: what the reader thread hands the store.
 */
function packedPackets(count: number, hosts: number, seed: number): PackedRecords {
  const records = new PackedRecords(new ArrayBuffer(count * PACKED_RECORD_BYTES), 0, count);
  const p = new PacketRecord();
  const next = lcg(seed);
  const host = (h: number, out: Uint8Array) => {
    out.fill(0);
    if (h % 5 === 4) {
      out.set([0x20, 0x01, 0x0d, 0xb8], 0);
      out[14] = h >> 8;
      out[15] = h & 0xff;
    } else {
      out.set(h % 8 === 0 ? [93, 184, h >> 8, h & 0xff] : [10, 1, h >> 8, h & 0xff], 0);
    }
  };
  for (let i = 0; i < count; i++) {
    const a = Math.floor(next() * hosts);
    const b = (a + 5 * (1 + Math.floor(next() * 7))) % hosts; // another host of a's family (hosts % 5 = 0)
    p.ipVersion = a % 5 === 4 ? 6 : 4;
    p.tsSec = 1_600_000_000 + Math.floor(i / 1000);
    p.tsNsec = (i % 1000) * 1000;
    host(a, p.srcAddr);
    host(b, p.dstAddr);
    p.srcPort = 1024 + (a % 7);
    p.dstPort = [53, 80, 443][b % 3]!;
    p.ipProto = 6;
    p.ipLength = 40 + (i % 1400);
    p.originalLength = p.ipLength + 14;
    p.capturedLength = p.originalLength;
    p.l4PayloadLength = p.ipLength - 40;
    for (let k = 0; k < 6; k++) {
      p.frameHead[k] = (b * 7 + k) & 0xff;
      p.frameHead[6 + k] = (a * 7 + k) & 0xff;
    }
    records.pack(i, p);
  }
  return records;
}

describe('PacketStore reset between bins (streaming reuses one store)', () => {
  it('interns every bin as a fresh store would, with more addresses and MACs than the kept objects hold', () => {
    const records = packedPackets(60_000, 12_000, 7);
    const reused = new PacketStore();
    for (let from = 0; from < 60_000; from += 6_000) {
      const fresh = new PacketStore();
      reused.reset();
      for (let i = from; i < from + 6_000; i++) {
        reused.addPacked(records, i);
        fresh.addPacked(records, i);
      }
      assert.deepEqual(reused.addresses.text, fresh.addresses.text);
      const addresses = fresh.addresses.size;
      assert.equal(reused.addresses.size, addresses);
      assert.deepEqual(
        reused.addresses.isPrivate.subarray(0, addresses),
        fresh.addresses.isPrivate.subarray(0, addresses),
      );
      assert.equal(reused.macs.size, fresh.macs.size);
      for (let m = 0; m < fresh.macs.size; m++) assert.equal(reused.macs.text(m), fresh.macs.text(m));
      assert.equal(reused.endpoints.size, fresh.endpoints.size);
      for (let e = 0; e < fresh.endpoints.size; e++) {
        assert.equal(reused.endpoints.address[e], fresh.endpoints.address[e]);
        assert.equal(reused.endpoints.port[e], fresh.endpoints.port[e]);
      }
      assert.equal(reused.length, fresh.length);
      for (const column of ['timeUs', 'srcEndpoint', 'dstEndpoint', 'srcMac', 'dstMac', 'ipLength'] as const)
        assert.deepEqual(
          reused[column].data.subarray(0, reused.length),
          fresh[column].data.subarray(0, fresh.length),
        );
    }
    // Public and private, IPv4 and IPv6 all occurred.
    assert.ok(
      reused.addresses.text.some((t) => t.startsWith('93.')) &&
        reused.addresses.isPrivate.subarray(0, reused.addresses.size).includes(0),
    );
    assert.ok(reused.addresses.text.some((t) => t.startsWith('2001:db8:')));
  });

  it('adds packed packets without allocating per packet (bins of 4,000 packets, 60 hosts)', async () => {
    const count = 200_000;
    const records = packedPackets(count, 60, 11);
    const store = new PacketStore();
    const pass = () => {
      for (let i = 0; i < count; i++) {
        if (i % 4000 === 0) store.reset();
        store.addPacked(records, i);
      }
    };
    for (let warm = 0; warm < 3; warm++) pass(); // optimised code: the interpreter boxes every double
    const bytes = await fewestAllocatedBytes(pass, count);
    // ~0.2 B measured (the sampling's own noise); before, 43 B: a heap number per packet's time (16 B), and
    // every bin's address and MAC texts and the tables' per-id arrays made again.
    assert.ok(bytes / count < 1, `${(bytes / count).toFixed(2)} bytes allocated per packet`);
  });
});

describe('MacTable: MACs by their words, texts made when asked for', () => {
  it('names and finds every MAC it holds, more of them than its kept texts, through clear()', () => {
    const next = lcg(3);
    const table = new MacTable();
    for (let round = 0; round < 3; round++) {
      table.clear();
      const frames = new Uint8Array(12 * 10_000);
      for (let i = 0; i < frames.length; i++) frames[i] = Math.floor(next() * 256);
      const texts: string[] = [];
      for (let at = 0; at < frames.length; at += 6) {
        const id = table.intern(frames, at);
        const text = macText(frames, at);
        if (id === texts.length) texts.push(text);
        assert.equal(texts[id], text, 'one id per MAC');
      }
      assert.equal(table.size, texts.length);
      // Read back in another order than interned: kept texts are overwritten and made again.
      for (let id = texts.length - 1; id >= 0; id -= 3) {
        assert.equal(table.text(id), texts[id]);
        assert.equal(table.find(texts[id]!), id);
        assert.equal(
          macText(
            new Uint8Array([
              table.hi(id) >> 8,
              table.hi(id),
              ...[24, 16, 8, 0].map((s) => table.lo(id) >>> s),
            ]),
          ),
          texts[id],
        );
      }
      assert.equal(table.find('00:00:5e:00:53:ff'), texts.indexOf('00:00:5e:00:53:ff'));
      const upper = texts.find((t) => /[a-f]/.test(t))!;
      assert.equal(table.find(upper.toUpperCase()), -1, 'found only as written, as comparing texts would');
      assert.throws(() => table.text(texts.length), RangeError);
    }
  });
});
