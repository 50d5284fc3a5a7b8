import { ModelError } from '../errors.js';
import {
  type BehaviorRecords,
  type BehaviorResult,
  hostRecords,
  hostVendor,
  isIndustrialService,
  NO_RECORDS,
  servicePeersText,
} from '../features/behavior.js';
import { BehaviorModel, type StreamedCaptureScore } from '../models/behavior.js';
import type { LoadedModel } from '../models/format.js';
import { loadModelDocument } from '../models/format.js';

/**
 * The behaviour model's file: the fitted BehaviorModel plus the role model it was trained beside (its
 * hash: the bin length comes from it, and a history of decisions should not mix models silently).
 */
export interface LoadedBehavior {
  model: BehaviorModel;
  path: string;
  hash: string;
  roleModel: string;
}

/**
 * Where `train` writes the behaviour model it learns beside a role model (site.json → site.behavior.json),
 * and where eval looks for it when no anomaly model is named.
 */
export function companionBehaviorPath(roleModelPath: string): string {
  return `${roleModelPath.replace(/\.json$/i, '')}.behavior.json`;
}

/** The file document of a fitted behaviour model, tied to the role model file of that hash. */
export function behaviorModelDocument(
  model: BehaviorModel,
  roleModelHash: string,
  training: Record<string, string | number | null>,
): Record<string, unknown> {
  return {
    ...model.toJSON(),
    description:
      'Behaviour model: robust-standardised header behaviour per host and time window, kNN (L1) distance to normal host-windows plus service novelty, calibrated by cross-validation',
    roleModel: roleModelHash,
    training,
  };
}

const cache = new Map<string, LoadedBehavior>();

/** A behaviour model already loaded (and checked) in this process, by path. */
export function loadedBehaviorModel(path: string): BehaviorModel | null {
  return cache.get(path)?.model ?? null;
}

export interface BehaviorBinScore {
  score: number;
  services: [number, number, number][];
}

/** A scored window as eval keeps it: enough to describe it when the device's history makes it the deciding one. */
export interface BehaviorWindowScore extends BehaviorBinScore {
  window: { index: number; start: number; end: number };
  distance: number;
  novelty: number;
}

/**
 * Adds the device's own history to its score: in each bin, services the device never used before count as
 * novelty too (same weight as services its nearest normal devices never used). Returns null when every
 * service was seen before (nothing changes). `worst` may be another bin than the model's worst: `score` is
 * its raised score and `novelty` the (unweighted) novelty its fresh services added.
 */
export function withOwnHistory(
  model: BehaviorModel,
  bins: readonly BehaviorBinScore[],
  past: ReadonlySet<number>,
  role?: string,
): { abnormality: number; worst: number; score: number; novelty: number; reasons: string[] } | null {
  let changed = false;
  const industrialKnown = [...past].some(isIndustrialService);
  const scores = bins.map((b) => {
    const fresh = b.services.filter((s) => !past.has(s[0]));
    if (fresh.length === 0) return { score: b.score, fresh, novelty: 0 };
    changed = true;
    const novelty = model.serviceNovelty(fresh, industrialKnown);
    return { score: b.score + model.noveltyWeight * novelty, fresh, novelty };
  });
  if (!changed) return null;
  let worst = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]!.score > scores[worst]!.score) worst = i;
  const abnormality = model.captureAbnormality(
    model.tailProbability(scores[worst]!.score, role),
    scores.length,
  );
  const reasons = scores[worst]!.fresh.sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([code, peers]) => `${servicePeersText(code, peers)}: never used by this device before`);
  return { abnormality, worst, score: scores[worst]!.score, novelty: scores[worst]!.novelty, reasons };
}

/**
 * The windows besides the model's worst that some history could make the deciding one in withOwnHistory:
 * those whose score would reach the worst's were every service they used new to the device.
 */
export function windowsHistoryMayDecide(model: BehaviorModel, bins: readonly BehaviorBinScore[]): number[] {
  let worst = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i]!.score > bins[worst]!.score) worst = i;
  const out: number[] = [];
  bins.forEach((b, i) => {
    // serviceNovelty grows with the set of new services, and is largest with no industrial service known.
    const most = b.score + model.noveltyWeight * model.serviceNovelty(b.services);
    if (i !== worst && most >= bins[worst]!.score) out.push(i);
  });
  return out;
}

/** Loads (once per process and path) a behaviour model and checks it belongs to this role model. */
export function loadBehaviorModel(path: string, roleModel: LoadedModel): LoadedBehavior {
  let loaded = cache.get(path);
  if (!loaded) {
    const { doc, hash } = loadModelDocument(path, 'behavior');
    let model: BehaviorModel;
    try {
      model = BehaviorModel.fromJSON(doc);
    } catch (err) {
      throw new ModelError(`${path}: ${(err as Error).message}`);
    }
    const role = typeof doc.roleModel === 'string' ? doc.roleModel : '';
    loaded = { model, path, hash, roleModel: role };
    cache.set(path, loaded);
  }
  if (loaded.roleModel !== roleModel.hash) {
    throw new ModelError(
      `${path}: this behaviour model was trained with another role model (${loaded.roleModel.slice(0, 12)}…), not ${roleModel.path}; train it with --model ${roleModel.path}`,
    );
  }
  return loaded;
}

export interface BehaviorOutcome {
  scored: boolean;
  abnormality: number;
  note?: string;
  score?: StreamedCaptureScore;
  /** The scored host's windows, read one at a time (a long capture's are not held at once). */
  windows: BehaviorRecords;
  /** The services (codes) its windows used, gathered while scoring read them, ascending; empty when not scored. */
  services: number[];
  /** Its network-stack mask over the capture (each window's is cumulative: their union), 0 when not scored. */
  stacks: number;
}

/** Seconds as a person reads them: 12 s, 4.5 min. */
function formatSeconds(s: number): string {
  return s < 60 ? `${Number(s.toFixed(1))} s` : `${Number((s / 60).toFixed(1))} min`;
}

/**
 * Scores one host of a capture (by MAC/IP key; the capture's device when the key is not a host), calibrated
 * on its predicted `role`'s own normal windows when the model has them. A fragment (model.evidenceFloor, in a
 * capture that observed the network `observedS` seconds, less than one window) is not scored; without
 * `observedS` (watch: a bin is a period watched, not a fragment) every host is.
 */
export function scoreBehavior(
  model: BehaviorModel,
  result: BehaviorResult | null,
  key: string,
  role?: string,
  observedS?: number,
): BehaviorOutcome {
  if (!result)
    return {
      scored: false,
      abnormality: 0,
      note: 'behaviour features were not computed',
      windows: NO_RECORDS,
      services: [],
      stacks: 0,
    };
  let scoredKey: string | undefined = key || undefined;
  let windows = scoredKey !== undefined ? hostRecords(result, scoredKey) : NO_RECORDS;
  if (windows.length === 0) {
    scoredKey = undefined;
    windows = hostRecords(result);
  }
  if (windows.length === 0)
    return {
      scored: false,
      abnormality: 0,
      note: 'no IP packet from a host with a private address: nothing to compare with normal behaviour',
      windows,
      services: [],
      stacks: 0,
    };
  // The services of all its windows, taken as scoring reads each one (a long capture's device has ~17,000
  // windows: they are not read a second time for this).
  const services = new Set<number>();
  let stacks = 0;
  let packets = 0;
  const source = windows;
  const counted = new Uint8Array(source.length);
  const tapped = {
    length: source.length,
    get(i: number) {
      const w = source.get(i);
      for (const x of w.services) services.add(x[0]);
      stacks |= w.stacks;
      if (!counted[i]) packets += w.packets;
      counted[i] = 1;
      return w;
    },
  };
  // The scored host's MAC vendor prefix (the vendor term: a maker's MAC doing another type's job).
  const vendor = hostVendor(result, scoredKey);
  const score = model.scoreStream(tapped, undefined, role, vendor);
  // A fragment: fewer packets than the floor in a capture shorter than one behaviour window. A device that
  // stays that quiet while a whole window is watched is judged: its quiet is its behaviour.
  const floor =
    observedS !== undefined && observedS < model.windowS ? model.evidenceFloor(role, vendor) : null;
  if (floor && packets < floor.packets)
    return {
      scored: false,
      abnormality: 0,
      note: `too little traffic to judge: ${packets} packets of the device in a capture of ${formatSeconds(observedS!)}, where the smallest normal capture of ${floor.of} had ${floor.smallest} (a capture needs at least ${floor.packets}, ${Math.round(floor.share * 100)} % of that, or a capture of ${formatSeconds(model.windowS)}, to be compared with normal ones)`,
      windows,
      services: [],
      stacks: 0,
    };
  return {
    scored: true,
    abnormality: score.abnormality,
    score,
    windows,
    services: [...services].sort((a, b) => a - b),
    stacks,
  };
}
