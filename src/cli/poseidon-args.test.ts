import assert from 'node:assert/strict';
import { it } from 'node:test';
import { UsageError } from '../errors.js';
import { translatePoseidonArgs } from './poseidon-args.js';

it("Poseidon's two command lines become oneshot; everything else is left alone", () => {
  const cases: [string[], string[]][] = [
    [
      ['-p', '/files/x.pcap'],
      ['oneshot', '--mode', 'v0.4.8', '/files/x.pcap'],
    ],
    [
      ['--path=/files/x.pcap', '-m', 'm.json'],
      ['oneshot', '--mode', 'v0.4.8', '--model', 'm.json', '/files/x.pcap'],
    ],
    [
      ['--no-srcmacid', '-o/tmp', '/files/x.pcap'],
      ['oneshot', '--mode', 'v0.6.10', '--no-srcmacid', '/files/x.pcap'],
    ],
    [
      ['--no-srcmacid', '-o', '/tmp', 'x.pcap'],
      ['oneshot', '--mode', 'v0.6.10', '--no-srcmacid', 'x.pcap'],
    ],
    [
      ['--output=/tmp', 'x.pcap'],
      ['oneshot', '--mode', 'v0.6.10', 'x.pcap'],
    ],
    [
      ['--output', '/tmp', '--srcmacid', 'x.pcap'],
      ['oneshot', '--mode', 'v0.6.10', 'x.pcap'],
    ],
    // The original's operation form and subcommands are for legacy.ts and commander.
    [
      ['-o', 'eval', '-p', 'x.pcap'],
      ['-o', 'eval', '-p', 'x.pcap'],
    ],
    [
      ['-o', 'dance', '-p', 'x.pcap'],
      ['-o', 'dance', '-p', 'x.pcap'],
    ],
    [
      ['--operation', 'train', '-p', 'd'],
      ['--operation', 'train', '-p', 'd'],
    ],
    [
      ['eval', '-o', 'out.jsonl', 'x.pcap'],
      ['eval', '-o', 'out.jsonl', 'x.pcap'],
    ],
    [['--help'], ['--help']],
  ];
  for (const [input, expected] of cases)
    assert.deepEqual(translatePoseidonArgs(input), expected, input.join(' '));
  assert.throws(() => translatePoseidonArgs(['--no-srcmacid', '-o/tmp', 'a', 'b']), UsageError);
  assert.throws(() => translatePoseidonArgs(['-p', 'x', '-a', 'randomforest']), UsageError);
  assert.throws(() => translatePoseidonArgs(['--no-srcmacid', '--gzip', 'x']), UsageError);
});
