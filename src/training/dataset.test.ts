import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { CaptureError, NetworkmlError, UsageError } from '../errors.js';
import {
  labelOf,
  labelOfGiven,
  labelsDifferingInCase,
  loadLabelAssignments,
  trainingLabelsOf,
} from './dataset.js';

it('labels captures by file-name prefix, through the assignments when given', () => {
  assert.equal(labelOf('/d/ActiveDirectoryController-labs-Fri0036-n00.pcap'), 'ActiveDirectoryController');
  assert.equal(labelOf('Aria-A1-Mon0000-n00.pcap'), 'Aria');
  assert.equal(labelOf('Printer-x-Mon0000-n00.pcap.gz', new Map([['Printer', 'Printer']])), 'Printer');
  assert.equal(
    labelOf(
      'ActiveDirectoryController-labs-Fri0036-n00.pcap',
      new Map([['ActiveDirectoryController', 'Active Directory controller']]),
    ),
    'Active Directory controller',
  );
  assert.equal(labelOf('HP.LaserJet-floor2-Fri0036-n00.pcap'), 'HP.LaserJet', 'dots are part of a label');
  assert.throws(() => labelOf('capture.pcap'), NetworkmlError);
  assert.throws(() => labelOf('HP.LaserJet.pcap'), NetworkmlError);
  assert.throws(() => labelOf('Foo-a-b-c.pcap', new Map([['Bar', 'Bar']])), /no entry/);
});

it('reports a path given that is not there as unreadable before judging its name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nml-given-'));
  try {
    const missing = join(dir, 'capturez');
    assert.throws(
      () => labelOfGiven(missing),
      (err: unknown) =>
        err instanceof CaptureError && err.message === `${missing}: cannot read: no such file`,
    );
    assert.throws(() => trainingLabelsOf([missing]), /cannot read: no such file/);
    // There, the name is judged; a name alone (labelOf) is judged as it is.
    writeFileSync(missing, '');
    assert.throws(() => labelOfGiven(missing), /file name does not follow/);
    assert.throws(() => labelOf(join(dir, 'nonexist')), /file name does not follow/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('refuses the reserved label Unknown for training, by file name or through the assignments', () => {
  assert.deepEqual(trainingLabelsOf(['Aria-A1-Mon0000-n00.pcap', 'Plug-x-Mon0000-n00.pcap']), [
    'Aria',
    'Plug',
  ]);
  assert.throws(
    () => trainingLabelsOf(['Aria-A1-Mon0000-n00.pcap', '/d/Unknown-x-Mon0000-n00.pcap']),
    (err: unknown) =>
      err instanceof UsageError && /^Unknown-x-Mon0000-n00\.pcap: 'Unknown' is reserved/.test(err.message),
  );
  assert.throws(
    () => trainingLabelsOf(['Aria-A1-Mon0000-n00.pcap'], new Map([['Aria', 'Unknown']])),
    /reserved/,
  );
  // test reads such a capture as one of an unknown type.
  assert.equal(labelOf('Unknown-x-Mon0000-n00.pcap'), 'Unknown');
});

it('refuses label assignments with an empty label (a model cannot hold one)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nml-labels-'));
  try {
    const path = join(dir, 'labels.json');
    writeFileSync(path, JSON.stringify({ Aria: '', Plug: 'Plug' }));
    assert.throws(
      () => loadLabelAssignments(path),
      (err: unknown) => err instanceof UsageError,
    );
    writeFileSync(path, JSON.stringify({ Aria: 'Scale', Plug: 'Plug' }));
    assert.deepEqual(
      loadLabelAssignments(path),
      new Map([
        ['Aria', 'Scale'],
        ['Plug', 'Plug'],
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('looks prefixes up as names, not as properties every object inherits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nml-labels-'));
  try {
    const path = join(dir, 'labels.json');
    writeFileSync(path, '{"S7Client": "eng", "__proto__": "proto", "toString": "text"}');
    const assignments = loadLabelAssignments(path);
    assert.equal(labelOf('__proto__-a-b-c.pcap', assignments), 'proto');
    assert.equal(labelOf('toString-a-b-c.pcap', assignments), 'text');
    for (const prefix of ['constructor', 'hasOwnProperty', 'valueOf'])
      assert.throws(
        () => labelOf(`${prefix}-a-b-c.pcap`, assignments),
        (err: unknown) =>
          err instanceof NetworkmlError &&
          err.message === `${prefix}-a-b-c.pcap: prefix '${prefix}' has no entry in the label assignments`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('groups the labels that differ only in letter case, with their captures counted', () => {
  assert.deepEqual(
    labelsDifferingInCase(['Printer', 'Camera', 'printer', 'Printer', 'PRINTER', 'camera', 'NAS']),
    [
      [
        ['Printer', 2],
        ['printer', 1],
        ['PRINTER', 1],
      ],
      [
        ['Camera', 1],
        ['camera', 1],
      ],
    ],
  );
  assert.deepEqual(labelsDifferingInCase(['Printer', 'Printer', 'NAS']), []);
});
