/**
 * Labels are names, whatever they are: ones that are also properties every JavaScript object inherits
 * (`constructor`, `toString`, `hasOwnProperty`, `__proto__`) train, test and eval like any other, by file
 * name and through --labels. Real captures of the IoT Sentinel setups, renamed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';
import { rankedLabelsOf } from '../../test-helpers/eval-lines.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-label-names-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Each type of the setups under a name every object inherits. */
const NAMES: [string, string][] = [
  ['Aria', 'constructor'],
  ['DLinkCam', '__proto__'],
  ['HueBridge', 'toString'],
  ['iKettle2', 'hasOwnProperty'],
];
const captures = join(dir, 'captures');
before(() => {
  mkdirSync(captures);
  for (const [type, label] of NAMES)
    for (const id of ['A1', 'A2', 'A3', 'A4'])
      copyFileSync(
        join(setups, `${type}-${id}-Mon0000-n00.pcap`),
        join(captures, `${label}-${id}-Mon0000-n00.pcap`),
      );
});

describe('labels named like Object.prototype members', () => {
  it('train v2 (with its behaviour model), test and eval as any other label', () => {
    const save = join(dir, 'v2.json');
    const trained = runCli(['train', captures, '--features', 'v2', '--json', '--save', save]);
    assert.equal(trained.status, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout) as {
      labels: string[];
      calibration: { unseenByLabel: Record<string, number> } | null;
    };
    const labels = NAMES.map(([, l]) => l);
    assert.deepEqual(summary.labels, [...labels, 'Unknown'].sort());
    assert.deepEqual(Object.keys(summary.calibration?.unseenByLabel ?? {}).sort(), [...labels].sort());

    const tested = runCli(['test', captures, '--model', save, '--json']);
    assert.equal(tested.status, 0, tested.stderr);
    const run = JSON.parse(tested.stdout) as { predictions: { truth: string; forced: string }[] };
    assert.equal(run.predictions.length, 16);
    for (const p of run.predictions) assert.ok(labels.includes(p.truth), p.truth);
    assert.ok(run.predictions.filter((p) => p.forced === p.truth).length >= 14, tested.stdout);

    const evaluated = runCli([
      'eval',
      '--no-history',
      '--json',
      '--model',
      save,
      join(captures, 'constructor-A1-Mon0000-n00.pcap'),
      join(captures, '__proto__-A1-Mon0000-n00.pcap'),
    ]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const tops = rankedLabelsOf(evaluated.stdout).map((d) => d.labels.filter((l) => l !== 'Unknown')[0]);
    assert.deepEqual(tops, ['constructor', '__proto__']);
  });

  it('--labels finds only the prefixes the file gives: an inherited name has no entry', () => {
    const assignments = join(dir, 'labels.json');
    writeFileSync(assignments, '{"__proto__": "camera", "toString": "bridge", "hasOwnProperty": "kettle"}');
    const trained = runCli([
      'train',
      captures,
      '--labels',
      assignments,
      '--features',
      'compat',
      '--warmup',
      '0',
      '--save',
      join(dir, 'refused.json'),
    ]);
    assert.equal(trained.status, 1, trained.stderr);
    assert.equal(
      trained.stderr,
      "networkml: constructor-A1-Mon0000-n00.pcap: prefix 'constructor' has no entry in the label assignments\n",
    );
    writeFileSync(
      assignments,
      '{"constructor": "scale", "__proto__": "camera", "toString": "bridge", "hasOwnProperty": "kettle"}',
    );
    const save = join(dir, 'mapped.json');
    const mapped = runCli([
      'train',
      captures,
      '--labels',
      assignments,
      '--features',
      'v2',
      '--no-behavior',
      '--json',
      '--save',
      save,
    ]);
    assert.equal(mapped.status, 0, mapped.stderr);
    assert.deepEqual((JSON.parse(mapped.stdout) as { labels: string[] }).labels, [
      'Unknown',
      'bridge',
      'camera',
      'kettle',
      'scale',
    ]);
    const tested = runCli(['test', captures, '--labels', assignments, '--model', save, '--json']);
    assert.equal(tested.status, 0, tested.stderr);
    const truths = (JSON.parse(tested.stdout) as { predictions: { truth: string }[] }).predictions.map(
      (p) => p.truth,
    );
    assert.deepEqual([...new Set(truths)].sort(), ['bridge', 'camera', 'kettle', 'scale']);
  });
});
