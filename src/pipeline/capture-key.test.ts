import assert from 'node:assert/strict';
import { it } from 'node:test';
import { captureKey } from './capture-key.js';

it('takes the Poseidon trace key and labels, else the name before the first dot', () => {
  assert.deepEqual(captureKey('/x/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap'), {
    key: 'ab12',
    labels: 'ip6-1-2-3-4',
  });
  assert.deepEqual(captureKey('/some/dir/trace_ab34_2001-01-01_02_03-client-ip-1-2-3-4.pcap'), {
    key: 'ab34',
    labels: 'ip-1-2-3-4',
  });
  assert.deepEqual(captureKey('trace_foo_2020-05-06_23_50_49.pcap'), { key: 'foo', labels: null });
  assert.deepEqual(captureKey('dir/Printer-labs-Fri0036-n00.pcap.gz'), {
    key: 'Printer-labs-Fri0036-n00',
    labels: null,
  });
});
