/**
 * The device a capture is about, from `tcpdump -nn -e -tt -r` text: its MAC, IP and gateway MAC, which the
 * behaviour benchmark's injections rewrite the attacker / victim / other device to.
 * Rule 'device': the most frequent source MAC of private-address IPv4 packets that is not the network's
 * infrastructure (a DHCP server, or the gateway: next hop of public-bound packets, source of public ones).
 * Rule 'legacy': the first rule, without that exclusion; it took the gateway of near-silent setups (an iKettle2
 * sends one IPv4 packet from its own address, the gateway's DHCP server two), which the pipeline does not score.
 */
export type IdentityRule = 'device' | 'legacy';

export interface Identity {
  mac: string;
  ip: string;
  gwMac: string;
  start: number;
  end: number;
  packets: number;
}
const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/;
const LINE =
  /^(\d+\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype IPv4 \(0x0800\), length \d+: (\d+\.\d+\.\d+\.\d+)(?:\.\d+)? > (\d+\.\d+\.\d+\.\d+)(?:\.\d+)?[: ]/;
const TS = /^(\d+\.\d+) /;
const DHCP_REPLY = /BOOTP\/DHCP, Reply/;

function isPublic(ip: string): boolean {
  const first = Number(ip.split('.')[0]);
  return !PRIVATE.test(ip) && first < 224 && first !== 0 && first !== 127;
}

function top(m: Map<string, number>): string | undefined {
  let best: string | undefined;
  let n = -1;
  for (const [k, v] of [...m].sort()) if (v > n) [best, n] = [k, v];
  return best;
}
function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Group bit clear: not broadcast or multicast. */
function unicastMac(mac: string): boolean {
  return (Number.parseInt(mac.slice(0, 2), 16) & 1) === 0;
}

export function identityOf(tcpdumpText: string, rule: IdentityRule): Identity {
  const lines = tcpdumpText.split('\n');
  let srcMac = new Map<string, number>();
  /** MACs of the network's infrastructure (gateway, DHCP server): never the device. */
  const infra = new Set<string>();
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  let packets = 0;
  const rows: string[][] = [];
  for (const l of lines) {
    const t = TS.exec(l);
    if (!t) continue;
    packets++;
    const ts = Number(t[1]);
    if (ts < start) start = ts;
    if (ts > end) end = ts;
    const m = LINE.exec(l);
    if (!m) continue;
    rows.push([m[2]!, m[3]!, m[4]!, m[5]!]);
    if (PRIVATE.test(m[4]!)) bump(srcMac, m[2]!);
    if (DHCP_REPLY.test(l)) infra.add(m[2]!);
  }
  if (rule === 'device') {
    // The gateway: where private hosts send public-bound packets, and where public packets come from.
    for (const [s, d, si, di] of rows) {
      if (PRIVATE.test(si!) && isPublic(di!) && unicastMac(d!)) infra.add(d!);
      if (isPublic(si!) && PRIVATE.test(di!)) infra.add(s!);
    }
    const own = new Map([...srcMac].filter(([k]) => !infra.has(k)));
    if (own.size > 0) srcMac = own;
  }
  const mac = top(srcMac) ?? top(new Map(rows.map((r) => [r[0]!, 1]))) ?? '02:00:00:00:00:01';
  const ips = new Map<string, number>();
  const ipsAny = new Map<string, number>();
  const gw = new Map<string, number>();
  const peers = new Map<string, number>();
  for (const [s, d, si, di] of rows) {
    if (s === mac) {
      bump(ipsAny, si!);
      if (PRIVATE.test(si!)) bump(ips, si!);
      if (!unicastMac(d!)) continue;
      const first = Number(di!.split('.')[0]);
      if (!PRIVATE.test(di!) && first < 224 && first !== 0) bump(gw, d!);
      bump(peers, d!);
    }
  }
  return {
    mac,
    ip: top(ips) ?? top(ipsAny) ?? '192.168.1.50',
    // A device that never sent a unicast IPv4 packet: its network's gateway / DHCP server.
    gwMac:
      top(gw) ?? top(peers) ?? (rule === 'device' ? [...infra].sort()[0] : undefined) ?? '02:00:5e:00:00:01',
    start,
    end,
    packets,
  };
}
