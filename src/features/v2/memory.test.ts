import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHURN_BIN_S, feedHostChurn } from '../../test-helpers/host-churn.js';
import { retainedArrayBufferBytes } from '../../test-helpers/retained.js';
import { V2Extractor } from './extractor.js';

describe('v2 extractor memory on a long capture whose hosts come and go', () => {
  // 200 bins of 100 new neighbours each: 20,000 hosts, never more than 101 in a bin. A bin's counts are
  // ~10 KiB a host; kept per host of the capture they were ~330 MB here (and 15 GB, 103 s, for a ten-day
  // tunnel capture of 1 M packets). Per host of a bin: ~1 MiB, plus a few bytes per host for the device
  // rule and the features store's first 2.7 MiB.
  it("holds a bin's counts for that bin's hosts only", () => {
    const before = retainedArrayBufferBytes();
    const v2 = new V2Extractor({ durationS: CHURN_BIN_S });
    feedHostChurn((p) => v2.add(p), { bins: 200, newPerBin: 100, macs: true });
    const held = retainedArrayBufferBytes() - before;
    const { hosts, device, pending } = v2.close();
    try {
      assert.ok(held < 24 * 2 ** 20, `${(held / 2 ** 20).toFixed(1)} MiB held`);
      assert.equal(hosts.length, 20_001);
      assert.equal(hosts[device]?.key, '02:00:00:00:00:14');
      assert.equal(pending.length, 200 + 20_000, 'a record per bin of the device, one per neighbour');
    } finally {
      pending.dispose();
    }
  });

  // Without MACs every address is a key. One at a public address never sends from a private one, so it is
  // never a host (close() keeps those that did): counting it was wasted, ~1.4 KiB a record in the store.
  it('keeps no features for public addresses on a link without MACs', () => {
    const v2 = new V2Extractor({ durationS: CHURN_BIN_S });
    feedHostChurn((p) => v2.add(p), { bins: 50, newPerBin: 100, macs: false });
    const { hosts, device, pending } = v2.close();
    try {
      assert.deepEqual(
        hosts.map((h) => h.key),
        ['192.168.1.20'],
      );
      assert.equal(device, 0);
      assert.equal(pending.length, 50, "the device's bins only");
    } finally {
      pending.dispose();
    }
  });
});
