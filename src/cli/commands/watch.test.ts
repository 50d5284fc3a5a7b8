import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_DATA } from '../../test-helpers/reference.js';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));

it('watch - prints each closed bin of a live stream and flushes the open bin on Ctrl-C', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'watch', '--json', '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d;
  });
  // The whole capture, but the stream stays open like a live tcpdump: only closed bins can be reported.
  child.stdin.write(readFileSync(`${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`));
  const deadline = Date.now() + 30_000;
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { mac: string; binsSeen: number; bin: number });
  while (!lines().some((u) => u.bin === 5) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.ok(
    lines().some((u) => u.bin === 5),
    `bins 0-5 close while the stream is open; stderr: ${err}`,
  );
  assert.ok(!lines().some((u) => u.bin === 6), 'the open bin is not reported before the end');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, err);
  const device = lines().filter((u) => u.mac === '74:da:38:4a:76:49');
  assert.equal(device.at(-1)!.binsSeen, 7, 'the open bin was flushed');
  assert.equal(err, '');
});

/**
 * A little-endian µs pcap of a real capture's records repeated, each copy shifted past the previous one's
 * end (times never go back), until it is `minBytes` long: long enough to be still reading when signalled.
 */
function longCapture(minBytes: number): Buffer {
  const bytes = readFileSync(`${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`);
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
  const records: Buffer[] = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const len = bytes.readUInt32LE(o + 8);
    records.push(bytes.subarray(o, o + 16 + len));
    o += 16 + len;
  }
  const span = records.at(-1)!.readUInt32LE(0) - records[0]!.readUInt32LE(0) + 1;
  const out: Buffer[] = [bytes.subarray(0, 24)];
  let size = 24;
  for (let copy = 0; size < minBytes; copy++) {
    for (const r of records) {
      const c = Buffer.from(r);
      c.writeUInt32LE(r.readUInt32LE(0) + copy * span, 0);
      out.push(c);
      size += c.length;
    }
  }
  return Buffer.concat(out);
}

describe('watch - stopped by a signal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-watch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'long.pcap');
  writeFileSync(path, longCapture(16 * 1024 * 1024));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} with standard input redirected from a file flushes the open bin and exits 0, no stack trace`, async () => {
      // Standard input is the file itself (`watch - < file`), not a pipe: its reads complete after the signal.
      const fd = openSync(path, 'r');
      const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'watch', '--json', '-'], {
        stdio: [fd, 'pipe', 'pipe'],
      });
      assert.ok(child.stdout && child.stderr);
      closeSync(fd);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const deadline = Date.now() + 60_000;
      while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(out.includes('\n'), `a bin closed while reading; stderr: ${err}`);
      child.kill(signal);
      const code = await exited;
      assert.equal(err, '');
      assert.equal(code, 0);
      const updates = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { bin: number; binStart: number; binEnd: number });
      // Stopped early (the whole file holds about 750 updates and takes seconds to read).
      assert.ok(updates.length > 0 && updates.length < 700, `${updates.length} updates`);
      assert.ok(updates.every((u) => u.binEnd >= u.binStart));
    });
  }

  it('SIGINT before any byte arrived exits like any interrupted watch: no error about the capture', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'watch', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    assert.ok(child.stdout && child.stderr);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Nothing shows when watch is ready: give it ample time to start and block on the silent pipe.
    await new Promise((r) => setTimeout(r, 6000));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(err, '');
    assert.equal(out, '');
    assert.equal(code, 0);
  });
});
