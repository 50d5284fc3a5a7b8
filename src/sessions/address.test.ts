import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { addressBytes, ipv4Text, ipv6Text, isPrivateV4, isPrivateV6, macText, macWords } from './address.js';

function v6(text: string): Uint8Array {
  // Test-only parser for fully written or '::'-compressed addresses.
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

describe('IPv6 text (RFC 5952, as tshark prints)', () => {
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['ff02:0:0:0:0:0:0:fb', 'ff02::fb'],
    ['0:0:0:0:0:ffff:c0a8:101', '::ffff:192.168.1.1'],
  ];
  for (const [full, expected] of cases)
    it(`${full} → ${expected}`, () => assert.equal(ipv6Text(v6(full)), expected));
});

describe("private addresses (Python 3.11's ipaddress.is_private)", () => {
  const v4 = (s: string) => Uint8Array.from(s.split('.').map(Number));
  it('IPv4', () => {
    for (const a of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.1.1',
      '0.1.2.3',
      '192.0.0.8',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '240.0.0.1',
      '255.255.255.255',
    ])
      assert.equal(isPrivateV4(v4(a)), true, a);
    for (const a of [
      '8.8.8.8',
      '172.32.0.1',
      '100.64.0.1',
      '224.0.0.251',
      '239.255.255.250',
      '192.0.0.9',
      '192.0.0.10',
      '1.1.1.1',
    ])
      assert.equal(isPrivateV4(v4(a)), false, a);
  });
  it('IPv6', () => {
    for (const a of [
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '2001:db8::1',
      '2002::1',
      '2001::1',
      '100::1',
      '64:ff9b:1::1',
      '::ffff:a00:1',
    ])
      assert.equal(isPrivateV6(v6(a)), true, a);
    for (const a of [
      '2a00:1450::1',
      'ff02::fb',
      '2001:1::1',
      '2001:3::1',
      '2001:20::1',
      '::ffff:808:808',
      '2001:4:112::1',
    ])
      assert.equal(isPrivateV6(v6(a)), false, a);
  });
});

describe('macWords: a MAC text back to the words it was made from', () => {
  it('reads every text macText writes, and nothing else', () => {
    const words = new Int32Array(2);
    const bytes = new Uint8Array(6);
    let seed = 12345;
    for (let i = 0; i < 2000; i++) {
      for (let b = 0; b < 6; b++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        bytes[b] = i < 2 ? (i === 0 ? 0 : 0xff) : seed >>> 24;
      }
      const text = macText(bytes);
      assert.equal(macWords(text, words), true, text);
      assert.equal(words[0], (bytes[0]! << 8) | bytes[1]!, text);
      assert.equal(words[1], (bytes[2]! << 24) | (bytes[3]! << 16) | (bytes[4]! << 8) | bytes[5]!, text);
    }
    // A lookup by text must find only what comparing texts would: no other spelling of the same MAC.
    for (const other of [
      '00:1A:2B:3C:4D:5E',
      '00-1a-2b-3c-4d-5e',
      '001a.2b3c.4d5e',
      '0:1a:2b:3c:4d:5e',
      '00:1a:2b:3c:4d:5e ',
      '00:1a:2b:3c:4d:5g',
      '',
    ])
      assert.equal(macWords(other, words), false, other);
  });
});

test('addressBytes reads back what ipv4Text and ipv6Text write, and nothing else', () => {
  let seed = 7;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  for (let i = 0; i < 2000; i++) {
    const v6 = Uint8Array.from({ length: 16 }, () => (i % 3 === 0 && next() < 160 ? 0 : next()));
    if (i % 7 === 0) v6.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    assert.deepEqual(addressBytes(ipv6Text(v6)), v6, ipv6Text(v6));
    const v4 = v6.subarray(12);
    assert.deepEqual(addressBytes(ipv4Text(v4)), Uint8Array.from(v4));
  }
  assert.deepEqual(addressBytes('::'), new Uint8Array(16));
  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.256',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    'g::1',
    '1:2:3:4:5:6:7',
    'mac',
  ])
    assert.equal(addressBytes(bad), null, bad);
});
