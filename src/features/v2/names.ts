/**
 * The v2 header features' names, declared once as feature groups (a group = one block of the vector, e.g.
 * `out.tcp`): the vector layout, the names and the golden test's per-group digests all derive from it.
 */
import { COMPAT_FEATURE_COUNT, compatFeatureName } from '../compat.js';
import { type Layout, layout } from './blocks.js';

/** Frame-size histogram: < 64, half-octave buckets from 64 to 2048, ≥ 2048 bytes. */
export const SIZE_EDGES: readonly number[] = [64, 91, 128, 181, 256, 362, 512, 724, 1024, 1448, 2048];
export const SIZE_BUCKETS = SIZE_EDGES.length + 1;
export const SIZE_QUANTILES: readonly number[] = [0.05, 0.25, 0.5, 0.75, 0.95];
/** Inter-arrival histogram, decades of seconds: < 1 ms, …, ≥ 100 s. */
export const IAT_LABELS = ['lt1ms', '1-10ms', '10-100ms', '0.1-1s', '1-10s', '10-100s', 'ge100s'] as const;
export const PROTO_LABELS = [
  'arp',
  'eapol',
  'otherL2',
  'ipv4',
  'ipv6',
  'icmp',
  'icmpv6',
  'tcp',
  'udp',
  'otherL4',
  'fragment',
  'icmpEcho',
  'icmpv6Ndp',
  'icmpv6Mld',
] as const;
/** Named services; their ports are in tables.ts (SERVICE_OF_PORT), the last two are the fallbacks. */
export const SERVICE_LABELS = [
  'dns',
  'dhcp',
  'dhcpv6',
  'mdns',
  'ssdp',
  'ntp',
  'http',
  'https',
  'llmnr',
  'netbios',
  'smb',
  'ssh',
  'telnet',
  'mqtt',
  'coap',
  'otherPrivileged',
  'otherUnprivileged',
] as const;
export const FLAG_LABELS = ['syn', 'synAck', 'fin', 'rst', 'psh', 'noPayload'] as const;
export const TTL_LABELS = ['ttl32', 'ttl64', 'ttl128', 'ttl255'] as const;
export const PEER_LABELS = ['broadcast', 'multicast', 'privatePeer', 'publicPeer'] as const;
export const HOST_LABELS = [
  'outPacketShare',
  'outByteShare',
  'peers.log2',
  'peers.privateShare',
  'peers.publicShare',
  'groups.log2',
  'remotePorts.log2',
  'localPorts.log2',
  'flows.log2',
  'flows.initiatedShare',
  'flows.meanDurationLog10',
  'flows.maxDurationLog10',
  'flows.meanPacketsLog2',
  'flows.maxPacketsLog2',
] as const;

export interface FeatureGroup {
  /** Name prefix of the group's features (`<name>.<label>`). */
  readonly name: string;
  readonly labels: readonly string[];
}

function sizeLabels(): string[] {
  const n: string[] = [];
  for (let b = 0; b < SIZE_BUCKETS; b++) {
    const lo = b === 0 ? 0 : SIZE_EDGES[b - 1]!;
    const hi = b < SIZE_EDGES.length ? `${SIZE_EDGES[b]}` : 'inf';
    n.push(`${lo}-${hi}`);
  }
  for (const q of SIZE_QUANTILES) n.push(`q${Math.round(q * 100)}Log2`);
  n.push('meanLog2', 'stdLog2');
  return n;
}

/** One direction's groups, in vector order (summary.ts writes them in this order). */
function directionGroups(d: 'out' | 'in'): FeatureGroup[] {
  return [
    { name: `${d}.size`, labels: sizeLabels() },
    { name: `${d}.iat`, labels: [...IAT_LABELS, 'meanLog10', 'stdLog10'] },
    { name: `${d}.proto`, labels: PROTO_LABELS },
    { name: `${d}.service`, labels: [...SERVICE_LABELS, 'hostIsServer'] },
    { name: `${d}.tcp`, labels: FLAG_LABELS },
    { name: `${d}.ttl`, labels: [...TTL_LABELS, 'meanHops'] },
    { name: `${d}.peer`, labels: PEER_LABELS },
    { name: `${d}.rate`, labels: ['packetsLog10', 'bytesLog10'] },
  ];
}

/** The header feature groups in vector order: "out" direction, "in" direction, then the host group. */
export const V2_FEATURE_GROUPS: readonly FeatureGroup[] = [
  ...directionGroups('out'),
  ...directionGroups('in'),
  { name: 'host', labels: HOST_LABELS },
];

/** Where each header feature group sits in the vector. */
export const V2_GROUP_LAYOUT: Layout = layout(
  V2_FEATURE_GROUPS.map((g) => [g.name, g.labels.length] as const),
);

/** Header features of one direction (the "in" block starts here). */
export const DIR_FEATURES = V2_GROUP_LAYOUT.at['in.size']!;

const V2_OWN_NAMES: readonly string[] = V2_FEATURE_GROUPS.flatMap((g) =>
  g.labels.map((l) => `${g.name}.${l}`),
);
/** Header features before the appended compat block. */
export const V2_OWN_COUNT = V2_GROUP_LAYOUT.size;

/**
 * Per-port service features ("this host serves UDP/5560" vs "talks to UDP/5560"), appended after the compat
 * block so that every earlier column keeps its index: shares of the host's TCP/UDP packets (first
 * fragments) whose local / remote port is below 49152 (registered or well-known, not dynamic); whose local
 * (protocol, port) meets two or more remote endpoints in the bin (a port it serves or answers from) /
 * whose remote (protocol, address, port) it meets from two or more local ports (a service it talks to);
 * of its packets to broadcast / multicast addresses, the share of the first kind only (talks: a discovery
 * client) and of the second kind only (serves: a responder). The per-host `hostIsServer` shares compare
 * the two port numbers of each packet, so a client on a low ephemeral port or two peers on unregistered
 * ports look like servers; these ask which end stays fixed across the host's flows.
 */
export const PORT_LABELS = [
  'localRegisteredShare',
  'remoteRegisteredShare',
  'fixedLocalShare',
  'fixedRemoteShare',
  'groupTalkShare',
  'groupServeShare',
] as const;
export const V2_PORT_COUNT = PORT_LABELS.length;
/** Values stored per (bin, key) by the extractor: the header features, then the per-port block. */
export const V2_STORED_COUNT = V2_OWN_COUNT + V2_PORT_COUNT;
/** Where the per-port block starts in the vector. */
export const V2_PORT_OFFSET = V2_OWN_COUNT + COMPAT_FEATURE_COUNT;
/**
 * Vector widths, one per v2 feature-set version; a model's `features.count` says which one it was
 * trained on (1: header + compat, before the per-port block; 2: + the per-port block).
 */
export const V2_FEATURE_COUNTS = { 1: V2_PORT_OFFSET, 2: V2_PORT_OFFSET + V2_PORT_COUNT } as const;
/** The current feature set's width. */
export const V2_FEATURE_COUNT = V2_FEATURE_COUNTS[2];

/** The v2 feature-set version of a vector width, or null for a width no version has. */
export function v2FeatureVersion(width: number): 1 | 2 | null {
  return width === V2_FEATURE_COUNTS[1] ? 1 : width === V2_FEATURE_COUNTS[2] ? 2 : null;
}

let allNames: string[] | null = null;
/**
 * Names of all v2 features in vector order: the header features, then `compat.<compat name>`, then
 * `port.<label>` (a version-1 model's names are the first V2_FEATURE_COUNTS[1]).
 */
export function v2FeatureNames(): string[] {
  if (allNames === null) {
    allNames = [...V2_OWN_NAMES];
    for (let i = 0; i < COMPAT_FEATURE_COUNT; i++) allNames.push(`compat.${compatFeatureName(i)}`);
    for (const l of PORT_LABELS) allNames.push(`port.${l}`);
  }
  return allNames.slice();
}
