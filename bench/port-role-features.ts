/**
 * Prototype per-port "who serves" features of a capture's device, computed outside v2 (one pass with the
 * project's reader, the whole capture as one bin) so the roles labs can try them before any extractor
 * change. The device is the source MAC with the most IP packets from a private address (v2's rule, on MACs).
 *
 * For the device's TCP/UDP packets (first fragments), local port L and remote port R:
 *  - localWK / remoteWK: L < 1024 / R < 1024; localReg / remoteReg: L < 49152 / R < 49152;
 *  - localLower: L < R (the host-is-server rule of v2, both directions pooled);
 *  - fixedLocal: the packet's (proto, L) meets ≥ 2 distinct remote endpoints (addr, R) — a port it serves
 *    or answers from; fixedRemote: its (proto, remote addr, R) is met from ≥ 2 local ports — a port it
 *    talks to; each as a share of packets (…P) and of flows (…F);
 *  - serveMinusTalk: fixedLocalP − fixedRemoteP (+1 serves, −1 talks, 0 neither or both);
 *  - groupTalk / groupServe: of the packets it sends to broadcast / multicast, the share whose R is fixed
 *    and L is not (a discovery client) / whose L is fixed and R is not (a responder);
 *  - outLowerLocal: of the packets it sends, L < R (v2's out.service.hostIsServer, for comparison).
 *
 *   node --import tsx bench/port-role-features.ts --out FILE [--dir DIR]...
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PacketRecord } from '../src/capture/packet.js';
import { readCapture } from '../src/capture/reader.js';
import { args } from './rank-corpora.js';

export const PORT_FEATURES = [
  'localWK',
  'remoteWK',
  'localReg',
  'remoteReg',
  'localLower',
  'fixedLocalP',
  'fixedRemoteP',
  'fixedLocalF',
  'fixedRemoteF',
  'serveMinusTalk',
  'groupTalk',
  'groupServe',
  'outLowerLocal',
] as const;

const hex = (b: Uint8Array, o: number, n: number): string =>
  Array.from(b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join('');
const isPrivate4 = (a: Uint8Array): boolean =>
  a[0] === 10 ||
  (a[0] === 172 && (a[1]! & 0xf0) === 16) ||
  (a[0] === 192 && a[1] === 168) ||
  (a[0] === 169 && a[1] === 254) ||
  (a[0] === 0 && a[1] === 0 && a[2] === 0 && a[3] === 0);
const isPrivate = (p: PacketRecord): boolean =>
  p.ipVersion === 4
    ? isPrivate4(p.srcAddr)
    : (p.srcAddr[0] === 0xfe && (p.srcAddr[1]! & 0xc0) === 0x80) || (p.srcAddr[0]! & 0xfe) === 0xfc;

interface Pkt {
  out: boolean;
  proto: number;
  local: number;
  remote: number;
  remoteAddr: string;
  group: boolean;
}

async function captureFeatures(path: string): Promise<Record<string, number>> {
  const pkts: { src: string; dst: string; p: Pkt }[] = [];
  const privSent = new Map<string, number>();
  await readCapture(path, (p) => {
    if (!p.hasMacs || (p.ipVersion !== 4 && p.ipVersion !== 6)) return;
    const dst = hex(p.macs, 0, 6);
    const src = hex(p.macs, 6, 6);
    if (isPrivate(p)) privSent.set(src, (privSent.get(src) ?? 0) + 1);
    if ((p.l4Proto !== 6 && p.l4Proto !== 17) || p.isLaterFragment) return;
    const n = p.ipVersion === 4 ? 4 : 16;
    const group = (p.macs[0]! & 1) === 1;
    pkts.push({
      src,
      dst,
      p: {
        out: true,
        proto: p.l4Proto,
        local: p.srcPort,
        remote: p.dstPort,
        remoteAddr: hex(p.dstAddr, 0, n),
        group,
      },
    });
    // The receiving side's view of the same packet (unicast only), kept as a second record.
    pkts.push({
      src: dst,
      dst: src,
      p: {
        out: false,
        proto: p.l4Proto,
        local: p.dstPort,
        remote: p.srcPort,
        remoteAddr: hex(p.srcAddr, 0, n),
        group,
      },
    });
  });
  let device = '';
  let best = -1;
  for (const [m, c] of privSent) if (c > best) [device, best] = [m, c];
  const mine: Pkt[] = pkts.filter((x) => x.src === device && (x.p.out || !x.p.group)).map((x) => x.p);
  const flowKey = (x: Pkt): string => `${x.proto}/${x.local}/${x.remoteAddr}/${x.remote}`;
  const remotesOfLocal = new Map<string, Set<string>>();
  const localsOfRemote = new Map<string, Set<number>>();
  const flows = new Set<string>();
  for (const x of mine) {
    flows.add(flowKey(x));
    const lk = `${x.proto}/${x.local}`;
    const rk = `${x.proto}/${x.remoteAddr}/${x.remote}`;
    if (!remotesOfLocal.has(lk)) remotesOfLocal.set(lk, new Set());
    remotesOfLocal.get(lk)!.add(`${x.remoteAddr}/${x.remote}`);
    if (!localsOfRemote.has(rk)) localsOfRemote.set(rk, new Set());
    localsOfRemote.get(rk)!.add(x.local);
  }
  const fixedL = (x: Pkt): boolean => remotesOfLocal.get(`${x.proto}/${x.local}`)!.size >= 2;
  const fixedR = (x: Pkt): boolean => localsOfRemote.get(`${x.proto}/${x.remoteAddr}/${x.remote}`)!.size >= 2;
  const n = mine.length;
  const share = (f: (x: Pkt) => boolean, of: Pkt[] = mine): number =>
    of.length ? of.filter(f).length / of.length : 0;
  const flowFirst = new Map<string, Pkt>();
  for (const x of mine) if (!flowFirst.has(flowKey(x))) flowFirst.set(flowKey(x), x);
  const fl = [...flowFirst.values()];
  const groupOut = mine.filter((x) => x.out && x.group);
  const out = mine.filter((x) => x.out);
  const v: Record<string, number> = {
    localWK: share((x) => x.local < 1024),
    remoteWK: share((x) => x.remote < 1024),
    localReg: share((x) => x.local < 49152),
    remoteReg: share((x) => x.remote < 49152),
    localLower: share((x) => x.local < x.remote),
    fixedLocalP: share(fixedL),
    fixedRemoteP: share(fixedR),
    fixedLocalF: share(fixedL, fl),
    fixedRemoteF: share(fixedR, fl),
    serveMinusTalk: share(fixedL) - share(fixedR),
    groupTalk: share((x) => fixedR(x) && !fixedL(x), groupOut),
    groupServe: share((x) => fixedL(x) && !fixedR(x), groupOut),
    outLowerLocal: share((x) => x.local < x.remote, out),
  };
  v.packets = n;
  return v;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outFile = args('out')[0];
  if (!outFile) {
    console.error('port-role-features: --out FILE is required');
    process.exit(2);
  }
  const dirs = args('dir').length
    ? args('dir')
    : ['../shared/pcaps/iot-sentinel/setups', '../shared/pcaps/roles-dev'];
  const result: Record<string, Record<string, number>> = {};
  for (const dir of dirs)
    for (const f of readdirSync(dir)
      .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
      .sort())
      result[f] = await captureFeatures(join(dir, f));
  writeFileSync(outFile, JSON.stringify(result, null, 1));
}
