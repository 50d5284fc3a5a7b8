import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BehaviorBin } from './behavior.js';
import { BehaviorBinStore } from './behavior-bin-store.js';

function record(i: number): BehaviorBin {
  return {
    bin: i,
    host: i % 3,
    start: 1_700_000_000.123456 + i * 300.5,
    end: 1_700_000_100.654321 + i * 300.5,
    packets: 17 * i + 1,
    values: Array.from({ length: 32 }, (_, f) => (f === 4 ? -Math.log2(i + 1.5) : (i * 31 + f) / 7)),
    services: Array.from(
      { length: i % 5 },
      (_, k) => [262144 + k * 443, k + 1, 3 * k + 2] as [number, number, number],
    ),
    publicPeers: Array.from({ length: i % 4 }, (_, k) => 4294967296 + k * 1000003 + i),
    publicPeerFlows: Array.from({ length: i % 4 }, (_, k) => k * 9 + 1),
    // Resumptions of held connections in some records, left out when none (as the extractor does).
    ...(i % 4 >= 2 ? { publicPeerResumes: Array.from({ length: i % 4 }, (_, k) => (k + i) % 3) } : {}),
    // One-way UDP bytes to public peers in some, left out when none.
    ...(i % 4 >= 1 && i % 3 === 1
      ? { publicPeerOneWayBytes: Array.from({ length: i % 4 }, (_, k) => (k === 0 ? 1337.5 + i : 0)) }
      : {}),
    stacks: (i * 37) & 0x7fff,
    arpClaims: i % 7,
    // Packets from a foreign source in some, left out when none.
    ...(i % 5 === 3 ? { foreignSources: 1920 + i, foreignSourceAddress: 168430100 + i } : {}),
    // Regular endpoints (beacons) in some records only, as the extractor leaves the field out when none.
    ...(i % 3 === 0
      ? {
          beacons: Array.from(
            { length: 1 + (i % 2) },
            (_, k) =>
              [3221226219 + k, 262587 + k, 4 + i, 60.25 + k / 3, 1.5] as [
                number,
                number,
                number,
                number,
                number,
              ],
          ),
        }
      : {}),
    // Sessions held with public peers in others, the field left out when none as well.
    ...(i % 4 === 1
      ? { heldSessions: Array.from({ length: 1 + (i % 3) }, (_, k) => 266592 + k * 2223) }
      : {}),
    // Services local hosts accepted in others (some with held sessions too), left out when none.
    ...(i % 5 === 1
      ? { lanConnections: Array.from({ length: 1 + (i % 2) }, (_, k) => 262224 + k * 365) }
      : {}),
    // Services the host accepted in others, left out when none.
    ...(i % 6 === 2
      ? { acceptedServices: Array.from({ length: 1 + (i % 4) }, (_, k) => 1080 + k * 1000) }
      : {}),
  };
}

it('gives back every record exactly, from memory and from its temporary file', () => {
  // 600 doubles in memory: the 200 records (~40-60 doubles each) mostly go to the file.
  const store = new BehaviorBinStore(600);
  const added = Array.from({ length: 200 }, (_, i) => record(i));
  for (const r of added) store.add(r);
  assert.equal(store.length, 200);
  for (let i = 0; i < 200; i++) {
    assert.equal(store.host(i), i % 3);
    assert.deepEqual(store.get(i), added[i], `record ${i}`);
  }
  // Out of order too (the file is read at offsets, not as a stream).
  for (const i of [199, 0, 57, 3, 198]) assert.deepEqual(store.get(i), added[i]);
  // A record larger than the memory budget still fits.
  const big = {
    ...record(7),
    services: Array.from({ length: 400 }, (_, k) => [k, k, k] as [number, number, number]),
  };
  store.add(big);
  assert.deepEqual(store.get(200), big);
  assert.deepEqual(store.get(199), added[199]);
});

it('settles: a store with a file moves the rest there and reads the same; a store in memory stays there', () => {
  const filed = new BehaviorBinStore(600);
  const added = Array.from({ length: 50 }, (_, i) => record(i));
  for (const r of added) filed.add(r);
  filed.settle();
  for (let i = 0; i < 50; i++) assert.deepEqual(filed.get(i), added[i], `record ${i}`);
  // Records added after it still read back.
  filed.add(record(50));
  assert.deepEqual(filed.get(50), record(50));
  assert.deepEqual(filed.get(49), added[49]);
  const small = new BehaviorBinStore();
  for (const r of added.slice(0, 5)) small.add(r);
  small.settle();
  for (let i = 0; i < 5; i++) assert.deepEqual(small.get(i), added[i]);
});
