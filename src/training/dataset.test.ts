import assert from 'node:assert/strict';
import { it } from 'node:test';
import { NetworkmlError } from '../errors.js';
import { labelOf } from './dataset.js';

it('labels captures by file-name prefix, through the assignments when given', () => {
  assert.equal(labelOf('/d/ActiveDirectoryController-labs-Fri0036-n00.pcap'), 'ActiveDirectoryController');
  assert.equal(labelOf('Aria-A1-Mon0000-n00.pcap'), 'Aria');
  assert.equal(labelOf('Printer-x-Mon0000-n00.pcap.gz', { Printer: 'Printer' }), 'Printer');
  assert.equal(
    labelOf('ActiveDirectoryController-labs-Fri0036-n00.pcap', {
      ActiveDirectoryController: 'Active Directory controller',
    }),
    'Active Directory controller',
  );
  assert.throws(() => labelOf('capture.pcap'), NetworkmlError);
  assert.throws(() => labelOf('Foo-a-b-c.pcap', { Bar: 'Bar' }), /no entry/);
});
