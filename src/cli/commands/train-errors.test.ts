/**
 * train, test and explain on bad or unusual input: options checked before any work (exit 2), models that
 * always load, a bad capture among good ones, bad behaviour models (exit 3 once), labels with one capture
 * and the reserved label Unknown. Real captures of the IoT Sentinel setups.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
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
import { after, before, describe, it } from 'node:test';
import { DEFAULT_MODEL_PATH, loadModel } from '../../models/format.js';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-train-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 5 Aria captures and 1 WeMoSwitch (`five`), 1 of each (`pair`). */
const five = join(dir, 'five');
const pair = join(dir, 'pair');
const aria = ['A1', 'A2', 'A3', 'A4', 'A5'].map((id) => `Aria-${id}-Mon0000-n00.pcap`);
const wemo = 'WeMoSwitch-A1-Mon0000-n00.pcap';
before(() => {
  mkdirSync(five);
  mkdirSync(pair);
  for (const name of [...aria, wemo]) copyFileSync(join(setups, name), join(five, name));
  for (const name of [aria[0]!, wemo]) copyFileSync(join(setups, name), join(pair, name));
});

/** One line on stderr, the given exit code. */
function fails(args: string[], status: number, message: RegExp): void {
  const r = runCli(args);
  assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('train: option values are checked, and every model it writes loads', () => {
  it('refuses seeds that are not decimal whole numbers below 2^32, a hidden size of 0, empty labels', () => {
    const save = join(dir, 'refused.json');
    for (const seed of ['99999999999999999999', '9007199254740993', '4294967296', '', '0x10', '-1', '1.5'])
      fails(
        ['train', five, '--seed', seed, '--save', save],
        2,
        /--seed must be a whole number from 0 to 4294967295/,
      );
    fails(
      ['train', five, '--unknown-rate', '', '--features', 'v2', '--save', save],
      2,
      /--unknown-rate must be a number/,
    );
    fails(
      ['train', five, '--hidden-size', '0', '--save', save],
      2,
      /--hidden-size must be a whole number of at least 1/,
    );
    const labels = join(dir, 'empty-label.json');
    writeFileSync(labels, JSON.stringify({ Aria: '', WeMoSwitch: 'Switch' }));
    fails(['train', five, '--labels', labels, '--save', save], 2, /non-empty labels/);
    assert.equal(existsSync(save), false, 'nothing written');
  });

  it('checks options the training does not use, and names those it ignores', () => {
    const save = join(dir, 'ignored.json');
    fails(['train', five, '--features', 'v2', '--hidden-size', 'abc', '--save', save], 2, /--hidden-size/);
    fails(['train', five, '-a', 'behavior', '--unknown-rate', 'abc', '--save', save], 2, /--unknown-rate/);
    const r = runCli([
      'train',
      pair,
      '--features',
      'v2',
      '--hidden-size',
      '8',
      '-m',
      'x.json',
      '--save',
      save,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'networkml: warning: --model, --hidden-size ignored with --features v2\n');
  });

  it('records the largest seed as given, and the model loads', () => {
    const save = join(dir, 'seed.json');
    const r = runCli([
      'train',
      pair,
      '--features',
      'v2',
      '-a',
      'randomforest',
      '--seed',
      '4294967295',
      '--save',
      save,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(loadModel(save).model.training?.seed, 4294967295);
  });

  it('records the seed asked for when model selection keeps the nearest-capture model', () => {
    const save = join(dir, 'seed-ranknn.json');
    const r = runCli(['train', five, '--features', 'v2', '--seed', '7', '--no-behavior', '--save', save]);
    assert.equal(r.status, 0, r.stderr);
    const model = loadModel(save).model;
    assert.equal(model.kind, 'ranknn');
    assert.equal(model.training?.seed, 7);
  });

  it('refuses a --save it cannot write before training, not after', () => {
    const missing = join(dir, 'no-such-folder', 'model.json');
    fails(['train', five, '--save', missing], 1, /model\.json: cannot write: its folder does not exist/);
    fails(['train', five, '--save', five], 1, /five: cannot write: it is a directory/);
    // A folder that exists but takes no file (/proc answers ENOENT): not "does not exist".
    if (existsSync('/proc/self'))
      fails(
        ['train', five, '--save', '/proc/m.json'],
        1,
        /^networkml: \/proc\/m\.json: cannot write: its folder takes no new file\n$/,
      );
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    fails(
      ['train', five, '--save', join(file, 'm.json')],
      1,
      /cannot write: a part of the path is not a folder/,
    );
    assert.equal(existsSync(missing), false);
    // Renamed over, a FIFO (or, as root, /dev/null) was replaced by a regular file holding the model.
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    fails(['train', pair, '--features', 'v2', '--save', fifo], 1, /fifo: cannot write: not a regular file/);
    assert.equal(statSync(fifo).isFIFO(), true);
  });

  it('retrained without behaviour, removes the behaviour model of the model it replaced', () => {
    const save = join(dir, 'site.json');
    const companion = join(dir, 'site.behavior.json');
    const first = runCli(['train', five, '--features', 'v2', '--save', save]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(existsSync(companion), true);
    const again = runCli(['train', five, '--features', 'v2', '--seed', '1', '--no-behavior', '--save', save]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /removed .*site\.behavior\.json: the behaviour model of the model replaced/);
    assert.equal(existsSync(companion), false);
    // Left there, it was tied to the replaced model: eval --model refused every capture (exit 3).
    const evaluated = runCli(['eval', '--no-history', '--model', save, join(five, aria[0]!)]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
  });

  it('writes --save through a symbolic link, as eval -o does: the target is replaced, the link stays', () => {
    const models = join(dir, 'models');
    mkdirSync(models);
    const dated = join(models, 'site-2026-12.json');
    const current = join(dir, 'current.json');
    symlinkSync(dated, current);
    // Dangling: the training creates its target.
    const first = runCli(['train', pair, '--features', 'v2', '--no-behavior', '--save', current]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(lstatSync(current).isSymbolicLink(), true);
    const firstModel = readFileSync(dated, 'utf8');
    const again = runCli(['train', five, '--features', 'v2', '--no-behavior', '--save', current]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(lstatSync(current).isSymbolicLink(), true, 'the link is not replaced by a file');
    assert.notEqual(readFileSync(dated, 'utf8'), firstModel, 'its target is');
    assert.deepEqual(readdirSync(models), ['site-2026-12.json'], 'no temporary file left');
    const evaluated = runCli(['eval', '--no-history', '--model', current, join(five, aria[0]!)]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
  });

  it('refuses a --save naming the role model a behaviour model goes with, a capture, split or label file it reads', () => {
    const role = join(dir, 'role.json');
    copyFileSync(DEFAULT_MODEL_PATH, role);
    for (const algorithm of ['behavior', 'sos'])
      fails(['train', pair, '-a', algorithm, '-m', role, '--save', role], 2, /role\.json: is also an input/);
    assert.equal(readFileSync(role, 'utf8'), readFileSync(DEFAULT_MODEL_PATH, 'utf8'));
    const capture = join(pair, wemo);
    const before = readFileSync(capture);
    fails(['train', pair, '--features', 'v2', '--save', capture], 2, /is also an input/);
    assert.deepEqual(readFileSync(capture), before);
    // The split and label files it reads.
    const split = join(dir, 'own-split.json');
    const labels = join(dir, 'own-labels.json');
    writeFileSync(split, JSON.stringify({ train: [aria[0], wemo], test: [] }));
    writeFileSync(labels, JSON.stringify({ Aria: 'Printer', WeMoSwitch: 'Exchange server' }));
    for (const [option, file] of [
      ['--split', split],
      ['--labels', labels],
    ] as const) {
      const text = readFileSync(file, 'utf8');
      fails(['train', pair, option, file, '--save', file], 2, /is also an input/);
      assert.equal(readFileSync(file, 'utf8'), text, option);
    }
  });

  it('takes a bundled role model by name for a behaviour model, as eval and test do', () => {
    const save = join(dir, 'behavior.json');
    const r = runCli(['train', pair, '-a', 'behavior', '-m', 'onelayer-v0.4.8', '--save', save]);
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('train --features v2 with a label of one capture', () => {
  it('trains 5 Aria + 1 WeMoSwitch: the fold without WeMoSwitch is left out, and says so', () => {
    const save = join(dir, 'five.json');
    const r = runCli(['train', five, '--features', 'v2', '--save', save, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { selection_note?: string; labels: string[] };
    assert.deepEqual(summary.labels, ['Aria', 'Unknown', 'WeMoSwitch']);
    assert.match(summary.selection_note ?? '', /1 of 2 cross-validation folds left out/);
    const model = loadModel(save).model;
    assert.equal(model.training?.scores.cvSkippedFolds, 1);
    const evaluated = runCli(['test', '--json', '--model', save, five]);
    assert.equal((JSON.parse(evaluated.stdout) as { accuracyPerCapture: number }).accuracyPerCapture, 1);
  });

  it('trains one capture per label with either algorithm, the first candidate without selection', () => {
    for (const algorithm of [[], ['-a', 'randomforest']]) {
      const save = join(dir, `pair${algorithm.length}.json`);
      const r = runCli(['train', pair, '--features', 'v2', ...algorithm, '--save', save]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\(no model selection\)/);
      assert.match(r.stdout, /note: no cross-validation fold could be fitted/);
      assert.match(String(loadModel(save).model.hyperParameters.selectionNote), /without model selection/);
    }
  });

  it('says nothing of --warmup when the warm-up is already 0', () => {
    const one = join(dir, 'one-label');
    mkdirSync(one);
    for (const name of aria.slice(0, 2)) copyFileSync(join(setups, name), join(one, name));
    // A capture without a packet: a real capture's 24-byte file header alone.
    writeFileSync(
      join(one, 'WeMoSwitch-E1-Mon0000-n00.pcap'),
      readFileSync(join(setups, wemo)).subarray(0, 24),
    );
    const save = join(dir, 'one.json');
    const r = runCli(['train', one, '--features', 'v2', '--save', save]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr,
      'networkml: fewer than two labels have captures with usable sessions (only Aria)\n',
    );
    const warm = runCli(['train', one, '--features', 'v2', '--warmup', '5', '--save', save]);
    assert.equal(warm.status, 2, warm.stderr);
    assert.match(warm.stderr, /; try a smaller --warmup than 5 s\n$/);
  });
});

describe('a path that is not there', () => {
  it('cannot be read (exit 1), whatever its name; no model is written', () => {
    const save = join(dir, 'missing-path.json');
    for (const missing of [
      join(dir, 'capturez/'),
      join(dir, 'capturez'),
      join(dir, 'Aria-Z9-Mon0000-n00.pcap'),
    ]) {
      const r = runCli(['train', five, missing, '--features', 'v2', '--no-behavior', '--save', save]);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr, `networkml: ${missing}: cannot read: no such file\n`);
      assert.equal(existsSync(save), false);
    }
  });
});

describe('train --split', () => {
  it('warns of training names that match no capture given, as test does, and of captures given that the split lists nowhere; trains on the rest', () => {
    const split = join(dir, 'split-missing.json');
    writeFileSync(
      split,
      JSON.stringify({ train: [...aria.slice(0, 3), wemo, 'Aria-Z9-Mon0000-n00.pcap'], test: [aria[4]] }),
    );
    const r = trainV2([five], join(dir, 'split-missing-model.json'), ['--split', split]);
    assert.equal(r.status, 0, r.stderr);
    // Aria-A4 is in neither list: left out, and said (a capture meant for training must not vanish silently).
    assert.equal(
      r.stderr,
      `networkml: warning: 1 capture given is in neither list of ${split}, left out: Aria-A4-Mon0000-n00.pcap\n` +
        "networkml: warning: 1 of the split's 5 train captures is not among the captures given: Aria-Z9-Mon0000-n00.pcap\n",
    );
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 4);
  });
});

describe('a label none of whose captures has a bin', () => {
  it('is named as left out of the model, not only counted', () => {
    const three = join(dir, 'three-labels');
    mkdirSync(three);
    for (const name of [aria[0]!, wemo]) copyFileSync(join(setups, name), join(three, name));
    // A capture without a packet: a real capture's 24-byte file header alone.
    writeFileSync(
      join(three, 'iKettle2-E1-Mon0000-n00.pcap'),
      readFileSync(join(setups, wemo)).subarray(0, 24),
    );
    const save = join(dir, 'three.json');
    const r = trainV2([three], save);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      'networkml: warning: not in the model, no capture with usable sessions: iKettle2\n',
    );
    const summary = JSON.parse(r.stdout) as { labels: string[]; labels_without_sessions: string[] };
    assert.deepEqual(summary.labels, ['Aria', 'Unknown', 'WeMoSwitch']);
    assert.deepEqual(summary.labels_without_sessions, ['iKettle2']);
  });
});

/** `train INPUTS… --features v2 --no-behavior --json --save SAVE …extra`: a role model alone, its summary as JSON. */
function trainV2(inputs: string[], save: string, extra: string[] = []) {
  return runCli([
    'train',
    ...inputs,
    '--features',
    'v2',
    '--no-behavior',
    '--json',
    '--save',
    save,
    ...extra,
  ]);
}

/** A model file as trained, without what differs from run to run or with the names given. */
function modelContent(path: string): unknown {
  const { checksum: _c, training, ...rest } = JSON.parse(readFileSync(path, 'utf8'));
  return { ...rest, training: { ...training, date: null, dataset: null } };
}

describe('captures reached more than once', () => {
  it('trains on each capture file once, whatever names reach it, and says so', () => {
    const links = join(dir, 'links');
    mkdirSync(links);
    symlinkSync(join(five, aria[1]!), join(links, 'Aria-latest-Mon0000-n00.pcap'));
    const train = (save: string, inputs: string[]) => trainV2(inputs, save);
    const onceSave = join(dir, 'once.json');
    const twiceSave = join(dir, 'twice.json');
    assert.equal(train(onceSave, [five]).status, 0);
    const again = join(five, aria[0]!);
    const twice = train(twiceSave, [five, again, links]);
    assert.equal(twice.status, 0, twice.stderr);
    assert.equal(
      twice.stderr,
      `networkml: warning: 2 captures were given more than once (${again} is ${again}, and 1 more); each is trained on once\n`,
    );
    assert.equal((JSON.parse(twice.stdout) as { captures: number }).captures, 6);
    // Trained on twice, a capture was its own nearest neighbour: a lower Unknown threshold, another model.
    assert.deepEqual(modelContent(twiceSave), modelContent(onceSave));
  });

  it("warns when a capture of the split's test list is a copy of one of its train list", () => {
    const leak = join(dir, 'leak');
    mkdirSync(leak);
    for (const name of [...aria, wemo]) copyFileSync(join(five, name), join(leak, name));
    copyFileSync(join(five, aria[0]!), join(leak, 'Aria-A9-Mon0000-n00.pcap'));
    const split = join(dir, 'split-leak.json');
    writeFileSync(split, JSON.stringify({ train: [...aria, wemo], test: ['Aria-A9-Mon0000-n00.pcap'] }));
    const save = join(dir, 'leak.json');
    const r = trainV2([leak], save, ['--split', split]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^networkml: warning: 1 capture of the split's test list is a copy of one of its train list \(.*Aria-A9-Mon0000-n00\.pcap is a copy of .*Aria-A1-Mon0000-n00\.pcap\): their test scores measure what the model memorised/,
    );
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 6);
  });

  it("keeps a split's capture reached first under a name the split does not list (a link)", () => {
    const linked = join(dir, 'linked-first');
    mkdirSync(linked);
    symlinkSync(join(five, aria[0]!), join(linked, 'aaa.pcap'));
    const split = join(dir, 'split-five.json');
    writeFileSync(split, JSON.stringify({ train: [...aria, wemo], test: [] }));
    const r = trainV2([join(linked, 'aaa.pcap'), five], join(dir, 'split-link.json'), ['--split', split]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 6);
  });
});

describe('captures copied under other names', () => {
  it('trains the default model on each content once, under its first name, and says so', () => {
    // Every capture of `five` beside a copy whose name sorts after it (n01); Aria-A3 and Aria-A5 have the
    // same size but not the same bytes, and both stay.
    const copies = join(dir, 'copies');
    mkdirSync(copies);
    for (const name of [...aria, wemo]) {
      copyFileSync(join(setups, name), join(copies, name));
      copyFileSync(join(setups, name), join(copies, name.replace('-n00.', '-n01.')));
    }
    assert.equal(statSync(join(five, aria[2]!)).size, statSync(join(five, aria[4]!)).size);
    const onceSave = join(dir, 'copies-once.json');
    const copiesSave = join(dir, 'copies-twice.json');
    // The default model (compat onelayer, with behaviour); these captures are shorter than the warm-up.
    const once = runCli(['train', five, '--warmup', '0', '--json', '--save', onceSave]);
    assert.equal(once.status, 0, once.stderr);
    const trained = runCli(['train', copies, '--warmup', '0', '--json', '--save', copiesSave]);
    assert.equal(trained.status, 0, trained.stderr);
    const first = join(copies, aria[0]!);
    assert.equal(
      trained.stderr,
      `networkml: warning: 6 captures are copies of captures given before (${first.replace('-n00.', '-n01.')} is a copy of ${first}, and 5 more); each content is trained on once, under its first name\n`,
    );
    assert.equal((JSON.parse(trained.stdout) as { captures: number }).captures, 6);
    assert.deepEqual(modelContent(copiesSave), modelContent(onceSave));
    // The behaviour model names its role model by checksum, which covers the training date.
    const behavior = (path: string) => ({
      ...(modelContent(path.replace(/\.json$/, '.behavior.json')) as object),
      roleModel: null,
    });
    assert.deepEqual(behavior(copiesSave), behavior(onceSave));
  });

  it('names a copy labelled otherwise than its first as a labelling conflict, and keeps the first', () => {
    const other = join(dir, 'relabelled');
    mkdirSync(other);
    const relabelled = join(other, 'WeMoSwitch-X1-Mon0000-n00.pcap');
    copyFileSync(join(setups, aria[0]!), relabelled);
    const save = join(dir, 'relabelled.json');
    const r = trainV2([five, relabelled], save);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      `networkml: warning: 1 capture is a copy of one given before (${relabelled}, labelled WeMoSwitch, is a copy of ${join(five, aria[0]!)}, labelled Aria); a labelling conflict: 1 copy is labelled otherwise than its first, whose label is kept; each content is trained on once, under its first name\n`,
    );
    assert.equal((JSON.parse(r.stdout) as { captures: number }).captures, 6);
  });
});

describe('labels that differ only in letter case', () => {
  it('trains them as two roles, as the original, with one warning naming both and their captures', () => {
    const cased = join(dir, 'cased');
    mkdirSync(cased);
    for (const name of [aria[0]!, aria[1]!, wemo]) copyFileSync(join(setups, name), join(cased, name));
    copyFileSync(join(setups, aria[2]!), join(cased, `aria${aria[2]!.slice('Aria'.length)}`));
    const train = (extra: string[]) =>
      runCli(['train', cased, '--features', 'v2', '--no-behavior', '--json', ...extra]);
    const r = train(['--save', join(dir, 'cased.json')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      'networkml: warning: labels that differ only in letter case are trained as different roles: Aria (2 captures) and aria (1 capture); if they are one role, rename the files to one spelling\n',
    );
    assert.deepEqual((JSON.parse(r.stdout) as { labels: string[] }).labels, [
      'Aria',
      'Unknown',
      'WeMoSwitch',
      'aria',
    ]);
    // Labels mapped by --labels are the ones compared, and the mapping is what to change.
    const labels = join(dir, 'cased-labels.json');
    writeFileSync(labels, JSON.stringify({ Aria: 'Scale', aria: 'Scale', WeMoSwitch: 'switch' }));
    const mapped = train(['--labels', labels, '--save', join(dir, 'cased-mapped.json')]);
    assert.equal(mapped.status, 0, mapped.stderr);
    assert.equal(mapped.stderr, '');
    writeFileSync(labels, JSON.stringify({ Aria: 'Scale', aria: 'Scale', WeMoSwitch: 'scale' }));
    const clash = train(['--labels', labels, '--save', join(dir, 'cased-clash.json')]);
    assert.equal(clash.status, 0, clash.stderr);
    assert.equal(
      clash.stderr,
      'networkml: warning: labels that differ only in letter case are trained as different roles: Scale (3 captures) and scale (1 capture); if they are one role, give them one spelling in the label assignments\n',
    );
  });
});

describe('the reserved label Unknown', () => {
  it('train refuses a capture labelled Unknown; test reads it as a capture of an unknown type', () => {
    const withUnknown = join(dir, 'with-unknown');
    mkdirSync(withUnknown);
    for (const name of [...aria.slice(0, 2), wemo]) copyFileSync(join(setups, name), join(withUnknown, name));
    copyFileSync(
      join(setups, 'HueBridge-A1-Mon0000-n00.pcap'),
      join(withUnknown, 'Unknown-X1-Mon0000-n00.pcap'),
    );
    fails(
      ['train', withUnknown, '--features', 'v2', '--save', join(dir, 'u.json')],
      2,
      /^networkml: Unknown-X1-Mon0000-n00\.pcap: 'Unknown' is reserved/,
    );
    const labels = join(dir, 'to-unknown.json');
    writeFileSync(labels, JSON.stringify({ Aria: 'Unknown', WeMoSwitch: 'Switch' }));
    fails(['train', five, '--labels', labels, '--save', join(dir, 'u.json')], 2, /'Unknown' is reserved/);

    const tested = runCli(['test', '--json', '--model', join(dir, 'five.json'), withUnknown]);
    assert.equal(tested.status, 0, tested.stderr);
    const run = JSON.parse(tested.stdout) as {
      meanF1: number;
      perRole: { label: string; f1: number; support: number }[];
    };
    const roles = run.perRole.filter((r) => r.support > 0 && r.label !== 'Unknown');
    assert.deepEqual(
      roles.map((r) => r.label),
      ['Aria', 'WeMoSwitch'],
    );
    assert.equal(run.meanF1, roles.reduce((a, r) => a + r.f1, 0) / roles.length, 'Unknown is not a role');
  });
});

describe('a folder of the training set that yields no capture', () => {
  it('is refused like a capture that cannot be read: one line, exit 1, no model written', () => {
    const empty = join(dir, 'no-captures-here');
    mkdirSync(empty);
    const save = join(dir, 'partial.json');
    fails(
      ['train', five, empty, '--save', save],
      1,
      /no-captures-here: no capture files in this directory\n$/,
    );
    assert.equal(existsSync(save), false);
  });
});

describe('test and explain: one bad capture, bad models', () => {
  it('test scores the good captures when one is corrupt, and exits 1', () => {
    const bad = join(dir, 'HueBridge-Z1-Mon0000-n00.pcap.gz');
    copyFileSync(`${TEST_DATA}captures/edge/corrupt.pcap.gz`, bad);
    const model = join(dir, 'five.json');
    const r = runCli(['test', '--json', '--model', model, join(five, aria[0]!), join(five, wemo), bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^networkml: .*HueBridge-Z1-Mon0000-n00\.pcap\.gz: corrupt gzip data/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    const run = JSON.parse(r.stdout) as { captures: number; accuracyPerCapture: number };
    assert.equal(run.captures, 2);
    assert.equal(run.accuracyPerCapture, 1);
  });

  it('test does not offer host-footprint-v0.6.8 for -m', () => {
    const help = runCli(['test', '--help']);
    assert.equal(help.status, 0);
    assert.doesNotMatch(help.stdout, /host-footprint/);
    assert.match(runCli(['eval', '--help']).stdout, /host-footprint-v0\.6\.8/, "eval's help is unchanged");
  });

  it('explain refuses a corrupt or mismatched behaviour model once with exit 3, and a bad --top with 2', () => {
    const model = join(dir, 'five.json');
    const captures = [join(five, aria[0]!), join(five, aria[1]!)];
    const corrupt = join(dir, 'corrupt.behavior.json');
    writeFileSync(
      corrupt,
      readFileSync(join(dir, 'five.behavior.json'), 'utf8').replace('"bins":', '"bins":1'),
    );
    fails(
      ['explain', '--model', model, '--anomaly-model', corrupt, ...captures],
      3,
      /corrupt model: checksum mismatch/,
    );
    // A role model whose companion NAME.behavior.json belongs to another role model.
    const other = join(dir, 'other');
    mkdirSync(other);
    copyFileSync(model, join(other, 'role.json'));
    copyFileSync(join(dir, 'pair0.behavior.json'), join(other, 'role.behavior.json'));
    fails(
      ['explain', '--model', join(other, 'role.json'), ...captures],
      3,
      /trained with another role model/,
    );
    for (const top of ['abc', '-1', '0', '1.5'])
      fails(['explain', '--model', model, '--top', top, ...captures], 2, /--top must be a whole number/);
    const shown = runCli(['explain', '--json', '--model', model, '--top', '2', captures[0]!]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { influences: unknown[] }).influences.length, 2);
  });
});
