import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BeaconMemory, type EndpointCheckins } from './beacon-memory.js';

const state = (checkins: number): EndpointCheckins => ({
  checkins,
  lastStart: checkins * 1e6,
  lastConnection: checkins * 1e6,
  lastSeen: checkins * 1e6,
  sum: checkins,
  sumSq: checkins,
});

describe('BeaconMemory', () => {
  it('keys an endpoint by host, peer, protocol and port', () => {
    const m = new BeaconMemory();
    m.set(BeaconMemory.key('aa:bb', -5, 1, 443), state(3));
    assert.equal(m.get(BeaconMemory.key('aa:bb', -5, 1, 443))?.checkins, 3);
    assert.equal(m.get(BeaconMemory.key('aa:bb', -5, 0, 443)), undefined);
    assert.equal(m.get(BeaconMemory.key('aa:bc', -5, 1, 443)), undefined);
  });

  it('forgets the least recently updated endpoint beyond its capacity', () => {
    const m = new BeaconMemory(2);
    m.set('a', state(1));
    m.set('b', state(1));
    m.set('a', state(2)); // a updated: b is now the oldest
    m.set('c', state(1));
    assert.equal(m.size, 2);
    assert.equal(m.get('b'), undefined);
    assert.equal(m.get('a')?.checkins, 2);
    assert.throws(() => new BeaconMemory(0), RangeError);
  });
});
