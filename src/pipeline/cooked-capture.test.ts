/**
 * A Linux cooked capture (`tcpdump -i any`) names one link address per packet, its sender's: the v2 and behaviour
 * extractors key its hosts by address, as a raw-IP capture's, and see the device's packets, services and peers as
 * the raw-IP capture shows them. Keyed by the one MAC, every packet the device received went to a host
 * 00:00:00:00:00:00.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { hostBins } from '../features/behavior.js';
import { relinked } from '../test-helpers/link-rewrite.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { analyzeCapture } from './analyze.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-cooked-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('v2 and behaviour see a cooked capture as the same packets on raw IP', async () => {
  const ethernet = readFileSync(`${TEST_DATA}iot-sentinel/setups/DLinkCam-B3-Mon0000-n00.pcap`);
  const seen = [];
  for (const link of [101, 113, 276] as const) {
    const path = join(dir, `${link}.pcap`);
    writeFileSync(path, relinked(ethernet, link));
    const a = await analyzeCapture(path, { features: 'v2', behavior: true, warmupS: 0 });
    const v2 = a.v2!;
    const behavior = a.behavior!;
    seen.push({
      v2Hosts: v2.hosts.map((h) => `${h.kind} ${h.key}`),
      v2Device: v2.hosts[v2.device]!.key,
      v2Rows: v2.bins.filter((b) => b.host === v2.device).length,
      behaviorHosts: behavior.hosts.map((h) => h.key),
      behaviorDevice: behavior.hosts[behavior.device]!.key,
      // All but the values: byte counts include the link header, which differs (raw IP none, SLL 16, SLL2 20).
      deviceWindows: hostBins(behavior).map(({ values: _, ...w }) => w),
    });
  }
  const [raw, sll, sll2] = seen;
  assert.match(raw!.v2Device, /^10\.10\.10\.\d+$/);
  assert.ok(raw!.deviceWindows.length > 0);
  assert.deepEqual(sll, raw);
  assert.deepEqual(sll2, raw);
});
