/**
 * Only Ethernet frames begin with MACs. The compat features read a "MAC" from every frame's first 12 bytes, as
 * the original did; for raw IP, loopback and cooked (SLL, SLL2) captures those are header bytes, which must not
 * be shown as the device's address nor key its history (they even change with the warm-up).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InspectRecord } from '../../outputs/inspect.js';
import type { CaptureResult } from '../../result.js';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const edge = `${TEST_DATA}captures/edge`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-link-types-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { NETWORKML_DATA_DIR: join(dir, 'data') };

function run(args: string[]): string {
  const r = runCli(args, { env });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function historyUpdates(mac: string): number {
  return (JSON.parse(run(['history', '--json', mac])) as { updates: unknown[] }).updates.length;
}

describe('a capture whose frames do not begin with MACs', () => {
  for (const name of ['raw101', 'raw228', 'null-le', 'loop', 'sll', 'sll2']) {
    it(`${name}: no device MAC in the result, no history under the header bytes, inspect says what they are`, () => {
      const capture = join(edge, `${name}.pcap`);
      const record = JSON.parse(run(['inspect', '--json', '--warmup', '0', capture])) as InspectRecord;
      assert.ok(record.capture_mac, 'the features still have their capture source');
      assert.equal(record.capture_mac_is_address, false);
      assert.match(
        run(['inspect', '--warmup', '0', capture]),
        /capture source: \S+ \(not an address: the features read the first 12 bytes of .+ frames as MACs, as the original did\)/,
      );
      const result = JSON.parse(run(['eval', '--json', '--warmup', '0', capture])) as CaptureResult;
      const device = result.data[result.key];
      assert.ok(device && typeof device === 'object' && device.valid);
      assert.equal(device.source_mac, '');
      assert.match(
        run(['eval', '--warmup', '0', capture]),
        new RegExp(`^${name}\\s+-\\s+192\\.168\\.1\\.10`, 'm'),
      );
      assert.equal(historyUpdates(record.capture_mac), 0);
    });
  }

  it('an Ethernet capture keeps its MAC, in the result, inspect and the history', () => {
    const capture = join(edge, 'real-be-us.pcap');
    const record = JSON.parse(run(['inspect', '--json', '--warmup', '0', capture])) as InspectRecord;
    assert.equal(record.capture_mac, '5c:cf:7f:06:d9:02');
    assert.equal('capture_mac_is_address' in record, false);
    const result = JSON.parse(run(['eval', '--json', '--warmup', '0', capture])) as CaptureResult;
    const device = result.data[result.key];
    assert.ok(device && typeof device === 'object' && device.valid);
    assert.equal(device.source_mac, '5c:cf:7f:06:d9:02');
    assert.equal(historyUpdates('5c:cf:7f:06:d9:02'), 1);
  });
});
