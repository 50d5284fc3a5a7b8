import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { evaluateCapture } from '../pipeline/evaluate.js';
import type { CaptureResult } from '../result.js';
import { relinked } from '../test-helpers/link-rewrite.js';
import {
  amqpMessageId,
  classifiedWithoutMac,
  clipText,
  errorMessages,
  NO_MAC_WARNING,
  type PoseidonMessage,
  resultMessages,
  type V0Message,
} from './messages.js';

const valid: CaptureResult = {
  file: '/caps/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap',
  key: 'ab12',
  valid: true,
  data: {
    ab12: {
      decisions: { behavior: 'normal', investigate: false },
      classification: { labels: ['Printer', 'Workstation', 'Unknown'], confidences: [0.7, 0.2, 0.1] },
      timestamp: 978314583,
      valid: true,
      source_ip: '10.0.0.5',
      source_mac: '00:11:22:33:44:55',
      pcap_labels: 'ip6-1-2-3-4',
    },
    pcap: 'trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap',
  },
};
const job = { id: 'j1', file_path: 'trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap' };

describe('a capture corrupt part-way: its result marked with capture_error, beside what Poseidon reads', () => {
  const capture_error = {
    kind: 'corrupt' as const,
    offset: 100,
    message: 'x.pcap: corrupt record at byte offset 100: …',
  };
  it('v0: on the first message of the pair; data unchanged', () => {
    const [first, last] = resultMessages('v0', job, { ...valid, capture_error }, '1.2.3') as V0Message[];
    assert.deepEqual(first, {
      ...(resultMessages('v0', job, valid, '1.2.3')[0] as V0Message),
      capture_error,
    });
    assert.equal(last!.capture_error, undefined);
  });
  it('poseidon: at the top level; the devices and valid unchanged', () => {
    const [message] = resultMessages(
      'poseidon',
      job,
      { ...valid, capture_error },
      '1.2.3',
    ) as PoseidonMessage[];
    const plain = resultMessages('poseidon', job, valid, '1.2.3')[0] as PoseidonMessage;
    assert.deepEqual(message, { ...plain, capture_error });
    assert.equal(plain.capture_error, undefined);
  });
});

describe('a result without its device history: marked history false, beside what Poseidon reads', () => {
  it('v0: on the first message of the pair; poseidon: at the top level; data unchanged; absent otherwise', () => {
    const [first, last] = resultMessages('v0', job, valid, '1.2.3', { history: false }) as V0Message[];
    const [plainFirst] = resultMessages('v0', job, valid, '1.2.3') as V0Message[];
    assert.equal(first!.history, false);
    assert.equal(last!.history, undefined);
    assert.equal(plainFirst!.history, undefined);
    assert.deepEqual({ ...first, history: undefined }, { ...plainFirst, history: undefined });
    const [marked] = resultMessages('poseidon', job, valid, '1.2.3', { history: false }) as PoseidonMessage[];
    const [plain] = resultMessages('poseidon', job, valid, '1.2.3') as PoseidonMessage[];
    assert.equal(marked!.history, false);
    assert.equal('history' in plain!, false);
    assert.deepEqual(marked!.data, plain!.data);
    assert.equal(marked!.valid, plain!.valid);
  });
});

describe('resultMessages', () => {
  it("v0: the original's message, then the end-of-batch marker", () => {
    const [first, last] = resultMessages('v0', job, valid, '1.2.3') as V0Message[];
    assert.deepEqual(first, {
      id: 'j1',
      type: 'metadata',
      file_path: job.file_path,
      data: valid.data,
      results: { tool: 'networkml', version: '1.2.3' },
    });
    assert.equal(last?.data, '');
    assert.equal(last?.id, 'j1');
  });
  it('poseidon: one message, devices keyed by MAC with three labels and confidences', () => {
    const messages = resultMessages('poseidon', job, valid, '1.2.3') as PoseidonMessage[];
    assert.equal(messages.length, 1);
    const message = messages[0]!;
    assert.equal(message.tool, 'networkml');
    assert.equal(message.valid, true);
    assert.deepEqual(message.data.mac_addresses['00:11:22:33:44:55'], {
      uid: 'j1',
      file_path: job.file_path,
      pcap: 'trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap',
      pcap_key: 'ab12',
      pcap_labels: 'ip6-1-2-3-4',
      timestamp: 978314583,
      source_ip: '10.0.0.5',
      decisions: { investigate: false },
      classification: { labels: ['Printer', 'Workstation', 'Unknown'], confidences: [0.7, 0.2, 0.1] },
    });
  });
  it('poseidon: a capture without usable sessions is published with no devices and valid false', () => {
    const invalid: CaptureResult = {
      file: '/caps/x.pcap',
      key: 'x',
      valid: false,
      data: { x: { valid: false, pcap: 'x.pcap' }, pcap: 'x.pcap' },
    };
    const [message] = resultMessages(
      'poseidon',
      { id: 'j2', file_path: 'x.pcap' },
      invalid,
      '1',
    ) as PoseidonMessage[];
    assert.equal(message?.valid, false);
    assert.deepEqual(message?.data.mac_addresses, {});
  });
  it("says why a result has no device, and passes on the reader's warnings, clipped, in both formats", () => {
    const reason = 'no sessions after the 120 s warm-up: every address:port pair first appears within it';
    const warnings = [
      'x.pcap: truncated capture: the last record at byte offset 99944 is incomplete',
      'w'.repeat(5000),
    ];
    const invalid: CaptureResult = {
      file: '/caps/x.pcap',
      key: 'x',
      valid: false,
      reason,
      warnings,
      data: { x: { valid: false, pcap: 'x.pcap' }, pcap: 'x.pcap' },
    };
    const [poseidon] = resultMessages(
      'poseidon',
      { id: 'j3', file_path: 'x.pcap' },
      invalid,
      '1',
    ) as PoseidonMessage[];
    assert.equal(poseidon?.reason, reason);
    assert.equal(poseidon?.warnings?.[0], warnings[0]);
    assert.ok(Buffer.byteLength(poseidon!.warnings![1]!) < 2000);
    const [v0, end] = resultMessages('v0', { id: 'j3', file_path: 'x.pcap' }, invalid, '1') as V0Message[];
    assert.equal(v0?.reason, reason);
    assert.equal(v0?.warnings?.length, 2);
    assert.equal(end?.reason, undefined);
    // A valid result has no reason to give; its warnings still go with it.
    const [ok] = resultMessages(
      'poseidon',
      job,
      { ...valid, reason: 'unused', warnings },
      '1',
    ) as PoseidonMessage[];
    assert.equal(ok?.valid, true);
    assert.equal(ok?.reason, undefined);
    assert.equal(ok?.warnings?.length, 2);
  });
});

describe('errorMessages', () => {
  it('v0: valid false under the key, plus the error text', () => {
    const [first] = errorMessages(
      'v0',
      { id: 'j3', file_path: 'sub/bad.pcap' },
      'bad.pcap: no such file',
      '1',
    ) as V0Message[];
    assert.deepEqual(first?.data, { bad: { valid: false, pcap: 'bad.pcap' }, pcap: 'bad.pcap' });
    assert.equal(first?.valid, false);
    assert.equal(first?.error, 'bad.pcap: no such file');
  });
  it('poseidon: no devices, valid false, the error text', () => {
    const [message] = errorMessages(
      'poseidon',
      { id: null, file_path: null },
      'malformed',
      '1',
    ) as PoseidonMessage[];
    assert.deepEqual(message, {
      tool: 'networkml',
      id: null,
      file_path: null,
      valid: false,
      error: 'malformed',
      data: { mac_addresses: {} },
    });
  });
  it('clips a huge id, path and error: the message stays small', () => {
    const path = `/x/${'p'.repeat(70_000_000)}`;
    for (const format of ['v0', 'poseidon'] as const) {
      const messages = errorMessages(
        format,
        { id: 'i'.repeat(1_000_000), file_path: path },
        `${path}: cannot be read (ENAMETOOLONG)`,
        '1',
      );
      const size = messages.reduce((n, m) => n + JSON.stringify(m).length, 0);
      assert.ok(size < 8000, `${format}: ${size} characters`);
      const first = messages[0] as { id: string; file_path: string; error: string };
      assert.equal(first.file_path, `${path.slice(0, 256)}… (70000003 bytes)`);
      assert.equal(first.id, `${'i'.repeat(256)}… (1000000 bytes)`);
      assert.match(first.error, /… \(\d+ bytes\)$/);
    }
  });
  it('clipText leaves short text alone and counts bytes, not characters', () => {
    assert.equal(clipText('short'), 'short');
    assert.equal(clipText('é'.repeat(300), 2), 'éé… (600 bytes)');
  });
});

it('makes an AMQP message-id of any id: at most 255 bytes, whole characters', () => {
  assert.equal(amqpMessageId(null), null);
  assert.equal(amqpMessageId('job-1'), 'job-1');
  const fits = 'i'.repeat(255);
  assert.equal(amqpMessageId(fits), fits);
  assert.equal(amqpMessageId(`${fits}i`), fits);
  // 'é' is 2 bytes: 254 'i' then 'é' would end at byte 256, so the é is left out whole.
  const cut = amqpMessageId(`${'i'.repeat(254)}é${'x'.repeat(10)}`);
  assert.equal(cut, 'i'.repeat(254));
  assert.ok(Buffer.byteLength(amqpMessageId('€'.repeat(300)), 'utf8') <= 255);
  assert.equal(amqpMessageId('€'.repeat(300)), '€'.repeat(85));
});

describe('a device without a MAC (raw IP, Linux cooked): the drop Poseidon makes of it is said, not silent', () => {
  // Poseidon files a result under the MAC of an endpoint it knows; such a device is keyed "" and dropped. Before,
  // nothing in the message said so.
  const dir = mkdtempSync(join(tmpdir(), 'networkml-no-mac-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ethernet = readFileSync(
    join(import.meta.dirname, '../../test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap'),
  );

  it('poseidon and v0: NO_MAC_WARNING first among the warnings; the device and valid unchanged', async () => {
    for (const linkType of [101, 113] as const) {
      const path = join(dir, `aria-${linkType}.pcap`);
      writeFileSync(path, relinked(ethernet, linkType));
      const result = await evaluateCapture(path);
      assert.equal(classifiedWithoutMac(result), true);
      const [poseidon] = resultMessages('poseidon', job, result, '1.2.3') as PoseidonMessage[];
      assert.equal(poseidon!.valid, true);
      assert.deepEqual(Object.keys(poseidon!.data.mac_addresses), ['']);
      assert.deepEqual(poseidon!.warnings, [NO_MAC_WARNING]);
      const [v0] = resultMessages('v0', job, result, '1.2.3') as V0Message[];
      assert.deepEqual(v0!.warnings, [NO_MAC_WARNING]);
    }
  });

  it('a device with its MAC, or no device at all: no such warning', async () => {
    const path = join(dir, 'aria.pcap');
    writeFileSync(path, ethernet);
    const result = await evaluateCapture(path);
    assert.equal(classifiedWithoutMac(result), false);
    assert.equal(
      (resultMessages('poseidon', job, result, '1.2.3')[0] as PoseidonMessage).warnings,
      undefined,
    );
    const none = { ...valid, valid: false, data: { pcap: 'x.pcap' }, reason: 'no sessions' };
    assert.equal(classifiedWithoutMac(none), false);
  });
});
