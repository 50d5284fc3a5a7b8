import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { analyzeCapture } from '../pipeline/analyze.js';
import {
  BEHAVIOR_FEATURES,
  BehaviorExtractor,
  FROM_INTERNET,
  hostBins,
  hostRecords,
  isUnicastPeer,
  STACK_SYN_SHIFT,
  STACK_TTL_CLASSES,
  STACK_TTL_MASK,
  serviceCode,
  serviceText,
  stackBitsText,
} from './behavior.js';

const CAPTURE = 'test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap';
const SETUPS = 'test-data/iot-sentinel/setups';

it('recordsOf reads each host the same bins as binsOf, one at a time', async () => {
  // One-minute windows: several per host.
  const a = await analyzeCapture(CAPTURE, { behavior: true, behaviorWindowS: 60, sessionRows: false });
  const result = a.behavior!;
  assert.ok(result.device >= 0);
  let compared = 0;
  for (let h = 0; h < result.hosts.length; h++) {
    const bins = result.binsOf(h);
    const records = result.recordsOf(h);
    assert.equal(records.length, bins.length, `host ${h}`);
    for (let i = 0; i < bins.length; i++) assert.deepEqual(records.get(i), bins[i]);
    // Fresh objects on each read: nothing is held between them.
    if (bins.length > 0) assert.notEqual(records.get(0), records.get(0));
    compared += bins.length;
  }
  assert.ok(compared > result.hosts.length, `${compared} bins`);
  const device = hostRecords(result);
  assert.ok(device.length > 1, `${device.length} device windows`);
  assert.deepEqual(
    Array.from({ length: device.length }, (_, i) => device.get(i)),
    hostBins(result),
  );
  const key = result.hosts[result.device]!.key;
  assert.deepEqual(hostRecords(result, key).get(0), hostBins(result, key)[0]);
  const none = hostRecords(result, 'no such host');
  assert.equal(none.length, 0);
  assert.throws(() => none.get(0), RangeError);
  assert.throws(() => device.get(device.length), RangeError);
});

it('the device is the host in the most packets at a private address, not a LAN server that sends more', async () => {
  // An Aria setup capture with an SMB read from a LAN server injected: the server sends 91 packets, the Aria 73.
  const capture = 'test-data/behavior/lan/Aria-C11smbread-Mon0000-n00.pcap';
  const aria = '20:f8:5e:ca:91:52';
  const server = '02:00:00:00:00:a5';
  const a = await analyzeCapture(capture, { features: 'v2', behavior: true, sessionRows: false, warmupS: 0 });
  const behavior = a.behavior!;
  const sent = (key: string) => behavior.hosts.find((h) => h.key === key)!.privateSent;
  assert.ok(sent(server) > sent(aria), `server ${sent(server)}, device ${sent(aria)}`);
  assert.equal(behavior.hosts[behavior.device]!.key, aria);
  const v2 = a.v2!;
  assert.equal(v2.hosts[v2.device]!.key, aria);
  assert.ok(v2.hosts.find((h) => h.key === server)!.privateSent > v2.hosts[v2.device]!.privateSent);
  // The same device as the compat capture source (counted over sessions; warm-up 0, as v2 models read it).
  assert.equal(a.compat.captureMac, aria);
});

/** The device's windows (default length) of a capture, and the value of one feature in each. */
async function deviceValues(capture: string, feature: string): Promise<number[]> {
  const f = BEHAVIOR_FEATURES.findIndex((x) => x.name === feature);
  assert.ok(f >= 0, feature);
  const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
  return hostBins(a.behavior!).map((b) => b.values[f]!);
}

/** A feature's per-window values for a device's setup capture and for it with an attack injected. */
async function setupAndAttacked(setup: string, attacked: string, feature: string): Promise<number[][]> {
  return [
    await deviceValues(`${SETUPS}/${setup}-Mon0000-n00.pcap`, feature),
    await deviceValues(`test-data/behavior/${attacked}`, feature),
  ];
}

it('publicPeer.burst counts the most connections with one public address that started within 10 s', async () => {
  // A DLinkCam that serves HTTP, and hydra guessing HTTP passwords against it from one public address: 34
  // connections in under 3 s. Its own setup traffic opens at most a few with one public address.
  assert.deepEqual(
    await setupAndAttacked('DLinkCam-C5', 'cred/DLinkCam-C5hydrahttp-Mon0000-n00.pcap', 'publicPeer.burst'),
    [[1], [34]],
  );
  // A HueBridge polls its cloud server every 2 s: ~45 connections with it in 2.5 minutes, 6 within 10 s.
  assert.deepEqual(await deviceValues(`${SETUPS}/HueBridge-C9-Mon0000-n00.pcap`, 'publicPeer.burst'), [6]);
});

it('admin.packets counts the packets of connections on admin/lateral-movement ports, either direction', async () => {
  // An EdimaxPlug1101W that dumps a LAN host's user accounts over SMB (impacket samrdump): one connection to
  // port 445 of 54 packets, 28 sent and 26 received.
  assert.deepEqual(
    await setupAndAttacked(
      'EdimaxPlug1101W-C5',
      'lateral/EdimaxPlug1101W-C5samrdump-Mon0000-n00.pcap',
      'admin.packets',
    ),
    [[0], [54]],
  );
  // A SYN sweep of ports 445, 3389, 22 and 23: probes, RSTs and SYN-ACKs, every packet on an admin port.
  const scan = 'test-data/behavior/EdimaxPlug1101W-C15scan-Mon0000-n00.pcap';
  assert.deepEqual(await deviceValues(scan, 'admin.packets'), [234]);
});

it('publicPeer.secondFlows counts the connections with the second-busiest public address', async () => {
  // A HueBridge polls its cloud server (~45 connections in its setup); a beacon to another public address (40
  // curl GETs, 1-3.5 s apart) makes that one as busy. Its setup's second-busiest address: 8 connections.
  assert.deepEqual(
    await setupAndAttacked(
      'HueBridge-C9',
      'c2/HueBridge-C9httpbeacon-Mon0000-n00.pcap',
      'publicPeer.secondFlows',
    ),
    [[8], [40]],
  );
  // One busy address is not two: the hydra capture's 34 connections come from its only busy public address.
  const hydra = 'test-data/behavior/cred/DLinkCam-C5hydrahttp-Mon0000-n00.pcap';
  assert.deepEqual(await deviceValues(hydra, 'publicPeer.secondFlows'), [1]);
});

it('dns.out.longQueries counts the DNS queries sent with long names, whichever server they go to', async () => {
  // An EdimaxPlug1101W exfiltrating a file in TXT queries of 69-character names (`host -t TXT`, one every
  // 2 s) through its own resolver, 10.10.10.1: 59 messages of 86-87 bytes. Its own lookups: 30-34 bytes.
  assert.deepEqual(
    await setupAndAttacked(
      'EdimaxPlug1101W-C15',
      'dns/EdimaxPlug1101W-C15dnsexfil-Mon0000-n00.pcap',
      'dns.out.longQueries',
    ),
    [[0], [59]],
  );
});

it('dns.out.unfollowed counts the lookups no connection followed, whatever their length', async () => {
  // 18 `dig +noedns` A queries of 56-57-character names through the EdimaxPlug1101W's own resolver, one every
  // ~15 s: 74-75-byte messages, too short to count as long. Two fell within 10 s before one of the plug's own
  // connections (its lookups, NTP and cloud connections, none of them left unfollowed).
  const noEdns = 'dns/EdimaxPlug1101W-C15dnsnoedns-Mon0000-n00.pcap';
  assert.deepEqual(await setupAndAttacked('EdimaxPlug1101W-C15', noEdns, 'dns.out.unfollowed'), [[0], [16]]);
  assert.deepEqual(await deviceValues(`test-data/behavior/${noEdns}`, 'dns.out.longQueries'), [0]);
  // The setup looks names up (4.7 a minute): each was followed by a connection.
  const [setupLookups] = await deviceValues(
    'test-data/iot-sentinel/setups/EdimaxPlug1101W-C15-Mon0000-n00.pcap',
    'dns.out.perMin',
  );
  assert.ok(setupLookups! > 3, String(setupLookups));
  // The TXT exfiltration of 69-character names (one every 2 s): 53 of its 59 lookups; the other 6 fell within
  // 10 s before one of the plug's own connections.
  assert.deepEqual(
    await deviceValues(
      'test-data/behavior/dns/EdimaxPlug1101W-C15dnsexfil-Mon0000-n00.pcap',
      'dns.out.unfollowed',
    ),
    [53],
  );
});

it('heldSessions lists the outgoing TCP, UDP and other IP services of sessions held with a public peer: 10 s or more, answered', async () => {
  // A reverse shell (bash -i to an `nc -l` on 4444 whose operator types 8 commands, 35 s) spliced into the
  // EdimaxPlug1101W's setup: its session is listed, the plug's own short exchanges with its cloud are not.
  const held = async (capture: string) => {
    const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
    return hostBins(a.behavior!).map((b) => b.heldSessions ?? []);
  };
  const shell = await held('test-data/behavior/c2/EdimaxPlug1101W-C15revshell4444-Mon0000-n00.pcap');
  assert.ok(
    shell.some((codes) => codes.includes(serviceCode(true, 0, 4444))),
    JSON.stringify(shell),
  );
  const own = await held(`${SETUPS}/EdimaxPlug1101W-C15-Mon0000-n00.pcap`);
  assert.ok(!own.some((codes) => codes.includes(serviceCode(true, 0, 4444))));
  // The attacked capture's other sessions are the setup's own: only 4444 is new.
  assert.deepEqual(
    shell.flat().filter((c) => c !== serviceCode(true, 0, 4444)),
    own.flat(),
  );
  // An IRC bot (sic on ngircd, 6667) idling for 223 s in one connection, spliced into a DLinkCam's setup.
  const irc = await held('test-data/behavior/c2/DLinkCam-B3irc6667-Mon0000-n00.pcap');
  assert.ok(
    irc.some((codes) => codes.includes(serviceCode(true, 0, 6667))),
    JSON.stringify(irc),
  );
  // A UDP conversation counts the same way: a channel through a TURN relay on udp/3478 (the ninth attack set's
  // f9-turn-relay-c2: an allocation, then 40 messages 2 s apart, each echoed back), beside the camera's own short
  // DNS and NTP conversations, which are not sessions.
  const turn = await held('test-data/behavior/tunnel/DLinkCam-B3turnrelay-Mon0000-n00.pcap');
  const ownCamera = await held(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`);
  assert.deepEqual(
    turn.flat().filter((c) => !ownCamera.flat().includes(c)),
    [serviceCode(true, 1, 3478)],
  );
  // And another IP protocol exchanged as long: a gvpe VPN over raw IP protocol 4 to an internet address (the
  // twenty-fourth attack set's f24-gvpe-rawip-exfil: 186 packets out, 60 back, 95 s), a tunnel with no port.
  const gvpe = await held('test-data/behavior/tunnel/DLinkCam-B3gvpe-Mon0000-n00.pcap');
  assert.deepEqual(
    gvpe.flat().filter((c) => !ownCamera.flat().includes(c)),
    [serviceCode(true, 3, 4)],
  );
  assert.ok(!ownCamera.flat().some((c) => ((c >> 16) & 3) === 1), JSON.stringify(ownCamera));
});

it('lanConnections lists the outgoing services on which a local host accepted a connection or answered a UDP request', async () => {
  const lan = async (capture: string) => {
    const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
    return [...new Set(hostBins(a.behavior!).flatMap((b) => b.lanConnections ?? []))];
  };
  // curl to a neighbour's web admin page, then 6 logins (python's http.server answering), spliced into a
  // DLinkCam's setup: its cloud connections on 80 and 443 are not listed, the neighbour's port 80 is.
  assert.deepEqual(await lan('test-data/behavior/lateral/DLinkCam-B3webadmin-Mon0000-n00.pcap'), [
    serviceCode(true, 0, 80),
  ]);
  assert.deepEqual(await lan(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), []);
  // impacket's samrdump to a LAN host's SMB.
  assert.deepEqual(await lan('test-data/behavior/lateral/EdimaxPlug1101W-C5samrdump-Mon0000-n00.pcap'), [
    serviceCode(true, 0, 445),
  ]);
  // A SYN sweep of 40 LAN peers on 445, 3389, 22 and 23: each port some peer answered is listed (those that
  // answered with a reset or not at all accepted nothing; the scan finds what a worm would use).
  assert.deepEqual(
    await lan('test-data/behavior/EdimaxPlug1101W-C15scan-Mon0000-n00.pcap'),
    [22, 23, 445, 3389].map((port) => serviceCode(true, 0, port)),
  );
  // SNMP GETs and SETs (net-snmp's snmpset writing an EXTEND-MIB command row; the eighth attack set) to a
  // neighbour's agent on udp/161, each answered from 161: listed. The camera's DNS with its router is not (it
  // is every host's), nor NTP with a neighbour (f7's covert channel, sent to a LAN server).
  assert.deepEqual(await lan('test-data/behavior/lateral/DLinkCam-B3snmpset-Mon0000-n00.pcap'), [
    serviceCode(true, 1, 161),
  ]);
  assert.deepEqual(await lan('test-data/behavior/c2/DLinkCam-B3ntpcovertlan-Mon0000-n00.pcap'), []);
  // An industrial UDP port above 1024 counts too: a BACnet Who-Is broadcast answered by 3 controllers' I-Am from
  // udp/47808, then ReadProperty and WriteProperty requests to them (the ninth attack set's f9-bacnet-sweep-write).
  assert.deepEqual(await lan('test-data/behavior/lateral/DLinkCam-B3bacnet-Mon0000-n00.pcap'), [
    serviceCode(true, 1, 47808),
  ]);
  // Any other port below the ephemeral range when one neighbour answered it to two source ports or more: a RADIUS
  // password spray (the seventeenth attack set's f17-radius-spray-lan: radclient, a socket per Access-Request to
  // udp/1812, then two Accounting-Requests to udp/1813, each answered by the neighbour's FreeRADIUS).
  assert.deepEqual(await lan('test-data/behavior/lan/DLinkCam-B3radius-Mon0000-n00.pcap'), [
    serviceCode(true, 1, 1812),
    serviceCode(true, 1, 1813),
  ]);
  // A routing protocol carried by IP that a neighbour exchanged with the host, whichever end spoke first: OSPF route
  // injection (the twentieth attack set's f20-ospf-inject-lan: bird's OSPF on the device forms adjacencies with two
  // neighbours' routers, Hellos to 224.0.0.5, then Database Description and Link State Updates to each, answered).
  assert.deepEqual(await lan('test-data/behavior/lan/DLinkCam-B3ospf-Mon0000-n00.pcap'), [
    serviceCode(true, 3, 89),
  ]);
});

it('a LAN numbered from global space is still the LAN: neighbours in the same IPv4 /24 or IPv6 /64', async () => {
  // A workstation on a public IPv4 /24 and a global IPv6 /64 reads a file server on its link over both (six
  // HTTP GETs each) and a web server beyond the router over both (three each; make-onlink.sh).
  const capture = 'test-data/behavior/onlink/Workstation-onlink-Mon0000-n00.pcap';
  const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
  const behavior = a.behavior!;
  assert.equal(behavior.hosts[behavior.device]?.key, '02:01:00:00:00:10');
  const [bin, ...rest] = hostBins(behavior);
  assert.equal(rest.length, 0);
  const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  // The web server's IPv4 address and its IPv6 address's id; the file server's two and the router's are local.
  assert.equal(bin!.publicPeers.length, 2, JSON.stringify(bin!.publicPeers));
  assert.ok(bin!.publicPeers.includes(v4(185, 199, 108, 34)), JSON.stringify(bin!.publicPeers));
  assert.deepEqual(
    [...bin!.publicPeerFlows].sort((a, b) => a - b),
    [3, 5],
  );
  const value = (name: string) => bin!.values[BEHAVIOR_FEATURES.findIndex((x) => x.name === name)];
  assert.equal(value('peers.private'), 3);
  assert.deepEqual(bin!.lanConnections, [serviceCode(true, 0, 8080)]);
});

/** The D-Link camera of the IoT Sentinel setups, the device of the spliced test captures. */
const CAMERA = 'b0:c5:54:25:5b:0e';
const WEMO = '94:10:3e:35:01:c1';
const XIAOBAI = '78:df:72:24:69:4d';

/** The behaviour windows of the host `mac` in a capture, read as eval reads it (no warm-up). */
async function binsOf(capture: string, mac: string) {
  const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
  const host = a.behavior!.hosts.findIndex((h) => h.key === mac);
  return hostBins(a.behavior!).filter((b) => b.host === host);
}

it('acceptedServices lists the incoming TCP services on which the host accepted a connection, and UDP ones internet addresses asked', async () => {
  const accepted = async (capture: string, mac = '00:17:88:24:76:ff') => [
    ...new Set((await binsOf(capture, mac)).flatMap((b) => b.acceptedServices ?? [])),
  ];
  // A Hue bridge serves its local API on 80 in its setup capture; with a SOCKS proxy (microsocks) relaying six
  // page loads for an internet host spliced in, it accepted connections on 1080 from the internet as well.
  assert.deepEqual(await accepted(`${SETUPS}/HueBridge-C9-Mon0000-n00.pcap`), [serviceCode(false, 0, 80)]);
  assert.deepEqual(await accepted('test-data/behavior/proxy/HueBridge-C9socks-Mon0000-n00.pcap'), [
    serviceCode(false, 0, 80),
    serviceCode(false, 0, 1080) + FROM_INTERNET,
  ]);
  // An nmap SYN scan of the camera (SYN, its SYN-ACK, the scanner's RST on 8 open ports) and a connect scan
  // (the handshake completed, then the scanner's RST): probes, nothing served.
  for (const scan of ['synscan', 'connectscan']) {
    const capture = `test-data/behavior/scanned/DLinkCam-B3${scan}-Mon0000-n00.pcap`;
    const probed = (await binsOf(capture, CAMERA)).flatMap((b) => b.services.map(([code]) => code));
    assert.ok(probed.includes(serviceCode(false, 0, 445)), scan);
    assert.deepEqual(await accepted(capture, CAMERA), [], scan);
  }
  // A D-Link camera's setup through its own web page: port 80.
  assert.deepEqual(await accepted(`${SETUPS}/DLinkCam-A1-Mon0000-n00.pcap`, CAMERA), [
    serviceCode(false, 0, 80),
  ]);
  // A bind shell an internet host reached on high port 46123 after knocking: a high port counts when an internet
  // address came in, and says so; the refused knocks (7351, 2919, 60111) opened nothing.
  assert.deepEqual(
    await accepted('test-data/behavior/backdoor/DLinkCam-B3knockshell-Mon0000-n00.pcap', CAMERA),
    [serviceCode(false, 0, 0xffff) + FROM_INTERNET],
  );
  assert.equal(
    serviceText(serviceCode(false, 0, 0xffff) + FROM_INTERNET),
    'incoming tcp high ports from internet addresses',
  );
  // UDP: an internet address's requests the device answered at once on a server port. An NTP reflector (60 mode-3
  // requests from one internet port, each answered with 48 bytes; the fifth attack set's f5-ntp-reflector) and a
  // CoAP reflector (f4's, on 5683) list theirs; the camera's own NTP with its server does not, nor does a P2P
  // camera's flow from an internet address that the capture joined after its start (11784, a high port).
  assert.deepEqual(
    await accepted('test-data/behavior/reflect/DLinkCam-B3ntpreflect-Mon0000-n00.pcap', CAMERA),
    [serviceCode(false, 1, 123) + FROM_INTERNET],
  );
  assert.deepEqual(
    await accepted('test-data/behavior/reflect/DLinkCam-B3coapreflect-Mon0000-n00.pcap', CAMERA),
    [serviceCode(false, 1, 5683) + FROM_INTERNET],
  );
  assert.deepEqual(await accepted(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`, CAMERA), []);
  assert.deepEqual(
    await accepted('test-data/behavior/reflect/XiaobaiCamera-xiaobaicamc04p2p-Tue0552-n00.pcap', XIAOBAI),
    [],
  );
});

/** The most a feature reached in any window of a host (by default the D-Link camera, the spliced captures' device). */
async function hostMost(capture: string, feature: string, mac = CAMERA): Promise<number> {
  const f = BEHAVIOR_FEATURES.findIndex((x) => x.name === feature);
  return Math.max(...(await binsOf(capture, mac)).map((b) => b.values[f]!));
}

it("a connection carried into the next window keeps its opener, though the peer's packet comes first there", async () => {
  // An XMPP bot's two sessions with an internet server on 5222 (the twelfth attack set's f12-xmpp-c2), 65 s each:
  // in 30-s windows, the later windows see no SYN, and the server's chat message (a command) often comes first.
  // Guessed from that first packet, they were "incoming tcp high ports" (the device's ephemeral port).
  const a = await analyzeCapture('test-data/behavior/c2/DLinkCam-B3xmpp-Mon0000-n00.pcap', {
    behavior: true,
    behaviorWindowS: 30,
    sessionRows: false,
    warmupS: 0,
  });
  const host = a.behavior!.hosts.findIndex((h) => h.key === CAMERA);
  const xmpp = hostBins(a.behavior!)
    .filter((b) => b.host === host)
    .map((b) =>
      b.services
        .map(([code]) => code)
        .filter((c) => c === serviceCode(true, 0, 5222) || c === serviceCode(false, 0, 0xffff)),
    );
  assert.deepEqual(
    xmpp.filter((codes) => codes.length > 0),
    [[serviceCode(true, 0, 5222)], [serviceCode(true, 0, 5222)], [serviceCode(true, 0, 5222)]],
  );
});

it('publicPeerResumes counts the times a held connection with a public address came back to life after a pause', async () => {
  const resumes = async (capture: string) => {
    const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
    const out: Record<string, [number, number]> = {};
    for (const b of hostBins(a.behavior!)) {
      if (b.host !== a.behavior!.device) continue;
      b.publicPeers.forEach((peer, i) => {
        const n = b.publicPeerResumes?.[i] ?? 0;
        if (n > 0)
          out[[peer >>> 24, (peer >>> 16) & 255, (peer >>> 8) & 255, peer & 255].join('.')] = [
            b.publicPeerFlows[i]!,
            n,
          ];
      });
    }
    return out;
  };
  // A beacon that keeps ONE TLS connection on 443 open and asks for its task 6–15 s apart (the eighth attack set's
  // f8-https-keepalive-beacon: 11 GETs and 2 POSTs), spliced into a DLinkCam's setup: one connection, ten requests
  // after a pause of 5 s or more; the camera's own cloud connection resumed once, as in the setup alone.
  assert.deepEqual(await resumes('test-data/behavior/c2/DLinkCam-B3keepalive-Mon0000-n00.pcap'), {
    '52.29.110.194': [1, 10],
    '54.194.162.25': [1, 1],
  });
  assert.deepEqual(await resumes(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), { '54.194.162.25': [1, 1] });
});

it('isUnicastPeer: one host, not a multicast group nor an IPv4 address ending in .255', () => {
  const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  assert.equal(isUnicastPeer(v4(10, 10, 10, 37), 2), true);
  assert.equal(isUnicastPeer(v4(8, 8, 8, 8), 1), true);
  // A NetBIOS query to the subnet's broadcast, or to all ones: a host's own lookup, not an answer to someone.
  assert.equal(isUnicastPeer(v4(10, 10, 10, 255), 2), false);
  assert.equal(isUnicastPeer(v4(255, 255, 255, 255), 2), false);
  // LLMNR's and mDNS's groups (kind 3: multicast).
  assert.equal(isUnicastPeer(v4(224, 0, 0, 252), 3), false);
  // IPv6 ids (2^32 · 1 + a hash) are never taken for a .255 address.
  assert.equal(isUnicastPeer(2 ** 32 + 255, 2), true);
});

it('dhcp.out.messages counts the DHCP client messages a host sends: a starvation flood, not a device asking', async () => {
  const most = (capture: string) => hostMost(capture, 'dhcp.out.messages');
  // A DLinkCam's setup asks for its address twice; with 150 discovers of a flood spliced in, 152.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 2);
  assert.equal(await most('test-data/behavior/dhcp/DLinkCam-B3dhcpstarve-Mon0000-n00.pcap'), 152);
});

it('dhcp.server.messages counts the DHCP server messages a host sends: a rogue server, not a client', async () => {
  const most = (capture: string) => hostMost(capture, 'dhcp.server.messages');
  // The camera asks for its address (a client: none); with dnsmasq on it answering a neighbour's dhclient
  // (offers and acks, to the broadcast and to the client), 9.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 0);
  assert.equal(await most('test-data/behavior/dhcp/DLinkCam-B3roguedhcp-Mon0000-n00.pcap'), 9);
  assert.equal(await most('test-data/behavior/dhcp/DLinkCam-B3dhcpstarve-Mon0000-n00.pcap'), 0);
});

it('udp.in.public.replyExcessBytes counts the bytes reflectable UDP services sent internet askers beyond what they got', async () => {
  const most = (capture: string, mac = CAMERA) => hostMost(capture, 'udp.in.public.replyExcessBytes', mac);
  // The camera starts its own UDP exchanges (DNS, NTP): none. A CoAP server on it answering 40 spoofed
  // GETs (53 bytes each) from one internet address with 190-byte replies: 40 × (190 − 53) = 5,480 bytes.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 0);
  assert.equal(await most('test-data/behavior/reflect/DLinkCam-B3coapreflect-Mon0000-n00.pcap'), 5480);
  // The same 40 GETs from a neighbour: a LAN client of the device's service, not a reflection.
  assert.equal(await most('test-data/behavior/reflect/DLinkCam-B3coapreflectlan-Mon0000-n00.pcap'), 0);
  // A camera's P2P live view to a phone on the internet: the phone's 54-byte packet comes first (the capture
  // starts inside the session), and the camera sends 800 kB — but from port 11784, no reflectable service.
  assert.equal(
    await most('test-data/behavior/reflect/XiaobaiCamera-xiaobaicamc04p2p-Tue0552-n00.pcap', XIAOBAI),
    0,
  );
  // A rogue DHCP server's answers go to a neighbour (and the broadcast), not to an internet address: none.
  assert.equal(await most('test-data/behavior/dhcp/DLinkCam-B3roguedhcp-Mon0000-n00.pcap'), 0);
});

it('tcp.public.echoes counts small segments from internet addresses answered at once with small ones: an operator typing', async () => {
  const most = (capture: string) => hostMost(capture, 'tcp.public.echoes', WEMO);
  // A WeMo switch answers its cloud's 59-byte TLS handshake end within 10 ms, but with a 378-byte request: none.
  // With a TLS reverse shell spliced in (an operator typing 8 commands a character at a time into a pty, which
  // echoes each in a TLS record as small as the key's), 96.
  assert.equal(await most(`${SETUPS}/WeMoSwitch-C9-Mon0000-n00.pcap`), 0);
  assert.equal(await most('test-data/behavior/revshell/WeMoSwitch-C9tlsrevshell-Mon0000-n00.pcap'), 96);
});

it('udp.public.echoes counts small datagrams from internet addresses answered at once with small ones: a tunnelled session', async () => {
  const most = (capture: string, mac: string) => hostMost(capture, 'udp.public.echoes', mac);
  // A WeMo switch's own UDP with the internet (DNS, NTP) is asked by it: none. With an ssh session typed through a
  // socat UDP tunnel to port 51820 spliced in (the fifth attack set, bench/behavior/fresh5), 98 of its 36-byte
  // datagrams answered within 10 ms; the TCP echo count sees none of them, and the TLS shell none here.
  assert.equal(await most(`${SETUPS}/WeMoSwitch-C9-Mon0000-n00.pcap`, WEMO), 0);
  assert.equal(await most('test-data/behavior/tunnel/WeMoSwitch-C9udptunnel-Mon0000-n00.pcap', WEMO), 98);
  // The same tunnel to a neighbour (a LAN peer): none.
  assert.equal(await most('test-data/behavior/tunnel/WeMoSwitch-C9udptunnellan-Mon0000-n00.pcap', WEMO), 0);
  assert.equal(await most('test-data/behavior/revshell/WeMoSwitch-C9tlsrevshell-Mon0000-n00.pcap', WEMO), 0);
  // A P2P camera's live view answers its internet peers' probes at once: 11, the most of any normal capture.
  assert.equal(
    await most('test-data/behavior/reflect/XiaobaiCamera-xiaobaicamc04p2p-Tue0552-n00.pcap', XIAOBAI),
    11,
  );
});

it('tcp.out.public.pushes counts the far end speaking first after a pause, answered at once: a controller driving the device', async () => {
  const most = (capture: string, mac: string) => hostMost(capture, 'tcp.out.public.pushes', mac);
  // A DLinkCam's own cloud sessions are asked by the camera: none. With a WebSocket C2 over TLS on 443 spliced in
  // (the sixth attack set, bench/behavior/fresh6: one connection the device opened, held 90 s, a task every
  // 6-12 s and the server's pings, each answered at once), 12.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`, CAMERA), 0);
  assert.equal(await most('test-data/behavior/c2/DLinkCam-B3websocket-Mon0000-n00.pcap', CAMERA), 12);
  // The TLS reverse shell: keystrokes typed after a pause of a second or more, each echoed at once.
  assert.equal(await most('test-data/behavior/revshell/WeMoSwitch-C9tlsrevshell-Mon0000-n00.pcap', WEMO), 8);
  // A WeMo's cloud pushes a state change once in its setup: 1, the most of any normal capture's window.
  assert.equal(await most(`${SETUPS}/WeMoSwitch-C9-Mon0000-n00.pcap`, WEMO), 1);
  // A shell in an HTTP tunnel (the tenth attack set's f10-httptunnel-shell, httptunnel's htc): the operator's
  // commands come in on the answer to a held GET, their output goes out at once in the body of a held POST to the
  // same address — the answer on another connection than the push. 0 counted on one connection alone; 11.
  assert.equal(await most('test-data/behavior/tunnel/DLinkCam-B3httptunnel-Mon0000-n00.pcap', CAMERA), 11);
});

it('udp.out.public.serviceExchanges counts exchanges on one UDP conversation with an internet request/answer service', async () => {
  const most = (capture: string, mac = CAMERA) => hostMost(capture, 'udp.out.public.serviceExchanges', mac);
  // The camera's own NTP and DNS with the internet: one request and its answer per conversation.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 1);
  // A covert channel in NTP's fields (the seventh attack set's f7-ntp-covert: 40 well-formed client requests from
  // port 123 to one server, 2-4 s apart), and a CoAP C2 polled from one port (f6-coap-c2): 40 and 47.
  assert.equal(await most('test-data/behavior/c2/DLinkCam-B3ntpcovert-Mon0000-n00.pcap'), 40);
  assert.equal(await most('test-data/behavior/c2/DLinkCam-B3coapc2-Mon0000-n00.pcap'), 47);
  // SIP password cracking from one socket (the ninth attack set's f9-sip-register-crack, sipvicious' svcrack: 29
  // passwords on one extension of an internet registrar, each REGISTER challenged and answered): 59.
  assert.equal(await most('test-data/behavior/cred/DLinkCam-B3sipcrack-Mon0000-n00.pcap'), 59);
  // The same NTP channel to a neighbour: not an internet server.
  assert.equal(await most('test-data/behavior/c2/DLinkCam-B3ntpcovertlan-Mon0000-n00.pcap'), 1);
  // Strangers asking the device's own CoAP service (a reflector) start those conversations: not the device's.
  assert.equal(await most('test-data/behavior/reflect/DLinkCam-B3coapreflect-Mon0000-n00.pcap'), 1);
  // A camera's P2P live view exchanges hundreds of datagrams with a phone, on no request/answer service's port.
  assert.equal(
    await most('test-data/behavior/reflect/XiaobaiCamera-xiaobaicamc04p2p-Tue0552-n00.pcap', XIAOBAI),
    0,
  );
});

it('udp.out.public.unanswered counts the datagrams sent on one UDP conversation with an internet address that never answered', async () => {
  const most = (capture: string, mac = CAMERA) => hostMost(capture, 'udp.out.public.unanswered', mac);
  // The camera's own UDP with the internet (DNS, NTP) is answered: none.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 0);
  // A config and a flash dump sent as 252 syslog lines to an internet log host on udp/514, nothing back (the ninth
  // attack set's f9-syslog-exfil, util-linux logger --udp).
  assert.equal(await most('test-data/behavior/exfil/DLinkCam-B3syslog-Mon0000-n00.pcap'), 252);
  // A covert channel in NTP gets every request answered; the SIP cracker's REGISTERs are challenged: none.
  assert.equal(await most('test-data/behavior/c2/DLinkCam-B3ntpcovert-Mon0000-n00.pcap'), 0);
  assert.equal(await most('test-data/behavior/cred/DLinkCam-B3sipcrack-Mon0000-n00.pcap'), 0);
});

it('tcp.out.public.exchanges counts the turns on the busiest connection the device opened to an internet address', async () => {
  const most = (capture: string, mac = CAMERA) => hostMost(capture, 'tcp.out.public.exchanges', mac);
  // The camera's own cloud sessions: at most 5 turns (its data, then the server's) on one connection in a window.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 5);
  // Credential stuffing over one keep-alive TLS connection (the seventh attack set's f7-cred-stuffing-api: 240
  // JSON logins, each answered), and the WebSocket C2 (tasks, results, pings): 242 and 20.
  assert.equal(await most('test-data/behavior/cred/DLinkCam-B3credstuffing-Mon0000-n00.pcap'), 242);
  assert.equal(await most('test-data/behavior/c2/DLinkCam-B3websocket-Mon0000-n00.pcap'), 20);
  // A TLS reverse shell to the internet: every keystroke the operator sends after the device's echo of the one
  // before (and the next command after its output) is a turn: 99.
  assert.equal(await most('test-data/behavior/revshell/WeMoSwitch-C9tlsrevshell-Mon0000-n00.pcap', WEMO), 99);
});

/** The services a host used in a capture, as their texts (serviceText). */
async function serviceTexts(capture: string, mac: string): Promise<Set<string>> {
  return new Set((await binsOf(capture, mac)).flatMap((b) => b.services.map(([code]) => serviceText(code))));
}

it('industrial protocols registered above the ephemeral range keep their port as a service (BACnet, PROFINET, EtherNet/IP)', async () => {
  // A BACnet/IP Who-Is broadcast from the camera, its neighbours' I-Am answers from 47808 to 47808, then reads and
  // setpoint writes to one of them (the ninth attack set's f9-bacnet-sweep-write), spliced into a DLinkCam setup.
  // Before, 47808 fell among the "high ports".
  const services = await serviceTexts(
    'test-data/behavior/lateral/DLinkCam-B3bacnet-Mon0000-n00.pcap',
    CAMERA,
  );
  assert.ok(services.has('outgoing udp port 47808 (BACnet, industrial control)'), [...services].join('; '));
  // Other ports there are still one service: the camera's own ephemeral-port traffic.
  assert.ok(services.has('outgoing udp high ports'), [...services].join('; '));
});

it('IEEE 1588 PTP is an industrial protocol: a camera announcing itself as the grandmaster clock speaks it', async () => {
  // ptp4l on the camera as a free-running grandmaster: Announce, Sync and Follow_Up to 224.0.1.129 on udp/319 and
  // udp/320, the neighbours' clocks following it (the nineteenth attack set's f19-ptp-rogue-gm-lan), spliced into a
  // DLinkCam setup. Named as two new ports below 1024 before, which a camera's other windows outweighed.
  const services = await serviceTexts('test-data/behavior/lan/DLinkCam-B3ptp-Mon0000-n00.pcap', CAMERA);
  assert.ok(
    services.has('outgoing udp port 319 (IEEE 1588 PTP, industrial control)'),
    [...services].join('; '),
  );
  assert.ok(
    services.has('outgoing udp port 320 (IEEE 1588 PTP, industrial control)'),
    [...services].join('; '),
  );
});

it("a neighbour's unicast answer to the host's own broadcast belongs to the host's flow, though it comes first", async () => {
  // The BACnet sweep: each controller's I-Am (47808 → 47808) is the first unicast packet between it and the
  // camera, in answer to the camera's Who-Is to 10.66.0.255. Counted as the neighbours' flows before: "incoming
  // udp port 47808 from 3 peers", as if they had come to the camera.
  const bacnet = await serviceTexts('test-data/behavior/lateral/DLinkCam-B3bacnet-Mon0000-n00.pcap', CAMERA);
  assert.ok(bacnet.has('outgoing udp port 47808 (BACnet, industrial control)'), [...bacnet].join('; '));
  assert.ok(!bacnet.has('incoming udp port 47808 (BACnet, industrial control)'), [...bacnet].join('; '));
  // An Aria's DHCP: its discover and request go to 255.255.255.255, the router's offer and ack come back unicast
  // from 67 to 68. Counted as an incoming service on 68 before.
  const aria = await serviceTexts(`${SETUPS}/Aria-A1-Mon0000-n00.pcap`, '20:f8:5e:ca:91:52');
  assert.ok(aria.has('outgoing udp port 67'), [...aria].join('; '));
  assert.ok(!aria.has('incoming udp port 68'), [...aria].join('; '));
});

it('names.out.answers counts LLMNR and NetBIOS name packets sent from their server ports to one host', async () => {
  const most = (capture: string) => hostMost(capture, 'names.out.answers');
  // A DLinkCam answers no name queries; spliced with an LLMNR poisoner's answers to a neighbour's 12 queries
  // (the device's own packets: one answer from udp/5355 to the querier's port for each), 12.
  assert.equal(await most(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), 0);
  assert.equal(await most('test-data/behavior/llmnr/DLinkCam-B3llmnr-Mon0000-n00.pcap'), 12);
});

it('icmp.bytes counts the bytes of ICMP echo and other non-error messages, not the errors', async () => {
  // An EdimaxPlug1101W beaconing to a public address in pings with a 120-byte payload (`ping -c 30 -i 4 -s
  // 120`): 30 requests and 30 replies of 148 bytes. Its setup's only ICMP: two port-unreachable errors.
  assert.deepEqual(
    await setupAndAttacked(
      'EdimaxPlug1101W-C15',
      'c2/EdimaxPlug1101W-C15icmpbeacon-Mon0000-n00.pcap',
      'icmp.bytes',
    ),
    [[0], [60 * 148]],
  );
});

/** The network-stack mask of what MAC `mac` sent, from tshark's fields (see STACK_TTL_MASK). */
function tsharkStacks(capture: string, mac: string): number {
  const fields = (filter: string, field: string) =>
    execFileSync(
      'tshark',
      ['-r', capture, '-n', '-Y', filter, '-T', 'fields', '-E', 'occurrence=f', '-e', field],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  const from = `eth.src == ${mac} && !(ip.dst == 224.0.0.0/4) && !(ipv6.dst == ff00::/8)`;
  let mask = 0;
  for (const ttl of [...fields(`${from} && ip`, 'ip.ttl'), ...fields(`${from} && ipv6`, 'ipv6.hlim')])
    mask |= 1 << STACK_TTL_CLASSES.findIndex((c) => ttl <= c);
  for (const len of fields(`${from} && tcp.flags.syn == 1 && tcp.flags.ack == 0`, 'tcp.hdr_len'))
    mask |= 1 << (STACK_SYN_SHIFT + len / 4 - 5);
  return mask;
}

it("a host's network stacks: the TTL classes it sent with and its SYNs' option lengths, as tshark reads them", async () => {
  const cases = [
    // A DLinkCam: its video chip sends with TTL 255, its Linux side with 64 (SYNs with 12 and 20 bytes of options).
    ['test-data/iot-sentinel/setups/DLinkCam-C9-Mon0000-n00.pcap', 'b0:c5:54:25:5b:0e'],
    // A HueBridge with a Linux curl beacon injected (SYNs with 20 bytes of options beside its own 12).
    ['test-data/behavior/c2/HueBridge-C9httpbeacon-Mon0000-n00.pcap', '00:17:88:24:76:ff'],
    [CAPTURE, '20:f8:5e:ca:91:52'],
  ] as const;
  for (const [capture, mac] of cases) {
    const a = await analyzeCapture(capture, { behavior: true, behaviorWindowS: 60, sessionRows: false });
    const result = a.behavior!;
    const host = result.hosts.find((h) => h.key === mac)!;
    const want = tsharkStacks(capture, mac);
    assert.ok(want !== 0 && (want & STACK_TTL_MASK) !== 0, capture);
    assert.equal(host.stacks, want, `${capture}: ${stackBitsText(host.stacks)} vs ${stackBitsText(want)}`);
    // Each window carries the mask from the host's first window through itself: growing, ending at the whole.
    const bins = result.binsOf(result.hosts.indexOf(host));
    for (let i = 1; i < bins.length; i++)
      assert.equal(bins[i]!.stacks & bins[i - 1]!.stacks, bins[i - 1]!.stacks);
    assert.equal(bins.at(-1)!.stacks, want);
  }
  // Stacks of an earlier stream carry over (watch: a fresh extractor per bin).
  const extractor = new BehaviorExtractor({
    durationS: 300,
    priorStacks: new Map([['20:f8:5e:ca:91:52', 1 << 3]]),
  });
  await readCapture(CAPTURE, (p) => extractor.add(p));
  const aria = extractor.finish().hosts.find((h) => h.key === '20:f8:5e:ca:91:52')!;
  assert.equal(aria.stacks, tsharkStacks(CAPTURE, '20:f8:5e:ca:91:52') | (1 << 3));
});

it('fan-out as tshark reads it: peers, flows and services of a SYN sweep of admin ports', async () => {
  // An EdimaxPlug1101W sweeping ports 445, 3389, 22 and 23 of its LAN with bare SYNs (one window), beside its
  // own TCP connections (two to one web server: a service with fewer peers than connections).
  const capture = 'test-data/behavior/EdimaxPlug1101W-C15scan-Mon0000-n00.pcap';
  const mac = '74:da:38:4a:76:49';
  const rows = execFileSync(
    'tshark',
    [
      ...['-r', capture, '-n', '-T', 'fields', '-E', 'separator=,'],
      ...['-Y', `eth.src == ${mac} && tcp.flags.syn == 1 && tcp.flags.ack == 0`],
      ...['-e', 'ip.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport'],
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
  // Its outgoing TCP services on ports below 32768, by port. (Its high-port service also holds a connection
  // seen without its SYN, which the extractor calls its own by who sent first: not a SYN count.)
  const want = new Map<number, { peers: Set<string>; flows: Set<string> }>();
  for (const [dst, sport, dport] of rows) {
    const port = Number(dport);
    if (port >= 32768) continue;
    const w = want.get(port) ?? { peers: new Set<string>(), flows: new Set<string>() };
    want.set(port, w);
    w.peers.add(dst!);
    w.flows.add(`${dst} ${sport} ${dport}`);
  }
  const a = await analyzeCapture(capture, { behavior: true, sessionRows: false, warmupS: 0 });
  const [bin] = hostBins(a.behavior!);
  assert.equal(a.behavior!.hosts[a.behavior!.device]!.key, mac);
  // serviceCode(outgoing, TCP, port) = 2^18 + port.
  const outgoingTcp = bin!.services.filter(([code]) => code >> 16 === 4 && (code & 0xffff) < 32768);
  const expected = [...want]
    .sort((x, y) => x[0] - y[0])
    .map(([port, w]) => [(1 << 18) + port, w.peers.size, w.flows.size]);
  assert.deepEqual(outgoingTcp, expected);
  const admin = [22, 23, 445, 3389];
  for (const port of admin) assert.ok(want.get(port)!.peers.size >= 30, `${port}`);
  assert.ok(
    outgoingTcp.some(([, peers, flows]) => peers < flows),
    'a service with more connections than peers',
  );
  const value = (name: string) => bin!.values[BEHAVIOR_FEATURES.findIndex((x) => x.name === name)];
  const adminPeers = new Set(admin.flatMap((p) => [...want.get(p)!.peers]));
  assert.equal(value('admin.out.peers'), adminPeers.size);
  assert.equal(
    value('admin.out.flows'),
    admin.reduce((n, p) => n + want.get(p)!.flows.size, 0),
  );
  // Distinct remote ports it connected to, TCP (each SYN's port, high ones too) and UDP: at least the TCP ones.
  const tcpPorts = new Set(rows.map((r) => r[2]));
  const remotePorts = value('remotePorts.out')!;
  assert.ok(
    remotePorts >= tcpPorts.size && remotePorts < tcpPorts.size + 10,
    `${remotePorts} vs ${tcpPorts.size}`,
  );
  assert.ok(value('peers')! >= adminPeers.size, `${value('peers')} peers`);
});

it("counts a device's ARP frames that claim another address than its own, on one thread and two", async () => {
  const claimsOf = async (path: string, readerThread: boolean) => {
    const a = await analyzeCapture(path, { behavior: true, warmupS: 0, sessionRows: false, readerThread });
    return hostBins(a.behavior!).map((b) => b.arpClaims ?? 0);
  };
  for (const threads of [false, true]) {
    // dsniff's arpspoof spliced in as the Aria (test-data/behavior/arpspoof): 47 of its 49 forged replies come
    // after the Aria's first IP packet (before it, its own address is not known and nothing is judged).
    assert.deepEqual(
      await claimsOf('test-data/behavior/arpspoof/Aria-A4arpspoof-Mon0000-n00.pcap', threads),
      [47],
    );
    assert.deepEqual(await claimsOf(`${SETUPS}/Aria-A4-Mon0000-n00.pcap`, threads), [0]);
    // The plug sends from its setup-mode address and its LAN address by turns, and its ARP names either: its own.
    const plug = await claimsOf('data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap', threads);
    assert.ok(plug.length > 1 && plug.every((c) => c === 0), String(plug));
  }
});

it("counts a device's packets sent from a neighbour's address it is never reached at, on one thread and two", async () => {
  const foreignOf = async (path: string, readerThread: boolean) => {
    const a = await analyzeCapture(path, { behavior: true, warmupS: 0, sessionRows: false, readerThread });
    return hostBins(a.behavior!).map((b) => b.foreignSources ?? 0);
  };
  const reflected = await analyzeCapture(
    'test-data/behavior/reflect/DLinkCam-B3inetdreflect-Mon0000-n00.pcap',
    {
      behavior: true,
      warmupS: 0,
      sessionRows: false,
    },
  );
  // The address it borrowed: the LAN host the neighbours' answers went to.
  assert.equal(hostBins(reflected.behavior!)[0]!.foreignSourceAddress, 0x0a0a0a14);
  for (const threads of [false, true]) {
    // f23's reflection spliced in as the DLinkCam (test-data/behavior/reflect): 1,920 requests from 10.10.10.20, a
    // host of its /24 the camera is never reached at; its 16 probes from its own address do not count.
    assert.deepEqual(
      await foreignOf('test-data/behavior/reflect/DLinkCam-B3inetdreflect-Mon0000-n00.pcap', threads),
      [1920],
    );
    assert.deepEqual(await foreignOf(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`, threads), [0]);
    // The plug's set-up address (192.168.20.3) is in another network than the one it is reached at.
    const plug = await foreignOf('data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap', threads);
    assert.ok(plug.length > 1 && plug.every((c) => c === 0), String(plug));
    // f25's redirect MITM spliced in (test-data/behavior/lan): 16 redirects from the router's address and 333 of the
    // neighbours' packets forwarded one way. Those sources are not the camera's own, so its ARP frames, which name
    // its own address, claim nothing (17 claims when the forwarded sources were taken for its own).
    const mitm = await analyzeCapture('test-data/behavior/lan/DLinkCam-B3icmpredirect-Mon0000-n00.pcap', {
      behavior: true,
      warmupS: 0,
      sessionRows: false,
      readerThread: threads,
    });
    assert.deepEqual(
      hostBins(mitm.behavior!).map((b) => [b.foreignSources, b.arpClaims]),
      [[349, 0]],
    );
    // A relay is reached at the address it forwards from: only its first forwarded packet, before the answer to it.
    assert.deepEqual(
      await foreignOf(
        'test-data/behavior/relay/MelsecEngineeringPC-melsecews318c01first400-Mon0725-n00.pcap',
        threads,
      ),
      [1],
    );
  }
});

it('sums the UDP bytes a device sent each public address on flows nothing answered', async () => {
  const oneWayOf = async (path: string) => {
    const a = await analyzeCapture(path, { behavior: true, warmupS: 0, sessionRows: false });
    return hostBins(a.behavior!).map((b) => {
      const bytes = b.publicPeerOneWayBytes ?? [];
      assert.equal(bytes.length, b.publicPeerOneWayBytes ? b.publicPeers.length : 0);
      return bytes.filter((x) => x > 0);
    });
  };
  // f22's collectd push spliced in as the DLinkCam (test-data/behavior/exfil): 14 datagrams, 18,265 bytes of frames.
  assert.deepEqual(await oneWayOf('test-data/behavior/exfil/DLinkCam-B3collectd-Mon0000-n00.pcap'), [
    [18265],
  ]);
  // The camera's own UDP with the internet (DNS, NTP) is answered.
  assert.deepEqual(await oneWayOf(`${SETUPS}/DLinkCam-B3-Mon0000-n00.pcap`), [[]]);
  const ip = (s: string) => s.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const a = await analyzeCapture('test-data/behavior/exfil/DLinkCam-B3collectd-Mon0000-n00.pcap', {
    behavior: true,
    warmupS: 0,
    sessionRows: false,
  });
  const [bin] = hostBins(a.behavior!);
  const i = bin!.publicPeerOneWayBytes!.findIndex((x) => x > 0);
  const expected = execFileSync(
    'tshark',
    [
      '-r',
      'test-data/behavior/exfil/DLinkCam-B3collectd-Mon0000-n00.pcap',
      '-Y',
      'udp.dstport == 25826',
      '-T',
      'fields',
      '-e',
      'ip.dst',
      '-e',
      'frame.len',
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  assert.equal(bin!.publicPeers[i], ip(expected[0]![0]!));
  assert.equal(
    expected.reduce((n, r) => n + Number(r[1]), 0),
    18265,
  );
});

it('names services: ports with their protocol, ICMP by type, other IP protocols by number and name', () => {
  assert.equal(serviceText(serviceCode(true, 0, 445)), 'outgoing tcp port 445 (SMB)');
  assert.equal(serviceText(serviceCode(false, 1, 65535)), 'incoming udp high ports');
  assert.equal(serviceText(serviceCode(true, 2, 8)), 'outgoing icmp type 8');
  // IGMP was "outgoing ip port 2".
  assert.equal(serviceText(serviceCode(true, 3, 2)), 'outgoing ip protocol 2 (IGMP)');
  assert.equal(serviceText(serviceCode(false, 3, 253)), 'incoming ip protocol 253');
});

it('finds regular check-ins with a public endpoint (a beacon), across windows, on one thread and two', async () => {
  const beaconsOf = async (path: string, readerThread: boolean) => {
    const a = await analyzeCapture(path, {
      behavior: true,
      behaviorWindowS: 300,
      warmupS: 0,
      sessionRows: false,
      readerThread,
    });
    return hostBins(a.behavior!).map((b) => b.beacons ?? []);
  };
  const ip = (s: string) => s.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const https = serviceCode(true, 0, 443);
  for (const threads of [false, true]) {
    // 12 curl check-ins spliced in as the Aria (test-data/behavior/beacon): one every 60 s less up to 20 %. Each
    // window lists the endpoint with its check-ins so far, once it has 4.
    const bins = await beaconsOf('test-data/behavior/beacon/Aria-A4beacon60-Mon0000-n00.pcap', threads);
    assert.deepEqual(
      bins.map((b) => b.map((e) => e.slice(0, 3))),
      [[[ip('45.33.32.156'), https, 6]], [[ip('45.33.32.156'), https, 12]]],
    );
    const [, , , meanS, sdS] = bins[1]![0]!;
    assert.ok(meanS > 48 && meanS < 60 && sdS < 0.25 * meanS, `${meanS} ± ${sdS}`);
    // Its clean capture: nothing.
    assert.deepEqual(await beaconsOf(`${SETUPS}/Aria-A4-Mon0000-n00.pcap`, threads), [[]]);
  }
  // Every 300 s (less up to 30 %) over 43 minutes: one check-in per window, regular from the 4th on.
  const slow = await beaconsOf(
    'test-data/behavior/beacon/EdimaxPlug1101W-A4beacon300-Mon0000-n00.pcap',
    false,
  );
  const counts = slow.map((b) => b[0]?.[2] ?? 0);
  assert.ok(counts.includes(4) && counts.includes(12), String(counts));
  assert.ok(counts.every((c) => c === 0 || c >= 4));
});
