import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { TEST_DATA } from '../test-helpers/reference.js';
import { evaluateCaptureDetailed, evaluateHosts } from './evaluate.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-hosts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('per-host mode gives one result per device of a capture holding several', async () => {
  const captures = `${TEST_DATA}reference/captures`;
  const merged = join(dir, 'two-devices.pcap');
  execFileSync('mergecap', [
    '-F',
    'pcap',
    '-w',
    merged,
    `${captures}/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`,
    `${captures}/DLinkCam-sentinel-Mon0000-n00.pcap`,
  ]);
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
