import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { identicalCopies } from './inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-links-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const setups = resolve(TEST_DATA, 'iot-sentinel/setups');
const names = ['Aria-A1-Mon0000-n00.pcap', 'HueBridge-A1-Mon0000-n00.pcap', 'iKettle2-A1-Mon0000-n00.pcap'];

describe('a directory of symlinked captures', () => {
  it('follows links to files and to directories, once, without looping, reporting a dangling capture link', () => {
    // links/            a data set made of links, as data sets often are
    //   Aria-…       -> setups/Aria-…            (link to a file)
    //   more         -> real/                    (link to a directory holding a real capture and a link)
    //   loop         -> links/                   (link back up: must not loop)
    //   gone         -> missing                  (dangling, not named as a capture: passed over)
    //   self         -> self                     (self-referencing: passed over)
    const links = join(dir, 'links');
    const real = join(dir, 'real');
    mkdirSync(links);
    mkdirSync(real);
    symlinkSync(join(setups, names[0]!), join(links, names[0]!));
    copyFileSync(join(setups, names[1]!), join(real, names[1]!));
    symlinkSync(join(setups, names[2]!), join(real, names[2]!));
    symlinkSync(real, join(links, 'more'));
    symlinkSync(links, join(links, 'loop'));
    symlinkSync(join(dir, 'missing'), join(links, 'gone'));
    symlinkSync(join(links, 'self'), join(links, 'self'));
    symlinkSync(links, join(real, 'up')); // a cycle through two directories

    const env = { NETWORKML_DATA_DIR: join(dir, 'data') };
    const out = join(dir, 'results.jsonl');
    const r = runCli(['eval', '--json', '-o', out, links], { env, timeoutMs: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const files = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { file: string }).file);
    assert.deepEqual(files, [
      join(links, names[0]!),
      join(links, 'more', names[1]!),
      join(links, 'more', names[2]!),
    ]);

    // Training reads directories the same way (labels from the links' own names).
    const model = join(dir, 'linked.json');
    const trained = runCli(
      ['train', links, '-a', 'randomforest', '--warmup', '0', '--save', model, '--json'],
      {
        env,
        timeoutMs: 300_000,
      },
    );
    assert.equal(trained.status, 0, trained.stderr);
    assert.equal((JSON.parse(trained.stdout) as { captures: number }).captures, 3);
    // A link named as a capture whose target is gone (an unmounted share, a moved file) is that capture's
    // error, one line, exit 1, as a capture so named that cannot be read: passed over, the run would be one
    // device short without a word.
    const dangling = join(dir, 'dangling');
    mkdirSync(dangling);
    symlinkSync(join(dir, 'missing'), join(dangling, 'x.pcap'));
    copyFileSync(join(setups, names[0]!), join(dangling, names[0]!));
    const one = runCli(['eval', '--json', dangling], { env });
    assert.equal(one.status, 1, one.stderr);
    assert.equal(one.stderr, `networkml: ${join(dangling, 'x.pcap')}: cannot read: no such file\n`);
    assert.equal(one.stdout.trim().split('\n').length, 1);
  });
});

describe('a directory that cannot be listed', () => {
  it("is that directory's one-line error: every other capture of the run is processed, exit 1", (t) => {
    if (process.getuid === undefined) return t.skip('no user ids on this platform');
    // As root every directory can be listed: the CLI runs as nobody.
    const uid = process.getuid() === 0 ? 65534 : undefined;
    const open = mkdtempSync(join(tmpdir(), 'networkml-closed-'));
    t.after(() => {
      chmodSync(join(open, 'tree', 'closed'), 0o755);
      rmSync(open, { recursive: true, force: true });
    });
    chmodSync(open, 0o755);
    mkdirSync(join(open, 'tree', 'closed'), { recursive: true });
    copyFileSync(join(setups, names[0]!), join(open, 'tree', names[0]!));
    copyFileSync(join(setups, names[1]!), join(open, 'tree', 'closed', names[1]!));
    chmodSync(join(open, 'tree'), 0o755);
    chmodSync(join(open, 'tree', names[0]!), 0o644);
    chmodSync(join(open, 'tree', 'closed'), 0o000);
    const named = join(setups, names[2]!);
    const closed = join(open, 'tree', 'closed');
    for (const command of [['eval', '--no-history'], ['inspect'], ['explain']]) {
      const r = runCli([...command, '--json', named, join(open, 'tree')], { uid });
      assert.equal(r.status, 1, `${command[0]}: ${r.stderr}`);
      assert.equal(r.stderr, `networkml: ${closed}: cannot read directory: permission denied\n`, command[0]);
      assert.equal(r.stdout.trim().split('\n').length, 2, command[0]);
    }
    const alone = runCli(['eval', '--no-history', closed], { uid });
    assert.equal(alone.status, 1);
    assert.equal(alone.stderr, `networkml: ${closed}: cannot read directory: permission denied\n`);
  });
});

describe('an empty directory among the inputs', () => {
  it("is that input's one-line error: the other captures are still processed, exit 1", () => {
    const empty = join(dir, 'nothing-here');
    mkdirSync(empty);
    const capture = join(setups, names[0]!);
    for (const command of [['eval', '--no-history'], ['inspect'], ['explain']]) {
      const r = runCli([...command, '--json', capture, empty]);
      assert.equal(r.status, 1, `${command[0]}: ${r.stderr}`);
      assert.equal(r.stderr, `networkml: ${empty}: no capture files in this directory\n`, command[0]);
      assert.equal(r.stdout.trim().split('\n').length, 1, command[0]);
      assert.equal((JSON.parse(r.stdout) as { file?: string; pcap?: string }).file ?? capture, capture);
    }
  });
});

describe('a file in a directory named like a capture that is not one', () => {
  it('is reported, one line, exit 1, the others processed; files not named so are passed over', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    copyFileSync(join(setups, names[0]!), join(mixed, names[0]!));
    // A tcpdump that failed at once, a cut download, a note beside them.
    writeFileSync(join(mixed, 'HueBridge-C3-Mon0000-n00.pcap'), '');
    writeFileSync(join(mixed, 'iKettle2-C3-Mon0000-n00.pcapng.gz'), 'not gzip');
    writeFileSync(join(mixed, 'notes.txt'), 'captured on the lab switch\n');
    for (const command of [['eval', '--no-history'], ['inspect']]) {
      const r = runCli([...command, '--json', mixed]);
      assert.equal(r.status, 1, `${command[0]}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 2, r.stderr);
      assert.match(lines[0]!, /^networkml: .*HueBridge-C3-Mon0000-n00\.pcap: not a capture file \(empty\)$/);
      assert.match(lines[1]!, /^networkml: .*iKettle2-C3-Mon0000-n00\.pcapng\.gz: /);
      assert.equal(r.stdout.trim().split('\n').length, 1, command[0]);
    }
  });
});

describe('identicalCopies', () => {
  it('pairs each later copy with its first, reading only files that share a size with another', async (t) => {
    const copies = join(dir, 'copies');
    mkdirSync(copies);
    const at = (name: string) => join(copies, name);
    copyFileSync(join(setups, names[0]!), at('a.pcap'));
    copyFileSync(join(setups, names[0]!), at('b.pcap'));
    copyFileSync(join(setups, names[1]!), at('unique-size.pcap'));
    writeFileSync(at('same-size.pcap'), Buffer.alloc(statSync(at('a.pcap')).size));
    writeFileSync(at('empty-1.pcap'), '');
    writeFileSync(at('empty-2.pcap'), '');
    // A pipe read to hash it would be consumed (and, with no writer, never end).
    execFileSync('mkfifo', [at('pipe')]);
    // Access times from long ago, before the last change: any read now moves them (relatime).
    const paths = [
      'a.pcap',
      'unique-size.pcap',
      'same-size.pcap',
      'empty-1.pcap',
      'empty-2.pcap',
      'pipe',
      'b.pcap',
    ];
    for (const name of paths.filter((n) => n !== 'pipe')) utimesSync(at(name), 1, statSync(at(name)).mtime);
    const read = (name: string) => statSync(at(name)).atimeMs > 1000;

    assert.deepEqual(await identicalCopies(['-', ...paths.map(at), join(copies, 'missing.pcap')]), [
      [at('b.pcap'), at('a.pcap')],
    ]);
    if (!read('a.pcap')) {
      t.skip('this file system does not record reads (noatime)');
      return;
    }
    assert.equal(read('same-size.pcap'), true);
    assert.equal(read('unique-size.pcap'), false);
  });

  it('finds a capture beside its gzip-compressed copy, as the reader sees them; a corrupt gzip is left alone', async () => {
    const zipped = join(dir, 'zipped');
    mkdirSync(zipped);
    const at = (name: string) => join(zipped, name);
    const capture = readFileSync(join(setups, names[0]!));
    writeFileSync(at('a.pcap'), capture);
    writeFileSync(at('a.pcap.gz'), gzipSync(capture));
    writeFileSync(at('b.pcap.gz'), gzipSync(capture, { level: 1 })); // other bytes, the same capture
    writeFileSync(at('other.pcap.gz'), gzipSync(readFileSync(join(setups, names[1]!))));
    // The same recorded size in its trailer, but its stream cut short: it cannot be read, so it is no copy.
    const whole = gzipSync(capture);
    writeFileSync(
      at('cut.pcap.gz'),
      Buffer.concat([whole.subarray(0, 200), whole.subarray(whole.length - 8)]),
    );
    assert.deepEqual(
      await identicalCopies(['cut.pcap.gz', 'a.pcap', 'other.pcap.gz', 'a.pcap.gz', 'b.pcap.gz'].map(at)),
      [
        [at('a.pcap.gz'), at('a.pcap')],
        [at('b.pcap.gz'), at('a.pcap')],
      ],
    );
  });

  it('lists copies in the order they were given, the first of each content kept', async () => {
    const order = join(dir, 'order');
    mkdirSync(order);
    const at = (name: string) => join(order, name);
    for (const name of ['x1', 'x2', 'x3']) copyFileSync(join(setups, names[0]!), at(name));
    for (const name of ['y1', 'y2']) copyFileSync(join(setups, names[2]!), at(name));
    assert.deepEqual(await identicalCopies(['y1', 'x2', 'y2', 'x1', 'x3'].map(at)), [
      [at('y2'), at('y1')],
      [at('x1'), at('x2')],
      [at('x3'), at('x2')],
    ]);
  });
});
