import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { it } from 'node:test';
import { runInfo } from './info.js';

const EDGE = join(import.meta.dirname, '../../../test-data/captures/edge');

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on('data', (b: Buffer) => parts.push(b));
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

it('prints one JSON line per capture, one error line per bad file, and exits 1 if any failed', async () => {
  const out = sink();
  const err = sink();
  const files = ['zoo-le-us.pcap', 'not-a-capture.txt', 'truncated-record.pcap', 'missing.pcap'].map((f) =>
    join(EDGE, f),
  );
  const code = await runInfo(files, { json: true }, out.stream, err.stream);
  assert.equal(code, 1);
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 2);
  const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(a!.packets, 18);
  assert.equal(b!.packets, 17);
  assert.equal((b!.warnings as string[]).length, 1);
  const errs = err.text().trim().split('\n');
  assert.deepEqual(
    errs.map((l) => l.replace(EDGE, 'E')),
    [
      'networkml: E/not-a-capture.txt: not a capture file (magic 0x68656c6c)',
      'networkml: warning: E/truncated-record.pcap: truncated capture: the last record at byte offset 1884 is incomplete (68 of 75 bytes present)',
      'networkml: E/missing.pcap: cannot read: no such file',
    ],
  );
});

it('prints readable text and exits 0 when every capture reads', async () => {
  const out = sink();
  const err = sink();
  const code = await runInfo(
    [join(EDGE, 'multi-section.pcapng'), join(EDGE, 'zoo.pcap.gz')],
    {},
    out.stream,
    err.stream,
  );
  assert.equal(code, 0);
  assert.equal(err.text(), '');
  assert.match(out.text(), /Format: +pcapng\n/);
  assert.match(out.text(), /Format: +pcap \(gzip\)\n/);
  assert.match(
    out.text(),
    /Link types: +1 \(Ethernet\), 228 \(raw IPv4\), 276 \(Linux cooked v2 \(SLL2\)\), 0 \(BSD loopback\), 113/,
  );
});

it('registers `info <capture...> --json` on a commander program (exit codes 0 and 1)', () => {
  const script = [
    "import { Command } from 'commander';",
    "import { registerInfo } from './src/cli/commands/info.ts';",
    "const program = new Command('networkml');",
    'registerInfo(program);',
    "await program.parseAsync(process.argv.slice(1), { from: 'user' });",
  ].join('\n');
  const root = join(import.meta.dirname, '../../..');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'info', ...args], {
      cwd: root,
      encoding: 'utf8',
    });
  const ok = run('--json', join(EDGE, 'raw229.pcap'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { packets: number }).packets, 1);
  const bad = run(join(EDGE, 'empty.pcap'), join(EDGE, 'raw228.pcap'));
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /Packets: +1/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^networkml: .*empty\.pcap: not a capture file \(empty\)$/m);
});

it("says how often a capture's time goes back, in a sentence that reads right for one packet or many", async () => {
  const text = async (file: string) => {
    const out = sink();
    await runInfo([file], {}, out.stream, sink().stream);
    return /Time order: +(.*)\n/.exec(out.text())?.[1];
  };
  assert.equal(await text(join(EDGE, 'zoo-le-us.pcap')), 'never goes back');
  assert.match(
    (await text(join(EDGE, '../fuzz/reordered-stream-01.pcap'))) ?? '',
    /^2 packets are earlier than the one before them \(eval reads the capture whole if a step crosses a bin\)$/,
  );
});
