/**
 * Behaviour features: per host and per time bin, the counts an engineer looks at when a device is
 * suspected of being compromised — fan-out (distinct peers and remote ports), failure rates (unanswered
 * SYNs, RSTs, ICMP unreachable), DNS packet rate and size, bytes out/in, connection start rate, per-flow
 * shapes, admin/lateral-movement ports (connections and their packets), bursts of connections with one
 * public address, connections with the second-busiest public address — plus the set of services the host
 * used (for novelty) and its network stacks so far (initial-TTL classes, SYN option lengths). Headers only:
 * DNS "size" is the IP length of port-53 packets, never their payload.
 *
 * Hosts: with a MAC layer every unicast MAC (source → outgoing, destination → incoming); without one,
 * every IP address. The capture's device is the host that took part in the most packets at a private address,
 * sent or received, among those that sent from one (without any private address: the host that sent the most).
 * Bins follow the compat rule on IP packets (the first starts bin 0; a packet `durationS` or more after
 * the bin's start opens the next), with no warm-up: a short capture is all there is to judge.
 *
 * The per-packet path does typed-array hash-table lookups and updates only (no allocation); vectors and
 * service lists are built when a bin closes.
 */

import { IpProto, TcpFlag } from '../capture/packet.js';
import { ipv4Text, ipv6Text, isPrivateV4, isPrivateV6, macText } from '../sessions/address.js';
import { ColumnTable } from '../sessions/columns.js';
import { QuadTable } from '../sessions/quad-table.js';
import { BeaconMemory } from './beacon-memory.js';
import { BehaviorBinStore } from './behavior-bin-store.js';
import { isMoreLikelyDevice } from './device-choice.js';

/**
 * Connections with one public address started within this many seconds of each other: password guessing
 * opens dozens in a few seconds, while a device's cloud polling (the busiest normal: one every 2 s) opens a few.
 */
export const BURST_S = 10;

/**
 * How a feature is turned into a comparable number by the model: log1p for counts and rates. A `range` count
 * is judged only against the most any normal window had, not in the distance to the nearest normal windows:
 * normal devices spread in it for reasons that say nothing (how many neighbours a camera asks for), and only
 * far beyond anything normal does it mean something (a sweep).
 */
export type BehaviorFeatureKind = 'count' | 'share' | 'signed' | 'range';

export interface BehaviorFeatureInfo {
  name: string;
  kind: BehaviorFeatureKind;
  /** Words for explanations ("DNS packets per minute"). */
  text: string;
}

/**
 * A DNS message of this many bytes or more (UDP payload; over TCP, after the 2-byte length) carries a
 * query name of at least LONG_DNS_NAME characters: 12 header + name + 2 + 4 type and class. Tunnels and
 * exfiltration pack data into long names wherever the queries go (the device's own resolver included);
 * the names devices look up are mostly far shorter.
 */
const LONG_DNS_MESSAGE = 82;
const LONG_DNS_NAME = LONG_DNS_MESSAGE - 18;
/**
 * What an EDNS OPT record with a client cookie adds to a query (11 + 12 bytes; `dig` and many resolvers send
 * it): the length alone cannot tell it from name bytes, so such a query counts from a name of ~41 characters.
 */
const EDNS_COOKIE_BYTES = 23;
/**
 * A device looks a name up to connect to it: a lookup (a DNS flow it starts) that no new connection of its own
 * follows within LOOKUP_FOLLOW_S seconds carried something else. Tunnels and exfiltration send data in the names,
 * whatever their length, and connect nowhere; this needs no byte of the DNS message.
 */
export const LOOKUP_FOLLOW_S = 10;
/** A connection held this long (s) is a session (see BehaviorBin.heldSessions), not a request and its answer. */
export const HELD_SESSION_S = 10;
/**
 * A terminal echoes each keystroke at once: a small TCP segment from the peer (a key, in a TLS record or not)
 * answered by the host with a small one within ECHO_MAX_US on the same connection is one echo. An operator
 * typing into a reverse shell makes dozens a minute. A device that answers a poller on the internet (a Modbus
 * master, a small ping) that fast counts too; its training captures then show it.
 */
const ECHO_MAX_BYTES = 64;
const ECHO_MAX_US = 10_000;
/**
 * A controller drives the device over the device's own connection: after a pause (PUSH_IDLE_US without data
 * either way) the internet end speaks first and the device answers within ECHO_MAX_US (a task and its result, a
 * command typed into a shell without a pty, a server's ping), on that connection or on another to the same address
 * (an HTTP tunnel takes commands in one GET's answer and sends output in one POST's body). A device's own cloud
 * session is the device's to drive: it asks, the server answers.
 */
const PUSH_IDLE_US = 1_000_000;
/**
 * A held connection resumed: data after RESUME_IDLE_US without any on the connection, either way (a keep-alive
 * session's next request, a task pushed on a held stream; see BehaviorBin.publicPeerResumes). A beacon that keeps
 * one TLS connection open and checks in on it then counts like one that connects each time. TCP keep-alive probes
 * (at most one byte) do not count.
 */
export const RESUME_IDLE_US = 5_000_000;
/**
 * UDP services that answer a small request with a bigger reply and so are abused as reflectors (DNS, NTP,
 * SNMP, SSDP, CoAP, memcached, CLDAP, WS-Discovery, chargen, QOTD, NetBIOS, portmap, SLP, MS-SQL browser, ARD,
 * TFTP, mDNS, Ubiquiti discovery). Other UDP ports are left out: a camera's P2P video or a SIP call sends more
 * than it gets on a flow whose starter, once it spans a window boundary, cannot be told.
 */
const REFLECTOR_UDP_PORTS: readonly number[] = [
  17, 19, 53, 69, 111, 123, 137, 161, 389, 427, 1434, 1900, 3283, 3702, 5353, 5683, 10001, 11211,
];
const IS_REFLECTOR_PORT = new Uint8Array(65536);
for (const p of REFLECTOR_UDP_PORTS) IS_REFLECTOR_PORT[p] = 1;
/**
 * Request/answer UDP services whose client asks once per conversation or minutes apart: the reflectors' and SIP
 * (a phone registers every few minutes; a password cracker tries dozens of REGISTERs on one socket).
 */
const IS_REQUEST_ANSWER_PORT = IS_REFLECTOR_PORT.slice();
IS_REQUEST_ANSWER_PORT[5060] = 1;
/**
 * How long after a host's UDP datagram to a group address a neighbour's unicast datagram from its destination port
 * to its source port is an answer to it, the host's flow: SSDP lets answers wait up to 5 s (MX), BACnet's I-Am
 * and DHCP's offer come within a few.
 */
const GROUP_ANSWER_US = 10e6;
/** Group datagrams remembered for GROUP_ANSWER_US (bursts to one group and port are one). */
const GROUP_RING = 256;
/** UDP services every host uses with its router or LAN servers: DNS, DHCP (v4 and v6), NTP, NetBIOS names. */
const IS_LAN_HOUSEKEEPING_UDP = new Uint8Array(1024);
for (const p of [53, 67, 68, 123, 137, 138, 546, 547]) IS_LAN_HOUSEKEEPING_UDP[p] = 1;

/**
 * Beacons: an implant checks in with its controller at a fixed interval, often with some jitter, one or a few
 * connections each time. A host's outgoing connections to one public endpoint (address, protocol, port) that
 * start within BEACON_ROUND_S of the one before are one check-in (parallel or retried connections; a polling
 * loop's, one every 2 s, are all one, not one every 10 s); an
 * endpoint is regular once it has BEACON_MIN_CHECKINS check-ins whose intervals vary by at most BEACON_MAX_CV
 * of their mean (standard deviation over mean; a Cobalt Strike jitter of 50 % gives ~0.19, a missed check-in
 * among 12 ~0.26). Quicker regular connections are polling loops, judged by the counts. Tracked across bins for
 * the whole capture, as (peer, service, check-ins, mean and standard deviation of the interval in seconds).
 */
export const BEACON_ROUND_S = BURST_S;
export const BEACON_MIN_CHECKINS = 4;
export const BEACON_MAX_CV = 0.25;
/**
 * Endpoints tracked per capture at most (~5 MB): a scan of the internet makes one per address; one first met
 * after the table is full is not followed.
 */
const BEACON_MAX_ENDPOINTS = 1 << 16;

/** A regular endpoint of a bin (see BEACON_MIN_CHECKINS): public peer id, outgoing service code, check-ins so far, mean and standard deviation of their interval (s). */
export type BeaconEntry = [peer: number, service: number, checkins: number, meanS: number, sdS: number];

export const BEHAVIOR_FEATURES: readonly BehaviorFeatureInfo[] = [
  { name: 'packets.out.perMin', kind: 'count', text: 'packets sent per minute' },
  { name: 'packets.in.perMin', kind: 'count', text: 'packets received per minute' },
  { name: 'bytes.out.perMin', kind: 'count', text: 'bytes sent per minute' },
  { name: 'bytes.in.perMin', kind: 'count', text: 'bytes received per minute' },
  { name: 'bytes.outInLog2', kind: 'signed', text: 'log2 of bytes sent over bytes received' },
  { name: 'peers', kind: 'count', text: 'distinct peers' },
  { name: 'peers.private', kind: 'count', text: 'distinct local-network peers' },
  { name: 'remotePorts.out', kind: 'count', text: 'distinct remote ports it connected to' },
  { name: 'localPorts.in', kind: 'count', text: 'distinct local ports others connected to' },
  { name: 'flows.out.perMin', kind: 'count', text: 'outgoing connections started per minute' },
  { name: 'flows.in.perMin', kind: 'count', text: 'incoming connections started per minute' },
  { name: 'tcp.out.attempts', kind: 'count', text: 'outgoing TCP connection attempts' },
  {
    name: 'tcp.out.unansweredShare',
    kind: 'share',
    text: 'share of outgoing TCP connection attempts unanswered',
  },
  { name: 'tcp.out.resetShare', kind: 'share', text: 'share of outgoing TCP connections reset by the peer' },
  { name: 'tcp.in.attempts', kind: 'count', text: 'incoming TCP connection attempts' },
  {
    name: 'tcp.in.rejectedShare',
    kind: 'share',
    text: 'share of incoming TCP connection attempts refused or unanswered',
  },
  { name: 'icmp.unreachable.in', kind: 'count', text: 'ICMP unreachable messages received' },
  { name: 'icmp.unreachable.out', kind: 'count', text: 'ICMP unreachable messages sent' },
  { name: 'icmp.echo.out', kind: 'count', text: 'ICMP echo requests sent' },
  { name: 'dns.out.perMin', kind: 'count', text: 'DNS packets sent per minute' },
  { name: 'dns.meanSize', kind: 'count', text: 'mean DNS packet size (bytes)' },
  { name: 'dns.peers', kind: 'count', text: 'distinct DNS servers' },
  { name: 'admin.out.flows', kind: 'count', text: 'outgoing connections to admin/lateral-movement ports' },
  { name: 'admin.out.peers', kind: 'count', text: 'peers reached on admin/lateral-movement ports' },
  { name: 'admin.in.flows', kind: 'count', text: 'incoming connections on admin/lateral-movement ports' },
  { name: 'flow.meanBytes', kind: 'count', text: 'mean bytes per connection' },
  { name: 'flow.maxBytesOut', kind: 'count', text: 'largest upload in one connection (bytes)' },
  { name: 'flow.meanPackets', kind: 'count', text: 'mean packets per connection' },
  { name: 'flow.maxDurationS', kind: 'count', text: 'longest connection (s)' },
  { name: 'flow.smallShare', kind: 'share', text: 'share of connections of at most 2 packets' },
  { name: 'tcp.out.synShare', kind: 'share', text: 'share of sent TCP packets that are bare SYNs' },
  { name: 'arp.requests.out', kind: 'count', text: 'ARP requests sent' },
  { name: 'arp.targets.out', kind: 'range', text: 'distinct addresses it asked for by ARP' },
  {
    name: 'admin.packets',
    kind: 'range',
    text: 'packets on connections to or from admin/lateral-movement ports',
  },
  {
    name: 'publicPeer.burst',
    kind: 'range',
    text: `most connections with one public address within ${BURST_S} s`,
  },
  {
    name: 'publicPeer.secondFlows',
    kind: 'range',
    text: 'connections with its second-busiest public address',
  },
  {
    name: 'dns.out.longQueries',
    kind: 'range',
    text: `DNS queries sent long enough for a name of ${LONG_DNS_NAME}+ characters, or ${LONG_DNS_NAME - EDNS_COOKIE_BYTES}+ with an EDNS record (from their length)`,
  },
  {
    name: 'icmp.bytes',
    kind: 'range',
    text: 'bytes of ICMP echo and other non-error messages, either direction',
  },
  {
    name: 'dns.out.unfollowed',
    kind: 'range',
    text: `DNS lookups sent that no new connection followed within ${LOOKUP_FOLLOW_S} s`,
  },
  // A device asks for an address a few times and backs off when no server answers (4, 8, 16 … s); a DHCP
  // starvation flood sends discovers as fast as it can. The most in any window of the normal captures is 6.
  { name: 'dhcp.out.messages', kind: 'range', text: 'DHCP client messages sent (to server port 67)' },
  // A host answers LLMNR and NetBIOS name queries for its own name, now and then; a poisoner (Responder and
  // the like) answers every query on the LAN with its own address, to be the WPAD proxy or the file share.
  {
    name: 'names.out.answers',
    kind: 'range',
    text: 'LLMNR and NetBIOS name-service packets sent from their server ports (UDP 5355, 137) to single hosts',
  },
  // A device that hands out addresses is the network's router, or a rogue DHCP server taking over its clients'
  // gateway and resolver.
  {
    name: 'dhcp.server.messages',
    kind: 'range',
    text: 'DHCP server messages sent (from port 67 to clients)',
  },
  // Reflection: requests with a victim's spoofed address reach a UDP service of the device (CoAP, SSDP, DNS,
  // memcached, NTP), whose bigger answers flood the victim. A device's own cloud exchanges over UDP are ones it
  // starts; an internet address that asks such a service and gets more back than it sent is being answered for.
  {
    name: 'udp.in.public.replyExcessBytes',
    kind: 'range',
    text: 'bytes sent beyond those received on UDP exchanges internet addresses started with its reflectable services (DNS, NTP, SNMP, SSDP, CoAP, memcached …)',
  },
  // An interactive session: someone typing at the device from the internet (a reverse shell, a remote login):
  // a small segment in, a small one out within 10 ms. A TLS client's first request after the server's handshake
  // is bigger, so normal captures have few (the most in a 5-minute window of ../shared's normals: 1).
  {
    name: 'tcp.public.echoes',
    kind: 'range',
    text: `small TCP segments from internet addresses it answered with a small one within ${ECHO_MAX_US / 1000} ms, as a terminal echoes keystrokes`,
  },
  // The same over UDP: a session typed through a UDP tunnel (a VPN, socat, an implant's channel), where the
  // keystrokes travel as datagrams; and a UDP service answering internet addresses (a reflector that does not
  // amplify, such as NTP's 48 bytes for 48). A device's own UDP with the internet is asked by it and answered
  // (DNS, NTP); a P2P camera's live view answers its peers' probes at once (the most in a 5-minute window of
  // ../shared's normals: 11, XiaobaiCamera; every other type 0).
  {
    name: 'udp.public.echoes',
    kind: 'range',
    text: `small UDP datagrams from internet addresses it answered with a small one within ${ECHO_MAX_US / 1000} ms, as a tunnel carrying a typed session, or a service answering strangers, does`,
  },
  // Pushes: on a connection the device opened to the internet, the far end spoke first after a pause and the
  // device answered at once — a controller's tasks or commands (a C2 channel, a reverse shell without a pty).
  // A device's own cloud session is asked by the device (the most in a 5-minute window of ../shared's normals: 2,
  // a WeMo's cloud in its two-hour capture).
  {
    name: 'tcp.out.public.pushes',
    kind: 'range',
    text: `pushes on connections it opened to internet addresses (the far end spoke first after a pause of ${PUSH_IDLE_US / 1e6} s or more) that it answered within ${ECHO_MAX_US / 1000} ms, on that connection or another to the same address, as a controller's commands are`,
  },
  // A client of a request/answer UDP service (DNS, NTP, SNMP, CoAP, SIP …) asks once per socket, or again after
  // minutes (an NTP client polls every 64–1024 s); dozens of exchanges on one socket with one internet server are
  // a channel carried in the protocol: tasks in NTP's fields, a CoAP C2 polled from one port, a DNS tunnel that
  // keeps its source port (the most in a 5-minute window of ../shared's normals: 1).
  {
    name: 'udp.out.public.serviceExchanges',
    kind: 'range',
    text: 'most request/answer exchanges in one UDP conversation it started with a request/answer service of an internet address (DNS, NTP, SNMP, CoAP, SIP …)',
  },
  // The device asks and its cloud answers on a connection it opened: a state report every minute, a keep-alive
  // every 30 s, a poll every few seconds. Hundreds of turns in a window are a login tried again and again or a
  // task loop (credential stuffing over one keep-alive connection, a C2 polled in one session); judged against the
  // nearest normal devices, as a P2P camera's own sessions turn far more often than a plug's.
  {
    name: 'tcp.out.public.exchanges',
    kind: 'count',
    text: 'most request/answer turns on one connection it opened to an internet address (its data, then the answer)',
  },
  // A device's UDP with the internet is asked and answered (DNS, NTP, a P2P camera's probes); datagrams streamed one
  // way to an internet address that never answers carry something out: log lines of a dump sent to a log host, a
  // flood (the most in a 5-minute window of ../shared's normals: 11, a XiaobaiCamera's P2P probes; every other
  // type 1 or none).
  {
    name: 'udp.out.public.unanswered',
    kind: 'range',
    text: 'most datagrams it sent on one UDP conversation it started with an internet address that never answered in the window',
  },
];
export const BEHAVIOR_FEATURE_COUNT = BEHAVIOR_FEATURES.length;

/** Lateral-movement and remote-administration services (TCP), with their protocol's name. */
const ADMIN_PORT_NAMES: ReadonlyMap<number, string> = new Map([
  [445, 'SMB'],
  [135, 'MS-RPC'],
  [139, 'NetBIOS'],
  [3389, 'RDP'],
  [22, 'SSH'],
  [23, 'Telnet'],
  [21, 'FTP'],
  [5985, 'WinRM'],
  [5986, 'WinRM'],
  [88, 'Kerberos'],
  [389, 'LDAP'],
]);
export const ADMIN_PORTS: readonly number[] = [...ADMIN_PORT_NAMES.keys()];
const IS_ADMIN = new Uint8Array(65536);
for (const p of ADMIN_PORTS) IS_ADMIN[p] = 1;

/**
 * The network's control plane: routing and first-hop redundancy protocols, by IP protocol number and by UDP and TCP
 * server port, with their names. Routers and gateways speak them; an end device that sends one announces routes or
 * claims the gateway's address (route injection, a VRRP or HSRP takeover), whatever its type.
 */
const ROUTING_IP_PROTOCOLS: ReadonlyMap<number, string> = new Map([
  [88, 'EIGRP'],
  [89, 'OSPF'],
  [103, 'PIM'],
  [112, 'VRRP'],
]);
const ROUTING_UDP_PORTS: ReadonlyMap<number, string> = new Map([
  [520, 'RIP'],
  [521, 'RIPng'],
  [1985, 'HSRP'],
  [3222, 'GLBP'],
  [3784, 'BFD'],
  [4784, 'BFD'],
]);
const ROUTING_TCP_PORTS: ReadonlyMap<number, string> = new Map([
  [179, 'BGP'],
  [646, 'LDP'],
]);

/** The routing or redundancy protocol on `port` of `proto` (0 TCP, 1 UDP, 3 other: the IP protocol), if any. */
function routingProtocolOf(proto: number, port: number): string | undefined {
  const names =
    proto === 0
      ? ROUTING_TCP_PORTS
      : proto === 1
        ? ROUTING_UDP_PORTS
        : proto === 3
          ? ROUTING_IP_PROTOCOLS
          : undefined;
  return names?.get(port);
}

/** Whether the host sent a routing or first-hop redundancy protocol (see ROUTING_IP_PROTOCOLS): it started it. */
export function isOutgoingRoutingService(code: number): boolean {
  return isOutgoingService(code) && routingProtocolOf((code >> 16) & 3, code & 0xffff) !== undefined;
}

/**
 * Industrial control, fieldbus and building-automation protocols, by server port (TCP or UDP), with their names
 * for the explanations. A device that is not a controller, an engineering station or an HMI has no business
 * speaking them: the behaviour model weighs a first TCP session on one like an admin service
 * (`industrialServiceBonus`), and a neighbour answering one over UDP is a LAN service like those below 1024, where
 * any other high UDP port is taken for peer-to-peer traffic: a port missing here hides a fieldbus session.
 */
export const INDUSTRIAL_PORTS: ReadonlyMap<number, string> = new Map([
  [102, 'S7comm / ISO-TSAP'],
  // IEEE 1588 (event and general messages): the clock of PROFINET IRT, CIP Sync and substations' PMUs; a device
  // announcing itself as the grandmaster moves every neighbour's time.
  [319, 'IEEE 1588 PTP'],
  [320, 'IEEE 1588 PTP'],
  [502, 'Modbus'],
  [789, 'Red Lion Crimson'],
  [1089, 'Foundation Fieldbus HSE'],
  [1090, 'Foundation Fieldbus HSE'],
  [1091, 'Foundation Fieldbus HSE'],
  [1911, 'Niagara Fox'],
  [1962, 'PCWorx'],
  [2222, 'EtherNet/IP I/O'],
  [2404, 'IEC 60870-5-104'],
  [2455, 'CODESYS'],
  [3671, 'KNXnet/IP'],
  [4712, 'IEEE C37.118'],
  [4713, 'IEEE C37.118'],
  [4840, 'OPC UA'],
  [4911, 'Niagara Fox'],
  [5006, 'MELSEC MC'],
  [5007, 'MELSEC MC'],
  [5094, 'HART-IP'],
  [5560, 'MELSOFT'],
  [5562, 'MELSOFT'],
  [9600, 'OMRON FINS'],
  [18245, 'GE SRTP'],
  [18246, 'GE SRTP'],
  [20000, 'DNP3'],
  [20256, 'Unitronics PCOM'],
  [20547, 'ProConOS'],
  [34962, 'PROFINET'],
  [34963, 'PROFINET'],
  [34964, 'PROFINET'],
  [34980, 'EtherCAT'],
  [44818, 'EtherNet/IP'],
  [47808, 'BACnet'],
]);

/** A UDP server port: below 1024 or an industrial protocol's (BACnet, EtherNet/IP …); other high ports are P2P. */
function isUdpServerPort(port: number): boolean {
  return port < 1024 || INDUSTRIAL_PORTS.has(port);
}

/**
 * Whether a service code (see serviceCode) is UDP on a high port below the ephemeral range that no list names: one
 * that BehaviorBin.lanConnections lists only when the host asked a neighbour's port from two source ports or more.
 */
export function isLanRequestService(code: number): boolean {
  const port = code & 0xffff;
  return ((code >> 16) & 3) === 1 && port < EPHEMERAL_PORT && !isUdpServerPort(port);
}

/** Whether a service code (see serviceCode) is TCP or UDP on an industrial control port. */
export function isIndustrialService(code: number): boolean {
  const proto = (code >> 16) & 3;
  return proto <= 1 && INDUSTRIAL_PORTS.has(code & 0xffff);
}

/**
 * Network-stack bits of what a host sent, as one mask: bits 0–3 the initial-TTL class of its IP packets to
 * unicast and broadcast addresses (at most 32, 64, 128, 255: stacks start at one of these and a few hops lower
 * it only a little), bits 4–14 the TCP header length of its bare SYNs (5–15 words: the options its stack
 * offers). Multicast is left out: protocols there fix their own TTL (IGMP 1, SSDP 2–4, mDNS 255). One device
 * is one stack, or a fixed few (a camera whose video chip has its own); a second one appearing beside its
 * usual one is another machine or OS sending from its address.
 */
export const STACK_TTL_MASK = 0xf;
export const STACK_SYN_SHIFT = 4;
/** The SYN-option bits of a stack mask (one per TCP header length of 5–15 words). */
export const STACK_SYN_MASK = 0x7ff << STACK_SYN_SHIFT;
const STACK_TTL_BIT = new Uint8Array(256);
for (let t = 0; t < 256; t++) STACK_TTL_BIT[t] = 1 << (t <= 32 ? 0 : t <= 64 ? 1 : t <= 128 ? 2 : 3);

/** The initial TTL a stack-mask TTL bit stands for (32, 64, 128, 255), by bit index 0–3. */
export const STACK_TTL_CLASSES: readonly number[] = [32, 64, 128, 255];

/** Words for a stack mask's bits: "initial TTL 64", "SYNs with 20 bytes of TCP options". */
export function stackBitsText(mask: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < 4; b++) if (mask & (1 << b)) out.push(`initial TTL ${STACK_TTL_CLASSES[b]}`);
  for (let w = 5; w <= 15; w++)
    if (mask & (1 << (STACK_SYN_SHIFT + w - 5))) out.push(`SYNs with ${(w - 5) * 4} bytes of TCP options`);
  return out;
}

/** Remote ports at or above this are treated as ephemeral (one "service" for all of them). */
const EPHEMERAL_PORT = 32768;

/**
 * The port a service is named by: an ephemeral one is 0xffff (one "service" for all), except the industrial
 * protocols registered above 32768 (PROFINET, EtherNet/IP, BACnet), which the model names and weighs.
 */
function servicePort(port: number): number {
  return port >= EPHEMERAL_PORT && !INDUSTRIAL_PORTS.has(port) ? 0xffff : port;
}

/**
 * A service a host used, as one integer: direction (outgoing = the host started it) · 2^18 + protocol
 * (0 TCP, 1 UDP, 2 ICMP, 3 other) · 2^16 + server port (ICMP: type; ephemeral ports: 65535).
 */
export function serviceCode(outgoing: boolean, proto: number, port: number): number {
  return (outgoing ? 1 << 18 : 0) + proto * 65536 + port;
}

/**
 * Added to an accepted service's code (BehaviorBin.acceptedServices) when an internet address opened the
 * connection: a device behind a router is not reached from the internet, on any port, unless something opened
 * the way (a port mapping, a knock, a bind shell's listener).
 */
export const FROM_INTERNET = 1 << 19;

/** Whether a service code (see serviceCode) is one the host started. */
export function isOutgoingService(code: number): boolean {
  return (code & (1 << 18)) !== 0;
}

/** IP protocols a device may speak besides TCP, UDP and ICMP, for the explanations. */
const IP_PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [2, 'IGMP'],
  [4, 'IP in IP'],
  [41, 'IPv6 in IPv4'],
  [47, 'GRE'],
  [50, 'IPsec ESP'],
  [51, 'IPsec AH'],
  [88, 'EIGRP'],
  [89, 'OSPF'],
  [103, 'PIM'],
  [112, 'VRRP'],
  [132, 'SCTP'],
]);

export function serviceText(code: number): string {
  const outgoing = isOutgoingService(code);
  const proto = (code >> 16) & 3;
  const port = code & 0xffff;
  const p = ['tcp', 'udp', 'icmp', 'ip'][proto]!;
  // Other IP protocols are kept by protocol number, in the port's place.
  const what =
    proto === 2
      ? `icmp type ${port}`
      : proto === 3
        ? `ip protocol ${port}${IP_PROTOCOL_NAMES.has(port) ? ` (${IP_PROTOCOL_NAMES.get(port)}${ROUTING_IP_PROTOCOLS.has(port) ? ', routing' : ''})` : ''}`
        : port === 0xffff
          ? `${p} high ports`
          : `${p} port ${port}`;
  const from = code & FROM_INTERNET ? ' from internet addresses' : '';
  return `${outgoing ? 'outgoing' : 'incoming'} ${what}${proto <= 1 ? protocolNote(proto, port) : ''}${from}`;
}

/**
 * A service with the peers it was used with, for the explanations: a device connects *to* the peers of an
 * outgoing service, and is connected to *from* those of an incoming one.
 */
export function servicePeersText(code: number, peers: number): string {
  return `${serviceText(code)} ${isOutgoingService(code) ? 'to' : 'from'} ${peers} peer${peers === 1 ? '' : 's'}`;
}

/** The well-known protocol behind an admin or industrial port, for the explanations. */
function protocolNote(proto: number, port: number): string {
  const industrial = INDUSTRIAL_PORTS.get(port);
  if (industrial) return ` (${industrial}, industrial control)`;
  const admin = proto === 0 ? ADMIN_PORT_NAMES.get(port) : undefined;
  if (admin) return ` (${admin})`;
  const routing = routingProtocolOf(proto, port);
  return routing ? ` (${routing}, routing)` : '';
}

export interface BehaviorHost {
  key: string;
  kind: 'mac' | 'ip';
  /** Packets sent from a private address (decides the capture's device). */
  privateSent: number;
  /** Its network-stack mask (see STACK_TTL_MASK) over the whole capture, with any prior one. */
  stacks: number;
}

export interface BehaviorBin {
  bin: number;
  /** Index into BehaviorResult.hosts. */
  host: number;
  /** First and last packet time of the host in this bin, epoch seconds. */
  start: number;
  end: number;
  packets: number;
  /** BEHAVIOR_FEATURE_COUNT values in BEHAVIOR_FEATURES order. */
  values: number[];
  /** [serviceCode, distinct peers, flows] for every service used in the bin, by code. */
  services: [number, number, number][];
  /** The public (non-private) peers of the bin as address ids (IPv4 as a number, IPv6 2^32 + hash), sorted. */
  publicPeers: number[];
  /** Connections (flows, either direction) with each of publicPeers, in the same order. */
  publicPeerFlows: number[];
  /**
   * Resumptions of TCP connections with each of publicPeers (data after a pause of RESUME_IDLE_US), in the same
   * order; absent when none.
   */
  publicPeerResumes?: number[];
  /**
   * UDP bytes (whole frames, as on the wire) the host sent to each of publicPeers on flows that got no datagram
   * back in the bin, in the same order; absent when none. A push to a collector nobody answers (metrics, logs, a
   * stream) is this way.
   */
  publicPeerOneWayBytes?: number[];
  /** The host's network-stack mask (see STACK_TTL_MASK) from its first bin through this one. */
  stacks: number;
  /**
   * IPv4 packets the host sent in this bin from another address of its own /24 than the two it was last reached
   * at, when it had been reached at one (see BehaviorExtractor.judgeSource): a source it gets no answers at is
   * another host's, spoofed (a reflection aimed at a neighbour, a flood in its name) or that host's traffic
   * forwarded one way (a device in its middle). Absent when none.
   */
  foreignSources?: number;
  /** The source of the last of those packets, IPv4 as a number (absent with foreignSources). */
  foreignSourceAddress?: number;
  /**
   * ARP frames of the host's in this bin whose sender address was not its own (the two private IPv4 addresses
   * it last sent from; frames before it sent any are not judged): a spoofer repeats its claim on the gateway's
   * address every second or so; a device names a stale or default address once or twice at boot. Optional:
   * bins of stores made before it was counted.
   */
  arpClaims?: number;
  /**
   * The regular endpoints (see BEACON_MIN_CHECKINS) the host checked in with in this bin, by peer then service.
   * Optional: bins of stores made before they were tracked.
   */
  beacons?: BeaconEntry[];
  /**
   * Outgoing TCP services (codes, ascending) on which the host held a session with a public peer in this bin:
   * a connection the peer answered that lasted HELD_SESSION_S or more (a shell, a chat or a pool connection;
   * not a probe, nor a request and its answer). Outgoing UDP services too, for a conversation the peer answered
   * that lasted as long (a VPN, a relay, a tunnel), and other IP protocols exchanged as long (IP in IP, GRE, ESP:
   * a tunnel with no port). Optional: none.
   */
  heldSessions?: number[];
  /**
   * Outgoing TCP services (codes, ascending) on which a host of the local network accepted a connection from
   * the host in this bin: its SYN seen, answered, not reset. A worm's way in to a neighbour (a web admin page,
   * a login) is one; IoT devices connect to their clouds, not to their neighbours. Also outgoing UDP services
   * below 1024 (DNS, DHCP, NTP and NetBIOS names left out) or on an industrial port (BACnet, EtherNet/IP …) on
   * which a neighbour answered the host's request from the service port, and those on other ports below the
   * ephemeral range that one neighbour answered from one port to two source ports of the host or more
   * (isLanRequestService: a client's socket per request, as RADIUS's), and a routing protocol carried by IP (OSPF,
   * EIGRP, PIM, VRRP) that a neighbour exchanged with the host, as outgoing. Optional: none.
   */
  lanConnections?: number[];
  /**
   * Incoming TCP services (codes, ascending; server ports below the ephemeral range, or any port with
   * FROM_INTERNET added when an internet address connected) on which the host accepted and served a connection in
   * this bin: the peer's SYN seen and answered, 3 packets or more from the peer, reset by neither side (a
   * scanner's probe is not one). A proxy's, a bind shell's or a backdoor's port; a device's own servers (its web
   * page, its local API) too, which its type's training captures show when they were used. Also incoming UDP
   * services with FROM_INTERNET, on a server port below 1024, a reflectable or an industrial one, on which an
   * internet address asked and the host answered at once (see F_ANSWERED_AT_ONCE). Optional: none.
   */
  acceptedServices?: number[];
}

export interface BehaviorResult {
  hosts: BehaviorHost[];
  /** Index of the capture's device in hosts, or -1. */
  device: number;
  /**
   * One entry per (non-empty bin, host with packets in it), by bin then host: decoded afresh on every read
   * of this property (a long capture keeps them packed, partly on disk) — prefer binsOf / hostBins.
   */
  readonly bins: BehaviorBin[];
  /** The bins of host `host` (index into hosts), in order. */
  binsOf(host: number): BehaviorBin[];
  /** The same bins decoded one at a time on each get and not kept: a long capture's device has ~17,000. */
  recordsOf(host: number): BehaviorRecords;
}

/** One host's bins, in order; get(i) decodes bin i afresh (from memory or the store's temporary file). */
export interface BehaviorRecords {
  readonly length: number;
  get(i: number): BehaviorBin;
}

/** No bins (a host that has none, or no behaviour features at all). */
export const NO_RECORDS: BehaviorRecords = {
  length: 0,
  get(i: number): BehaviorBin {
    throw new RangeError(`no behaviour bin ${i}`);
  },
};

function hostIndex(result: BehaviorResult, key?: string): number {
  return key === undefined ? result.device : result.hosts.findIndex((h) => h.key === key);
}

/**
 * The vendor prefix (OUI, "5c:cf:7f") of a host key that is a MAC address, lowercased; undefined for an IP
 * key and for a locally administered (often randomised) or group MAC, whose prefix names no maker.
 */
export function macVendor(key: string): string | undefined {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(key)) return undefined;
  return (Number.parseInt(key.slice(0, 2), 16) & 3) === 0 ? key.slice(0, 8).toLowerCase() : undefined;
}

/** The MAC vendor prefix (see macVendor) of one host, by its key; the device's when key is omitted. */
export function hostVendor(result: BehaviorResult, key?: string): string | undefined {
  const host = result.hosts[hostIndex(result, key)];
  return host && host.kind === 'mac' ? macVendor(host.key) : undefined;
}

/** The bins of one host, by its key (MAC or IP text); the device's when key is omitted. */
export function hostBins(result: BehaviorResult, key?: string): BehaviorBin[] {
  const host = hostIndex(result, key);
  return host < 0 ? [] : result.binsOf(host);
}

/** hostBins as records read one at a time. */
export function hostRecords(result: BehaviorResult, key?: string): BehaviorRecords {
  const host = hostIndex(result, key);
  return host < 0 ? NO_RECORDS : result.recordsOf(host);
}

const F_INIT_OUT = 1;
const F_SYN_OUT = 2;
const F_SYN_IN = 4;
const F_RST_IN = 8;
const F_RST_OUT = 16;
/** The flow's last data (TCP) or datagram (UDP) was the host's: the next from the peer answers it. */
const F_LAST_OUT = 32;
/** Who opened the TCP connection is known: its SYN was seen, in this bin or an earlier one (see carried). */
const F_OPENER_SEEN = 64;
/** The host's first datagram on the UDP flow came within ECHO_MAX_US of the peer's: it answered a request. */
const F_ANSWERED_AT_ONCE = 128;

/**
 * One host's counts within the current bin, as it is read: plain numbers. Its flows, the peers noted outside
 * flows, its DNS servers and its ARP targets are in the extractor's tables of the bin, under the host's row.
 * The extractor lends these to the bin's hosts and takes them back at bin close, so there are as many as the
 * busiest bin had hosts: a MAC flood brings hundreds of thousands into one bin, and a state of its own tables
 * per host (18 typed arrays, 3 hash tables) ran V8's heap out of memory on a million frames.
 */
class HostCounters {
  /** The host's row in the current bin. */
  row = 0;
  first = 0;
  last = 0;
  packetsOut = 0;
  packetsIn = 0;
  bytesOut = 0;
  bytesIn = 0;
  tcpOut = 0;
  synOnlyOut = 0;
  unreachIn = 0;
  unreachOut = 0;
  echoOut = 0;
  dnsOut = 0;
  dnsPackets = 0;
  dnsBytes = 0;
  /** DNS queries sent whose message is long enough for a name of LONG_DNS_NAME characters or more. */
  dnsLongOut = 0;
  /** IP bytes of ICMP messages that are not errors (echo and the like), either direction. */
  icmpBytes = 0;
  arpOut = 0;
  /** Distinct DNS servers asked, by address id words (low, high). */
  dnsPeerCount = 0;
  /** Distinct IPv4 addresses its ARP requests asked for (a sweep asks for many; a device re-asks for a few). */
  arpTargetCount = 0;
  /** Packets it sent from a foreign source (BehaviorBin.foreignSources), and the last one's (addressLow's int32). */
  foreignOut = 0;
  foreignAddress = 0;
  /** One-entry cache: the last flow's key words and id. */
  lastW0 = -1;
  lastW1 = -1;
  lastW2 = -1;
  lastFlow = -1;

  /** Zero counts, for row `row` of a new bin. */
  begin(row: number): void {
    this.row = row;
    this.packetsOut = this.packetsIn = this.bytesOut = this.bytesIn = 0;
    this.tcpOut = this.synOnlyOut = this.unreachIn = this.unreachOut = this.echoOut = 0;
    this.dnsOut = this.dnsPackets = this.dnsBytes = this.dnsLongOut = this.icmpBytes = this.arpOut = 0;
    this.dnsPeerCount = this.arpTargetCount = 0;
    this.foreignOut = this.foreignAddress = 0;
    this.lastW0 = this.lastW1 = this.lastW2 = this.lastFlow = -1;
  }

  copyCounts(c: HostCounters): void {
    this.row = c.row;
    this.first = c.first;
    this.last = c.last;
    this.packetsOut = c.packetsOut;
    this.packetsIn = c.packetsIn;
    this.bytesOut = c.bytesOut;
    this.bytesIn = c.bytesIn;
    this.tcpOut = c.tcpOut;
    this.synOnlyOut = c.synOnlyOut;
    this.unreachIn = c.unreachIn;
    this.unreachOut = c.unreachOut;
    this.echoOut = c.echoOut;
    this.dnsOut = c.dnsOut;
    this.dnsPackets = c.dnsPackets;
    this.dnsBytes = c.dnsBytes;
    this.dnsLongOut = c.dnsLongOut;
    this.icmpBytes = c.icmpBytes;
    this.arpOut = c.arpOut;
    this.dnsPeerCount = c.dnsPeerCount;
    this.arpTargetCount = c.arpTargetCount;
    this.foreignOut = c.foreignOut;
    this.foreignAddress = c.foreignAddress;
  }
}

/**
 * One host's whole bin as binOf reads it: its counts, the peers it noted, and its flows: ids into the bin's
 * flow columns (the extractor's, referenced here), flowIds[flowBase …] (one instance, filled for each host in
 * turn at bin close).
 */
class HostBinState extends HostCounters {
  /** Remote peers of the bin, by address id (low 32 bits, high bits) → dense index. */
  readonly peerTable = new QuadTable(16);
  private readonly peerRows = new ColumnTable(16);
  /** Per peer index: 1 public, 2 private, 3 multicast. */
  readonly peerKind = this.peerRows.byte();
  /** Per peer index: flows with it (filled when the bin closes). */
  readonly peerFlowCount = this.peerRows.int();
  /** Per peer index: its flows' resumptions after a pause (see RESUME_IDLE_US). */
  readonly peerResumes = this.peerRows.int();
  /** Per peer index: frame bytes of the host's UDP flows with it that got nothing back. */
  readonly peerOneWayBytes = this.peerRows.float();
  /** Its flows: n ids, flowIds[flowBase …], in the order they started. */
  n = 0;
  flowIds: Int32Array = new Int32Array(0);
  flowBase = 0;
  fFlags: Int32Array = new Int32Array(0);
  fProto: Int32Array = new Int32Array(0);
  fRemotePort: Int32Array = new Int32Array(0);
  fLocalPort: Int32Array = new Int32Array(0);
  fPeer: Float64Array = new Float64Array(0);
  fPeerKind: Uint8Array = new Uint8Array(0);
  fPacketsOut: Float64Array = new Float64Array(0);
  fPacketsIn: Float64Array = new Float64Array(0);
  fBytesOut: Float64Array = new Float64Array(0);
  fBytesIn: Float64Array = new Float64Array(0);
  fFirst: Float64Array = new Float64Array(0);
  fLast: Float64Array = new Float64Array(0);
  fEchoes: Int32Array = new Int32Array(0);
  fPushes: Int32Array = new Int32Array(0);
  fExchanges: Int32Array = new Int32Array(0);
  fResumes: Int32Array = new Int32Array(0);

  /** Host c's counts, no peers yet. */
  reset(c: HostCounters): void {
    this.copyCounts(c);
    this.peerTable.clear();
  }

  /**
   * The index of a peer (address id words) among the bin's peers, adding it when new: a new peer's index is
   * the table's size before the call (the caller sets its peerKind).
   */
  peerIndex(low: number, high: number): number {
    const table = this.peerTable;
    const before = table.size;
    const i = table.intern(low, high, 0, 0);
    if (i < before) return i;
    this.peerRows.ensure(i + 1);
    this.peerFlowCount.data[i] = 0;
    this.peerResumes.data[i] = 0;
    this.peerOneWayBytes.data[i] = 0;
    return i;
  }
}

/**
 * What the extractor reads of a packet: a decoded PacketRecord, or a record of the reader thread's ring loaded
 * into a PackedPacket (capture/packed.ts) without the rest of a PacketRecord.
 */
export interface BehaviorPacket {
  readonly ipVersion: number;
  readonly hasMacs: boolean;
  /** Destination MAC in bytes 0..5, source MAC in 6..11. */
  readonly macs: Uint8Array;
  /** Addresses: IPv4 in bytes 0..3 (the rest zero), IPv6 in 0..15. */
  readonly srcAddr: Uint8Array;
  readonly dstAddr: Uint8Array;
  readonly originalLength: number;
  readonly ipLength: number;
  readonly l4PayloadLength: number;
  readonly l4Proto: number;
  readonly ttl: number;
  readonly tcpFlags: number;
  readonly tcpHeaderWords: number;
  readonly isLaterFragment: boolean;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly icmpType: number;
  readonly arpOp: number;
  readonly arpSender: number;
  readonly arpTarget: number;
  /** The time in whole microseconds into out[0]. */
  timeMicrosTo(out: Float64Array): void;
}

export interface BehaviorOptions {
  /** Bin length in seconds. */
  durationS: number;
  /**
   * Network-stack masks of hosts (by key) from before this capture: `watch` scores each bin with a fresh
   * extractor, and a stack the host used in an earlier bin is still its own.
   */
  priorStacks?: ReadonlyMap<string, number>;
  /**
   * Beacon check-ins from before this capture, updated at finish: `watch`'s bins each get a fresh extractor,
   * and a beacon's check-ins in earlier bins still count (an endpoint first met here starts from them).
   */
  beaconMemory?: BeaconMemory;
}

const TWO32 = 4294967296;

export class BehaviorExtractor {
  private readonly durationUs: number;
  /** Host keys (see hostOf) → host ids, dense in first-seen order: indices of hostKeys and the host columns. */
  private readonly hosts = new QuadTable(64);
  /** The packet's time (µs), from PacketRecord.timeMicrosTo. */
  private readonly time = new Float64Array(1);
  /**
   * Per host of the capture: its key text, and columns rather than an object each (a LAN's capture meets
   * hundreds of thousands of hosts).
   */
  private readonly hostKeys: string[] = [];
  private readonly hostRows = new ColumnTable(64);
  /** 1: a MAC key; 0: an address key (a link without MACs). */
  private readonly hostIsMac = this.hostRows.byte();
  /** Packets it sent from, and received at, a private address. */
  private readonly hostPrivateSent = this.hostRows.float();
  private readonly hostPrivateReceived = this.hostRows.float();
  /** Its row in bin hostStateBin (that bin -1: never in one): its counts are states[row] until the bin closes. */
  private readonly hostStateRow = this.hostRows.int();
  private readonly hostStateBin = this.hostRows.int(1, -1);
  /** Network-stack mask so far (see STACK_TTL_MASK). */
  private readonly hostStacks = this.hostRows.int();
  /**
   * Its ARP frames claiming another address than its own in bin hostClaimBin (BehaviorBin.arpClaims; kept
   * apart from the bin's counts: ARP alone makes no host part of a bin, as before it was counted).
   */
  private readonly hostClaims = this.hostRows.int();
  private readonly hostClaimBin = this.hostRows.int(1, -1);
  /**
   * The last two private IPv4 addresses it sent from (as addressLow's int32; 0: none yet): its own, for its
   * ARP claims. Two: a plug in setup mode sends from its access-point address and its LAN one by turns.
   */
  private readonly hostOwnV4 = this.hostRows.int();
  private readonly hostOtherOwnV4 = this.hostRows.int();
  /**
   * The last two private IPv4 addresses a unicast frame to it was addressed to (0: none yet): the addresses its
   * neighbours reach it at, which a spoofer's borrowed source is not (see judgeSource).
   */
  private readonly hostReachedV4 = this.hostRows.int();
  private readonly hostOtherReachedV4 = this.hostRows.int();
  /** Packets it sent over its closed bins. */
  private readonly hostSent = this.hostRows.float();
  /**
   * The latest UDP datagrams to a group address (broadcast or multicast), of every host, oldest first from
   * groupNext: the sender, its source port << 16 | destination port and the time (µs). A
   * neighbour's unicast answer to one (a BACnet I-Am, an SSDP reply, a DHCP offer) is the first packet of its
   * flow, but the host asked (see GROUP_ANSWER_US). A ring, not a column per host: the few answered within
   * seconds need no memory per host of a LAN.
   */
  private readonly groupHost = new Int32Array(GROUP_RING).fill(-1);
  private readonly groupPorts = new Int32Array(GROUP_RING);
  private readonly groupUs = new Float64Array(GROUP_RING);
  private groupNext = 0;
  /** The flow (and its host) of the latest push of any host (fPushWait): see answersPushElsewhere. */
  private pushFlow = -1;
  private pushHost = -1;
  /**
   * Outgoing TCP/UDP endpoints with public peers, over the whole capture (beacons, see BEACON_MIN_CHECKINS):
   * (peer low, peer high · 4 + protocol, remote port, host) → id, with its check-ins, the last one's start, the
   * last connection's start and the endpoint's last packet (µs), the sum and sum of squares of the intervals (s), and the last bin it
   * checked in (to list each once per bin). Updated from the bin's flows at bin close, never per packet.
   */
  private readonly endpoints = new QuadTable(256);
  private readonly endpointRows = new ColumnTable(256);
  private readonly epCheckins = this.endpointRows.int();
  private readonly epLastStart = this.endpointRows.float();
  private readonly epLastConnection = this.endpointRows.float();
  private readonly epLastSeen = this.endpointRows.float();
  private readonly epSum = this.endpointRows.float();
  private readonly epSumSq = this.endpointRows.float();
  private readonly epBin = this.endpointRows.int(1, -1);
  /** The endpoints one host checked in with in the bin being closed (reused). */
  private readonly checkedInRows = new ColumnTable(16);
  private readonly checkedIn = this.checkedInRows.int();
  /** The current bin's hosts, in the order they took part: row i is touched[i], with counts states[i]. */
  private readonly touched: number[] = [];
  /**
   * Counts of a bin's hosts, reused bin after bin: one per host of the busiest bin, not per host of the capture
   * (a tunnel's capture meets hundreds of thousands of peers).
   */
  private readonly states: HostCounters[] = [];
  /**
   * The bin's flows: (peer low, peer high · 4 + protocol, local/ICMP word · 65536 + remote port, row) → flow,
   * with the columns below (flags F_*, protocol 0 TCP / 1 UDP / 2 ICMP / 3 other, ports, the peer's id and
   * kind, packets and bytes each way, first and last time).
   */
  private readonly flows = new QuadTable(1024);
  private readonly flowRows = new ColumnTable(1024);
  private readonly fRow = this.flowRows.int();
  private readonly fFlags = this.flowRows.int();
  private readonly fProto = this.flowRows.int();
  private readonly fRemotePort = this.flowRows.int();
  private readonly fLocalPort = this.flowRows.int();
  private readonly fPeer = this.flowRows.float();
  private readonly fPeerKind = this.flowRows.byte();
  private readonly fPacketsOut = this.flowRows.float();
  private readonly fPacketsIn = this.flowRows.float();
  private readonly fBytesOut = this.flowRows.float();
  private readonly fBytesIn = this.flowRows.float();
  private readonly fFirst = this.flowRows.float();
  private readonly fLast = this.flowRows.float();
  /** When the peer's last small segment came (µs), while the host has not answered it; 0: none waiting. */
  private readonly fEchoWait = this.flowRows.float();
  private readonly fEchoes = this.flowRows.int();
  /** When the flow last carried data either way (µs; 0: none yet), and a push waiting for its answer (0: none). */
  private readonly fDataLast = this.flowRows.float();
  private readonly fPushWait = this.flowRows.float();
  private readonly fPushes = this.flowRows.int();
  /** Answers that came after data of the host's (see F_LAST_OUT, noteTurn). */
  private readonly fExchanges = this.flowRows.int();
  /** Data after a pause of RESUME_IDLE_US on the connection. */
  private readonly fResumes = this.flowRows.int();
  /**
   * The last bin's TCP connections whose opening was seen and no reset: (peer low, peer high · 4 + protocol,
   * ports, host) → id, with who opened them (1: the host). A connection carried into the next bin has no SYN
   * there, and the peer's packet may come first (a chat server's message): its opener is read here, not guessed.
   */
  private readonly carried = new QuadTable(1024);
  private readonly carriedRows = new ColumnTable(1024);
  private readonly carriedOut = this.carriedRows.byte();
  /** Peers of packets that make no flow: (low, high, row) → id, with the kind first noted (see peerKind). */
  private readonly notedPeers = new QuadTable(256);
  private readonly notedRows = new ColumnTable(256);
  private readonly notedRow = this.notedRows.int();
  private readonly notedKind = this.notedRows.byte();
  /** DNS servers asked, (low, high, row), and addresses asked for by ARP, (target, row): to count distinct. */
  private readonly dnsServers = new QuadTable(256);
  private readonly arpAsked = new QuadTable(256);
  /** Flows and noted peers grouped by row at bin close. */
  private readonly flowGroups = new RowGroups();
  private readonly notedGroups = new RowGroups();
  /** binOf's view of one host's bin at a time. */
  private readonly view = new HostBinState();
  /** Whether an address is private, by its id's low word: IPv4 addresses [0], IPv6 hashes [1]. */
  private readonly privateOf = [new Map<number, boolean>(), new Map<number, boolean>()] as const;
  private readonly out = new BehaviorBinStore();
  private binStartUs = Number.NaN;
  private bin = 0;
  private readonly priorStacks: ReadonlyMap<string, number> | undefined;
  private readonly beaconMemory: BeaconMemory | undefined;

  constructor(options: BehaviorOptions) {
    if (!(options.durationS > 0)) throw new RangeError(`bin duration must be > 0, got ${options.durationS}`);
    this.durationUs = options.durationS * 1e6;
    this.priorStacks = options.priorStacks;
    this.beaconMemory = options.beaconMemory;
  }

  add(p: BehaviorPacket): void {
    if (p.ipVersion !== 4 && p.ipVersion !== 6) {
      if (
        (p.arpOp === 1 || p.arpOp === 2) &&
        p.hasMacs &&
        (p.macs[6]! & 1) === 0 &&
        !Number.isNaN(this.binStartUs)
      ) {
        const h = this.hostOf(macHigh(p.macs, 6), macLow(p.macs, 6), p, true);
        const own = this.hostOwnV4.data[h]!;
        const sender = p.arpSender | 0;
        // Requests and replies alike name their sender's address (0.0.0.0: a probe, claiming none).
        const foreign = own !== 0 && sender !== 0 && sender !== own && sender !== this.hostOtherOwnV4.data[h];
        if (foreign) this.claimForeign(h);
        // ARP requests (sweeps of the local network) count for their sender, in the current bin; so does a
        // frame claiming another address than its own (a spoofer's window exists even when it sends no IP).
        if (p.arpOp === 1 || foreign) {
          p.timeMicrosTo(this.time);
          this.nowUs = this.time[0]!;
          const s = this.touch(h);
          if (p.arpOp === 1) s.arpOut++;
          if (p.arpOp === 1 && p.arpTarget !== 0) {
            const asked = this.arpAsked;
            const before = asked.size;
            // As an int32: an unsigned target past 2^31 (192.168/16) would be a heap number per request.
            if (asked.intern(p.arpTarget | 0, s.row, 0, 0) === before) s.arpTargetCount++;
          }
        }
      }
      return;
    }
    p.timeMicrosTo(this.time);
    const t = this.time[0]!;
    if (Number.isNaN(this.binStartUs)) this.binStartUs = t;
    else if (t - this.binStartUs >= this.durationUs) {
      this.closeBin();
      this.bin++;
      this.binStartUs = t;
    }
    const v6 = p.ipVersion === 6;
    const high = v6 ? 1 : 0;
    const srcLow = addressLow(p.srcAddr, v6);
    const dstLow = addressLow(p.dstAddr, v6);
    let src = -1;
    let dst = -1;
    if (p.hasMacs) {
      const m = p.macs;
      if ((m[6]! & 1) === 0) src = this.hostOf(macHigh(m, 6), macLow(m, 6), p, true);
      if ((m[0]! & 1) === 0) dst = this.hostOf(macHigh(m, 0), macLow(m, 0), p, false);
    } else {
      src = this.hostOf(IP_HOST + high, srcLow, p, true);
      dst = this.hostOf(IP_HOST + high, dstLow, p, false);
    }
    this.nowUs = t;
    this.idHigh = high;
    this.srcLow = srcLow;
    this.dstLow = dstLow;
    if (src >= 0 && this.isPrivate(false, p)) {
      this.hostPrivateSent.data[src]!++;
      // A foreign source is not its own: its ARP frames are judged against the addresses it has (a device that
      // forwards its neighbours' packets would otherwise seem to claim another address when it names its own).
      if (!v6 && srcLow !== 0 && !this.judgeSource(src, srcLow) && srcLow !== this.hostOwnV4.data[src]) {
        this.hostOtherOwnV4.data[src] = this.hostOwnV4.data[src]!;
        this.hostOwnV4.data[src] = srcLow;
      }
    }
    if (dst >= 0 && dst !== src && this.isPrivate(true, p)) {
      this.hostPrivateReceived.data[dst]!++;
      if (!v6 && dstLow !== 0 && dstLow !== this.hostReachedV4.data[dst]) {
        this.hostOtherReachedV4.data[dst] = this.hostReachedV4.data[dst]!;
        this.hostReachedV4.data[dst] = dstLow;
      }
    }
    if (src >= 0) this.count(src, p, true);
    if (dst >= 0 && dst !== src) this.count(dst, p, false);
  }

  // Two-entry cache: requests and replies alternate between two addresses.
  private lastPrivateLow = 0;
  private lastPrivateHigh = -1;
  private lastPrivate = false;
  private olderPrivateLow = 0;
  private olderPrivateHigh = -1;
  private olderPrivate = false;

  /**
   * Whether the packet's destination (else its source) address is private, or on the other end's link (see
   * onLink); its id is in this.dstLow (srcLow).
   */
  private isPrivate(destination: boolean, p: BehaviorPacket): boolean {
    if (onLink(p)) return true;
    const low = destination ? this.dstLow : this.srcLow;
    const high = this.idHigh;
    if (low === this.lastPrivateLow && high === this.lastPrivateHigh) return this.lastPrivate;
    let flag: boolean | undefined;
    if (low === this.olderPrivateLow && high === this.olderPrivateHigh) flag = this.olderPrivate;
    else {
      const known = this.privateOf[high]!;
      flag = known.get(low);
      if (flag === undefined) {
        const addr = destination ? p.dstAddr : p.srcAddr;
        flag = high ? isPrivateV6(addr) : isPrivateV4(addr);
        known.set(low, flag);
      }
    }
    this.olderPrivateLow = this.lastPrivateLow;
    this.olderPrivateHigh = this.lastPrivateHigh;
    this.olderPrivate = this.lastPrivate;
    this.lastPrivateLow = low;
    this.lastPrivateHigh = high;
    this.lastPrivate = flag;
    return flag;
  }

  // Packets come in runs between the same two hosts, each one the source of some and the destination of
  // others: a two-entry cache (the last two hosts looked up, either side) saves most table lookups.
  private cacheHigh0 = -1;
  private cacheLow0 = -1;
  private cacheH0 = -1;
  private cacheHigh1 = -1;
  private cacheLow1 = -1;
  private cacheH1 = -1;

  /**
   * The host of key (high, low): a MAC (its first two bytes, its last four; high < 2^16), or an address id
   * (see addressLow) on links without MACs (high IP_HOST + 1 for IPv6, low the address's low word). Int32 words,
   * not one number of up to 50 bits: that was a heap number per packet.
   */
  private hostOf(high: number, low: number, p: BehaviorPacket, source: boolean): number {
    if (this.cacheLow0 === low && this.cacheHigh0 === high) return this.cacheH0;
    if (this.cacheLow1 === low && this.cacheHigh1 === high) {
      const h = this.cacheH1;
      this.cacheHigh1 = this.cacheHigh0;
      this.cacheLow1 = this.cacheLow0;
      this.cacheH1 = this.cacheH0;
      this.cacheHigh0 = high;
      this.cacheLow0 = low;
      this.cacheH0 = h;
      return h;
    }
    const h = this.hosts.intern(high, low, 0, 0);
    if (h === this.hostKeys.length) {
      const v6 = p.ipVersion === 6;
      const key = p.hasMacs
        ? macText(p.macs, source ? 6 : 0)
        : v6
          ? ipv6Text(source ? p.srcAddr : p.dstAddr)
          : ipv4Text(source ? p.srcAddr : p.dstAddr);
      this.hostKeys.push(key);
      this.hostRows.ensure(h + 1);
      this.hostIsMac.data[h] = p.hasMacs ? 1 : 0;
      this.hostStacks.data[h] = this.priorStacks?.get(key) ?? 0;
    }
    this.cacheHigh1 = this.cacheHigh0;
    this.cacheLow1 = this.cacheLow0;
    this.cacheH1 = this.cacheH0;
    this.cacheHigh0 = high;
    this.cacheLow0 = low;
    this.cacheH0 = h;
    return h;
  }

  /**
   * Counts host h's packet from private IPv4 source `srcLow` as foreign (BehaviorBin.foreignSources) when h has
   * been reached at an address, the source is neither of the last two it was reached at, and it lies in the same
   * /24 as the last: a neighbour's address. A device's own second address (a plug's set-up network) lies in
   * another network, and an address it just took (DHCP) is reached at within a packet or two; a relay that
   * forwards a host's traffic both ways is reached at that host's address too. True when it counted.
   */
  private judgeSource(h: number, srcLow: number): boolean {
    const reached = this.hostReachedV4.data[h]!;
    if (reached === 0 || srcLow === reached || srcLow === this.hostOtherReachedV4.data[h]) return false;
    if ((srcLow ^ reached) >>> 8 !== 0) return false;
    // The packet is counted for h in this bin anyway (count): its state is the one touch gives.
    const c = this.touch(h);
    c.foreignOut++;
    c.foreignAddress = srcLow;
    return true;
  }

  /** Host h's ARP frame claimed another address than its own, in the current bin. */
  private claimForeign(h: number): void {
    if (this.hostClaimBin.data[h] !== this.bin) {
      this.hostClaimBin.data[h] = this.bin;
      this.hostClaims.data[h] = 0;
    }
    this.hostClaims.data[h]!++;
  }

  /** Host h's state for the current bin, at the packet's time (nowUs: a double argument would be boxed). */
  private touch(h: number): HostCounters {
    const tUs = this.nowUs;
    let s: HostCounters;
    if (this.hostStateBin.data[h] === this.bin) s = this.states[this.hostStateRow.data[h]!]!;
    else {
      const row = this.touched.length;
      s = this.states[row] ?? this.newState();
      s.begin(row);
      s.first = tUs;
      this.hostStateRow.data[h] = row;
      this.hostStateBin.data[h] = this.bin;
      this.touched.push(h);
    }
    s.last = tUs;
    return s;
  }

  private newState(): HostCounters {
    const s = new HostCounters();
    this.states.push(s);
    return s;
  }

  // The packet's time reaches count() through a field, not an argument: a double near 2^51 passed to a call
  // V8 does not inline is boxed as a heap number, two calls a packet. Address ids are int32 words: the low
  // word of each (see addressLow) and the IP version's bit, shared by both.
  private nowUs = 0;
  private idHigh = 0;
  private srcLow = 0;
  private dstLow = 0;

  private count(h: number, p: BehaviorPacket, outgoing: boolean): void {
    const tUs = this.nowUs;
    const peerLow = outgoing ? this.dstLow : this.srcLow;
    const peerHigh = this.idHigh;
    const s = this.touch(h);
    const len = p.originalLength;
    if (outgoing) {
      s.packetsOut++;
      s.bytesOut += len;
    } else {
      s.packetsIn++;
      s.bytesIn += len;
    }
    const l4 = p.l4Proto;
    const flags = p.tcpFlags;
    if (outgoing) {
      if (!isMulticast(p.dstAddr, p.ipVersion === 6)) {
        let bits = STACK_TTL_BIT[p.ttl]!;
        if (
          l4 === IpProto.TCP &&
          (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN &&
          p.tcpHeaderWords >= 5
        )
          bits |= 1 << (STACK_SYN_SHIFT + p.tcpHeaderWords - 5);
        this.hostStacks.data[h]! |= bits;
      }
    }
    const localPort = outgoing ? p.srcPort : p.dstPort;
    const remotePort = outgoing ? p.dstPort : p.srcPort;
    if (outgoing && l4 === IpProto.UDP && isGroupDestination(p)) this.noteGroupSend(h, localPort, remotePort);
    if (l4 === IpProto.ICMP || l4 === IpProto.ICMPV6) {
      const type = p.icmpType;
      const unreachable = l4 === IpProto.ICMP ? type === 3 : type === 1;
      if (unreachable) {
        if (outgoing) s.unreachOut++;
        else s.unreachIn++;
        this.notePeer(s, p, outgoing, peerLow, peerHigh);
        return;
      }
      const echoReq = l4 === IpProto.ICMP ? type === 8 : type === 128;
      if (echoReq && outgoing) s.echoOut++;
      // Neighbour discovery and the like stay out of flows: they are link housekeeping, not services.
      if (l4 === IpProto.ICMPV6 && type >= 130) {
        this.notePeer(s, p, outgoing, peerLow, peerHigh);
        return;
      }
      // Errors (time exceeded, parameter problem, …) answer other traffic; echo carries what its sender puts
      // in it: kilobytes of it are a tunnel or a beacon, a device's own pings are a few small ones.
      const error = l4 === IpProto.ICMP ? type === 4 || type === 5 || type === 11 || type === 12 : type < 128;
      if (!error) s.icmpBytes += p.ipLength;
    }
    if (l4 === IpProto.UDP || l4 === IpProto.TCP) {
      if (p.srcPort === 53 || p.dstPort === 53) {
        s.dnsPackets++;
        s.dnsBytes += p.ipLength;
        if (outgoing && p.dstPort === 53) {
          s.dnsOut++;
          const servers = this.dnsServers;
          const before = servers.size;
          if (servers.intern(peerLow, peerHigh, s.row, 0) === before) s.dnsPeerCount++;
          const message = l4 === IpProto.TCP ? p.l4PayloadLength - 2 : p.l4PayloadLength;
          if (message >= LONG_DNS_MESSAGE) s.dnsLongOut++;
        }
      }
    }
    if (l4 === IpProto.TCP && outgoing) {
      s.tcpOut++;
      if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) s.synOnlyOut++;
    }
    if (p.isLaterFragment) {
      this.notePeer(s, p, outgoing, peerLow, peerHigh);
      return;
    }
    // Flow key: the remote address and both ports (or the ICMP type), and the protocol, exactly.
    const proto =
      l4 === IpProto.TCP ? 0 : l4 === IpProto.UDP ? 1 : l4 === IpProto.ICMP || l4 === IpProto.ICMPV6 ? 2 : 3;
    const a = proto === 2 ? p.icmpType & 0xff : proto === 3 ? l4 & 0xff : localPort;
    const b = proto >= 2 ? 0 : remotePort;
    const w1 = peerHigh * 4 + proto;
    const w2 = (a << 16) | b;
    let f: number;
    if (peerLow === s.lastW0 && w1 === s.lastW1 && w2 === s.lastW2) f = s.lastFlow;
    else {
      const table = this.flows;
      const before = table.size;
      f = table.intern(peerLow, w1, w2, s.row);
      if (table.size > before) {
        this.flowRows.ensure(f + 1);
        this.fRow.data[f] = s.row;
        this.fFlags.data[f] = 0;
        this.fPacketsOut.data[f] = this.fPacketsIn.data[f] = 0;
        this.fBytesOut.data[f] = this.fBytesIn.data[f] = 0;
        this.fEchoWait.data[f] = 0;
        this.fEchoes.data[f] = 0;
        this.fDataLast.data[f] = 0;
        this.fPushWait.data[f] = 0;
        this.fPushes.data[f] = 0;
        this.fExchanges.data[f] = 0;
        this.fResumes.data[f] = 0;
        this.fProto.data[f] = proto;
        this.fPeer.data[f] = (peerLow >>> 0) + peerHigh * TWO32;
        this.fPeerKind.data[f] = this.peerKind(p, outgoing);
        this.fFirst.data[f] = tUs;
        this.fLocalPort.data[f] = proto >= 2 ? 0 : localPort;
        this.fRemotePort.data[f] = proto === 2 ? p.icmpType & 0xff : proto === 3 ? l4 & 0xff : remotePort;
        // Who started it: a bare SYN says so, in this bin or (a connection carried on) an earlier one; a unicast
        // answer to the host's own group datagram, the host; otherwise the well-known side is the server; else the
        // sender.
        let initOut = outgoing;
        const carried = proto === 0 && !(flags & TcpFlag.SYN) ? this.carried.find(peerLow, w1, w2, h) : -1;
        if (proto === 0 && flags & TcpFlag.SYN) {
          initOut = (flags & TcpFlag.ACK) === 0 ? outgoing : !outgoing;
          this.fFlags.data[f]! |= F_OPENER_SEEN;
        } else if (carried >= 0) {
          initOut = this.carriedOut.data[carried] === 1;
          this.fFlags.data[f]! |= F_OPENER_SEEN;
        } else if (proto === 1 && !outgoing && this.answersGroupSend(h, localPort, remotePort))
          initOut = true;
        else if (proto <= 1) {
          if (remotePort < 1024 && localPort >= 1024) initOut = true;
          else if (localPort < 1024 && remotePort >= 1024) initOut = false;
        } else if (proto === 2) {
          // ICMP replies (echo reply 0/129) belong to the other side's request.
          const type = p.icmpType;
          if (type === 0 || type === 129) initOut = !outgoing;
        }
        if (initOut) this.fFlags.data[f]! |= F_INIT_OUT;
      }
      s.lastW0 = peerLow;
      s.lastW1 = w1;
      s.lastW2 = w2;
      s.lastFlow = f;
    }
    if (
      outgoing &&
      proto === 1 &&
      this.fPacketsOut.data[f] === 0 &&
      this.fPacketsIn.data[f]! > 0 &&
      tUs - this.fLast.data[f]! <= ECHO_MAX_US
    )
      this.fFlags.data[f]! |= F_ANSWERED_AT_ONCE;
    this.fLast.data[f] = tUs;
    if (outgoing) {
      this.fPacketsOut.data[f]!++;
      this.fBytesOut.data[f]! += len;
    } else {
      this.fPacketsIn.data[f]!++;
      this.fBytesIn.data[f]! += len;
    }
    if (proto === 0 && (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN)
      this.fFlags.data[f]! |= outgoing ? F_SYN_OUT : F_SYN_IN;
    if (proto === 0 && flags & TcpFlag.RST) this.fFlags.data[f]! |= outgoing ? F_RST_OUT : F_RST_IN;
    if (proto <= 1) {
      const payload = p.l4PayloadLength;
      if (payload > 0) {
        if (!outgoing) this.fEchoWait.data[f] = payload <= ECHO_MAX_BYTES ? tUs : 0;
        else {
          const waiting = this.fEchoWait.data[f]!;
          if (waiting > 0 && tUs - waiting <= ECHO_MAX_US && payload <= ECHO_MAX_BYTES)
            this.fEchoes.data[f]!++;
          this.fEchoWait.data[f] = 0;
        }
        if (proto === 0) {
          this.noteTurn(f, outgoing);
          const before = this.fDataLast.data[f]!;
          if (before > 0 && payload > 1 && tUs - before >= RESUME_IDLE_US) this.fResumes.data[f]!++;
          if (!outgoing) {
            if (before > 0 && tUs - before >= PUSH_IDLE_US) {
              this.fPushWait.data[f] = tUs;
              this.pushFlow = f;
              this.pushHost = h;
            }
          } else {
            const pushed = this.fPushWait.data[f]!;
            if (pushed > 0 && tUs - pushed <= ECHO_MAX_US) this.fPushes.data[f]!++;
            else if (this.answersPushElsewhere(h, f)) this.fPushes.data[f]!++;
            this.fPushWait.data[f] = 0;
          }
          this.fDataLast.data[f] = tUs;
        }
      }
      if (proto === 1) this.noteTurn(f, outgoing);
    }
  }

  private noteGroupSend(h: number, localPort: number, remotePort: number): void {
    const tUs = this.nowUs;
    const ports = (localPort << 16) | remotePort;
    const last = (this.groupNext + GROUP_RING - 1) % GROUP_RING;
    // A burst (SSDP sends its M-SEARCH three times) keeps one entry.
    if (this.groupHost[last] === h && this.groupPorts[last] === ports) {
      this.groupUs[last] = tUs;
      return;
    }
    const i = this.groupNext;
    this.groupHost[i] = h;
    this.groupPorts[i] = ports;
    this.groupUs[i] = tUs;
    this.groupNext = (i + 1) % GROUP_RING;
  }

  /** Whether an incoming UDP datagram answers host h's recent group datagram: from its port, to its source port. */
  private answersGroupSend(h: number, localPort: number, remotePort: number): boolean {
    const tUs = this.nowUs;
    const ports = (localPort << 16) | remotePort;
    for (let k = 1; k <= GROUP_RING; k++) {
      const i = (this.groupNext + GROUP_RING - k) % GROUP_RING;
      if (this.groupHost[i] === -1 || tUs - this.groupUs[i]! > GROUP_ANSWER_US) return false;
      if (this.groupHost[i] === h && this.groupPorts[i] === ports) return true;
    }
    return false;
  }

  /**
   * Whether host h's data on flow f answers, within ECHO_MAX_US, the latest push on another of its flows with the
   * same peer: a tunnel that takes its commands on one connection and sends their output on another (httptunnel's
   * GET and POST). Only the latest push of all hosts is kept; it is answered once.
   */
  private answersPushElsewhere(h: number, f: number): boolean {
    const g = this.pushFlow;
    if (g < 0 || this.pushHost !== h || g === f) return false;
    const waiting = this.fPushWait.data[g]!;
    if (waiting === 0 || this.nowUs - waiting > ECHO_MAX_US || this.fPeer.data[g] !== this.fPeer.data[f])
      return false;
    this.fPushWait.data[g] = 0;
    return true;
  }

  /** An answer on flow f after the host's own data (TCP) or datagram (UDP) is one exchange. */
  private noteTurn(f: number, outgoing: boolean): void {
    const flags = this.fFlags.data[f]!;
    if (outgoing) this.fFlags.data[f] = flags | F_LAST_OUT;
    else if (flags & F_LAST_OUT) {
      this.fExchanges.data[f]!++;
      this.fFlags.data[f] = flags & ~F_LAST_OUT;
    }
  }

  /** 1 public, 2 private, 3 multicast: the kind of the packet's remote address (its destination when outgoing). */
  private peerKind(p: BehaviorPacket, outgoing: boolean): number {
    const remote = outgoing ? p.dstAddr : p.srcAddr;
    return isMulticast(remote, p.ipVersion === 6) ? 3 : this.isPrivate(outgoing, p) ? 2 : 1;
  }

  /**
   * A peer of a packet that makes no flow (ICMP errors, neighbour discovery, later fragments); peers of
   * flows are added when the bin closes, which keeps a hash lookup off every packet.
   */
  private notePeer(s: HostCounters, p: BehaviorPacket, outgoing: boolean, low: number, high: number): void {
    const noted = this.notedPeers;
    const before = noted.size;
    const i = noted.intern(low, high, s.row, 0);
    if (i === before) {
      this.notedRows.ensure(i + 1);
      this.notedRow.data[i] = s.row;
      this.notedKind.data[i] = this.peerKind(p, outgoing);
    }
  }

  private closeBin(): void {
    const rows = this.touched.length;
    const flows = this.flowGroups.group(this.fRow.data, this.flows.size, rows);
    const noted = this.notedGroups.group(this.notedRow.data, this.notedPeers.size, rows);
    for (let row = 0; row < rows; row++) {
      const h = this.touched[row]!;
      const claims = this.hostClaimBin.data[h] === this.bin ? this.hostClaims.data[h]! : 0;
      const view = this.viewOf(this.states[row]!, flows, noted);
      const beacons = this.beaconsOf(h, view);
      const b = binOf(this.bin, h, view, this.hostStacks.data[h]!, claims, beacons);
      this.hostSent.data[h]! += b.packets;
      this.out.add(b);
    }
    this.carryOpeners();
    this.touched.length = 0;
    this.flows.clear();
    this.pushFlow = -1;
    this.notedPeers.clear();
    this.dnsServers.clear();
    this.arpAsked.clear();
  }

  /**
   * Keeps the bin's TCP connections whose opener is known and that no reset ended, for the next bin (see
   * carried). The last bin's are in this bin's flows already, with F_OPENER_SEEN, when they went on.
   */
  private carryOpeners(): void {
    const carried = this.carried;
    carried.clear();
    const flows = this.flows;
    for (let f = 0; f < flows.size; f++) {
      const flags = this.fFlags.data[f]!;
      if ((flags & (F_OPENER_SEEN | F_RST_IN | F_RST_OUT)) !== F_OPENER_SEEN) continue;
      const h = this.touched[this.fRow.data[f]!]!;
      const id = carried.intern(flows.word(f, 0), flows.word(f, 1), flows.word(f, 2), h);
      this.carriedRows.ensure(id + 1);
      this.carriedOut.data[id] = flags & F_INIT_OUT ? 1 : 0;
    }
  }

  /**
   * Adds the check-ins of host h's bin to its endpoints (see BEACON_MIN_CHECKINS) and returns the regular ones
   * it checked in with in this bin. A TCP connection starts with its bare SYN (one carried on from the last bin
   * has none); a UDP flow starts when the endpoint was silent for BEACON_ROUND_S.
   */
  private beaconsOf(h: number, v: HostBinState): BeaconEntry[] | undefined {
    let n = 0;
    const round = BEACON_ROUND_S * 1e6;
    for (let f = 0; f < v.n; f++) {
      const id = v.flowIds[v.flowBase + f]!;
      const proto = v.fProto[id]!;
      const flags = v.fFlags[id]!;
      if (proto > 1 || v.fPeerKind[id] !== 1 || (flags & F_INIT_OUT) === 0) continue;
      const peer = v.fPeer[id]!;
      const high = peer >= TWO32 ? 1 : 0;
      const low = (peer - high * TWO32) | 0;
      const port = v.fRemotePort[id]!;
      const table = this.endpoints;
      const before = table.size;
      const e =
        before < BEACON_MAX_ENDPOINTS
          ? table.intern(low, high * 4 + proto, port, h)
          : table.find(low, high * 4 + proto, port, h);
      if (e < 0) continue;
      const first = v.fFirst[id]!;
      if (e === before) {
        this.endpointRows.ensure(e + 1);
        this.epCheckins.data[e] = 0;
        this.epSum.data[e] = this.epSumSq.data[e] = 0;
        this.epBin.data[e] = -1;
        this.epLastSeen.data[e] = Number.NEGATIVE_INFINITY;
        const prior = this.beaconMemory?.get(
          BeaconMemory.key(this.hostKeys[h]!, low, high * 4 + proto, port),
        );
        if (prior) {
          this.epCheckins.data[e] = prior.checkins;
          this.epLastStart.data[e] = prior.lastStart;
          this.epLastConnection.data[e] = prior.lastConnection;
          this.epLastSeen.data[e] = prior.lastSeen;
          this.epSum.data[e] = prior.sum;
          this.epSumSq.data[e] = prior.sumSq;
        }
      }
      const starts = proto === 0 ? (flags & F_SYN_OUT) !== 0 : first - this.epLastSeen.data[e]! >= round;
      if (v.fLast[id]! > this.epLastSeen.data[e]!) this.epLastSeen.data[e] = v.fLast[id]!;
      if (!starts) continue;
      const count = this.epCheckins.data[e]!;
      const previous = this.epLastConnection.data[e]!;
      this.epLastConnection.data[e] = first;
      if (count === 0) {
        this.epCheckins.data[e] = 1;
        this.epLastStart.data[e] = first;
      } else {
        if (first - previous < round) continue;
        const gapS = (first - this.epLastStart.data[e]!) / 1e6;
        this.epSum.data[e]! += gapS;
        this.epSumSq.data[e]! += gapS * gapS;
        this.epCheckins.data[e] = count + 1;
        this.epLastStart.data[e] = first;
      }
      if (this.epBin.data[e] !== this.bin) {
        this.epBin.data[e] = this.bin;
        this.checkedInRows.ensure(n + 1);
        this.checkedIn.data[n++] = e;
      }
    }
    let out: BeaconEntry[] | undefined;
    for (let k = 0; k < n; k++) {
      const e = this.checkedIn.data[k]!;
      const checkins = this.epCheckins.data[e]!;
      if (checkins < BEACON_MIN_CHECKINS) continue;
      const intervals = checkins - 1;
      const mean = this.epSum.data[e]! / intervals;
      const sd = Math.sqrt(Math.max(this.epSumSq.data[e]! / intervals - mean * mean, 0));
      if (sd > BEACON_MAX_CV * mean) continue;
      const table = this.endpoints;
      const w1 = table.word(e, 1);
      const proto = w1 & 3;
      const peer = (table.word(e, 0) >>> 0) + (w1 >> 2) * TWO32;
      const port = table.word(e, 2);
      const service = serviceCode(true, proto, servicePort(port));
      out ??= [];
      out.push([peer, service, checkins, mean, sd]);
    }
    out?.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return out;
  }

  /** Host c's bin for binOf: its counts, the peers it noted and its flows, each in the order they came. */
  private viewOf(c: HostCounters, flows: RowGroups, noted: RowGroups): HostBinState {
    const v = this.view;
    v.reset(c);
    const row = c.row;
    for (let e = noted.start[row]!; e < noted.start[row + 1]!; e++) {
      const id = noted.ids[e]!;
      const i = v.peerIndex(this.notedPeers.word(id, 0), this.notedPeers.word(id, 1));
      v.peerKind.data[i] = this.notedKind.data[id]!;
    }
    v.flowIds = flows.ids;
    v.flowBase = flows.start[row]!;
    v.n = flows.start[row + 1]! - v.flowBase;
    v.fFlags = this.fFlags.data;
    v.fProto = this.fProto.data;
    v.fRemotePort = this.fRemotePort.data;
    v.fLocalPort = this.fLocalPort.data;
    v.fPeer = this.fPeer.data;
    v.fPeerKind = this.fPeerKind.data;
    v.fPacketsOut = this.fPacketsOut.data;
    v.fPacketsIn = this.fPacketsIn.data;
    v.fBytesOut = this.fBytesOut.data;
    v.fBytesIn = this.fBytesIn.data;
    v.fFirst = this.fFirst.data;
    v.fLast = this.fLast.data;
    v.fEchoes = this.fEchoes.data;
    v.fPushes = this.fPushes.data;
    v.fExchanges = this.fExchanges.data;
    v.fResumes = this.fResumes.data;
    return v;
  }

  /** Every endpoint's check-ins into `memory`, for the next extractor (BehaviorOptions.beaconMemory). */
  private rememberEndpoints(memory: BeaconMemory): void {
    const table = this.endpoints;
    for (let e = 0; e < table.size; e++) {
      const key = BeaconMemory.key(
        this.hostKeys[table.word(e, 3)]!,
        table.word(e, 0),
        table.word(e, 1),
        table.word(e, 2),
      );
      memory.set(key, {
        checkins: this.epCheckins.data[e]!,
        lastStart: this.epLastStart.data[e]!,
        lastConnection: this.epLastConnection.data[e]!,
        lastSeen: this.epLastSeen.data[e]!,
        sum: this.epSum.data[e]!,
        sumSq: this.epSumSq.data[e]!,
      });
    }
  }

  /** Closes the last bin and returns every host's bins. */
  finish(): BehaviorResult {
    this.closeBin();
    if (this.beaconMemory) this.rememberEndpoints(this.beaconMemory);
    const n = this.hostKeys.length;
    const sent = this.hostSent.data;
    const privateSent = this.hostPrivateSent.data;
    const privateReceived = this.hostPrivateReceived.data;
    // The device: by isMoreLikelyDevice among hosts that sent from a private address; in a capture without
    // any (a host on a public address), the host with the most packets.
    let anyPrivate = false;
    for (let i = 0; i < n && !anyPrivate; i++) anyPrivate = privateSent[i]! > 0;
    let device = -1;
    for (let i = 0; i < n; i++) {
      const better = anyPrivate
        ? privateSent[i]! > 0 &&
          (device < 0 ||
            isMoreLikelyDevice(
              privateSent[i]!,
              privateReceived[i]!,
              privateSent[device]!,
              privateReceived[device]!,
            ))
        : sent[i]! > 0 && (device < 0 || sent[i]! > sent[device]!);
      if (better) device = i;
    }
    const stacks = this.hostStacks.data;
    const hosts: BehaviorHost[] = this.hostKeys.map((key, i) => ({
      key,
      kind: this.hostIsMac.data[i] ? 'mac' : 'ip',
      privateSent: privateSent[i]!,
      stacks: stacks[i]!,
    }));
    return behaviorResult(this.out, hosts, device, anyPrivate);
  }
}

/**
 * The result over a finished store. Built outside the extractor's methods: closures made there would keep
 * the extractor, with every host's bin state, alive as long as the result.
 */
function behaviorResult(
  store: BehaviorBinStore,
  hosts: BehaviorHost[],
  device: number,
  anyPrivate: boolean,
): BehaviorResult {
  store.settle();
  // Hosts that never sent from a private address are not devices of this network (unless none is).
  // Whether a record is kept depends on its host only, so nothing per record is held for it.
  const keeps = (host: number) => !anyPrivate || hosts[host]!.privateSent > 0;
  const recordsOf = (host: number): BehaviorRecords => {
    if (!keeps(host)) return NO_RECORDS;
    let n = 0;
    for (let i = 0; i < store.length; i++) if (store.host(i) === host) n++;
    const at = new Int32Array(n);
    n = 0;
    for (let i = 0; i < store.length; i++) if (store.host(i) === host) at[n++] = i;
    return {
      length: at.length,
      get(j: number): BehaviorBin {
        if (!(j >= 0 && j < at.length)) throw new RangeError(`no behaviour bin ${j} of ${at.length}`);
        return store.get(at[j]!);
      },
    };
  };
  return {
    hosts,
    device,
    get bins() {
      const out: BehaviorBin[] = [];
      for (let i = 0; i < store.length; i++) if (keeps(store.host(i))) out.push(store.get(i));
      return out;
    },
    binsOf(host: number) {
      const records = recordsOf(host);
      return Array.from({ length: records.length }, (_, j) => records.get(j));
    },
    recordsOf,
  };
}

/** A MAC at m[o …] as two int32 words: its first two bytes, and its last four. */
function macHigh(m: Uint8Array, o: number): number {
  return (m[o]! << 8) | m[o + 1]!;
}
function macLow(m: Uint8Array, o: number): number {
  return (m[o + 2]! << 24) | (m[o + 3]! << 16) | (m[o + 4]! << 8) | m[o + 5]!;
}
/** hostOf's high word of an address key: above every MAC's. */
const IP_HOST = 0x20000;

/** An IPv4 (224.0.0.0/4) or IPv6 (ff00::/8) multicast address. */
function isMulticast(address: Uint8Array, v6: boolean): boolean {
  return v6 ? address[0] === 0xff : (address[0]! & 0xf0) === 0xe0;
}

/** A multicast destination, or an IPv4 broadcast (an address ending in .255, as isUnicastPeer). */
function isGroupDestination(p: BehaviorPacket): boolean {
  const v6 = p.ipVersion === 6;
  return isMulticast(p.dstAddr, v6) || (!v6 && p.dstAddr[3] === 255);
}

/**
 * Whether a flow's peer (fPeer, fPeerKind) is one host: not a multicast group, and for IPv4 not an address
 * ending in .255 (the broadcast of a /24 or wider, where a host's own name queries go).
 */
export function isUnicastPeer(peer: number, kind: number): boolean {
  return kind !== 3 && !(peer < TWO32 && peer % 256 === 255);
}

/**
 * Whether both ends share an IPv4 /24 or an IPv6 /64: the same link, so each is the other's local network even
 * when it is numbered from global space (a university's public /24; an IPv6 network's global /64, where every
 * neighbour has a global address). A peer across the router stays public. Not cached per address: one address
 * is local to its neighbours and public to the rest.
 */
function onLink(p: BehaviorPacket): boolean {
  const s = p.srcAddr;
  const d = p.dstAddr;
  const n = p.ipVersion === 6 ? 8 : 3;
  for (let i = 0; i < n; i++) if (s[i] !== d[i]) return false;
  return true;
}

/**
 * The low word of an address id: the IPv4 address, or a 32-bit hash of the IPv6 address's 16 bytes; the id's
 * high word is 1 for IPv6, 0 for IPv4 (as a number: 2^32 · high + low as unsigned). An int32, never a
 * number past 2^31 − 1: returned from a call V8 does not inline, that would be a heap number per packet.
 */
function addressLow(a: Uint8Array, v6: boolean): number {
  if (!v6) return (a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!;
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h | 0;
}

/**
 * Ids of a bin's table grouped by row, each row's in id order (a counting sort): row r's are ids[start[r] …
 * start[r + 1]). Its arrays grow to the largest bin and are reused.
 */
class RowGroups {
  start = new Int32Array(64);
  ids = new Int32Array(256);

  /** Groups ids 0 … count − 1 by rowOf[id] (rows 0 … rows − 1). */
  group(rowOf: Int32Array, count: number, rows: number): this {
    if (this.start.length < rows + 1) this.start = new Int32Array(2 * (rows + 1));
    if (this.ids.length < count) this.ids = new Int32Array(2 * count);
    const start = this.start;
    start.fill(0, 0, rows + 1);
    for (let id = 0; id < count; id++) start[rowOf[id]! + 1]!++;
    for (let r = 1; r <= rows; r++) start[r]! += start[r - 1]!;
    // Place each id at its row's next free slot, then shift the starts back by one row.
    for (let id = 0; id < count; id++) this.ids[start[rowOf[id]!]!++] = id;
    for (let r = rows; r > 0; r--) start[r] = start[r - 1]!;
    start[0] = 0;
    return this;
  }
}

/**
 * Scratch state of binOf, reused by every bin close: "seen in this bin" is a stamp equal to the current
 * close's number, so nothing is cleared per bin and no set or map is made per flow (a long capture closes
 * tens of thousands of host-bins with up to hundreds of flows each).
 */
class BinScratch {
  epoch = 0;
  /** Per protocol (TCP, UDP) · 65536 + port: the epoch it was last counted as a remote / local port in. */
  readonly remotePortSeen = new Uint32Array(2 * 65536);
  readonly localPortSeen = new Uint32Array(2 * 65536);
  /** Per service code (< 2^19): the epoch it was last seen in, and its index in this bin's lists. */
  readonly serviceSeen = new Uint32Array(1 << 19);
  readonly serviceIndex = new Int32Array(1 << 19);
  /** The bin's services so far: their codes, distinct peers and flows, by index. */
  serviceCount = 0;
  serviceCodes = new Int32Array(16);
  servicePeers = new Int32Array(16);
  serviceFlows = new Int32Array(16);
  /** Per peer index: the epoch it was last counted among admin peers. */
  adminPeerSeen = new Uint32Array(64);
  /** Per flow: its peer's index in the bin's peer table. */
  flowPeer = new Int32Array(64);
  /** Distinct (service index, peer index) pairs of the bin. */
  readonly servicePeerPairs = new QuadTable(256);
  /** (peer index, remote port) of the bin's answered outgoing UDP flows to neighbours' unlisted high ports. */
  readonly udpRequests = new QuadTable(64);
  /** Start times (µs) of the host's DNS flows and of its other outgoing TCP/UDP flows, for unfollowedLookups. */
  readonly lookupStarts: number[] = [];
  readonly connectStarts: number[] = [];

  begin(flows: number, peers: number): void {
    this.epoch++;
    this.serviceCount = 0;
    this.servicePeerPairs.clear();
    this.udpRequests.clear();
    if (this.flowPeer.length < flows)
      this.flowPeer = new Int32Array(Math.max(flows, this.flowPeer.length * 2));
    if (this.adminPeerSeen.length < peers)
      this.adminPeerSeen = new Uint32Array(Math.max(peers, this.adminPeerSeen.length * 2));
  }

  /** The index of a service code among the bin's services, adding it (with no peers or flows) when new. */
  service(code: number): number {
    if (this.serviceSeen[code] === this.epoch) return this.serviceIndex[code]!;
    const count = this.serviceCount++;
    this.serviceSeen[code] = this.epoch;
    this.serviceIndex[code] = count;
    if (count === this.serviceCodes.length) {
      const n = count * 2;
      const grow = (a: Int32Array) => {
        const b = new Int32Array(n);
        b.set(a);
        return b;
      };
      this.serviceCodes = grow(this.serviceCodes);
      this.servicePeers = grow(this.servicePeers);
      this.serviceFlows = grow(this.serviceFlows);
    }
    this.serviceCodes[count] = code;
    this.servicePeers[count] = 0;
    this.serviceFlows[count] = 0;
    return count;
  }
}
const scratch = new BinScratch();

/** Lookups (start times, µs) with no connection starting within LOOKUP_FOLLOW_S after them. */
function unfollowedLookups(lookups: number[], connects: number[]): number {
  if (lookups.length === 0) return 0;
  lookups.sort((a, b) => a - b);
  connects.sort((a, b) => a - b);
  let unfollowed = 0;
  let c = 0;
  for (const t of lookups) {
    while (c < connects.length && connects[c]! < t) c++;
    if (c === connects.length || connects[c]! - t > LOOKUP_FOLLOW_S * 1e6) unfollowed++;
  }
  return unfollowed;
}

function binOf(
  bin: number,
  host: number,
  s: HostBinState,
  stacks: number,
  arpClaims: number,
  beacons: BeaconEntry[] | undefined,
): BehaviorBin {
  const spanS = Math.max((s.last - s.first) / 1e6, 60);
  const perMin = 60 / spanS;
  const x = scratch;
  x.begin(s.n, s.peerTable.size + s.n);
  const epoch = x.epoch;
  let privatePeers = 0;
  for (let f = 0; f < s.n; f++) {
    const id = s.flowIds[s.flowBase + f]!;
    const peer = s.fPeer[id]!;
    const high = peer >= TWO32 ? 1 : 0;
    const before = s.peerTable.size;
    const i = s.peerIndex(high ? peer - TWO32 : peer, high);
    if (i >= before) s.peerKind.data[i] = s.fPeerKind[id]!;
    s.peerFlowCount.data[i]!++;
    s.peerResumes.data[i]! += s.fResumes[id]!;
    if (s.fProto[id] === 1 && s.fPacketsIn[id] === 0) s.peerOneWayBytes.data[i]! += s.fBytesOut[id]!;
    x.flowPeer[f] = i;
  }
  const peerCount = s.peerTable.size;
  const publicIndex: number[] = [];
  for (let i = 0; i < peerCount; i++) {
    const v = s.peerKind.data[i]!;
    if (v === 2) privatePeers++;
    else if (v === 1) publicIndex.push(i);
  }
  // A device polls its cloud server often; a second public address polled as often (a beacon next to its own
  // check-ins) is what no normal device does. Connections with the busiest and the second-busiest:
  let busiest = 0;
  let second = 0;
  for (const i of publicIndex) {
    const c = s.peerFlowCount.data[i]!;
    if (c > busiest) {
      second = busiest;
      busiest = c;
    } else if (c > second) second = c;
  }
  const peerId = (i: number) => (s.peerTable.word(i, 0) >>> 0) + s.peerTable.word(i, 1) * TWO32;
  publicIndex.sort((a, b) => peerId(a) - peerId(b));
  const pairs = x.servicePeerPairs;
  let remotePorts = 0;
  let localPorts = 0;
  let adminPeers = 0;
  let flowsOut = 0;
  let flowsIn = 0;
  let tcpOutAttempts = 0;
  let tcpOutUnanswered = 0;
  let tcpOutReset = 0;
  let tcpInAttempts = 0;
  let tcpInRejected = 0;
  let adminOut = 0;
  let adminIn = 0;
  let adminPackets = 0;
  let bytesSum = 0;
  let packetsSum = 0;
  let maxBytesOut = 0;
  let maxDuration = 0;
  let small = 0;
  let dhcpOut = 0;
  let nameAnswers = 0;
  let dhcpServed = 0;
  let reflected = 0;
  let echoes = 0;
  let udpEchoes = 0;
  let pushes = 0;
  let serviceExchanges = 0;
  let tcpExchanges = 0;
  let unansweredUdp = 0;
  const held: number[] = [];
  const lan: number[] = [];
  const accepted: number[] = [];
  const lookups = x.lookupStarts;
  const connects = x.connectStarts;
  lookups.length = connects.length = 0;
  for (let f = 0; f < s.n; f++) {
    const id = s.flowIds[s.flowBase + f]!;
    const flags = s.fFlags[id]!;
    const out = (flags & F_INIT_OUT) !== 0;
    const proto = s.fProto[id]!;
    const remotePort = s.fRemotePort[id]!;
    const localPort = s.fLocalPort[id]!;
    const pin = s.fPacketsIn[id]!;
    const pout = s.fPacketsOut[id]!;
    const peer = x.flowPeer[f]!;
    if (out) flowsOut++;
    else flowsIn++;
    if (proto === 0) {
      if (out && flags & F_SYN_OUT) {
        tcpOutAttempts++;
        if (pin === 0) tcpOutUnanswered++;
        if (flags & F_RST_IN) tcpOutReset++;
      }
      if (!out && flags & F_SYN_IN) {
        tcpInAttempts++;
        if (pout === 0 || flags & F_RST_OUT) tcpInRejected++;
      }
    }
    const serverPort = out ? remotePort : localPort;
    if (proto <= 1) {
      if (out) {
        const k = proto * 65536 + remotePort;
        if (x.remotePortSeen[k] !== epoch) {
          x.remotePortSeen[k] = epoch;
          remotePorts++;
        }
      } else {
        const k = proto * 65536 + localPort;
        if (x.localPortSeen[k] !== epoch) {
          x.localPortSeen[k] = epoch;
          localPorts++;
        }
      }
      if (IS_ADMIN[serverPort]) {
        adminPackets += pin + pout;
        if (out) {
          adminOut++;
          if (x.adminPeerSeen[peer] !== epoch) {
            x.adminPeerSeen[peer] = epoch;
            adminPeers++;
          }
        } else adminIn++;
      }
    }
    const port = proto <= 1 ? servicePort(serverPort) : serverPort;
    const code = serviceCode(out, proto, port);
    const svc = x.service(code);
    x.serviceFlows[svc]!++;
    const before = pairs.size;
    if (pairs.intern(svc, peer, 0, 0) === before) x.servicePeers[svc]!++;
    const bytes = s.fBytesOut[id]! + s.fBytesIn[id]!;
    bytesSum += bytes;
    packetsSum += pin + pout;
    if (s.fBytesOut[id]! > maxBytesOut) maxBytesOut = s.fBytesOut[id]!;
    const d = (s.fLast[id]! - s.fFirst[id]!) / 1e6;
    if (d > maxDuration) maxDuration = d;
    if (out && proto !== 2 && pin > 0 && d >= HELD_SESSION_S && s.fPeerKind[id] === 1 && !held.includes(code))
      held.push(code);
    if (
      out &&
      proto === 0 &&
      pin > 0 &&
      (flags & (F_SYN_OUT | F_RST_IN)) === F_SYN_OUT &&
      s.fPeerKind[id] === 2 &&
      !lan.includes(code)
    )
      lan.push(code);
    // The same for a UDP request to a neighbour's service port that it answered from that port (an SNMP manager
    // writing to a neighbour's agent, a TFTP client, a BACnet or EtherNet/IP client; other high ports are peer
    // to peer); the network's own housekeeping with the router (DNS, DHCP, NTP, NetBIOS names) is every host's,
    // whatever the training devices did.
    if (
      out &&
      proto === 1 &&
      pin > 0 &&
      isUdpServerPort(remotePort) &&
      !IS_LAN_HOUSEKEEPING_UDP[remotePort] &&
      s.fPeerKind[id] === 2 &&
      isUnicastPeer(s.fPeer[id]!, 2) &&
      !lan.includes(code)
    )
      lan.push(code);
    // A request/answer service on a high port no list names (RADIUS, a vendor's management protocol): the host
    // asked one neighbour's port again from another source port and was answered, as a client opening a socket per
    // request does. Peer-to-peer traffic keeps one socket at each end (a plug's or a camera's LAN protocol: none of
    // ../shared's normal captures asks one neighbour's high port from two source ports), so it stays out.
    if (
      out &&
      pin > 0 &&
      isLanRequestService(code) &&
      s.fPeerKind[id] === 2 &&
      isUnicastPeer(s.fPeer[id]!, 2)
    ) {
      const asked = x.udpRequests;
      const before = asked.size;
      if (asked.intern(peer, remotePort, 0, 0) < before && !lan.includes(code)) lan.push(code);
    }
    // A routing protocol a neighbour took part in, whichever end spoke first: an OSPF adjacency's unicast exchange
    // with the router. The host is in the network's control plane, where no end device belongs (a BGP session is TCP
    // and counted above; RIP's UDP answer too).
    if (
      proto === 3 &&
      ROUTING_IP_PROTOCOLS.has(remotePort) &&
      pout > 0 &&
      pin > 0 &&
      s.fPeerKind[id] === 2 &&
      isUnicastPeer(s.fPeer[id]!, 2)
    ) {
      const routing = serviceCode(true, 3, remotePort);
      if (!lan.includes(routing)) lan.push(routing);
    }
    // Accepted and used: the handshake answered, the peer's ACK and at least one more packet (data or its FIN),
    // reset by neither side. A scanner's probe (SYN, SYN-ACK, its RST) opened nothing. High ports count only when
    // an internet address came in: neighbours' peer-to-peer connections land there.
    const fromInternet = s.fPeerKind[id] === 1;
    const acceptedCode = fromInternet ? code | FROM_INTERNET : code;
    if (
      !out &&
      proto === 0 &&
      (port !== 0xffff || fromInternet) &&
      pout > 0 &&
      pin >= 3 &&
      (flags & (F_SYN_IN | F_RST_OUT | F_RST_IN)) === F_SYN_IN &&
      !accepted.includes(acceptedCode)
    )
      accepted.push(acceptedCode);
    // A UDP service an internet address asked and the host answered at once (its first datagram within
    // ECHO_MAX_US of the peer's), on a server port below 1024, a reflectable or an industrial one: a reflector's
    // NTP or CoAP, a backdoor's port. A device's own UDP with the internet is asked by the device; a flow whose
    // start the capture missed (an NTP client's 123 ↔ 123, a P2P camera's high port) is not answered at once.
    if (
      !out &&
      proto === 1 &&
      fromInternet &&
      flags & F_ANSWERED_AT_ONCE &&
      (isUdpServerPort(localPort) || IS_REFLECTOR_PORT[localPort] === 1) &&
      !accepted.includes(acceptedCode)
    )
      accepted.push(acceptedCode);
    if (pin + pout <= 2) small++;
    if (out && proto === 1 && localPort === 68 && remotePort === 67) dhcpOut += pout;
    if (proto === 1 && localPort === 67 && remotePort === 68) dhcpServed += pout;
    if (
      !out &&
      proto === 1 &&
      IS_REFLECTOR_PORT[localPort] &&
      s.fPeerKind[id] === 1 &&
      s.fBytesOut[id]! > s.fBytesIn[id]!
    )
      reflected += s.fBytesOut[id]! - s.fBytesIn[id]!;
    if (proto === 0 && s.fPeerKind[id] === 1) echoes += s.fEchoes[id]!;
    if (proto === 1 && s.fPeerKind[id] === 1) udpEchoes += s.fEchoes[id]!;
    if (proto === 0 && out && s.fPeerKind[id] === 1) pushes += s.fPushes[id]!;
    if (proto === 0 && out && s.fPeerKind[id] === 1) tcpExchanges = Math.max(tcpExchanges, s.fExchanges[id]!);
    if (proto === 1 && out && s.fPeerKind[id] === 1 && IS_REQUEST_ANSWER_PORT[remotePort])
      serviceExchanges = Math.max(serviceExchanges, s.fExchanges[id]!);
    if (proto === 1 && out && s.fPeerKind[id] === 1 && pin === 0)
      unansweredUdp = Math.max(unansweredUdp, pout);
    if (
      proto === 1 &&
      (localPort === 5355 || localPort === 137) &&
      isUnicastPeer(s.fPeer[id]!, s.fPeerKind[id]!)
    )
      nameAnswers += pout;
    // Multicast flows (mDNS, SSDP) are announcements, not connections a lookup was for.
    if (out && proto <= 1 && s.fPeerKind[id] !== 3)
      (remotePort === 53 ? lookups : connects).push(s.fFirst[id]!);
  }
  const serviceList: [number, number, number][] = new Array(x.serviceCount);
  for (let k = 0; k < x.serviceCount; k++)
    serviceList[k] = [x.serviceCodes[k]!, x.servicePeers[k]!, x.serviceFlows[k]!];
  serviceList.sort((a, b) => a[0] - b[0]);
  const nf = Math.max(s.n, 1);
  const values = [
    s.packetsOut * perMin,
    s.packetsIn * perMin,
    s.bytesOut * perMin,
    s.bytesIn * perMin,
    Math.log2((s.bytesOut + 1) / (s.bytesIn + 1)),
    peerCount,
    privatePeers,
    remotePorts,
    localPorts,
    flowsOut * perMin,
    flowsIn * perMin,
    tcpOutAttempts,
    tcpOutAttempts ? tcpOutUnanswered / tcpOutAttempts : 0,
    tcpOutAttempts ? tcpOutReset / tcpOutAttempts : 0,
    tcpInAttempts,
    tcpInAttempts ? tcpInRejected / tcpInAttempts : 0,
    s.unreachIn,
    s.unreachOut,
    s.echoOut,
    s.dnsOut * perMin,
    s.dnsPackets ? s.dnsBytes / s.dnsPackets : 0,
    s.dnsPeerCount,
    adminOut,
    adminPeers,
    adminIn,
    bytesSum / nf,
    maxBytesOut,
    packetsSum / nf,
    maxDuration,
    s.n ? small / s.n : 0,
    s.tcpOut ? s.synOnlyOut / s.tcpOut : 0,
    s.arpOut,
    s.arpTargetCount,
    adminPackets,
    publicBurst(s),
    second,
    s.dnsLongOut,
    s.icmpBytes,
    unfollowedLookups(lookups, connects),
    dhcpOut,
    nameAnswers,
    dhcpServed,
    reflected,
    echoes,
    udpEchoes,
    pushes,
    serviceExchanges,
    tcpExchanges,
    unansweredUdp,
  ];
  return {
    bin,
    host,
    start: s.first / 1e6,
    end: s.last / 1e6,
    packets: s.packetsOut + s.packetsIn,
    values,
    services: serviceList,
    publicPeers: publicIndex.map(peerId),
    publicPeerFlows: publicIndex.map((i) => s.peerFlowCount.data[i]!),
    ...(publicIndex.some((i) => s.peerResumes.data[i]! > 0)
      ? { publicPeerResumes: publicIndex.map((i) => s.peerResumes.data[i]!) }
      : {}),
    ...(publicIndex.some((i) => s.peerOneWayBytes.data[i]! > 0)
      ? { publicPeerOneWayBytes: publicIndex.map((i) => s.peerOneWayBytes.data[i]!) }
      : {}),
    stacks,
    arpClaims,
    ...(s.foreignOut > 0
      ? { foreignSources: s.foreignOut, foreignSourceAddress: s.foreignAddress >>> 0 }
      : {}),
    ...(beacons ? { beacons } : {}),
    ...(held.length > 0 ? { heldSessions: held.sort((a, b) => a - b) } : {}),
    ...(lan.length > 0 ? { lanConnections: lan.sort((a, b) => a - b) } : {}),
    ...(accepted.length > 0 ? { acceptedServices: accepted.sort((a, b) => a - b) } : {}),
  };
}

const BURST_US = BURST_S * 1e6;
// Reused by every bin close: the bin's flows with public peers, ordered by peer and start.
let scratchFlows = new Int32Array(64);

/**
 * The most connections (flows, either direction) with one public peer that started within BURST_S of each
 * other: a sliding window over each peer's flow starts. Sorting the bin's public flows by (peer, start) needs
 * no per-peer lists.
 */
function publicBurst(s: HostBinState): number {
  if (scratchFlows.length < s.n) scratchFlows = new Int32Array(Math.max(s.n, scratchFlows.length * 2));
  let m = 0;
  // Flow ids: a host's rise with the order its flows started, so the last tie-break is that order.
  for (let f = 0; f < s.n; f++) {
    const id = s.flowIds[s.flowBase + f]!;
    if (s.fPeerKind[id] === 1) scratchFlows[m++] = id;
  }
  const flows = scratchFlows.subarray(0, m);
  const peer = s.fPeer;
  const first = s.fFirst;
  flows.sort((a, b) => peer[a]! - peer[b]! || first[a]! - first[b]! || a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < m; i++) {
    const fi = flows[i]!;
    if (i > 0 && peer[fi] !== peer[flows[i - 1]!]) j = i;
    while (first[fi]! - first[flows[j]!]! > BURST_US) j++;
    if (i - j + 1 > best) best = i - j + 1;
  }
  return best;
}
