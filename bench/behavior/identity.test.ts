import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityOf } from './identity.js';

// tcpdump -nn -e -tt -r of IoT Sentinel's iKettle2-A1-Mon0000-n00.pcap (all of it): the kettle sends one IPv4
// packet from its own address (IGMP), the gateway's DHCP server two (its replies).
const KETTLE = [
  '1473256062.892787 5c:cf:7f:06:d9:02 > 28:b2:bd:c3:41:78, ethertype EAPOL (0x888e), length 135: EAPOL key (3) v1, len 117',
  '1473256062.897336 5c:cf:7f:06:d9:02 > 28:b2:bd:c3:41:78, ethertype EAPOL (0x888e), length 113: EAPOL key (3) v1, len 95',
  '1473256062.901979 5c:cf:7f:06:d9:02 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 350: 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 5c:cf:7f:06:d9:02, length 308',
  '1473256062.902145 00:b5:6d:06:08:ba > 5c:cf:7f:06:d9:02, ethertype IPv4 (0x0800), length 342: 10.10.10.1.67 > 10.10.10.245.68: BOOTP/DHCP, Reply, length 300',
  '1473256062.910235 5c:cf:7f:06:d9:02 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 350: 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 5c:cf:7f:06:d9:02, length 308',
  '1473256063.015855 00:b5:6d:06:08:ba > 5c:cf:7f:06:d9:02, ethertype IPv4 (0x0800), length 342: 10.10.10.1.67 > 10.10.10.245.68: BOOTP/DHCP, Reply, length 300',
  '1473256063.020417 5c:cf:7f:06:d9:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.10.10.245 tell 0.0.0.0, length 28',
  '1473256063.509483 5c:cf:7f:06:d9:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.10.10.245 tell 0.0.0.0, length 28',
  '1473256064.009939 5c:cf:7f:06:d9:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.10.10.245 tell 10.10.10.245, length 28',
  '1473256064.010409 5c:cf:7f:06:d9:02 > 01:00:5e:00:00:01, ethertype IPv4 (0x0800), length 46: 10.10.10.245 > 224.0.0.1: igmp v2 report 224.0.0.1',
  '1473256070.222920 5c:cf:7f:06:d9:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.10.10.30 tell 10.10.10.245, length 28',
].join('\n');

// The first 30 frames of Aria-A1-Mon0000-n00.pcap (lines cut at 160 characters): a device that talks.
const ARIA = [
  '1465478143.743810 20:f8:5e:ca:91:52 > 28:b2:bd:c3:41:78, ethertype EAPOL (0x888e), length 135: EAPOL key (3) v1, len 117',
  '1465478143.757504 20:f8:5e:ca:91:52 > 28:b2:bd:c3:41:78, ethertype EAPOL (0x888e), length 113: EAPOL key (3) v1, len 95',
  '1465478143.773645 20:f8:5e:ca:91:52 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 342: 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 20:f8:5e',
  '1465478143.773797 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 342: 10.10.10.1.67 > 10.10.10.123.68: BOOTP/DHCP, Reply, length 300',
  '1465478143.780052 20:f8:5e:ca:91:52 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 342: 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 20:f8:5e',
  '1465478143.880483 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 342: 10.10.10.1.67 > 10.10.10.123.68: BOOTP/DHCP, Reply, length 300',
  '1465478143.886396 20:f8:5e:ca:91:52 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.10.10.123 tell 0.0.0.0, length 46',
  '1465478144.878699 20:f8:5e:ca:91:52 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.10.10.1 tell 10.10.10.123, length 46',
  '1465478144.878722 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype ARP (0x0806), length 42: Reply 10.10.10.1 is-at 00:b5:6d:06:08:ba, length 28',
  '1465478144.905367 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 74: 10.10.10.123.59904 > 10.10.10.1.53: 1+ A? www.fitbit.com. (32)',
  '1465478144.905447 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 153: 10.10.10.1.53 > 10.10.10.123.59904: 1 3/0/0 CNAME www.fitbit.com.c',
  '1465478144.924968 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 74: 10.10.10.123.62997 > 104.16.66.50.80: Flags [S], seq 3728682645, wi',
  '1465478144.926511 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 62: 104.16.66.50.80 > 10.10.10.123.62997: Flags [S.], seq 2566833994, a',
  '1465478144.929798 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 54: 10.10.10.123.62997 > 104.16.66.50.80: Flags [.], ack 1, win 9660, l',
  '1465478144.935734 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 150: 10.10.10.123.62997 > 104.16.66.50.80: Flags [P.], seq 1:97, ack 1,',
  '1465478144.936697 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 78: 10.10.10.123.62997 > 104.16.66.50.80: Flags [P.], seq 97:121, ack 1',
  '1465478144.936983 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 54: 104.16.66.50.80 > 10.10.10.123.62997: Flags [.], ack 97, win 29, le',
  '1465478144.937907 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 54: 104.16.66.50.80 > 10.10.10.123.62997: Flags [.], ack 121, win 29, l',
  '1465478145.233810 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 659: 104.16.66.50.80 > 10.10.10.123.62997: Flags [P.], seq 1:606, ack 1',
  '1465478145.258596 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 137: 10.10.10.123.62997 > 104.16.66.50.80: Flags [P.], seq 121:204, ack',
  '1465478145.259915 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 54: 104.16.66.50.80 > 10.10.10.123.62997: Flags [.], ack 204, win 29, l',
  '1465478145.260675 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 78: 10.10.10.123.62997 > 104.16.66.50.80: Flags [P.], seq 204:228, ack ',
  '1465478145.261967 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 54: 104.16.66.50.80 > 10.10.10.123.62997: Flags [.], ack 228, win 29, l',
  '1465478145.403163 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 674: 104.16.66.50.80 > 10.10.10.123.62997: Flags [P.], seq 606:1226, ac',
  '1465478145.403194 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 59: 104.16.66.50.80 > 10.10.10.123.62997: Flags [P.], seq 1226:1231, ac',
  '1465478145.414649 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 54: 10.10.10.123.62997 > 104.16.66.50.80: Flags [FP.], seq 228, ack 123',
  '1465478145.415946 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 54: 104.16.66.50.80 > 10.10.10.123.62997: Flags [F.], seq 1231, ack 229',
  '1465478145.418811 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 54: 10.10.10.123.62997 > 104.16.66.50.80: Flags [.], ack 1232, win 8429',
  '1465478145.434922 20:f8:5e:ca:91:52 > 00:b5:6d:06:08:ba, ethertype IPv4 (0x0800), length 74: 10.10.10.123.57766 > 104.16.66.50.80: Flags [S], seq 3728875046, wi',
  '1465478145.436378 00:b5:6d:06:08:ba > 20:f8:5e:ca:91:52, ethertype IPv4 (0x0800), length 62: 104.16.66.50.80 > 10.10.10.123.57766: Flags [S.], seq 716035280, ac',
].join('\n');

describe('identityOf', () => {
  it("takes the near-silent kettle, not its gateway's DHCP server, as the device", () => {
    const id = identityOf(KETTLE, 'device');
    assert.equal(id.mac, '5c:cf:7f:06:d9:02');
    assert.equal(id.ip, '10.10.10.245');
    // It never sent a unicast IPv4 packet: the gateway is the DHCP server.
    assert.equal(id.gwMac, '00:b5:6d:06:08:ba');
    assert.equal(id.packets, 11);
  });

  it('keeps the first rule with legacy: the gateway, which the pipeline does not score', () => {
    const id = identityOf(KETTLE, 'legacy');
    assert.equal(id.mac, '00:b5:6d:06:08:ba');
    assert.equal(id.ip, '10.10.10.1');
  });

  it('gives a device that talks the same identity under both rules', () => {
    for (const rule of ['device', 'legacy'] as const) {
      const id = identityOf(ARIA, rule);
      assert.equal(id.mac, '20:f8:5e:ca:91:52');
      assert.equal(id.ip, '10.10.10.123');
      assert.equal(id.gwMac, '00:b5:6d:06:08:ba');
      assert.equal(id.packets, 30);
    }
  });
});
