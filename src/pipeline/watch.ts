import { Readable } from 'node:stream';
import { untilAborted } from '../capture/live-source.js';
import { LinkType } from '../capture/packet.js';
import { readCapture } from '../capture/reader.js';
import type { CaptureSummary, CaptureWarning } from '../capture/reader-api.js';
import { decide } from '../decisions/decide.js';
import { UsageError } from '../errors.js';
import { BeaconMemory } from '../features/beacon-memory.js';
import { BehaviorExtractor } from '../features/behavior.js';
import { captureHostAddresses, captureHosts, compatFeatures } from '../features/compat.js';
import { sessionVectors } from '../features/session-vectors.js';
import type { LoadedModel } from '../models/format.js';
import { predictBins, type RoleModel } from '../models/role-model.js';
import type { Behavior, BehaviorDetail } from '../result.js';
import {
  type BinOptions,
  type Bins,
  buildBins,
  DEFAULT_BIN_OPTIONS,
  type StreamState,
} from '../sessions/bins.js';
import { PacketStore } from '../sessions/packet-store.js';
import { REORDERED_WARNING_KIND } from './analyze.js';
import { type AnomalyModelName, anomalyScorer } from './anomaly.js';
import { rankLabels } from './evaluate.js';
import { roleModelFor } from './model-registry.js';

export interface WatchOptions {
  durationS?: number;
  warmupS?: number;
  publicSessions?: boolean;
  modelPath?: string;
  anomaly?: AnomalyModelName;
  anomalyModelPath?: string;
  threshold?: number;
  /** Hosts remembered at once; the least recently seen is forgotten beyond this. */
  maxHosts?: number;
  /** Session rows kept per host for the running abnormality (the LSTM reads sequences of 10). */
  maxSessionRows?: number;
  signal?: AbortSignal;
  /** Follow a capture file as it grows (ReadOptions.follow): reading ends only when `signal` aborts. */
  follow?: boolean;
  /** Reader warnings (a truncated tail, skipped link types or times), as they happen. */
  onWarning?: (warning: CaptureWarning) => void;
}

/** One host's state when a bin closes. */
export interface WatchUpdate {
  bin: number;
  /** Time of the bin's first and last packet, epoch seconds. */
  binStart: number;
  binEnd: number;
  /** '' where frames do not begin with MACs (raw IP, loopback, Linux cooked): the host is its address. */
  mac: string;
  ip: string | null;
  /** This bin's top 3 roles. */
  roles: [string, number][];
  /** Top 3 over every bin this host was seen in, aggregated as eval aggregates a capture's bins. */
  runningRoles: [string, number][];
  binsSeen: number;
  /** This host's sessions in this bin (those with its address at either end). */
  sessions: number;
  abnormality: number;
  /** `unknown` when the anomaly model could not score the host (yet): abnormalityNote says why. */
  behavior: Behavior;
  /**
   * What `behavior` judged: this bin alone (the behaviour and SOS models score the bin's own features), or
   * the host's sessions so far (the LSTM reads its running session sequences).
   */
  behaviorScope: 'bin' | 'running';
  /** Why abnormality is 0 when it could not be scored yet. */
  abnormalityNote?: string;
  /** With --anomaly behavior: what made this bin unusual. */
  behaviorDetail?: BehaviorDetail;
}

/** Sessions of the bin with `address` at either end: one host's share of a bin other hosts talk in too. */
function sessionsOfAddress(store: PacketStore, bins: Bins, address: number): number {
  const { sessions } = bins;
  const endpointAddress = store.endpoints.address;
  let count = 0;
  for (let s = 0; s < sessions.count; s++) {
    if (
      endpointAddress[sessions.srcEndpoint.data[s]!] === address ||
      endpointAddress[sessions.dstEndpoint.data[s]!] === address
    )
      count++;
  }
  return count;
}

interface HostState {
  /**
   * What the host's running roles are made of, summed over its bins, as eval aggregates a capture
   * (predictCapture): a one-layer model's bin probabilities; another model's features (the selected ones:
   * the rest cannot move its answer), whose mean it classifies.
   */
  sum: Float64Array;
  bins: number;
  rows: Float64Array[];
}

/** The running roles' probabilities of a host, as predictCapture gives for its bins. */
function runningProbabilities(model: RoleModel, host: HostState, meanRow: Float64Array): Float64Array {
  if (model.kind === 'onelayer') return host.sum.map((v) => v / host.bins);
  const selected = model.selected;
  for (let j = 0; j < selected.length; j++) meanRow[selected[j]!] = host.sum[j]! / host.bins;
  return predictBins(model, [meanRow])[0]!;
}

/** How often the open bin is looked at for a quiet close (see watchCapture). */
export const QUIET_CHECK_MS = 1000;
/** Delivery delay allowed beyond the largest one seen in the bin before a quiet bin is closed. */
export const QUIET_SLACK_S = 2;

/** The bins watch cuts a stream into: the options given, else the role model's, else the original's. */
export function watchBinOptions(
  options: Pick<WatchOptions, 'durationS' | 'warmupS'>,
  model: RoleModel,
): BinOptions {
  return {
    durationS: options.durationS ?? model.capture.binDurationS ?? DEFAULT_BIN_OPTIONS.durationS,
    warmupS: options.warmupS ?? model.capture.warmupS ?? DEFAULT_BIN_OPTIONS.warmupS,
  };
}

/** Why watch refuses a role model that is not a compat one (the CLI adds where a shared one came from). */
export function compatOnlyMessage(loaded: LoadedModel): string {
  return `${loaded.path}: watch follows streams with compat models only (this one uses ${loaded.model.features.semantics} features)`;
}

/**
 * Follows a capture stream bin by bin: every `duration` seconds of packet time, each host of the closed bin
 * gets its roles, running roles and behaviour. Memory is bounded by one bin's packets, `maxHosts` host states
 * and the endpoint pairs of the warm-up — not by the stream's length. The open bin is flushed at the end
 * (EOF or abort).
 *
 * A bin closes when a packet of a later bin arrives, or, on a live stream, when it is certain none of its own
 * is still to come: its packets arrived within a bin length of their capture time (the capture's clock is the
 * wall clock, give or take the delivery delay — not a replay of an old capture), and the wall clock has passed
 * the bin's end by more than the largest delay seen in the bin (sampled every QUIET_CHECK_MS) plus
 * QUIET_SLACK_S. The bin is then the one the next packet would have closed: the same bins, told sooner. A
 * packet that still arrives for it (a writer that held it back longer, e.g. tcpdump without -U) is reported
 * in a bin of its own, with one warning.
 */
export async function watchCapture(
  source: string | NodeJS.ReadableStream,
  options: WatchOptions,
  onUpdate: (update: WatchUpdate) => void,
): Promise<CaptureSummary> {
  const loaded = roleModelFor(options.modelPath);
  const model = loaded.model;
  if (model.features.semantics !== 'compat') throw new UsageError(compatOnlyMessage(loaded));
  const { durationS, warmupS } = watchBinOptions(options, model);
  const durationUs = durationS * 1e6;
  const countPublic = options.publicSessions ?? false;
  const maxHosts = options.maxHosts ?? 10_000;
  const maxRows = options.maxSessionRows ?? 600;
  const scorer = anomalyScorer(options, loaded);
  // Behaviour is scored per host on the closed bin alone, in the behaviour model's windows.
  // A host's network stacks of earlier bins stay its own (the second-stack term compares against them).
  const stacksOf = new Map<string, number>();
  const behaviorWindow = {
    durationS: scorer.behaviorWindowS ?? Number.POSITIVE_INFINITY,
    priorStacks: stacksOf,
    // A beacon's check-ins of earlier bins count: one every 10 minutes has at most 2 in a 15-minute bin.
    beaconMemory: new BeaconMemory(),
  };
  let behavior = scorer.needsBehavior ? new BehaviorExtractor(behaviorWindow) : null;
  const hosts = new Map<string, HostState>();
  const sumWidth = model.kind === 'onelayer' ? model.labels.length : model.selected.length;
  // A host's mean row, its selected features rewritten for each host (the others stay 0: unread).
  const meanRow = new Float64Array(model.features.count);

  let store = new PacketStore();
  let binStartUs = Number.NaN;
  let maxSeenUs = Number.NEGATIVE_INFINITY;
  let bin = 0;
  let stream: StreamState | null = null;
  let wentBack: CaptureWarning | null = null;
  let macFrames = true;
  /** IP packets read; the quiet check tells from it whether packets arrived since it last looked. */
  let packetsRead = 0;
  let packetsAtCheck = 0;
  /** The largest delivery delay (wall clock minus capture time) sampled in the open bin, µs. */
  let binDelayUs = Number.NEGATIVE_INFINITY;
  /** End (µs) of the bin last closed for quiet while no packet has started the next; NaN otherwise. */
  let quietEndUs = Number.NaN;
  let late: CaptureWarning | null = null;

  const flush = () => {
    if (store.length === 0 || !stream) return;
    const bins = buildBins(store, { durationS: Number.POSITIVE_INFINITY, warmupS }, stream);
    // The earliest and latest packet, not the first and last: times may go back a little inside a bin.
    const times = store.timeUs.data;
    let firstUs = times[0]!;
    let lastUs = firstUs;
    for (let i = 1; i < store.length; i++) {
      const t = times[i]!;
      if (t < firstUs) firstUs = t;
      else if (t > lastUs) lastUs = t;
    }
    const binStart = firstUs / 1e6;
    const binEnd = lastUs / 1e6;
    const behaviorResult = behavior ? behavior.finish() : null;
    if (behaviorResult) {
      for (const h of behaviorResult.hosts) {
        if (h.stacks === 0) continue;
        // Re-inserted last: the least recently seen host is evicted first.
        stacksOf.delete(h.key);
        stacksOf.set(h.key, h.stacks);
      }
      while (stacksOf.size > maxHosts) stacksOf.delete(stacksOf.keys().next().value!);
    }
    if (behavior) behavior = new BehaviorExtractor(behaviorWindow);
    // Where frames do not begin with MACs (framesStartWithMacs) a host is its address: its "MAC" is header bytes
    // that the features read but nobody should see or key it by.
    const byAddress = !macFrames;
    const hostList = byAddress
      ? captureHostAddresses(store, bins, countPublic)
      : captureHosts(store, bins, countPublic);
    for (const { mac, address } of hostList) {
      const compat = compatFeatures(store, bins, countPublic, mac);
      if (compat.bins.length === 0) continue;
      const ip = store.addresses.text[address] ?? null;
      const key = byAddress ? ip! : store.macs.text(mac);
      const vector = compat.bins[0]!.vector;
      const probabilities = predictBins(model, [vector])[0]!;
      const host = hosts.get(key) ?? { sum: new Float64Array(sumWidth), bins: 0, rows: [] };
      // (Re-)insert last: the Map's order is then least recently seen first, for eviction.
      hosts.delete(key);
      hosts.set(key, host);
      host.bins++;
      if (model.kind === 'onelayer')
        for (let k = 0; k < probabilities.length; k++) host.sum[k]! += probabilities[k]!;
      else for (let j = 0; j < model.selected.length; j++) host.sum[j]! += vector[model.selected[j]!]!;
      // A loop, not push(...rows): a busy bin can hold more sessions than a call has argument slots.
      for (const row of sessionVectors(store, bins, countPublic, address).rows) host.rows.push(row);
      if (host.rows.length > maxRows) host.rows.splice(0, host.rows.length - maxRows);
      const running = rankLabels(model.labels, runningProbabilities(model, host, meanRow));
      const rows = host.rows;
      const score = scorer.score({
        sessions: { rows, sourceIp: ip },
        vectors: [compat.bins[0]!.vector],
        role: running[0]![0],
        hostKey: key,
        behavior: behaviorResult,
      });
      const abnormality = score.abnormality;
      onUpdate({
        bin,
        binStart,
        binEnd,
        mac: byAddress ? '' : key,
        ip,
        roles: rankLabels(model.labels, probabilities).slice(0, 3),
        runningRoles: running.slice(0, 3),
        binsSeen: host.bins,
        sessions: sessionsOfAddress(store, bins, address),
        abnormality,
        behaviorScope: scorer.name === 'lstm' ? 'running' : 'bin',
        behavior: decide({
          topLabel: running[0]![0],
          abnormality,
          scored: score.scored,
          threshold: score.threshold,
          timestamp: binStart,
          previousUpdate: null,
        }).behavior,
        ...(!score.scored && score.note ? { abnormalityNote: score.note } : {}),
        ...(score.detail ? { behaviorDetail: score.detail } : {}),
      });
    }
    while (hosts.size > maxHosts) hosts.delete(hosts.keys().next().value!);
    bin++;
  };

  const closeQuietBin = () => {
    if (store.length === 0) return;
    const nowUs = Date.now() * 1000;
    if (packetsRead !== packetsAtCheck) {
      // The newest packet arrived since the last look: its delay is at most now minus its time.
      packetsAtCheck = packetsRead;
      binDelayUs = Math.max(binDelayUs, nowUs - maxSeenUs);
      return;
    }
    // Not live (a replay, a file read at full speed; or no delay sampled yet), or the bin's packets may
    // still be on their way.
    if (!(binDelayUs < durationUs) || binDelayUs === Number.NEGATIVE_INFINITY) return;
    const endUs = binStartUs + durationUs;
    if (nowUs < endUs + Math.max(binDelayUs, 0) + QUIET_SLACK_S * 1e6) return;
    flush();
    store = new PacketStore();
    binDelayUs = Number.NEGATIVE_INFINITY;
    quietEndUs = endUs;
  };
  // A quiet close runs on a timer, outside the read: its failure (an update that cannot be told, a scorer's
  // error) is kept, ends the read, and is thrown from here, as one in a close by a packet would be.
  let quietFailure = null as { error: unknown } | null;
  const stopReading = new AbortController();
  const closeIfQuiet = () => {
    if (quietFailure) return;
    try {
      closeQuietBin();
    } catch (error) {
      quietFailure = { error };
      stopReading.abort();
    }
  };
  const quietChecks = setInterval(closeIfQuiet, QUIET_CHECK_MS);
  // Never what keeps the process alive: the stream is.
  quietChecks.unref();
  const signal = options.signal ? AbortSignal.any([options.signal, stopReading.signal]) : stopReading.signal;
  // A stream waiting for bytes would not see the stop: this one ends with it.
  const input = source instanceof Readable ? untilAborted(source, stopReading.signal).stream : source;

  const sourceName = typeof source === 'string' ? source : '-';
  try {
    const summary = await readCapture(
      input,
      (p) => {
        if (p.ipVersion !== 4 && p.ipVersion !== 6) return;
        const t = p.timeMicros();
        packetsRead++;
        if (!Number.isNaN(quietEndUs)) {
          // The first packet after a quiet close: one of the closed bin's, late?
          if (t < quietEndUs && !late) {
            late = {
              kind: 'late-for-quiet-bin',
              message:
                `${sourceName}: a packet arrived ${((Date.now() * 1000 - t) / 1e6).toFixed(1)} s after its time, ` +
                'when its bin had been closed for want of packets: it is reported in a bin of its own (warned once; ' +
                'tcpdump -U writes each packet at once)',
            };
            options.onWarning?.(late);
          }
          quietEndUs = Number.NaN;
        }
        if (!stream) {
          stream = {
            captureStartUs: t,
            warmupPairs: new Set(),
            warmupEndpoints: new Set(),
            warmupAddresses: new Set(),
          };
          binStartUs = t;
        } else if (binStartUs - t > durationUs) {
          // Time went back across a bin (a clock step, captures appended out of order): kept in the open bin,
          // the packet would make a bin that ends before it starts and never closes until time catches up.
          // Packets reordered by less than a bin stay where they are, as eval keeps them in its open bin.
          if (!wentBack) {
            wentBack = {
              kind: REORDERED_WARNING_KIND,
              message:
                `${sourceName}: packet times go back across a bin (by ${((maxSeenUs - t) / 1e6).toFixed(3)} s): ` +
                'the open bin was closed and a new one started at the earlier time (warned once)',
            };
            options.onWarning?.(wentBack);
          }
          flush();
          store = new PacketStore();
          binStartUs = t;
          binDelayUs = Number.NEGATIVE_INFINITY;
          // The warm-up is measured in stream time that has passed: a step back does not start it again.
          stream.captureStartUs -= maxSeenUs - t;
          maxSeenUs = t;
        } else if (t - binStartUs >= durationUs) {
          flush();
          store = new PacketStore();
          binStartUs = t;
          binDelayUs = Number.NEGATIVE_INFINITY;
        }
        if (t > maxSeenUs) maxSeenUs = t;
        if (p.linkType !== LinkType.ETHERNET) macFrames = false;
        store.add(p);
        behavior?.add(p);
      },
      {
        signal,
        ...(options.follow ? { follow: true } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      },
    );
    if (quietFailure) throw quietFailure.error;
    if (wentBack) summary.warnings.push(wentBack);
    if (late) summary.warnings.push(late);
    return summary;
  } catch (err) {
    throw quietFailure ? quietFailure.error : err;
  } finally {
    clearInterval(quietChecks);
    // After a failed quiet close the bin is not told again (its first hosts may have been).
    if (!quietFailure) flush();
  }
}
