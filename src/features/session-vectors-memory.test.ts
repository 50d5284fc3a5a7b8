import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinStream } from '../sessions/bin-stream.js';
import { CHURN_BIN_S, feedHostChurn } from '../test-helpers/host-churn.js';
import { retainedBytes } from '../test-helpers/retained.js';
import { CompatAccumulator } from './compat.js';
import { SessionRowAccumulator } from './session-vectors.js';
import { TextIds } from './text-ids.js';

describe('compat memory on a long capture whose hosts come and go', () => {
  // 200 bins of 100 new LAN neighbours each: 20,000 hosts, each a capture-source vote (address, MAC) and a peer
  // of the device. Votes keyed by "address|MAC" text in two maps, each accumulator's own map and copy of the
  // addresses, and the MAC texts as chains of cons strings held 494–507 bytes a host (~340 now).
  it('keeps under 400 bytes a host, read and finished, as analyzeCapture wires the accumulators', () => {
    const before = retainedBytes();
    const addresses = new TextIds();
    const compat = new CompatAccumulator(false, addresses);
    const rows = new SessionRowAccumulator(false, false, { addresses });
    const stream = new BinStream({ durationS: CHURN_BIN_S, warmupS: 0 }, (store, bins, index) => {
      compat.addBin(store, bins, index);
      rows.addBin(store, bins);
    });
    feedHostChurn((p) => stream.add(p), { bins: 200, newPerBin: 100, macs: true });
    stream.finish();
    const read = (retainedBytes() - before) / 20_001;
    const sessions = rows.finish();
    const features = compat.finish();
    const finished = (retainedBytes() - before) / 20_001;
    assert.ok(read < 400, `${read.toFixed(0)} bytes held per host while reading`);
    assert.ok(finished < 400, `${finished.toFixed(0)} bytes held per host once finished`);
    assert.equal(sessions.sourceIp, '192.168.1.20');
    assert.equal(sessions.addressOf?.('02:01:00:00:4e:1f'), '10.0.78.31', 'the last neighbour');
    assert.equal(features.bins.length, 200);
    assert.equal(features.bins[199]!.otherIps.length, 100);
    assert.equal(addresses.size, 20_001, 'one id per address, shared');
  });
});
