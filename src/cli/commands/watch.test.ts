import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
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
