import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';

// Worker threads see an empty process.stdin: '-' beside other captures must still be read from this
// process's standard input, whatever the thread count, and give what '-' alone gives.
const capture = `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`;
const other = `${TEST_DATA}reference/captures/Aria-sentinel-Mon0000-n00.pcap`;
const bytes = readFileSync(capture);

function lines(stdout: string): string[] {
  return stdout.split('\n').filter(Boolean);
}

describe("'-' with other captures on worker threads", () => {
  for (const [name, args] of [
    ['eval', ['eval', '--json', '--no-history']],
    ['eval --per-host', ['eval', '--json', '--no-history', '--per-host']],
    ['eval with the host-footprint model', ['eval', '--json', '-m', 'host-footprint-v0.6.8']],
    ['inspect', ['inspect', '--json']],
  ] as const) {
    it(`${name}: standard input gives the result it gives alone, the files theirs`, () => {
      const alone = runCli([...args, '-'], { input: bytes });
      assert.equal(alone.status, 0, alone.stderr);
      const files = runCli([...args, '--threads', '1', capture, other]);
      assert.equal(files.status, 0, files.stderr);
      for (const order of [
        ['-', capture, other],
        [capture, '-', other],
      ]) {
        const mixed = runCli([...args, '--threads', '2', ...order], { input: bytes });
        assert.equal(mixed.status, 0, mixed.stderr);
        assert.equal(mixed.stderr, '');
        const expected = order.map((p) =>
          p === '-'
            ? lines(alone.stdout)
            : lines(files.stdout).filter((l) => l.includes(p.split('/').pop()!)),
        );
        const got = lines(mixed.stdout);
        // Per-host gives several lines per capture: compare in input order, capture by capture.
        assert.deepEqual(got, expected.flat());
      }
    });
  }

  it("'-' twice is refused with one line and exit 2 before any work", () => {
    const r = runCli(['eval', '--no-history', '-', '-'], { input: bytes });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      "networkml: '-' (standard input) is given more than once: standard input can be read only once\n",
    );
  });
});
