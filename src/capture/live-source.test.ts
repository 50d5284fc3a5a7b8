import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_DATA } from '../test-helpers/reference.js';
import { readCapture } from './reader.js';

const RUN = fileURLToPath(new URL('../cli/run.ts', import.meta.url));
const EDIMAX = `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`;

describe('a capture path that is a named pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-live-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fifo = (): string => {
    const path = join(dir, `p${n++}.fifo`);
    assert.equal(spawnSync('mkfifo', [path]).status, 0);
    return path;
  };

  it('reads as the file does (the reader waits for the writer to open it)', async () => {
    const path = fifo();
    const count = { file: 0, pipe: 0 };
    const fromFile = await readCapture(EDIMAX, () => count.file++);
    const reading = readCapture(path, () => count.pipe++);
    // Opened by the writer after the reader started: the reader has not taken the silence for an end.
    await new Promise((r) => setTimeout(r, 300));
    createWriteStream(path).end(readFileSync(EDIMAX));
    const fromPipe = await reading;
    assert.deepEqual({ ...fromPipe, source: '' }, { ...fromFile, source: '' });
    assert.equal(count.pipe, count.file);
  });

  it('a stop while the pipe is quiet ends the read at once, with every packet that came', async () => {
    const path = fifo();
    const stop = new AbortController();
    let packets = 0;
    const reading = readCapture(path, () => packets++, { signal: stop.signal });
    const writer = createWriteStream(path);
    const written = new Promise((resolve) => writer.write(readFileSync(EDIMAX), resolve));
    try {
      while (packets < 1776) await new Promise((r) => setTimeout(r, 20));
      // The write's end is told after the reader has its bytes (on a loaded machine, after the test had
      // ended and destroyed the stream: the write then failed on no one's watch).
      await written;
      stop.abort();
      const summary = await reading;
      assert.equal(summary.packets, 1776);
      assert.deepEqual(summary.warnings, []);
    } finally {
      writer.destroy();
    }
  });

  it('info ends on Ctrl-C while its pipe is quiet (it does not wait for the writer)', async () => {
    const path = fifo();
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'info', path], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, s) => resolve(s)));
    const writer = createWriteStream(path);
    // Its reader killed, the pipe may refuse the rest (EPIPE): not what this test is about.
    writer.on('error', () => {});
    writer.write(readFileSync(EDIMAX));
    try {
      await new Promise((r) => setTimeout(r, 4000));
      child.kill('SIGINT');
      const late = new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000).unref());
      const ended = await Promise.race([exited, late]);
      if (ended === 'still running') child.kill('SIGKILL');
      // Not caught: SIGINT ends info as it ends any command but watch.
      assert.equal(ended, 'SIGINT');
    } finally {
      writer.destroy();
    }
  });
});
