import type { CaptureSummary } from '../capture/reader-api.js';
import type { BinOptions } from '../sessions/bins.js';

/**
 * Why a capture has nothing to classify. The usual case for compat models: every session starts inside
 * the warm-up (120 s, as the original), so a short capture yields no bin at all; the original dropped
 * such captures silently, we say so.
 */
export function noSessionsReason(analysis: {
  summary: CaptureSummary;
  options: BinOptions;
  /** Packets with a decoded IP header, when known: with none no warm-up would have kept anything. */
  ipPackets?: number;
}): string {
  const { packets, firstTimeNs, lastTimeNs } = analysis.summary;
  const warmup = analysis.options.warmupS;
  if (packets === 0) return 'no sessions: the capture holds no packets';
  // Nothing was decoded, so no warm-up would have kept anything: the reader's warnings say why.
  const { skippedUnsupportedLink, skippedBadTime } = analysis.summary;
  if (skippedUnsupportedLink + skippedBadTime >= packets) {
    const why =
      skippedBadTime === 0
        ? 'a link type the reader does not decode'
        : skippedUnsupportedLink === 0
          ? 'a time out of range'
          : 'an unsupported link type or a time out of range';
    const all = packets === 1 ? 'its one packet' : `every one of its ${packets} packets`;
    return `no sessions: ${all} was skipped (${why})`;
  }
  if (analysis.ipPackets === 0)
    return `no sessions: ${packets === 1 ? 'its one packet has' : `none of its ${packets} packets has`} an IP header the reader could decode (no IP traffic, or a snap length that cut it)`;
  const span = firstTimeNs !== null && lastTimeNs !== null ? (lastTimeNs - firstTimeNs) / 1e9 : 0;
  // A pair first seen in the warm-up never counts, however long it lasts: a long capture can have none after it.
  if (warmup > 0)
    return `no sessions after the ${warmup} s warm-up: every address:port pair first appears within it (the capture spans ${span.toFixed(1)} s); --warmup 0 keeps its early sessions`;
  return `no sessions: none of its ${packets} packets forms an IP session of one device`;
}
