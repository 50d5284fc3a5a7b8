import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHURN_BIN_S, feedHostChurn } from '../test-helpers/host-churn.js';
import { retainedArrayBufferBytes, retainedBytes } from '../test-helpers/retained.js';
import { BehaviorExtractor, hostBins } from './behavior.js';

/** An extractor fed `bins` bins of `newPerBin` new neighbours each, and the bytes it holds per host, heap included. */
function fedChurn(bins: number, newPerBin: number): { behavior: BehaviorExtractor; perHost: number } {
  const before = retainedBytes();
  const behavior = new BehaviorExtractor({ durationS: CHURN_BIN_S });
  feedHostChurn((p) => behavior.add(p), { bins, newPerBin, macs: true });
  return { behavior, perHost: (retainedBytes() - before) / (bins * newPerBin + 1) };
}

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

  // What a host of the capture costs once its bins are closed: an object per host (key, kind, counts, its bin
  // state) held 465 bytes a host here, heap included; its key text and columns ~330.
  it('keeps under 400 bytes a host of the capture, heap included', () => {
    const { behavior, perHost } = fedChurn(200, 100);
    assert.ok(perHost < 400, `${perHost.toFixed(0)} bytes held per host`);
    const result = behavior.finish();
    assert.equal(result.hosts[result.device]?.key, '02:00:00:00:00:14');
    assert.deepEqual(result.hosts[0], {
      key: '02:01:00:00:00:00',
      kind: 'mac',
      privateSent: 1,
      stacks: 1 << 1,
    });
  });

  // A MAC flood puts its hosts in one bin. A bin state of its own tables per host (18 typed arrays, 3 hash
  // tables) was ~8 KiB off V8's heap, 5.9 KiB here when they started small (on the heap); a million frames ran
  // V8's heap out of memory. Now a host's flows and peers are rows of the bin's tables: ~930 bytes a host here,
  // ~810 since the hosts of the capture are columns.
  it('holds a flood of 20,000 hosts in one bin in under 2 KB a host', () => {
    const { behavior, perHost } = fedChurn(1, 20_000);
    assert.ok(perHost < 2000, `${perHost.toFixed(0)} bytes held per host`);
    const result = behavior.finish();
    assert.equal(hostBins(result).length, 1);
    assert.equal(hostBins(result)[0]!.packets, 40_000);
  });
});
