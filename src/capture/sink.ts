import { decodeFrame, isSupportedLinkType } from './decode.js';
import { PacketRecord } from './packet.js';
import type { CaptureWarning, FrameTaker } from './reader-api.js';
import { isRepresentableTime, TIME_RANGE_TEXT } from './time.js';

/**
 * Where framers deliver packets: decodes into the one reused record, calls the consumer, and keeps the
 * counters the summary needs.
 */
export class PacketSink {
  readonly rec = new PacketRecord();
  packets = 0;
  /** Sum of original lengths of every record (see CaptureSummary.frameBytes). */
  frameBytes = 0;
  skippedUnsupportedLink = 0;
  /** Records skipped because their time is out of range (time.ts); they carry no time into the summary. */
  skippedBadTime = 0;
  /**
   * Packets with no timestamp of their own (pcapng Simple Packet Blocks), given the time of the packet
   * before them in their section (noTimestamp), and of those the ones with no such packet, given time 0.
   */
  withoutTimestamp = 0;
  withoutTimestampAtEpoch = 0;
  readonly linkTypes: number[] = [];
  /** pcapng sections, or pcap file headers (CaptureSummary.sections). */
  sections = 0;
  /**
   * Records whose time counts. Earliest and latest packet time (seconds, nanoseconds) are only meaningful
   * when timedPackets > 0: any time value, negative ones included, is a real time, never "none yet".
   */
  timedPackets = 0;
  firstSec = 0;
  firstNsec = 0;
  lastSec = 0;
  lastNsec = 0;
  private readonly warnedLinkTypes = new Set<number>();
  /** The next packet's seconds and nanoseconds (setTime). */
  private readonly time = new Float64Array(2);

  constructor(
    private readonly onPacket: (packet: PacketRecord) => void,
    private readonly warn: (warning: CaptureWarning) => void,
    private readonly name: string,
    private readonly frameTaker: FrameTaker | null = null,
  ) {}

  /**
   * The time of the packet the next emit() delivers. Not emit's arguments: emit is too large for V8 to
   * inline, and a double passed to a call that is not inlined is boxed, a heap number per packet for
   * seconds past 2^31 - 1 (from 2038; time-shifted benchmark captures already).
   */
  setTime(sec: number, nsec: number): void {
    this.time[0] = sec;
    this.time[1] = nsec;
  }

  emit(
    b: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    linkType: number,
    interfaceId: number,
  ): void {
    const sec = this.time[0]!;
    const nsec = this.time[1]!;
    const index = this.packets++;
    this.frameBytes += origlen;
    if (!isRepresentableTime(sec)) {
      this.skipTime(index, sec);
      return;
    }
    if (this.timedPackets++ === 0) {
      this.firstSec = this.lastSec = sec;
      this.firstNsec = this.lastNsec = nsec;
    } else {
      if (sec < this.firstSec || (sec === this.firstSec && nsec < this.firstNsec)) {
        this.firstSec = sec;
        this.firstNsec = nsec;
      }
      if (sec > this.lastSec || (sec === this.lastSec && nsec > this.lastNsec)) {
        this.lastSec = sec;
        this.lastNsec = nsec;
      }
    }
    if (!isSupportedLinkType(linkType)) {
      this.skipLink(linkType);
      return;
    }
    const taker = this.frameTaker;
    if (taker?.take(this.time, b, off, caplen, origlen, linkType)) return;
    const rec = this.rec;
    rec.index = index;
    rec.tsSec = sec;
    rec.tsNsec = nsec;
    rec.capturedLength = caplen;
    rec.originalLength = origlen;
    rec.linkType = linkType;
    rec.interfaceId = interfaceId;
    rec.frameBuffer = b;
    rec.frameStart = off;
    decodeFrame(rec, b, off, caplen, linkType);
    this.onPacket(rec);
  }

  /**
   * The next emit() is a packet without a timestamp (setTime already holds the one it is given): counted,
   * and warned about once per capture for each of the two cases.
   */
  noTimestamp(atEpoch: boolean): void {
    this.withoutTimestamp++;
    const first = atEpoch
      ? this.withoutTimestampAtEpoch++ === 0
      : this.withoutTimestamp - this.withoutTimestampAtEpoch === 1;
    if (!first) return;
    const packet = `${this.name}: packet ${this.packets + 1} is a pcapng simple packet block, which has no timestamp`;
    this.warn({
      kind: 'no-timestamp',
      message: atEpoch
        ? `${packet}, and no packet before it in its section has one: such packets are given time 0 (1970-01-01T00:00:00Z)`
        : `${packet}: such packets are given the time of the packet before them in their section`,
    });
  }

  private skipTime(index: number, sec: number): void {
    if (this.skippedBadTime++ > 0) return;
    this.warn({
      kind: 'time-out-of-range',
      message: `${this.name}: packet ${index + 1} has a time outside ${TIME_RANGE_TEXT} (${sec} s since 1970); such packets are skipped`,
    });
  }

  private skipLink(linkType: number): void {
    this.skippedUnsupportedLink++;
    if (this.warnedLinkTypes.has(linkType)) return;
    this.warnedLinkTypes.add(linkType);
    this.warn({
      kind: 'unsupported-linktype',
      message: `${this.name}: link type ${linkType} is not supported; its packets are skipped`,
    });
  }
}
