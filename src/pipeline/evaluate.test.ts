import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceOf } from '../outputs/table.js';
import type { BehaviorDetail } from '../result.js';
import { realTypedWindows } from '../test-helpers/real-behavior.js';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { behaviorWindowScore, behaviorWindowTypes, lazyWindowTypes } from './anomaly.js';
import { describeDecidingWindow, evaluateCaptureDetailed } from './evaluate.js';

describe('eval with the bundled models equals NetworkML v0.4.8', () => {
  for (const ref of referenceRecords()) {
    it(ref.pcap, async () => {
      const e = await evaluateCaptureDetailed(referenceCapturePath(ref));
      assert.equal(e.result.valid, ref.valid);
      if (!ref.valid) {
        assert.equal(deviceOf(e.result), null);
        assert.deepEqual(e.result.data[e.result.key], { valid: false, pcap: ref.pcap });
        return;
      }
      const predictions = ref.predictions!;
      assert.deepEqual(
        e.ranked.map(([label]) => label),
        predictions.map(([label]) => label),
        'label order',
      );
      e.ranked.forEach(([label, p], i) => {
        assert.ok(Math.abs(p - predictions[i]![1]) <= 1e-9, `${label}: ${p} vs ${predictions[i]![1]}`);
      });
      const device = deviceOf(e.result)!;
      assert.deepEqual(
        device.classification.labels,
        predictions.slice(0, 3).map(([l]) => l),
      );
      assert.equal(device.timestamp, ref.timestamps![0]);
      assert.equal(device.source_mac, ref.capture_mac);
      assert.equal(device.decisions.investigate, predictions[0]![0] === 'Unknown');
      // Where the reference could not score (fewer than 6 sequences) it reports 0.0, and so do we, with a note.
      const expected = ref.abnormality ?? 0;
      assert.ok(
        Math.abs(e.result.detail!.abnormality - expected) <= 1e-6,
        `abnormality ${e.result.detail!.abnormality} vs ${expected}`,
      );
      assert.equal(e.result.detail!.abnormality_note !== undefined, ref.abnormality === undefined);
      // Unscored is `unknown`, never a silent `normal` (issue 12); the number stays the original's 0.0.
      const behavior = ref.abnormality === undefined ? 'unknown' : expected > 0.99 ? 'abnormal' : 'normal';
      assert.equal(device.decisions.behavior, behavior);
    });
  }
});

describe('the reason a capture has no sessions', () => {
  it('names the skipped packets, not the warm-up, when nothing in the capture could be decoded', async () => {
    // Every record is link type 105 (802.11): no warm-up would keep a session.
    const e = await evaluateCaptureDetailed('test-data/captures/edge/unsupported-link.pcap');
    assert.equal(e.result.valid, false);
    assert.match(
      e.result.reason ?? '',
      /^no sessions: every one of its \d+ packets was skipped \(a link type the reader does not decode\)$/,
    );
  });
});

describe('own history moving the deciding window: the types of that window', () => {
  it('worst_also_like, its services and worst_not_like_its_vendors describe the window history made worst', async () => {
    // In test-data, the only window of another type under its device's own MAC vendor scores past every
    // normal window, where history cannot raise the abnormality: eval never moves to or from one. So real
    // windows of differing types (another maker's vendor prefix) meet describeDecidingWindow here.
    const { model, windows, stream, full } = await realTypedWindows();
    const types = lazyWindowTypes(model, stream);
    const scored = (i: number) => behaviorWindowScore(stream, i, windows[i]!);
    const worst = stream.worst;
    const detail = (): BehaviorDetail => ({
      references: 'population',
      bins_scored: windows.length,
      worst_bin: scored(worst).window,
      score: stream.worstBin.score,
      distance: stream.worstBin.distance,
      novelty: stream.worstBin.novelty,
      reasons: stream.reasons,
      types: {
        best_fit: stream.fit!.label,
        other_windows: stream.fit!.otherWindows,
        other_windows_like: stream.fit!.other,
        ...behaviorWindowTypes(model, stream.worstBin),
      },
      services: [],
    });
    const own = { score: 99, novelty: 1, reasons: ['new'] };
    const moved = windows.findIndex(
      (_, i) => JSON.stringify(behaviorWindowTypes(model, full.bins[i]!)) !== JSON.stringify(types[worst]),
    );
    assert.ok(moved >= 0 && moved !== worst);
    const before = detail();
    const after = detail();
    describeDecidingWindow(after, scored(moved), own, types[moved]);
    assert.deepEqual(after.types, {
      best_fit: before.types!.best_fit,
      other_windows: before.types!.other_windows,
      other_windows_like: before.types!.other_windows_like,
      ...behaviorWindowTypes(model, full.bins[moved]!),
    });
    assert.notDeepEqual(after.types, before.types);
    assert.ok('worst_not_like_its_vendors' in after.types!, 'the vendor term is on: its key stays');
    // The model's own worst window keeps what the model said of it.
    const same = detail();
    describeDecidingWindow(same, scored(worst), own, types[worst]);
    assert.deepEqual(same.types, before.types);
  });
});
