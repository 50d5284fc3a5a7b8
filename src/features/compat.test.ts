import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeCapture, analyzeWholeCapture } from '../pipeline/analyze.js';
import { referenceCapturePath, referenceRecords, TEST_DATA } from '../test-helpers/reference.js';
import { captureHead } from '../test-helpers/repeated-capture.js';
import { COMPAT_FEATURE_COUNT, compatFeatureName, mostVotedAddresses } from './compat.js';

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

describe("readNonZeros gives each bin's vector without expanding it (streamed and whole-capture stores)", () => {
  for (const ref of referenceRecords().filter((r) => r.valid)) {
    it(ref.pcap, async () => {
      for (const analysis of [
        await analyzeCapture(referenceCapturePath(ref)),
        await analyzeWholeCapture(referenceCapturePath(ref)),
      ]) {
        const { compat } = analysis;
        const expanded = new Float64Array(COMPAT_FEATURE_COUNT);
        for (let i = 0; i < compat.bins.length; i++) {
          expanded.fill(0);
          compat.readNonZeros(i, (index, value, from, to) => {
            for (let k = from; k < to; k++) expanded[index[k]!] = value[k]!;
          });
          assert.deepEqual(expanded, compat.bins[i]!.vector, `${analysis.path}: bin ${i}`);
        }
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

describe("a host's own address (mostVotedAddresses): what v2, per-host and watch report for a MAC", () => {
  /** mostVotedAddresses of (MAC, address, votes) texts, ids given in first-seen order: each MAC's address. */
  const mostVoted = (votes: readonly (readonly [string, string, number])[]): [string, string][] => {
    const macs: string[] = [];
    const addresses: string[] = [];
    const idIn = (texts: string[], text: string) => {
      const i = texts.indexOf(text);
      return i >= 0 ? i : texts.push(text) - 1;
    };
    const pairs = votes.map(([mac, address, n]) => [idIn(macs, mac), idIn(addresses, address), n] as const);
    const best = mostVotedAddresses(
      {
        count: pairs.length,
        mac: (i) => pairs[i]![0],
        address: (i) => pairs[i]![1],
        votes: (i) => pairs[i]![2],
      },
      macs.length,
      (a) => addresses[a]!,
    );
    return macs.map((mac, m) => [mac, addresses[best[m]!]!]);
  };
  it('the address with the most votes, ties to the first seen', () => {
    const votes = [
      ['m1', '10.0.0.1', 2],
      ['m2', '10.0.0.9', 5],
      ['m1', '10.0.0.2', 3],
      ['m1', '10.0.0.3', 3],
    ] as const;
    assert.deepEqual(mostVoted(votes), [
      ['m1', '10.0.0.2'],
      ['m2', '10.0.0.9'],
    ]);
  });

  it('0.0.0.0, :: and 255.255.255.255 only for a MAC seen with no other address', () => {
    const votes = [
      ['m1', '0.0.0.0', 9],
      ['m1', '10.0.0.1', 1],
      ['m2', '::', 1],
      ['m3', '255.255.255.255', 4],
      ['m3', 'fe80::1', 1],
    ] as const;
    assert.deepEqual(mostVoted(votes), [
      ['m1', '10.0.0.1'],
      ['m2', '::'],
      ['m3', 'fe80::1'],
    ]);
  });

  it("a device's DHCP exchange does not make 0.0.0.0 its address; compat's capture address is unchanged", async () => {
    // Aria's first 5 packets: EAPOL, then DHCP Discover (0.0.0.0 → broadcast), Offer (to 10.10.10.123) and Request.
    const dir = mkdtempSync(join(tmpdir(), 'networkml-dhcp-head-'));
    try {
      const head = join(dir, 'Aria-head-Mon0000-n00.pcap');
      writeFileSync(head, captureHead(`${TEST_DATA}iot-sentinel/setups/Aria-C10-Mon0000-n00.pcap`, 5));
      const a = await analyzeCapture(head, { features: 'v2', warmupS: 0 });
      assert.equal(a.sessions.sourceIp, '0.0.0.0', 'the original rule, tie to the first vote');
      assert.equal(a.sessions.addressOf?.('20:f8:5e:ca:91:52'), '10.10.10.123');
      assert.equal(a.sessions.addressOf?.('00:00:00:00:00:01'), null, 'a MAC never seen');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
