import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { documentChecksum } from '../../models/format.js';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const split = `${TEST_DATA}iot-sentinel/dev-split.json`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-train-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('train and test on the IoT Sentinel dev split (reference recipe: 0.857 per capture)', () => {
  for (const algorithm of ['onelayer', 'randomforest']) {
    it(`${algorithm} reaches at least the reference accuracy, deterministically`, () => {
      const model = join(dir, `${algorithm}.json`);
      const trained = runCli([
        'train',
        setups,
        '--split',
        split,
        '--warmup',
        '1',
        '-a',
        algorithm,
        '--seed',
        '3',
        '--save',
        model,
        '--json',
      ]);
      assert.equal(trained.status, 0, trained.stderr);
      const summary = JSON.parse(trained.stdout) as { captures: number; labels: string[] };
      assert.equal(summary.captures, 105);
      assert.ok(summary.labels.includes('Unknown'));
      const again = join(dir, `${algorithm}-again.json`);
      assert.equal(
        runCli([
          'train',
          setups,
          '--split',
          split,
          '--warmup',
          '1',
          '-a',
          algorithm,
          '--seed',
          '3',
          '--save',
          again,
        ]).status,
        0,
      );
      const strip = (p: string) => {
        const doc = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
        delete doc.training;
        delete doc.checksum;
        return doc;
      };
      assert.deepEqual(strip(again), strip(model), 'same seed, same model');

      const tested = runCli(['test', setups, '--split', split, '--warmup', '1', '--model', model, '--json']);
      assert.equal(tested.status, 0, tested.stderr);
      const run = JSON.parse(tested.stdout) as {
        accuracyPerCapture: number;
        captures: number;
        confusion: number[][];
      };
      assert.equal(run.captures, 35);
      assert.ok(run.accuracyPerCapture >= 0.857, `accuracy ${run.accuracyPerCapture}`);
      assert.equal(
        run.confusion.flat().reduce((a, b) => a + b, 0),
        35,
      );
    });
  }

  it('v2 features reach 0.95 per capture and call a type never seen in training Unknown', () => {
    const model = join(dir, 'v2.json');
    const trained = runCli([
      'train',
      setups,
      '--split',
      split,
      '--features',
      'v2',
      '--seed',
      '1',
      '--save',
      model,
      '--json',
    ]);
    assert.equal(trained.status, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout) as {
      features: string;
      warmup_s: number;
      calibration: { threshold: number };
    };
    assert.equal(summary.features, 'v2');
    assert.equal(summary.warmup_s, 0, 'v2 counts every session unless told otherwise');
    const doc = JSON.parse(readFileSync(model, 'utf8')) as {
      features: { semantics: string };
      hyperParameters: Record<string, unknown>;
      novelty: { threshold: number };
    };
    assert.equal(doc.features.semantics, 'v2', 'the model records its feature semantics');
    assert.equal(doc.novelty.threshold, summary.calibration.threshold);
    const tested = runCli(['test', setups, '--split', split, '--model', model, '--json']);
    assert.equal(tested.status, 0, tested.stderr);
    assert.ok((JSON.parse(tested.stdout) as { accuracyPerCapture: number }).accuracyPerCapture >= 0.95);

    // Leave one device type out of training entirely: its captures must come out Unknown.
    const all = JSON.parse(readFileSync(split, 'utf8')) as { train: string[]; test: string[] };
    const without = join(dir, 'split-without-hue.json');
    writeFileSync(
      without,
      JSON.stringify({ train: all.train.filter((n) => !n.startsWith('HueBridge-')), test: all.test }),
    );
    const partial = join(dir, 'v2-without-hue.json');
    assert.equal(
      runCli(['train', setups, '--split', without, '--features', 'v2', '--save', partial]).status,
      0,
    );
    const hue = all.test.filter((n) => n.startsWith('HueBridge-')).map((n) => `${setups}/${n}`);
    const evaluated = runCli([
      'eval',
      '--json',
      '--no-history',
      '--anomaly',
      'none',
      '--model',
      partial,
      ...hue,
    ]);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const tops = evaluated.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            detail: { labels: string[] };
            data: Record<string, { classification?: { labels: string[] } }>;
            key: string;
          },
      )
      .map((r) => r.data[r.key]!.classification?.labels[0]);
    assert.ok(
      tops.filter((t) => t === 'Unknown').length > tops.length / 2,
      `unseen HueBridge called ${tops.join(', ')}`,
    );
  });

  it('trains the role-conditioned SOS anomaly model and scores devices against their predicted role', () => {
    const role = join(dir, 'randomforest.json'); // trained by the first test of this suite
    const sos = join(dir, 'sos.json');
    const trained = runCli([
      'train',
      setups,
      '--split',
      split,
      '--warmup',
      '1',
      '-a',
      'sos',
      '-m',
      role,
      '--save',
      sos,
      '--json',
    ]);
    assert.equal(trained.status, 0, trained.stderr);
    assert.equal((JSON.parse(trained.stdout) as { devices: number }).devices, 97);
    const capture = `${setups}/DLinkCam-A4-Mon0000-n00.pcap`;
    const r = runCli([
      'eval',
      '--json',
      '--no-history',
      '-m',
      role,
      '--anomaly',
      'sos',
      '--anomaly-model',
      sos,
      capture,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as {
      detail: { abnormality: number; anomaly_model: string; abnormality_note?: string };
    };
    assert.equal(result.detail.anomaly_model, 'sos');
    assert.equal(result.detail.abnormality_note, undefined);
    assert.ok(result.detail.abnormality >= 0 && result.detail.abnormality <= 1);
    // The file says what it is: --anomaly-model alone runs SOS too, with the same result.
    const named = runCli(['eval', '--json', '--no-history', '-m', role, '--anomaly-model', sos, capture]);
    assert.equal(named.status, 0, named.stderr);
    assert.equal(named.stdout, r.stdout);
    // An SOS model is tied to the role model whose representations it holds.
    const wrong = runCli(['eval', '--no-history', '--anomaly', 'sos', '--anomaly-model', sos, capture]);
    assert.equal(wrong.status, 3);
    assert.match(wrong.stderr, /fitted on .* not on the role model in use/);
  });

  it("refuses an SOS model whose rows are not the role model's representation width, checksum recomputed (exit 3)", () => {
    const role = join(dir, 'randomforest.json');
    const doc = JSON.parse(readFileSync(join(dir, 'sos.json'), 'utf8')) as {
      dims: number;
      roles: Record<string, { rows: number[][] }>;
      checksum?: string;
    };
    // Consistent within the file (dims and every row one value short): only the role model tells.
    const width = doc.dims;
    doc.dims = width - 1;
    for (const r of Object.values(doc.roles)) for (const row of r.rows) row.pop();
    doc.checksum = documentChecksum(doc);
    const narrow = join(dir, 'sos-narrow.json');
    writeFileSync(narrow, JSON.stringify(doc));
    const r = runCli([
      'eval',
      '--no-history',
      '-m',
      role,
      '--anomaly-model',
      narrow,
      `${setups}/DLinkCam-A4-Mon0000-n00.pcap`,
    ]);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `networkml: ${narrow}: SOS model rows of ${width - 1} values, but the role model's representation has ${width}\n`,
    );
  });

  it('refuses names that break the convention and single-label sets', () => {
    const odd = join(dir, 'odd');
    const single = join(dir, 'single');
    const capture = readFileSync(`${setups}/Aria-A1-Mon0000-n00.pcap`);
    for (const [d, name] of [
      [odd, 'capture.pcap'],
      [single, 'Aria-A1-Mon0000-n00.pcap'],
    ] as const) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, name), capture);
    }
    const r1 = runCli(['train', odd, '--save', join(dir, 'x.json')]);
    assert.notEqual(r1.status, 0);
    assert.match(
      r1.stderr,
      /^networkml: capture\.pcap: file name does not follow DeviceName-deviceID-time-duration-flags\.pcap/,
    );
    assert.equal(r1.stderr.trim().split('\n').length, 1);
    const r2 = runCli(['train', single, '--save', join(dir, 'x.json')]);
    assert.notEqual(r2.status, 0);
    assert.match(r2.stderr, /at least two labels/);
  });
});
