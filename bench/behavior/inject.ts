/**
 * Rewriting a raw capture into a device's network (build.ts's injections): tcpdump splits it by direction,
 * tcprewrite maps the addresses (--pnat for IPv4 and ARP, --enet-smac/--enet-dmac per direction, --fixcsum),
 * then every MAC of the raw capture that is left (LAN neighbours, ARP payloads) is mapped too (lab.ts), and
 * editcap shifts it in time.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { remapMacs, unicastMacs } from './lab.js';
import { applyDeviceStack, type DeviceStack } from './stack.js';

const run = promisify(execFile);

export function hashStr(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One line of OUT/attacks/index.jsonl (gen-attacks.sh). */
export interface RawAttack {
  id: string;
  file: string;
  family: string;
  tool: string;
  roles: string;
  /**
   * lan: the other end is a neighbour; public: one internet peer; wan: many internet peers, reached through
   * the victim as a gateway (the attack's `wan` range, e.g. a Mirai-style scan of random addresses).
   */
  peer: 'lan' | 'public' | 'wan';
  heldout: boolean;
  attacker: { ip: string; mac: string };
  victim: { ip: string; mac: string };
  net: string;
  /** peer wan: the routed range behind the victim (gen-fresh.sh: 10.128.0.0/9). */
  wan?: string;
  packets: number;
}

export interface RewriteSpec {
  /** MAC of the endpoint that becomes the device. */
  selfMac: string;
  newSelfMac: string;
  /** Frames between self and this MAC get newPeerMac on the other side (gateway for public peers). */
  peerMac?: string;
  newPeerMac?: string;
  /** tcprewrite --pnat map (applies to IPv4 and ARP addresses, first match wins). */
  pnat: string;
  /** Extra tcpdump filter on top of the direction filter (e.g. keep only IP between two hosts). */
  filter?: string;
  /** tcprewrite --ttl for frames from the peer (e.g. "-14": a public peer is hops away, not on our bridge). */
  peerTtl?: string;
  /** Every MAC of the raw capture and what it becomes, in Ethernet headers and ARP payloads alike. */
  macMap?: ReadonlyMap<string, string>;
  /** The device's own TTL and SYN options for the frames its end sent (build.ts --stack device). */
  deviceStack?: { device: { mac: string; ip: string }; stack: DeviceStack };
}

function packetsIn(path: string): boolean {
  return statSync(path).size > 24;
}

export async function rewrite(
  input: string,
  output: string,
  spec: RewriteSpec,
  shiftS: number,
  tmp: string,
): Promise<void> {
  const extra = spec.filter ? ` and (${spec.filter})` : '';
  const parts: { filter: string; args: string[] }[] = [];
  if (spec.peerMac && spec.newPeerMac) {
    parts.push({
      filter: `ether src ${spec.selfMac} and ether dst ${spec.peerMac}`,
      args: [`--enet-smac=${spec.newSelfMac}`, `--enet-dmac=${spec.newPeerMac}`],
    });
    parts.push({
      filter: `ether src ${spec.selfMac} and not ether dst ${spec.peerMac}`,
      args: [`--enet-smac=${spec.newSelfMac}`],
    });
    parts.push({
      filter: `ether dst ${spec.selfMac} and ether src ${spec.peerMac}`,
      args: [
        `--enet-dmac=${spec.newSelfMac}`,
        `--enet-smac=${spec.newPeerMac}`,
        ...(spec.peerTtl ? [`--ttl=${spec.peerTtl}`] : []),
      ],
    });
    parts.push({
      filter: `ether dst ${spec.selfMac} and not ether src ${spec.peerMac}`,
      args: [`--enet-dmac=${spec.newSelfMac}`],
    });
  } else {
    parts.push({ filter: `ether src ${spec.selfMac}`, args: [`--enet-smac=${spec.newSelfMac}`] });
    parts.push({ filter: `ether dst ${spec.selfMac}`, args: [`--enet-dmac=${spec.newSelfMac}`] });
  }
  const done: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const a = join(tmp, `d${i}.pcap`);
    const b = join(tmp, `r${i}.pcap`);
    await run('tcpdump', ['-r', input, '-w', a, `(${p.filter})${extra}`]);
    if (!packetsIn(a)) continue;
    await run('tcprewrite', ['-i', a, '-o', b, ...p.args, `--pnat=${spec.pnat}`, '--fixcsum']);
    done.push(b);
  }
  let merged = join(tmp, 'merged.pcap');
  if (done.length === 0) throw new Error(`rewrite of ${input} selected no frames`);
  await run('mergecap', ['-F', 'pcap', '-w', merged, ...done]);
  if (spec.macMap?.size) {
    const mapped = join(tmp, 'mapped.pcap');
    remapMacs(merged, mapped, spec.macMap);
    merged = mapped;
  }
  if (spec.deviceStack) {
    const own = join(tmp, 'own-stack.pcap');
    applyDeviceStack(merged, own, spec.deviceStack.device, spec.deviceStack.stack);
    merged = own;
  }
  await run('editcap', ['-F', 'pcap', '-t', shiftS.toFixed(6), merged, output]);
}

export function subnet24(ip: string): string {
  return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
}

/**
 * pnat map for an attack: the device's end → the device's IP; the other end → publicIp (public peers), or
 * the attack network onto the device's /24 (LAN). The lab address that would land on the device's own
 * address (a sweep target, a dummy host) takes the lab address the device's end had instead, so no lab
 * host answers from the device's IP.
 */
export function attackPnat(
  a: RawAttack,
  role: 'attacker' | 'victim',
  devIp: string,
  publicIp: string,
): string {
  const self = role === 'attacker' ? a.attacker : a.victim;
  const other = role === 'attacker' ? a.victim : a.attacker;
  if (a.peer === 'public') return `${self.ip}/32:${devIp}/32,${other.ip}/32:${publicIp}/32`;
  if (a.peer === 'wan') {
    if (!a.wan) throw new Error(`attack ${a.id}: peer wan without a wan range`);
    return `${self.ip}/32:${devIp}/32,${other.ip}/32:${publicIp}/32,${a.wan}:${wanRange(a.wan, publicIp)}`;
  }
  const devHost = devIp.split('.')[3]!;
  const selfHost = self.ip.split('.')[3]!;
  const labPre = a.net.split('/')[0]!.split('.').slice(0, 3).join('.');
  const pre = devIp.split('.').slice(0, 3).join('.');
  const maps = [`${self.ip}/32:${devIp}/32`];
  if (devHost !== selfHost) maps.push(`${labPre}.${devHost}/32:${pre}.${selfHost}/32`);
  maps.push(`${a.net}:${subnet24(devIp)}`);
  return maps.join(',');
}

/**
 * Where a routed lab range lands: the same prefix length with the public peer's first octet (host bits kept),
 * so its addresses are public and spread like the lab's.
 */
export function wanRange(wan: string, publicIp: string): string {
  const [addr, len] = wan.split('/');
  const bits = Number(len);
  if (!addr || !(bits >= 8 && bits <= 32)) throw new Error(`bad wan range ${wan}`);
  return `${[publicIp.split('.')[0], ...addr.split('.').slice(1)].join('.')}/${bits}`;
}

/** OUIs of PC, server and NAS makers that no normal capture of the benchmark has (checked on ../shared). */
const NEIGHBOUR_OUIS = ['00:1b:21', '3c:d9:2b', '00:25:90', '00:11:32', '24:5e:be', 'f8:bc:12'];

/** A LAN neighbour's MAC in the device's network: fixed per (device, lab host), globally administered. */
export function neighbourMac(deviceMac: string, labMac: string): string {
  const h = hashStr(`nb:${deviceMac}:${labMac}`);
  const oui = NEIGHBOUR_OUIS[h % NEIGHBOUR_OUIS.length]!;
  const low = hashStr(`nb-low:${deviceMac}:${labMac}`);
  const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
  return `${oui}:${hex(low >>> 16)}:${hex(low >>> 8)}:${hex(low)}`;
}

const hostsOf = new Map<string, string[]>();
/**
 * Every unicast MAC of a raw attack capture mapped into the device's network: the device's end → the
 * device's MAC, every other host → a LAN neighbour's MAC (LAN peers) or the gateway's (public peers).
 */
export function attackMacMap(
  rawPath: string,
  a: RawAttack,
  role: 'attacker' | 'victim',
  dev: { mac: string; gwMac: string },
): Map<string, string> {
  let macs = hostsOf.get(rawPath);
  if (!macs) {
    macs = [...unicastMacs(rawPath)].sort();
    hostsOf.set(rawPath, macs);
  }
  const selfMac = (role === 'attacker' ? a.attacker : a.victim).mac;
  const map = new Map<string, string>();
  for (const m of macs) {
    if (m === dev.mac || m === dev.gwMac) continue;
    map.set(m, m === selfMac ? dev.mac : a.peer !== 'lan' ? dev.gwMac : neighbourMac(dev.mac, m));
  }
  return map;
}

/**
 * How build.ts injects one raw attack into a device's capture: the device's end becomes the device; a
 * public peer keeps only IPv4 between the two ends, arrives from the gateway's MAC with peerTtl; a LAN attack
 * keeps IPv4 and ARP of the device's end (the lab's IPv6 is the namespaces' own router solicitations).
 */
export function attackSpec(
  rawPath: string,
  a: RawAttack,
  role: 'attacker' | 'victim',
  dev: { mac: string; ip: string; gwMac: string },
  publicIp: string,
  peerTtl: string,
): RewriteSpec {
  const self = role === 'attacker' ? a.attacker : a.victim;
  const other = role === 'attacker' ? a.victim : a.attacker;
  const spec: RewriteSpec = {
    selfMac: self.mac,
    newSelfMac: dev.mac,
    pnat: attackPnat(a, role, dev.ip, publicIp),
    filter: 'ip or arp',
    macMap: attackMacMap(rawPath, a, role, dev),
  };
  if (a.peer !== 'lan') {
    spec.peerMac = other.mac;
    spec.newPeerMac = dev.gwMac;
    // wan: everything the device's end exchanged through the gateway (the victim's MAC), any address
    spec.filter =
      a.peer === 'wan' ? `ip and host ${self.ip}` : `ip and host ${a.attacker.ip} and host ${a.victim.ip}`;
    spec.peerTtl = peerTtl;
  }
  return spec;
}
