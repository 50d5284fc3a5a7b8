import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';
import { repeatedCapture } from '../../test-helpers/repeated-capture.js';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));

const EDIMAX = `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`;

/** Children still running when the tests end (a failed one's watch may wait forever): killed then. */
const running = new Set<ReturnType<typeof spawn>>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** `networkml watch ARGS` as a child process, its standard input `stdin`; what it printed so far, and its exit. */
function watchProcess(args: string[], stdin: 'pipe' | number | 'ignore') {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'watch', ...args], {
    stdio: [stdin, 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const printed = { out: '', err: '' };
  child.stdout!.on('data', (d: Buffer) => {
    printed.out += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    printed.err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, printed, exited };
}

it('watch - prints each closed bin of a live stream and flushes the open bin on Ctrl-C', async () => {
  const { child, printed, exited } = watchProcess(['--json', '-'], 'pipe');
  // The whole capture, but the stream stays open like a live tcpdump: only closed bins can be reported.
  child.stdin!.write(
    readFileSync(`${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`),
  );
  const deadline = Date.now() + 30_000;
  const lines = () =>
    printed.out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { mac: string; binsSeen: number; bin: number });
  while (!lines().some((u) => u.bin === 5) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.ok(
    lines().some((u) => u.bin === 5),
    `bins 0-5 close while the stream is open; stderr: ${printed.err}`,
  );
  assert.ok(!lines().some((u) => u.bin === 6), 'the open bin is not reported before the end');
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 0, printed.err);
  const device = lines().filter((u) => u.mac === '74:da:38:4a:76:49');
  assert.equal(device.at(-1)!.binsSeen, 7, 'the open bin was flushed');
  assert.equal(printed.err, '');
});

describe('watch -o FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-watch-out-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes what standard output would get, replacing what the file held, and prints nothing', () => {
    const path = join(dir, 'updates.jsonl');
    writeFileSync(path, 'an older run\n'.repeat(1000));
    const r = runCli(['watch', '--json', '-o', path, EDIMAX]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    const expected = runCli(['watch', '--json', EDIMAX]).stdout;
    assert.match(expected, /"bin":6/);
    assert.equal(readFileSync(path, 'utf8'), expected);
  });

  it('has each update in the file as soon as its bin closes, while the stream is open', async () => {
    const path = join(dir, 'live.jsonl');
    const { child, printed, exited } = watchProcess(['--json', '-o', path, '-'], 'pipe');
    // Awaited: a write still going when the child is stopped would fail with EPIPE after the test.
    await new Promise<void>((resolve, reject) =>
      child.stdin!.write(readFileSync(EDIMAX), (e) => (e ? reject(e) : resolve())),
    );
    const bins = () =>
      (existsSync(path) ? readFileSync(path, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { bin: number }).bin);
    const deadline = Date.now() + 30_000;
    while (!bins().includes(5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      bins().includes(5),
      `bins 0-5 are in the file while the stream is open; stderr: ${printed.err}`,
    );
    assert.equal(child.exitCode, null, 'still watching');
    assert.ok(!bins().includes(6), 'the open bin is not written before the end');
    child.kill('SIGINT');
    assert.equal(await exited, 0, printed.err);
    assert.ok(bins().includes(6), 'the open bin was flushed into the file');
    assert.equal(printed.out, '');
  });

  it('refuses the capture itself and a directory in one line, before reading', () => {
    const capture = join(dir, 'capture.pcap');
    writeFileSync(capture, readFileSync(EDIMAX));
    const over = runCli(['watch', '-o', capture, capture]);
    assert.equal(over.status, 2, over.stderr);
    assert.match(over.stderr, /^networkml: .*is also an input.*refusing to overwrite it\n$/);
    assert.deepEqual(readFileSync(capture), readFileSync(EDIMAX));
    const intoDir = runCli(['watch', '-o', dir, EDIMAX]);
    assert.notEqual(intoDir.status, 0);
    assert.match(intoDir.stderr, /^networkml: .*cannot write.*\n$/);
    assert.equal(intoDir.stdout, '');
  });
});

describe('watch - stopped by a signal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-watch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'long.pcap');
  writeFileSync(
    path,
    repeatedCapture(
      `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`,
      16 * 1024 * 1024,
    ),
  );

  // SIGHUP: the terminal a watch was left running in closed (its output redirected to a file).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} with standard input redirected from a file flushes the open bin and exits 0, no stack trace`, async () => {
      // Standard input is the file itself (`watch - < file`), not a pipe: its reads complete after the signal.
      const fd = openSync(path, 'r');
      const { child, printed, exited } = watchProcess(['--json', '-'], fd);
      closeSync(fd);
      const deadline = Date.now() + 60_000;
      while (!printed.out.includes('\n') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(printed.out.includes('\n'), `a bin closed while reading; stderr: ${printed.err}`);
      child.kill(signal);
      const code = await exited;
      assert.equal(printed.err, '');
      assert.equal(code, 0);
      const updates = printed.out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { bin: number; binStart: number; binEnd: number });
      // Stopped early (the whole file holds about 750 updates and takes seconds to read).
      assert.ok(updates.length > 0 && updates.length < 700, `${updates.length} updates`);
      assert.ok(updates.every((u) => u.binEnd >= u.binStart));
    });
  }

  it('SIGINT before any byte arrived exits like any interrupted watch: no error about the capture', async () => {
    const { child, printed, exited } = watchProcess(['-'], 'pipe');
    // Nothing shows when watch is ready: give it ample time to start and block on the silent pipe.
    await new Promise((r) => setTimeout(r, 6000));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(printed.err, '');
    assert.equal(printed.out, '');
    assert.equal(code, 0);
  });
});

/** The JSON lines printed so far. */
function updates(out: string) {
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { mac: string; binsSeen: number; bin: number });
}

/** The exit code, or null after `ms` (the child is then killed: a test fails rather than hangs). */
async function exitWithin(
  child: ReturnType<typeof spawn>,
  exited: Promise<number | null>,
  ms: number,
): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms);
  });
  const code = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (code === 'still running') child.kill('SIGKILL');
  return code;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('watch PATH on a named pipe: stopped by a signal while the pipe is quiet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-watch-fifo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** A new named pipe in `dir`. */
  const fifo = (): string => {
    const path = join(dir, `capture-${n++}.fifo`);
    const r = spawnSync('mkfifo', [path]);
    assert.equal(r.status, 0, String(r.stderr));
    return path;
  };

  // As `(tcpdump -w - …) > capture.fifo` in another shell: the writer stays, with nothing more to say.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} flushes the open bin and exits 0, as it does for watch -`, async () => {
      const path = fifo();
      const { child, printed, exited } = watchProcess(['--json', path], 'ignore');
      const writer: WriteStream = createWriteStream(path);
      // The write may end after the watch is stopped and the test has destroyed the stream (a loaded
      // machine), or meet a pipe with no reader (EPIPE): neither is what this test is about.
      writer.on('error', () => {});
      writer.write(readFileSync(EDIMAX));
      try {
        await until(() => updates(printed.out).some((u) => u.bin === 5), 60_000);
        assert.ok(
          updates(printed.out).some((u) => u.bin === 5),
          `bins 0-5 close while the pipe is open; stderr: ${printed.err}`,
        );
        // The pipe is quiet: watch waits in a read when the signal comes.
        await new Promise((r) => setTimeout(r, 500));
        child.kill(signal);
        assert.equal(await exitWithin(child, exited, 10_000), 0, printed.err);
        assert.equal(printed.err, '');
        const device = updates(printed.out).filter((u) => u.mac === '74:da:38:4a:76:49');
        assert.equal(device.at(-1)!.binsSeen, 7, 'the open bin was flushed');
      } finally {
        writer.destroy();
      }
    });
  }

  it('SIGINT before a writer opened the pipe exits 0 with nothing to say', async () => {
    const { child, printed, exited } = watchProcess([fifo()], 'ignore');
    await new Promise((r) => setTimeout(r, 6000));
    child.kill('SIGINT');
    assert.equal(await exitWithin(child, exited, 10_000), 0, printed.err);
    assert.equal(printed.err, '');
    assert.equal(printed.out, '');
  });

  it('a writer that closes ends the watch as the end of a file does: every bin, exit 0', async () => {
    const path = fifo();
    const { printed, exited } = watchProcess(['--json', path], 'ignore');
    const writer = createWriteStream(path);
    writer.end(readFileSync(EDIMAX));
    assert.equal(await exited, 0, printed.err);
    const device = updates(printed.out).filter((u) => u.mac === '74:da:38:4a:76:49');
    assert.equal(device.at(-1)!.binsSeen, 7);
  });
});

describe('watch --follow FILE: a capture file still being written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-watch-follow-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const whole = readFileSync(EDIMAX);
  /** Byte offset of the record that begins the second part of the capture (its 901st; bins 0-2 are before it). */
  let split = 24;
  for (let i = 0; i < 900; i++) split += 16 + whole.readUInt32LE(split + 8);
  const header = whole.subarray(0, 24);
  // What watch prints for the whole file read at once: following it as it is written must print the same.
  const expected = runCli(['watch', '--json', EDIMAX]);
  assert.equal(expected.status, 0, expected.stderr);

  /** Follows `path`; `change` runs once a bin was printed; stopped by SIGINT once bin 5 is out. */
  async function follow(path: string, change: () => Promise<void>) {
    const { child, printed, exited } = watchProcess(['--json', '--follow', path], 'ignore');
    await until(() => updates(printed.out).length > 0, 60_000);
    assert.ok(updates(printed.out).length > 0, `a bin of the first part closed; stderr: ${printed.err}`);
    await change();
    await until(() => updates(printed.out).some((u) => u.bin === 5), 60_000);
    assert.ok(!updates(printed.out).some((u) => u.bin === 6), 'the open bin waits for more');
    child.kill('SIGINT');
    assert.equal(await exitWithin(child, exited, 10_000), 0, printed.err);
    return printed;
  }

  it('reads what is appended, a record cut in two included, and is stopped by Ctrl-C like watch -', async () => {
    const path = join(dir, 'growing.pcap');
    const cut = split + 100; // inside a record: not a truncated capture
    writeFileSync(path, whole.subarray(0, cut));
    const printed = await follow(path, async () => appendFileSync(path, whole.subarray(cut)));
    assert.equal(printed.err, '');
    assert.equal(printed.out, expected.stdout);
  });

  it('a file replaced at its path (rotated) is left for the new one, read from its start', async () => {
    const path = join(dir, 'rotated.pcap');
    writeFileSync(path, whole.subarray(0, split));
    const printed = await follow(path, async () => {
      renameSync(path, `${path}.1`);
      writeFileSync(path, Buffer.concat([header, whole.subarray(split)]));
    });
    assert.equal(
      printed.err,
      `networkml: warning: ${path}: replaced by a new file while followed; reading the new file from its start\n`,
    );
    assert.equal(printed.out, expected.stdout);
  });

  it('a file truncated in place (tcpdump -w restarted) is read again from its start', async () => {
    const path = join(dir, 'restarted.pcap');
    writeFileSync(path, whole.subarray(0, split));
    const printed = await follow(path, async () => {
      truncateSync(path, 0);
      // The restarted writer's capture begins after a poll saw the file empty (see the README).
      await new Promise((r) => setTimeout(r, 1000));
      appendFileSync(path, Buffer.concat([header, whole.subarray(split)]));
    });
    assert.equal(
      printed.err,
      `networkml: warning: ${path}: truncated to 0 bytes while followed; reading it again from its start\n`,
    );
    assert.equal(printed.out, expected.stdout);
  });
});

describe('watch - role models', () => {
  it('takes compat role models: its help offers no host-footprint model, and refuses one as report does', async () => {
    const help = runCli(['watch', '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.doesNotMatch(help.stdout, /host-footprint-v0\.6\.8/);
    assert.match(help.stdout, /Role models: compat ones/);
    const r = runCli([
      'watch',
      '-m',
      'host-footprint-v0.6.8',
      `${TEST_DATA}captures/real/Aria-sentinel-Mon0000-n00.pcap`,
    ]);
    assert.equal(r.status, 3);
    assert.equal(
      r.stderr,
      'networkml: host-footprint-v0.6.8: watch cannot use a host-footprint model (no time bins); use eval --model host-footprint-v0.6.8 instead\n',
    );
  });
});

describe('watch - a v2 model set for every command', () => {
  it("says where it came from and how to give watch its own, and takes the config file's watch section", () => {
    const work = mkdtempSync(join(tmpdir(), 'networkml-watch-shared-'));
    try {
      const v2 = join(work, 'site-v2.json');
      const setups = `${TEST_DATA}iot-sentinel/setups`;
      const trained = runCli([
        'train',
        ...['Aria-C1', 'Aria-C2', 'DLinkCam-C1', 'DLinkCam-C2'].map((n) => `${setups}/${n}-Mon0000-n00.pcap`),
        '--features',
        'v2',
        '--no-behavior',
        '--save',
        v2,
      ]);
      assert.equal(trained.status, 0, trained.stderr);
      // The README's settings example: the model at the top level, for every command.
      const config = join(work, 'networkml.config.json');
      writeFileSync(config, JSON.stringify({ model: v2, eval: { threads: 2 } }));
      const shared = runCli(['watch', EDIMAX], { env: { NETWORKML_CONFIG: config } });
      assert.equal(shared.status, 2);
      assert.equal(
        shared.stderr,
        `networkml: ${v2}: watch follows streams with compat models only (this one uses v2 features), set by the config file for every command (give watch its own: "watch": { "model": "onelayer-v0.4.8" }); or --model onelayer-v0.4.8\n`,
      );
      const env = runCli(['watch', EDIMAX], { env: { NETWORKML_MODEL: v2 } });
      assert.equal(env.status, 2);
      assert.match(env.stderr, /, set by NETWORKML_MODEL; or --model onelayer-v0\.4\.8\n$/);
      writeFileSync(config, JSON.stringify({ model: v2, watch: { model: 'onelayer-v0.4.8' } }));
      const own = runCli(['watch', EDIMAX], { env: { NETWORKML_CONFIG: config } });
      assert.equal(own.status, 0, own.stderr);
      assert.match(own.stdout, /running \(\d+ bins?\)/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('watch - nothing to report', () => {
  it('says why when no bin had a session (eval gives the same reason), exit 0', async () => {
    // Every session of this capture starts inside the 120 s warm-up.
    const r = runCli(['watch', `${TEST_DATA}reference/captures/iKettle2-sentinel-Mon0000-n00.pcap`]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^networkml: no bin to report: no sessions after the 120 s warm-up: every address:port pair first appears within it \(the capture spans [\d.]+ s\); --warmup 0 keeps its early sessions\n$/,
    );
    // A stream of a capture header alone.
    const header = readFileSync(`${TEST_DATA}reference/captures/iKettle2-sentinel-Mon0000-n00.pcap`).subarray(
      0,
      24,
    );
    const empty = runCli(['watch', '-'], { input: header });
    assert.equal(empty.status, 0, empty.stderr);
    assert.equal(empty.stderr, 'networkml: no bin to report: no sessions: the capture holds no packets\n');
  });
});
