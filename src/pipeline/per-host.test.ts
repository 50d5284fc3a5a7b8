import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { relinked } from '../test-helpers/link-rewrite.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { trainFromCaptures } from '../training/run.js';
import { evaluateCaptureDetailed, evaluateHosts, HOSTS_PER_READ, type HostEvaluation } from './evaluate.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-hosts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The reference captures of these devices merged in time order (mergecap), as one capture of several hosts. */
function mergedCapture(name: string, devices: readonly string[]): string {
  const merged = join(dir, name);
  const captures = `${TEST_DATA}reference/captures`;
  const inputs = devices.map((d) => `${captures}/${d}-sentinel-Mon0000-n00.pcap`);
  execFileSync('mergecap', ['-F', 'pcap', '-w', merged, ...inputs]);
  return merged;
}

it('per-host mode gives one result per device of a capture holding several', async () => {
  const merged = mergedCapture('two-devices.pcap', ['EdimaxPlug1101W', 'DLinkCam']);
  const hosts = await evaluateHosts(merged, { anomaly: 'none' });
  const keys = hosts.map((h) => h.result.key);
  assert.ok(keys.includes('74:da:38:4a:76:49'), keys.join(' '));
  assert.ok(keys.includes('b0:c5:54:25:5b:0e'), keys.join(' '));
  for (const h of hosts.filter((x) => x.result.valid)) {
    const device = h.result.data[h.result.key] as { source_mac: string };
    assert.equal(device.source_mac, h.result.key);
  }
  // Whole-capture mode still picks a single device for the same file.
  const whole = await evaluateCaptureDetailed(merged, { anomaly: 'none' });
  assert.equal(whole.result.key, 'two-devices');
});

/** A host's result and history entry as plain data (typed arrays as arrays), to compare with deepEqual. */
function plainHost(e: HostEvaluation): unknown {
  return JSON.parse(
    JSON.stringify(e, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
  );
}

it('reads the hosts of a capture in groups that give every host the same evaluation as one read', async () => {
  const merged = mergedCapture('three-devices.pcap', ['EdimaxPlug1101W', 'DLinkCam', 'DLinkDayCam']);
  // A v2 model and its behaviour model: the per-host extractors and the behaviour windows of each history entry.
  const setups = `${TEST_DATA}iot-sentinel/setups`;
  const v2 = join(dir, 'v2.json');
  await trainFromCaptures({
    paths: ['Aria-A1', 'Aria-A2', 'HueBridge-A1', 'HueBridge-A2', 'iKettle2-A1', 'iKettle2-A2'].map(
      (n) => `${setups}/${n}-Mon0000-n00.pcap`,
    ),
    save: v2,
    features: 'v2',
    threads: 1,
  });
  for (const options of [{}, { modelPath: v2 }]) {
    const one = await evaluateHosts(merged, options, 1_000);
    assert.ok(one.length > 3 && one.length <= HOSTS_PER_READ, `${one.length} hosts`);
    assert.ok(one.some((e) => e.history !== null));
    for (const size of [1, 2]) {
      const grouped = await evaluateHosts(merged, options, size);
      assert.deepEqual(grouped.map(plainHost), one.map(plainHost), `${size} per read`);
    }
  }
});

it('per-host mode keys hosts by address where frames do not begin with MACs, each host as its own capture', async () => {
  const ethernet = mergedCapture('two-devices-ethernet.pcap', ['EdimaxPlug1101W', 'DLinkCam']);
  // The devices' addresses, from the Ethernet capture's hosts.
  const devices = new Map<string, string>();
  for (const h of await evaluateHosts(ethernet, { anomaly: 'none' })) {
    const d = h.result.data[h.result.key] as { source_ip: string } | undefined;
    if (['74:da:38:4a:76:49', 'b0:c5:54:25:5b:0e'].includes(h.result.key) && d)
      devices.set(h.result.key, d.source_ip);
  }
  assert.equal(devices.size, 2);
  const bytes = readFileSync(ethernet);
  for (const link of [101, 113, 276] as const) {
    const path = join(dir, `two-devices-${link}.pcap`);
    writeFileSync(path, relinked(bytes, link));
    const hosts = await evaluateHosts(path, { anomaly: 'none' });
    const keys = hosts.map((h) => h.result.key);
    // Not the header bytes the compat features read as MACs: one host per address, no more.
    for (const key of keys) assert.match(key, /^\d+\.\d+\.\d+\.\d+$/, `${link}: ${keys.join(' ')}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const address of devices.values()) {
      const host = hosts.find((h) => h.result.key === address);
      assert.ok(host, `${link}: ${address} among ${keys.join(' ')}`);
      const own = join(dir, `own-${link}-${address}.pcap`);
      writeFileSync(own, relinked(bytes, link, address));
      const alone = await evaluateCaptureDetailed(own, { anomaly: 'none' });
      const mine = host.result.data[address] as {
        source_ip: string;
        source_mac: string;
        classification: unknown;
      };
      const its = alone.result.data[alone.result.key] as typeof mine;
      assert.equal(mine.source_ip, address);
      assert.equal(mine.source_mac, '');
      assert.deepEqual(mine.classification, its.classification, `${link}: ${address}`);
    }
  }
});
