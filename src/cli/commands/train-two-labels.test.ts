/**
 * v2 training on two labels: the Unknown rule is calibrated as with more (a type never trained on comes out
 * Unknown), and what cannot be estimated is said in one line. Real captures of the IoT Sentinel setups.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadModel } from '../../models/format.js';
import { runCli } from '../../test-helpers/cli.js';
import { rankedLabelsOf } from '../../test-helpers/eval-lines.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-train-two-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const of = (type: string) => readdirSync(setups).filter((n) => n.startsWith(`${type}-`));
/** Aria and DLinkCam, 19 captures each (their C9 captures held out). */
const two = join(dir, 'two');
/** 5 Aria captures and 1 WeMoSwitch. */
const lopsided = join(dir, 'lopsided');
before(() => {
  mkdirSync(two);
  mkdirSync(lopsided);
  for (const name of [...of('Aria'), ...of('DLinkCam')])
    if (!name.includes('-C9-')) copyFileSync(join(setups, name), join(two, name));
  for (const name of [...of('Aria').slice(0, 5), 'WeMoSwitch-A1-Mon0000-n00.pcap'])
    copyFileSync(join(setups, name), join(lopsided, name));
});

interface Summary {
  labels: string[];
  calibration: {
    unknownRate: number;
    unseenUnknownRate: number | null;
    unseenByLabel: Record<string, number>;
  } | null;
  open_set_note?: string;
}

function train(input: string, save: string, extra: string[] = []) {
  return runCli(['train', input, '--features', 'v2', '--no-behavior', '--save', save, ...extra]);
}

describe('v2 on two labels', () => {
  it('calibrates the Unknown rule: captures of types never trained on come out Unknown', () => {
    const save = join(dir, 'two.json');
    const r = train(two, save, ['--json', '--unknown-rate', '0.05']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Summary;
    assert.ok(summary.calibration, 'an Unknown rule');
    assert.equal(summary.calibration.unknownRate, 0.05, '--unknown-rate is used');
    assert.deepEqual(Object.keys(summary.calibration.unseenByLabel).sort(), ['Aria', 'DLinkCam']);
    assert.equal(summary.open_set_note, undefined, 'nothing missing');
    const model = loadModel(save).model;
    assert.ok(model.novelty?.threshold != null, 'the model carries the rule');
    const unseen = ['HueBridge', 'iKettle2'].flatMap((t) =>
      ['A1', 'A2', 'A3'].map((id) => join(setups, `${t}-${id}-Mon0000-n00.pcap`)),
    );
    const known = [join(setups, 'Aria-C9-Mon0000-n00.pcap'), join(setups, 'DLinkCam-C9-Mon0000-n00.pcap')];
    const e = runCli([
      'eval',
      '--no-history',
      '--json',
      '--anomaly',
      'none',
      '--model',
      save,
      ...unseen,
      ...known,
    ]);
    assert.equal(e.status, 0, e.stderr);
    const tops = rankedLabelsOf(e.stdout).map((d) => [d.key.split('-')[0], d.labels[0]]);
    assert.deepEqual(tops, [
      ...unseen.map((_, i) => [i < 3 ? 'HueBridge' : 'iKettle2', 'Unknown']),
      ['Aria', 'Aria'],
      ['DLinkCam', 'DLinkCam'],
    ]);
    const text = train(two, join(dir, 'two-text.json'));
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /2 labels \(\+ Unknown\)\n/);
    assert.match(text.stdout, /leave-one-type-out: unseen types called Unknown/);
  });

  it('names the type leave-one-type-out cannot leave out (the other has one capture)', () => {
    const r = train(lopsided, join(dir, 'lopsided.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Unknown when the rank distance/);
    assert.match(
      r.stdout,
      /\n {2}note: leave-one-type-out not estimated for Aria: leaving it out leaves fewer than two training captures to compare with\n/,
    );
    assert.match(r.stdout, /leave-one-type-out: unseen types called Unknown [\d.]+% of 1 \(WeMoSwitch /);
    // The leave-one-out count is of Aria's 5: a capture alone of its type measures an unseen type.
    assert.match(
      r.stdout,
      /known types called Unknown [\d.]+% of 5 \(not counted: the one capture of WeMoSwitch\);/,
    );
  });

  it('says there is no Unknown rule when no fold could be fitted, and does not print "(+ Unknown)"', () => {
    const pair = join(dir, 'pair');
    mkdirSync(pair);
    for (const name of ['Aria-A1-Mon0000-n00.pcap', 'WeMoSwitch-A1-Mon0000-n00.pcap'])
      copyFileSync(join(setups, name), join(pair, name));
    const r = train(pair, join(dir, 'pair.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, / 2 labels\n/);
    assert.match(r.stdout, /\n {2}note: no Unknown rule: no cross-validation fold could be fitted/);
  });
});
