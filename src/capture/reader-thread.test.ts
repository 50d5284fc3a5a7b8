import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CaptureError } from '../errors.js';
import { PACKED_RECORD_BYTES, PackedRecords } from './packed.js';
import { PacketRecord } from './packet.js';
import { readCapture } from './reader.js';
import type { CaptureWarning } from './reader-api.js';
import { prestartReaderThread, readCaptureOnThread, spareReaderThread } from './reader-thread.js';

const DATA = join(import.meta.dirname, '../../test-data');
const dirs = ['captures/edge', 'captures/real', 'captures/fuzz', 'reference/captures'];
const captures = dirs.flatMap((d) => readdirSync(join(DATA, d)).map((f) => join(DATA, d, f)));

/** The fields a packed record carries, as plain data. */
function fields(r: PackedRecords, i: number): unknown[] {
  const v = r.ipVersion(i);
  const n = v === 4 ? 4 : 16;
  return [
    r.timeUs(i),
    v,
    r.ipProto(i),
    r.srcPort(i),
    r.dstPort(i),
    r.ipLength(i),
    r.originalLength(i),
    r.l4PayloadLength(i),
    r.capturedLength(i),
    [...r.bytes.subarray(r.headAt(i), r.headAt(i) + 12)],
    [...r.bytes.subarray(r.srcAt(i), r.srcAt(i) + n)],
    [...r.bytes.subarray(r.dstAt(i), r.dstAt(i) + n)],
  ];
}

/** The same fields straight from a decoded packet, through a one-record pack (no thread). */
const one = new PackedRecords(new ArrayBuffer(PACKED_RECORD_BYTES), 0, 1);
function direct(p: PacketRecord): unknown[] {
  one.pack(0, p);
  const f = fields(one, 0);
  // Cross-check the pack itself against the record.
  assert.equal(f[0], p.timeMicros());
  assert.equal(f[3], p.srcPort);
  assert.equal(f[4], p.dstPort);
  assert.deepEqual(f[10], [...p.srcAddr.subarray(0, p.ipVersion === 4 ? 4 : 16)]);
  return f;
}

type Outcome =
  | { ok: true; packets: unknown[][]; summary: unknown; warnings: CaptureWarning[] }
  | { ok: false; name: string; message: string; offset: number | undefined };

async function outcome(
  read: (onWarning: (w: CaptureWarning) => void) => Promise<unknown>,
  packets: unknown[][],
): Promise<Outcome> {
  const warnings: CaptureWarning[] = [];
  try {
    const summary = await read((w) => warnings.push(w));
    return { ok: true, packets, summary, warnings };
  } catch (err) {
    assert.ok(err instanceof CaptureError, `a CaptureError, not ${String(err)}`);
    return { ok: false, name: err.name, message: err.message, offset: err.offset };
  }
}

/** What the per-packet extractors read of a decoded packet (see PackedRecords.unpack). */
function extractorFields(p: PacketRecord): unknown[] {
  const n = p.ipVersion === 4 ? 4 : p.ipVersion === 6 ? 16 : 0;
  return [
    p.timeMicros(),
    p.ipVersion,
    p.ipProto,
    p.l4Proto,
    p.srcPort,
    p.dstPort,
    p.ipLength,
    p.originalLength,
    p.l4PayloadLength,
    p.capturedLength,
    p.ttl,
    p.tcpFlags,
    p.tcpHeaderWords,
    p.hasMacs,
    p.isFragment,
    p.isLaterFragment,
    p.icmpType,
    p.etherType,
    p.arpOp,
    p.arpTarget,
    p.arpSender,
    [...p.frameHead],
    [...p.macs],
    // IPv4: bytes 4..15 zero, as the decoder leaves them.
    [...p.srcAddr.subarray(0, n === 4 ? 16 : n)],
    [...p.dstAddr.subarray(0, n === 4 ? 16 : n)],
  ];
}

describe('every packet (nonIp) unpacked from the ring: the fields the extractors read, as decoded', () => {
  for (const path of captures) {
    it(path.slice(DATA.length + 1), async () => {
      const rec = new PacketRecord();
      const mine: unknown[][] = [];
      const threaded = await outcome(
        (onWarning) =>
          readCaptureOnThread(
            path,
            (r, i) => {
              r.unpack(i, rec);
              mine.push(extractorFields(rec));
            },
            { onWarning },
            { nonIp: true },
          ),
        mine,
      );
      const theirs: unknown[][] = [];
      const plain = await outcome(
        (onWarning) => readCapture(path, (p) => theirs.push(extractorFields(p)), { onWarning }),
        theirs,
      );
      assert.deepEqual(threaded, plain);
    });
  }
});

describe('reading on a second thread gives what the one-thread reader gives', () => {
  for (const path of captures) {
    it(path.slice(DATA.length + 1), async () => {
      const mine: unknown[][] = [];
      const threaded = await outcome(
        (onWarning) => readCaptureOnThread(path, (r, i) => mine.push(fields(r, i)), { onWarning }),
        mine,
      );
      const theirs: unknown[][] = [];
      const plain = await outcome(
        (onWarning) =>
          readCapture(
            path,
            (p) => {
              if (p.ipVersion === 4 || p.ipVersion === 6) theirs.push(direct(p));
            },
            { onWarning },
          ),
        theirs,
      );
      assert.deepEqual(threaded, plain);
    });
  }

  it('idle work between batches (slices of ~0.2 ms, while any is left) changes nothing read, errors too', async () => {
    let slices = 0;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    // The reference captures, and edge ones that end in an error.
    const some = captures.filter((p) => /reference|absurd-caplen|truncated-record/.test(p));
    for (const path of some) {
      const fresh: unknown[][] = [];
      const expected = await outcome(
        (onWarning) => readCaptureOnThread(path, (r, i) => fresh.push(fields(r, i)), { onWarning }),
        fresh,
      );
      let left = 200;
      const mine: unknown[][] = [];
      const idle = () => {
        if (left === 0) return false;
        left--;
        slices++;
        Atomics.wait(nap, 0, 0, 0.2);
        return true;
      };
      const got = await outcome(
        (onWarning) => readCaptureOnThread(path, (r, i) => mine.push(fields(r, i)), { onWarning }, { idle }),
        mine,
      );
      assert.deepEqual(got, expected, path);
    }
    assert.ok(slices > 0, 'the idle work ran');
  });

  it('a thread started before its capture is known reads it the same, errors too', async () => {
    for (const path of [...captures, join(DATA, 'captures/no-such-file.pcap')]) {
      const fresh: unknown[][] = [];
      const expected = await outcome(
        (onWarning) => readCaptureOnThread(path, (r, i) => fresh.push(fields(r, i)), { onWarning }),
        fresh,
      );
      prestartReaderThread();
      assert.ok(spareReaderThread(), 'started');
      const mine: unknown[][] = [];
      const prestarted = await outcome(
        (onWarning) => readCaptureOnThread(path, (r, i) => mine.push(fields(r, i)), { onWarning }),
        mine,
      );
      assert.ok(!spareReaderThread(), `${path}: the prestarted thread read it`);
      assert.deepEqual(prestarted, expected, path);
    }
  });

  it('an error from the reader thread: the same one-line CaptureError, with the packets before it', async () => {
    const path = join(DATA, 'captures/edge/absurd-caplen.pcap');
    const before: number[] = [];
    await assert.rejects(
      readCaptureOnThread(path, (r, i) => before.push(r.timeUs(i))),
      (err: unknown) => err instanceof CaptureError && /captured length \d+ is absurd/.test(err.message),
    );
  });

  it('a missing file: the same error as the one-thread reader', async () => {
    const path = join(DATA, 'captures/no-such-file.pcap');
    const expected = await readCapture(path, () => {}).then(
      () => null,
      (e: Error) => e.message,
    );
    assert.ok(expected);
    await assert.rejects(
      readCaptureOnThread(path, () => {}),
      { name: 'CaptureError', message: expected },
    );
  });

  it('stops when asked (signal) and still resolves with a summary', async () => {
    const path = join(DATA, 'captures/real/DLinkDayCam-A1-Mon0000-n00.pcap');
    const abort = new AbortController();
    let seen = 0;
    const summary = await readCaptureOnThread(
      path,
      () => {
        if (++seen === 5) abort.abort();
      },
      { signal: abort.signal },
    );
    assert.ok(seen >= 5);
    assert.equal(summary.source, path);
  });

  it('stops when asked with an extractor on the reader thread: its result still comes back', async () => {
    const path = join(DATA, 'captures/real/DLinkDayCam-A1-Mon0000-n00.pcap');
    const abort = new AbortController();
    let seen = 0;
    let result: unknown = null;
    const summary = await readCaptureOnThread(
      path,
      () => {
        if (++seen === 5) abort.abort();
      },
      { signal: abort.signal },
      {
        nonIp: true,
        extractor: {
          module: new URL('../features/v2/reader-side.ts', import.meta.url),
          options: { durationS: 300 },
          onResult: (r) => {
            result = r;
          },
        },
      },
    );
    assert.equal(summary.source, path);
    assert.ok(result !== null && typeof result === 'object' && 'hosts' in result);
  });

  it("the consumer's own error propagates and the reader thread is ended", async () => {
    const path = join(DATA, 'captures/real/DLinkDayCam-A1-Mon0000-n00.pcap');
    await assert.rejects(
      readCaptureOnThread(path, () => {
        throw new Error('consumer failed');
      }),
      /consumer failed/,
    );
  });
});
