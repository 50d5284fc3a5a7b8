import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { describe, it } from 'node:test';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { evaluateCaptureDetailed, rankLabels } from './evaluate.js';
import { type WatchUpdate, watchCapture } from './watch.js';

describe('watch follows a stream bin by bin with the batch semantics', () => {
  for (const ref of referenceRecords().filter((r) => r.valid && r.bins.length > 1)) {
    it(ref.pcap, async () => {
      const updates: WatchUpdate[] = [];
      // A stream, not a path: what `tcpdump -w - | networkml watch -` gives.
      await watchCapture(createReadStream(referenceCapturePath(ref)), { anomaly: 'none' }, (u) =>
        updates.push(u),
      );
      const batch = await evaluateCaptureDetailed(referenceCapturePath(ref), { anomaly: 'none' });
      const mine = updates.filter((u) => u.mac === ref.capture_mac);
      // Every non-empty bin of the batch run is one update for the capture's device, with the same numbers.
      assert.equal(mine.length, batch.binProbabilities.length);
      mine.forEach((u, i) => {
        assert.deepEqual(
          u.roles,
          rankLabels(batch.result.detail!.labels, batch.binProbabilities[i]!).slice(0, 3),
        );
      });
      const last = mine.at(-1)!;
      assert.deepEqual(
        last.runningRoles.map(([l]) => l),
        batch.ranked.slice(0, 3).map(([l]) => l),
      );
    });
  }
});
