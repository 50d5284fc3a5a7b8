/**
 * `networkml test` as a user reads it, with the bundled role model (no training): capture warnings, the
 * options it takes and the settings it ignores, a split naming captures not given, and its text output.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-test-command-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const aria = join(dir, 'Aria-A1-Mon0000-n00.pcap');
/** A capture whose last record is cut short: eval warns of it. */
const truncated = join(dir, 'Truncated-A1-Mon0000-n00.pcap');
/**
 * An Aria capture labelled as one of the bundled model's roles (Printer), and one of a type the model does not
 * know (truth Unknown); the bundled model calls both Unknown.
 */
const withUnknown = join(dir, 'with-unknown');
/** An Aria capture labelled as one of the bundled model's roles. */
const printer = join(dir, 'Printer-A1-Mon0000-n00.pcap');
before(() => {
  copyFileSync(join(setups, 'Aria-A1-Mon0000-n00.pcap'), aria);
  copyFileSync(`${TEST_DATA}captures/edge/truncated-record.pcap`, truncated);
  mkdirSync(withUnknown);
  copyFileSync(join(setups, 'Aria-A1-Mon0000-n00.pcap'), printer);
  copyFileSync(join(setups, 'Aria-A2-Mon0000-n00.pcap'), join(withUnknown, 'Printer-A2-Mon0000-n00.pcap'));
  copyFileSync(join(setups, 'Aria-A1-Mon0000-n00.pcap'), join(withUnknown, 'Unknown-A1-Mon0000-n00.pcap'));
});

/**
 * runCli, without test's warning that no test label is a role of the model: these tests run the bundled
 * model on Aria captures, none of its roles, for what they check, not for that warning (tested below).
 */
function runTest(...args: Parameters<typeof runCli>): ReturnType<typeof runCli> {
  const r = runCli(...args);
  return { ...r, stderr: r.stderr.replace(/^networkml: warning: none of the test labels .*\n/m, '') };
}

/** The output without its speed line, which differs from run to run. */
const withoutSpeed = (text: string) => text.replace(/^speed .*$/m, '');

describe('test: capture warnings', () => {
  it('prints a capture warning as eval does, once even with --baseline, with --json too', () => {
    const evaluated = runTest(['eval', '--no-history', '--warmup', '0', truncated]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    assert.match(evaluated.stderr, /^networkml: warning: .*truncated capture/);
    for (const extra of [[], ['--json'], ['--baseline', 'onelayer-v0.4.8']]) {
      const r = runTest(['test', '--warmup', '0', ...extra, truncated, aria]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, evaluated.stderr, extra.join(' '));
    }
  });
});

describe('test: inputs', () => {
  it('tests a capture reached twice (inside a directory given beside it) once, with one warning', () => {
    const inDir = join(withUnknown, 'Printer-A2-Mon0000-n00.pcap');
    const r = runTest(['test', '--json', '--warmup', '0', withUnknown, inDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 2);
    assert.equal(
      r.stderr,
      `networkml: warning: 1 capture was given more than once (${inDir} is ${inDir}); each is tested once\n`,
    );
  });

  it('reports a capture whose name gives no label (one line, exit 1) and scores the others', () => {
    const plain = join(dir, 'plain.pcap');
    copyFileSync(join(setups, 'Aria-A3-Mon0000-n00.pcap'), plain);
    const r = runTest(['test', '--json', '--warmup', '0', withUnknown, plain]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /^networkml: plain\.pcap: file name does not follow DeviceName-deviceID-time-duration-flags\.pcap .*\n$/,
    );
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 2);
    // Nothing else to score: that one line, exit 1, no scores.
    const alone = runTest(['test', '--json', '--warmup', '0', plain]);
    assert.equal(alone.status, 1, alone.stderr);
    assert.equal(alone.stderr.split('\n').length, 2, alone.stderr);
    assert.equal(alone.stdout, '');
  });

  it('says a path that is not there cannot be read, not that its name breaks the convention', () => {
    const missing = join(dir, 'nonexist');
    const r = runTest(['test', '--json', '--warmup', '0', missing, aria]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `networkml: ${missing}: cannot read: no such file\n`);
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 1);
    const alone = runTest(['test', '--warmup', '0', missing]);
    assert.equal(alone.status, 1, alone.stderr);
    assert.equal(alone.stderr, `networkml: ${missing}: cannot read: no such file\n`);
  });

  it('tests a capture copied into another folder once, and one of the same size but other bytes', () => {
    const copied = join(dir, 'copied');
    mkdirSync(copied);
    const copy = join(copied, 'Aria-A1-Mon0000-n00.pcap');
    copyFileSync(aria, copy);
    // Aria-A3 and Aria-A5: the same size, not the same bytes.
    const sameSize = ['Aria-A3-Mon0000-n00.pcap', 'Aria-A5-Mon0000-n00.pcap'].map((n) => join(setups, n));
    assert.equal(statSync(sameSize[0]!).size, statSync(sameSize[1]!).size);
    const r = runTest(['test', '--json', '--warmup', '0', aria, copy, ...sameSize]);
    assert.equal(r.status, 0, r.stderr);
    const run = JSON.parse(r.stdout) as { captures: number; predictions: { file: string }[] };
    assert.equal(run.captures, 3);
    assert.equal(run.predictions.filter((p) => p.file === 'Aria-A1-Mon0000-n00.pcap').length, 1);
    assert.equal(
      r.stderr,
      `networkml: warning: 1 capture is a copy of one given before (${copy} is a copy of ${aria}); each content is tested once, under its first name\n`,
    );
  });
});

describe('test: options', () => {
  it('refuses the anomaly options it would ignore (usage, exit 2)', () => {
    for (const args of [
      ['--anomaly', 'sos'],
      ['--anomaly-model', 'x.json'],
      ['--threshold', '0.5'],
    ]) {
      const r = runTest(['test', ...args, aria]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /unknown option/);
      assert.equal(r.stdout, '');
    }
    assert.doesNotMatch(runTest(['test', '--help']).stdout, /--anomaly|--threshold/);
  });

  it('is not affected by anomaly settings meant for eval, from the environment or a config file', () => {
    const plain = runTest(['test', '--warmup', '0', aria]);
    assert.equal(plain.status, 0, plain.stderr);
    const env = {
      NETWORKML_ANOMALY: 'bogus',
      NETWORKML_THRESHOLD: 'abc',
      NETWORKML_ANOMALY_MODEL: join(dir, 'missing.json'),
    };
    const fromEnv = runTest(['test', '--warmup', '0', aria], { env });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.equal(withoutSpeed(fromEnv.stdout), withoutSpeed(plain.stdout));
    const config = join(dir, 'networkml.config.json');
    writeFileSync(config, JSON.stringify({ anomaly: 'sos', threshold: 0.5, eval: { anomaly: 'none' } }));
    const fromConfig = runTest(['test', '--config', config, '--warmup', '0', aria]);
    assert.equal(fromConfig.status, 0, fromConfig.stderr);
    assert.equal(withoutSpeed(fromConfig.stdout), withoutSpeed(plain.stdout));
  });

  it('warns when the split names test captures that were not given, and scores the rest', () => {
    const split = join(dir, 'split.json');
    const missing = ['Aria-Z1-Mon0000-n00.pcap', 'Aria-Z2-Mon0000-n00.pcap'];
    writeFileSync(split, JSON.stringify({ train: [], test: ['Aria-A1-Mon0000-n00.pcap', ...missing] }));
    const r = runTest(['test', '--json', '--warmup', '0', '--split', split, aria]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      `networkml: warning: 2 of the split's 3 test captures are not among the captures given: ${missing.join(', ')}\n`,
    );
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 1);
  });

  it("warns when a capture of the split's test list is a copy of one of its train list", () => {
    const leak = join(dir, 'leak');
    mkdirSync(leak);
    copyFileSync(aria, join(leak, 'Aria-A1-Mon0000-n00.pcap'));
    copyFileSync(aria, join(leak, 'Aria-A9-Mon0000-n00.pcap'));
    copyFileSync(join(setups, 'Aria-A2-Mon0000-n00.pcap'), join(leak, 'Aria-A2-Mon0000-n00.pcap'));
    const split = join(dir, 'split-leak.json');
    const test = ['Aria-A9-Mon0000-n00.pcap', 'Aria-A2-Mon0000-n00.pcap'];
    writeFileSync(split, JSON.stringify({ train: ['Aria-A1-Mon0000-n00.pcap'], test }));
    const r = runTest(['test', '--json', '--warmup', '0', '--split', split, leak]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      `networkml: warning: 1 capture of the split's test list is a copy of one of its train list (${join(leak, 'Aria-A9-Mon0000-n00.pcap')} is a copy of ${join(leak, 'Aria-A1-Mon0000-n00.pcap')}): their test scores measure what the model memorised, not how it does on devices it has not seen\n`,
    );
    // The split is kept as it is: both test captures are scored.
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 2);
  });

  it("keeps a split's capture reached first under a name the split does not list (a link)", () => {
    const split = join(dir, 'split-link.json');
    writeFileSync(split, JSON.stringify({ train: [], test: ['Aria-A1-Mon0000-n00.pcap'] }));
    const linked = join(dir, 'linked');
    mkdirSync(linked);
    symlinkSync(aria, join(linked, 'aaa.pcap'));
    const r = runTest(['test', '--json', '--warmup', '0', '--split', split, join(linked, 'aaa.pcap'), aria]);
    assert.equal(r.status, 0, r.stderr);
    // Only the split's name is tested: nothing was given twice among the split's captures, nothing is missing.
    assert.equal(r.stderr, '');
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 1);
  });
});

describe('test: text output', () => {
  it('counts as wrong only the Unknown calls on captures of a known type', () => {
    const r = runTest(['test', '--warmup', '0', withUnknown]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^mean F1 0\.000 \(over the 1 role of the test captures; Unknown is not a role\)$/m,
    );
    assert.match(
      r.stdout,
      /^accuracy per capture 0\.500 \(1\/2; 1 of known types called Unknown and 0 without sessions count as wrong\)/m,
    );
  });

  it('shows recall and F1 of a row without test captures (Unknown here) as n/a, not 0.000', () => {
    const r = runTest(['test', '--warmup', '0', printer]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split('\n').slice(1, 3);
    assert.deepEqual(
      rows.map((line) => line.split(/\s+/)),
      [
        ['Printer', '0.000', '0.000', '0.000', '1', '0.000'],
        ['Unknown', '0.000', 'n/a', 'n/a', '0', 'n/a'],
      ],
    );
  });

  it("expects Unknown for a label that is none of the model's roles, and says so", () => {
    // The bundled model's roles are an enterprise's: an Aria scale is none of them.
    const r = runTest(['test', '--warmup', '0', aria]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^1 capture is of a type the model has no role for \(Aria\): right when called Unknown, scored under Unknown; 1 of 1 was called Unknown$/m,
    );
    assert.match(
      r.stdout,
      /^mean F1 n\/a \(no test capture is of a role the model knows; Unknown is not a role\)$/m,
    );
    assert.match(r.stdout, /^accuracy per capture 1\.000 \(1\/1; 0 of known types called Unknown/m);
  });

  it('numbers the confusion matrix columns, so labels alike in their first letters stay apart', () => {
    const alike = join(dir, 'alike');
    mkdirSync(alike);
    // Two Aria captures (not one twice: a copy is tested once), which the bundled model calls Unknown.
    copyFileSync(
      join(setups, 'Aria-A1-Mon0000-n00.pcap'),
      join(alike, 'EdimaxPlug1101W-A1-Mon0000-n00.pcap'),
    );
    copyFileSync(
      join(setups, 'Aria-A2-Mon0000-n00.pcap'),
      join(alike, 'EdimaxPlug2101W-A1-Mon0000-n00.pcap'),
    );
    // Roles of the bundled model whose names begin alike.
    const labels = join(dir, 'alike.json');
    writeFileSync(
      labels,
      JSON.stringify({
        EdimaxPlug1101W: 'Administrator workstation',
        EdimaxPlug2101W: 'Administrator server',
      }),
    );
    const r = runTest(['test', '--warmup', '0', '--labels', labels, alike]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const matrix = r.stdout.slice(r.stdout.indexOf('confusion matrix'));
    const [, header, ...rows] = matrix.split('\n');
    assert.deepEqual(header!.trim().split(/\s+/), ['1', '2', '3']);
    assert.match(rows[0]!, /^1 Administrator workstation +\. +\. +1$/);
    assert.match(rows[1]!, /^2 Administrator server +\. +\. +1$/);
    assert.match(rows[2]!, /^3 Unknown +\. +\. +\.$/);
  });

  it('warns when no test label is a role of the model: its accuracy then counts Unknown calls alone', () => {
    const r = runCli(['test', '--warmup', '0', aria]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      'networkml: warning: none of the test labels (Aria) is a role of the model (the bundled onelayer-v0.4.8: ' +
        'no --model given), so every capture is scored as right when called Unknown; check --model\n',
    );
    // A role of the model among the labels, or captures labelled Unknown on purpose: no warning.
    assert.equal(runCli(['test', '--warmup', '0', withUnknown]).stderr, '');
    assert.equal(
      runCli(['test', '--warmup', '0', join(withUnknown, 'Unknown-A1-Mon0000-n00.pcap')]).stderr,
      '',
    );
  });

  it('says when the baseline knows other roles of the test captures: the accuracies count different answers', () => {
    const captures = join(dir, 'baseline-roles');
    mkdirSync(captures);
    for (const name of ['Aria-A1', 'Aria-A2', 'Aria-A3', 'WeMoSwitch-A1', 'WeMoSwitch-A2'])
      copyFileSync(join(setups, `${name}-Mon0000-n00.pcap`), join(captures, `${name}-Mon0000-n00.pcap`));
    // Not a copy of a training capture (that would be tested once, under its first name).
    const printerA4 = join(dir, 'Printer-A4-Mon0000-n00.pcap');
    copyFileSync(join(setups, 'Aria-A4-Mon0000-n00.pcap'), printerA4);
    const model = join(dir, 'baseline-roles.json');
    const trained = runCli(['train', captures, '--features', 'v2', '--no-behavior', '--save', model]);
    assert.equal(trained.status, 0, trained.stderr);
    const r = runCli([
      'test',
      '--warmup',
      '0',
      '--model',
      model,
      '--baseline',
      'onelayer-v0.4.8',
      captures,
      printerA4,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /\nnote: the two models know different roles of the test captures \(a role of the model only: Aria, WeMoSwitch; a role of the baseline only: Printer\): where a model has no such role, Unknown is its right answer, so the two accuracies count different answers as right\n$/,
    );
    const same = runCli(['test', '--warmup', '0', '--model', model, '--baseline', model, captures]);
    assert.equal(same.status, 0, same.stderr);
    assert.doesNotMatch(same.stdout, /different roles/);
  });

  it('aligns the baseline gain table, accuracy row included', () => {
    const r = runTest(['test', '--warmup', '0', '--baseline', 'onelayer-v0.4.8', printer]);
    assert.equal(r.status, 0, r.stderr);
    const table = r.stdout
      .slice(r.stdout.indexOf('\nrole ') + 1)
      .trimEnd()
      .split('\n');
    assert.equal(table.length, 3, r.stdout);
    assert.ok(
      table.every((line) => line.length === table[0]!.length),
      table.join('\n'),
    );
  });

  it('reports speed per 15 minutes of capture with the bins as long as they were read', () => {
    const kettle = `${TEST_DATA}captures/real/iKettle2-sentinel-Mon0000-n00.pcap`;
    const evaluated = runTest([
      'eval',
      '--json',
      '--no-history',
      '--warmup',
      '0',
      '--duration',
      '60',
      kettle,
    ]);
    const bins = (JSON.parse(evaluated.stdout) as { detail: { bins: unknown[] } }).detail.bins.length;
    assert.ok(bins > 1, `${bins} bins`);
    const r = runTest(['test', '--json', '--warmup', '0', '--duration', '60', kettle]);
    assert.equal(r.status, 0, r.stderr);
    const { speed } = JSON.parse(r.stdout) as {
      speed: { seconds: number; secondsPer15MinuteCapture: number };
    };
    assert.ok(
      Math.abs(speed.secondsPer15MinuteCapture - (speed.seconds / (bins * 60)) * 900) < 1e-9,
      JSON.stringify(speed),
    );
  });
});
