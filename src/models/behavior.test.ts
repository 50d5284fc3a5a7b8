import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelError } from '../errors.js';
import {
  BEHAVIOR_FEATURE_COUNT,
  BEHAVIOR_FEATURES,
  FROM_INTERNET,
  STACK_SYN_SHIFT,
  serviceCode,
  serviceText,
} from '../features/behavior.js';
import { realTypedWindows } from '../test-helpers/real-behavior.js';
import { BehaviorModel, type TrainingSample } from './behavior.js';

/** A share feature no count weighs (shareEvidence weighs the TCP failure shares by their attempts). */
const SHARE = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'flow.smallShare');
const REJECTED = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'tcp.in.rejectedShare');
const IN_ATTEMPTS = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'tcp.in.attempts');
const COUNT = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'peers');
const DNS = serviceCode(true, 1, 53);
const SMB = serviceCode(true, 0, 445);

/** Every feature 0 except `share` (a share feature: no transform) and `peers` (a count: log1p). */
function sample(group: string, share: number, peers = 0, services = [[DNS, 1, 1]]): TrainingSample {
  const values = new Array<number>(BEHAVIOR_FEATURE_COUNT).fill(0);
  values[SHARE] = share;
  values[COUNT] = peers;
  return { group, label: group.split('-')[0]!, values, services: services as [number, number, number][] };
}

const CLOUD_PEER = 0x08080808;

/** A sample whose window talked to public `peers`, with `flows` contacts each. */
function peered(group: string, share: number, peers: number[], flows: number[]): TrainingSample {
  return { ...sample(group, share), publicPeers: peers, publicPeerFlows: flows };
}

/**
 * Cameras share one cloud address and one met a new address twice; bridges meet a new address 20 times a window:
 * the type-range terms' training.
 */
function camerasAndBridges(): TrainingSample[] {
  return [
    ...Array.from({ length: 6 }, (_, i) =>
      peered(`cam-${i}`, 0.1 + 0.01 * i, i === 0 ? [CLOUD_PEER, 7] : [CLOUD_PEER], [3, 2]),
    ),
    ...Array.from({ length: 6 }, (_, i) =>
      peered(`bridge-${i}`, 0.9 + 0.01 * i, [CLOUD_PEER, 100 + i], [3, 20]),
    ),
  ];
}

/** Ten normal captures whose one share feature is 0.1 · i (IQR 0.45 > the 0.1 floor). */
const normals = Array.from({ length: 10 }, (_, i) => sample(`dev-${i}`, 0.1 * i));

const UPLOAD = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'flow.maxBytesOut');
/** A sample whose largest upload in one connection is `bytes`. */
function withUpload(group: string, bytes: number, share = 0.3): TrainingSample {
  const s = sample(group, share);
  const values = [...s.values];
  values[UPLOAD] = bytes;
  return { ...s, values };
}
/**
 * Plugs (share 0.3) upload up to 47 kB, cameras (share 0.9) 1–5 MB: a spread that keeps a plug's 423 kB within
 * two standard units of its neighbours, the plugs.
 */
const plugsAndCameras = [
  ...[40e3, 42e3, 44e3, 46e3, 47e3].map((b, i) => withUpload(`plug-${i}`, b)),
  ...[1e6, 2e6, 3e6, 4e6, 5e6].map((b, i) => withUpload(`camera-${i}`, b, 0.9)),
];

describe('BehaviorModel', () => {
  it('robust-standardises with the median and IQR of the training bins, with a floor per kind', () => {
    const m = new BehaviorModel({ k: 1, clip: 8 }).fit(normals);
    const s = m.state!;
    assert.ok(Math.abs(s.center[SHARE]! - 0.45) < 1e-12);
    assert.ok(Math.abs(s.scale[SHARE]! - 0.45) < 1e-12);
    // A constant count column: median log1p(0) = 0, IQR 0 → the count floor 0.5.
    assert.equal(s.center[COUNT], 0);
    assert.equal(s.scale[COUNT], 0.5);
    // z of peers = 7 is log1p(7)/0.5 = 2 ln 8.
    const z = m.standardise(sample('q', 0.45, 7).values);
    assert.ok(Math.abs(z[COUNT]! - 2 * Math.log(8)) < 1e-12);
    assert.equal(z[SHARE], 0);
    // The default clip (3) caps it: one wild feature cannot outweigh the rest.
    const clipped = new BehaviorModel({ k: 1 }).fit(normals).standardise(sample('q', 0.45, 7).values);
    assert.equal(clipped[COUNT], 3);
  });

  it('scores the distance to the nearest normal bins plus novelty of unseen services', () => {
    const m = new BehaviorModel({ k: 1, noveltyWeight: 1 }).fit(normals);
    // Identical to a training bin, same services: score 0.
    const same = m.scoreBin(sample('q', 0.1 * 3));
    assert.equal(same.distance, 0);
    assert.equal(same.novelty, 0);
    // 0.45 / 0.45 = 1 standardised unit from the nearest (0.4 or 0.5 → 0.05/0.45 away).
    const off = m.scoreBin(sample('q', 0.95));
    assert.ok(Math.abs(off.distance - 0.05 / 0.45) < 1e-12, `${off.distance}`);
    // A new service (SMB to 37 peers, 40 connections): novelty ln(1 + 1) + ln(1 + 37), plus, for an
    // admin/lateral-movement port, ln(1 + 40) at the default weight 1 and the default bonus 2.
    const smb = m.scoreBin(
      sample('q', 0.1 * 3, 0, [
        [DNS, 1, 1],
        [SMB, 37, 40],
      ]),
    );
    assert.ok(Math.abs(smb.novelty - (Math.log(2) + Math.log(38) + Math.log(41) + 2)) < 1e-12);
    const noAdmin = new BehaviorModel({ k: 1, adminNoveltyWeight: 0, adminServiceBonus: 0 }).fit(normals);
    const plain = noAdmin.scoreBin(
      sample('q', 0.1 * 3, 0, [
        [DNS, 1, 1],
        [SMB, 37, 40],
      ]),
    );
    assert.ok(Math.abs(plain.novelty - (Math.log(2) + Math.log(38))) < 1e-12);
    assert.ok(Math.abs(smb.score - smb.novelty) < 1e-12);
    assert.deepEqual(smb.novel, [[SMB, 37, 40]]);
    const reasons = m.explain(
      sample('q', 0.1 * 3, 0, [
        [DNS, 1, 1],
        [SMB, 37, 40],
      ]),
      smb,
    );
    assert.match(reasons[0]!, /new outgoing tcp port 445 \(SMB\) to 37 peers/);
  });

  it("names an upload several times the nearest normal devices' largest even where its standard score is small", () => {
    const m = new BehaviorModel({ k: 2 }).fit(plugsAndCameras);
    const explained = (bytes: number) => {
      const q = withUpload('q', bytes);
      const score = m.scoreBin(q);
      return m.explain(q, score).join('\n');
    };
    const z = (bytes: number) => m.standardise(withUpload('q', bytes).values)[UPLOAD]!;
    const neighbours = m.scoreBin(withUpload('q', 423_045)).neighbours;
    const nearest = neighbours.map((n) => m.state!.refs[n]![UPLOAD]!).sort((a, b) => a - b);
    assert.ok(z(423_045) - z(nearest[0]!) < 2, 'a small standard score: not named by it');
    assert.match(
      explained(423_045),
      new RegExp(
        `largest upload in one connection \\(bytes\\): 423045, \\d+(\\.\\d+)?× the most of the nearest normal devices \\(${nearest.at(-1)}\\)`,
      ),
    );
    // Under 100 kB, or under 4× the neighbours' most, it is not named.
    assert.doesNotMatch(explained(90_000), /largest upload/);
    assert.doesNotMatch(explained(150_000), /largest upload/);
  });

  it("scores an upload beyond 4× the nearest normal devices' largest: ψ (ln(U / U_k) − ln 4), from 100 kB", () => {
    const train = plugsAndCameras;
    const on = new BehaviorModel({ k: 2, uploadWeight: 2 }).fit(train);
    const off = new BehaviorModel({ k: 2, uploadWeight: 0 }).fit(train);
    const added = (bytes: number) => {
      const q = withUpload('q', bytes);
      const a = on.scoreBin(q);
      assert.deepEqual(a.neighbours, off.scoreBin(q).neighbours);
      const most = Math.max(...a.neighbours.map((n) => on.state!.refs[n]![UPLOAD]!));
      return { added: a.score - off.scoreBin(q).score, most };
    };
    const exfil = added(423_045);
    assert.ok(Math.abs(exfil.added - 2 * (Math.log(423_045 / exfil.most) - Math.log(4))) < 1e-9);
    assert.ok(exfil.added > 1, String(exfil.added));
    // Within 4× of the neighbours' most: nothing added; under 100 kB, however far beyond it: nothing either.
    assert.equal(added(150_000).added, 0);
    const sensors = [1e3, 2e3, 3e3].map((b, i) => withUpload(`sensor-${i}`, b));
    const q = withUpload('q', 90_000);
    const sensorScore = (uploadWeight: number) =>
      new BehaviorModel({ k: 2, uploadWeight }).fit(sensors).scoreBin(q).score;
    assert.equal(sensorScore(2), sensorScore(0));
    // A file written before the term has no uploadWeight: it loads with the term off, scoring as before.
    const doc = JSON.parse(JSON.stringify(on.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.uploadWeight;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.uploadWeight, 0);
    assert.equal(old.scoreBin(withUpload('q', 423_045)).score, off.scoreBin(withUpload('q', 423_045)).score);
  });

  it('adds the unseen-service term for a session held with a public peer on a port no training capture used', () => {
    const HTTPS = serviceCode(true, 0, 443);
    const SHELL = serviceCode(true, 0, 4444);
    // Ten devices with their cloud on 443; one of them also used 8443 once (any peer, answered or not).
    const train = normals.map((n, i) => ({
      ...n,
      services: [[DNS, 1, 1], [HTTPS, 1, 2], ...(i === 3 ? [[serviceCode(true, 0, 8443), 1, 1]] : [])] as [
        number,
        number,
        number,
      ][],
    }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.deepEqual(
      m.state!.outTcpServices,
      [HTTPS, serviceCode(true, 0, 8443)].sort((a, b) => a - b),
    );
    const q = (held: number[]) => ({
      ...sample('q', 0.3),
      services: [
        [DNS, 1, 1],
        [HTTPS, 1, 2],
        [SHELL, 1, 1],
      ] as [number, number, number][],
      heldSessions: held,
    });
    // One of the 10 captures used a port no other did: a new one meets one 1/11 of the time.
    assert.deepEqual(m.state!.labelUnseenRates, { dev: 1 / 11 });
    const weight = 10 * (1 - 1 / 11);
    const quiet = m.scoreBin(q([])).score;
    assert.equal(m.scoreBin(q([SHELL])).score, quiet + weight);
    assert.deepEqual(m.unseenServices(q([SHELL, HTTPS])), [SHELL]);
    // A session on a port some training capture used, however rarely: nothing.
    assert.equal(m.scoreBin(q([serviceCode(true, 0, 8443)])).score, quiet);
    // Not in the cross-validated scores: a capture left out is no unseen service of a trained type.
    assert.equal(m.scoreBin(q([SHELL]), 'dev-3').score, m.scoreBin(q([]), 'dev-3').score);
    assert.match(
      m.explain(q([SHELL]), m.scoreBin(q([SHELL]))).join('\n'),
      /outgoing tcp port 4444 to 1 peer \(1 connection\), a session held with a public address on a service no training device used at all/,
    );
    // Without a held session, such a service reached on 3 peers or more (a spam bot's mail servers) is the same
    // term; on 2, it is not (one new cloud endpoint is one peer). Files from before have it off.
    const SMTP = serviceCode(true, 0, 25);
    const mail = (peers: number) => ({
      ...q([]),
      services: [...q([]).services, [SMTP, peers, peers]] as [number, number, number][],
    });
    const heldOnly = new BehaviorModel({ k: 1, unseenServicePeers: 0 }).fit(train);
    assert.equal(m.scoreBin(mail(2)).score, heldOnly.scoreBin(mail(2)).score);
    assert.ok(Math.abs(m.scoreBin(mail(3)).score - heldOnly.scoreBin(mail(3)).score - weight) < 1e-9);
    assert.match(
      m.explain(mail(4), m.scoreBin(mail(4))).join('\n'),
      /outgoing tcp port 25 to 4 peers \(4 connections\), a service no training device used at all, to 4 hosts/,
    );
    const before = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete before.hyperParameters.unseenServicePeers;
    assert.equal(BehaviorModel.fromJSON(before).unseenServicePeers, 0);
    // Off, or a file made before the term (no outTcpServices, no weight): silent.
    assert.equal(
      new BehaviorModel({ k: 1, unseenServiceWeight: 0 }).fit(train).scoreBin(q([SHELL])).score,
      quiet,
    );
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as {
      hyperParameters: Record<string, unknown>;
      state: Record<string, unknown>;
    };
    const again = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc)));
    assert.equal(again.scoreBin(q([SHELL])).score, quiet + weight);
    // A type whose captures each use a port of their own (workstations) gets little of it: 5 of 5, 5/6.
    const ws = train.map((t, i) => ({
      ...t,
      group: `ws-${i}`,
      label: 'ws',
      services: [...t.services, [serviceCode(true, 0, 5000 + i), 1, 1]] as [number, number, number][],
    }));
    const wm = new BehaviorModel({ k: 1 }).fit(ws.slice(0, 5));
    assert.deepEqual(wm.state!.labelUnseenRates, { ws: 5 / 6 });
    const wq = { ...q([SHELL]), values: ws[0]!.values };
    assert.ok(
      Math.abs(wm.scoreBin(wq).score - wm.scoreBin({ ...wq, heldSessions: [] }).score - 10 / 6) < 1e-9,
    );
    delete doc.hyperParameters.unseenServiceWeight;
    delete doc.state.outTcpServices;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.unseenServiceWeight, 0);
    assert.equal(old.scoreBin(q([SHELL])).score, quiet);
  });

  it('adds the unseen-service term for a UDP conversation held on a port no training capture used, with its own rates', () => {
    const NTP = serviceCode(true, 1, 123);
    const TURN = serviceCode(true, 1, 3478);
    const P2P = serviceCode(true, 1, 32100);
    // Ten devices asking DNS and NTP; one of them also held a P2P conversation on 32100; one used a TCP port of its
    // own, which is the TCP part's business, not the UDP rates'.
    const train = normals.map((n, i) => ({
      ...n,
      services: [
        [DNS, 1, 1],
        [NTP, 1, 1],
        ...(i === 3 ? [[P2P, 1, 1]] : []),
        ...(i === 5 ? [[serviceCode(true, 0, 8443), 1, 1]] : []),
      ] as [number, number, number][],
    }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.deepEqual(
      m.state!.outUdpServices,
      [DNS, NTP, P2P].sort((a, b) => a - b),
    );
    assert.deepEqual(m.state!.labelUdpUnseenRates, { dev: 1 / 11 });
    const q = (held: number[]) => ({
      ...sample('q', 0.3),
      services: [
        [DNS, 1, 1],
        [NTP, 1, 1],
        [TURN, 1, 1],
      ] as [number, number, number][],
      heldSessions: held,
    });
    const quiet = m.scoreBin(q([])).score;
    assert.equal(m.scoreBin(q([TURN])).score, quiet + 10 * (1 - 1 / 11));
    assert.deepEqual(m.unseenUdpSessions(q([TURN, NTP])), [TURN]);
    // Not the TCP part: a UDP code is never one of its unseen services.
    assert.deepEqual(m.unseenServices(q([TURN])), []);
    // A conversation on a port some training capture used: nothing; nor in the cross-validated scores.
    assert.equal(m.scoreBin(q([P2P])).score, quiet);
    assert.equal(m.scoreBin(q([TURN]), 'dev-3').score, m.scoreBin(q([]), 'dev-3').score);
    assert.match(
      m.explain(q([TURN]), m.scoreBin(q([TURN]))).join('\n'),
      /outgoing udp port 3478 to 1 peer \(1 conversation\), a UDP conversation held with a public address on a service no training device used at all — a VPN, a relay or a tunnel is reached this way/,
    );
    // A file made before UDP sessions counted (no outUdpServices): the UDP part is silent, the rest as it was.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    delete doc.state.outUdpServices;
    delete doc.state.labelUdpUnseenRates;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.scoreBin(q([TURN])).score, quiet);
    assert.equal(
      BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).scoreBin(q([TURN])).score,
      quiet + 10 * (1 - 1 / 11),
    );
  });

  it('adds the unseen-service term for another IP protocol exchanged with a public address that no training capture sent', () => {
    const NTP = serviceCode(true, 1, 123);
    const IPIP = serviceCode(true, 3, 4);
    const GRE = serviceCode(true, 3, 47);
    // Ten devices asking DNS and NTP; one of them also kept a GRE tunnel up.
    const train = normals.map((n, i) => ({
      ...n,
      services: [[DNS, 1, 1], [NTP, 1, 1], ...(i === 3 ? [[GRE, 1, 1]] : [])] as [number, number, number][],
      ...(i === 3 ? { heldSessions: [GRE] } : {}),
    }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.deepEqual(m.state!.outIpServices, [GRE]);
    assert.deepEqual(m.state!.labelIpUnseenRates, { dev: 1 / 11 });
    const q = (held: number[]) => ({
      ...sample('q', 0.3),
      services: [
        [DNS, 1, 1],
        [NTP, 1, 1],
        [IPIP, 1, 1],
      ] as [number, number, number][],
      heldSessions: held,
    });
    const quiet = m.scoreBin(q([])).score;
    assert.equal(m.scoreBin(q([IPIP])).score, quiet + 10 * (1 - 1 / 11));
    assert.deepEqual(m.unseenIpSessions(q([IPIP, NTP])), [IPIP]);
    assert.deepEqual(m.unseenUdpSessions(q([IPIP])), []);
    assert.deepEqual(m.unseenServices(q([IPIP])), []);
    // A protocol some training capture sent: nothing; nor in the cross-validated scores.
    assert.equal(m.scoreBin({ ...q([GRE]), services: [[GRE, 1, 1]] }).unseenTerms, 0);
    assert.equal(m.scoreBin(q([IPIP]), 'dev-3').score, m.scoreBin(q([]), 'dev-3').score);
    assert.match(
      m.explain(q([IPIP]), m.scoreBin(q([IPIP]))).join('\n'),
      /outgoing ip protocol 4 \(IP in IP\) to 1 peer, exchanged with a public address for 10 s or more, a protocol no training device sent at all — a tunnel with no port \(IP in IP, GRE, ESP\) carries a VPN or a shell this way/,
    );
    // A file made before (no outIpServices): silent.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    delete doc.state.outIpServices;
    delete doc.state.labelIpUnseenRates;
    assert.equal(BehaviorModel.fromJSON(doc).scoreBin(q([IPIP])).score, quiet);
  });

  it('adds the LAN-service term for a connection a local host accepted on a service no training device connected to on one', () => {
    const HTTP = serviceCode(true, 0, 80);
    const S7 = serviceCode(true, 0, 102);
    // Ten devices with their cloud on 80 (public peers: no LAN connection); one of them reached a local PLC on 102.
    const train = normals.map((n, i) => ({
      ...n,
      services: [[DNS, 1, 1], [HTTP, 1, 2], ...(i === 3 ? [[S7, 1, 1]] : [])] as [number, number, number][],
      ...(i === 3 ? { lanConnections: [S7] } : {}),
    }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.deepEqual(m.state!.lanTcpServices, [S7]);
    assert.deepEqual(m.state!.labelLanUnseenRates, { dev: 1 / 11 });
    const q = (lan: number[]) => ({
      ...sample('q', 0.3),
      services: [
        [DNS, 1, 1],
        [HTTP, 2, 9],
      ] as [number, number, number][],
      lanConnections: lan,
    });
    const weight = 10 * (1 - 1 / 11);
    const quiet = m.scoreBin(q([])).score;
    // Port 80 to the cloud is every device's; to a neighbour, none's.
    assert.equal(m.scoreBin(q([HTTP])).score, quiet + weight);
    assert.deepEqual(m.unseenLanServices(q([HTTP, S7])), [HTTP]);
    assert.equal(m.scoreBin(q([S7])).score, quiet);
    // DNS to the local resolver over TCP (a truncated answer retried) or TLS is no step to a neighbour.
    assert.deepEqual(m.unseenLanServices(q([serviceCode(true, 0, 53), serviceCode(true, 0, 853)])), []);
    // Not in the cross-validated scores.
    assert.equal(m.scoreBin(q([HTTP]), 'dev-3').score, m.scoreBin(q([]), 'dev-3').score);
    const said = m.explain(q([HTTP]), m.scoreBin(q([HTTP]))).join('\n');
    assert.match(
      said,
      /^outgoing tcp port 80 to a host of the local network, which accepted: no training device connected to a local host on it/m,
    );
    // Named once: not again as a new service (the cloud's port is no new one anyway).
    assert.doesNotMatch(said, /new outgoing tcp port 80/);
    // A new service that neighbours accepted (a scan's open ports) is named as new, with its counts, and why.
    const SMB = serviceCode(true, 0, 445);
    const scan = { ...q([SMB]), services: [...q([]).services, [SMB, 40, 40]] as [number, number, number][] };
    const scanSaid = m.explain(scan, m.scoreBin(scan)).join('\n');
    assert.match(
      scanSaid,
      /new outgoing tcp port 445 \(SMB\) to 40 peers \(40 connections; not used by the nearest normal devices; a host of the local network accepted it: no training device connected to a local host on it\)/,
    );
    assert.doesNotMatch(scanSaid, /to a host of the local network, which accepted/);
    // Off, or a file made before the term (no lanTcpServices, no weight): silent.
    assert.equal(
      new BehaviorModel({ k: 1, lanServiceWeight: 0 }).fit(train).scoreBin(q([HTTP])).score,
      quiet,
    );
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as {
      hyperParameters: Record<string, unknown>;
      state: Record<string, unknown>;
    };
    assert.equal(
      BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc))).scoreBin(q([HTTP])).score,
      quiet + weight,
    );
    delete doc.hyperParameters.lanServiceWeight;
    delete doc.state.lanTcpServices;
    delete doc.state.labelLanUnseenRates;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.lanServiceWeight, 0);
    assert.equal(old.scoreBin(q([HTTP])).score, quiet);
  });

  it('weighs a routing protocol the device sends like an admin service, and names a neighbour that exchanged it', () => {
    const m = new BehaviorModel({ k: 1, noveltyWeight: 1 }).fit(normals);
    const OSPF = serviceCode(true, 3, 89);
    const q = (services: [number, number, number][], lan?: number[]) => ({
      ...sample('q', 0.1 * 3, 0, [[DNS, 1, 1], ...services]),
      ...(lan ? { lanConnections: lan } : {}),
    });
    // OSPF Hellos and an adjacency's exchange (3 peers, 7 flows): ln(1 + 1) + ln(1 + 3), plus ln(1 + 7) and the
    // bonus 2; received from the router, or another IP protocol (GRE), only the first two.
    const sent = m.scoreBin(q([[OSPF, 3, 7]]));
    assert.ok(
      Math.abs(sent.novelty - (Math.log(2) + Math.log(4) + Math.log(8) + 2)) < 1e-12,
      `${sent.novelty}`,
    );
    for (const other of [serviceCode(false, 3, 89), serviceCode(true, 3, 47)])
      assert.ok(Math.abs(m.scoreBin(q([[other, 3, 7]])).novelty - (Math.log(2) + Math.log(4))) < 1e-12);
    // VRRP, BGP and RIP alike; IGMP (every host joins groups) is not.
    for (const code of [serviceCode(true, 3, 112), serviceCode(true, 0, 179), serviceCode(true, 1, 520)])
      assert.ok(m.scoreBin(q([[code, 1, 1]])).novelty > Math.log(2) + Math.log(2) + 2, serviceText(code));
    assert.ok(Math.abs(m.scoreBin(q([[serviceCode(true, 3, 2), 1, 1]])).novelty - 2 * Math.log(2)) < 1e-12);
    assert.equal(serviceText(OSPF), 'outgoing ip protocol 89 (OSPF, routing)');
    assert.equal(serviceText(serviceCode(true, 0, 179)), 'outgoing tcp port 179 (BGP, routing)');
    assert.equal(serviceText(serviceCode(true, 1, 1985)), 'outgoing udp port 1985 (HSRP, routing)');
    // A neighbour router exchanged it: the LAN-service term, in the protocol's own words.
    const adjacent = q([[OSPF, 3, 7]], [OSPF]);
    const said = m.explain(adjacent, m.scoreBin(adjacent)).join('\n');
    assert.match(
      said,
      /new outgoing ip protocol 89 \(OSPF, routing\) to 3 peers \(7 connections; not used by the nearest normal devices; a host of the local network exchanged it with the device: no training device spoke it with a local host/,
    );
    assert.ok(m.scoreBin(adjacent).score > sent.score);
  });

  it('judges UDP request services on unlisted high ports only with a file that was trained to list them', () => {
    const HTTP = serviceCode(true, 0, 80);
    const RADIUS = serviceCode(true, 1, 1812);
    const SNMP = serviceCode(true, 1, 161);
    const train = normals.map((n) => ({
      ...n,
      services: [
        [DNS, 1, 1],
        [HTTP, 1, 2],
      ] as [number, number, number][],
    }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.state!.lanUdpRequests, true);
    const q = {
      ...sample('q', 0.3),
      services: [[DNS, 1, 1]] as [number, number, number][],
      lanConnections: [SNMP, RADIUS],
    };
    assert.deepEqual(m.unseenLanServices(q), [SNMP, RADIUS]);
    assert.match(
      m.explain(q, m.scoreBin(q)).join('\n'),
      /^outgoing udp port 1812 to a host of the local network, which answered: no training device used it with a local host/m,
    );
    // A file made before the extractor listed them scores as it did: its LAN-service term knows SNMP's port only.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    delete doc.state.lanUdpRequests;
    const old = BehaviorModel.fromJSON(doc);
    assert.deepEqual(old.unseenLanServices(q), [SNMP]);
    assert.equal(old.scoreBin(q).score, m.scoreBin({ ...q, lanConnections: [SNMP] }).score);
  });

  it('adds the listen-service term for connections accepted on a port no training device accepted any on', () => {
    const inbound = (port: number) => serviceCode(false, 0, port);
    const HTTPS = serviceCode(true, 0, 443);
    // Ten devices with their cloud on 443; one of them served its local API on 4712 to a phone.
    const train = normals.map((n, i) => ({
      ...n,
      services: [[DNS, 1, 1], [HTTPS, 1, 2], ...(i === 3 ? [[inbound(4712), 1, 3]] : [])] as [
        number,
        number,
        number,
      ][],
      ...(i === 3 ? { acceptedServices: [inbound(4712)] } : {}),
      // Another's web page opened during its setup: a web port, which the term leaves out (and its rate too).
      ...(i === 5 ? { acceptedServices: [inbound(80)] } : {}),
    }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.deepEqual(m.state!.inTcpServices, [inbound(4712)]);
    assert.deepEqual(m.state!.labelListenUnseenRates, { dev: 1 / 11 });
    const q = (accepted: number[]) => ({
      ...sample('q', 0.3),
      services: [[DNS, 1, 1], [HTTPS, 1, 2], ...accepted.map((c) => [c, 1, 6])] as [number, number, number][],
      acceptedServices: accepted,
    });
    const weight = 10 * (1 - 1 / 11);
    const quiet = m.scoreBin(q([])).score;
    // A SOCKS proxy's 1080: no device accepted anything there.
    const proxy = m.scoreBin(q([inbound(1080)]));
    assert.ok(Math.abs(proxy.unseenTerms - weight) < 1e-12, `${proxy.unseenTerms}`);
    assert.ok(proxy.score > quiet + weight - 1e-9);
    assert.deepEqual(m.unseenListenServices(q([inbound(1080), inbound(4712)])), [inbound(1080)]);
    // A port a training device served, or a web port (a device's own page, perhaps never opened in training): nothing.
    assert.deepEqual(m.unseenListenServices(q([inbound(4712)])), []);
    assert.deepEqual(m.unseenListenServices(q([80, 443, 8080, 8443].map(inbound))), []);
    // Not in the cross-validated scores.
    assert.equal(m.scoreBin(q([inbound(1080)]), 'dev-3').unseenTerms, 0);
    assert.match(
      m.explain(q([inbound(1080)]), proxy).join('\n'),
      /new incoming tcp port 1080 from 1 peer \(6 connections; not used by the nearest normal devices; it accepted them: no training device accepted connections on it — a proxy, a bind shell or a backdoor listens this way\)/,
    );
    // One connection: "it".
    const once = {
      ...q([]),
      services: [...q([]).services, [inbound(1080), 1, 1]] as [number, number, number][],
      acceptedServices: [inbound(1080)],
    };
    assert.match(
      m.explain(once, m.scoreBin(once)).join('\n'),
      /\(1 connection; not used by the nearest normal devices; it accepted it:/,
    );
    // Off, or a file made before the term: silent.
    assert.equal(
      new BehaviorModel({ k: 1, listenServiceWeight: 0 }).fit(train).scoreBin(q([inbound(1080)])).unseenTerms,
      0,
    );
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as {
      hyperParameters: Record<string, unknown>;
      state: Record<string, unknown>;
    };
    delete doc.hyperParameters.listenServiceWeight;
    delete doc.state.inTcpServices;
    delete doc.state.labelListenUnseenRates;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.listenServiceWeight, 0);
    assert.equal(old.scoreBin(q([inbound(1080)])).unseenTerms, 0);

    // UDP: an NTP service an internet address asked and the device answered at once, named as such; a file made
    // before UDP services were listed judges TCP alone.
    const ntp = serviceCode(false, 1, 123) + FROM_INTERNET;
    const reflector = {
      ...q([]),
      services: [...q([]).services, [serviceCode(false, 1, 123), 1, 1]] as [number, number, number][],
      acceptedServices: [ntp],
    };
    const reflected = m.scoreBin(reflector);
    assert.ok(Math.abs(reflected.unseenTerms - weight) < 1e-12, `${reflected.unseenTerms}`);
    assert.match(
      m.explain(reflector, reflected).join('\n'),
      /new incoming udp port 123 from 1 peer \(1 connection; not used by the nearest normal devices; it answered it at once: no training device answered internet addresses on it — a reflector, a backdoor or a port opened to the internet answers this way\)/,
    );
    const tcpOnly = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    assert.equal(tcpOnly.state.listenUdp, true);
    delete tcpOnly.state.listenUdp;
    assert.deepEqual(BehaviorModel.fromJSON(tcpOnly).unseenListenServices(reflector), []);
    assert.equal(BehaviorModel.fromJSON(tcpOnly).unseenListenServices(q([inbound(1080)])).length, 1);
  });

  it("sets the evidence floor from the smallest capture of the maker's types, else the role's, else any; old files have none", () => {
    // Captures of three labels: a plug (2 windows of 40 packets), a camera (200) by the plug's maker, a kettle
    // (12) by another; a second plug capture of 300.
    const at = (group: string, packets: number, vendor: string): TrainingSample => ({
      ...sample(group, 0.3),
      packets,
      vendor,
    });
    const m = new BehaviorModel({ k: 1 }).fit([
      at('plug-1', 40, 'aa:aa:aa'),
      at('plug-1', 40, 'aa:aa:aa'),
      at('plug-2', 300, 'aa:aa:aa'),
      at('camera-1', 200, 'aa:aa:aa'),
      at('kettle-1', 12, 'bb:bb:bb'),
      at('kettle-2', 20, 'bb:bb:bb'),
    ]);
    assert.deepEqual(m.state!.minPacketsByLabel, { plug: 80, camera: 200, kettle: 12 });
    // A maker's floor is its smallest type's smallest capture, whatever the role the fragment is taken for.
    assert.deepEqual(m.evidenceFloor('kettle', 'aa:aa:aa'), {
      packets: 20,
      smallest: 80,
      share: 0.25,
      of: 'the types of the training devices with its MAC vendor prefix aa:aa:aa',
    });
    assert.equal(m.evidenceFloor('camera', 'cc:cc:cc')!.packets, 50);
    assert.equal(m.evidenceFloor('Unknown', 'cc:cc:cc')!.smallest, 12);
    assert.equal(new BehaviorModel({ k: 1, evidenceShare: 0 }).fit(normals).evidenceFloor('dev'), null);
    // Without packet counts (windows from before they were kept), no floor either.
    assert.equal(new BehaviorModel({ k: 1 }).fit(normals).evidenceFloor('dev'), null);
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as {
      hyperParameters: Record<string, unknown>;
      state: Record<string, unknown>;
    };
    assert.equal(BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc))).evidenceFloor('plug')!.packets, 20);
    delete doc.hyperParameters.evidenceShare;
    delete doc.state.minPacketsByLabel;
    delete doc.state.minPacketsByVendor;
    assert.equal(BehaviorModel.fromJSON(doc).evidenceFloor('plug'), null);
  });

  it('weighs a first industrial control protocol over TCP like an admin service; old files leave it out', () => {
    const S7 = serviceCode(true, 0, 102);
    const MELSOFT = serviceCode(true, 1, 5560);
    const query = sample('q', 0.1 * 3, 0, [
      [DNS, 1, 1],
      [S7, 1, 1],
      [MELSOFT, 1, 588],
    ]);
    const m = new BehaviorModel({ k: 1 }).fit(normals);
    const s7 = m.scoreBin(query);
    // ln(1 + 2 new services) + ln(1 + 1 peer) + ln(1 + 1 S7 connection) + the industrial bonus 2; the
    // MELSOFT search over UDP (broadcast discovery) is a new service only.
    assert.ok(Math.abs(s7.novelty - (Math.log(3) + Math.log(2) + Math.log(2) + 2)) < 1e-12, `${s7.novelty}`);
    const udpOnly = m.scoreBin(
      sample('q', 0.1 * 3, 0, [
        [DNS, 1, 1],
        [MELSOFT, 1, 588],
      ]),
    );
    assert.ok(Math.abs(udpOnly.novelty - (Math.log(2) + Math.log(2))) < 1e-12, `${udpOnly.novelty}`);
    assert.match(
      m.explain(query, s7).join('\n'),
      /new outgoing tcp port 102 \(S7comm \/ ISO-TSAP, industrial control\) to 1 peer/,
    );
    // Neighbours that speak an industrial protocol (UDP counts here) make S7 only a new service.
    const station = normals.map((n) => ({
      ...n,
      services: [
        [DNS, 1, 1] as [number, number, number],
        [serviceCode(true, 1, 5006), 1, 3] as [number, number, number],
      ],
    }));
    const ics = new BehaviorModel({ k: 1 }).fit(station).scoreBin(query);
    assert.ok(Math.abs(ics.novelty - (Math.log(3) + Math.log(2))) < 1e-12, `${ics.novelty}`);
    // A file written before the term existed has no industrialServiceBonus: it scores as it did.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.industrialServiceBonus;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.industrialServiceBonus, 0);
    assert.equal(old.scoreBin(query).novelty, Math.log(3) + Math.log(2));
  });

  it("adds the offline-maker term when a window talks to the internet and its maker's devices in training never did", () => {
    const CLOUD = 0x34123456;
    // Five plugs of one maker with a cloud; five controllers of another that never talked to a public address.
    const train = normals.map((n, i) =>
      i < 5
        ? { ...n, label: 'plug', vendor: 'ca:ca:ca', publicPeers: [CLOUD], publicPeerFlows: [2] }
        : { ...n, label: 'plc', vendor: 'ee:ee:ee' },
    );
    const m = new BehaviorModel({ k: 1, peerWeight: 0, peerFlowWeight: 0 }).fit(train);
    const query = { ...sample('q', 0.3), publicPeers: [0x55667788], publicPeerFlows: [1] };
    const controller = m.scoreBin(query, undefined, undefined, 'ee:ee:ee');
    assert.equal(controller.offlineMaker, 'maker');
    assert.equal(controller.unseenTerms, 10);
    assert.match(
      m.explain(query, controller).join('\n'),
      /talked to 1 public address, where no training capture of a device of its maker \(its MAC vendor prefix\) talked to any — a device kept off the internet reaches out, or is reached from outside/,
    );
    // The plug maker's devices talk to the internet; a maker training has no device of says nothing; a window of
    // the controller maker's with no public peer neither.
    assert.equal(m.scoreBin(query, undefined, undefined, 'ca:ca:ca').unseenTerms, 0);
    assert.equal(m.scoreBin(query, undefined, undefined, 'dd:dd:dd').unseenTerms, 0);
    // A maker training has no device of, given a role whose captures never talked to the internet: the role's.
    const byRole = m.scoreBin(query, undefined, 'plc', 'dd:dd:dd');
    assert.equal(byRole.offlineMaker, 'role');
    assert.equal(byRole.unseenTerms, 10);
    assert.match(
      m.explain(query, byRole).join('\n'),
      /where no training capture of its role \(no device of its maker in training\) talked to any/,
    );
    assert.equal(m.scoreBin(query, undefined, 'plug', 'dd:dd:dd').offlineMaker, null);
    // The maker's own captures decide when there are any: an online maker given an offline role stays silent.
    assert.equal(m.scoreBin(query, undefined, 'plc', 'ca:ca:ca').offlineMaker, null);
    assert.equal(m.scoreBin(sample('q', 0.3), undefined, undefined, 'ee:ee:ee').unseenTerms, 0);
    // One online capture of the maker is enough to keep it silent; and it is not in the cross-validated scores.
    const mixed = new BehaviorModel({ k: 1, peerWeight: 0, peerFlowWeight: 0 }).fit(
      train.map((n, i) => (i === 9 ? { ...n, publicPeers: [CLOUD], publicPeerFlows: [1] } : n)),
    );
    assert.equal(mixed.scoreBin(query, undefined, undefined, 'ee:ee:ee').unseenTerms, 0);
    assert.equal(m.scoreBin(query, 'dev-7', undefined, 'ee:ee:ee').unseenTerms, 0);
    // Off, or a file written before the term existed: silent.
    assert.equal(
      new BehaviorModel({ k: 1, offlineMakerWeight: 0 })
        .fit(train)
        .scoreBin(query, undefined, undefined, 'ee:ee:ee').unseenTerms,
      0,
    );
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    assert.equal(doc.hyperParameters.offlineMakerWeight, 10);
    delete doc.hyperParameters.offlineMakerWeight;
    assert.equal(
      BehaviorModel.fromJSON(doc).scoreBin(query, undefined, undefined, 'ee:ee:ee').offlineMaker,
      null,
    );
  });

  it("counts industrial UDP it sent as industrial when its maker's devices in training never spoke an industrial protocol", () => {
    const MELSOFT = serviceCode(true, 1, 5560);
    const query = sample('q', 0.1 * 3, 0, [
      [DNS, 1, 1],
      [MELSOFT, 1, 588],
    ]);
    // Five cameras of one maker, five engineering stations (speaking MELSEC MC over UDP) of another.
    const station = (n: TrainingSample) => ({
      ...n,
      vendor: 'ee:ee:ee',
      services: [
        [DNS, 1, 1] as [number, number, number],
        [serviceCode(true, 1, 5006), 1, 3] as [number, number, number],
      ],
    });
    const train = normals.map((n, i) => (i < 5 ? { ...n, vendor: 'ca:ca:ca' } : station(n)));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    const udpNovelty = Math.log(2) + Math.log(2);
    // The camera maker's MAC: the MELSOFT search is a first industrial protocol, with its connections and bonus.
    const camera = m.scoreBin(query, undefined, undefined, 'ca:ca:ca');
    assert.deepEqual(camera.novel, [[MELSOFT, 1, 588]]);
    assert.ok(Math.abs(camera.novelty - (udpNovelty + Math.log(589) + 2)) < 1e-12, `${camera.novelty}`);
    assert.match(
      m.explain(query, camera)[0]!,
      /^new outgoing udp port 5560 \(MELSOFT, industrial control\) to 1 peer \(588 connections; not used by the nearest normal devices; no device of its maker in training spoke an industrial protocol\)$/,
    );
    // A maker training has no device of, or one of whose devices spoke an industrial protocol: a new service only.
    const unknownMaker = m.scoreBin(query, undefined, undefined, 'dd:dd:dd');
    assert.ok(Math.abs(unknownMaker.novelty - udpNovelty) < 1e-12);
    assert.doesNotMatch(m.explain(query, unknownMaker).join('\n'), /its maker/);
    assert.ok(Math.abs(m.scoreBin(query).novelty - udpNovelty) < 1e-12);
    const mixed = new BehaviorModel({ k: 1 }).fit(
      train.map((n, i) => (i === 9 ? { ...station(n), vendor: 'ca:ca:ca' } : n)),
    );
    assert.ok(Math.abs(mixed.scoreBin(query, undefined, undefined, 'ca:ca:ca').novelty - udpNovelty) < 1e-12);
    // In cross-validation a capture's own maker entry does not count: the only device of a maker says nothing.
    const alone = new BehaviorModel({ k: 1 }).fit(
      train.map((n, i) => (i === 0 ? { ...n, vendor: 'aa:aa:aa' } : n)),
    );
    assert.ok(Math.abs(alone.scoreBin(query, 'dev-0', undefined, 'aa:aa:aa').novelty - udpNovelty) < 1e-12);
    // UDP it only received (an engineering station's broadcast search reaching it) is not its doing.
    const received = sample('q', 0.1 * 3, 0, [
      [DNS, 1, 1],
      [serviceCode(false, 1, 5560), 1, 588],
    ]);
    assert.ok(Math.abs(m.scoreBin(received, undefined, undefined, 'ca:ca:ca').novelty - udpNovelty) < 1e-12);
    // A file written before the rule existed scores as it did.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    assert.equal(doc.hyperParameters.vendorIndustrialUdp, true);
    delete doc.hyperParameters.vendorIndustrialUdp;
    const old = BehaviorModel.fromJSON(doc);
    assert.equal(old.vendorIndustrialUdp, false);
    assert.ok(Math.abs(old.scoreBin(query, undefined, undefined, 'ca:ca:ca').novelty - udpNovelty) < 1e-12);
  });

  it("adds the second-stack term when a host sends with a stack its neighbours' captures never had beside one they had", () => {
    const TTL64 = 1 << 1;
    const TTL255 = 1 << 3;
    const SYN20 = 1 << (STACK_SYN_SHIFT + 10 - 5);
    const SYN0 = 1 << STACK_SYN_SHIFT;
    // A capture's windows carry the stacks so far: its last one has the capture's whole mask.
    const train = normals.flatMap((n, i) => [
      { ...n, stacks: TTL64 },
      { ...sample(n.group, 0.1 * i), stacks: TTL64 | SYN20 },
    ]);
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.state!.groupStacks!['dev-3'], TTL64 | SYN20);
    const at = (stacks: number) => m.scoreBin({ ...sample('q', 0.1 * 3), stacks });
    // Its usual stacks, or fewer: nothing.
    assert.equal(at(TTL64 | SYN20).score, 0);
    assert.equal(at(TTL64).score, 0);
    // One stack only, never seen: another model of the device, not a second machine — nothing.
    assert.equal(at(TTL255).score, 0);
    assert.equal(at(TTL255 | (SYN20 << 1)).newStacks, 0);
    // A second TTL class beside the usual one: σ (default 20: decisive on its own), and the bits it names.
    const two = at(TTL64 | TTL255 | SYN20);
    assert.equal(two.score, 20);
    assert.equal(two.newStacks, TTL255);
    assert.equal(two.knownStacks, TTL64);
    // SYNs with no options beside its usual 20 bytes (a raw-socket tool's): the same, once for both kinds.
    const both = at(TTL64 | TTL255 | SYN20 | SYN0);
    assert.equal(both.score, 20);
    assert.equal(both.newStacks, TTL255 | SYN0);
    const reasons = m.explain({ ...sample('q', 0.1 * 3), stacks: TTL64 | TTL255 | SYN20 | SYN0 }, both);
    assert.match(
      reasons[0]!,
      /^a second network stack sends from its address: initial TTL 255, SYNs with 0 bytes of TCP options \(never in the captures of its nearest normal devices\) beside initial TTL 64, SYNs with 20 bytes of TCP options \(as in theirs\) — another machine or OS behind it \(either may be the device's own\)$/,
    );
    // A file written before the term existed scores as it did; one made with it off keeps no masks.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.stackWeight;
    assert.equal(
      BehaviorModel.fromJSON(doc).scoreBin({ ...sample('q', 0.1 * 3), stacks: TTL64 | TTL255 }).score,
      0,
    );
    assert.equal(new BehaviorModel({ k: 1, stackWeight: 0 }).fit(train).state!.groupStacks, undefined);
    // A saved model reads back with the same masks and scores.
    assert.equal(
      BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).scoreBin({
        ...sample('q', 0.1 * 3),
        stacks: TTL64 | TTL255,
      }).score,
      20,
    );
  });

  it('adds the ARP-claims term when a window claims another address 5+ times and no neighbour capture did', () => {
    // Two normal devices named a stale address once or twice at setup; none as often as a spoofer does.
    const train = normals.map((n, i) => ({ ...n, arpClaims: i % 3 === 0 ? 2 : 0 }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.state!.groupArpClaims!['dev-0'], 2);
    const at = (arpClaims: number) => m.scoreBin({ ...sample('q', 0.1 * 3), arpClaims });
    assert.equal(at(0).score, 0);
    assert.equal(at(4).score, 0);
    // 49 forged replies (arpspoof): the weight (default 50: decisive on its own), and the count it names.
    const spoof = at(49);
    assert.equal(spoof.score, 50);
    assert.equal(spoof.arpClaims, 49);
    assert.match(
      m.explain({ ...sample('q', 0.1 * 3), arpClaims: 49 }, spoof)[0]!,
      /^49 of its ARP frames in 5 minutes claimed another IPv4 address than its own \(never 5 in a window of its nearest normal devices\) — answering for another host's address, as ARP spoofing does to intercept its traffic$/,
    );
    // Neighbours whose own captures claimed as often (a proxy-ARP router's type): no news.
    const routers = new BehaviorModel({ k: 1 }).fit(normals.map((n) => ({ ...n, arpClaims: 30 })));
    assert.equal(routers.scoreBin({ ...sample('q', 0.1 * 3), arpClaims: 49 }).score, 0);
    // A file written before the term existed scores as it did; one made with it off keeps no counts.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.arpClaimWeight;
    assert.equal(BehaviorModel.fromJSON(doc).scoreBin({ ...sample('q', 0.1 * 3), arpClaims: 49 }).score, 0);
    assert.equal(new BehaviorModel({ k: 1, arpClaimWeight: 0 }).fit(train).state!.groupArpClaims, undefined);
    assert.equal(
      BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).scoreBin({
        ...sample('q', 0.1 * 3),
        arpClaims: 49,
      }).score,
      50,
    );
  });

  it("adds the foreign-source term when 10+ packets of a window left from a neighbour's address and no neighbour capture did", () => {
    // Three normal devices sent a packet or two from a new address before they were reached at it (DHCP).
    const train = normals.map((n, i) => ({ ...n, ...(i % 3 === 0 ? { foreignSources: 2 } : {}) }));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.state!.groupForeignSources!['dev-0'], 2);
    assert.equal(m.state!.groupForeignSources!['dev-1'], 0);
    const at = (foreignSources: number) => m.scoreBin({ ...sample('q', 0.1 * 3), foreignSources });
    assert.equal(at(0).score, 0);
    assert.equal(at(9).score, 0);
    // 1,920 requests in a neighbour's name (a reflection): the weight (default 50: decisive on its own).
    const spoof = at(1920);
    assert.equal(spoof.score, 50);
    assert.equal(spoof.foreignSources, 1920);
    assert.match(
      m.explain(
        { ...sample('q', 0.1 * 3), foreignSources: 1920, foreignSourceAddress: 0x0a0a0a14 },
        spoof,
      )[0]!,
      /^1920 of its IPv4 packets in 5 minutes left from 10\.10\.10\.20, an address of its local network it was never reached at \(never 10 in a window of its nearest normal devices\) — another host's address: spoofed, the answers going to that host \(a reflection or a flood aimed at it\), or that host's traffic forwarded one way, as a device in the middle of it does$/,
    );
    // Neighbours whose own captures did as much: no news.
    const relays = new BehaviorModel({ k: 1 }).fit(normals.map((n) => ({ ...n, foreignSources: 300 })));
    assert.equal(relays.scoreBin({ ...sample('q', 0.1 * 3), foreignSources: 1920 }).score, 0);
    // A file written before the term existed scores as it did; one made with it off keeps no counts.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.foreignSourceWeight;
    assert.equal(
      BehaviorModel.fromJSON(doc).scoreBin({ ...sample('q', 0.1 * 3), foreignSources: 1920 }).score,
      0,
    );
    assert.equal(
      new BehaviorModel({ k: 1, foreignSourceWeight: 0 }).fit(train).state!.groupForeignSources,
      undefined,
    );
    assert.equal(
      BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).scoreBin({
        ...sample('q', 0.1 * 3),
        foreignSources: 1920,
      }).score,
      50,
    );
  });

  it("adds the beacon term for regular check-ins with an address its type never talked to, beyond its type's regular endpoints", () => {
    const HTTPS = serviceCode(true, 0, 443);
    const NTP = serviceCode(true, 1, 123);
    const CLOUD = 0x08080808;
    const C2 = 0x2d21209c; // 45.33.32.156
    const q = (beacons: [number, number, number, number, number][], peers = [CLOUD, C2]) => ({
      ...sample('q', 0.1 * 3),
      publicPeers: peers,
      publicPeerFlows: peers.map(() => 1),
      beacons,
    });
    // Every normal device talks to its cloud; one of them checked in with it regularly, and with 3 NTP servers.
    const train = normals.map((n, i) => ({
      ...n,
      publicPeers: [CLOUD],
      publicPeerFlows: [3],
      ...(i === 0
        ? {
            beacons: [
              [CLOUD, HTTPS, 5, 60, 1],
              [0x01010101, NTP, 4, 35, 3],
              [0x01010102, NTP, 4, 35, 3],
              [0x01010103, NTP, 4, 35, 3],
            ] as [number, number, number, number, number][],
          }
        : {}),
    }));
    const m = new BehaviorModel({ k: 1, peerWeight: 0, peerFlowWeight: 0 }).fit(train);
    assert.deepEqual(m.state!.groupBeacons, { 'dev-0': { [HTTPS]: 1, [NTP]: 3 } });
    // Its own heartbeat (a known address): nothing.
    assert.equal(m.scoreBin(q([[CLOUD, HTTPS, 12, 60, 2]])).score, 0);
    // A new address, but one regular HTTPS endpoint is what a normal device of its type had: nothing (the device's
    // heartbeat may have moved to a new cloud address).
    assert.equal(m.scoreBin(q([[C2, HTTPS, 12, 55, 3]])).score, 0);
    // Three NTP servers at a new address each: as many as normal.
    const pool = [0x02020201, 0x02020202, 0x02020203].map(
      (a) => [a, NTP, 4, 35, 3] as [number, number, number, number, number],
    );
    assert.equal(m.scoreBin(q(pool, [CLOUD, 0x02020201, 0x02020202, 0x02020203])).score, 0);
    // Its heartbeat and check-ins with a new address beside it: two regular HTTPS endpoints, one more than normal.
    const both = q([
      [CLOUD, HTTPS, 12, 60, 2],
      [C2, HTTPS, 12, 55, 3],
    ]);
    const fired = m.scoreBin(both);
    assert.equal(fired.score, 20);
    assert.deepEqual(fired.beacon, { entry: [C2, HTTPS, 12, 55, 3], regular: 2, normalMost: 1 });
    assert.match(
      m.explain(both, fired)[0]!,
      /^regular check-ins with 45\.33\.32\.156 on outgoing tcp port 443: 12 so far, every 55 s \(± 3 s\) \(2 endpoints of this service checked in with regularly; their most in a window 1\), a public address no training device of its nearest normal devices' types talked to — what an implant's beacon/,
    );
    // Where no normal capture had a regular HTTPS endpoint, the new one alone fires.
    const none = new BehaviorModel({ k: 1, peerWeight: 0, peerFlowWeight: 0 }).fit(
      train.map((t) => ({ ...t, beacons: [] })),
    );
    assert.equal(none.state!.groupBeacons && Object.keys(none.state!.groupBeacons).length, 0);
    assert.equal(none.scoreBin(q([[C2, HTTPS, 4, 300, 0]])).score, 20);
    // Cross-validation: the address only the scored training capture talked to is new to the others.
    const X = 0x03030303;
    const solo = new BehaviorModel({ k: 1, peerWeight: 0, peerFlowWeight: 0 }).fit(
      train.map((t, i) => ({ ...t, beacons: [], publicPeers: i === 0 ? [CLOUD, X] : [CLOUD] })),
    );
    assert.equal(solo.scoreBin(q([[X, HTTPS, 4, 300, 0]])).score, 0);
    assert.equal(solo.scoreBin(q([[X, HTTPS, 4, 300, 0]]), 'dev-0').score, 20);
    // A file written before the term existed scores as it did; one made with it off keeps no counts.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.beaconWeight;
    assert.equal(BehaviorModel.fromJSON(doc).scoreBin(both).score, 0);
    assert.equal(new BehaviorModel({ k: 1, beaconWeight: 0 }).fit(train).state!.groupBeacons, undefined);
    assert.equal(BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).scoreBin(both).score, 20);
  });

  it('scores connections with a public address none of the neighbours talked to (a beacon)', () => {
    const withPeers = (group: string, peers: number[], flows: number[]) => ({
      ...sample(group, 0.1 * 3),
      publicPeers: peers,
      publicPeerFlows: flows,
    });
    const train = Array.from({ length: 6 }, (_, i) => withPeers(`dev-${i}`, [0x08080808], [3]));
    // The type-range term (its own test) off: the peer terms alone.
    const m = new BehaviorModel({
      k: 1,
      peerWeight: 1,
      peerFlowWeight: 1.5,
      peerFlowFree: 0,
      typePeerWeight: 0,
    }).fit(train);
    // A known peer adds nothing, however busy.
    assert.equal(m.scoreBin(withPeers('q', [0x08080808], [60])).score, 0);
    // 40 connections with one new address (and 2 with another): ln(1 + 2) + 1.5 · ln(1 + 40).
    const beacon = m.scoreBin(withPeers('q', [0x08080808, 0x5db8d822, 0x5db8d823], [1, 40, 2]));
    assert.equal(beacon.novelPeers, 2);
    assert.equal(beacon.novelPeerFlows, 40);
    assert.ok(Math.abs(beacon.score - (Math.log(3) + 1.5 * Math.log(41))) < 1e-12, `${beacon.score}`);
    // By default the first 3 connections with a new address are free: ln(1 + 2) + 1.5 · ln(1 + 37).
    const byDefault = new BehaviorModel({ k: 1, typePeerWeight: 0 }).fit(train);
    const free = byDefault.scoreBin(withPeers('q', [0x08080808, 0x5db8d822, 0x5db8d823], [1, 40, 2]));
    assert.ok(Math.abs(free.score - (Math.log(3) + 1.5 * Math.log(38))) < 1e-12, `${free.score}`);
    assert.equal(byDefault.scoreBin(withPeers('q', [0x5db8d822], [3])).score, Math.log(2));
    const reasons = m.explain(withPeers('q', [0x08080808, 0x5db8d822, 0x5db8d823], [1, 40, 2]), beacon);
    assert.match(reasons[0]!, /^40 connections with 93\.184\.216\.34, a public address none of the nearest/);
    // A beacon that keeps one connection open and checks in on it: 1 connection and 39 resumptions are 40 contacts.
    const held = { ...withPeers('q', [0x08080808, 0x5db8d822], [1, 1]), publicPeerResumes: [50, 39] };
    const kept = m.scoreBin(held);
    assert.equal(kept.novelPeerFlows, 40);
    assert.ok(Math.abs(kept.score - (Math.log(2) + 1.5 * Math.log(41))) < 1e-12, `${kept.score}`);
    assert.match(
      m.explain(held, kept)[0]!,
      /^40 contacts \(1 connection, 39 resumed after a pause of 5 s or more\) with 93\.184\.216\.34, a public address none of the nearest/,
    );
    // A model made before resumptions counted judges connections alone, and says so.
    const before = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    assert.equal(before.state.peerResumes, true);
    delete before.state.peerResumes;
    const connectionsOnly = BehaviorModel.fromJSON(before);
    const one = connectionsOnly.scoreBin(held);
    assert.equal(one.novelPeerFlows, 1);
    assert.ok(Math.abs(one.score - (Math.log(2) + 1.5 * Math.log(2))) < 1e-12, `${one.score}`);
    // Files written before the term existed keep their meaning (weight 0).
    const old = m.toJSON() as unknown as { hyperParameters: Record<string, unknown> };
    delete old.hyperParameters.peerFlowWeight;
    delete old.hyperParameters.adminServiceBonus;
    const reloaded = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(old)));
    assert.equal(reloaded.peerFlowWeight, 0);
    assert.equal(reloaded.adminServiceBonus, 0);
  });

  it('calibrates per role when a role has enough training windows, else on the population', () => {
    // "tight": 60 captures packed close together (small cross-validated distances); "wide": 60 spread out;
    // "rare": 3 captures (too few for its own calibration).
    const train = [
      ...Array.from({ length: 60 }, (_, i) => sample(`tight-${i}`, 0.5 + i * 1e-3)),
      ...Array.from({ length: 60 }, (_, i) => sample(`wide-${i}`, (i * i) / 3600, i % 7)),
      ...Array.from({ length: 3 }, (_, i) => sample(`rare-${i}`, 0.2, 3 * i)),
    ];
    const m = new BehaviorModel({ k: 1, roleCalibrationMin: 50 }).fit(train);
    const tails = m.state!.roleTails;
    assert.deepEqual(Object.keys(tails), ['tight', 'wide']);
    assert.equal(tails.tight!.cvScores.length, 60);
    assert.ok(tails.tight!.cvScores.at(-1)! < tails.wide!.cvScores.at(-1)!);
    // The same raw score is rarer among the tight role's normal windows than among the population's.
    const s = tails.tight!.cvScores.at(-1)! * 2;
    assert.ok(m.tailProbability(s, 'tight') < m.tailProbability(s));
    assert.equal(m.tailProbability(s, 'rare'), m.tailProbability(s));
    assert.equal(m.tailProbability(s, 'Unknown'), m.tailProbability(s));
    const q = [sample('q', 0.9, 5)];
    assert.equal(m.score(q, undefined, 'tight').calibratedOn, 'tight');
    assert.equal(m.score(q, undefined, 'rare').calibratedOn, null);
    assert.equal(m.score(q).calibratedOn, null);
    assert.ok(m.score(q, undefined, 'tight').abnormality > m.score(q).abnormality);
    // The default minimum (50 windows) is stored; files without roleTails load with none.
    const doc = m.toJSON() as unknown as { state: Record<string, unknown> };
    delete doc.state.roleTails;
    assert.deepEqual(BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc))).state!.roleTails, {});
    assert.equal(new BehaviorModel().roleCalibrationMin, 50);
  });

  it('weighs a TCP failure share by its attempts: one refused connection is not a refused scan', () => {
    const withRejected = (x: TrainingSample, share: number, attempts: number): TrainingSample => {
      const values = [...x.values];
      values[REJECTED] = share;
      values[IN_ATTEMPTS] = attempts;
      return { ...x, values };
    };
    // Every normal window: one incoming attempt, answered.
    const train = normals.map((x) => withRejected(x, 0, 1));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.shareEvidence, 4);
    const once = m.scoreBin(withRejected(sample('q', 0.3), 1, 1));
    const scan = m.scoreBin(withRejected(sample('q', 0.3), 1, 200));
    // 1 · 1/(1 + 4) = 0.2 and 1 · 200/204 against 0 (scale: the share floor 0.1): 2 units, and 3 (clipped);
    // the scan's 200 attempts against 1 add 3 more (clipped).
    assert.ok(Math.abs(once.distance - 2) < 1e-9, `${once.distance}`);
    assert.ok(Math.abs(scan.distance - 6) < 1e-9, `${scan.distance}`);
    // Off (and in files made before it), the share counts as it is: the single refusal is 3 units (clipped).
    const off = new BehaviorModel({ k: 1, shareEvidence: 0 }).fit(train);
    assert.ok(Math.abs(off.scoreBin(withRejected(sample('q', 0.3), 1, 1)).distance - 3) < 1e-9);
    const old = m.toJSON() as unknown as { hyperParameters: Record<string, unknown> };
    delete old.hyperParameters.shareEvidence;
    assert.equal(BehaviorModel.fromJSON(JSON.parse(JSON.stringify(old))).shareEvidence, 0);
  });

  it("judges contacts with one new public address, and how many such addresses, by the most the neighbours' types had", () => {
    const train = [
      ...camerasAndBridges(),
      peered('thin-0', 0.5, [CLOUD_PEER], [1]),
      peered('thin-1', 0.51, [CLOUD_PEER], [1]),
    ];
    const m = new BehaviorModel({ k: 1 }).fit(train);
    // The thin type (2 captures, fewer than calibrationMinCaptures) has no figure.
    assert.deepEqual(m.state!.labelPeerMost, { bridge: 20, cam: 2 });
    const NEW = 0x5db8d822;
    const off = new BehaviorModel({ k: 1, typePeerWeight: 0 }).fit(train);
    // 9 contacts with a new address near the cameras: beyond their 2 (and the free 3): + 4 · ln(10 / 4).
    const cam = peered('q', 0.12, [CLOUD_PEER, NEW], [1, 9]);
    const scored = m.scoreBin(cam);
    assert.equal(scored.typePeerMost, 3);
    const expected = off.scoreBin(cam).score + 4 * Math.log(10 / 4);
    assert.ok(Math.abs(scored.score - expected) < 1e-12, `${scored.score} ${expected}`);
    assert.match(
      m.explain(cam, scored).join('\n'),
      /9 connections with 93\.184\.216\.34, a public address none of the nearest normal devices talked to, more than any training capture of their types had with one such address in 5 minutes \(3\)/,
    );
    // The same near the bridges is within their range; the free few stay free; not in cross-validation.
    assert.equal(m.scoreBin(peered('q', 0.92, [CLOUD_PEER, NEW], [1, 9])).typePeerMost, -1);
    assert.equal(m.scoreBin(peered('q', 0.12, [CLOUD_PEER, NEW], [1, 3])).typePeerMost, -1);
    assert.equal(m.scoreBin(cam, 'cam-3').typePeerMost, -1);
    // Near a type of few captures: no figure, no term.
    assert.equal(m.scoreBin(peered('q', 0.505, [CLOUD_PEER, NEW], [1, 9])).typePeerMost, -1);
    // A file made before the term: silent.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    assert.equal(doc.hyperParameters.typePeerWeight, 4);
    delete doc.hyperParameters.typePeerWeight;
    assert.equal(BehaviorModel.fromJSON(doc).scoreBin(cam).score, off.scoreBin(cam).score);
    assert.equal(off.state!.labelPeerMost, undefined);
    // The number of such addresses, likewise: each camera and bridge capture met one the others did not.
    assert.deepEqual(m.state!.labelNewPeersMost, { bridge: 1, cam: 1 });
    const relays = Array.from({ length: 8 }, (_, i) => NEW + i);
    const rotating = peered('q', 0.12, [CLOUD_PEER, ...relays], [1, ...relays.map(() => 1)]);
    const rotated = m.scoreBin(rotating);
    assert.equal(rotated.typePeerMost, -1);
    assert.equal(rotated.typeNewPeersMost, 3);
    const plus = off.scoreBin(rotating).score + 4 * Math.log(9 / 4);
    assert.ok(Math.abs(rotated.score - plus) < 1e-12, `${rotated.score} ${plus}`);
    assert.match(
      m.explain(rotating, rotated).join('\n'),
      /8 public addresses none of the nearest normal devices talked to, more than any training capture of their types met in 5 minutes \(3\)/,
    );
    assert.equal(
      m.scoreBin(peered('q', 0.12, [CLOUD_PEER, ...relays.slice(0, 3)], [1, 1, 1, 1])).typeNewPeersMost,
      -1,
    );
    // A file made with the contacts figure but before this one: that part silent.
    const before = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    delete before.state.labelNewPeersMost;
    assert.equal(BehaviorModel.fromJSON(before).scoreBin(rotating).score, off.scoreBin(rotating).score);
  });

  it('judges repeat contacts with new public addresses, the busiest one left out, by the most the types had', () => {
    // The cameras' new address and the bridges' are each their window's busiest: no repeats beside it.
    const train = camerasAndBridges();
    const m = new BehaviorModel({ k: 1 }).fit(train);
    const off = new BehaviorModel({ k: 1, typePeerWeight: 0 }).fit(train);
    assert.deepEqual(m.state!.labelNewRepeatsMost, { bridge: 0, cam: 0 });
    // A login spray near the cameras: 3 new addresses, 3 contacts each. Neither the busiest address (3) nor the
    // number of addresses (3) is beyond the free 3, but the two others' 4 repeats are: + 4 · ln(5 / 4).
    const NEW = 0x5db8d822;
    const spray = peered('q', 0.12, [CLOUD_PEER, NEW, NEW + 1, NEW + 2], [1, 3, 3, 3]);
    const scored = m.scoreBin(spray);
    assert.equal(scored.typePeerMost, -1);
    assert.equal(scored.typeNewPeersMost, -1);
    assert.equal(scored.novelRepeats, 4);
    assert.equal(scored.typeNewRepeatsMost, 3);
    const expected = off.scoreBin(spray).score + 4 * Math.log(5 / 4);
    assert.ok(Math.abs(scored.score - expected) < 1e-12, `${scored.score} ${expected}`);
    assert.match(
      m.explain(spray, scored).join('\n'),
      /contacted 2 public addresses none of the nearest normal devices talked to again and again, beside the busiest one: 4 repeat contacts, more than any training capture of their types made with such addresses in 5 minutes \(3\)/,
    );
    // One busy new address is the contacts term's, not this one's; one repeat fewer stays within the free 3; not in
    // cross-validation.
    assert.equal(m.scoreBin(peered('q', 0.12, [CLOUD_PEER, NEW], [1, 9])).typeNewRepeatsMost, -1);
    assert.equal(
      m.scoreBin(peered('q', 0.12, [CLOUD_PEER, NEW, NEW + 1, NEW + 2], [1, 3, 3, 2])).typeNewRepeatsMost,
      -1,
    );
    assert.equal(m.scoreBin(spray, 'cam-3').typeNewRepeatsMost, -1);
    // A file made before the figure: that part silent.
    const before = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    delete before.state.labelNewRepeatsMost;
    assert.equal(BehaviorModel.fromJSON(before).scoreBin(spray).score, off.scoreBin(spray).score);
  });

  it("judges one-way UDP bytes to a new public address by the most the neighbours' types sent one such address", () => {
    // Each bridge pushes 5,000 bytes a window to its new address, unanswered; the cameras push nothing.
    const train = camerasAndBridges().map((x) =>
      x.group.startsWith('bridge') ? { ...x, publicPeerOneWayBytes: [0, 5000] } : x,
    );
    const m = new BehaviorModel({ k: 1 }).fit(train);
    const off = new BehaviorModel({ k: 1, typePeerWeight: 0 }).fit(train);
    assert.deepEqual(m.state!.labelNewOneWayMost, { bridge: 5000, cam: 0 });
    // A collectd push near the cameras: one flow, 18,265 bytes, beyond the free 1,500: + 4 · ln(18,266 / 1,501).
    const NEW = 0x5db8d822;
    const push = (share: number, bytes: number) => ({
      ...peered('q', share, [CLOUD_PEER, NEW], [1, 1]),
      publicPeerOneWayBytes: [0, bytes],
    });
    const scored = m.scoreBin(push(0.12, 18265));
    assert.equal(scored.typePeerMost, -1);
    assert.equal(scored.novelOneWayBytes, 18265);
    assert.equal(scored.typeNewOneWayMost, 1500);
    const expected = off.scoreBin(push(0.12, 18265)).score + 4 * Math.log(18266 / 1501);
    assert.ok(Math.abs(scored.score - expected) < 1e-12, `${scored.score} ${expected}`);
    assert.match(
      m.explain(push(0.12, 18265), scored).join('\n'),
      /18,?265 bytes of UDP sent to 93\.184\.216\.34, a public address none of the nearest normal devices talked to, with nothing coming back, more than any training capture of their types sent one such address one way in 5 minutes \(1,?500\) — a push to a collector nobody answers/,
    );
    // Near the bridges it is within their 5,000 when smaller; the free 1,500 stays free; an address the neighbours
    // talked to is no news; not in cross-validation.
    assert.equal(m.scoreBin(push(0.92, 4000)).typeNewOneWayMost, -1);
    assert.equal(m.scoreBin(push(0.92, 9000)).typeNewOneWayMost, 5000);
    assert.equal(m.scoreBin(push(0.12, 1400)).typeNewOneWayMost, -1);
    assert.equal(
      m.scoreBin({ ...peered('q', 0.12, [CLOUD_PEER], [1]), publicPeerOneWayBytes: [18265] })
        .typeNewOneWayMost,
      -1,
    );
    assert.equal(m.scoreBin(push(0.12, 18265), 'cam-3').typeNewOneWayMost, -1);
    // A file made before the figure: that part silent.
    const before = JSON.parse(JSON.stringify(m.toJSON())) as { state: Record<string, unknown> };
    delete before.state.labelNewOneWayMost;
    assert.equal(
      BehaviorModel.fromJSON(before).scoreBin(push(0.12, 18265)).score,
      off.scoreBin(push(0.12, 18265)).score,
    );
  });

  it('judges a role with few training captures by the pooled cross-validated scores of such roles', () => {
    // 40 "dense" captures close together; "thin": 4 captures of 4 windows each, far apart from each other
    // (a camera's idle, setup, use and update captures); "once": 1 capture.
    const thinWindows = (c: number) =>
      Array.from({ length: 4 }, (_, w) => sample(`thin-${c}`, 0.1 + 0.2 * c + 0.01 * w, 5 * c));
    const train = [
      ...Array.from({ length: 40 }, (_, i) => sample(`dense-${i}`, 0.5 + i * 1e-3)),
      ...[0, 1, 2, 3].flatMap(thinWindows),
      sample('once-0', 0.3, 2),
    ];
    // No training window here has a public peer, so any would fire the offline-maker term (its own test), which
    // sends a thin role to the population's tail as the unseen-service term does; off, to see the beacon alone.
    const m = new BehaviorModel({ k: 1, offlineMakerWeight: 0 }).fit(train);
    const s = m.state!;
    assert.deepEqual(s.thinRoles, ['once', 'thin']);
    // Each thin capture's 4 windows scored without its own capture: the pool of 16.
    assert.equal(s.thinTail!.cvScores.length, 16);
    assert.ok(s.thinTail!.cvScores.at(-1)! > s.cvScores.at(-1)!);
    assert.equal(m.calibrationOf('thin'), 'thin');
    assert.equal(m.calibrationOf('once'), 'thin');
    assert.equal(m.calibrationOf('dense'), 'population');
    // A score beyond every normal population window but inside the thin pool's spread: rare for the
    // population, ordinary for a thin role; never stricter than the population's.
    const between = (s.cvScores.at(-1)! + s.thinTail!.cvScores.at(-1)!) / 2;
    assert.ok(m.tailProbability(between, 'thin') > 5 * m.tailProbability(between));
    assert.equal(m.tailProbability(between, 'dense'), m.tailProbability(between));
    for (const x of [0, 0.01, between, 100]) assert.ok(m.tailProbability(x, 'thin') >= m.tailProbability(x));
    // A new capture of the thin type unlike its four: abnormal as anything else, normal as a thin role.
    const q = [sample('q', 0.95, 12)];
    const asThin = m.score(q, undefined, 'thin');
    const asOther = m.score(q, undefined, 'dense');
    assert.equal(asThin.calibratedOn, 'thin');
    assert.equal(asOther.calibratedOn, null);
    assert.ok(
      asOther.abnormality >= 0.99 && asThin.abnormality < 0.99,
      `${asOther.abnormality} ${asThin.abnormality}`,
    );
    // A beacon is not a phase: more connections with one new public address than any window of the pool had
    // (and than the free few) and the population's tail decides.
    assert.equal(s.thinPeerFlows, 0);
    const beacon = (flows: number) => [{ ...q[0]!, publicPeers: [0x50016568], publicPeerFlows: [flows] }];
    const beaconScore = m.score(beacon(40), undefined, 'thin');
    assert.equal(beaconScore.calibratedOn, null);
    assert.equal(beaconScore.abnormality, m.score(beacon(40), undefined, 'dense').abnormality);
    assert.equal(m.score(beacon(3), undefined, 'thin').calibratedOn, 'thin');
    const beaconBins = beacon(40);
    const beaconStream = { length: beaconBins.length, get: (i: number) => beaconBins[i]! };
    assert.equal(m.scoreStream(beaconStream, undefined, 'thin').abnormality, beaconScore.abnormality);
    // So does a session held on a service no training device used at all (the unseen-service term, which the
    // pool's cross-validated scores never held): a reverse shell from a thin type's device.
    const shellPort = serviceCode(true, 0, 4444);
    const shell = [
      {
        ...q[0]!,
        services: [...q[0]!.services, [shellPort, 1, 1]] as [number, number, number][],
        heldSessions: [shellPort],
      },
    ];
    const shellScore = m.score(shell, undefined, 'thin');
    assert.ok(shellScore.bins[0]!.unseenTerms > 0);
    assert.equal(shellScore.calibratedOn, null);
    assert.equal(shellScore.abnormality, m.score(shell, undefined, 'dense').abnormality);
    assert.ok(shellScore.abnormality > m.score(q, undefined, 'thin').abnormality);
    const shellStream = { length: 1, get: () => shell[0]! };
    assert.equal(m.scoreStream(shellStream, undefined, 'thin').abnormality, shellScore.abnormality);
    // And a count beyond what any window of the pool reached, each scored without its capture: a flood of
    // DHCP discovers is no phase of a device's life either.
    const dhcp = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'dhcp.out.messages');
    const flood = [{ ...q[0]!, values: q[0]!.values.map((v, f) => (f === dhcp ? 150 : v)) }];
    assert.ok(s.thinBeyond !== undefined && s.thinBeyond < Math.log(151));
    assert.equal(m.score(flood, undefined, 'thin').calibratedOn, null);
    assert.equal(
      m.score(flood, undefined, 'thin').abnormality,
      m.score(flood, undefined, 'dense').abnormality,
    );
    const fewMore = [{ ...q[0]!, values: q[0]!.values.map((v, f) => (f === dhcp ? 1 : v)) }];
    assert.equal(m.score(fewMore, undefined, 'thin').calibratedOn, 'thin');
    // Files made before them (no fields) keep the thin tail for both.
    const before = m.toJSON() as unknown as {
      hyperParameters: Record<string, unknown>;
      state: Record<string, unknown>;
    };
    delete before.hyperParameters.thinUnseenPopulation;
    delete before.state.thinBeyond;
    const unaware = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(before)));
    assert.equal(unaware.thinUnseenPopulation, false);
    assert.equal(unaware.score(shell, undefined, 'thin').calibratedOn, 'thin');
    assert.equal(unaware.score(flood, undefined, 'thin').calibratedOn, 'thin');
    // Stored and read back; off, or a file made before it (no field), has no thin tail.
    const back = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    assert.equal(back.score(q, undefined, 'thin').abnormality, asThin.abnormality);
    // With MAC vendor prefixes: a device whose prefix is the dense type's is a dense device the role model
    // called thin (the population's tail); the thin type's own prefix, or an unknown one, keeps the thin tail.
    const withVendor = (x: TrainingSample): TrainingSample => ({
      ...x,
      vendor: x.label === 'dense' ? '00:00:0d' : '00:00:07',
    });
    const mv = new BehaviorModel({ k: 1 }).fit(train.map(withVendor));
    assert.equal(mv.calibrationRole('thin', '00:00:0d'), undefined);
    assert.equal(mv.calibrationRole('thin', '00:00:07'), 'thin');
    assert.equal(mv.calibrationRole('thin', '00:00:99'), 'thin');
    assert.equal(mv.calibrationRole('dense', '00:00:07'), 'dense');
    assert.equal(mv.score(q, undefined, 'thin', '00:00:0d').calibratedOn, null);
    assert.equal(mv.score(q, undefined, 'thin', '00:00:07').calibratedOn, 'thin');
    assert.ok(mv.score(q, undefined, 'thin', '00:00:0d').abnormality >= 0.99);
    // eval's streamed path decides alike.
    const stream = { length: q.length, get: (i: number) => q[i]! };
    assert.equal(mv.scoreStream(stream, undefined, 'thin', '00:00:0d').calibratedOn, null);
    assert.equal(
      mv.scoreStream(stream, undefined, 'thin', '00:00:07').abnormality,
      mv.score(q, undefined, 'thin', '00:00:07').abnormality,
    );
    const off = new BehaviorModel({ k: 1, thinCalibration: false }).fit(train);
    assert.equal(off.state!.thinTail, undefined);
    assert.equal(off.calibrationOf('thin'), 'population');
    const old = off.toJSON() as unknown as { hyperParameters: Record<string, unknown> };
    delete old.hyperParameters.thinCalibration;
    assert.equal(BehaviorModel.fromJSON(JSON.parse(JSON.stringify(old))).thinCalibration, false);
    // Too few thin windows to fit a tail (3 captures of one window each): the population's.
    const few = new BehaviorModel({ k: 1 }).fit([
      ...train.filter((x) => x.label !== 'thin'),
      ...[0, 1, 2].map((c) => sample(`thin-${c}`, 0.2 * c, c)),
    ]);
    assert.equal(few.state!.thinTail, undefined);
    assert.equal(few.calibrationOf('thin'), 'population');
  });

  it('measures L1 distance, deviations below a neighbour at belowWeight', () => {
    // Both references at share 0.45, peers 0: scales are the floors (share 0.1, count 0.5).
    const m = new BehaviorModel({ k: 1, belowWeight: 0.5 }).fit([sample('a-1', 0.45), sample('a-2', 0.45)]);
    // Share +1 unit and peers +1 unit (log1p(x)/0.5 = 1): L1 adds them (Euclidean would give √2).
    const above = m.scoreBin(sample('q', 0.55, Math.expm1(0.5)));
    assert.ok(Math.abs(above.distance - 2) < 1e-9, `${above.distance}`);
    // Below the neighbours by one unit counts half.
    const below = m.scoreBin(sample('q', 0.35));
    assert.ok(Math.abs(below.distance - 0.5) < 1e-9, `${below.distance}`);
  });

  it('cross-validates: a training bin is never its own neighbour', () => {
    const m = new BehaviorModel({ k: 1, belowWeight: 1 }).fit(normals);
    // Leaving dev-3 (0.3) out, its nearest are 0.2 and 0.4: 0.1/0.45 away; the ends are 0.1/0.45 away too.
    const cv = m.state!.cvScores;
    assert.equal(cv.length, 10);
    for (const s of cv) assert.ok(Math.abs(s - 0.1 / 0.45) < 1e-9, `${s}`);
  });

  it('turns scores into tail probabilities and a capture abnormality calibrated to the false-alarm rate', () => {
    const m = new BehaviorModel({ k: 1, falseAlarmRate: 0.05, tailShare: 0, windowExponent: 1 }).fit(normals);
    const s = m.state!;
    s.cvScores = Array.from({ length: 99 }, (_, i) => i + 1); // 1..99
    s.tau = 2;
    assert.equal(m.tailProbability(0.5), 1);
    // 50: 49 below it, interpolated rank 50 → (100 − 50)/100.
    assert.ok(Math.abs(m.tailProbability(50) - 0.5) < 1e-12);
    assert.ok(Math.abs(m.tailProbability(50.5) - 0.495) < 1e-12);
    assert.ok(Math.abs(m.tailProbability(99) - 0.01) < 1e-12);
    // Beyond the largest normal score: exp(−(s − 99)/τ)/(n + 1).
    assert.ok(Math.abs(m.tailProbability(103) - Math.exp(-2) / 100) < 1e-15);
    assert.equal(s.threshold, 0.95);
    // The worst bin decides, corrected for the number of bins: (1 − p_min)^m.
    const one = m.score([sample('q', 0.1 * 3)]);
    assert.ok(one.abnormality >= 0 && one.abnormality <= 1);
    // The quantile property: of the normal scores, a share ≈ falseAlarmRate lies above the threshold.
    const above = s.cvScores.filter((x) => 1 - m.tailProbability(x) > s.threshold).length;
    assert.ok(above / s.cvScores.length <= 0.05 && above / s.cvScores.length >= 0.03, `${above}`);
    // m windows count as m^γ independent ones.
    assert.ok(Math.abs(m.captureAbnormality(0.01, 4) - 0.99 ** 4) < 1e-15);
    const half = new BehaviorModel({ windowExponent: 0.5 });
    assert.ok(Math.abs(half.captureAbnormality(0.01, 4) - 0.99 ** 2) < 1e-15);
  });

  it('peaks over threshold: above the (1 − ρ) quantile u, p = ρ·exp(−(s − u)/τ), τ the mean excess', () => {
    const scores = Array.from({ length: 10 }, (_, i) => sample(`dev-${i}`, 0.1 * i));
    const m = new BehaviorModel({ k: 1, tailShare: 0.2, belowWeight: 1 }).fit(scores);
    const s = m.state!;
    const cv = s.cvScores;
    const pos = 0.8 * (cv.length - 1);
    const u = cv[Math.floor(pos)]! + (cv[Math.ceil(pos)]! - cv[Math.floor(pos)]!) * (pos - Math.floor(pos));
    assert.ok(Math.abs(s.tailStart - u) < 1e-12);
    const excess = cv.filter((x) => x > u).map((x) => x - u);
    const tau = Math.max(excess.reduce((a, b) => a + b, 0) / Math.max(excess.length, 1), 1e-3);
    assert.ok(Math.abs(s.tau - tau) < 1e-12);
    assert.ok(Math.abs(m.tailProbability(u + 3 * tau) - 0.2 * Math.exp(-3)) < 1e-12);
    // Below u: ranks among the normal scores, as without the tail model.
    assert.equal(m.tailProbability(-1), 1);
  });

  it('is deterministic for a seed, and round-trips through JSON', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      sample(`dev-${i % 12}`, ((i * 7919) % 100) / 100, i % 5),
    );
    const a = new BehaviorModel({ maxReferences: 30, seed: 4 }).fit(many);
    const b = new BehaviorModel({ maxReferences: 30, seed: 4 }).fit(many);
    const c = new BehaviorModel({ maxReferences: 30, seed: 5 }).fit(many);
    assert.deepEqual(a.toJSON(), b.toJSON());
    assert.notDeepEqual(a.toJSON().state.refs, c.toJSON().state.refs);
    const back = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    const q = sample('q', 0.77, 3);
    assert.deepEqual(back.score([q]), a.score([q]));
  });

  describe("a device that also does another type's job", () => {
    const svc = (ports: number[]) =>
      ports.map((p) => [serviceCode(true, 0, p), 1, 2] as [number, number, number]);
    const CAM = [554, 8080, 9000];
    const PLUG = [8767, 8765, 10000, 3478];
    // Cameras: share 0.1 · i, no peers; plugs: share 0.1 · i, 20 peers. Each uses its own type's services.
    const cam = (group: string, share: number) => ({ ...sample(group, share, 0, svc(CAM)), label: 'cam' });
    const plug = (group: string, share: number) => ({
      ...sample(group, share, 20, svc(PLUG)),
      label: 'plug',
    });
    const train = [
      ...Array.from({ length: 6 }, (_, i) => cam(`cam-${i}`, 0.1 * i)),
      ...Array.from({ length: 6 }, (_, i) => plug(`plug-${i}`, 0.1 * i)),
    ];

    it("names the other type whose services a window's new services are (η ln(1 + c), from c ≥ otherTypeMin)", () => {
      const m = new BehaviorModel({ k: 1, labelWeight: 0 }).fit(train);
      const off = new BehaviorModel({ k: 1, labelWeight: 0, otherTypeWeight: 0 }).fit(train);
      // A camera window that also uses three of the plugs' services.
      const q = { ...cam('q', 0.2), services: svc([...CAM, 8767, 8765, 10000]) };
      const w = m.scoreBin(q);
      assert.deepEqual(w.otherType, { label: 'plug', services: svc([8767, 8765, 10000]).map((x) => x[0]) });
      assert.ok(Math.abs(w.score - off.scoreBin(q).score - 4 * Math.log(4)) < 1e-12, `${w.score}`);
      const reasons = m.explain(q, w);
      assert.match(
        reasons[0]!,
        /^most traffic looks like a cam's \(its nearest normal devices\), the rest like a plug's: outgoing tcp port 8767, outgoing tcp port 8765, outgoing tcp port 10000, which plug devices use/,
      );
      // Those services are not listed again one by one.
      assert.ok(!reasons.some((r) => /^new outgoing tcp port 8767/.test(r)), reasons.join('\n'));
      // Beside an attack that added more (a new service to 4,096 peers: a scan), the attack's line leads: each
      // reason weighs about what its term added, the type line 4 ln 4.
      const scan = {
        ...q,
        services: [...q.services, [serviceCode(true, 0, 23), 4096, 4096] as [number, number, number]],
      };
      const scanReasons = m.explain(scan, m.scoreBin(scan));
      assert.match(scanReasons[0]!, /^new outgoing tcp port 23 \(Telnet\) to 4096 peers/);
      assert.match(scanReasons[1]!, /^most traffic looks like a cam's/);
      // Two of them: below otherTypeMin (3), only novelty. Three services no type uses: no other type either.
      assert.equal(m.scoreBin({ ...q, services: svc([...CAM, 8767, 8765]) }).otherType, null);
      assert.equal(m.scoreBin({ ...q, services: svc([...CAM, 1, 2, 3]) }).otherType, null);
    });

    it("does not name the type of the device's own maker: a plug whose nearest normal windows are a camera's", () => {
      // Plugs with the plug maker's MAC, cameras with the camera maker's.
      const made = train.map((t) => ({ ...t, vendor: t.label === 'plug' ? '74:da:38' : 'b0:c5:54' }));
      const m = new BehaviorModel({ k: 1, labelWeight: 0 }).fit(made);
      const off = new BehaviorModel({ k: 1, labelWeight: 0, otherTypeWeight: 0 }).fit(made);
      const q = { ...cam('q', 0.2), services: svc([...CAM, 8767, 8765, 10000]) };
      // The plug maker's MAC: those services are its own type's, only new to its camera neighbours.
      const own = m.scoreBin(q, undefined, undefined, '74:da:38');
      assert.equal(own.otherType, null);
      assert.equal(own.score, off.scoreBin(q, undefined, undefined, '74:da:38').score);
      // The camera maker's MAC, or one training has no device of: a camera also doing a plug's job.
      assert.equal(m.scoreBin(q, undefined, undefined, 'b0:c5:54').otherType?.label, 'plug');
      assert.equal(m.scoreBin(q, undefined, undefined, '00:11:22').otherType?.label, 'plug');
      // A file written before the rule existed names it as before.
      const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
      assert.equal(doc.hyperParameters.otherTypeSkipsVendor, true);
      delete doc.hyperParameters.otherTypeSkipsVendor;
      const old = BehaviorModel.fromJSON(doc);
      assert.equal(old.otherTypeSkipsVendor, false);
      assert.equal(old.scoreBin(q, undefined, undefined, '74:da:38').otherType?.label, 'plug');
    });

    it('fits one type to all windows: windows of two types score their distance to the one that fits best', () => {
      const m = new BehaviorModel({ k: 1, otherTypeWeight: 0 }).fit(train);
      const off = new BehaviorModel({ k: 1, otherTypeWeight: 0, labelWeight: 0 }).fit(train);
      assert.deepEqual(m.labels, ['cam', 'plug']);
      // Each window alone is a normal window of one type (population score 0), together they fit no type.
      const mixed = [cam('q', 0.1), cam('q', 0.2), cam('q', 0.3), plug('q', 0.4)];
      const both = m.score(mixed);
      for (const b of both.bins) assert.ok(b.populationScore < 1e-12, `${b.populationScore}`);
      // The type whose worst window fits best (labelFit 'max'): here the plug's (with belowWeight ½ a camera
      // window lies mostly below a plug's), so the three camera windows score their distance to plugs.
      assert.deepEqual(both.fit, {
        label: 'plug',
        otherWindows: 3,
        other: 'cam',
        windows: [
          ['cam', 3],
          ['plug', 1],
        ],
      });
      assert.ok(
        both.bins[0]!.score > 1 && Math.abs(both.bins[0]!.score - 2 * both.bins[0]!.labelScore) < 1e-9,
      );
      assert.ok(both.abnormality > off.score(mixed).abnormality);
      assert.match(
        both.reasons[0]!,
        /^3 of 4 windows look like a cam's, 1 like a plug's: no one normal device type does both$/,
      );
      // Only windows near normal ones count (population score at most the bound): none here.
      const bound = m.state!.labelBound;
      assert.ok(bound > 0);
      m.state!.labelBound = -1;
      for (const b of m.score(mixed).bins) assert.equal(b.score, b.populationScore);
      m.state!.labelBound = bound;
      // Windows of one type: that type fits, the term adds nothing.
      const cams = [cam('q', 0.1), cam('q', 0.2), cam('q', 0.3)];
      const one = m.score(cams);
      assert.deepEqual(one.fit, { label: 'cam', otherWindows: 0, other: null, windows: [['cam', 3]] });
      assert.deepEqual(
        one.bins.map((b) => b.score),
        off.score(cams).bins.map((b) => b.score),
      );
      assert.ok(!one.reasons.some((r) => /windows look like/.test(r)));
      // Unlabelled training data: no label, no term.
      const unlabelled = new BehaviorModel({ k: 1 }).fit(train.map((t) => ({ ...t, label: null })));
      assert.equal(unlabelled.score(mixed).fit, null);
    });

    it('lets only windows near normal ones choose the one type: a burst no training shows does not', () => {
      const m = new BehaviorModel({ k: 1, otherTypeWeight: 0 }).fit(train);
      const every = new BehaviorModel({ k: 1, otherTypeWeight: 0, labelFitNormalOnly: false }).fit(train);
      assert.equal(m.labelFitNormalOnly, true);
      // Three ordinary camera windows, then one far beyond every normal window (share 5 against at most
      // 0.5), a little nearer the plugs (its 20 peers): it fits the cameras worst of all.
      const burst = plug('q', 5);
      const windows = [cam('q', 0.1), cam('q', 0.2), cam('q', 0.3), burst];
      const bound = m.state!.labelBound;
      const now = m.score(windows);
      assert.ok(now.bins[3]!.populationScore > bound, `${now.bins[3]!.populationScore} ${bound}`);
      for (const b of now.bins.slice(0, 3)) assert.ok(b.populationScore <= bound);
      // Every window choosing (as before the rule): the plugs' worst fit beats the cameras', so the three
      // camera windows are judged against plugs and the worst window is an ordinary camera window.
      const before = every.score(windows);
      assert.equal(before.fit?.label, 'plug');
      assert.ok(before.worst < 3, `${before.worst}`);
      assert.ok(before.bins[0]!.score > before.bins[0]!.populationScore + 1);
      // The windows near normal ones choose the cameras: those score as they are, and the burst is the worst.
      assert.equal(now.fit?.label, 'cam');
      for (const b of now.bins.slice(0, 3)) assert.equal(b.score, b.populationScore);
      assert.equal(now.worst, 3);
      assert.ok(!now.reasons.some((r) => /windows look like/.test(r)), now.reasons.join('\n'));
      // No window near a normal one: all of them choose, as before.
      const far = [burst, plug('q', 6)];
      assert.deepEqual(m.score(far).fit, every.score(far).fit);
      // A file made before the rule scores every window's choice, as before, to the last bit.
      const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
      delete doc.hyperParameters.labelFitNormalOnly;
      const old = BehaviorModel.fromJSON(doc);
      assert.equal(old.labelFitNormalOnly, false);
      assert.deepEqual(old.score(windows), before);
    });

    it('treats labels its cross-validation cannot tell apart (sibling models) as one type', () => {
      // The cameras under two labels, alternately: two sibling models headers cannot tell apart.
      const siblings = train.map((t, i) => (t.label === 'cam' && i % 2 === 1 ? { ...t, label: 'camB' } : t));
      const m = new BehaviorModel({ k: 1, otherTypeWeight: 0 }).fit(siblings);
      const off = new BehaviorModel({ k: 1, otherTypeWeight: 0, labelConfusableShare: 0 }).fit(siblings);
      assert.deepEqual(m.labels, ['cam', 'camB', 'plug']);
      // Every cross-validated camera window fits the other label's cameras best: one type.
      assert.deepEqual(m.state!.confusableLabels, [['cam', 'camB']]);
      assert.deepEqual(off.state!.confusableLabels, undefined);
      // A camera whose windows fit either label: without the rule, "no one type does both".
      const cams = [cam('q', 0.05), cam('q', 0.15), cam('q', 0.25), cam('q', 0.45)];
      const before = off.score(cams);
      assert.ok(before.bins.some((b) => b.score > b.populationScore + 0.05));
      assert.deepEqual(before.fit?.windows, [
        ['camB', 3],
        ['cam', 1],
      ]);
      const now = m.score(cams);
      for (const b of now.bins) assert.equal(b.score, b.populationScore);
      assert.ok(!now.reasons.some((r) => /windows look like/.test(r)), now.reasons.join('\n'));
      assert.ok(now.abnormality < before.abnormality);
      // Nor are a sibling's services another type's: one camB window also used three more services.
      const extra = siblings.map((t) =>
        t.group === 'cam-5' ? { ...t, services: svc([...CAM, 7001, 7002, 7003]) } : t,
      );
      const q = { ...cam('q', 0.02), services: svc([...CAM, 7001, 7002, 7003]) };
      assert.equal(new BehaviorModel({ k: 1 }).fit(extra).scoreBin(q).otherType, null);
      assert.equal(
        new BehaviorModel({ k: 1, labelConfusableShare: 0 }).fit(extra).scoreBin(q).otherType?.label,
        'camB',
      );
      // A label of one capture cannot fit its own label in cross-validation: no pair from that alone.
      const lone = [...train, { ...cam('lone-0', 0.25), label: 'lone' }];
      assert.deepEqual(new BehaviorModel({ k: 1 }).fit(lone).state!.confusableLabels, []);
      // A camera also doing a plug's job still fits no one type.
      const mixed = [cam('q', 0.1), cam('q', 0.2), cam('q', 0.3), plug('q', 0.4)];
      assert.ok(m.score(mixed).bins.some((b) => b.score > b.populationScore + 0.05));
      // Stored in the file; a file made before the rule has no pairs and scores as before.
      const doc = JSON.parse(JSON.stringify(m.toJSON())) as {
        hyperParameters: Record<string, unknown>;
        state: Record<string, unknown>;
      };
      assert.deepEqual(BehaviorModel.fromJSON(doc).score(cams).bins, now.bins);
      delete doc.hyperParameters.labelConfusableShare;
      delete doc.state.confusableLabels;
      const old = BehaviorModel.fromJSON(doc);
      assert.equal(old.labelConfusableShare, 0);
      assert.deepEqual(
        old.score(cams).bins.map((b) => b.score),
        before.bins.map((b) => b.score),
      );
    });

    it('scoreStream gives what score gives, reading each window once (the worst twice)', () => {
      const varied = Array.from({ length: 40 }, (_, i) => ({
        ...(i % 3 === 0 ? cam('q', 0.013 + 0.023 * i) : plug('q', 0.011 + 0.019 * i)),
        services: svc([...PLUG.slice(0, 1 + (i % 4)), ...CAM.slice(0, i % 4)]),
        publicPeers: Array.from({ length: i % 5 }, (_, j) => 1000 + j * i),
        publicPeerFlows: Array.from({ length: i % 5 }, (_, j) => 2 + i + j),
      }));
      const mixed = [cam('q', 0.1), cam('q', 0.2), cam('q', 0.3), plug('q', 0.4)];
      const models = [
        new BehaviorModel({ k: 1, otherTypeWeight: 0 }).fit(train),
        new BehaviorModel({ k: 2 }).fit(train),
        new BehaviorModel({ k: 2, labelFit: 'mean' }).fit(train),
        new BehaviorModel({ k: 1, labelWeight: 0 }).fit(train),
        new BehaviorModel({ k: 1, roleCalibrationMin: 2 }).fit(train),
        new BehaviorModel({ k: 1 }).fit(
          train.map((t) => ({ ...t, vendor: t.label === 'cam' ? 'aa:00:01' : 'bb:00:02', packets: 100 })),
        ),
        new BehaviorModel({ k: 2, labelFit: 'mean', labelFitNormalOnly: false }).fit(train),
      ];
      let adjusted = 0;
      let vendorRaised = 0;
      for (const m of models)
        for (const windows of [mixed, varied, varied.slice(0, 1), [...mixed, plug('q', 5)]])
          for (const [role, vendor] of [
            [undefined, undefined],
            ['plug', undefined],
            [undefined, 'aa:00:01'],
            ['plug', 'bb:00:02'],
          ] as const) {
            const reads = new Array<number>(windows.length).fill(0);
            const source = {
              length: windows.length,
              get: (i: number) => {
                reads[i]!++;
                return windows[i]!;
              },
            };
            const stream = m.scoreStream(source, undefined, role, vendor);
            const full = m.score(windows, undefined, role, vendor);
            assert.deepEqual(
              Array.from(stream.scores),
              full.bins.map((b) => b.score),
            );
            assert.equal(stream.worst, full.worst);
            assert.deepEqual(stream.worstBin, full.bins[full.worst]);
            assert.equal(stream.abnormality, full.abnormality);
            assert.deepEqual(stream.reasons, full.reasons);
            assert.equal(stream.calibratedOn, full.calibratedOn);
            assert.deepEqual(stream.fit, full.fit);
            assert.deepEqual(
              reads,
              windows.map((_, i) => (i === full.worst ? 2 : 1)),
            );
            adjusted += full.bins.filter((b) => b.score !== b.populationScore).length;
            vendorRaised += full.bins.filter((b) => b.vendorLabel !== null).length;
          }
      // The one-type term changed some windows' scores, so its replay in scoreStream was exercised.
      assert.ok(adjusted > 0);
      // …and so was the vendor term's.
      assert.ok(vendorRaised > 0, `${vendorRaised}`);
      assert.equal(
        models[4]!.scoreStream({ length: 1, get: () => mixed[0]! }, undefined, 'plug').calibratedOn,
        'plug',
      );
      assert.throws(() => models[0]!.scoreStream({ length: 0, get: () => mixed[0]! }), /no bins/);
    });

    it("vendor: a window that fits none of its MAC vendor's types scores its distance to the best of them", () => {
      const CAMS = 'aa:00:01';
      const PLUGS = 'bb:00:02';
      const withVendor = (t: TrainingSample, vendor: string) => ({ ...t, vendor, packets: 100 });
      const vtrain = train.map((t) => withVendor(t, t.label === 'cam' ? CAMS : PLUGS));
      const m = new BehaviorModel({ k: 1 }).fit(vtrain);
      assert.equal(m.vendorWeight, 1);
      assert.deepEqual(m.state!.groupVendors!['cam-0'], CAMS);
      const off = new BehaviorModel({ k: 1, vendorWeight: 0 }).fit(vtrain);
      assert.equal(off.state!.groupVendors, undefined);
      // A plug's normal traffic from a camera maker's MAC: population score 0 (a normal plug window), but
      // it fits no camera's.
      const q = withVendor(plug('q', 0.3), CAMS);
      const own = m.score([q], undefined, undefined, PLUGS);
      const other = m.score([q], undefined, undefined, CAMS);
      const w = other.bins[0]!;
      assert.equal(own.bins[0]!.vendorLabel, null);
      assert.equal(own.bins[0]!.score, off.score([q]).bins[0]!.score);
      assert.equal(w.vendorLabel, 'cam');
      const camFit = w.labelScores[m.labels.indexOf('cam')]!;
      assert.ok(camFit > 2, `${camFit}`);
      assert.equal(w.score, w.populationScore + (camFit - w.populationScore - 2));
      assert.ok(other.abnormality > own.abnormality);
      assert.match(
        other.reasons[0]!,
        /^its MAC vendor prefix aa:00:01 is that of the cam devices in training, but its traffic looks like a plug's and not like any cam's$/,
      );
      // A vendor training never saw, or no vendor: nothing added. Nor for a window of < 5 packets.
      for (const v of ['cc:00:03', undefined])
        assert.equal(m.score([q], undefined, undefined, v).bins[0]!.score, own.bins[0]!.score);
      assert.equal(
        m.score([{ ...q, packets: 4 }], undefined, undefined, CAMS).bins[0]!.score,
        own.bins[0]!.score,
      );
      // Cross-validation: a vendor only the excluded capture had names no label.
      const lone = [...vtrain.slice(1), withVendor(cam('cam-0', 0), 'dd:00:04')];
      const lm = new BehaviorModel({ k: 1 }).fit(lone);
      assert.deepEqual(lm.vendorLabels('dd:00:04', 'cam-0'), []);
      assert.deepEqual(lm.vendorLabels('dd:00:04'), [lm.labels.indexOf('cam')]);
      assert.deepEqual(lm.vendorLabels(CAMS, 'cam-1'), [lm.labels.indexOf('cam')]);
      // Deterministic, and a file round-trips with it.
      const back = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
      assert.deepEqual(back.score([q], undefined, undefined, CAMS), other);
      assert.deepEqual(new BehaviorModel({ k: 1 }).fit(vtrain).toJSON(), m.toJSON());
    });

    it('files written before the vendor term load with it off, and score as before to the last bit', () => {
      const vtrain = train.map((t) => ({
        ...t,
        vendor: t.label === 'cam' ? 'aa:00:01' : 'bb:00:02',
        packets: 9,
      }));
      const m = new BehaviorModel().fit(vtrain);
      const doc = new BehaviorModel({ vendorWeight: 0 }).fit(vtrain).toJSON() as unknown as {
        hyperParameters: Record<string, unknown>;
      };
      for (const key of ['vendorWeight', 'vendorFree', 'vendorMinPackets']) delete doc.hyperParameters[key];
      const old = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc)));
      assert.equal(old.vendorWeight, 0);
      const q = [plug('q', 0.3), cam('q', 0.2)].map((t) => ({ ...t, packets: 50 }));
      // The vendor given or not, the old file scores what a model without the term does.
      const plain = new BehaviorModel({ vendorWeight: 0 }).fit(vtrain).score(q);
      assert.deepEqual(old.score(q, undefined, undefined, 'aa:00:01'), plain);
      assert.deepEqual(old.score(q), plain);
      // The new model does raise the plug window from a camera maker's MAC, so the comparison above can fail.
      const raised = m.score(q, undefined, undefined, 'aa:00:01').bins[0]!;
      assert.equal(raised.vendorLabel, 'cam');
      assert.equal(raised.score > plain.bins[0]!.score + 1, true);
    });

    // Features appended since the first file format, in order: a file made before one has the features before it.
    for (const name of [
      'arp.targets.out',
      'admin.packets',
      'publicPeer.burst',
      'publicPeer.secondFlows',
      'dns.out.longQueries',
      'icmp.bytes',
      'dns.out.unfollowed',
    ])
      it(`files written before ${name} was appended score with the features they know`, () => {
        const at = BEHAVIOR_FEATURES.findIndex((f) => f.name === name);
        assert.ok(at > 0, name);
        assert.equal(BEHAVIOR_FEATURES[at]!.kind, 'range');
        const withValue = (t: TrainingSample, f: number, x: number) => {
          const values = [...t.values];
          values[f] = x;
          return { ...t, values };
        };
        const varied = train.map((t, i) => withValue(t, at, i % 3));
        const full = new BehaviorModel().fit(varied);
        // A copy: toJSON shares the model's own arrays.
        const doc = JSON.parse(JSON.stringify(full.toJSON())) as { state: Record<string, unknown[]> };
        for (const key of ['names', 'kinds', 'center', 'scale'])
          doc.state[key] = doc.state[key]!.slice(0, at);
        doc.state.refs = (doc.state.refs as number[][]).map((r) => r.slice(0, at));
        const old = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc)));
        assert.equal(old.state!.kinds.length, at);
        // 60 of it or none, and any values of the features after it: the old file sees none of them, the
        // full model does (beyond its range).
        const q = plug('q', 0.3);
        const bin = (m: BehaviorModel, x: number, later = 0) => {
          let t = withValue(q, at, x);
          for (let f = at + 1; f < BEHAVIOR_FEATURE_COUNT; f++) t = withValue(t, f, later);
          return m.score([t]).bins[0]!;
        };
        assert.deepEqual(bin(old, 60, 500), bin(old, 0));
        assert.equal(bin(old, 60).beyond, 0);
        assert.ok(bin(full, 60).beyond > Math.log(61 / 3) - 1e-9, `${bin(full, 60).beyond}`);
        assert.ok(bin(full, 60).score > bin(full, 0).score + 1);
        // A range feature stays out of the distance: the same nearest windows and distance either way.
        assert.equal(bin(full, 60).distance, bin(full, 0).distance);
        assert.deepEqual(bin(full, 60).neighbours, bin(full, 0).neighbours);
        // Features renamed or reordered are another feature set: refused.
        const renamed = JSON.parse(JSON.stringify(doc)) as { state: { names: string[] } };
        renamed.state.names[0] = 'packets.sent';
        assert.throws(
          () => BehaviorModel.fromJSON(renamed),
          /made with other features than this networkml computes/,
        );
      });

    it('a file from a newer networkml (more features after ours, even of a kind unknown here) is refused as such', () => {
      const doc = JSON.parse(JSON.stringify(new BehaviorModel().fit(train).toJSON())) as {
        state: { names: string[]; kinds: string[]; center: number[]; scale: number[]; refs: number[][] };
      };
      doc.state.names.push('future.count', 'future.other');
      doc.state.kinds.push('range', 'a-kind-of-the-future');
      doc.state.center.push(0, 0);
      doc.state.scale.push(1, 1);
      for (const r of doc.state.refs) r.push(0, 0);
      assert.throws(
        () => BehaviorModel.fromJSON(doc),
        (err: Error) =>
          err instanceof ModelError &&
          err.message ===
            'behaviour model made by a newer networkml: it uses features this version does not compute (future.count, future.other); upgrade networkml, or retrain the model with this version',
      );
      // Not our features first: another feature set, as before.
      doc.state.names[0] = 'packets.sent';
      doc.state.kinds[doc.state.kinds.length - 1] = 'range';
      assert.throws(
        () => BehaviorModel.fromJSON(doc),
        /made with other features than this networkml computes/,
      );
    });

    it('files written before the two terms load with them off, and score as before', () => {
      const m = new BehaviorModel().fit(train);
      assert.equal(m.labelWeight, 2);
      assert.equal(m.labelFit, 'max');
      assert.equal(m.otherTypeWeight, 4);
      const doc = new BehaviorModel({
        labelWeight: 0,
        otherTypeWeight: 0,
        beyondWeight: 0,
        typePeerWeight: 0,
      })
        .fit(train)
        .toJSON() as unknown as {
        hyperParameters: Record<string, unknown>;
      };
      for (const key of [
        'labelWeight',
        'labelFit',
        'labelNormalQuantile',
        'otherTypeWeight',
        'otherTypeMin',
        'beyondWeight',
        'beyondFree',
        'typePeerWeight',
      ])
        delete doc.hyperParameters[key];
      const old = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(doc)));
      assert.equal(old.labelWeight, 0);
      assert.equal(old.otherTypeWeight, 0);
      assert.equal(old.beyondWeight, 0);
      assert.equal(old.typePeerWeight, 0);
      const q = [cam('q', 0.1), { ...plug('q', 0.3), services: svc([...PLUG, ...CAM]) }];
      const s = old.score(q);
      assert.equal(s.fit, null);
      assert.equal(s.bins[1]!.otherType, null);
      const plain = new BehaviorModel({
        labelWeight: 0,
        otherTypeWeight: 0,
        beyondWeight: 0,
        typePeerWeight: 0,
      })
        .fit(train)
        .score(q);
      assert.deepEqual(s, plain);
      // "As before" to the last bit: distance + novelty + peers + peer flows, added left to right (summing the
      // three terms first moved an old file's score on the 1 GiB benchmark by one ulp).
      const varied = Array.from({ length: 40 }, (_, i) => ({
        ...plug('q', 0.013 + 0.071 * i),
        services: svc([...PLUG, ...CAM.slice(0, 1 + (i % CAM.length))]),
        publicPeers: Array.from({ length: 1 + (i % 7) }, (_, j) => 1000 + j),
        publicPeerFlows: Array.from({ length: 1 + (i % 7) }, (_, j) => 3 + i + j),
      }));
      for (const b of [...s.bins, ...old.score(varied).bins]) {
        const expected =
          b.distance +
          old.noveltyWeight * b.novelty +
          old.peerWeight * Math.log1p(b.novelPeers) +
          old.peerFlowWeight * Math.log1p(Math.max(b.novelPeerFlows - old.peerFlowFree, 0));
        assert.equal(b.score, expected);
      }
      // And a new model round-trips with them on.
      const back = BehaviorModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
      assert.deepEqual(back.score(q), m.score(q));
    });
  });

  it('scores counts beyond anything a normal window had: ρ (B − ln 2), B = Σ ln((1 + x) / (1 + max))', () => {
    const ARP = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'arp.requests.out');
    const arp = (group: string, n: number): TrainingSample => {
      const s = sample(group, 0.3);
      const values = [...s.values];
      values[ARP] = n;
      return { ...s, values };
    };
    const train = Array.from({ length: 10 }, (_, i) => arp(`dev-${i}`, i));
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.beyondWeight, 4);
    const off = new BehaviorModel({ k: 1, beyondWeight: 0 }).fit(train);
    // An arping sweep: 64 ARP requests where no normal window sent more than 9.
    const sweep = arp('q', 64);
    const on = m.scoreBin(sweep);
    assert.ok(Math.abs(on.beyond - Math.log(65 / 10)) < 1e-12);
    const plain = off.scoreBin(sweep);
    assert.equal(plain.beyond, 0);
    assert.ok(Math.abs(on.score - plain.score - 4 * (Math.log(6.5) - Math.LN2)) < 1e-9);
    assert.match(
      m.explain(sweep, on)[0]!,
      /^ARP requests sent: 64, 6\.5× the most any normal device had in 5 minutes \(9\)/,
    );
    // Up to twice the training maximum is free.
    const near = m.scoreBin(arp('q', 15));
    assert.ok(near.beyond > 0 && near.beyond < Math.LN2);
    assert.equal(near.score, off.scoreBin(arp('q', 15)).score);
    // Cross-validated: a training capture is measured against the other captures' maximum, not its own.
    const spread = [...train.slice(0, 9), arp('loud', 30)];
    const cv = new BehaviorModel({ k: 1 }).fit(spread);
    assert.ok(Math.abs(cv.beyondRange(arp('loud', 30).values, 'loud').total - Math.log(31 / 9)) < 1e-12);
    assert.equal(cv.beyondRange(arp('q', 30).values).total, 0);
    assert.ok(cv.state!.cvScores.at(-1)! >= 4 * (Math.log(31 / 9) - Math.LN2));
  });

  it("weighs a count beyond anything normal by how far it is beyond what the neighbours' types had", () => {
    // A range feature: out of the distance, so the neighbours are set by the shares and peers alone.
    const ARP = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'arp.targets.out');
    const arp = (group: string, share: number, n: number, peers = 0): TrainingSample => {
      const s = sample(group, share, peers);
      const values = [...s.values];
      values[ARP] = n;
      return { ...s, values };
    };
    // Plugs never ask for an address by ARP, bulbs for up to 3; routers (two captures: too few for a figure of their
    // own) for 12, the most of any training window.
    const train = [
      ...Array.from({ length: 6 }, (_, i) => arp(`plug-${i}`, 0.3 + 0.01 * i, 0)),
      ...Array.from({ length: 6 }, (_, i) => arp(`bulb-${i}`, 0.6 + 0.01 * i, i % 4, 40)),
      arp('router-0', 0.9, 12, 400),
      arp('router-1', 0.91, 11, 400),
    ];
    const m = new BehaviorModel({ k: 1 }).fit(train);
    assert.equal(m.typeBeyondWeight, 2);
    const off = new BehaviorModel({ k: 1, typeBeyondWeight: 0 }).fit(train);
    // 98 addresses asked for by a plug: beyond the population's 12 (the beyond-range term) and beyond the plugs' 0 by
    // ln(13 / 1) more, weighed 2.
    const plugSweep = arp('q', 0.3, 98);
    const on = m.scoreBin(plugSweep);
    assert.equal(m.state!.refLabels[on.neighbours[0]!], 'plug');
    assert.ok(Math.abs(on.typeBeyond - Math.log(13)) < 1e-12, `${on.typeBeyond}`);
    assert.ok(Math.abs(on.score - off.scoreBin(plugSweep).score - 2 * Math.log(13)) < 1e-9);
    assert.match(
      m.explain(plugSweep, on).join('\n'),
      /distinct addresses it asked for by ARP: 98, 7\.6× the most any normal device had in 5 minutes \(12\); a training capture of the nearest normal devices' types had 0 at most/,
    );
    // From a bulb: beyond the bulbs' 3 by ln(13 / 4).
    const bulb = m.scoreBin(arp('q', 0.62, 98, 40));
    assert.equal(m.state!.refLabels[bulb.neighbours[0]!], 'bulb');
    assert.ok(Math.abs(bulb.typeBeyond - Math.log(13 / 4)) < 1e-12, `${bulb.typeBeyond}`);
    // Within the population's range, near a type of few captures, or in cross-validation: silent.
    assert.equal(m.scoreBin(arp('q', 0.3, 10)).typeBeyond, 0);
    const router = m.scoreBin(arp('q', 0.9, 98, 400));
    assert.equal(m.state!.refLabels[router.neighbours[0]!], 'router');
    assert.equal(router.typeBeyond, 0);
    assert.equal(m.scoreBin(plugSweep, 'plug-0').typeBeyond, 0);
    // A file made before the term: silent.
    const doc = JSON.parse(JSON.stringify(m.toJSON())) as { hyperParameters: Record<string, unknown> };
    delete doc.hyperParameters.typeBeyondWeight;
    assert.equal(BehaviorModel.fromJSON(doc).scoreBin(plugSweep).score, off.scoreBin(plugSweep).score);
  });

  it('refuses too little data and malformed files', () => {
    assert.throws(() => new BehaviorModel().fit([]), /no host-bins/);
    assert.throws(() => new BehaviorModel().fit([sample('a-1', 0), sample('a-1', 1)]), /at least two/);
    assert.throws(() => new BehaviorModel({ falseAlarmRate: 1.5 }), /false-alarm-rate/);
    const doc = new BehaviorModel().fit(normals).toJSON() as unknown as { state: { scale: number[] } };
    doc.state.scale = [1, 2];
    assert.throws(() => BehaviorModel.fromJSON(doc), /inconsistent/);
  });
});

describe('windowBin on a real capture', () => {
  it("describes every window as score does, the worst as worstBin, though only each window's score is kept", async () => {
    const { windows, stream, full } = await realTypedWindows();
    assert.ok(windows.length >= 3, `${windows.length} windows`);
    for (let i = 0; i < windows.length; i++) {
      const b = stream.windowBin(i);
      assert.deepEqual(b, full.bins[i], `window ${i}`);
      assert.equal(b.score, stream.scores[i]);
    }
    assert.equal(stream.windowBin(stream.worst), stream.worstBin);
    // The windows differ in what they also look like, so each window's own description was compared.
    const described = full.bins.map((b) => `${b.otherType?.label ?? '-'} ${b.vendorLabel ?? '-'}`);
    assert.ok(new Set(described).size >= 2, described.join(', '));
    assert.ok(full.bins.some((b) => b.otherType !== null));
    assert.ok(full.bins.some((b) => b.vendorLabel !== null));
  });
});
