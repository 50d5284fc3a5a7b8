import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketRecord } from './packet.js';

describe('PacketRecord times', () => {
  it('timeMicrosTo writes what timeMicros returns (half-up rounding, negative and post-2038 seconds)', () => {
    const rec = new PacketRecord();
    const out = new Float64Array(1);
    for (const sec of [
      0, 1, -1, -62, 1_700_000_000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 253_402_300_799,
    ]) {
      for (const nsec of [
        0, 1, 499, 500, 501, 1499, 1500, 999_499, 999_500, 999_999_499, 999_999_500, 999_999_999,
      ]) {
        rec.tsSec = sec;
        rec.tsNsec = nsec;
        rec.timeMicrosTo(out);
        assert.equal(out[0], rec.timeMicros(), `${sec} s ${nsec} ns`);
      }
    }
  });
});
