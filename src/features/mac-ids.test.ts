import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { macText } from '../sessions/address.js';
import { MacIds } from './mac-ids.js';

describe('MacIds', () => {
  it('gives dense ids in first-seen order and finds them by text as macText writes it', () => {
    const ids = new MacIds();
    const macs = [
      [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x02, 0x00, 0x00, 0x00, 0x00, 0x01],
      [0x80, 0x00, 0xc0, 0xa8, 0x01, 0x02],
    ].map((b) => Uint8Array.from(b));
    const words = (m: Uint8Array): [number, number] => [
      (m[0]! << 8) | m[1]!,
      (m[2]! << 24) | (m[3]! << 16) | (m[4]! << 8) | m[5]!,
    ];
    for (const [i, m] of macs.entries()) assert.equal(ids.id(...words(m)), i);
    for (const [i, m] of macs.entries()) assert.equal(ids.id(...words(m)), i, 'the same id again');
    assert.equal(ids.size, macs.length);
    for (const [i, m] of macs.entries()) assert.equal(ids.find(macText(m)), i);
    assert.equal(ids.find('00:1A:2B:3C:4D:5E'), -1);
    assert.equal(ids.find('00:1a:2b:3c:4d:5f'), -1);
    assert.equal(ids.size, macs.length, 'find adds nothing');
  });
});
