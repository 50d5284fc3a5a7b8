import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EtherType, IpProto, PacketRecord, TcpFlag } from '../../capture/packet.js';
import { readCapture } from '../../capture/reader.js';
import { captureFeatureSet } from '../../test-helpers/v2-capture.js';
import { COMPAT_FEATURE_COUNT } from '../compat.js';
import {
  deviceVectors,
  log10Seconds,
  V2_FEATURE_COUNT,
  V2_FEATURE_GROUPS,
  V2_GROUP_LAYOUT,
  V2_OWN_COUNT,
  V2_PORT_COUNT,
  V2_PORT_OFFSET,
  V2Extractor,
  type V2Result,
  v2FeatureNames,
} from './index.js';

const NAMES = v2FeatureNames();
const at = (v: Float64Array, name: string): number => {
  const i = NAMES.indexOf(name);
  assert.ok(i >= 0, `no feature ${name}`);
  return v[i]!;
};

const DEVICE = [0x02, 0, 0, 0, 0, 0x0a];
const GATEWAY = [0x02, 0, 0, 0, 0, 0x01];
const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

interface Spec {
  t: number;
  src: number[];
  dst: number[];
  len: number;
  ip?: {
    src: number[];
    dst: number[];
    proto: number;
    ttl: number;
    sport?: number;
    dport?: number;
    flags?: number;
  };
  etherType?: number;
}

function packet(s: Spec, p = new PacketRecord()): PacketRecord {
  p.resetLayers();
  p.tsSec = Math.floor(s.t);
  p.tsNsec = Math.round((s.t - Math.floor(s.t)) * 1e9);
  p.originalLength = s.len;
  p.capturedLength = s.len;
  p.hasMacs = true;
  p.macs.set(s.dst, 0);
  p.macs.set(s.src, 6);
  p.frameHead.set(p.macs);
  if (s.ip) {
    p.etherType = EtherType.IPV4;
    p.ipVersion = 4;
    p.srcAddr.fill(0).set(s.ip.src);
    p.dstAddr.fill(0).set(s.ip.dst);
    p.ipProto = s.ip.proto;
    p.l4Proto = s.ip.proto;
    p.ttl = s.ip.ttl;
    p.ipLength = s.len - 14;
    p.srcPort = s.ip.sport ?? 0;
    p.dstPort = s.ip.dport ?? 0;
    p.tcpFlags = s.ip.flags ?? 0;
  } else {
    p.etherType = s.etherType ?? EtherType.ARP;
  }
  return p;
}

const DEV_IP = [192, 168, 1, 10];
const GW_IP = [192, 168, 1, 1];
const CLOUD_IP = [52, 1, 2, 3];

describe('v2 extractor on hand-made packets', () => {
  const ex = new V2Extractor({ durationS: 900 });
  const rec = new PacketRecord();
  const specs: Spec[] = [
    { t: 100, src: DEVICE, dst: BROADCAST, len: 42, etherType: EtherType.ARP },
    {
      t: 100.5,
      src: DEVICE,
      dst: GATEWAY,
      len: 80,
      ip: { src: DEV_IP, dst: GW_IP, proto: IpProto.UDP, ttl: 64, sport: 50000, dport: 53 },
    },
    {
      t: 100.51,
      src: GATEWAY,
      dst: DEVICE,
      len: 120,
      ip: { src: GW_IP, dst: DEV_IP, proto: IpProto.UDP, ttl: 64, sport: 53, dport: 50000 },
    },
    {
      t: 101,
      src: DEVICE,
      dst: GATEWAY,
      len: 74,
      ip: {
        src: DEV_IP,
        dst: CLOUD_IP,
        proto: IpProto.TCP,
        ttl: 128,
        sport: 40000,
        dport: 443,
        flags: TcpFlag.SYN,
      },
    },
    {
      t: 101.1,
      src: GATEWAY,
      dst: DEVICE,
      len: 74,
      ip: {
        src: CLOUD_IP,
        dst: DEV_IP,
        proto: IpProto.TCP,
        ttl: 50,
        sport: 443,
        dport: 40000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
      },
    },
    // 900 s after the first IP packet: a new bin.
    {
      t: 1000.5,
      src: DEVICE,
      dst: GATEWAY,
      len: 80,
      ip: { src: DEV_IP, dst: GW_IP, proto: IpProto.UDP, ttl: 64, sport: 123, dport: 123 },
    },
  ];
  for (const s of specs) ex.add(packet(s, rec));
  const r = ex.finish();

  it('finds the hosts and the device', () => {
    assert.deepEqual(
      r.hosts.map((h) => [h.key, h.privateSent]),
      [
        ['02:00:00:00:00:0a', 3],
        ['02:00:00:00:00:01', 1],
      ],
    );
    assert.equal(r.device, 0);
    assert.deepEqual(
      r.bins.map((b) => [b.bin, b.host]),
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
    );
    assert.equal(r.bins[0]!.vector.length, V2_FEATURE_COUNT);
  });

  it('computes shares, sizes, flags, TTLs, peers and flows', () => {
    const v = deviceVectors(r)[0]!;
    assert.equal(at(v, 'out.proto.arp'), 1 / 3);
    assert.equal(at(v, 'out.proto.udp'), 1 / 3);
    assert.equal(at(v, 'out.proto.tcp'), 1 / 3);
    assert.equal(at(v, 'out.proto.ipv4'), 2 / 3);
    assert.equal(at(v, 'out.service.dns'), 0.5);
    assert.equal(at(v, 'out.service.https'), 0.5);
    assert.equal(at(v, 'in.service.dns'), 0.5);
    assert.equal(at(v, 'out.service.hostIsServer'), 0);
    assert.equal(at(v, 'out.tcp.syn'), 1);
    assert.equal(at(v, 'in.tcp.synAck'), 1);
    assert.equal(at(v, 'out.ttl.ttl64'), 0.5);
    assert.equal(at(v, 'out.ttl.ttl128'), 0.5);
    assert.equal(at(v, 'in.ttl.meanHops'), (0 + 14) / 2);
    assert.equal(at(v, 'out.peer.broadcast'), 1 / 3);
    assert.equal(at(v, 'out.peer.privatePeer'), 1 / 3);
    assert.equal(at(v, 'out.peer.publicPeer'), 1 / 3);
    assert.equal(at(v, 'out.size.0-64'), 1 / 3);
    assert.equal(at(v, 'out.size.64-91'), 2 / 3);
    assert.equal(at(v, 'out.size.meanLog2'), (Math.log2(42) + Math.log2(80) + Math.log2(74)) / 3);
    assert.equal(at(v, 'host.peers.log2'), Math.log2(3));
    assert.equal(at(v, 'host.flows.log2'), Math.log2(3));
    assert.equal(at(v, 'host.flows.initiatedShare'), 1);
    assert.equal(at(v, 'host.outPacketShare'), 3 / 5);
    // Inter-arrival times of sent packets: 0.5 s and 0.5 s.
    assert.equal(at(v, 'out.iat.0.1-1s'), 1);
    assert.equal(at(v, 'out.iat.meanLog10'), quantisedLog10Seconds(500_000));
    assert.ok(Math.abs(at(v, 'out.iat.meanLog10') - Math.log10(0.5)) < IAT_LOG_BOUND);
    // Rates over the bin's 1.1 s span.
    assert.ok(Math.abs(at(v, 'out.rate.packetsLog10') - Math.log10(1 + 3 / 1.1)) < 1e-12);
    // Per port: local 50000 (dynamic) and 40000, remote 53 and 443, each met once; no group traffic.
    assert.equal(at(v, 'port.localRegisteredShare'), 2 / 4);
    assert.equal(at(v, 'port.remoteRegisteredShare'), 1);
    assert.equal(at(v, 'port.fixedLocalShare'), 0);
    assert.equal(at(v, 'port.fixedRemoteShare'), 0);
    assert.equal(at(v, 'port.groupTalkShare'), 0);
    // No compat features were given: the block is zero.
    assert.ok(v.subarray(V2_OWN_COUNT, V2_PORT_OFFSET).every((x) => x === 0));
  });

  it('restarts its per-bin state in the next bin', () => {
    const v = deviceVectors(r)[1]!;
    assert.equal(at(v, 'out.service.ntp'), 1);
    assert.equal(at(v, 'out.service.hostIsServer'), 0);
    assert.equal(at(v, 'host.flows.log2'), 1);
    assert.equal(at(v, 'out.iat.meanLog10'), 0);
  });
});

/** The documented IAT log, computed from its definition with floats (independent of v2.ts's bit tricks). */
function quantisedLog10Seconds(us: number): number {
  const n = Math.max(Math.floor(us), 1);
  let e = Math.round(Math.log2(n));
  while (2 ** e > n) e--;
  while (2 ** (e + 1) <= n) e++;
  if (e < 6) return Math.log10(n) - 6;
  const step = 2 ** (e - 5);
  const lo = 2 ** e + Math.floor((n - 2 ** e) / step) * step;
  return (Math.log10(lo) + Math.log10(lo + step - 1)) / 2 - 6;
}
/** Half the widest 1/32-octave bucket, in decades. */
const IAT_LOG_BOUND = Math.log10(1 + 1 / 32) / 2;

describe('v2 IAT log (1/32 octave)', () => {
  it('is exact below 64 µs and floors at 1 µs', () => {
    assert.equal(log10Seconds(0), -6);
    for (let n = 1; n < 64; n++) assert.equal(log10Seconds(n), Math.log10(n) - 6, `${n} µs`);
  });
  it('equals its definition and stays within half a bucket of the exact log', () => {
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const samples = [64, 65, 127, 128, 500_000, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 40 + 5, 3.6e9];
    for (let i = 0; i < 20_000; i++) samples.push(Math.floor(2 ** (6 + next() * 40)));
    for (const n of samples) {
      const x = log10Seconds(n);
      assert.ok(Math.abs(x - quantisedLog10Seconds(n)) < 1e-12, `${n} µs: ${x}`);
      assert.ok(Math.abs(x - (Math.log10(n) - 6)) < IAT_LOG_BOUND, `${n} µs: ${x}`);
    }
    for (let n = 65; n < 1 << 16; n++) assert.ok(log10Seconds(n) >= log10Seconds(n - 1), `monotone at ${n}`);
  });
});

describe('v2 feature names', () => {
  it('names every feature once', () => {
    assert.equal(NAMES.length, V2_FEATURE_COUNT);
    assert.equal(V2_FEATURE_COUNT, V2_OWN_COUNT + COMPAT_FEATURE_COUNT + V2_PORT_COUNT);
    assert.equal(new Set(NAMES).size, NAMES.length);
    assert.equal(NAMES[V2_OWN_COUNT], 'compat.outgoing from port 0');
  });
});

interface TsharkPacket {
  src: string;
  dst: string;
  protocols: string[];
  ttl: number | null;
}

/** One tshark run per capture: MACs, the protocol stack and the outer TTL / hop limit of every frame. */
function tsharkPackets(file: string): TsharkPacket[] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'occurrence=f',
      '-e',
      'eth.src',
      '-e',
      'eth.dst',
      '-e',
      'frame.protocols',
      '-e',
      'ip.ttl',
      '-e',
      'ipv6.hlim',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [src = '', dst = '', protos = '', ttl = '', hlim = ''] = l.split('\t');
      const t = ttl !== '' ? ttl : hlim;
      return { src, dst, protocols: protos.split(':'), ttl: t === '' ? null : Number(t) };
    });
}

/** Our protocol classes from tshark's stack: the outer transport is the first of tcp/udp/icmp/icmpv6. */
function tsharkClasses(p: TsharkPacket): Set<string> {
  const out = new Set<string>();
  const has = (x: string) => p.protocols.includes(x);
  if (has('arp')) out.add('arp');
  if (has('eapol')) out.add('eapol');
  if (has('ip')) out.add('ipv4');
  if (has('ipv6')) out.add('ipv6');
  const l4 = p.protocols.find((x) => x === 'tcp' || x === 'udp' || x === 'icmp' || x === 'icmpv6');
  if (l4 !== undefined) out.add(l4);
  return out;
}

describe('v2 protocol and TTL shares equal tshark counts on real captures', () => {
  for (const name of ['Aria-A1', 'HueBridge-C5', 'DLinkCam-B3']) {
    const file = `test-data/iot-sentinel/setups/${name}-Mon0000-n00.pcap`;
    it(name, async () => {
      const f = await captureFeatureSet(file, { durationS: 900, warmupS: 0 });
      const dev = f.v2.hosts[f.v2.device]!;
      assert.equal(dev.key, f.compat.captureMac, 'device = compat capture MAC');
      const v = f.v2Rows[0]!;
      assert.deepEqual(v.subarray(V2_OWN_COUNT, V2_PORT_OFFSET), f.compat.bins[0]!.vector, 'compat block');
      const packets = tsharkPackets(file);
      for (const dir of ['out', 'in'] as const) {
        const mine = packets.filter((p) => (dir === 'out' ? p.src : p.dst) === dev.key);
        assert.ok(mine.length > 0);
        for (const feature of ['arp', 'eapol', 'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6']) {
          const count = mine.filter((p) => tsharkClasses(p).has(feature)).length;
          const ours = at(v, `${dir}.proto.${feature}`);
          assert.ok(
            Math.abs(ours - count / mine.length) < 1e-12,
            `${dir}.proto.${feature}: ours ${ours}, tshark ${count}/${mine.length}`,
          );
        }
        const ttls = mine.filter((p) => p.ttl !== null).map((p) => p.ttl!);
        if (ttls.length > 0) {
          const share64 = ttls.filter((t) => t > 32 && t <= 64).length / ttls.length;
          assert.ok(Math.abs(at(v, `${dir}.ttl.ttl64`) - share64) < 1e-12, `${dir}.ttl.ttl64`);
        }
      }
    });
  }
});

// ---- golden digests ---------------------------------------------------------------------------------
// The extractor's exact output on real captures, recorded before its hot path was optimised: any change in
// any value (even the last bit) fails, and the failure names the feature groups (V2_FEATURE_GROUPS, e.g.
// `out.tcp`) whose values changed. Regenerate only for an intended change of meaning:
//   V2_GOLDEN_WRITE=1 node --import tsx --test src/features/v2/v2.test.ts

const GOLDEN_PATH = 'test-data/v2-golden.json';
const GOLDEN_CONFIGS = [
  { durationS: 900, warmupS: 0 },
  { durationS: 60, warmupS: 5 },
  { durationS: 7, warmupS: 0 },
];
const GOLDEN_CAPTURES = [
  ...readdirSync('test-data/reference/captures').map((f) => `test-data/reference/captures/${f}`),
  ...readdirSync('test-data/captures/real').map((f) => `test-data/captures/real/${f}`),
  // Links without MACs (raw IP, loopback, Linux cooked) and byte-order/timestamp variants.
  ...[
    'raw101.pcap',
    'raw228.pcap',
    'raw229.pcap',
    'null-le.pcap',
    'sll.pcap',
    'sll2.pcap',
    'zoo-le-ns.pcap',
  ].map((f) => `test-data/captures/edge/${f}`),
  ...[
    'Aria-C3',
    'DLinkCam-B3',
    'DLinkDayCam-A2',
    'EdimaxPlug1101W-C1',
    'HueBridge-C5',
    'WeMoSwitch-A4',
    'iKettle2-A3',
  ].map((n) => `test-data/iot-sentinel/setups/${n}-Mon0000-n00.pcap`),
].sort();

interface GoldenDigest {
  hosts: string;
  device: number;
  bins: number;
  sum: number;
  sumSq: number;
  /** sha256 of (bin, host, start, end) of every bin as Float64 bytes, then of all header-feature values. */
  binsSha256: string;
  valuesSha256: string;
  /** Per feature group: sha256 of the group's values in every bin, in bin order. */
  groupsSha256: Record<string, string>;
}

async function goldenDigest(
  file: string,
  cfg: { durationS: number; warmupS: number; denseRows?: number },
): Promise<GoldenDigest> {
  const ex = new V2Extractor(cfg);
  await readCapture(file, (p) => ex.add(p));
  return resultDigest(ex.finish());
}

function resultDigest(r: V2Result): GoldenDigest {
  const meta = createHash('sha256');
  const values = createHash('sha256');
  const groups = V2_GROUP_LAYOUT.blocks.map(() => createHash('sha256'));
  let sum = 0;
  let sumSq = 0;
  for (const b of r.bins) {
    meta.update(new Uint8Array(Float64Array.of(b.bin, b.host, b.start, b.end).buffer));
    const own = b.vector.slice(0, V2_OWN_COUNT);
    values.update(new Uint8Array(own.buffer));
    V2_GROUP_LAYOUT.blocks.forEach((g, i) => {
      groups[i]!.update(new Uint8Array(own.buffer, g.offset * 8, g.width * 8));
    });
    for (const x of own) {
      sum += x;
      sumSq += x * x;
    }
  }
  const groupsSha256: Record<string, string> = {};
  V2_GROUP_LAYOUT.blocks.forEach((g, i) => {
    groupsSha256[g.name] = groups[i]!.digest('hex');
  });
  return {
    hosts: r.hosts.map((h) => `${h.key}/${h.kind}/${h.packetsSent}/${h.privateSent}`).join(' '),
    device: r.device,
    bins: r.bins.length,
    sum,
    sumSq,
    binsSha256: meta.digest('hex'),
    valuesSha256: values.digest('hex'),
    groupsSha256,
  };
}

/** What differs between two digests, naming the feature groups whose values changed; '' when equal. */
function goldenMismatch(actual: GoldenDigest, expected: GoldenDigest | undefined): string {
  if (expected === undefined) return 'no golden digest recorded';
  const problems: string[] = [];
  for (const field of ['hosts', 'device', 'bins', 'binsSha256'] as const)
    if (actual[field] !== expected[field]) problems.push(`${field} changed (hosts or bins differ)`);
  const changed = V2_GROUP_LAYOUT.blocks
    .map((g) => g.name)
    .filter((g) => actual.groupsSha256[g] !== expected.groupsSha256[g]);
  if (changed.length > 0) problems.push(`v2 golden mismatch in blocks: ${changed.join(', ')}`);
  if (problems.length === 0 && (actual.valuesSha256 !== expected.valuesSha256 || actual.sum !== expected.sum))
    problems.push('values changed outside every group');
  return problems.join('; ');
}

describe('v2 values equal the golden digests', () => {
  if (process.env.V2_GOLDEN_WRITE === '1') {
    it(`writes ${GOLDEN_PATH}`, async () => {
      const out: Record<string, GoldenDigest> = {};
      for (const file of GOLDEN_CAPTURES)
        for (const cfg of GOLDEN_CONFIGS)
          out[`${file} ${cfg.durationS}/${cfg.warmupS}`] = await goldenDigest(file, cfg);
      writeFileSync(GOLDEN_PATH, `${JSON.stringify(out, null, 1)}\n`);
    });
    return;
  }
  const golden = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as Record<string, GoldenDigest>;
  it('covers every golden capture and setting', () => {
    assert.equal(Object.keys(golden).length, GOLDEN_CAPTURES.length * GOLDEN_CONFIGS.length);
    assert.ok(Object.values(golden).some((g) => g.bins > 10));
  });
  it('has one digest per feature group, groups tiling the header features', () => {
    assert.deepEqual(
      V2_GROUP_LAYOUT.blocks.map((b) => b.name),
      V2_FEATURE_GROUPS.map((g) => g.name),
    );
    assert.equal(V2_GROUP_LAYOUT.size, V2_OWN_COUNT);
    for (const g of Object.values(golden))
      assert.deepEqual(
        Object.keys(g.groupsSha256),
        V2_FEATURE_GROUPS.map((x) => x.name),
      );
  });
  it('names the feature group whose values changed', async () => {
    const file = 'test-data/captures/real/iKettle2-A1-Mon0000-n00.pcap';
    const cfg = GOLDEN_CONFIGS[0]!;
    const ex = new V2Extractor(cfg);
    await readCapture(file, (p) => ex.add(p));
    const r = ex.finish();
    const expected = golden[`${file} ${cfg.durationS}/${cfg.warmupS}`];
    assert.equal(goldenMismatch(resultDigest(r), expected), '');
    // One value of out.tcp and one of host in one bin, as a changed rule would.
    const bin = r.bins[r.bins.length - 1]!;
    bin.own[V2_GROUP_LAYOUT.at['out.tcp']! + 2]! += 1e-12;
    bin.own[V2_GROUP_LAYOUT.at.host!]! += 1;
    assert.equal(goldenMismatch(resultDigest(r), expected), 'v2 golden mismatch in blocks: out.tcp, host');
  });
  for (const file of GOLDEN_CAPTURES) {
    it(file, async () => {
      for (const cfg of GOLDEN_CONFIGS) {
        const key = `${file} ${cfg.durationS}/${cfg.warmupS}`;
        const actual = await goldenDigest(file, cfg);
        const mismatch = goldenMismatch(actual, golden[key]);
        assert.equal(mismatch, '', `${key}: ${mismatch}`);
        assert.deepEqual(actual, golden[key], key);
      }
    });
  }
  // A bin's hosts past the dense rows (a flood's) count in a hash table: the same values, to the last bit.
  // One dense row leaves every other host of a bin to it, and the scratch summary serves them in turn.
  it('has the same values with the counts of all but one host (or of all) in the hash table', async () => {
    for (const file of GOLDEN_CAPTURES)
      for (const [c, cfg] of GOLDEN_CONFIGS.entries())
        for (const denseRows of c === 0 ? [0, 1] : [1]) {
          const key = `${file} ${cfg.durationS}/${cfg.warmupS}`;
          const mismatch = goldenMismatch(await goldenDigest(file, { ...cfg, denseRows }), golden[key]);
          assert.equal(mismatch, '', `${key}, ${denseRows} dense rows: ${mismatch}`);
        }
  });
});

it('a LAN numbered from global space is still the LAN: the device found, its neighbours private peers', async () => {
  // A workstation on a public IPv4 /24 and a global IPv6 /64 reads a file server on its link over both and a
  // web server beyond the router over both (test-data/behavior/onlink/make-onlink.sh). It sends from no
  // private address: without the rule no host qualified as the device.
  const file = 'test-data/behavior/onlink/Workstation-onlink-Mon0000-n00.pcap';
  const f = await captureFeatureSet(file, { durationS: 900, warmupS: 0 });
  const device = '02:01:00:00:00:10';
  assert.equal(f.v2.hosts[f.v2.device]?.key, device);
  const v = f.v2Rows[0]!;
  // 7 peers: the file server's two addresses and the router's, the web server's two, two multicast groups.
  assert.equal(at(v, 'host.peers.privateShare'), 3 / 7);
  assert.equal(at(v, 'host.peers.publicShare'), 2 / 7);
  // The share of its packets that went to the web server, as tshark counts them.
  const count = (filter: string) =>
    execFileSync('tshark', ['-r', file, '-Y', filter], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => l.trim() !== '').length;
  const sent = count(`eth.src == ${device}`);
  const web = count(`eth.src == ${device} && (ip.dst == 185.199.108.34 || ipv6.dst == 2a04:4e42:1:1::34)`);
  assert.ok(web > 0 && web < sent / 2, `${web} of ${sent}`);
  assert.ok(
    Math.abs(at(v, 'out.peer.publicPeer') - web / sent) < 1e-12,
    `${at(v, 'out.peer.publicPeer')}, ${web}/${sent}`,
  );
});
