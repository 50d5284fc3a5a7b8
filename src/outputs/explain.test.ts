import assert from 'node:assert/strict';
import { it } from 'node:test';
import { evaluateCaptureDetailed } from '../pipeline/evaluate.js';
import { roleModelFor } from '../pipeline/model-registry.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { explainCapture, explainText } from './explain.js';

it('explains the top role exactly: baseline + contributions = mean centred logit of the bins', async () => {
  const e = await evaluateCaptureDetailed(
    `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`,
    {
      anomaly: 'none',
    },
  );
  const x = explainCapture(roleModelFor().model, e, 10_000);
  assert.equal(x.label, e.ranked[0]![0]);
  const t = e.result.detail!.labels.indexOf(x.label!);
  // softmax is shift-invariant, so log p_t − mean_k log p_k is the centred logit of the top label.
  const centred =
    e.binProbabilities.reduce((sum, p) => {
      const logs = [...p].map(Math.log);
      return sum + logs[t]! - logs.reduce((a, b) => a + b, 0) / logs.length;
    }, 0) / e.binProbabilities.length;
  const explained = x.base + x.influences.reduce((a, f) => a + f.contribution, 0);
  assert.ok(Math.abs(centred - explained) < 1e-9, `${centred} vs ${explained}`);
  assert.match(x.influences[0]!.name, /^(outgoing|incoming) /);
});

it("names each one-layer contribution's side of the training mean it is measured from", async () => {
  const e = await evaluateCaptureDetailed(
    `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`,
    { anomaly: 'none' },
  );
  const model = roleModelFor().model;
  const x = explainCapture(model, e, 5);
  const text = explainText(x);
  assert.match(
    text,
    /\(each from how far the feature is from its mean over the training bins: one at its mean adds 0\)/,
  );
  for (const f of x.influences) {
    // A one-layer contribution is z · s with z = (x − mean) / std: 0 at the mean, so its sign alone is no direction.
    assert.equal(f.trainingMean, model.normalisation.means[f.feature]);
    const side = f.value < f.trainingMean! ? 'below' : 'above';
    assert.ok(
      text.includes(`(value ${f.value.toFixed(3)}, ${side} its training mean ${f.trainingMean!.toFixed(3)})`),
      f.name,
    );
  }
  // "outgoing to port 53: +1.088" pushes Unknown up because the plug sends less DNS than the training devices.
  const dns = x.influences.find((f) => f.name === 'outgoing to port 53')!;
  assert.ok(dns.contribution > 0 && dns.value < dns.trainingMean!);
});

it('says why a capture has nothing to explain, as eval does', async () => {
  // 2.9 s of traffic: every session starts inside the bundled model's 120 s warm-up.
  const capture = `${TEST_DATA}behavior/Aria-C9scan-Mon0000-n00.pcap`;
  const x = explainCapture(roleModelFor().model, await evaluateCaptureDetailed(capture, { anomaly: 'none' }));
  assert.equal(x.label, null);
  assert.equal(
    explainText(x),
    `${capture}\n  no sessions after the 120 s warm-up: every address:port pair first appears within it (the capture spans 2.9 s); --warmup 0 keeps its early sessions (valid: false)`,
  );
});
