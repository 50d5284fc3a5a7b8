import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHURN_BIN_S, feedHostChurn } from '../test-helpers/host-churn.js';
import { retainedArrayBufferBytes } from '../test-helpers/retained.js';
import { BehaviorExtractor, hostBins } from './behavior.js';

describe('behaviour extractor memory on a long capture whose hosts come and go', () => {
  // 200 bins of 100 new neighbours each: 20,000 hosts, never more than 101 in a bin. A host's bin state
  // (flow columns, peer and flow tables) is ~8 KiB: one per host of the capture was ~160 MiB here.
  it('holds bin states for the busiest bin’s hosts only', () => {
    const before = retainedArrayBufferBytes();
    const behavior = new BehaviorExtractor({ durationS: CHURN_BIN_S });
    feedHostChurn((p) => behavior.add(p), { bins: 200, newPerBin: 100, macs: true });
    const held = retainedArrayBufferBytes() - before;
    assert.ok(held < 16 * 2 ** 20, `${(held / 2 ** 20).toFixed(1)} MiB held`);
    const result = behavior.finish();
    assert.equal(result.hosts.length, 20_001);
    assert.equal(result.hosts[result.device]?.key, '02:00:00:00:00:14');
    // States lent to other hosts bin after bin still give each window its own counts.
    const windows = hostBins(result);
    assert.equal(windows.length, 200);
    for (const w of windows) assert.equal(w.packets, 200, `bin ${w.bin}: 100 packets each way`);
  });
});
