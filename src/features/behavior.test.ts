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

it('the device is the host in the most packets at a private address, not a LAN server that sends more', async () => {
  // An Aria setup capture with an SMB read from a LAN server injected: the server sends 91 packets, the Aria 73.
  const capture = 'test-data/behavior/lan/Aria-C11smbread-Mon0000-n00.pcap';
  const aria = '20:f8:5e:ca:91:52';
  const server = '02:00:00:00:00:a5';
  const a = await analyzeCapture(capture, { features: 'v2', behavior: true, sessionRows: false, warmupS: 0 });
  const behavior = a.behavior!;
  const sent = (key: string) => behavior.hosts.find((h) => h.key === key)!.privateSent;
  assert.ok(sent(server) > sent(aria), `server ${sent(server)}, device ${sent(aria)}`);
  assert.equal(behavior.hosts[behavior.device]!.key, aria);
  const v2 = a.v2!;
  assert.equal(v2.hosts[v2.device]!.key, aria);
  assert.ok(v2.hosts.find((h) => h.key === server)!.privateSent > v2.hosts[v2.device]!.privateSent);
  // The same device as the compat capture source (counted over sessions; warm-up 0, as v2 models read it).
  assert.equal(a.compat.captureMac, aria);
});
