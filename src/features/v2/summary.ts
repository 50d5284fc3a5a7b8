/**
 * Bin close: a key's counts and sums (layout.ts) expanded into its summary row, and the summary turned into
 * the header features, group by group in names.ts order.
 */
import { COUNT_DIR, HOST, SUM_DIR, SUMMARY, SUMMARY_DIR } from './layout.js';
import {
  DIR_FEATURES,
  FLAG_LABELS,
  IAT_LABELS,
  PEER_LABELS,
  PROTO_LABELS,
  SERVICE_LABELS,
  SIZE_BUCKETS,
  SIZE_QUANTILES,
  TTL_LABELS,
} from './names.js';
import * as tables from './tables.js';

// Read as the module's own constants (V8 folds those into optimised code, not imported bindings).
const {
  CELL_FINE,
  CELL_SIZE,
  CLASS_PROTOS,
  FINE_BUCKETS,
  FINE_PER_OCTAVE,
  IAT_NONE,
  J1_IAT,
  J1_PEER,
  J1_TTL,
  J2_CLS,
  J2_SVC,
  PEER_NONE,
  PROTO,
  SVC_COUNTED,
  TTL_NONE,
} = tables;
// Offsets as module constants (read per cell and per feature).
const {
  packets: A_PKTS,
  bytes: A_BYTES,
  fineSize: A_FINE,
  size: A_SIZE,
  log2SizeSum: A_LOGSUM,
  log2SizeSq: A_LOGSQ,
  iat: A_IAT,
  iatCount: A_IATN,
  log10IatSum: A_IATSUM,
  log10IatSq: A_IATSQ,
  proto: A_PROTO,
  service: A_SVC,
  serviceCount: A_SVCN,
  hostIsServer: A_SERVER,
  tcpFlags: A_FLAGS,
  ttl: A_TTL,
  ttlCount: A_TTLN,
  hops: A_HOPS,
  peer: A_PEER,
} = SUMMARY_DIR.at;
const DIR_ACC = SUMMARY_DIR.size;
const H_BASE_S = SUMMARY.at.host;
const { joint1: N_J1, joint2: N_J2, tcpFlags: N_FLAGS } = COUNT_DIR.at;
const {
  bytes: C_BYTES,
  log2SizeSum: C_LOGSUM,
  log2SizeSq: C_LOGSQ,
  log10IatSum: C_IATSUM,
  log10IatSq: C_IATSQ,
  hops: C_HOPS,
} = SUM_DIR.at;
const {
  peers: H_PEERS,
  privatePeers: H_PRIV_PEERS,
  publicPeers: H_PUB_PEERS,
  groups: H_GROUPS,
  remotePorts: H_RPORTS,
  localPorts: H_LPORTS,
  flows: H_FLOWS,
  initiated: H_INIT,
  durationSum: H_DURSUM,
  durationMax: H_DURMAX,
  flowPacketsSum: H_FPKTSUM,
  flowPacketsMax: H_FPKTMAX,
} = HOST.at;
const P_TCP = PROTO.tcp;

/**
 * Adds count x of direction-relative count cell j (COUNT_DIR layout) to the summary direction block at
 * s[so..]. Counts are integers below 2^53, so the order cells are expanded in does not change any sum.
 */
export function expandCell(s: Float64Array, so: number, j: number, x: number): void {
  if (j < N_J1) {
    s[so + A_FINE + CELL_FINE[j]!]! += x;
    s[so + A_SIZE + CELL_SIZE[j]!]! += x;
  } else if (j < N_J2) {
    const q = j - N_J1;
    const iat = J1_IAT[q]!;
    const ttl = J1_TTL[q]!;
    const peer = J1_PEER[q]!;
    if (iat !== IAT_NONE) {
      s[so + A_IAT + iat]! += x;
      s[so + A_IATN]! += x;
    }
    if (ttl !== TTL_NONE) {
      s[so + A_TTL + ttl]! += x;
      s[so + A_TTLN]! += x;
    }
    if (peer !== PEER_NONE) s[so + A_PEER + peer]! += x;
    if (q & 1) s[so + A_SERVER]! += x;
  } else if (j < N_FLAGS) {
    const q = j - N_J2;
    const svc = J2_SVC[q]!;
    s[so + A_PKTS]! += x;
    for (const pl of CLASS_PROTOS[J2_CLS[q]!]!) s[so + A_PROTO + pl]! += x;
    if (svc !== SVC_COUNTED) {
      s[so + A_SVC + svc]! += x;
      s[so + A_SVCN]! += x;
    }
  } else {
    const f = j - N_FLAGS;
    for (let b = 0; b < FLAG_LABELS.length; b++) if (f & (1 << b)) s[so + A_FLAGS + b]! += x;
  }
}

/** Copies one direction's float sums at a[ao..] into the summary direction block at s[so..]. */
export function copySums(a: Float64Array, ao: number, s: Float64Array, so: number): void {
  s[so + A_BYTES] = a[ao + C_BYTES]!;
  s[so + A_LOGSUM] = a[ao + C_LOGSUM]!;
  s[so + A_LOGSQ] = a[ao + C_LOGSQ]!;
  s[so + A_IATSUM] = a[ao + C_IATSUM]!;
  s[so + A_IATSQ] = a[ao + C_IATSQ]!;
  s[so + A_HOPS] = a[ao + C_HOPS]!;
}

/** One key's features from its summary row at s[so..] (two direction blocks, then the host block). */
export function summaryVector(a: Float64Array, so: number, spanS: number, v: Float64Array): void {
  const o = so;
  const hb = so + H_BASE_S;
  directionVector(a, o, spanS, v, 0);
  directionVector(a, o + DIR_ACC, spanS, v, DIR_FEATURES);
  let j = 2 * DIR_FEATURES;
  const pOut = a[o + A_PKTS]!;
  const pIn = a[o + DIR_ACC + A_PKTS]!;
  const bOut = a[o + A_BYTES]!;
  const bIn = a[o + DIR_ACC + A_BYTES]!;
  v[j++] = share(pOut, pOut + pIn);
  v[j++] = share(bOut, bOut + bIn);
  const peers = a[hb + H_PEERS]!;
  v[j++] = Math.log2(1 + peers);
  v[j++] = share(a[hb + H_PRIV_PEERS]!, peers);
  v[j++] = share(a[hb + H_PUB_PEERS]!, peers);
  v[j++] = Math.log2(1 + a[hb + H_GROUPS]!);
  v[j++] = Math.log2(1 + a[hb + H_RPORTS]!);
  v[j++] = Math.log2(1 + a[hb + H_LPORTS]!);
  const flows = a[hb + H_FLOWS]!;
  v[j++] = Math.log2(1 + flows);
  v[j++] = share(a[hb + H_INIT]!, flows);
  v[j++] = Math.log10(1 + (flows > 0 ? a[hb + H_DURSUM]! / flows : 0));
  v[j++] = Math.log10(1 + a[hb + H_DURMAX]!);
  v[j++] = Math.log2(1 + (flows > 0 ? a[hb + H_FPKTSUM]! / flows : 0));
  v[j++] = Math.log2(1 + a[hb + H_FPKTMAX]!);
}

function share(n: number, d: number): number {
  return d > 0 ? n / d : 0;
}

/** One direction's features from its summary block at `o` into v[j..]. */
function directionVector(a: Float64Array, o: number, spanS: number, v: Float64Array, start: number): void {
  let j = start;
  const n = a[o + A_PKTS]!;
  for (let b = 0; b < SIZE_BUCKETS; b++) v[j++] = share(a[o + A_SIZE + b]!, n);
  for (const q of SIZE_QUANTILES) v[j++] = n > 0 ? fineQuantile(a, o + A_FINE, n, q) : 0;
  const mean = n > 0 ? a[o + A_LOGSUM]! / n : 0;
  v[j++] = mean;
  v[j++] = n > 0 ? Math.sqrt(Math.max(0, a[o + A_LOGSQ]! / n - mean * mean)) : 0;
  const ni = a[o + A_IATN]!;
  for (let b = 0; b < IAT_LABELS.length; b++) v[j++] = share(a[o + A_IAT + b]!, ni);
  const im = ni > 0 ? a[o + A_IATSUM]! / ni : 0;
  v[j++] = im;
  v[j++] = ni > 0 ? Math.sqrt(Math.max(0, a[o + A_IATSQ]! / ni - im * im)) : 0;
  for (let b = 0; b < PROTO_LABELS.length; b++) v[j++] = share(a[o + A_PROTO + b]!, n);
  const ns = a[o + A_SVCN]!;
  for (let b = 0; b < SERVICE_LABELS.length; b++) v[j++] = share(a[o + A_SVC + b]!, ns);
  v[j++] = share(a[o + A_SERVER]!, ns);
  const nt = a[o + A_PROTO + P_TCP]!;
  for (let b = 0; b < FLAG_LABELS.length; b++) v[j++] = share(a[o + A_FLAGS + b]!, nt);
  const nl = a[o + A_TTLN]!;
  for (let b = 0; b < TTL_LABELS.length; b++) v[j++] = share(a[o + A_TTL + b]!, nl);
  v[j++] = share(a[o + A_HOPS]!, nl);
  for (let b = 0; b < PEER_LABELS.length; b++) v[j++] = share(a[o + A_PEER + b]!, n);
  v[j++] = Math.log10(1 + n / spanS);
  v[j++] = Math.log10(1 + a[o + A_BYTES]! / spanS);
}

/** The q-quantile of log2(frame length) from the 8-per-octave histogram, interpolated within a bucket. */
function fineQuantile(a: Float64Array, o: number, n: number, q: number): number {
  const target = q * n;
  let cum = 0;
  for (let b = 0; b < FINE_BUCKETS; b++) {
    const c = a[o + b]!;
    if (c > 0 && cum + c >= target) {
      const within = c > 0 ? (target - cum) / c : 0;
      return (b + within) / FINE_PER_OCTAVE;
    }
    cum += c;
  }
  return (FINE_BUCKETS - 1) / FINE_PER_OCTAVE;
}
