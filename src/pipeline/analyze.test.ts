import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { captureInfo } from '../capture/info.js';
import { readCapture } from '../capture/reader.js';
import { CorruptCaptureError } from '../capture/reader-api.js';
import { NetworkmlError } from '../errors.js';
import { COMPAT_FEATURE_COUNT, CompatAccumulator } from '../features/compat.js';
import { SessionRowAccumulator } from '../features/session-vectors.js';
import { DEFAULT_MODEL_PATH, loadModel } from '../models/format.js';
import { type OneLayerRoleModel, predictRows, StreamedOneLayerPredictions } from '../models/role-model.js';
import { BinStream } from '../sessions/bin-stream.js';
import { corruptGzip, corruptPcap, corruptPcapng } from '../test-helpers/corrupt-capture.js';
import {
  type AnalyzeOptions,
  analyzeCapture,
  analyzeHosts,
  analyzeWholeCapture,
  type CaptureAnalysis,
} from './analyze.js';

const DATA = join(import.meta.dirname, '../../test-data');
const captures = [
  ...readdirSync(join(DATA, 'reference/captures')).map((f) => join(DATA, 'reference/captures', f)),
  ...readdirSync(join(DATA, 'captures/real')).map((f) => join(DATA, 'captures/real', f)),
  ...readdirSync(join(DATA, 'iot-sentinel/setups'))
    .slice(0, 12)
    .map((f) => join(DATA, 'iot-sentinel/setups', f)),
].filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f));

/** Everything an analysis yields, as plain data, so two analyses compare with deepEqual. */
function plain(a: CaptureAnalysis) {
  return {
    ipPackets: a.ipPackets,
    duplicates: a.duplicates,
    sessionsPerBin: a.sessionsPerBin,
    captureMac: a.compat.captureMac,
    compat: a.compat.bins.map((b) => ({
      bin: b.bin,
      vector: [...b.vector],
      captureIp: b.captureIp,
      otherIps: b.otherIps,
      timestamp: b.timestamp,
    })),
    sourceIp: a.sessions.sourceIp,
    // Each host's own address (a v2 device's), from the votes of every bin.
    addresses: (a.v2?.hosts.map((h) => h.key) ?? [a.compat.captureMac ?? '']).map(
      (mac) => a.sessions.addressOf?.(mac) ?? null,
    ),
    rows: a.sessions.rows.map((r) => [...r]),
    v2: a.v2
      ? {
          hosts: a.v2.hosts,
          device: a.v2.device,
          bins: a.v2.bins.map((b) => ({ bin: b.bin, host: b.host, vector: [...b.vector] })),
        }
      : null,
    behavior: a.behavior
      ? { hosts: a.behavior.hosts, device: a.behavior.device, bins: a.behavior.bins }
      : null,
  };
}

async function assertSame(path: string, options: AnalyzeOptions): Promise<CaptureAnalysis> {
  const streamed = await analyzeCapture(path, options);
  const whole = await analyzeWholeCapture(path, options);
  assert.deepEqual(plain(streamed), plain(whole), path);
  return streamed;
}

describe('the streaming path equals the whole-capture path', () => {
  for (const path of captures) {
    it(path.slice(DATA.length + 1), async () => {
      const a = await assertSame(path, { features: 'v2' });
      assert.equal(a.path, 'stream');
      // Short bins and no warm-up: many bin boundaries, every session counted.
      await assertSame(path, { durationS: 60, warmupS: 0 });
      await assertSame(path, { durationS: 30, warmupS: 120, publicSessions: true });
    });
  }
});

describe('the reader thread gives the same analysis as one thread', () => {
  for (const path of captures.slice(0, 13)) {
    it(path.slice(DATA.length + 1), async () => {
      for (const options of [{}, { durationS: 60, warmupS: 0 }] as AnalyzeOptions[]) {
        const threaded = await analyzeCapture(path, { ...options, readerThread: true });
        const single = await analyzeCapture(path, { ...options, readerThread: false });
        assert.deepEqual(plain(threaded), plain(single));
        assert.deepEqual(threaded.summary, single.summary);
      }
    });
  }
});

/** An analysis as plain data, or the error it ended with (class, message, offset, exit code). */
async function outcome(analysis: Promise<CaptureAnalysis>): Promise<unknown> {
  try {
    const a = await analysis;
    return { ...plain(a), path: a.path, summary: a.summary, corrupt: a.corrupt };
  } catch (err) {
    const e = err as NetworkmlError & { offset?: number };
    return { error: e.constructor.name, message: e.message, offset: e.offset, exitCode: e.exitCode };
  }
}

// The test-data folders the reader-thread parity tests read every file of. behavior/onlink: a LAN numbered from
// global space, whose neighbours are local only pairwise (sameLink).
const READER_THREAD_DIRS = [
  'captures/edge',
  'captures/real',
  'captures/fuzz',
  'reference/captures',
  'behavior/onlink',
];

// On the reader thread v2 reads packed records (addPacked: the ring's, or a scratch one for the non-IP packets
// the ring carries only for behaviour); on one thread, decoded packets (add).
describe('the reader thread with the v2 (on that thread) and behaviour (here) extractors: the same as one thread', () => {
  const every = READER_THREAD_DIRS.flatMap((d) =>
    readdirSync(join(DATA, d))
      .filter((f) => !f.endsWith('.sh'))
      .map((f) => join(DATA, d, f)),
  );
  // partialOnCorrupt: a corrupt capture's analysis of the packets before the corrupt record, not its error.
  const optionSets: AnalyzeOptions[] = [
    { features: 'v2', behavior: true },
    { features: 'v2', durationS: 60, warmupS: 30 },
    {
      features: 'v2',
      behavior: true,
      durationS: 60,
      warmupS: 0,
      behaviorWindowS: 30,
      partialOnCorrupt: true,
    },
    { behavior: true, durationS: 60, warmupS: 0 },
    { features: 'v2', behavior: true, durationS: 60, warmupS: 0, partialOnCorrupt: true },
  ];
  for (const path of every) {
    it(path.slice(DATA.length + 1), async () => {
      for (const options of optionSets) {
        const threaded = await outcome(analyzeCapture(path, { ...options, readerThread: true }));
        const single = await outcome(analyzeCapture(path, { ...options, readerThread: false }));
        assert.deepEqual(threaded, single, JSON.stringify(options));
      }
    });
  }

  it("a long capture's v2 features spilled to a file on the reader thread: read back here", async () => {
    // A real capture repeated 30 times, each copy after the previous one, in one-second bins: thousands of
    // (bin, host) records, past what the store keeps in memory (2,048).
    const name = readdirSync(join(DATA, 'captures/real')).find((f) => f.startsWith('Aria-sentinel'))!;
    const { header, records } = pcapRecords(readFileSync(join(DATA, 'captures/real', name)));
    const span = records.at(-1)!.readUInt32LE(0) - records[0]!.readUInt32LE(0) + 1;
    const copies: Buffer[] = [header];
    for (let copy = 0; copy < 30; copy++) {
      for (const r of records) {
        const c = Buffer.from(r);
        c.writeUInt32LE(r.readUInt32LE(0) + copy * span, 0);
        copies.push(c);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'networkml-v2-spill-'));
    try {
      const path = join(dir, 'long.pcap');
      writeFileSync(path, Buffer.concat(copies));
      const options: AnalyzeOptions = { features: 'v2', behavior: true, durationS: 1, warmupS: 0 };
      const threaded = await analyzeCapture(path, { ...options, readerThread: true });
      const single = await analyzeCapture(path, { ...options, readerThread: false });
      assert.ok(threaded.v2!.bins.length > 2048, `${threaded.v2!.bins.length} host-bins`);
      // deepEqual's message for results this large ran the test process out of memory (a planted fault).
      assert.equal(firstDifference(plain(threaded), plain(single)), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Per-host mode's second read (analyzeHosts): on the reader thread each record goes to the hosts its frame names,
// packed to their stores and unpacked to their extractors; on one thread, decoded packets to both. The whole-capture
// read (per-host mode's first, the reordered capture's fallback) goes the same way, every record to its one store.
describe("each host's own traffic (analyzeHosts) and the whole capture: the reader thread gives what one thread gives", () => {
  const every = READER_THREAD_DIRS.flatMap((d) => readdirSync(join(DATA, d)).map((f) => join(DATA, d, f)));
  /**
   * Every MAC the capture's IP packets carry in their frame's first 12 bytes, and every address they carry: as
   * many hosts as it has, either way.
   */
  async function hostsOf(path: string): Promise<{ macs: string[]; addresses: string[] }> {
    try {
      const { store } = await analyzeWholeCapture(path, {});
      return {
        macs: Array.from({ length: store.macs.size }, (_, i) => store.macs.text(i)),
        addresses: [...store.addresses.text],
      };
    } catch {
      return { macs: ['00:00:00:00:00:01'], addresses: ['10.0.0.1', 'fe80::1'] };
    }
  }
  async function hostsOutcome(
    path: string,
    hosts: { macs: string[] } | { addresses: string[] } | null,
    options: AnalyzeOptions,
  ): Promise<unknown> {
    try {
      const analyses = hosts
        ? await analyzeHosts(path, hosts, options)
        : [await analyzeWholeCapture(path, options)];
      return analyses.map((a) => ({
        ...plain(a),
        rows: a.store.length,
        times: [...a.store.timeUs.data.subarray(0, a.store.length)],
        summary: a.summary,
        corrupt: a.corrupt,
      }));
    } catch (err) {
      const e = err as NetworkmlError & { offset?: number };
      return { error: e.constructor.name, message: e.message, offset: e.offset };
    }
  }
  let hostsSeen = 0;
  let addressesSeen = 0;
  for (const path of every) {
    it(path.slice(DATA.length + 1), async () => {
      const { macs, addresses } = await hostsOf(path);
      hostsSeen += macs.length;
      addressesSeen += addresses.length;
      for (const options of [
        {},
        { features: 'v2', behavior: true, durationS: 60, warmupS: 0, partialOnCorrupt: true },
      ] as AnalyzeOptions[]) {
        for (const hosts of [{ macs }, { addresses }, null]) {
          const threaded = await hostsOutcome(path, hosts, { ...options, readerThread: true });
          const single = await hostsOutcome(path, hosts, { ...options, readerThread: false });
          const what = hosts ? `per host by ${Object.keys(hosts)[0]}` : 'whole capture';
          assert.equal(firstDifference(threaded, single), null, `${what} ${JSON.stringify(options)}`);
        }
      }
    });
  }
  it('met captures of many hosts', () => {
    assert.ok(hostsSeen > 100, `${hostsSeen} hosts`);
    assert.ok(addressesSeen > 100, `${addressesSeen} addresses`);
  });
});

/** Where two plain values first differ (as deepStrictEqual compares them), or null when they do not. */
function firstDifference(a: unknown, b: unknown, at = 'result'): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${at}: ${String(a)} vs ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: an array and an object`;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i]))
    return `${at}: keys ${ka} vs ${kb}`.slice(0, 300);
  for (const k of ka) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${at}.${k}`,
    );
    if (d !== null) return d;
  }
  return null;
}

/** A classic pcap's records, each with its header, in file order (little-endian microsecond pcaps only). */
function pcapRecords(bytes: Buffer): { header: Buffer; records: Buffer[] } {
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian µs pcap');
  const records: Buffer[] = [];
  let o = 24;
  while (o + 16 <= bytes.length) {
    const len = bytes.readUInt32LE(o + 8);
    records.push(bytes.subarray(o, o + 16 + len));
    o += 16 + len;
  }
  return { header: bytes.subarray(0, 24), records };
}

const roleModel = loadModel(DEFAULT_MODEL_PATH).model as OneLayerRoleModel;

/** What evaluation computed from the finished bins before predictions were made while reading. */
function predictedAfter(a: CaptureAnalysis) {
  return predictRows(roleModel, a.compat.bins.length, COMPAT_FEATURE_COUNT, (i, out) =>
    a.compat.bins[i]!.writeVector(out),
  );
}

describe('role predictions made while the capture is read', () => {
  it('equal the predictions of the finished bins, bit for bit, on one thread and two', async () => {
    let bins = 0;
    for (const path of captures) {
      for (const readerThread of [false, true]) {
        const a = await analyzeCapture(path, {
          readerThread,
          rolePredictions: StreamedOneLayerPredictions.for(roleModel)!,
        });
        assert.equal(a.path, 'stream');
        assert.deepEqual(a.rolePredictions, predictedAfter(a), path);
        bins += a.compat.bins.length;
      }
    }
    assert.ok(bins > 100, `only ${bins} bins`);
  });

  it('only a one-layer compat model reads bins as they close', () => {
    assert.ok(StreamedOneLayerPredictions.for(roleModel));
    assert.equal(
      StreamedOneLayerPredictions.for({ ...roleModel, features: { ...roleModel.features, semantics: 'v2' } }),
      null,
    );
    const twice = Int32Array.from([...roleModel.selected, roleModel.selected[0]!]);
    assert.equal(StreamedOneLayerPredictions.for({ ...roleModel, selected: twice }), null);
  });
});

describe('captures whose times go backwards', () => {
  const source = join(DATA, 'reference/captures', readdirSync(join(DATA, 'reference/captures'))[0]!);
  const { header, records } = pcapRecords(readFileSync(source));
  const dir = mkdtempSync(join(tmpdir(), 'networkml-reorder-'));
  const write = (name: string, recs: Buffer[]) => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.concat([header, ...recs]));
    return path;
  };
  // Neighbours swapped: times step back a little, inside one bin, so streaming stays exact.
  const swapped = records.slice();
  for (let i = 0; i + 1 < swapped.length; i += 7)
    [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
  // The second half first: times go back across bins and into the warm-up.
  const half = Math.floor(records.length / 2);
  const rotated = [...records.slice(half), ...records.slice(0, half)];

  it('steps back inside a bin: still streamed, same results', async () => {
    const a = await assertSame(write('swapped.pcap', swapped), {
      features: 'v2',
      durationS: 120,
      warmupS: 30,
    });
    assert.equal(a.path, 'stream');
  });

  it('steps back across bins: read again whole, with a warning, same results', async () => {
    const path = write('rotated.pcap', rotated);
    const a = await assertSame(path, {});
    assert.equal(a.path, 'whole');
    assert.ok(a.summary.warnings.some((w) => w.kind === 'reordered-whole-capture'));
    // `info` says so too.
    assert.ok((await captureInfo(path)).backwardSteps > 0);
    assert.equal((await captureInfo(source)).backwardSteps, 0);
  });

  it('through the reader thread: the same, streamed or read again whole', async () => {
    for (const [name, recs, options] of [
      ['swapped-thread.pcap', swapped, { durationS: 120, warmupS: 30 }],
      ['rotated-thread.pcap', rotated, {}],
    ] as const) {
      const path = write(name, recs);
      for (const extractors of [{}, { features: 'v2', behavior: true }] as AnalyzeOptions[]) {
        const threaded = await analyzeCapture(path, { ...options, ...extractors, readerThread: true });
        const single = await analyzeCapture(path, { ...options, ...extractors, readerThread: false });
        assert.deepEqual(plain(threaded), plain(single), name);
        assert.equal(threaded.path, single.path);
        assert.deepEqual(threaded.summary, single.summary);
      }
    }
  });

  it('role predictions made while reading: of every streamed bin, none for a capture read again whole', async () => {
    for (const [name, recs] of [
      ['swapped-predict.pcap', swapped],
      ['rotated-predict.pcap', rotated],
    ] as const) {
      const path = write(name, recs);
      for (const readerThread of [false, true]) {
        const a = await analyzeCapture(path, {
          readerThread,
          rolePredictions: StreamedOneLayerPredictions.for(roleModel)!,
        });
        if (a.path === 'whole') assert.equal(a.rolePredictions, undefined, name);
        else assert.deepEqual(a.rolePredictions, predictedAfter(a), name);
      }
    }
  });

  it('from a stream, which cannot be read again: a clear error', async () => {
    const bytes = Buffer.concat([header, ...rotated]);
    await assert.rejects(
      analyzeCapture(Readable.from([bytes])),
      (err: unknown) => err instanceof NetworkmlError && /save it to a file/.test(err.message),
    );
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

describe('session rows spilled to a temporary file', () => {
  it('equal the whole-capture rows, in order', async () => {
    for (const path of captures.slice(0, 4)) {
      const options = { durationS: 60, warmupS: 0 };
      const rows = new SessionRowAccumulator(false, true, { spillRecords: 3 });
      const compat = new CompatAccumulator();
      const stream = new BinStream(options, (store, bins, index) => {
        compat.addBin(store, bins, index);
        rows.addBin(store, bins);
      });
      await readCapture(path, (p) => stream.add(p));
      stream.finish();
      const whole = await analyzeWholeCapture(path, options);
      const got = rows.finish();
      assert.equal(got.sourceIp, whole.sessions.sourceIp);
      assert.deepEqual(
        got.rows.map((r) => [...r]),
        whole.sessions.rows.map((r) => [...r]),
        path,
      );
      assert.ok(whole.sessions.rows.length > 3, 'enough rows to spill');
      // The same rows read into one buffer (how the LSTM reads them), in order and back.
      const source = got.rowSource!;
      assert.equal(source.length, whole.sessions.rows.length);
      const out = new Float64Array(source.width);
      const order = [...Array(source.length).keys()];
      for (const i of [...order, ...order.reverse()]) {
        source.read(i, out);
        assert.deepEqual([...out], [...whole.sessions.rows[i]!], `${path} row ${i}`);
      }
    }
  });
});

describe('a corrupt record after packets (partialOnCorrupt): the analysis of the packets before it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-corrupt-'));
  const write = (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  // Real captures, a record header or block length after 60 % (30 %) of them made impossible.
  const real = (name: string) => readFileSync(join(DATA, 'captures/real', name));
  const cases = [
    ['aria.pcap', corruptPcap(real('Aria-sentinel-Mon0000-n00.pcap'))],
    ['wemo.pcap', corruptPcap(real('WeMoSwitch-A1-Mon0000-n00.pcap'), 0.3)],
    ['kettle.pcapng', corruptPcapng(readFileSync(join(DATA, 'captures/edge/real-le.pcapng')))],
  ] as const;
  const optionSets: AnalyzeOptions[] = [
    {},
    { features: 'v2', behavior: true, durationS: 60, warmupS: 0 },
    { durationS: 30, warmupS: 0, publicSessions: true },
  ];

  for (const [name, c] of cases) {
    it(`${name}: the same as the clean capture of those packets, on one thread and two, streamed or whole`, async () => {
      const path = write(name, c.bytes);
      const clean = write(`clean-${name}`, c.before);
      for (const options of optionSets) {
        const what = JSON.stringify(options);
        const expected = plain(await analyzeCapture(clean, options));
        for (const readerThread of [false, true]) {
          const o = { ...options, readerThread, partialOnCorrupt: true };
          const a = await analyzeCapture(path, o);
          assert.deepEqual(plain(a), expected, `${what} ${readerThread}`);
          assert.equal(a.summary.packets, c.packets);
          assert.equal(a.summary.bytes, c.at);
          assert.equal(a.corrupt?.offset, c.at);
          assert.match(
            a.corrupt!.message,
            new RegExp(`^${path}: corrupt (record|pcapng block) at byte offset ${c.at}: `),
          );
          const whole = await analyzeWholeCapture(path, o);
          assert.deepEqual(plain(whole), expected, `whole ${what} ${readerThread}`);
          assert.deepEqual(whole.corrupt, a.corrupt);
          assert.deepEqual(whole.summary, a.summary);
          // Without it, the error as before: no part of the capture is used.
          await assert.rejects(
            analyzeCapture(path, { ...options, readerThread }),
            (err: unknown) => err instanceof CorruptCaptureError && err.message === a.corrupt!.message,
          );
        }
      }
    });
  }

  it('corrupt gzip data: the packets decompressed before it, on one thread and two, as the clean capture of them', async () => {
    const bytes = real('WeMoSwitch-A1-Mon0000-n00.pcap');
    const path = write('wemo.pcap.gz', corruptGzip(bytes, 0.7).bytes);
    for (const options of optionSets) {
      const what = JSON.stringify(options);
      const one = await analyzeCapture(path, { ...options, readerThread: false, partialOnCorrupt: true });
      const at = one.corrupt!.offset;
      assert.ok(at > 0 && one.summary.packets > 0, what);
      assert.match(one.corrupt!.message, /: corrupt gzip data after compressed byte offset \d+ /);
      const expected = plain(await analyzeCapture(write('wemo-before.pcap', bytes.subarray(0, at)), options));
      assert.deepEqual(plain(one), expected, what);
      const two = await analyzeCapture(path, { ...options, readerThread: true, partialOnCorrupt: true });
      assert.deepEqual(plain(two), expected, `${what} on the reader thread`);
      assert.deepEqual(two.corrupt, one.corrupt);
    }
  });

  it('a capture read again whole (times go back across bins) keeps its packets before the corrupt record', async () => {
    const { header, records } = pcapRecords(real('Aria-sentinel-Mon0000-n00.pcap'));
    const half = Math.floor(records.length / 2);
    const rotated = Buffer.concat([header, ...records.slice(half), ...records.slice(0, half)]);
    const c = corruptPcap(rotated, 0.8);
    const path = write('rotated-corrupt.pcap', c.bytes);
    const expected = plain(await analyzeCapture(write('rotated-clean.pcap', c.before), {}));
    for (const readerThread of [false, true]) {
      const a = await analyzeCapture(path, { readerThread, partialOnCorrupt: true });
      assert.equal(a.path, 'whole');
      assert.deepEqual(plain(a), expected);
      assert.equal(a.corrupt?.offset, c.at);
    }
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
