/**
 * The mutation fuzzer behind bench/fuzz.ts and src/capture/fuzz.test.ts. Seeded from the real and edge
 * captures in test-data, each input is a mutated capture (bit flips, byte inserts and deletes, length
 * fields nudged, truncation, file/record/block header and timestamp fields, pcapng if_tsoffset and
 * if_tsresol, gzip wrapping, cutting and corruption). Every input is read in several deliveries and checked
 * against invariants, not only "no throw":
 *
 * - exception: anything but a one-line CaptureError escapes the reader (or the pipeline);
 * - chunking: one chunk, random small chunks (and 1-byte chunks, a file path) give different results;
 * - summary: packet counts, first/last time and bytes disagree with each other or with the packets seen;
 * - record: a decoded packet lies outside its frame or carries an impossible field or time;
 * - pipeline: sessions, compat and v2 features, session vectors or inspect output (on a fraction of the
 *   inputs) throw, or print a non-finite or out-of-range time;
 * - slow: one input takes longer than the per-input bound; rss: the process grows beyond its bound.
 *
 * A failing input is shrunk (while it still fails the same invariant) and written with its invariant.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MAX_VLAN_TAGS, type PacketRecord } from '../capture/packet.js';
import { readCapture } from '../capture/reader.js';
import type { CaptureSummary } from '../capture/reader-api.js';
import { isRepresentableTime } from '../capture/time.js';
import { CaptureError, NetworkmlError } from '../errors.js';
import { inspectRecord, inspectText } from '../outputs/inspect.js';
import { analyzeCapture, analyzeWholeCapture } from '../pipeline/analyze.js';

export const SEED_DIR = join(import.meta.dirname, '../../test-data/captures');
/** Seeds are cut to this many bytes: the reader treats the cut as a truncated tail, and inputs stay fast. */
const SEED_BYTES = 12 * 1024;

export interface FuzzOptions {
  /** Stop after this many inputs ... */
  inputs: number;
  /** ... or after this many seconds, whichever comes first. */
  seconds: number;
  seed: number;
  /** Share of inputs also run through the whole pipeline (sessions, features, inspect). */
  pipelineShare?: number;
  /** One input (all its deliveries) must finish within this. */
  perInputMs?: number;
  /** Resident set size bound for the whole process. */
  maxRssMiB?: number;
  /** Where findings are written (input file + .txt); none when null. */
  findingsDir?: string | null;
  /** Called before each input (a watchdog can keep the bytes of an input that hangs). */
  onInput?: (index: number, data: Buffer) => void;
  onProgress?: (stats: FuzzStats) => void;
  progressEvery?: number;
  /** Stop at the first finding (tests); the bench run collects them all. */
  stopOnFinding?: boolean;
}

export interface Finding {
  invariant: string;
  detail: string;
  index: number;
  input: Buffer;
  file: string | null;
}

export interface FuzzStats {
  inputs: number;
  pipelineInputs: number;
  gzipInputs: number;
  captureErrors: number;
  packets: number;
  findings: Finding[];
  elapsedS: number;
  peakRssMiB: number;
  slowestInputMs: number;
}

/** mulberry32: small, seedable, good enough to pick mutations reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadSeeds(dir = SEED_DIR): Buffer[] {
  const out: Buffer[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      if (!/\.(pcap|pcapng)(\.gz)?$/.test(name)) continue;
      let b = readFileSync(p);
      if (name.endsWith('.gz')) {
        try {
          b = gunzipSync(b);
        } catch {
          // A corrupt .gz seed is still a fine seed as it is.
        }
      }
      out.push(Buffer.from(b.subarray(0, SEED_BYTES)));
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Structure: where the length, time and header fields of a (plain) capture are.

interface Field {
  off: number;
  width: 2 | 4;
  le: boolean;
  kind: 'length' | 'time' | 'header';
}

interface Idb {
  off: number;
  len: number;
  le: boolean;
}

interface Layout {
  fields: Field[];
  idbs: Idb[];
  /** Offsets where records/blocks start (for cuts near a boundary). */
  units: number[];
}

function u32(b: Buffer, o: number, le: boolean): number {
  return le ? b.readUInt32LE(o) : b.readUInt32BE(o);
}

function layout(b: Buffer): Layout {
  const fields: Field[] = [];
  const idbs: Idb[] = [];
  const units: number[] = [];
  if (b.length < 24) return { fields, idbs, units };
  const magic = b.readUInt32BE(0);
  const pcapMagics = [0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34];
  const leMagic = b.readUInt32LE(0);
  if (pcapMagics.includes(magic) || pcapMagics.includes(leMagic)) {
    const le = pcapMagics.includes(leMagic);
    const hl = (le ? leMagic : magic) === 0xa1b2cd34 ? 24 : 16;
    fields.push({ off: 4, width: 2, le, kind: 'header' }, { off: 16, width: 4, le, kind: 'header' });
    fields.push({ off: 20, width: 4, le, kind: 'header' });
    let p = 24;
    while (p + hl <= b.length && units.length < 4096) {
      units.push(p);
      fields.push({ off: p, width: 4, le, kind: 'time' }, { off: p + 4, width: 4, le, kind: 'time' });
      fields.push(
        { off: p + 8, width: 4, le, kind: 'length' },
        { off: p + 12, width: 4, le, kind: 'length' },
      );
      p += hl + u32(b, p + 8, le);
    }
    return { fields, idbs, units };
  }
  if (magic !== 0x0a0d0d0a) return { fields, idbs, units };
  let le = true;
  let p = 0;
  while (p + 12 <= b.length && units.length < 4096) {
    if (b.readUInt32BE(p) === 0x0a0d0d0a) le = b.readUInt32LE(p + 8) === 0x1a2b3c4d;
    const type = u32(b, p, le);
    const len = u32(b, p + 4, le);
    if (len < 12 || (len & 3) !== 0 || p + len > b.length) break;
    units.push(p);
    fields.push({ off: p + 4, width: 4, le, kind: 'length' });
    fields.push({ off: p + len - 4, width: 4, le, kind: 'length' });
    if (type === 0x0a0d0d0a && len >= 28) fields.push({ off: p + 12, width: 2, le, kind: 'header' });
    if (type === 1 && len >= 20) {
      idbs.push({ off: p, len, le });
      fields.push(
        { off: p + 8, width: 2, le, kind: 'header' },
        { off: p + 12, width: 4, le, kind: 'header' },
      );
    }
    if ((type === 6 || type === 2) && len >= 32) {
      fields.push({ off: p + 8, width: 4, le, kind: 'header' });
      fields.push({ off: p + 12, width: 4, le, kind: 'time' }, { off: p + 16, width: 4, le, kind: 'time' });
      fields.push(
        { off: p + 20, width: 4, le, kind: 'length' },
        { off: p + 24, width: 4, le, kind: 'length' },
      );
    }
    if (type === 3 && len >= 16) fields.push({ off: p + 8, width: 4, le, kind: 'length' });
    p += len;
  }
  return { fields, idbs, units };
}

const INTERESTING = [
  0, 1, 2, 3, 4, 7, 8, 11, 12, 15, 16, 20, 24, 27, 28, 31, 32, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
  0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x10000000,
];

/** Times that sit on or near every edge: the time range, 2^31, 2^32, the 2^53 double limit. */
const INTERESTING_TIMES_HI = [0, 1, 0x7ff, 0x1fffff, 0x200000, 0x7fffffff, 0x80000000, 0xffffffff];

function setField(b: Buffer, f: Field, v: number): void {
  if (f.off + f.width > b.length) return;
  if (f.width === 2) {
    if (f.le) b.writeUInt16LE(v & 0xffff, f.off);
    else b.writeUInt16BE(v & 0xffff, f.off);
  } else if (f.le) b.writeUInt32LE(v >>> 0, f.off);
  else b.writeUInt32BE(v >>> 0, f.off);
}

function getField(b: Buffer, f: Field): number {
  if (f.off + f.width > b.length) return 0;
  if (f.width === 2) return f.le ? b.readUInt16LE(f.off) : b.readUInt16BE(f.off);
  return f.le ? b.readUInt32LE(f.off) : b.readUInt32BE(f.off);
}

/** Gives an interface description block an if_tsoffset (code 14) or if_tsresol (code 9) option, block lengths fixed. */
function idbOption(b: Buffer, idb: Idb, rand: () => number): Buffer {
  const tsoffset = rand() < 0.6;
  const value = Buffer.alloc(8);
  if (tsoffset) {
    const hi = INTERESTING_TIMES_HI[Math.floor(rand() * INTERESTING_TIMES_HI.length)]!;
    const lo = rand() < 0.5 ? 0 : Math.floor(rand() * 4294967296);
    if (idb.le) {
      value.writeUInt32LE(lo, 0);
      value.writeUInt32LE(hi, 4);
    } else {
      value.writeUInt32BE(hi, 0);
      value.writeUInt32BE(lo, 4);
    }
  } else {
    value[0] = [0, 3, 6, 9, 12, 19, 0x80, 0x8a, 0x9e, 0xbf, 0xff, 0x7f][Math.floor(rand() * 12)]!;
  }
  const olen = tsoffset ? 8 : 1;
  const opt = Buffer.alloc(4 + 8);
  if (idb.le) {
    opt.writeUInt16LE(tsoffset ? 14 : 9, 0);
    opt.writeUInt16LE(olen, 2);
  } else {
    opt.writeUInt16BE(tsoffset ? 14 : 9, 0);
    opt.writeUInt16BE(olen, 2);
  }
  value.copy(opt, 4, 0, 8);
  // Insert as the first option (before any other, so an end-of-options marker cannot hide it).
  const at = idb.off + 16;
  const len = idb.len + opt.length;
  const out = Buffer.concat([b.subarray(0, at), opt, b.subarray(at)]);
  const put = (o: number): void => {
    if (idb.le) out.writeUInt32LE(len, o);
    else out.writeUInt32BE(len, o);
  };
  put(idb.off + 4);
  put(idb.off + len - 4);
  return out;
}

export function mutate(rand: () => number, input: Buffer): Buffer {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b: Buffer = Buffer.from(input);
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const op = pick(11);
    // Structure-aware edits use the layout of the bytes as they are now.
    const lay = op >= 6 && op <= 9 ? layout(b) : null;
    switch (op) {
      case 0: {
        const flips = 1 + pick(8);
        for (let i = 0; i < flips && b.length > 0; i++) {
          const at = pick(b.length);
          b[at] = b[at]! ^ (1 << pick(8));
        }
        break;
      }
      case 1: {
        // Insert random bytes, or duplicate a run.
        const at = pick(b.length + 1);
        if (rand() < 0.5) {
          const junk = Buffer.alloc(1 + pick(32));
          for (let i = 0; i < junk.length; i++) junk[i] = pick(256);
          b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
        } else {
          b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + pick(64)), b.subarray(at)]);
        }
        break;
      }
      case 2: {
        const at = pick(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + pick(64))]);
        break;
      }
      case 3:
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 4: {
        if (b.length < 4) break;
        const at = rand() < 0.5 ? pick(b.length >> 2) * 4 : pick(b.length - 3);
        const v = rand() < 0.7 ? INTERESTING[pick(INTERESTING.length)]! : pick(4294967296);
        if (rand() < 0.5) b.writeUInt32LE(v >>> 0, at);
        else b.writeUInt32BE(v >>> 0, at);
        break;
      }
      case 5: {
        if (b.length < 2) break;
        b.writeUInt16BE(INTERESTING[pick(INTERESTING.length)]! & 0xffff, pick(b.length - 1));
        break;
      }
      case 6: {
        // A length field nudged, zeroed, doubled or maxed.
        const fs = lay!.fields.filter((f) => f.kind === 'length');
        if (fs.length === 0) break;
        const f = fs[pick(fs.length)]!;
        const v = getField(b, f);
        const choices = [v + 1, v - 1, v + 4, v - 4, v + 3, v * 2, v >>> 1, 0, 0xffffffff, 0x7fffffff];
        setField(b, f, choices[pick(choices.length)]!);
        break;
      }
      case 7: {
        // A timestamp or header field set to an edge value.
        const fs = lay!.fields.filter((f) => f.kind === (rand() < 0.7 ? 'time' : 'header'));
        if (fs.length === 0) break;
        const f = fs[pick(fs.length)]!;
        const v =
          rand() < 0.6
            ? INTERESTING_TIMES_HI[pick(INTERESTING_TIMES_HI.length)]!
            : INTERESTING[pick(INTERESTING.length)]!;
        setField(b, f, v);
        break;
      }
      case 8: {
        const idbs = lay!.idbs;
        if (idbs.length === 0) break;
        b = idbOption(b, idbs[pick(idbs.length)]!, rand);
        break;
      }
      case 9: {
        // Cut at (or just around) a record or block boundary.
        const us = lay!.units;
        if (us.length === 0) break;
        const at = us[pick(us.length)]! + pick(9) - 4;
        b = b.subarray(0, Math.max(0, Math.min(b.length, at)));
        break;
      }
      default: {
        // Splice in a slice of the same input from elsewhere.
        const from = pick(b.length + 1);
        const at = pick(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + 1 + pick(128)), b.subarray(at)]);
        break;
      }
    }
  }
  return b;
}

/** Gzip wrapping: whole, cut short, corrupted, two members, or trailing junk. */
export function gzipMutate(rand: () => number, plain: Buffer): Buffer {
  const pick = (n: number): number => Math.floor(rand() * n);
  let z = gzipSync(plain, { level: 1 + pick(9) });
  switch (pick(6)) {
    case 0:
      break;
    case 1:
    case 2:
      z = z.subarray(0, pick(z.length + 1));
      break;
    case 3: {
      z = Buffer.from(z);
      const flips = 1 + pick(4);
      for (let i = 0; i < flips; i++) {
        const at = pick(z.length);
        z[at] = z[at]! ^ (1 << pick(8));
      }
      break;
    }
    case 4:
      z = Buffer.concat([z, gzipSync(plain.subarray(pick(plain.length + 1)))]);
      break;
    default:
      z = Buffer.concat([z, Buffer.from([pick(256), pick(256), pick(256)])]);
      break;
  }
  return z;
}

// ---------------------------------------------------------------------------------------------------
// Reading one input several ways.

class FuzzFailure extends Error {
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(detail);
  }
}

function checkRecord(p: PacketRecord): string | null {
  if (p.headerEnd > p.capturedLength || p.headerEnd < -1) {
    return `headerEnd ${p.headerEnd} outside frame of ${p.capturedLength}`;
  }
  if (p.vlanCount > MAX_VLAN_TAGS || p.vlanCount < 0) return `vlanCount ${p.vlanCount}`;
  if (!Number.isInteger(p.tsNsec) || p.tsNsec < 0 || p.tsNsec > 999_999_999) return `tsNsec ${p.tsNsec}`;
  if (!isRepresentableTime(p.tsSec) || !Number.isInteger(p.tsSec)) return `tsSec ${p.tsSec}`;
  const us = p.timeMicros();
  if (!Number.isSafeInteger(us)) return `time in µs ${us} is not an exact integer`;
  if (p.srcPort > 0xffff || p.dstPort > 0xffff || p.tcpFlags > 0x1ff) return 'port or flags out of range';
  if (p.ipVersion !== 0 && p.ipVersion !== 4 && p.ipVersion !== 6) return `ipVersion ${p.ipVersion}`;
  if (p.capturedLength < 0 || !Number.isInteger(p.capturedLength)) return `caplen ${p.capturedLength}`;
  return null;
}

/** Folds a packet's decoded fields into a running 32-bit hash (FNV-1a over numbers). */
function fold(h: number, v: number): number {
  let x = h ^ (v | 0);
  x = Math.imul(x, 16777619);
  x ^= Math.floor(v / 4294967296) | 0;
  return Math.imul(x, 16777619) >>> 0;
}

interface ReadResult {
  /** Everything that must not depend on the delivery. */
  signature: string;
  summary: CaptureSummary | null;
  delivered: number;
}

type Delivery = { kind: 'whole' } | { kind: 'chunks'; sizes: number[] } | { kind: 'path'; file: string };

function chunksOf(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let k = 0;
  for (let p = 0; p < data.length; ) {
    const n = sizes[k++ % sizes.length]!;
    out.push(data.subarray(p, p + n));
    p += n;
  }
  return out;
}

/**
 * The chunks as the reader sees a stream (it only iterates it asynchronously): far cheaper per chunk than
 * a Readable, which matters at millions of inputs. The pipeline check uses a real Readable.
 */
function chunkStream(chunks: Buffer[]): NodeJS.ReadableStream {
  const iterable = {
    async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
      yield* chunks;
    },
  };
  return iterable as unknown as NodeJS.ReadableStream;
}

async function readOnce(data: Buffer, delivery: Delivery, checkRecords: boolean): Promise<ReadResult> {
  let h = 2166136261;
  let delivered = 0;
  let bad: string | null = null;
  const onPacket = (p: PacketRecord): void => {
    delivered++;
    if (checkRecords && bad === null) bad = checkRecord(p);
    h = fold(h, p.index);
    h = fold(h, p.tsSec);
    h = fold(h, p.tsNsec);
    h = fold(h, p.capturedLength);
    h = fold(h, p.originalLength);
    h = fold(h, p.linkType);
    h = fold(h, p.ipVersion);
    h = fold(h, p.l4Proto);
    h = fold(h, p.srcPort);
    h = fold(h, p.dstPort);
    h = fold(h, p.headerEnd);
  };
  const source =
    delivery.kind === 'path'
      ? delivery.file
      : chunkStream(delivery.kind === 'whole' ? [data] : chunksOf(data, delivery.sizes));
  try {
    const s = await readCapture(source, onPacket, { name: 'fuzz' });
    if (bad !== null) throw new FuzzFailure('record', bad);
    const signature = JSON.stringify({
      ...s,
      source: undefined,
      warnings: s.warnings.map((w) => w.message),
      delivered,
      h,
    });
    return { signature, summary: s, delivered };
  } catch (err) {
    if (err instanceof FuzzFailure) throw err;
    if (!(err instanceof CaptureError)) {
      throw new FuzzFailure('exception', `reader threw ${String((err as Error)?.stack ?? err)}`);
    }
    if (err.message.includes('\n')) throw new FuzzFailure('exception', 'multi-line CaptureError');
    if (bad !== null) throw new FuzzFailure('record', bad);
    return {
      signature: `error: ${err.message} after ${delivered} packets, hash ${h}`,
      summary: null,
      delivered,
    };
  }
}

function checkSummary(s: CaptureSummary, delivered: number, data: Buffer, gzip: boolean): void {
  const fail = (what: string): never => {
    throw new FuzzFailure('summary', what);
  };
  const timed = s.packets - s.skippedBadTime;
  if (s.skippedUnsupportedLink < 0 || s.skippedBadTime < 0 || timed < 0) fail('negative counts');
  if (delivered !== s.packets - s.skippedUnsupportedLink - s.skippedBadTime) {
    fail(
      `${delivered} packets delivered, summary says ${s.packets} - ${s.skippedUnsupportedLink} - ${s.skippedBadTime}`,
    );
  }
  if ((s.firstTime === null) !== (timed === 0) || (s.lastTime === null) !== (timed === 0)) {
    fail(
      `${s.packets} packets (${s.skippedBadTime} with bad times) but first ${JSON.stringify(s.firstTime)}, last ${JSON.stringify(s.lastTime)}`,
    );
  }
  if ((s.firstTimeNs === null) !== (s.firstTime === null)) fail('firstTimeNs and firstTime disagree');
  if (s.firstTime && s.lastTime) {
    for (const t of [s.firstTime, s.lastTime]) {
      if (!isRepresentableTime(t.sec) || t.nsec < 0 || t.nsec > 999_999_999)
        fail(`time ${JSON.stringify(t)}`);
    }
    if (
      s.firstTime.sec > s.lastTime.sec ||
      (s.firstTime.sec === s.lastTime.sec && s.firstTime.nsec > s.lastTime.nsec)
    ) {
      fail('first time after last time');
    }
  }
  if (!gzip && s.bytes !== data.length) fail(`bytes ${s.bytes} of a ${data.length}-byte plain input`);
  if (s.gzip !== gzip) fail('gzip flag wrong');
  if (s.skippedBadTime > 0 && !s.warnings.some((w) => w.kind === 'time-out-of-range'))
    fail('bad times without a warning');
}

/** The one-line refusal of a reordered stream (pipeline/analyze.ts). */
const REORDERED = /packet times go back across/;

/** The whole pipeline (compat + v2 features, session vectors, inspect output) must not trip over the input. */
async function checkPipeline(data: Buffer): Promise<void> {
  let analysis: Awaited<ReturnType<typeof analyzeCapture>>;
  const options = { features: 'v2', warmupS: 0, durationS: 60, read: { name: 'fuzz' } } as const;
  try {
    try {
      analysis = await analyzeCapture(Readable.from([data]), options);
    } catch (err) {
      // A stream whose times go back across a bin is refused with one line (it cannot be read twice, a
      // file would be read again whole): check that whole-capture path on the same bytes instead.
      if (!(err instanceof NetworkmlError) || err instanceof CaptureError || !REORDERED.test(err.message))
        throw err;
      analysis = await analyzeWholeCapture(Readable.from([data]), options);
    }
  } catch (err) {
    if (err instanceof CaptureError) return;
    throw new FuzzFailure('pipeline', `analyzeCapture threw ${String((err as Error)?.stack ?? err)}`);
  }
  try {
    const sessions = analysis.sessions;
    for (const row of sessions.rows) {
      for (const v of row) if (!Number.isFinite(v)) throw new Error('session vector not finite');
    }
    const record = inspectRecord(analysis);
    const json = JSON.stringify(record);
    const text = inspectText(analysis, record);
    for (const t of record.timestamps) {
      if (!Number.isFinite(t) || !isRepresentableTime(t)) throw new Error(`bin timestamp ${t}`);
    }
    if (/NaN|Infinity|Invalid/.test(json) || /NaN|Infinity|Invalid/.test(text)) {
      throw new Error('NaN, Infinity or Invalid in inspect output');
    }
  } catch (err) {
    throw new FuzzFailure('pipeline', String((err as Error)?.stack ?? err));
  }
}

/** Runs one input through every delivery and check; throws FuzzFailure on a broken invariant. */
export async function checkInput(
  data: Buffer,
  rand: () => number,
  options: { pipeline: boolean; path: string | null },
): Promise<{ summary: CaptureSummary | null }> {
  const gzip = data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
  const first = await readOnce(data, { kind: 'whole' }, true);
  if (first.summary) checkSummary(first.summary, first.delivered, data, gzip);
  const deliveries: Delivery[] = [];
  const sizes: number[] = [];
  const most = rand() < 0.5 ? 97 : 4096;
  for (let i = 0; i < 8; i++) sizes.push(1 + Math.floor(rand() * most));
  deliveries.push({ kind: 'chunks', sizes });
  // Byte by byte is the harshest chunking, and the slowest: a sample of the small inputs.
  if (data.length <= 1024 && rand() < 0.1) deliveries.push({ kind: 'chunks', sizes: [1] });
  if (options.path) {
    writeFileSync(options.path, data);
    deliveries.push({ kind: 'path', file: options.path });
  }
  for (const d of deliveries) {
    const other = await readOnce(data, d, false);
    if (other.signature !== first.signature) {
      const how = d.kind === 'chunks' ? `in chunks of ${d.sizes.join(',')} bytes` : 'as a file path';
      throw new FuzzFailure('chunking', `one chunk: ${first.signature}\n${how}: ${other.signature}`);
    }
  }
  if (options.pipeline) await checkPipeline(data);
  return { summary: first.summary };
}

/** Greedy shrinking: drop runs of bytes (halving the run length) while the same invariant still fails. */
async function shrink(data: Buffer, invariant: string, budget = 300): Promise<Buffer> {
  const fails = async (b: Buffer): Promise<boolean> => {
    try {
      await checkInput(b, prng(1), { pipeline: invariant === 'pipeline', path: null });
      return false;
    } catch (err) {
      return err instanceof FuzzFailure && err.invariant === invariant;
    }
  };
  let best = data;
  let tries = 0;
  for (let run = best.length >> 1; run >= 1 && tries < budget; run >>= 1) {
    for (let at = 0; at + run <= best.length && tries < budget; ) {
      const candidate = Buffer.concat([best.subarray(0, at), best.subarray(at + run)]);
      tries++;
      if (await fails(candidate)) best = candidate;
      else at += run;
    }
  }
  return best;
}

function extensionOf(b: Buffer): string {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return '.pcap.gz';
  if (b.length >= 4 && b.readUInt32BE(0) === 0x0a0d0d0a) return '.pcapng';
  return '.pcap';
}

export function writeFinding(dir: string, f: Omit<Finding, 'file'>, n: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${f.invariant}-${String(n).padStart(2, '0')}${extensionOf(f.input)}`);
  writeFileSync(file, f.input);
  writeFileSync(`${file}.txt`, `invariant: ${f.invariant}\ninput index: ${f.index}\n\n${f.detail}\n`);
  return file;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzStats> {
  const seeds = loadSeeds();
  const rand = prng(options.seed);
  const pipelineShare = options.pipelineShare ?? 0.1;
  const perInputMs = options.perInputMs ?? 10_000;
  const maxRssMiB = options.maxRssMiB ?? 1024;
  const progressEvery = options.progressEvery ?? 10_000;
  const tmp = join(tmpdir(), `networkml-fuzz-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const pathFile = join(tmp, 'input');
  const stats: FuzzStats = {
    inputs: 0,
    pipelineInputs: 0,
    gzipInputs: 0,
    captureErrors: 0,
    packets: 0,
    findings: [],
    elapsedS: 0,
    peakRssMiB: 0,
    slowestInputMs: 0,
  };
  const started = performance.now();
  const record = async (invariant: string, detail: string, index: number, input: Buffer): Promise<void> => {
    const small = invariant === 'slow' || invariant === 'rss' ? input : await shrink(input, invariant);
    const f = { invariant, detail, index, input: small };
    const file = options.findingsDir ? writeFinding(options.findingsDir, f, stats.findings.length + 1) : null;
    stats.findings.push({ ...f, file });
  };
  try {
    while (stats.inputs < options.inputs && performance.now() - started < options.seconds * 1000) {
      const index = stats.inputs++;
      const seed = seeds[Math.floor(rand() * seeds.length)]!;
      let data = mutate(rand, seed);
      if (rand() < 0.15) {
        data = gzipMutate(rand, data);
        stats.gzipInputs++;
      }
      const pipeline = rand() < pipelineShare;
      const viaPath = rand() < 0.05;
      if (pipeline) stats.pipelineInputs++;
      options.onInput?.(index, data);
      const t0 = performance.now();
      try {
        const { summary } = await checkInput(data, rand, { pipeline, path: viaPath ? pathFile : null });
        if (summary === null) stats.captureErrors++;
        else stats.packets += summary.packets;
      } catch (err) {
        if (!(err instanceof FuzzFailure)) throw err;
        await record(err.invariant, err.message, index, data);
        if (options.stopOnFinding) break;
      }
      const ms = performance.now() - t0;
      if (ms > stats.slowestInputMs) stats.slowestInputMs = ms;
      if (ms > perInputMs) {
        await record('slow', `input took ${ms.toFixed(0)} ms (bound ${perInputMs} ms)`, index, data);
        if (options.stopOnFinding) break;
      }
      if (index % 256 === 0) {
        const rss = process.memoryUsage().rss / 1048576;
        if (rss > stats.peakRssMiB) stats.peakRssMiB = rss;
        if (rss > maxRssMiB) {
          await record('rss', `RSS ${rss.toFixed(0)} MiB above ${maxRssMiB} MiB`, index, data);
          break;
        }
      }
      if (options.onProgress && (index + 1) % progressEvery === 0) {
        stats.elapsedS = (performance.now() - started) / 1000;
        options.onProgress(stats);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  stats.elapsedS = (performance.now() - started) / 1000;
  return stats;
}
