/**
 * The accumulator rows of v2, each declared once as a list of blocks (offsets derived, see blocks.ts):
 * - per key, while a bin is open: integer COUNTS (joint cells, per direction) and float SUMS (per direction,
 *   then the host block);
 * - per key, at bin close: the SUMMARY, one slot per counted attribute value (two direction blocks, then the
 *   host block), from which summary.ts computes the features.
 */
import { layout } from './blocks.js';
import {
  FLAG_LABELS,
  IAT_LABELS,
  PEER_LABELS,
  PROTO_LABELS,
  SERVICE_LABELS,
  SIZE_BUCKETS,
  TTL_LABELS,
} from './names.js';
import { CELLS, FINE_BUCKETS, FLAG_COMBOS, J1_CELLS, J2_CELLS } from './tables.js';

/** One direction of the summary: packet/byte totals, histograms with their totals, and float sums. */
export const SUMMARY_DIR = layout([
  ['packets', 1],
  ['bytes', 1],
  ['fineSize', FINE_BUCKETS],
  ['size', SIZE_BUCKETS],
  ['log2SizeSum', 1],
  ['log2SizeSq', 1],
  ['iat', IAT_LABELS.length],
  ['iatCount', 1],
  ['log10IatSum', 1],
  ['log10IatSq', 1],
  ['proto', PROTO_LABELS.length],
  ['service', SERVICE_LABELS.length],
  ['serviceCount', 1],
  ['hostIsServer', 1],
  ['tcpFlags', FLAG_LABELS.length],
  ['ttl', TTL_LABELS.length],
  ['ttlCount', 1],
  ['hops', 1],
  ['peer', PEER_LABELS.length],
]);

/** Per-key (not per-direction) accumulators: distinct peers and ports, and flow statistics. */
export const HOST = layout([
  ['peers', 1],
  ['privatePeers', 1],
  ['publicPeers', 1],
  ['groups', 1],
  ['remotePorts', 1],
  ['localPorts', 1],
  ['flows', 1],
  ['initiated', 1],
  ['durationSum', 1],
  ['durationMax', 1],
  ['flowPacketsSum', 1],
  ['flowPacketsMax', 1],
]);

/** One key's summary (built at bin close). */
export const SUMMARY = layout([
  ['out', SUMMARY_DIR.size],
  ['in', SUMMARY_DIR.size],
  ['host', HOST.size],
]);

/** One direction's counts while a bin is open: joint cells (see tables.ts). */
export const COUNT_DIR = layout([
  ['lengthCell', CELLS],
  ['joint1', J1_CELLS],
  ['joint2', J2_CELLS],
  ['tcpFlags', FLAG_COMBOS],
]);

/** One key's counts (Int32). */
export const COUNTS = layout([
  ['out', COUNT_DIR.size],
  ['in', COUNT_DIR.size],
]);

/** One direction's float sums while a bin is open (summed in packet order, then copied to the summary). */
export const SUM_DIR = layout([
  ['bytes', 1],
  ['log2SizeSum', 1],
  ['log2SizeSq', 1],
  ['log10IatSum', 1],
  ['log10IatSq', 1],
  ['hops', 1],
]);

/** One key's float sums (Float64): two directions, then the host block. */
export const SUMS = layout([
  ['out', SUM_DIR.size],
  ['in', SUM_DIR.size],
  ['host', HOST.size],
]);
