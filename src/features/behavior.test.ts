import assert from 'node:assert/strict';
import { it } from 'node:test';
import { analyzeCapture } from '../pipeline/analyze.js';
import { hostBins, hostRecords } from './behavior.js';

const CAPTURE = 'test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap';

it('recordsOf reads each host the same bins as binsOf, one at a time', async () => {
  // One-minute windows: several per host.
  const a = await analyzeCapture(CAPTURE, { behavior: true, behaviorWindowS: 60, sessionRows: false });
  const result = a.behavior!;
  assert.ok(result.device >= 0);
  let compared = 0;
  for (let h = 0; h < result.hosts.length; h++) {
    const bins = result.binsOf(h);
    const records = result.recordsOf(h);
    assert.equal(records.length, bins.length, `host ${h}`);
    for (let i = 0; i < bins.length; i++) assert.deepEqual(records.get(i), bins[i]);
    // Fresh objects on each read: nothing is held between them.
    if (bins.length > 0) assert.notEqual(records.get(0), records.get(0));
    compared += bins.length;
  }
  assert.ok(compared > result.hosts.length, `${compared} bins`);
  const device = hostRecords(result);
  assert.ok(device.length > 1, `${device.length} device windows`);
  assert.deepEqual(
    Array.from({ length: device.length }, (_, i) => device.get(i)),
    hostBins(result),
  );
  const key = result.hosts[result.device]!.key;
  assert.deepEqual(hostRecords(result, key).get(0), hostBins(result, key)[0]);
  const none = hostRecords(result, 'no such host');
  assert.equal(none.length, 0);
  assert.throws(() => none.get(0), RangeError);
  assert.throws(() => device.get(device.length), RangeError);
});
