import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startWorker } from '../threads.js';
import { PacketRecord } from './packet.js';
import { createRingBuffer, RingReader, RingState, RingWriter } from './ring.js';

/** A packet whose fields all derive from n, so a record read back says which packet it was. */
function packet(n: number): PacketRecord {
  const p = new PacketRecord();
  p.ipVersion = n % 3 === 0 ? 6 : 4;
  p.tsSec = 1_500_000_000 + n;
  p.tsNsec = (n * 7919) % 1_000_000_000;
  p.ipProto = n % 256;
  p.srcPort = (n * 31) % 65536;
  p.dstPort = 65535 - (n % 65536);
  p.ipLength = n % 65536;
  p.originalLength = n + 60;
  p.l4PayloadLength = n % 1500;
  p.capturedLength = n % 128;
  for (let k = 0; k < 16; k++) {
    p.srcAddr[k] = (n + k) & 0xff;
    p.dstAddr[k] = (n * 3 + k) & 0xff;
  }
  for (let k = 0; k < 12; k++) p.frameHead[k] = (n * 5 + k) & 0xff;
  return p;
}

function check(reader: RingReader, index: number, n: number): void {
  const r = reader.records;
  const p = packet(n);
  assert.equal(r.timeUs(index), p.timeMicros());
  assert.equal(r.ipVersion(index), p.ipVersion);
  assert.equal(r.ipProto(index), p.ipProto);
  assert.equal(r.srcPort(index), p.srcPort);
  assert.equal(r.dstPort(index), p.dstPort);
  assert.equal(r.ipLength(index), p.ipLength);
  assert.equal(r.originalLength(index), p.originalLength);
  assert.equal(r.l4PayloadLength(index), p.l4PayloadLength);
  assert.equal(r.capturedLength(index), p.capturedLength);
  const n16 = p.ipVersion === 4 ? 4 : 16;
  assert.deepEqual(r.bytes.subarray(r.srcAt(index), r.srcAt(index) + n16), p.srcAddr.subarray(0, n16));
  assert.deepEqual(r.bytes.subarray(r.dstAt(index), r.dstAt(index) + n16), p.dstAddr.subarray(0, n16));
  assert.deepEqual(r.bytes.subarray(r.headAt(index), r.headAt(index) + 12), p.frameHead);
}

describe('the record ring', () => {
  it('hands records over in order, across many wraps, in batches', () => {
    const buffer = createRingBuffer(8);
    const writer = new RingWriter(buffer, 3);
    const reader = new RingReader(buffer);
    let written = 0;
    let read = 0;
    for (let round = 0; round < 200; round++) {
      // Up to the capacity each round (never more: the writer would sleep on this very thread).
      const n = 1 + (round % 8);
      for (let k = 0; k < n; k++) {
        const i = writer.claim();
        writer.records.pack(i, packet(written++));
        writer.commit();
      }
      reader.drain((_, index) => check(reader, index, read++));
      assert.ok(read <= written);
      writer.publish();
      reader.drain((_, index) => check(reader, index, read++));
      assert.equal(read, written);
    }
    assert.ok(written > 500);
  });

  it('publishes a batch at a time (and the rest on publish)', () => {
    const buffer = createRingBuffer(16);
    const writer = new RingWriter(buffer, 3);
    const reader = new RingReader(buffer);
    const put = (n: number) => {
      writer.records.pack(writer.claim(), packet(n));
      writer.commit();
    };
    put(0);
    put(1);
    assert.equal(
      reader.drain(() => {}),
      0,
    );
    put(2);
    assert.equal(
      reader.drain(() => {}),
      3,
    );
    put(3);
    writer.publish();
    assert.equal(
      reader.drain(() => {}),
      1,
    );
  });

  it('a reader that stopped makes a writer on a full ring give up instead of waiting', () => {
    const buffer = createRingBuffer(4);
    const writer = new RingWriter(buffer, 1, 10);
    const reader = new RingReader(buffer);
    for (let k = 0; k < 4; k++) {
      writer.records.pack(writer.claim(), packet(k));
      writer.commit();
    }
    reader.stop();
    assert.equal(writer.stopped, true);
    assert.equal(writer.claim(), -1);
  });

  it('the writer finishing wakes a waiting reader, which then sees every record', async () => {
    const buffer = createRingBuffer(16);
    const writer = new RingWriter(buffer, 100);
    const reader = new RingReader(buffer);
    writer.records.pack(writer.claim(), packet(1));
    writer.commit();
    assert.equal(reader.state, RingState.RUNNING);
    assert.equal(reader.empty, true); // not yet published
    setTimeout(() => writer.finish(RingState.DONE), 20);
    const started = Date.now();
    await reader.waitForRecords(1, 5_000);
    assert.ok(Date.now() - started < 2_000, 'woken, not timed out');
    assert.equal(reader.state, RingState.DONE);
    let n = 0;
    reader.drain((_, index) => {
      check(reader, index, 1);
      n++;
    });
    assert.equal(n, 1);
    assert.equal(reader.empty, true);
  });

  it('a waiting reader is woken once the count it waits for is published, not at every batch', async () => {
    const buffer = createRingBuffer(16);
    const writer = new RingWriter(buffer, 1);
    const reader = new RingReader(buffer);
    let woke = false;
    const started = Date.now();
    const waiting = reader.waitForRecords(4, 5_000).then(() => {
      woke = true;
    });
    for (let k = 0; k < 3; k++) {
      writer.records.pack(writer.claim(), packet(k));
      writer.commit();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(woke, false);
    writer.records.pack(writer.claim(), packet(3));
    writer.commit();
    await waiting;
    assert.ok(Date.now() - started < 2_000, 'woken, not timed out');
    assert.equal(
      reader.drain(() => {}),
      4,
    );
  });

  it('frees slots while it drains, so a writer on a full ring goes on before the drain ends', () => {
    const buffer = createRingBuffer(8);
    const writer = new RingWriter(buffer, 8, 10);
    const reader = new RingReader(buffer, 2);
    for (let k = 0; k < 8; k++) {
      writer.records.pack(writer.claim(), packet(k));
      writer.commit();
    }
    // The reader's position as the writer sees it (control word 1).
    const readSeen = () => Atomics.load(new Int32Array(buffer, 0, 2), 1);
    const seenAtEach: number[] = [];
    let n = 0;
    reader.drain((_, index) => {
      seenAtEach.push(readSeen());
      check(reader, index, n++);
      if (n === 3) {
        // Two slots are free: this claim returns at once (on a full ring it would wait on this thread, so
        // that is asserted first).
        assert.equal(readSeen(), 2);
        const i = writer.claim();
        assert.notEqual(i, -1);
        writer.records.pack(i, packet(8));
        writer.commit();
      }
    });
    assert.deepEqual(seenAtEach, [0, 0, 2, 2, 4, 4, 6, 6]);
    assert.equal(n, 8);
    writer.publish();
    assert.equal(
      reader.drain((_, index) => check(reader, index, n++)),
      1,
    );
    assert.equal(readSeen(), 9);
  });

  it('wakes a writer asleep on a full ring once a quarter of it is free, not at every freed batch', async () => {
    const buffer = createRingBuffer(64);
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const reader = new RingReader(buffer, 4);
    const worker = startWorker(new URL('./ring-writer.fixture.ts', import.meta.url), {
      workerData: { buffer, progress: progress.buffer },
    });
    try {
      const control = new Int32Array(buffer, 0, 6);
      const nap = new Int32Array(new SharedArrayBuffer(4));
      const until = (done: () => boolean, ms: number) => {
        for (const end = Date.now() + ms; !done() && Date.now() < end; ) Atomics.wait(nap, 0, 0, 5);
        return done();
      };
      // Full (64 records), and asleep on the 65th: it has said which read count it waits for.
      assert.ok(
        until(() => Atomics.load(control, 5) !== 0, 20_000),
        'the writer sleeps on a full ring',
      );
      assert.equal(Atomics.load(progress, 0), 64);
      let n = 0;
      reader.drain(() => {
        n++;
        // 12 freed (three batches of 4): still asleep, though its poll is a minute.
        if (n === 13) assert.ok(!until(() => Atomics.load(progress, 0) > 64, 300), 'woken before a quarter');
        // 16 freed: woken.
        if (n === 17)
          assert.ok(
            until(() => Atomics.load(progress, 0) > 64, 20_000),
            'not woken at a quarter',
          );
      });
      assert.equal(n, 64);
    } finally {
      reader.stop();
      await worker.terminate();
    }
  });

  it('refuses a capacity that is not a power of two', () => {
    assert.throws(() => createRingBuffer(12), RangeError);
  });
});
