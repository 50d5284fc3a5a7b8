import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { CaptureError } from '../errors.js';
import { corruptGzip } from '../test-helpers/corrupt-capture.js';
import { spbOf } from '../test-helpers/pcapng-blocks.js';
import type { PacketRecord } from './packet.js';
import { readCapture } from './reader.js';
import { type CaptureSummary, type CaptureWarning, CorruptCaptureError } from './reader-api.js';
import { GZIP_OUTPUT } from './source.js';
import { capinfos, FIELDS, ours, tsharkRows } from './tshark.test-helper.js';

const DATA = join(import.meta.dirname, '../../test-data/captures');
const real = readdirSync(join(DATA, 'real'))
  .filter((f) => f.endsWith('.pcap'))
  .map((f) => join(DATA, 'real', f));
const edge = (f: string): string => join(DATA, 'edge', f);
/** Edge fixtures tshark reads completely and that we must decode exactly as it does. */
const GOOD_EDGE = [
  'zoo-le-us.pcap',
  'zoo-be-us.pcap',
  'zoo-le-ns.pcap',
  'zoo-be-ns.pcap',
  'real-be-us.pcap',
  'real-le-ns.pcap',
  'real-le.pcapng',
  'real-be.pcapng',
  'real-be.pcapng.gz',
  'zoo.pcap.gz',
  'multi-section.pcapng',
  'spb.pcapng',
  'sll.pcap',
  'sll2.pcap',
  'null-le.pcap',
  'null-be.pcap',
  'loop.pcap',
  'raw101.pcap',
  'raw228.pcap',
  'raw229.pcap',
  'snaplen-cut.pcap',
  'caplen-over-snaplen.pcap',
  'snaplen-transport.pcap',
  'ip-lengths.pcap',
  'tsresol-fine.pcapng',
].map(edge);

async function readRows(
  source: string | NodeJS.ReadableStream,
  timeKnown = true,
): Promise<{ rows: string[][]; summary: CaptureSummary }> {
  const rows: string[][] = [];
  const summary = await readCapture(source, (p) => rows.push(ours(p, timeKnown)));
  return { rows, summary };
}

function assertSameRows(file: string, got: string[][], want: string[][]): void {
  assert.equal(got.length, want.length, `${file}: packet count`);
  for (let i = 0; i < want.length; i++) {
    for (let c = 0; c < FIELDS.length; c++) {
      if (got[i]![c] !== want[i]![c]) {
        assert.fail(
          `${file}: packet ${i + 1} field ${FIELDS[c]}: ours '${got[i]![c]}', tshark '${want[i]![c]}'`,
        );
      }
    }
  }
}

describe('readCapture against tshark', () => {
  for (const file of [...real, ...GOOD_EDGE]) {
    it(`decodes ${file.slice(DATA.length + 1)} field for field like tshark`, async () => {
      const spb = file.endsWith('spb.pcapng');
      const { rows, summary } = await readRows(file, !spb);
      // spb.pcapng is SPBs only: no packet has a timestamp, each is given 0 and named by one warning.
      assert.deepEqual(
        summary.warnings.map((w) => w.kind),
        spb ? ['no-timestamp'] : [],
      );
      assertSameRows(file, rows, tsharkRows(file));
      const ci = capinfos(file);
      assert.equal(summary.packets, ci.packets);
      if (!spb) {
        assert.equal(
          `${summary.firstTime!.sec}.${String(summary.firstTime!.nsec).padStart(9, '0')}`,
          ci.first,
        );
        assert.equal(`${summary.lastTime!.sec}.${String(summary.lastTime!.nsec).padStart(9, '0')}`, ci.last);
      }
    });
  }

  it('stays exact for every real capture when fed in tiny, odd-sized chunks', async () => {
    for (const file of [...real.slice(0, 3), edge('multi-section.pcapng'), edge('real-be.pcapng')]) {
      const whole = readFileSync(file);
      const chunks: Buffer[] = [];
      // Sizes cycle through 1..23 bytes, so every header and record straddles chunk boundaries.
      for (let p = 0, k = 0; p < whole.length; k++) {
        const n = 1 + ((k * 7) % 23);
        chunks.push(whole.subarray(p, p + n));
        p += n;
      }
      const a = await readRows(file);
      const b = await readRows(Readable.from(chunks));
      assert.deepEqual(b.rows, a.rows, file);
      assert.equal(b.summary.bytes, whole.length);
    }
  });
});

describe('readCapture details', () => {
  it('reports format, gzip and per-interface link types', async () => {
    const m = await readCapture(edge('multi-section.pcapng'), () => {});
    assert.equal(m.format, 'pcapng');
    assert.deepEqual(m.linkTypes, [1, 228, 276, 0, 113]);
    const z = await readCapture(edge('zoo.pcap.gz'), () => {});
    assert.equal(z.gzip, true);
    assert.equal(z.format, 'pcap');
    const n = await readCapture(edge('zoo-be-ns.pcap'), () => {});
    assert.equal(n.format, 'pcap-ns');
  });

  it('decodes VLAN stacks, IPv6 extension chains, fragments and payload lengths', async () => {
    const recs: PacketRecord[] = [];
    await readCapture(edge('zoo-le-us.pcap'), (p) => {
      const copy = Object.assign(Object.create(Object.getPrototypeOf(p)), p) as PacketRecord;
      recs.push(
        Object.assign(copy, {
          vlanIds: p.vlanIds.slice(),
          srcAddr: p.srcAddr.slice(),
          frameHead: p.frameHead.slice(),
          macs: p.macs.slice(),
        }),
      );
    });
    assert.deepEqual([...recs[3]!.vlanIds.subarray(0, recs[3]!.vlanCount)], [1, 2, 3]);
    assert.equal(recs[3]!.etherType, 0x86dd);
    // Hop-by-hop → routing → destination options → TCP.
    assert.equal(recs[11]!.ipProto, 0);
    assert.equal(recs[11]!.l4Proto, 6);
    assert.equal(recs[11]!.l4PayloadLength, 12);
    assert.equal(recs[11]!.headerEnd, 14 + 40 + 8 + 24 + 8 + 20);
    // IPv6 first fragment has ports, a later one does not.
    assert.equal(recs[12]!.isFragment, true);
    assert.equal(recs[12]!.isLaterFragment, false);
    assert.equal(recs[12]!.srcPort, 4000);
    assert.equal(recs[13]!.isLaterFragment, true);
    assert.equal(recs[13]!.l4Proto, 17);
    assert.equal(recs[13]!.srcPort, 0);
    // AH then UDP.
    assert.equal(recs[14]!.ipProto, 51);
    assert.equal(recs[14]!.l4Proto, 17);
    assert.equal(recs[14]!.l4PayloadLength, 16);
    // IPv4 with options: TCP still found; MF first fragment vs later fragment.
    assert.equal(recs[7]!.headerEnd, 14 + 32 + 20);
    assert.equal(recs[8]!.isFragment, true);
    assert.equal(recs[8]!.srcPort, 9999);
    assert.equal(recs[9]!.isLaterFragment, true);
    assert.equal(recs[9]!.srcPort, 0);
    // TCP payload from the IP total length; NS flag in bit 8.
    assert.equal(recs[1]!.l4PayloadLength, 100);
    assert.equal(recs[17]!.tcpFlags, 0x1ff);
    // ARP, frame head.
    assert.equal(recs[4]!.arpOp, 1);
    assert.equal(recs[4]!.ipVersion, 0);
    assert.deepEqual([...recs[0]!.frameHead], [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
  });

  it('keeps the ports of a real IPv6 capture taken with a 68-byte snap length (tcpdump -s 68)', async () => {
    const full = readFileSync(join(DATA, 'real', 'trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap'));
    const parts: Buffer[] = [full.subarray(0, 24)];
    for (let p = 24; p < full.length; ) {
      const caplen = full.readUInt32LE(p + 8);
      const head = Buffer.from(full.subarray(p, p + 16));
      head.writeUInt32LE(Math.min(caplen, 68), 8);
      parts.push(head, full.subarray(p + 16, p + 16 + Math.min(caplen, 68)));
      p += 16 + caplen;
    }
    const ports = async (b: Buffer): Promise<string[]> => {
      const out: string[] = [];
      await readCapture(Readable.from([b]), (p) => out.push(`${p.srcPort}>${p.dstPort}`));
      return out;
    };
    const want = await ports(full);
    assert.ok(want.filter((p) => p !== '0>0').length > 100);
    assert.deepEqual(await ports(Buffer.concat(parts)), want);
  });

  it('takes a TSO segment (IPv4 total length 0) at the frame length, as tshark does, keeping the raw 0', async () => {
    const f = edge('ipv4-tso.pcap');
    const seen: [number, number, number][] = [];
    await readCapture(f, (p) => seen.push([p.ipLength, p.l4PayloadLength, p.srcPort]));
    const t = tsharkRows(f)[0]!;
    assert.equal(t[FIELDS.indexOf('tcp.len')], '2000');
    // ipLength stays the header's own 0: the original read the IP length from the raw bytes.
    assert.deepEqual(seen, [[0, 2000, 1234]]);
  });

  it('gives SLL frames no MAC pair (one link address, no destination) and frameHead for every link type', async () => {
    const heads: number[][] = [];
    const macs: number[][] = [];
    const hasMacs: boolean[] = [];
    for (const name of ['sll.pcap', 'sll2.pcap']) {
      await readCapture(edge(name), (p) => {
        heads.push([...p.frameHead]);
        macs.push([...p.macs]);
        hasMacs.push(p.hasMacs);
      });
    }
    assert.ok(heads.length > 3);
    assert.ok(hasMacs.every((h) => !h));
    assert.ok(macs.every((m) => m.every((b) => b === 0)));
    heads.splice(0, heads.length - 3);
    assert.deepEqual(heads[0]!.slice(0, 4), [0x08, 0x00, 0, 0]);
    assert.equal(heads.length, 3);
  });

  it('counts and skips an unsupported link type with one warning', async () => {
    const warnings: CaptureWarning[] = [];
    let n = 0;
    const s = await readCapture(
      edge('unsupported-link.pcap'),
      () => {
        n++;
      },
      { onWarning: (w) => warnings.push(w) },
    );
    assert.equal(n, 0);
    assert.equal(s.packets, 2);
    assert.equal(s.skippedUnsupportedLink, 2);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.kind, 'unsupported-linktype');
  });

  it('processes every complete record of a truncated file, then warns with the offset', async () => {
    for (const [file, packets] of [
      ['truncated-record.pcap', 17],
      ['truncated-header.pcap', 1],
      ['truncated-block.pcapng', 6],
      ['truncated.pcap.gz', 8],
    ] as const) {
      const f = edge(file);
      const { rows, summary } = await readRows(f);
      assert.equal(summary.packets, packets, file);
      assert.deepEqual(rows, tsharkRows(f), file);
      const t = summary.warnings.filter((w) => w.kind === 'truncated');
      assert.ok(t.length >= 1, `${file}: truncation warning`);
      assert.match(t[t.length - 1]!.message, /truncated/);
      assert.equal(typeof t[t.length - 1]!.offset, 'number');
    }
  });

  const bad: [string, RegExp][] = [
    ['not-a-capture.txt', /not-a-capture\.txt: not a capture file \(magic 0x68656c6c\)/],
    ['empty.pcap', /empty\.pcap: not a capture file \(empty\)/],
    ['absurd-caplen.pcap', /corrupt record at byte offset 102: captured length 2147483647 is absurd/],
    ['block-length-mismatch.pcapng', /byte offset 28: block length 32 does not match trailing length 36/],
    ['block-length-odd.pcapng', /byte offset 28: impossible block length 34/],
    ['corrupt.pcap.gz', /corrupt gzip data after compressed byte offset \d+/],
  ];
  for (const [file, message] of bad) {
    it(`rejects ${file} with a one-line CaptureError`, async () => {
      await assert.rejects(
        readCapture(edge(file), () => {}),
        (err: unknown) => {
          assert.ok(err instanceof CaptureError);
          assert.match(err.message, message);
          assert.ok(!err.message.includes('\n'));
          return true;
        },
      );
    });
  }

  it('corrupt gzip data after packets: the packets decompressed before it, then a CorruptCaptureError', async () => {
    // A real capture whose compressed data turns corrupt (an invalid deflate block header) after 45 % of it:
    // 75 KB into the capture, but inside the first piece of compressed data gunzip is given (GZIP_PIECE), so
    // nothing was read before it while gunzip decompressed a piece into one 1 MiB output chunk.
    const plain = readFileSync(join(DATA, 'real', 'Aria-sentinel-Mon0000-n00.pcap'));
    const { bytes, corruptAt } = corruptGzip(plain, 0.45);
    const failure = async (source: string | NodeJS.ReadableStream) => {
      const rows: string[][] = [];
      const err = await readCapture(source, (p) => rows.push(ours(p))).then(
        () => assert.fail('read whole'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof CorruptCaptureError, String(err));
      return { err, rows };
    };
    const dir = mkdtempSync(join(tmpdir(), 'networkml-gzip-'));
    try {
      const path = join(dir, 'aria.pcap.gz');
      writeFileSync(path, bytes);
      const { err, rows } = await failure(path);
      const at = err.offset!;
      // The capture up to `at` (a record boundary) was read, less than a gunzip output chunk before the
      // corruption (what zlib decompressed in the call that failed is lost with it).
      assert.ok(at <= corruptAt && at > corruptAt - GZIP_OUTPUT - 2048, `${at} of ${corruptAt}`);
      assert.equal(err.partial.bytes, at);
      assert.equal(err.partial.gzip, true);
      const before = await readRows(Readable.from([plain.subarray(0, at)]));
      assert.deepEqual(before.summary.warnings, [], 'a record boundary');
      assert.ok(before.rows.length > 100);
      assert.deepEqual(rows, before.rows);
      assert.equal(err.partial.packets, before.summary.packets);
      assert.match(
        err.message,
        new RegExp(
          `^${path}: corrupt gzip data after compressed byte offset \\d+ \\(decompressed byte offset ${at}\\): invalid block type$`,
        ),
      );
      // The same however the bytes arrive.
      const chunks: Buffer[] = [];
      for (let p = 0, k = 0; p < bytes.length; k++) {
        const n = 1 + ((k * 7919) % 5000);
        chunks.push(bytes.subarray(p, p + n));
        p += n;
      }
      const streamed = await failure(Readable.from(chunks));
      assert.deepEqual(streamed.rows, rows);
      assert.equal(streamed.err.message, err.message.replace(path, '-'));
      // Corrupt before any packet: no partial, the plain error as before.
      await assert.rejects(
        readCapture(Readable.from([corruptGzip(plain, 0.0001).bytes]), () => {}),
        (e: unknown) => e instanceof CaptureError && !(e instanceof CorruptCaptureError),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a pcapng packet naming an undeclared interface, and an EPB longer than its block', async () => {
    const ng = readFileSync(edge('real-le.pcapng'));
    const shb = ng.readUInt32LE(4);
    const idb = ng.readUInt32LE(shb + 4);
    const epb = shb + idb;
    const wrongIf = Buffer.from(ng);
    wrongIf.writeUInt32LE(3, epb + 8);
    await assert.rejects(
      readCapture(Readable.from([wrongIf]), () => {}),
      new RegExp(`byte offset ${epb}: packet names interface 3, but the section declares 1`),
    );
    const long = Buffer.from(ng);
    long.writeUInt32LE(0xfff0, epb + 20);
    await assert.rejects(
      readCapture(Readable.from([long]), () => {}),
      /captured length 65520 exceeds the block/,
    );
  });

  it('names a missing file', async () => {
    await assert.rejects(
      readCapture(join(DATA, 'nope.pcap'), () => {}),
      /nope\.pcap: cannot read: no such file/,
    );
  });

  it('reads a stream and stops at an abort signal', async () => {
    const a = await readRows(createReadStream(edge('zoo-le-us.pcap')));
    assert.equal(a.summary.packets, 18);
    assert.equal(a.summary.source, '-');
    const ctl = new AbortController();
    const whole = readFileSync(edge('zoo-le-us.pcap'));
    const halves = [whole.subarray(0, 500), whole.subarray(500)];
    const s = await readCapture(Readable.from(halves), () => ctl.abort(), { signal: ctl.signal });
    // Aborting during the first chunk stops before the second: only the records wholly in the first.
    assert.ok(s.packets > 0 && s.packets < 18, String(s.packets));
  });

  it("reads standard input with '-' and a pipe given as a path, gzip included", () => {
    const script = [
      "import { readCapture } from './src/capture/reader.ts';",
      "const s = await readCapture('-', () => {});",
      'const t = await readCapture(process.argv[1], () => {});',
      'console.log(JSON.stringify([s.source, s.packets, s.gzip, t.packets]));',
    ].join('\n');
    const root = join(import.meta.dirname, '../..');
    for (const [file, gz] of [
      ['zoo-le-us.pcap', false],
      ['zoo.pcap.gz', true],
    ] as const) {
      // Standard input as '-', then the same bytes again through a pipe given as a path.
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"$0" --import tsx --input-type=module -e "$1" <(cat "$2") < "$2"`,
          process.execPath,
          script,
          edge(file),
        ],
        { cwd: root, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), ['-', 18, gz, 18]);
    }
  });
});

/** A little-endian pcapng: one raw-IPv4 interface with if_tsoffset, one EPB per timestamp (µs units). */
function pcapngAt(offsetSec: bigint, timestampsUs: bigint[]): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeBigInt64LE(-1n, 16);
  shb.writeUInt32LE(28, 24);
  const idb = Buffer.alloc(36);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(36, 4);
  idb.writeUInt16LE(228, 8);
  idb.writeUInt16LE(14, 16);
  idb.writeUInt16LE(8, 18);
  idb.writeBigInt64LE(offsetSec, 20);
  idb.writeUInt32LE(36, 32);
  const epbs = timestampsUs.map((ts) => {
    const ip = Buffer.from('450000140000000040110000c0a80001c0a80002', 'hex');
    const epb = Buffer.alloc(32 + ip.length);
    epb.writeUInt32LE(6, 0);
    epb.writeUInt32LE(epb.length, 4);
    epb.writeUInt32LE(Number(BigInt.asUintN(64, ts) >> 32n), 12);
    epb.writeUInt32LE(Number(BigInt.asUintN(64, ts) & 0xffffffffn), 16);
    epb.writeUInt32LE(ip.length, 20);
    epb.writeUInt32LE(ip.length, 24);
    ip.copy(epb, 28);
    epb.writeUInt32LE(epb.length, epb.length - 4);
    return epb;
  });
  return Buffer.concat([shb, idb, ...epbs]);
}

describe('packet times (capture/time.ts)', () => {
  it('keeps times before 1970 as times: first and last come from a count, not a sentinel', async () => {
    const times: number[] = [];
    const s = await readCapture(Readable.from([pcapngAt(-10n, [2_000_000n, 0n, 5_500_000n])]), (p) => {
      times.push(p.tsSec);
    });
    assert.deepEqual(times, [-8, -10, -5]);
    assert.equal(s.packets, 3);
    assert.deepEqual(s.firstTime, { sec: -10, nsec: 0 });
    assert.deepEqual(s.lastTime, { sec: -5, nsec: 500_000_000 });
    assert.equal(s.skippedBadTime, 0);
  });

  it('skips packets whose time is out of range, counts them and warns once', async () => {
    const max = 9_007_199_253n;
    const warnings: CaptureWarning[] = [];
    let seen = 0;
    // At the upper edge, one second past it, far past it (2^64 - 1 µs), and the lower edge and below.
    const s = await readCapture(
      Readable.from([pcapngAt(0n, [max * 1_000_000n + 999_999n, (max + 1n) * 1_000_000n, (1n << 64n) - 1n])]),
      () => seen++,
      { onWarning: (w) => warnings.push(w) },
    );
    assert.equal(s.packets, 3);
    assert.equal(seen, 1);
    assert.equal(s.skippedBadTime, 2);
    assert.deepEqual(s.firstTime, { sec: Number(max), nsec: 999_999_000 });
    assert.deepEqual(s.firstTime, s.lastTime);
    assert.deepEqual(
      warnings.map((w) => w.kind),
      ['time-out-of-range'],
    );
    assert.match(
      warnings[0]!.message,
      /^-: packet 2 has a time outside 1684-07-28T00:12:27Z to 2255-06-05T23:47:33Z \(9007199254 s since 1970\); such packets are skipped$/,
    );

    const low = await readCapture(Readable.from([pcapngAt(-max - 1n, [0n])]), () => {});
    assert.equal(low.skippedBadTime, 1);
    assert.equal(low.firstTime, null);
    const edgeLow = await readCapture(Readable.from([pcapngAt(-max, [0n])]), () => {});
    assert.deepEqual(edgeLow.firstTime, { sec: -Number(max), nsec: 0 });
  });
});

/** The blocks of a little-endian pcapng, each its own buffer. */
function pcapngBlocks(ng: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o < ng.length; o += ng.readUInt32LE(o + 4))
    out.push(ng.subarray(o, o + ng.readUInt32LE(o + 4)));
  return out;
}

describe('pcapng Simple Packet Blocks (no timestamp)', () => {
  it('get the time of the packet before them in their section, 0 only when there is none, counted and named', async () => {
    // real-le.pcapng: a section header, one Ethernet interface, then EPBs of a real capture.
    const [shb, idb, ...epbs] = pcapngBlocks(readFileSync(edge('real-le.pcapng')));
    const [a, b, c, d, e, f] = epbs as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    const ng = Buffer.concat([
      shb!,
      idb!,
      spbOf(a), // no packet before it in the section: time 0
      b,
      spbOf(c), // b's time
      spbOf(d), // b's time
      e,
      shb!, // a new section: what came before does not count
      idb!,
      spbOf(f), // time 0
      f,
    ]);
    const times: string[] = [];
    const warnings: CaptureWarning[] = [];
    const s = await readCapture(Readable.from([ng]), (p) => times.push(`${p.tsSec}.${p.tsNsec}`), {
      onWarning: (w) => warnings.push(w),
    });
    const t = (epb: Buffer) => {
      const us = epb.readUInt32LE(12) * 2 ** 32 + epb.readUInt32LE(16);
      return `${Math.floor(us / 1e6)}.${(us % 1e6) * 1000}`;
    };
    assert.deepEqual(times, ['0.0', t(b), t(b), t(b), t(e), '0.0', t(f)]);
    assert.equal(s.packets, 7);
    assert.equal(s.withoutTimestamp, 4);
    assert.equal(s.withoutTimestampAtEpoch, 2);
    assert.deepEqual(
      warnings.map((w) => w.message),
      [
        '-: packet 1 is a pcapng simple packet block, which has no timestamp, and no packet before it in its section has one: such packets are given time 0 (1970-01-01T00:00:00Z)',
        '-: packet 3 is a pcapng simple packet block, which has no timestamp: such packets are given the time of the packet before them in their section',
      ],
    );
    // Packets with times of their own only: nothing counted, nothing said.
    const timed = await readCapture(Readable.from([Buffer.concat([shb!, idb!, a, b])]), () => {});
    assert.equal(timed.withoutTimestamp, 0);
    assert.deepEqual(timed.warnings, []);
  });
});

/** Byte offsets of the records of a little-endian µs pcap. */
function pcapRecordOffsets(pcap: Buffer): number[] {
  const out: number[] = [];
  for (let o = 24; o + 16 <= pcap.length; o += 16 + pcap.readUInt32LE(o + 8)) out.push(o);
  return out;
}

describe('corrupt or truncated: one rule, from the record header (as libpcap)', () => {
  const zoo = readFileSync(edge('zoo-le-us.pcap'));
  const at = pcapRecordOffsets(zoo)[5]!;
  const withCaplen = (caplen: number, end = zoo.length): Buffer => {
    const b = Buffer.from(zoo.subarray(0, end));
    b.writeUInt32LE(caplen, at + 8);
    return b;
  };
  const corrupt = async (bytes: Buffer, message: RegExp, packets: number) => {
    let seen = 0;
    await assert.rejects(
      readCapture(Readable.from([bytes]), () => seen++),
      (err: unknown) => {
        assert.ok(err instanceof CorruptCaptureError, String(err));
        assert.match(err.message, message);
        // What came before it was read, handed over and summarised; the reading stopped at the record.
        assert.equal(err.partial.packets, packets);
        assert.equal(err.partial.bytes, err.offset);
        assert.deepEqual(err.partial.warnings, []);
        return true;
      },
    );
    assert.equal(seen, packets);
  };

  it("a captured length above 262,144 (libpcap's maximum) is a corrupt record, whether or not the file ends in it", async () => {
    const message = new RegExp(`^-: corrupt record at byte offset ${at}: captured length 300000 is absurd$`);
    // Bytes follow it (the other records): it was "truncated" (a warning) and they were silently lost.
    await corrupt(withCaplen(300_000), message, 5);
    // The file ends inside the claimed 300,000 bytes: still corrupt, not truncated.
    await corrupt(withCaplen(300_000, at + 40), message, 5);
    // 2^31 - 1 (was already corrupt): the packets before it are no longer lost.
    await corrupt(withCaplen(0x7fff_ffff), /captured length 2147483647 is absurd$/, 5);
  });

  it('a plausible captured length the file ends inside is a truncated capture: a warning, what came before used', async () => {
    const s = await readCapture(Readable.from([withCaplen(262_144)]), () => {});
    assert.equal(s.packets, 5);
    assert.deepEqual(
      s.warnings.map((w) => w.message),
      [
        `-: truncated capture: the last record at byte offset ${at} is incomplete (${zoo.length - at} of 262160 bytes present)`,
      ],
    );
  });

  it('the same for a pcapng packet block: longer than its link type allows is corrupt, not truncated', async () => {
    const [shb, idb, ...epbs] = pcapngBlocks(readFileSync(edge('real-le.pcapng')));
    const long = Buffer.from(epbs[2]!.subarray(0, 40));
    long.writeUInt32LE(400_000, 4); // above 262,144 + libpcap's 128 KiB of options and the block's 32 bytes
    const before = 28 + 20 + epbs[0]!.length + epbs[1]!.length;
    await assert.rejects(
      readCapture(Readable.from([Buffer.concat([shb!, idb!, epbs[0]!, epbs[1]!, long])]), () => {}),
      (err: unknown) =>
        err instanceof CorruptCaptureError &&
        err.partial.packets === 2 &&
        err.message ===
          `-: corrupt pcapng block at byte offset ${before}: impossible block length 400000 for a packet block`,
    );
    // A plausible block length the file ends inside: truncated.
    long.writeUInt32LE(300_000, 4);
    const cut = await readCapture(
      Readable.from([Buffer.concat([shb!, idb!, epbs[0]!, epbs[1]!, long])]),
      () => {},
    );
    assert.equal(cut.packets, 2);
    assert.equal(cut.warnings[0]?.kind, 'truncated');
    // An EPB whose block holds a captured length above 262,144 is corrupt too.
    const big = Buffer.alloc(32 + 300_000);
    epbs[2]!.copy(big, 0, 0, 28);
    big.writeUInt32LE(big.length, 4);
    big.writeUInt32LE(300_000, 20);
    big.writeUInt32LE(300_000, 24);
    big.writeUInt32LE(big.length, big.length - 4);
    await assert.rejects(
      readCapture(Readable.from([Buffer.concat([shb!, idb!, epbs[0]!, big, epbs[1]!])]), () => {}),
      (err: unknown) =>
        err instanceof CorruptCaptureError &&
        err.partial.packets === 1 &&
        /: captured length 300000 is absurd$/.test(err.message),
    );
  });

  it("lets a consumer's own CaptureError through as it is, not as a corrupt capture", async () => {
    const mine = new CaptureError('mine');
    await assert.rejects(
      readCapture(Readable.from([zoo]), () => {
        throw mine;
      }),
      (err) => err === mine,
    );
  });
});

describe('what the reader turns into a CaptureError', () => {
  it("lets the consumer's errors and its own bugs through unchanged", async () => {
    const file = join(DATA, 'real', 'iKettle2-A1-Mon0000-n00.pcap');
    const bug = new TypeError('a bug in the consumer');
    await assert.rejects(
      readCapture(file, () => {
        throw bug;
      }),
      (err) => err === bug,
    );
    // A stream handing over something that is not bytes is a programming error, not a bad capture.
    const notBytes = Readable.from([{ not: 'bytes' }], { objectMode: true });
    await assert.rejects(
      readCapture(notBytes, () => {}),
      (err) => err instanceof TypeError && !(err instanceof CaptureError),
    );
  });

  it('still turns system errors of the source into one-line CaptureErrors', async () => {
    await assert.rejects(
      readCapture(DATA, () => {}),
      (err) => {
        assert.ok(err instanceof CaptureError);
        assert.match(err.message, /cannot read: is a directory$/);
        return true;
      },
    );
  });
});
