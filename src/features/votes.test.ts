import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../models/rng.js';
import { VoteTally } from './votes.js';

/** The scan the tally keeps up to date: most votes, ties to the first voted, none without a vote (-1). */
function scannedLeader(tally: VoteTally): number {
  let best = -1;
  let bestVotes = 0;
  for (let pair = 0; pair < tally.count; pair++) {
    if (tally.votes(pair) > bestVotes) {
      best = pair;
      bestVotes = tally.votes(pair);
    }
  }
  return best;
}

describe('VoteTally', () => {
  it('names the leader the scan over all votes names, after every vote', () => {
    const rng = new Rng(5);
    for (let run = 0; run < 200; run++) {
      const tally = new VoteTally();
      const addresses = rng.int(1, 4);
      const macs = rng.int(1, 3);
      const seen: string[] = [];
      const sums = new Map<string, number>();
      for (let v = 0; v < 60; v++) {
        // Small counts and zeros, so ties are common.
        const address = rng.int(0, addresses);
        const mac = rng.int(0, macs);
        const n = rng.int(0, 3);
        tally.add(address, mac, n);
        const key = `${address} ${mac}`;
        if (!seen.includes(key)) seen.push(key);
        sums.set(key, (sums.get(key) ?? 0) + n);
        assert.equal(tally.count, seen.length, 'a pair per (address, MAC), in first-vote order');
        for (let pair = 0; pair < tally.count; pair++) assert.equal(tally.votes(pair), sums.get(seen[pair]!));
        const lead = tally.leader();
        assert.equal(lead, scannedLeader(tally), `run ${run} vote ${v}`);
        if (lead >= 0) assert.equal(seen[lead], `${tally.address(lead)} ${tally.mac(lead)}`);
      }
    }
  });

  it('starts over after clear() as a new tally would: ids from 0 in the new first-vote order, no leader', () => {
    const rng = new Rng(9);
    const reused = new VoteTally(4);
    for (let bin = 0; bin < 20; bin++) {
      reused.clear();
      assert.equal(reused.count, 0);
      assert.equal(reused.leader(), -1);
      const fresh = new VoteTally(4);
      // Bins of very different sizes: a burst grows the tables, the next bin is small again.
      const votes = bin % 5 === 0 ? 3000 : rng.int(0, 30);
      for (let v = 0; v < votes; v++) {
        const address = rng.int(0, bin % 5 === 0 ? 2000 : 6);
        const mac = rng.int(0, 4);
        reused.add(address, mac, 1);
        fresh.add(address, mac, 1);
      }
      assert.equal(reused.count, fresh.count);
      assert.equal(reused.leader(), fresh.leader());
      for (let pair = 0; pair < fresh.count; pair++) {
        assert.equal(reused.address(pair), fresh.address(pair));
        assert.equal(reused.mac(pair), fresh.mac(pair));
        assert.equal(reused.votes(pair), fresh.votes(pair));
      }
    }
  });
});
