import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TestPrediction } from '../../outputs/report/types.js';
import { abnormalityText } from '../../outputs/table.js';
import type { CaptureResult, ValidDeviceResult } from '../../result.js';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const rolesDev = `${TEST_DATA}roles-dev`;
const sentinelSplit = JSON.parse(readFileSync(`${TEST_DATA}iot-sentinel/dev-split.json`, 'utf8')) as {
  train: string[];
  test: string[];
};
const dir = mkdtempSync(join(tmpdir(), 'networkml-open-set-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Known types: the 7 IoT Sentinel types and S7Client (4 captures to train, 2 to test: one of the
// engineering station, one of an HMI, each type of device also among the training captures). Never
// trained on: PMU and XiaoduPlug, which only appear in the test list.
const s7 = readdirSync(rolesDev)
  .filter((f) => f.startsWith('S7Client-'))
  .sort();
const unseen = readdirSync(rolesDev).filter((f) => f.startsWith('PMU-') || f.startsWith('XiaoduPlug-'));
const split = join(dir, 'split.json');
writeFileSync(
  split,
  JSON.stringify({
    train: [...sentinelSplit.train, s7[0]!, s7[1]!, s7[3]!, s7[4]!],
    test: [...sentinelSplit.test, s7[2]!, s7[5]!, ...unseen],
  }),
);
const model = join(dir, 'v2.json');

interface TestJson {
  accuracyPerCapture: number;
  meanF1: number | null;
  meanF1Definition: string;
  forcing: { meanF1: number | null; accuracy: number };
  predictions: TestPrediction[];
  confusedPairs: { a: string; b: string; count: number; siblings: number }[];
  confusion: number[][];
  labels: string[];
}

/** `train` of the open-set training captures (v2) at an Unknown rate. */
function trainOpenSet(rate: string, save: string, extra: string[] = []) {
  return runCli([
    'train',
    setups,
    rolesDev,
    '--split',
    split,
    '--features',
    'v2',
    '--unknown-rate',
    rate,
    ...extra,
    '--save',
    save,
  ]);
}

describe('open-set role model from the CLI: --unknown-rate, Unknown for unseen types, honest test output', () => {
  it('train --unknown-rate stores the threshold and its estimated costs, and prints them', () => {
    const r = trainOpenSet('0.05', model);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /set for --unknown-rate 0\.05/);
    assert.doesNotMatch(r.stdout, /note: finer than/);
    // The user's 8 labels; Unknown is the model's answer for none of them, not a ninth.
    assert.match(r.stdout, /of 109 captures \(0 without sessions\), 8 labels \(\+ Unknown\)\n/);
    assert.match(
      r.stdout,
      /Unknown when the rank distance to the nearest known type \(above 0\.\d+ alone\) or on the service role, who serves and who opens flows \(above 0\.\d+ alone\), is more unusual than \d+\.\d% of the training captures', set for/,
    );
    assert.match(
      r.stdout,
      /leave-one-out, each at the threshold the others set: known types called Unknown \d+\.\d% of 109/,
    );
    assert.match(r.stdout, /leave-one-type-out: unseen types called Unknown \d+\.\d% of 109 \(Aria /);
    assert.match(r.stdout, /siblings reported when the top two are within 0\.\d+/);
    const doc = JSON.parse(readFileSync(model, 'utf8')) as {
      hyperParameters: Record<string, unknown>;
      training: { scores: Record<string, number> };
    };
    assert.equal(doc.hyperParameters.unknownRate, 0.05);
    assert.equal(doc.hyperParameters.unknownThreshold, undefined, 'the novelty rule replaces it');
    assert.equal(typeof doc.hyperParameters.siblingMargin, 'number');
    assert.equal(doc.hyperParameters.unknownCalibration, 'novelty');
    const novelty = (
      doc as unknown as {
        novelty: {
          threshold: number;
          neighbours: number;
          points: number[][];
          labels: number[];
          secondary: { columns: number[]; threshold: number; calibration: number[] };
          jointThreshold: number;
        };
      }
    ).novelty;
    assert.equal(novelty.neighbours, 3);
    assert.equal(novelty.points.length, 109, 'one reference point per training capture');
    assert.equal(novelty.labels.length, 109, 'and its type');
    assert.ok(novelty.threshold > 0 && novelty.threshold < 0.5);
    assert.equal(novelty.secondary.columns.length, 3, 'the service-role rule');
    assert.ok(novelty.secondary.threshold >= 0 && novelty.secondary.threshold <= 1);
    assert.equal(novelty.secondary.calibration.length, 109, 'its calibration scores');
    assert.ok(novelty.jointThreshold > 0.9 && novelty.jointThreshold <= 1);
    const s = doc.training.scores;
    assert.ok(s.knownCalledUnknown! <= 0.08, `known called Unknown ${s.knownCalledUnknown}`);
    assert.ok(s.unseenCalledUnknown! >= 0.8, `unseen called Unknown ${s.unseenCalledUnknown}`);

    // 1 % is finer than 109 captures can hold with two scores (about 2 / 110): the estimate says so, and a note.
    const strict = trainOpenSet('0.01', join(dir, 'strict.json'), ['--no-behavior']);
    assert.equal(strict.status, 0, strict.stderr);
    const estimate = Number(/known types called Unknown (\d+\.\d)% of 109/.exec(strict.stdout)?.[1]);
    assert.ok(estimate > 1, `estimate ${estimate} %`);
    assert.match(
      strict.stdout,
      /\n {2}note: finer than 109 captures can hold: a capture beyond all of them on either score is called Unknown, about 2\/\(n \+ 1\) = 1\.8% of new ones like them/,
    );
    const bad = runCli(['train', setups, '--features', 'v2', '--unknown-rate', '1.5', '--save', model]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--unknown-rate must be a share in \[0, 1\)/);
  });

  it("eval with a v2 model names the device's own address, not a busier host's or a broadcast", () => {
    // The PMU is asked for data by a busier host (192.168.0.10); the PLC sends only broadcasts, from two
    // addresses. The capture-source rule of compat picks the busier host and 255.255.255.255.
    const pmu = join(rolesDev, 'PMU-pmugec01-Wed1152-n00.pcap');
    const plc = `${TEST_DATA}melsec/MelsecPLC-melsecplcc01-Thu1020-n00.pcap`;
    const r = runCli(['eval', '--json', '--no-history', '--model', model, pmu, plc]);
    assert.equal(r.status, 0, r.stderr);
    const found = r.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const res = JSON.parse(line) as CaptureResult;
        const d = res.data[res.key] as ValidDeviceResult;
        return [d.source_mac, d.source_ip, [...new Set(res.detail!.bins.map((b) => b.capture_ip))]];
      });
    assert.deepEqual(found, [
      ['00:a0:f4:01:a3:48', '192.168.0.60', ['192.168.0.60']],
      ['10:4b:46:28:0b:fa', '192.168.3.250', ['192.168.3.250']],
    ]);
  });

  it("says how near the Unknown rule each capture is: eval's detail.role_novelty, explain's line", () => {
    // A PMU (a type never trained on) and a known type's test capture: above 1 exactly when called Unknown.
    const pmu = join(rolesDev, 'PMU-pmugec01-Wed1152-n00.pcap');
    const known = `${setups}/${sentinelSplit.test[0]!}`;
    const r = runCli(['eval', '--json', '--no-history', '--model', model, pmu, known]);
    assert.equal(r.status, 0, r.stderr);
    const seen = r.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const res = JSON.parse(line) as CaptureResult;
        const d = res.data[res.key] as ValidDeviceResult;
        const novelty = res.detail!.role_novelty!;
        assert.ok(Number.isFinite(novelty) && novelty >= 0, line.slice(0, 200));
        assert.equal(d.classification.labels[0] === 'Unknown', novelty > 1, `${res.key}: ${novelty}`);
        return novelty;
      });
    assert.ok(seen[0]! > seen[1]!, `the unseen type is the more novel: ${seen}`);
    // The ratio is a rank that stops past every training capture; role_novelty_beyond says how far past.
    const beyond = r.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as CaptureResult).detail!.role_novelty_beyond!);
    assert.ok(beyond[0]! > 1 && beyond[0]! > beyond[1]!, `${beyond}`);
    const e = runCli(['explain', '--no-history', '--model', model, pmu, known]);
    assert.equal(e.status, 0, e.stderr);
    const lines = e.stdout.split('\n').filter((l) => l.includes('Unknown rule: novelty'));
    assert.deepEqual(
      lines.map((l) => l.match(/novelty (\d+\.\d+) ×/)![1]),
      seen.map((n) => abnormalityText(n, 1)),
    );
    // Never "1.00" for a capture the rule calls Unknown: as many decimals as it takes to be read above 1.
    assert.equal(abnormalityText(1.0036, 1), '1.004');
    assert.match(
      lines[0]!,
      new RegExp(
        `; ${beyond[0]!.toFixed(2).replace('.', '\\.')}× as far from the known roles as the most unusual training capture\\)$`,
      ),
    );
    const j = runCli(['explain', '--json', '--no-history', '--model', model, known]);
    assert.equal(j.status, 0, j.stderr);
    assert.equal((JSON.parse(j.stdout) as { roleNovelty: number }).roleNovelty, seen[1]);
    // The bundled one-layer model has no such rule: no field, no line.
    const sample = `${TEST_DATA}../data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`;
    const plain = runCli(['eval', '--json', '--no-history', sample]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal((JSON.parse(plain.stdout) as CaptureResult).detail!.role_novelty, undefined);
  });

  it('test --json holds every capture: truth, prediction, confidence, Unknown; one mean F1 definition', () => {
    const r = runCli(['test', setups, rolesDev, '--split', split, '--model', model, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const run = JSON.parse(r.stdout) as TestJson;
    assert.equal(run.predictions.length, 35 + 2 + unseen.length);
    for (const p of run.predictions) {
      assert.deepEqual(Object.keys(p).sort(), [
        'confidence',
        'expected',
        'file',
        'forced',
        'predicted',
        'siblings',
        'truth',
        'unknown',
      ]);
      assert.equal(p.unknown, p.predicted === 'Unknown');
      assert.ok(p.confidence > 0 && p.confidence <= 1);
      // An Unknown verdict's confidence is how novel the capture is among the 109 training captures (and
      // itself): above the rule's 1 − 0.05, at most 109 / 110, whatever the forest thought of its top role.
      if (p.unknown)
        assert.ok(p.confidence > 0.9 && p.confidence <= 109 / 110, `${p.file}: Unknown ${p.confidence}`);
      assert.notEqual(p.forced, 'Unknown');
      if (p.siblings) {
        assert.equal(p.unknown, false, 'siblings qualify a reported role, not Unknown');
        assert.ok(p.siblings.includes(p.predicted), `${p.file}: ${p.predicted} with siblings ${p.siblings}`);
      }
    }
    const known = run.predictions.filter((p) => !/^(PMU|XiaoduPlug)-/.test(p.file));
    const forcedRight = known.filter((p) => p.forced === p.truth).length;
    assert.ok(forcedRight >= known.length - 1, `known types, forced: ${forcedRight}/${known.length} right`);
    // At --unknown-rate 0.05 about 2 of the 37 known-type captures are expected to be called Unknown;
    // at most 3 happens with probability 0.89 at that rate (binomial), so more says the rate is not kept.
    const called = known.filter((p) => p.unknown);
    assert.ok(called.length <= 3, `known types called Unknown: ${called.map((p) => p.file).join(' ')}`);
    const never = run.predictions.filter((p) => /^(PMU|XiaoduPlug)-/.test(p.file));
    assert.ok(
      never.filter((p) => p.unknown).length >= 3,
      `never-trained types: ${never.map((p) => `${p.file}→${p.predicted}`).join(' ')}`,
    );
    // A type the model has no role for can only be right as Unknown: that is its expected answer, it is
    // scored under Unknown (no row of its own, no role in mean F1) and confuses no pair of roles.
    for (const p of run.predictions)
      assert.equal(p.expected, never.includes(p) ? 'Unknown' : p.truth, p.file);
    const right = run.predictions.filter((p) => p.predicted === p.expected).length;
    assert.equal(run.accuracyPerCapture, right / run.predictions.length);
    assert.ok(!run.labels.includes('PMU') && !run.labels.includes('XiaoduPlug'), run.labels.join());
    for (const pair of run.confusedPairs)
      assert.ok(![pair.a, pair.b].some((l) => l === 'PMU' || l === 'XiaoduPlug'), `${pair.a} ↔ ${pair.b}`);
    // Mean F1 averages the roles the test captures have that the model knows (8); Unknown is not one.
    assert.match(run.meanF1Definition, /truth of at least one test capture/);
    assert.equal(new Set(known.map((p) => p.truth)).size, 8);
    const roleF1 = run.labels.flatMap((l, i) => {
      const support = run.confusion[i]!.reduce((a, b) => a + b, 0);
      if (l === 'Unknown' || support === 0) return [];
      const predicted = run.confusion.reduce((a, row) => a + row[i]!, 0);
      const tp = run.confusion[i]![i]!;
      const [precision, recall] = [predicted ? tp / predicted : 0, tp / support];
      return [precision + recall ? (2 * precision * recall) / (precision + recall) : 0];
    });
    assert.equal(roleF1.length, 8);
    assert.ok(Math.abs(run.meanF1! - roleF1.reduce((a, b) => a + b, 0) / 8) < 1e-12, `mean F1 ${run.meanF1}`);
    assert.ok(run.forcing.meanF1! >= 0 && run.forcing.meanF1! <= 1);
    assert.equal(
      run.confusion.flat().reduce((a, b) => a + b, 0),
      run.predictions.length,
    );

    // The report's confusion heat map and its lists read this file.
    const testJson = join(dir, 'test.json');
    writeFileSync(testJson, r.stdout);
    const html = join(dir, 'test.html');
    const rep = runCli(['report', testJson, '--output', html]);
    assert.equal(rep.status, 0, rep.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /class="heat"/);
    assert.match(page, /Mean F1: unweighted mean of per-role F1/);
    assert.match(page, /Captures not labelled right/);
  });

  it('test prints the confused pairs and the captures it got wrong', () => {
    // Relabel the DLinkDayCam captures as DLinkCam: the model (rightly) says DLinkDayCam, so the pair must
    // show up as confused, with every capture named.
    const labels = join(dir, 'labels.json');
    const prefixes = [
      'Aria',
      'DLinkCam',
      'DLinkDayCam',
      'EdimaxPlug1101W',
      'HueBridge',
      'WeMoSwitch',
      'iKettle2',
    ];
    writeFileSync(
      labels,
      JSON.stringify(Object.fromEntries(prefixes.map((p) => [p, p === 'DLinkDayCam' ? 'DLinkCam' : p]))),
    );
    const r = runCli([
      'test',
      setups,
      '--split',
      `${TEST_DATA}iot-sentinel/dev-split.json`,
      '--labels',
      labels,
      '--model',
      model,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /mean F1 \d\.\d{3} \(over the 6 roles of the test captures; Unknown is not a role\)/,
    );
    assert.match(r.stdout, /mean F1, forcing decisions \d\.\d{3}/);
    assert.match(r.stdout, /confused pairs \(either direction/);
    assert.match(r.stdout, /DLinkCam ↔ DLinkDayCam: 5 mislabelled/);
    assert.match(r.stdout, /captures not labelled right\n {2}DLinkDayCam-\S+: DLinkCam → DLinkDayCam \d/);
  });

  it('test on types the model was never trained on: right when called Unknown, mean F1 n/a', () => {
    // The MELSEC captures' types are not among the model's roles: Unknown is the only right answer.
    const melsec = `${TEST_DATA}melsec`;
    const j = runCli(['test', melsec, '--model', model, '--json']);
    assert.equal(j.status, 0, j.stderr);
    const run = JSON.parse(j.stdout) as TestJson;
    assert.equal(run.predictions.length, 4);
    const rejected = run.predictions.filter((p) => p.unknown).length;
    assert.ok(run.predictions.every((p) => p.expected === 'Unknown'));
    assert.equal(run.accuracyPerCapture, rejected / 4);
    assert.equal(run.meanF1, null, 'no role to average');
    assert.deepEqual(run.confusedPairs, []);

    const r = runCli(['test', melsec, '--model', model]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `4 captures are of types the model has no role for \\(MelsecEngineeringPC, MelsecPLC\\): right when called Unknown, scored under Unknown; ${rejected} of 4 were called Unknown$`,
        'm',
      ),
    );
    assert.match(r.stdout, /mean F1 n\/a \(no test capture is of a role the model knows/);
    assert.match(r.stdout, /confused pairs: none/);
    assert.match(
      r.stdout,
      new RegExp(`accuracy per capture ${(rejected / 4).toFixed(3)} \\(${rejected}/4; 0 of known types`),
    );
    if (rejected < 4)
      assert.match(r.stdout, /MelsecPLC|MelsecEngineeringPC \(no such role: Unknown expected\) → /);
    // The report reads a test without a mean F1.
    const testJson = join(dir, 'test-unseen.json');
    writeFileSync(testJson, j.stdout);
    const rep = runCli(['report', testJson, '--output', join(dir, 'test-unseen.html')]);
    assert.equal(rep.status, 0, rep.stderr);
    const page = readFileSync(join(dir, 'test-unseen.html'), 'utf8');
    assert.match(page, /mean F1 n\/a/);
    // Its list of captures not labelled right holds only those not called Unknown.
    if (rejected < 4) assert.match(page, /no such role: Unknown expected/);
    else assert.doesNotMatch(page, /Captures not labelled right/);
  });

  it('says why compat has nothing to classify in a short capture instead of dropping it silently', () => {
    const short = `${setups}/Aria-A1-Mon0000-n00.pcap`; // 11.6 s long: all inside the 120 s warm-up
    const e = runCli(['eval', '--json', '--no-history', '--anomaly', 'none', short]);
    assert.equal(e.status, 0, e.stderr);
    const result = JSON.parse(e.stdout) as { valid: boolean; reason?: string };
    assert.equal(result.valid, false);
    assert.equal(
      result.reason,
      'no sessions after the 120 s warm-up: every address:port pair first appears within it (the capture spans 11.6 s); --warmup 0 keeps its early sessions',
    );
    const t = runCli(['test', short, '--json']);
    assert.equal(t.status, 1, 'every capture without sessions: bad input');
    const run = JSON.parse(t.stdout) as TestJson;
    assert.equal(run.predictions[0]!.predicted, '(no sessions)');
    assert.match(run.predictions[0]!.reason!, /^no sessions after the 120 s warm-up/);
    // The bundled model's roles are an enterprise's: an Aria scale is a type it has no role for.
    const text = runCli(['test', short]);
    assert.match(
      text.stdout,
      /Aria-A1-Mon0000-n00\.pcap: Aria \(no such role: Unknown expected\) → \(no sessions\) \(no sessions after the 120 s warm-up/,
    );
  });
});
