/**
 * Lookup tables of the per-packet path: frame length → histogram buckets and log2, inter-arrival time →
 * quantised log10, port → service, and the joint count cells (one increment per categorical attribute,
 * expanded into the per-feature accumulators at bin close; layout.ts lays the cells out).
 */
import { TcpFlag } from '../../capture/packet.js';
import { labelIndex } from './blocks.js';
import {
  FLAG_LABELS,
  IAT_LABELS,
  PEER_LABELS,
  PROTO_LABELS,
  SERVICE_LABELS,
  SIZE_EDGES,
  TTL_LABELS,
} from './names.js';

/** 8 fine buckets per octave of frame length: index floor(8·log2(len)), len 1..65535 → 0..127. */
export const FINE_PER_OCTAVE = 8;
export const FINE_BUCKETS = 128;
const FINE_INDEX = new Uint8Array(65536);
export const LOG2_LEN = new Float64Array(65536);
for (let len = 0; len < 65536; len++) {
  const l = Math.log2(Math.max(len, 1));
  LOG2_LEN[len] = l;
  FINE_INDEX[len] = Math.min(FINE_BUCKETS - 1, Math.floor(FINE_PER_OCTAVE * l + 1e-9));
}
const SIZE_BUCKET = new Uint8Array(65536);
for (let len = 0, b = 0; len < 65536; len++) {
  while (b < SIZE_EDGES.length && len >= SIZE_EDGES[b]!) b++;
  SIZE_BUCKET[len] = b;
}

/**
 * log10 of an inter-arrival time in seconds, quantised to 1/32 octave (error < 0.0068 decades; the exact
 * per-packet Math.log10 was a quarter of v2's time). A gap of n whole µs (0 counts as 1) lies in octave
 * e = floor(log2 n), sub-bucket m = the 5 bits after the leading one; the value is the mean of log10 of
 * the bucket's first and last whole µs (so exact below 64 µs), minus 6. Integer ops and a 16 KB table.
 */
const IAT_SUB_BITS = 5;
const IAT_SUB = 1 << IAT_SUB_BITS;
const IAT_EXACT = 2 * IAT_SUB;
/**
 * The values by slot (log10Slot): the exact ones for 0 … IAT_EXACT - 1 µs, then IAT_EXACT + (octave << 5 |
 * sub-bucket) for octaves 0..63 (those below 6 are never read: the exact slots are).
 */
export const LOG10_IAT = new Float64Array(IAT_EXACT + 64 * IAT_SUB);
for (let n = 0; n < IAT_EXACT; n++) LOG10_IAT[n] = Math.log10(Math.max(n, 1)) - 6;
for (let e = IAT_SUB_BITS; e < 64; e++) {
  const step = 2 ** (e - IAT_SUB_BITS);
  for (let m = 0; m < IAT_SUB; m++) {
    const lo = 2 ** e + m * step;
    LOG10_IAT[IAT_EXACT + ((e << IAT_SUB_BITS) | m)] = (Math.log10(lo) + Math.log10(lo + step - 1)) / 2 - 6;
  }
}
/**
 * The slot of log10Seconds(iatUs) in LOG10_IAT: a small integer, which V8 returns unboxed from a call it does
 * not inline (a double result is a heap number per call: two per packet in v2's count).
 */
export function log10Slot(iatUs: number): number {
  if (iatUs < 0x80000000) {
    const n = iatUs | 0;
    if (n < IAT_EXACT) return n;
    const e = 31 - Math.clz32(n);
    return IAT_EXACT + ((e << IAT_SUB_BITS) | ((n >>> (e - IAT_SUB_BITS)) & (IAT_SUB - 1)));
  }
  return log10SlotLong(iatUs);
}
/** Gaps of 2^31 µs (36 min) and more: only with bins longer than that; same buckets, float arithmetic. */
function log10SlotLong(iatUs: number): number {
  const n = Math.floor(iatUs);
  const e = 62 - Math.clz32(Math.floor(n / 0x80000000));
  return IAT_EXACT + ((e << IAT_SUB_BITS) | (Math.floor(n / 2 ** (e - IAT_SUB_BITS)) & (IAT_SUB - 1)));
}
export function log10Seconds(iatUs: number): number {
  return LOG10_IAT[log10Slot(iatUs)]!;
}

const SVC = labelIndex(SERVICE_LABELS);
export const SVC_NONE = 255;
export const SVC_PRIV = SVC.otherPrivileged;
export const SVC_UNPRIV = SVC.otherUnprivileged;
/** Named service of a port, or SVC_NONE. */
export const SERVICE_OF_PORT = new Uint8Array(65536).fill(SVC_NONE);
(
  [
    [SVC.dns, [53]],
    [SVC.dhcp, [67, 68]],
    [SVC.dhcpv6, [546, 547]],
    [SVC.mdns, [5353]],
    [SVC.ssdp, [1900]],
    [SVC.ntp, [123]],
    [SVC.http, [80, 8080]],
    [SVC.https, [443, 8443]],
    [SVC.llmnr, [5355]],
    [SVC.netbios, [137, 138, 139]],
    [SVC.smb, [445]],
    [SVC.ssh, [22]],
    [SVC.telnet, [23]],
    [SVC.mqtt, [1883, 8883]],
    [SVC.coap, [5683, 5684]],
  ] as const
).forEach(([svc, ports]) => {
  for (const port of ports) SERVICE_OF_PORT[port] = svc;
});

/** Index of each protocol label (the `proto` block of a direction). */
export const PROTO = labelIndex(PROTO_LABELS);

// ---- joint count cells --------------------------------------------------------------------------------
// The per-packet path bumps ONE joint cell per categorical attribute (frame length, protocol class, TCP
// flag combination) and leaves totals implied; bin close expands the cells into the per-feature summary.
// Counts are integers and the float sums (log sizes, log IATs) are added in the same packet order as a
// per-feature layout would, so the expansion gives bit-identical features.

/** Joint (fine bucket, size bucket) cells of frame length: one increment feeds both histograms. */
export const CELL_OF_LEN = new Uint8Array(65536);
const cellFine: number[] = [];
const cellSize: number[] = [];
for (let len = 0; len < 65536; len++) {
  const n = cellFine.length;
  if (n === 0 || cellFine[n - 1] !== FINE_INDEX[len] || cellSize[n - 1] !== SIZE_BUCKET[len]) {
    cellFine.push(FINE_INDEX[len]!);
    cellSize.push(SIZE_BUCKET[len]!);
  }
  CELL_OF_LEN[len] = cellFine.length - 1;
}
export const CELL_FINE: readonly number[] = cellFine;
export const CELL_SIZE: readonly number[] = cellSize;
export const CELLS = CELL_FINE.length;

/** Transport classes of an IP packet, with the protocol labels each counts for. */
const L4_PROTOS = {
  tcp: [PROTO.tcp],
  udp: [PROTO.udp],
  icmp: [PROTO.icmp],
  icmpEcho: [PROTO.icmp, PROTO.icmpEcho],
  icmpv6: [PROTO.icmpv6],
  icmpv6Echo: [PROTO.icmpv6, PROTO.icmpEcho],
  icmpv6Ndp: [PROTO.icmpv6, PROTO.icmpv6Ndp],
  icmpv6Mld: [PROTO.icmpv6, PROTO.icmpv6Mld],
  other: [PROTO.otherL4],
} as const;
/** Index of each transport class. */
export const L4 = labelIndex(Object.keys(L4_PROTOS) as (keyof typeof L4_PROTOS)[]);
export const L4_CLASSES = Object.keys(L4_PROTOS).length;
/** Non-IP classes, with their protocol labels. */
const L2_PROTOS = { arp: [PROTO.arp], eapol: [PROTO.eapol], otherL2: [PROTO.otherL2] } as const;
export const L2 = labelIndex(Object.keys(L2_PROTOS) as (keyof typeof L2_PROTOS)[]);
/** Protocol class: the L2 classes; IP: CLASS_IP + (v6·2 + fragment)·L4_CLASSES + transport class. */
export const CLASS_IP = Object.keys(L2_PROTOS).length;
export const CLASS_PROTOS: number[][] = Object.values(L2_PROTOS).map((p) => [...p]);
for (let v6 = 0; v6 < 2; v6++)
  for (let frag = 0; frag < 2; frag++)
    for (const l4 of Object.values(L4_PROTOS))
      CLASS_PROTOS.push([v6 ? PROTO.ipv6 : PROTO.ipv4, ...(frag ? [PROTO.fragment] : []), ...l4]);
const CLASSES = CLASS_PROTOS.length;

/** TCP flag combination: bit j set when FLAG_LABELS[j] applies (bit 5, no payload, added per packet). */
export const FLAG_COMBOS = 1 << FLAG_LABELS.length;
export const FLAG_BITS = new Uint8Array(256);
for (let f = 0; f < 256; f++) {
  let c = 0;
  if (f & TcpFlag.SYN) c |= f & TcpFlag.ACK ? 2 : 1;
  if (f & TcpFlag.FIN) c |= 4;
  if (f & TcpFlag.RST) c |= 8;
  if (f & TcpFlag.PSH) c |= 16;
  FLAG_BITS[f] = c;
}
export const FLAG_NO_PAYLOAD = 32;

// Counts (Int32, per key and direction): length cells, two joint cells, TCP flag combinations. A joint cell
// holds attributes that are each counted once per packet, so one increment (one cache line) replaces four.
export const IAT_NONE = IAT_LABELS.length;
export const TTL_NONE = TTL_LABELS.length;
export const PEER_NONE = PEER_LABELS.length;
export const SVC_COUNTED = SERVICE_LABELS.length;
/** Joint cell 1: ((IAT bucket · 5 + TTL bucket) · 5 + peer class) · 2 + host-is-server; "none" = last value. */
export const J1_CELLS = (IAT_NONE + 1) * (TTL_NONE + 1) * (PEER_NONE + 1) * 2;
export const J1_IAT = new Uint8Array(J1_CELLS);
export const J1_TTL = new Uint8Array(J1_CELLS);
export const J1_PEER = new Uint8Array(J1_CELLS);
for (let j = 0; j < J1_CELLS; j++) {
  J1_PEER[j] = (j >> 1) % (PEER_NONE + 1);
  J1_TTL[j] = Math.floor((j >> 1) / (PEER_NONE + 1)) % (TTL_NONE + 1);
  J1_IAT[j] = Math.floor((j >> 1) / ((PEER_NONE + 1) * (TTL_NONE + 1)));
}
/** Joint cell 2: protocol class · 18 + service (17 = none). */
export const J2_CELLS = CLASSES * (SVC_COUNTED + 1);
/** Protocol class and service of each joint cell 2. */
export const J2_CLS = new Uint8Array(J2_CELLS);
export const J2_SVC = new Uint8Array(J2_CELLS);
for (let j = 0; j < J2_CELLS; j++) {
  J2_CLS[j] = Math.floor(j / (SVC_COUNTED + 1));
  J2_SVC[j] = j % (SVC_COUNTED + 1);
}
