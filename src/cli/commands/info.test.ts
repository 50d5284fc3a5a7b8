import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';
import { spbOf } from '../../test-helpers/pcapng-blocks.js';
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
  // Two sections: what pcapng captures appended to one another give (as pcap files one after another do).
  assert.match(out.text(), /Format: +pcapng, 2 sections\n/);
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
    /^2 packets are earlier than a packet before them \(eval reads the capture whole if a step crosses a bin\)$/,
  );
});

it('counts packets without a timestamp (pcapng SPB) and says what time they were given, in text and JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-info-spb-'));
  try {
    // A real capture's section header, interface and first EPB, then its second packet as an SPB.
    const ng = readFileSync(join(EDGE, 'real-le.pcapng'));
    const blocks: Buffer[] = [];
    for (let o = 0; o < ng.length && blocks.length < 4; o += ng.readUInt32LE(o + 4)) {
      blocks.push(ng.subarray(o, o + ng.readUInt32LE(o + 4)));
    }
    const [shb, idb, epb, next] = blocks as [Buffer, Buffer, Buffer, Buffer];
    const spb = spbOf(next);
    const borrowed = join(dir, 'borrowed.pcapng');
    writeFileSync(borrowed, Buffer.concat([shb, idb, epb, spb]));

    const out = sink();
    const err = sink();
    assert.equal(await runInfo([borrowed, join(EDGE, 'spb.pcapng')], {}, out.stream, err.stream), 0);
    const [one, two] = out.text().split(/\n(?=File:)/);
    assert.match(one!, /Packets: +2 \(1 without a timestamp: given the time of the packet before\)\n/);
    // Both packets have the EPB's time: no 1970, no span.
    assert.match(
      one!,
      /First packet: +2016-09-07T13:47:42\.892787000Z[^\n]*\nLast packet: +2016-09-07T13:47:42\.892787000Z/,
    );
    assert.match(one!, /Duration: +0\.000000 s/);
    assert.match(two!, /Packets: +3 \(3 without a timestamp and none before in their section: time 0\)\n/);
    assert.match(two!, /First packet: +1970-01-01T00:00:00\.000000000Z/);
    assert.deepEqual(
      err
        .text()
        .trim()
        .split('\n')
        .map((l) => l.replace(dir, 'D').replace(EDGE, 'E')),
      [
        'networkml: warning: D/borrowed.pcapng: packet 2 is a pcapng simple packet block, which has no timestamp: such packets are given the time of the packet before them in their section',
        'networkml: warning: E/spb.pcapng: packet 1 is a pcapng simple packet block, which has no timestamp, and no packet before it in its section has one: such packets are given time 0 (1970-01-01T00:00:00Z)',
      ],
    );

    const json = sink();
    await runInfo([borrowed, join(EDGE, 'spb.pcapng')], { json: true }, json.stream, sink().stream);
    const [a, b] = json
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(a!.withoutTimestamp, 1);
    assert.equal(a!.withoutTimestampAtEpoch, 0);
    assert.equal(a!.firstTime, a!.lastTime);
    assert.equal(b!.withoutTimestamp, 3);
    assert.equal(b!.withoutTimestampAtEpoch, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses '-' twice as a usage error before reading anything (exit 2), as the other commands do", () => {
  const capture = readFileSync(join(EDGE, 'zoo-le-us.pcap'));
  const r = runCli(['info', '-', '-'], { input: capture });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    "networkml: '-' (standard input) is given more than once: standard input can be read only once\n",
  );
  const once = runCli(['info', '--json', '-', join(EDGE, 'raw229.pcap')], { input: capture });
  assert.equal(once.status, 0, once.stderr);
  assert.equal(once.stdout.trim().split('\n').length, 2);
});

it('reads every capture below a directory, as the other commands do; a directory without one is exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-info-dir-'));
  try {
    mkdirSync(join(dir, 'sub'));
    mkdirSync(join(dir, 'empty'));
    copyFileSync(join(EDGE, 'zoo-le-us.pcap'), join(dir, 'a.pcap'));
    copyFileSync(join(EDGE, 'real-le.pcapng'), join(dir, 'sub', 'b.pcapng'));
    writeFileSync(join(dir, 'notes.txt'), 'not a capture\n');
    const r = runCli(['info', '--json', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const sources = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { source: string }).source);
    assert.deepEqual(sources, [join(dir, 'a.pcap'), join(dir, 'sub', 'b.pcapng')]);
    const empty = runCli(['info', join(dir, 'sub'), join(dir, 'empty')]);
    assert.equal(empty.status, 1);
    assert.match(empty.stdout, /^File: +.*b\.pcapng\n/);
    assert.equal(empty.stderr, `networkml: ${join(dir, 'empty')}: no capture files in this directory\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a corrupt record in the middle: what came before it is reported, the error named, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-info-corrupt-'));
  try {
    // A real capture whose 6th record claims 300,000 captured bytes (above libpcap's 262,144) with more
    // records after it: it was called a truncated capture (exit 0) and the records after it silently lost.
    const bytes = Buffer.from(readFileSync(join(EDGE, 'zoo-le-us.pcap')));
    let at = 24;
    for (let k = 0; k < 5; k++) at += 16 + bytes.readUInt32LE(at + 8);
    bytes.writeUInt32LE(300_000, at + 8);
    const file = join(dir, 'midcorrupt.pcap');
    writeFileSync(file, bytes);
    const out = sink();
    const err = sink();
    assert.equal(await runInfo([file, join(EDGE, 'raw229.pcap')], {}, out.stream, err.stream), 1);
    assert.match(out.text(), /Packets: +5\n/);
    assert.match(out.text(), new RegExp(`Bytes: +${at} in the capture before a corrupt record, `));
    assert.match(out.text(), /File: +.*raw229\.pcap\n/);
    assert.equal(
      err.text(),
      `networkml: ${file}: corrupt record at byte offset ${at}: captured length 300000 is absurd\n`,
    );
    const json = sink();
    assert.equal(await runInfo([file], { json: true }, json.stream, sink().stream), 1);
    const info = JSON.parse(json.text()) as { packets: number; corruptAt: number | null; bytes: number };
    assert.deepEqual([info.packets, info.corruptAt, info.bytes], [5, at, at]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
