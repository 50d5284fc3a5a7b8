import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NetworkmlError, UsageError } from '../errors.js';
import type { CaptureResult } from '../result.js';
import { type Output, openOutput, refuseOutputOverInput, writeJsonLine } from './output.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fresh_ = 0;
/** An empty directory of its own for each test that lists one. */
const fresh = () => {
  const work = join(dir, `t${fresh_++}`);
  mkdirSync(work);
  return work;
};

function collect(): Output & { text(): string } {
  const parts: string[] = [];
  return {
    write: (t) => void parts.push(t),
    close: async () => {},
    abandon: async () => {},
    text: () => parts.join(''),
  };
}

function result(bins: number): CaptureResult {
  return {
    file: 'a "quoted" \u0000 file.pcap',
    key: 'k',
    valid: true,
    data: { pcap: 'a.pcap' },
    detail: {
      labels: ['A', 'B'],
      probabilities: [0.25, 0.75],
      bins: Array.from({ length: bins }, (_, i) => ({
        timestamp: 1.5e9 + i * 0.1,
        capture_ip: i % 3 ? `10.0.0.${i % 256}` : '',
        probabilities: [1 / (i + 3), 1 - 1 / (i + 3)],
      })),
      abnormality: 0.1,
      anomaly_model: 'none',
      model: 'hash',
    },
  } as unknown as CaptureResult;
}

describe('writeJsonLine', () => {
  for (const n of [0, 5, 1024, 1025, 5000]) {
    it(`writes the bytes of JSON.stringify, ${n} bins`, () => {
      const out = collect();
      writeJsonLine(out, result(n));
      assert.equal(out.text(), `${JSON.stringify(result(n))}\n`);
    });
  }
});

describe('openOutput to a file', () => {
  it('writes the whole text under the final name only at close, nothing left beside it', async () => {
    const path = join(dir, 'out.json');
    const out = await openOutput(path);
    assert.deepEqual(readdirSync(dir), []);
    writeJsonLine(out, result(3000));
    const during = readdirSync(dir);
    assert.equal(during.length, 1);
    assert.match(during[0]!, new RegExp(`^\\.networkml-${process.pid}-[0-9a-f]{8}\\.tmp$`));
    await out.close();
    assert.deepEqual(readdirSync(dir), ['out.json']);
    assert.equal(readFileSync(path, 'utf8'), `${JSON.stringify(result(3000))}\n`);
    rmSync(path);
  });

  it('an unwritable path is a one-line error', async () => {
    await assert.rejects(
      openOutput(join(dir, 'no', 'such', 'dir', 'out.json')),
      (err: unknown) => err instanceof NetworkmlError && !err.message.includes('\n'),
    );
  });

  it('a link is followed: its target is replaced, beside itself, and the link stays a link', async () => {
    const work = fresh();
    mkdirSync(join(work, 'real'));
    writeFileSync(join(work, 'real', 'target.txt'), 'old');
    chmodSync(join(work, 'real', 'target.txt'), 0o640);
    symlinkSync(join(work, 'real', 'target.txt'), join(work, 'link.txt'));
    const out = await openOutput(join(work, 'link.txt'));
    out.write('new');
    assert.equal(readdirSync(join(work, 'real')).length, 2, 'the temporary file is beside the target');
    await out.close();
    assert.ok(lstatSync(join(work, 'link.txt')).isSymbolicLink());
    assert.equal(readFileSync(join(work, 'real', 'target.txt'), 'utf8'), 'new');
    assert.equal(statSync(join(work, 'real', 'target.txt')).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(work, 'real')), ['target.txt']);
  });

  it('a FIFO is written in place, not replaced by a file', async () => {
    const work = fresh();
    const fifo = join(work, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const read = new Promise<string>((done) => {
      let text = '';
      reader.stdout.on('data', (d: Buffer) => {
        text += d.toString();
      });
      reader.on('close', () => done(text));
    });
    const out = await openOutput(fifo);
    out.write('through the pipe\n');
    await out.close();
    // Replaced by a file, the FIFO would keep its reader waiting: fail, not hang.
    if (!statSync(fifo).isFIFO()) reader.kill();
    assert.ok(statSync(fifo).isFIFO());
    assert.equal(await read, 'through the pipe\n');
    assert.deepEqual(readdirSync(work), ['fifo']);
  });

  it('a character device is written in place (as root, /dev/null was replaced by a file)', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('mknod needs root');
    const work = fresh();
    const nul = join(work, 'null');
    execFileSync('mknod', [nul, 'c', '1', '3']);
    const out = await openOutput(nul);
    out.write('gone');
    await out.close();
    assert.ok(statSync(nul).isCharacterDevice());
    assert.deepEqual(readdirSync(work), ['null']);
  });

  it('a directory is a one-line error before any work, and leaves nothing', async () => {
    const work = fresh();
    mkdirSync(join(work, 'd'));
    await assert.rejects(openOutput(join(work, 'd')), {
      message: `${join(work, 'd')}: cannot write: it is a directory`,
    });
    assert.deepEqual(readdirSync(work), ['d']);
  });

  it('a name of 255 bytes, the longest legal one, is written; 256 is a one-line error', async () => {
    const work = fresh();
    const out = await openOutput(join(work, 'a'.repeat(255)));
    out.write('x');
    await out.close();
    assert.deepEqual(readdirSync(work), ['a'.repeat(255)]);
    await assert.rejects(openOutput(join(work, 'b'.repeat(256))), /cannot write: the name is too long$/);
  });

  it('a rename that fails leaves no temporary file', async () => {
    const work = fresh();
    const path = join(work, 'out.txt');
    writeFileSync(path, 'old');
    const out = await openOutput(path);
    out.write('new');
    rmSync(path);
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), '');
    await assert.rejects(out.close(), (e: unknown) => e instanceof NetworkmlError);
    assert.deepEqual(readdirSync(work), ['out.txt']);
  });

  for (const [how, then] of [
    [
      'interrupted by SIGINT while writing',
      "process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 10000);",
    ],
    ['a later step throws', "throw new Error('later');"],
  ] as const) {
    it(`${how}: no temporary file is left`, () => {
      const work = fresh();
      const script = `import { openOutput } from ${JSON.stringify(new URL('./output.ts', import.meta.url).href)};
        const out = await openOutput(${JSON.stringify(join(work, 'out.txt'))});
        out.write('half');
        ${then}`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (how.startsWith('interrupted')) assert.equal(r.signal, 'SIGINT', r.stderr);
      else assert.notEqual(r.status, 0);
      assert.deepEqual(readdirSync(work), []);
    });
  }
});

describe('refuseOutputOverInput', () => {
  it('refuses an output that is an input, by any name; accepts anything else', () => {
    const work = fresh();
    const input = join(work, 'in.pcap');
    writeFileSync(input, 'capture');
    symlinkSync(input, join(work, 'link.pcap'));
    for (const output of [input, join(work, 'link.pcap'), join(work, '.', 'in.pcap')])
      assert.throws(
        () => refuseOutputOverInput(output, ['-', input]),
        (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /is also an input/.test(e.message),
      );
    refuseOutputOverInput(join(work, 'new.txt'), [input]);
    refuseOutputOverInput('-', [input]);
    refuseOutputOverInput(undefined, [input]);
    writeFileSync(join(work, 'other.txt'), 'capture');
    refuseOutputOverInput(join(work, 'other.txt'), [input]);
  });
});
