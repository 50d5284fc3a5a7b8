import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import { runCli } from '../test-helpers/cli.js';
import { analyzeOptionsFrom, optionNumber, threadsFrom, wholeNumberOption } from './capture-options.js';
import { evaluateOptionsFrom } from './commands/eval.js';

const SAMPLE = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';
const usage = (e: unknown) => e instanceof UsageError && e.exitCode === 2 && !e.message.includes('\n');

describe('numeric options', () => {
  it('an empty or blank value is not 0', () => {
    assert.ok(Number.isNaN(optionNumber('')));
    assert.ok(Number.isNaN(optionNumber('  ')));
    assert.equal(optionNumber('0'), 0);
    assert.equal(optionNumber(' 0.5 '), 0.5);
    for (const blank of ['', ' ']) {
      assert.throws(() => evaluateOptionsFrom({ threshold: blank }), usage);
      assert.throws(() => analyzeOptionsFrom({ warmup: blank }), usage);
      assert.throws(() => analyzeOptionsFrom({ duration: blank }), usage);
      assert.throws(() => threadsFrom({ threads: blank }), usage);
    }
    assert.deepEqual(analyzeOptionsFrom({ warmup: '0' }), { warmupS: 0 });
    assert.equal(evaluateOptionsFrom({ threshold: '0' }).threshold, 0);
  });

  it('whole numbers: not words, fractions or below the minimum', () => {
    for (const bad of ['abc', '-3', '1.5', '', 'Infinity'])
      assert.throws(() => wholeNumberOption('top', bad, 0), usage, bad);
    assert.equal(wholeNumberOption('top', '0', 0), 0);
    assert.equal(wholeNumberOption('top', '12', 0), 12);
    assert.equal(wholeNumberOption('top', undefined, 0), undefined);
  });

  it('from the command line and the environment: one line, exit 2, before any work', () => {
    for (const [args, env] of [
      [['eval', '--no-history', '--threshold', '', SAMPLE], {}],
      [['eval', '--no-history', SAMPLE], { NETWORKML_THRESHOLD: '' }],
      [['eval', '--no-history', '--warmup', '', SAMPLE], {}],
      [['eval', '--no-history', SAMPLE], { NETWORKML_WARMUP: '' }],
      [['inspect', '--top', 'abc', SAMPLE], {}],
      [['inspect', '--top', '-3', SAMPLE], {}],
    ] as const) {
      const r = runCli([...args], { env });
      assert.equal(r.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.match(r.stderr, /^networkml: --\w+ must be .*\n$/);
      assert.equal(r.stdout, '');
    }
  });
});
