import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketStore } from './packet-store.js';

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
    const b = addresses.bytes[endpoints.address[e]!]!;
    return (b[2]! << 8) | b[3]!;
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
    ['many steps back (hash index)', 3, 0.3, 1.5],
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
