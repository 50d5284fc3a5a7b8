import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import { runCli } from '../test-helpers/cli.js';
import { analyzeOptionsFrom, decimalWholeNumber, optionNumber, threadsFrom } from './capture-options.js';
import { evaluateOptionsFrom } from './commands/eval.js';

const SAMPLE = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
const usage = (e: unknown) => e instanceof UsageError && e.exitCode === 2 && !e.message.includes('\n');

describe('numeric options', () => {
  it('an empty or blank value is not 0', () => {
    assert.ok(Number.isNaN(optionNumber('')));
    assert.ok(Number.isNaN(optionNumber('  ')));
    assert.equal(optionNumber('0'), 0);
    assert.equal(optionNumber('0.5'), 0.5);
    for (const blank of ['', ' ']) {
      assert.throws(() => evaluateOptionsFrom({ threshold: blank }), usage);
      assert.throws(() => analyzeOptionsFrom({ warmup: blank }), usage);
      assert.throws(() => analyzeOptionsFrom({ duration: blank }), usage);
      assert.throws(() => threadsFrom({ threads: blank }), usage);
    }
    assert.deepEqual(analyzeOptionsFrom({ warmup: '0' }), { warmupS: 0 });
    assert.equal(evaluateOptionsFrom({ threshold: '0' }).threshold, 0);
  });

  it('whole numbers: decimal digits only, not words, fractions, other bases or below the minimum', () => {
    for (const bad of [
      'abc',
      '-3',
      '1.5',
      '',
      'Infinity',
      '1e1',
      '0x10',
      ' 3 ',
      '3.0',
      '+3',
      '9007199254740993',
    ])
      assert.throws(() => decimalWholeNumber('top', bad, 0), usage, bad);
    assert.equal(decimalWholeNumber('top', '0', 0), 0);
    assert.equal(decimalWholeNumber('top', '012', 0), 12);
    for (const bad of ['1e1', '0x10', ' 3 ', '3.0', '0'])
      assert.throws(() => threadsFrom({ threads: bad }), usage, bad);
    assert.equal(threadsFrom({ threads: '2' }), 2);
    assert.equal(threadsFrom({}), undefined);
  });

  it('decimal numbers: not other bases, blanks, infinities or NaN', () => {
    for (const bad of ['0x10', '0b11', '0o7', ' 60 ', 'Infinity', 'NaN', '1e999', '-5', '1,5']) {
      assert.throws(() => analyzeOptionsFrom({ duration: bad }), usage, bad);
      assert.throws(() => analyzeOptionsFrom({ warmup: bad }), usage, bad);
      assert.throws(() => evaluateOptionsFrom({ threshold: bad }), usage, bad);
    }
    assert.deepEqual(analyzeOptionsFrom({ duration: '60', warmup: '.5' }), { durationS: 60, warmupS: 0.5 });
    assert.deepEqual(analyzeOptionsFrom({ duration: '1e3', warmup: '120.0' }), {
      durationS: 1000,
      warmupS: 120,
    });
    assert.equal(evaluateOptionsFrom({ threshold: '0.95' }).threshold, 0.95);
  });

  it('from the command line and the environment: one line, exit 2, before any work', () => {
    for (const [args, env] of [
      [['eval', '--no-history', '--threshold', '', SAMPLE], {}],
      [['eval', '--no-history', SAMPLE], { NETWORKML_THRESHOLD: '' }],
      [['eval', '--no-history', '--warmup', '', SAMPLE], {}],
      [['eval', '--no-history', SAMPLE], { NETWORKML_WARMUP: '' }],
      [['inspect', '--top', 'abc', SAMPLE], {}],
      [['inspect', '--top', '-3', SAMPLE], {}],
      [['inspect', '--top', '0x10', SAMPLE], {}],
      [['inspect', SAMPLE], { NETWORKML_THREADS: '1e1' }],
      [['eval', '--no-history', '--duration', '0x10', SAMPLE], {}],
      [['eval', '--no-history', SAMPLE], { NETWORKML_WARMUP: ' 60 ' }],
      [['eval', '--no-history', '--model', 'host-footprint-v0.6.8', '--csv-chunk-rows', '0x800', SAMPLE], {}],
    ] as const) {
      const r = runCli([...args], { env });
      assert.equal(r.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
      // A value from the environment is named by its variable, and the flag it sets.
      assert.match(
        r.stderr,
        Object.keys(env).length === 0
          ? /^networkml: --[\w-]+ must be .*\n$/
          : /^networkml: NETWORKML_\w+ must be .* \(it sets --[\w-]+\)\n$/,
      );
      assert.equal(r.stdout, '');
    }
  });
});
