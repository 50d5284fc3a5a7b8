/**
 * Fuzz: thousands of mutated real and edge captures (bit flips, truncations, length-field overwrites,
 * spliced bytes, gzip members) through the reader. Each must end, quickly, in a summary or a one-line
 * CaptureError; decoded records must stay inside their frame; memory must not grow with the lies.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CaptureError } from '../errors.js';
import { MAX_VLAN_TAGS, type PacketRecord } from './packet.js';
import { readCapture } from './reader.js';

const DATA = join(import.meta.dirname, '../../test-data/captures');
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 20_000);
const PER_READ_MS = 2_000;

/** mulberry32: small, seedable, good enough to pick mutations reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = [
  'real/iKettle2-A1-Mon0000-n00.pcap',
  'real/DLinkDayCam-A1-Mon0000-n00.pcap',
  'edge/zoo-le-us.pcap',
  'edge/zoo-be-ns.pcap',
  'edge/multi-section.pcapng',
  'edge/real-be.pcapng',
  'edge/spb.pcapng',
  'edge/sll2.pcap',
  'edge/null-le.pcap',
].map((f) => readFileSync(join(DATA, f)));

const INTERESTING = [
  0, 1, 3, 4, 11, 12, 15, 16, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x10000000,
];

function mutate(rand: () => number, input: Buffer): Buffer {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b = Buffer.from(input);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    switch (pick(6)) {
      case 0: {
        const flips = 1 + pick(16);
        for (let i = 0; i < flips; i++) {
          const at = pick(b.length);
          b[at] = b[at]! ^ (1 << pick(8));
        }
        break;
      }
      case 1:
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 2: {
        // Overwrite a 32-bit field, aligned or not, in either byte order.
        if (b.length < 4) break;
        const at = rand() < 0.5 ? pick(b.length >> 2) * 4 : pick(b.length - 3);
        const v = rand() < 0.7 ? INTERESTING[pick(INTERESTING.length)]! : Math.floor(rand() * 4294967296);
        if (rand() < 0.5) b.writeUInt32LE(v >>> 0, at);
        else b.writeUInt32BE(v >>> 0, at);
        break;
      }
      case 3: {
        if (b.length < 2) break;
        const at = pick(b.length - 1);
        b.writeUInt16BE(INTERESTING[pick(INTERESTING.length)]! & 0xffff, at);
        break;
      }
      case 4: {
        // Splice: duplicate or drop a run of bytes.
        const at = pick(b.length + 1);
        const len = pick(64);
        b =
          rand() < 0.5
            ? Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)])
            : Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
        break;
      }
      default: {
        const at = pick(b.length + 1);
        const junk = Buffer.alloc(pick(32));
        for (let i = 0; i < junk.length; i++) junk[i] = pick(256);
        b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
        break;
      }
    }
  }
  return b;
}

function checkRecord(p: PacketRecord): void {
  if (p.headerEnd > p.capturedLength || p.headerEnd < -1) {
    throw new Error(`headerEnd ${p.headerEnd} outside frame of ${p.capturedLength}`);
  }
  if (p.vlanCount > MAX_VLAN_TAGS) throw new Error(`vlanCount ${p.vlanCount}`);
  if (p.tsNsec < 0 || p.tsNsec > 999_999_999 || !Number.isFinite(p.tsSec)) throw new Error('bad time');
  if (p.srcPort > 0xffff || p.tcpFlags > 0x1ff || p.ipVersion % 2 !== 0) throw new Error('bad field');
}

it(`survives ${ITERATIONS} mutated captures (bounded to ${BUDGET_MS / 1000} s)`, async () => {
  const rand = prng(0xc0ffee);
  const started = Date.now();
  const rss0 = process.memoryUsage().rss;
  let done = 0;
  let errors = 0;
  let packets = 0;
  for (; done < ITERATIONS && Date.now() - started < BUDGET_MS; done++) {
    const seed = seeds[done % seeds.length]!;
    let data = mutate(rand, seed);
    if (done % 10 === 9) data = rand() < 0.5 ? gzipSync(data) : mutate(rand, gzipSync(seed));
    // Odd chunkings exercise the straddling path too.
    const chunks: Buffer[] = [];
    const size = rand() < 0.5 ? data.length || 1 : 1 + Math.floor(rand() * 97);
    for (let p = 0; p < data.length; p += size) chunks.push(data.subarray(p, p + size));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`read ${done} did not finish in ${PER_READ_MS} ms`)),
        PER_READ_MS,
      );
    });
    try {
      const s = await Promise.race([
        readCapture(
          Readable.from(chunks),
          (p) => {
            packets++;
            checkRecord(p);
          },
          { name: `fuzz-${done}` },
        ),
        timeout,
      ]);
      assert.ok(s.packets >= 0);
    } catch (err) {
      if (!(err instanceof CaptureError)) {
        throw new Error(
          `iteration ${done}: ${String(err)} (input ${data.subarray(0, 64).toString('hex')}...)`,
        );
      }
      assert.ok(!err.message.includes('\n'));
      errors++;
    } finally {
      clearTimeout(timer);
    }
  }
  const grown = (process.memoryUsage().rss - rss0) / 1024 / 1024;
  assert.ok(done >= Math.min(ITERATIONS, 500), `only ${done} iterations ran`);
  assert.ok(grown < 200, `RSS grew by ${grown.toFixed(0)} MiB`);
  console.log(
    `fuzz: ${done} inputs, ${errors} CaptureErrors, ${packets} packets, RSS +${grown.toFixed(0)} MiB`,
  );
});
