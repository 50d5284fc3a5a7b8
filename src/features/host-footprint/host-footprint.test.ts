import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readCapture } from '../../capture/reader.js';
import { TEST_DATA, v068Records } from '../../test-helpers/reference.js';
import { pythonAddressText, roundToFloat64 } from './address.js';
import { preciseXstrtod, pythonFloatRepr } from './csv-float.js';
import { HostFootprintExtractor } from './extractor.js';
import { HOST_FOOTPRINT_FEATURES } from './names.js';
import { PySet, strHash } from './pyset.js';

test('the 221 names are the model file order', () => {
  const model = JSON.parse(
    readFileSync(new URL('../../../models/host-footprint-v0.6.8.json', import.meta.url), 'utf8'),
  );
  assert.deepEqual(HOST_FOOTPRINT_FEATURES, model.features);
});

test('every reference capture, both modes: the same hosts in the same order, every feature equal', async () => {
  const records = v068Records();
  assert.equal(records.length, 16);
  let values = 0;
  for (const ref of records) {
    const ex = new HostFootprintExtractor({ csvChunkRows: ref.csv_chunk_rows });
    await readCapture(`${TEST_DATA}reference/captures/${ref.pcap}`, (p) => ex.add(p));
    const { hosts } = ex.finish(ref.mode);
    const where = `${ref.pcap} ${ref.mode}`;
    assert.deepEqual(
      hosts.map((h) => h.mac),
      ref.hosts.map((h) => h.mac),
      where,
    );
    hosts.forEach((h, i) => {
      const r = ref.hosts[i]!;
      assert.equal(h.sourceIp, r.ip, `${where} ${h.mac} source_ip`);
      assert.deepEqual([...h.srcips].sort(), r.srcips, `${where} ${h.mac} srcips`);
      assert.equal(h.timestamp, r.timestamp, `${where} ${h.mac} timestamp`);
      HOST_FOOTPRINT_FEATURES.forEach((name, j) => {
        assert.equal(h.features[j], r.features[name], `${where} ${h.mac} ${name}`);
        values++;
      });
    });
  }
  assert.equal(values, 7293);
});

test('IPv6 rounding: pandas float64 turns fe80::217:88ff:fe24:76ff into fe80:: and ::1 into 0.0.0.1', () => {
  const w = new Uint32Array([0xfe800000, 0, 0x021788ff, 0xfe2476ff]);
  roundToFloat64(w);
  assert.equal(pythonAddressText(w), 'fe80::');
  const one = new Uint32Array([0, 0, 0, 1]);
  roundToFloat64(one);
  assert.equal(pythonAddressText(one), '0.0.0.1');
  // Round half to even at bit 75 (an exact tie rounds down to the even neighbour).
  const tie = new Uint32Array([0x80000000, 0x00000400, 0, 0]);
  roundToFloat64(tie);
  assert.deepEqual([...tie], [0x80000000, 0, 0, 0]);
});

test('CPython set order and string hashes (PYTHONHASHSEED=0), as python3.11 prints them', () => {
  assert.equal(BigInt.asIntN(64, strHash('10.10.10.1')), -3084808887505007331n);
  assert.equal(BigInt.asIntN(64, strHash('None')), 6326007198132564125n);
  const set = PySet.from(['0.0.0.0', '10.10.10.123', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], strHash);
  assert.deepEqual(
    [...set.difference(PySet.from(['None'], strHash))],
    ['d', 'f', '0.0.0.0', 'g', 'h', 'b', 'c', 'a', 'e', '10.10.10.123'],
  );
  const ints = PySet.from([5, 13, 21, 1, 0x380b40ef8541], (n) => BigInt(n));
  assert.deepEqual([...ints], [0x380b40ef8541, 1, 5, 13, 21]);
});

test("Python repr and pandas' float parser: the 1-ulp re-read the original's scaler saw", () => {
  assert.equal(pythonFloatRepr(0.9638829482758621), '0.9638829482758621');
  assert.equal(pythonFloatRepr(1.5e-5), '1.5e-05');
  assert.equal(pythonFloatRepr(123456789012345680), '1.2345678901234568e+17');
  assert.equal(pythonFloatRepr(87), '87.0');
  assert.equal(preciseXstrtod('0.9638829482758621'), 0.963882948275862);
});

test('a capture without Ethernet frames says so in both modes, not "no unicast MAC addresses"', async () => {
  // Linux cooked capture (`tcpdump -i any`): its frames carry a source MAC the original never read.
  for (const mode of ['srcmacid', 'no-srcmacid'] as const) {
    const ex = new HostFootprintExtractor();
    await readCapture(`${TEST_DATA}captures/edge/sll.pcap`, (p) => ex.add(p));
    assert.deepEqual(ex.finish(mode), { hosts: [], note: 'no Ethernet frames' }, mode);
  }
});
