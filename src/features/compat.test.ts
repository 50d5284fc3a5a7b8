import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCapture } from '../pipeline/analyze.js';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { COMPAT_FEATURE_COUNT, compatFeatureName } from './compat.js';

describe('compat features equal NetworkML v0.4.8 on every reference capture', () => {
  for (const ref of referenceRecords()) {
    it(ref.pcap, async () => {
      const a = await analyzeCapture(referenceCapturePath(ref));
      assert.deepEqual(a.sessionsPerBin, ref.bins, 'sessions per bin');
      assert.equal(a.compat.captureMac, ref.capture_mac, 'capture MAC');
      assert.equal(a.compat.bins.length, ref.features.length, 'non-empty bins');
      assert.equal(a.compat.bins.length > 0, ref.valid, 'valid');
      a.compat.bins.forEach((bin, i) => {
        const theirs = ref.features[i]!;
        assert.equal(bin.vector.length, COMPAT_FEATURE_COUNT);
        assert.equal(bin.captureIp, theirs.capture_ip, `bin ${i} capture IP`);
        assert.deepEqual(bin.otherIps, theirs.other_ips, `bin ${i} other IPs`);
        const nonzero: Record<string, number> = {};
        bin.vector.forEach((v, k) => {
          if (v !== 0) nonzero[k] = v;
        });
        // Exact equality: the pretrained model needs the very same numbers.
        assert.deepEqual(nonzero, theirs.nonzero, `bin ${i} features`);
        if (ref.timestamps) assert.equal(bin.timestamp, ref.timestamps[i], `bin ${i} timestamp`);
      });
      if (ref.sos_sequences !== undefined) {
        assert.equal(Math.floor(a.sessions.rows.length / 10), ref.sos_sequences, 'session sequences');
      }
    });
  }
});

describe('compat feature names', () => {
  it('names ports and ratios', () => {
    assert.equal(compatFeatureName(443 + 1024), 'outgoing to port 443');
    assert.equal(compatFeatureName(3072 + 389), 'incoming to port 389');
    assert.equal(compatFeatureName(4097), 'outgoing TCP share');
    assert.throws(() => compatFeatureName(4104), RangeError);
  });
});
