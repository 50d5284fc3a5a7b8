/**
 * Offline experiments on the novelty (Unknown) rule and the nearest-capture classifier, without model
 * selection: loads the feature cache of bench/roles-accuracy.ts and measures, per corpus, for each variant:
 *  - unseen→Unknown: leave-one-type-out, reference + conformal threshold fitted on the other types;
 *  - known→Unknown and nearest-capture accuracy: per-capture 5-fold CV, seeds 0–4 (folds change with the seed);
 *  - the held-out-like 7-type simulation (roles-dev + 9 HueBridge, a third held out, splits 0–4).
 * It reproduces the recipe's figures for `base` (the rule before issue 13's 2nd round) and `union-s3-joint`
 * (the rule now: nearest-type distance + service-role rule, calibrated jointly). Variants: `base-kN` (k
 * nearest), `class-kN` (distance to the nearest type), `reliefN`/`fisher*` (column weights learnt from
 * the known types), `dir`/`roleN`/`groups*` (hand-set column weights), `topM`/`powP` (other distances),
 * `union-*` (a second rule on service-role columns: s3 = out/in hostIsServer + initiatedShare, k3 = those
 * + local/remote port counts, s7 = + peers/flows; `-joint` = one threshold on the larger rank, else each
 * at rate / 2; `-labL`/`-lwW` = the classifier also weighs the service role). Below 1/rate − 1 training
 * captures the joint rule calls a capture Unknown when either score is above its largest calibration
 * score; `union-s3-joint-xE` raises both to (1 + E) × the largest, `union-s3-joint-tailK` adds an
 * exponential-tail step estimated from the top K spacings, `-sxE` / `-mxE` raise only the service-role /
 * main score's (issue 13, 3rd round: the service-role margin was adopted at 1.25, see training/calibrate.ts).
 * `--all-extras`: the held-out simulation with each IoT Sentinel type in turn as the 7th type (35 splits).
 * Issue 13, 5th round (tried, not adopted): `norm-{min,nearest}-kK[-aA][-mean|-q75|-max]` = the main score
 * in units of each type's own spread (Normalise), `singleF-{main,both}` = a type of fewer than F training
 * captures is no nearest type. `--devices LABELS.tsv`: roles-dev's held-out devices (alone and with IoT
 * Sentinel in training); `--train-dir D --eval-dir D...`: a given split by file name (the cache's captures
 * named as the files in D), e.g. the reviewer's /tmp/rev-beh-data split.
 * Issue 13, 6th round (tried, not adopted): `small-{med,rom,q,btw}-{main,both}` = a type of n_c < k training
 * captures has its n_c-mean made comparable with a k-mean (Variant.small: the median ratio k-mean / j-mean of
 * captures to their own type, the ratio of the medians, a quantile map, or the median ratio to the nearest
 * OTHER type); `--thin J`: each type cut to J training captures while each other type is left out (thinSim).
 *
 *   node --import tsx bench/novelty-lab.ts --cache FILE [--variant NAME]... [--corpus NAME]...
 *       [--unknown-rate R] [--verbose] [--no-sim] [--all-extras] [--devices LABELS.tsv]
 *       [--train-dir DIR --eval-dir DIR...] [--thin J]...
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PORT_LABELS, V2_OWN_COUNT, v2FeatureNames } from '../src/features/v2/index.js';
import { V2_FEATURE_GROUPS, V2_GROUP_LAYOUT } from '../src/features/v2/names.js';
import { midRank } from '../src/models/novelty.js';
import { Rng } from '../src/models/rng.js';
import { captureFolds } from '../src/training/select.js';
import { heldoutSplit, simulationCaptures } from './heldout-split.js';
import { args, type Cap, loadCorpora } from './rank-corpora.js';

const cache = args('cache')[0] ?? '/tmp/rolesdev-cache.json';
// --ports: the cache's per-port block too, after the header columns (variants name it `port.<label>`);
// every other variant leaves it out of its distances.
const withPorts = process.argv.includes('--ports');
const corpora = loadCorpora(cache, withPorts);
const H = V2_OWN_COUNT + (withPorts ? PORT_LABELS.length : 0);

export interface Space {
  /** Rank vector of a raw capture mean. */
  rank(x: Float64Array): Float64Array;
  /** Training ranks. */
  ranks: Float64Array[];
  w: Float64Array;
}

function rankSpace(train: Cap[]): { rank: (x: Float64Array) => Float64Array; ranks: Float64Array[] } {
  const n = train.length;
  const sorted: Float64Array[] = [];
  for (let f = 0; f < H; f++) sorted.push(Float64Array.from(train.map((c) => c.x[f]!)).sort());
  const rank = (x: Float64Array) => {
    const q = new Float64Array(H);
    for (let f = 0; f < H; f++) q[f] = midRank(sorted[f]!, 0, n, x[f]!);
    return q;
  };
  return { rank, ranks: train.map((c) => rank(c.x)) };
}

let topM = 0;
let powerP = 1;
const diffBuf = new Float64Array(H);
function dist(a: Float64Array, b: Float64Array, w: Float64Array): number {
  if (topM > 0) {
    for (let f = 0; f < H; f++) diffBuf[f] = Math.abs(a[f]! - b[f]!);
    diffBuf.sort();
    let t = 0;
    for (let f = H - topM; f < H; f++) t += diffBuf[f]!;
    return t / topM;
  }
  if (powerP !== 1) {
    let t = 0;
    for (let f = 0; f < H; f++) t += Math.abs(a[f]! - b[f]!) ** powerP;
    return (t / H) ** (1 / powerP);
  }
  let s = 0;
  let sw = 0;
  for (let f = 0; f < H; f++) {
    s += w[f]! * Math.abs(a[f]! - b[f]!);
    sw += w[f]!;
  }
  return s / sw;
}

type Weighting = (ranks: Float64Array[], labels: string[]) => Float64Array;

const uniform: Weighting = () => new Float64Array(H).fill(1, 0, V2_OWN_COUNT);

/** ReliefF on ranks: w_f = mean over captures of (prior-weighted nearest-miss diff − nearest-hit diff). */
function relief(kn: number, floor: number): Weighting {
  return (ranks, labels) => {
    const n = ranks.length;
    const w = new Float64Array(H);
    const u = new Float64Array(H).fill(1);
    const count = new Map<string, number>();
    for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
    const d = ranks.map((a) => ranks.map((b) => dist(a, b, u)));
    let used = 0;
    for (let i = 0; i < n; i++) {
      const li = labels[i]!;
      const hits: number[] = [];
      const byClass = new Map<string, number[]>();
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        if (labels[j] === li) hits.push(j);
        else {
          const l = byClass.get(labels[j]!) ?? [];
          l.push(j);
          byClass.set(labels[j]!, l);
        }
      }
      if (hits.length === 0) continue;
      used++;
      hits.sort((a, b) => d[i]![a]! - d[i]![b]!);
      const hk = hits.slice(0, kn);
      for (const h of hk)
        for (let f = 0; f < H; f++) w[f]! -= Math.abs(ranks[i]![f]! - ranks[h]![f]!) / hk.length;
      const pi = count.get(li)! / n;
      for (const [l, js] of byClass) {
        js.sort((a, b) => d[i]![a]! - d[i]![b]!);
        const mk = js.slice(0, kn);
        const pr = count.get(l)! / n / (1 - pi);
        for (const m of mk)
          for (let f = 0; f < H; f++) w[f]! += (pr * Math.abs(ranks[i]![f]! - ranks[m]![f]!)) / mk.length;
      }
    }
    let max = 0;
    for (let f = 0; f < H; f++) {
      w[f] = w[f]! / Math.max(1, used);
      if (w[f]! > max) max = w[f]!;
    }
    for (let f = 0; f < H; f++) w[f] = Math.max(floor * max, w[f]!);
    return w;
  };
}

/** Between-type over within-type mean absolute rank difference per column. */
function fisher(eps: number, power: number): Weighting {
  return (ranks, labels) => {
    const n = ranks.length;
    const w = new Float64Array(H);
    for (let f = 0; f < H; f++) {
      let bs = 0;
      let bn = 0;
      let ws = 0;
      let wn = 0;
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          const v = Math.abs(ranks[i]![f]! - ranks[j]![f]!);
          if (labels[i] === labels[j]) {
            ws += v;
            wn++;
          } else {
            bs += v;
            bn++;
          }
        }
      w[f] = ((bs / Math.max(1, bn) + 1e-9) / (ws / Math.max(1, wn) + eps)) ** power;
    }
    return w;
  };
}

function named(names: string[], factor: number): Weighting {
  return () => {
    const w = new Float64Array(H).fill(1);
    for (const nm of names) w[nameIndex(nm)] = factor;
    return w;
  };
}

const NAMES = v2FeatureNames();
function nameIndex(nm: string): number {
  if (nm.startsWith('port.')) {
    const p = PORT_LABELS.indexOf(nm.slice(5) as (typeof PORT_LABELS)[number]);
    if (p < 0 || !withPorts) throw new Error(`${nm} (needs --ports)`);
    return V2_OWN_COUNT + p;
  }
  const i = NAMES.indexOf(nm);
  if (i < 0) throw new Error(nm);
  return i;
}

interface Variant {
  weighting: Weighting;
  k: number;
  top?: number;
  power?: number;
  /** Per-class scaling of the novelty by the nearest class's own LOO spread. */
  perClass?: boolean;
  /** A second rule OR-ed with this one (each at half the rate). */
  second?: Variant;
  /** Label by the nearest capture under d₁/t₁ + λ·d₂/t₂. */
  combinedLabel?: number;
  /** Label by the nearest capture under this column weighting. */
  labelWeighting?: Weighting;
  /** With `second`: one conformal threshold on max(F₁(s₁), F₂(s₂)) (F = CDF of the rule's LOO scores). */
  joint?: boolean;
  /** Below 1/rate − 1 calibration scores: Unknown when a rule's score is above (1 + this) × its largest. */
  extrapolate?: number;
  /** With extrapolate: raise only this rule's bound. */
  only?: 'main' | 'second';
  /** Below 1/rate − 1 scores: per rule, the largest + an exponential-tail step from its top `tail` spacings. */
  tail?: number;
  /**
   * With perClass: a type with fewer training captures than this is no nearest type (its one capture was
   * the nearest "type" of an unseen one; issue 13, 5th round).
   */
  acceptFrom?: number;
  /** With perClass: the distance to a type in units of that type's own spread (normalised nonconformity). */
  normalise?: Normalise;
  /**
   * With perClass: a type of n_c < k training captures has its mean of n_c nearest multiplied by ρ_{n_c}, the
   * typical ratio of the mean of the k nearest to the mean of the j nearest of a capture's own type,
   * measured on the training captures of types with ≥ k + 1 (leave-one-out: k others of its type) (issue 13,
   * 6th round). `stat`: 'med' = the median over those captures of their ratio, 'rom' = the ratio of the
   * medians of the two means, 'q' = a quantile map (the j-mean's mid-rank among theirs, the k-mean's
   * quantile at it; beyond their range, times the ratio of the largest), 'btw' = the median ratio of each
   * capture's k-mean to its j-mean to its nearest OTHER type of ≥ k captures (what a capture of none of the
   * type's kind gains by a type being small).
   */
  small?: { stat: 'med' | 'rom' | 'q' | 'btw' };
}

/**
 * Normalised nonconformity (issue 13, 5th round): the distance D_c to type c times (σ_g / σ_c)^alpha, σ_c a
 * robust spread of c's own captures (the median over them of each one's distance to the rest of its type,
 * leave-one-out), shrunk toward the global spread σ_g (the median of the types' spreads) as
 * σ_c = (m σ̂_c + κ σ_g) / (m + κ) for a type of m ≥ 2 captures (σ_g for a type of one). `min`: the score is
 * the smallest normalised distance over types; `nearest`: the normalised distance to the nearest type by
 * D_c. alpha 0 is the rule now.
 */
interface Normalise {
  kappa: number;
  mode: 'min' | 'nearest';
  alpha: number;
  /**
   * The type's spread from its captures' leave-one-out distances: the median (default), the mean, the upper
   * quartile (the ⌊0.75 m⌋-th of m, 0-based) or the largest (a per-type scale of its tail: Mondrian-like).
   */
  centre?: 'median' | 'mean' | 'q75' | 'max';
}

const variants: Record<string, Variant> = {
  base: { weighting: uniform, k: 3 },
  relief1: { weighting: relief(1, 0), k: 3 },
  relief3: { weighting: relief(3, 0), k: 3 },
  relief1f: { weighting: relief(1, 0.1), k: 3 },
  relief3f: { weighting: relief(3, 0.1), k: 3 },
  fisher: { weighting: fisher(0.02, 1), k: 3 },
  fisher2: { weighting: fisher(0.02, 2), k: 3 },
  fisherh: { weighting: fisher(0.02, 0.5), k: 3 },
  dir: {
    weighting: named(
      ['out.service.hostIsServer', 'in.service.hostIsServer', 'host.flows.initiatedShare'],
      10,
    ),
    k: 3,
  },
};
const ROLE_FEATURES = [
  'out.service.hostIsServer',
  'in.service.hostIsServer',
  'host.flows.initiatedShare',
  'host.localPorts.log2',
  'host.remotePorts.log2',
];
for (const f of [2, 3, 5]) variants[`role${f}`] = { weighting: named(ROLE_FEATURES, f), k: 3 };
variants.groups = {
  weighting: () => {
    const w = new Float64Array(H);
    for (const g of V2_FEATURE_GROUPS) {
      const at = V2_GROUP_LAYOUT.at[g.name]!;
      for (let i = 0; i < g.labels.length; i++) w[at + i] = 1 / g.labels.length;
    }
    return w;
  },
  k: 3,
};
variants.groupsHalf = {
  weighting: () => {
    const w = new Float64Array(H);
    for (const g of V2_FEATURE_GROUPS) {
      const at = V2_GROUP_LAYOUT.at[g.name]!;
      for (let i = 0; i < g.labels.length; i++) w[at + i] = 1 / Math.sqrt(g.labels.length);
    }
    return w;
  },
  k: 3,
};
for (const k of [2, 3, 4, 5]) variants[`class-k${k}`] = { weighting: uniform, k, perClass: true };
for (const f of [2, 3, 5, 10])
  variants[`class-k3-role${f}`] = { weighting: named(ROLE_FEATURES, f), k: 3, perClass: true };
variants['class-k3-relief'] = { weighting: relief(1, 0.1), k: 3, perClass: true };
variants['class-k3-fisherh'] = { weighting: fisher(0.02, 0.5), k: 3, perClass: true };
const only =
  (names: string[]): Weighting =>
  () => {
    const w = new Float64Array(H);
    for (const nm of names) w[nameIndex(nm)] = 1;
    return w;
  };
for (const k of [1, 2, 3]) {
  variants[`union-k${k}`] = {
    weighting: uniform,
    k: 3,
    perClass: true,
    second: { weighting: only(ROLE_FEATURES), k, perClass: true },
  };
  variants[`union0-k${k}`] = {
    weighting: uniform,
    k: 3,
    second: { weighting: only(ROLE_FEATURES), k },
  };
}
variants['union-s3'] = {
  weighting: uniform,
  k: 3,
  perClass: true,
  second: { weighting: only(ROLE_FEATURES.slice(0, 3)), k: 3, perClass: true },
};
variants['union-s7'] = {
  weighting: uniform,
  k: 3,
  perClass: true,
  second: {
    weighting: only([...ROLE_FEATURES, 'host.peers.log2', 'host.flows.log2']),
    k: 3,
    perClass: true,
  },
};
for (const l of [0.1, 0.25, 0.5, 1])
  variants[`union-lab${l}`] = { ...variants['union-k3']!, combinedLabel: l };
for (const l of [0.25, 0.5]) variants[`union-s3-lab${l}`] = { ...variants['union-s3']!, combinedLabel: l };
for (const f of [2, 3, 5, 10]) {
  variants[`union-s3-lw${f}`] = {
    ...variants['union-s3']!,
    labelWeighting: named(ROLE_FEATURES.slice(0, 3), f),
  };
  variants[`union-s3-lw5-${f}`] = { ...variants['union-s3']!, labelWeighting: named(ROLE_FEATURES, f) };
}
variants['union-s3-joint'] = { ...variants['union-s3']!, joint: true };
// The service-role rule on the per-port block (--ports), instead of or beside the three role columns.
const PORT_NAMES = PORT_LABELS.map((l) => `port.${l}`);
for (const [name, cols] of [
  ['p6', PORT_NAMES],
  ['s3p6', [...ROLE_FEATURES.slice(0, 3), ...PORT_NAMES]],
] as const)
  variants[`union-${name}-joint-sx0.25`] = {
    weighting: uniform,
    k: 3,
    perClass: true,
    second: { weighting: only([...cols]), k: 3, perClass: true },
    joint: true,
    extrapolate: 0.25,
    only: 'second',
  };
// Normalised nonconformity on the main score (the service-role score as now), with the small-n margin.
for (const mode of ['min', 'nearest'] as const)
  for (const kappa of [0, 1, 3, 5, 10, 20])
    for (const alpha of [0.5, 1])
      for (const centre of ['median', 'mean', 'q75', 'max'] as const)
        variants[
          `norm-${mode}-k${kappa}${alpha === 1 ? '' : `-a${alpha}`}${centre === 'median' ? '' : `-${centre}`}`
        ] = {
          ...variants['union-s3']!,
          joint: true,
          extrapolate: 0.25,
          only: 'second',
          normalise: { kappa, mode, alpha, centre },
        };
// A type of one training capture is no nearest type: for the main score, for both.
for (const from of [2, 3]) {
  variants[`single${from}-main`] = {
    ...variants['union-s3']!,
    joint: true,
    extrapolate: 0.25,
    only: 'second',
    acceptFrom: from,
  };
  variants[`single${from}-both`] = {
    ...variants[`single${from}-main`]!,
    second: { ...variants['union-s3']!.second!, acceptFrom: from },
  };
}
// A small type's distance made comparable with a k-mean (issue 13, 6th round): main score, or both.
for (const stat of ['med', 'rom', 'q', 'btw'] as const) {
  variants[`small-${stat}-main`] = {
    ...variants['union-s3']!,
    joint: true,
    extrapolate: 0.25,
    only: 'second',
    small: { stat },
  };
  variants[`small-${stat}-both`] = {
    ...variants[`small-${stat}-main`]!,
    second: { ...variants['union-s3']!.second!, small: { stat } },
  };
}
for (const k of [3, 5, 10])
  variants[`union-s3-joint-tail${k}`] = { ...variants['union-s3']!, joint: true, tail: k };
for (const e of [0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 1]) {
  variants[`union-s3-joint-sx${e}`] = {
    ...variants['union-s3']!,
    joint: true,
    extrapolate: e,
    only: 'second',
  };
  variants[`union-s3-joint-mx${e}`] = { ...variants['union-s3']!, joint: true, extrapolate: e, only: 'main' };
}
for (const e of [0.03, 0.05, 0.07, 0.1, 0.2, 0.3])
  variants[`union-s3-joint-x${e}`] = { ...variants['union-s3']!, joint: true, extrapolate: e };
variants['union-k3-joint'] = { ...variants['union-k3']!, joint: true };
for (const m of [5, 10, 20, 40, 80]) variants[`top${m}`] = { weighting: uniform, k: 3, top: m };
for (const p of [0.5, 0.75, 1.5]) variants[`pow${p}`] = { weighting: uniform, k: 3, power: p };
for (const k of [1, 2, 5]) {
  variants[`base-k${k}`] = { weighting: uniform, k };
  variants[`relief1-k${k}`] = { weighting: relief(1, 0), k };
  variants[`fisher-k${k}`] = { weighting: fisher(0.02, 1), k };
}

interface Fitted {
  space: ReturnType<typeof rankSpace>;
  w: Float64Array;
  labels: string[];
  k: number;
  threshold: number;
  perClass: boolean;
  second?: Fitted;
  combinedLabel?: number;
  labelW?: Float64Array;
  cal?: number[];
  calRaw?: number[];
  joint?: number;
  extrapolate?: number;
  only?: 'main' | 'second';
  tails?: [number, number];
  /** Types that are no nearest type (Variant.acceptFrom). */
  skip?: Set<string>;
  /** Variant.small: maps a type's mean of its j = n_c < k nearest to a distance comparable with a k-mean. */
  inflate?: (mean: number, j: number) => number;
  /** Normalised nonconformity: the per-type factor (σ_g / σ_c)^alpha, and how the score is taken. */
  norm?: { factor: Map<string, number>; mode: 'min' | 'nearest' };
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Per type, (σ_g / σ_c)^alpha (Normalise) from the distance matrix `dist` of the training captures, without
 * capture `skip` (−1: none).
 */
function typeFactors(dist: number[][], labels: string[], k: number, nm: Normalise, skip: number) {
  const members = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const m = members.get(l) ?? [];
    if (i !== skip) m.push(i);
    members.set(l, m);
  });
  const own = new Map<string, number>();
  const size = new Map<string, number>();
  for (const [l, m] of members) {
    size.set(l, m.length);
    if (m.length < 2) continue;
    const w = m.map((i) =>
      meanSmallest(
        m.filter((j) => j !== i).map((j) => dist[i]![j]!),
        k,
      ),
    );
    w.sort((a, b) => a - b);
    own.set(
      l,
      nm.centre === 'mean'
        ? w.reduce((a, b) => a + b, 0) / w.length
        : nm.centre === 'max'
          ? w.at(-1)!
          : nm.centre === 'q75'
            ? w[Math.min(w.length - 1, Math.floor(0.75 * w.length))]!
            : median(w),
    );
  }
  const global = own.size > 0 ? median([...own.values()]) : 1;
  const factor = new Map<string, number>();
  for (const l of members.keys()) {
    const m = own.has(l) ? size.get(l)! : 0;
    const sigma = m + nm.kappa > 0 ? (m * (own.get(l) ?? 0) + nm.kappa * global) / (m + nm.kappa) : global;
    factor.set(l, sigma > 0 ? (global / sigma) ** nm.alpha : global > 0 ? Number.POSITIVE_INFINITY : 1);
  }
  return factor;
}

/** classNovelty with each type's distance times its factor (`min`), or the nearest type's (`nearest`). */
function normalisedNovelty(
  d: number[],
  labels: string[],
  k: number,
  factor: Map<string, number>,
  mode: 'min' | 'nearest',
): number {
  const by = new Map<string, number[]>();
  d.forEach((v, i) => {
    const l = by.get(labels[i]!) ?? [];
    l.push(v);
    by.set(labels[i]!, l);
  });
  let best = Number.POSITIVE_INFINITY;
  let nearest = Number.POSITIVE_INFINITY;
  let out = Number.POSITIVE_INFINITY;
  for (const [l, v] of by) {
    const raw = meanSmallest(v, k);
    const f = factor.get(l)!;
    best = Math.min(best, raw * f);
    if (raw < nearest) {
      nearest = raw;
      out = raw * f;
    }
  }
  return mode === 'min' ? best : out;
}

function meanSmallest(d: number[], k: number): number {
  d.sort((a, b) => a - b);
  const m = Math.min(k, d.length);
  let s = 0;
  for (let i = 0; i < m; i++) s += d[i]!;
  return s / m;
}

/** Distance to the nearest type: min over labels of the mean of that label's min(k, n_c) nearest. */
function classNovelty(
  d: number[],
  labels: string[],
  k: number,
  skip?: Set<string>,
  inflate?: (mean: number, j: number) => number,
): number {
  const by = new Map<string, number[]>();
  d.forEach((v, i) => {
    if (skip?.has(labels[i]!)) return;
    const l = by.get(labels[i]!) ?? [];
    l.push(v);
    by.set(labels[i]!, l);
  });
  let best = Number.POSITIVE_INFINITY;
  for (const l of by.values()) {
    const m = meanSmallest(l, k);
    best = Math.min(best, inflate && l.length < k ? inflate(m, l.length) : m);
  }
  return best;
}

/**
 * Variant.small: from the training captures of types with ≥ k + 1 captures, each one's mean distance to its
 * j nearest and its k nearest others of its type (j = 1 … k − 1), a map from a j-mean to a k-comparable
 * distance.
 */
function smallTypeInflation(
  dist: number[][],
  labels: string[],
  k: number,
  stat: 'med' | 'rom' | 'q' | 'btw',
): (mean: number, j: number) => number {
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  const jm: number[][] = Array.from({ length: k }, () => []);
  const km: number[] = [];
  labels.forEach((l, i) => {
    if (count.get(l)! < k + 1) return;
    let target = l;
    if (stat === 'btw') {
      // The nearest other type of ≥ k captures: how a j-mean compares with a k-mean for a capture of
      // none of the type's kind.
      let best = Number.POSITIVE_INFINITY;
      labels.forEach((m, j) => {
        if (m !== l && count.get(m)! >= k && dist[i]![j]! < best) {
          best = dist[i]![j]!;
          target = m;
        }
      });
      if (target === l) return;
    }
    const own = labels
      .flatMap((m, j) => (m === target && j !== i ? [dist[i]![j]!] : []))
      .sort((a, b) => a - b);
    let s = 0;
    for (let j = 1; j <= k; j++) {
      s += own[j - 1]!;
      if (j < k) jm[j]!.push(s / j);
    }
    km.push(s / k);
  });
  if (km.length === 0) return (m) => m;
  if (stat === 'q') {
    const ks = km.slice().sort((a, b) => a - b);
    const js = jm.map((v) => v.slice().sort((a, b) => a - b));
    return (m, j) => {
      const u = cdf(js[j]!, m);
      // The k-mean's quantile at u (linear between order statistics), as a factor on m where m is outside.
      const pos = u * ks.length - 0.5;
      if (pos <= 0) return m * (ks[0]! / Math.max(js[j]![0]!, 1e-12));
      if (pos >= ks.length - 1) return m * (ks.at(-1)! / Math.max(js[j]!.at(-1)!, 1e-12));
      const lo = Math.floor(pos);
      return ks[lo]! + (pos - lo) * (ks[lo + 1]! - ks[lo]!);
    };
  }
  const rho = jm.map((v, j) => {
    if (j === 0) return 1;
    if (stat === 'rom') {
      const a = median(v);
      return a > 0 ? median(km) / a : 1;
    }
    const r = v.flatMap((x, i) => (x > 0 ? [km[i]! / x] : []));
    return r.length > 0 ? median(r) : 1;
  });
  return (m, j) => m * rho[j]!;
}

/** Mid-rank CDF of s among sorted calibration scores. */
function cdf(sorted: number[], s: number): number {
  let below = 0;
  let eq = 0;
  for (const a of sorted) {
    if (a < s) below++;
    else if (a === s) eq++;
  }
  return (below + 0.5 * eq) / sorted.length;
}

function fit(train: Cap[], v: Variant, rate: number): Fitted {
  if (v.second && v.joint) {
    const a = fit(train, { ...v, second: undefined, joint: false }, rate);
    a.second = fit(train, v.second, rate);
    const u = a.cal!.map((s1, i) => Math.max(cdf(a.cal!, s1), cdf(a.second!.cal!, a.second!.calRaw![i]!)));
    u.sort((x, y) => x - y);
    const kk = Math.ceil((1 - rate) * (u.length + 1) - 1e-9);
    a.joint = u[Math.min(kk, u.length) - 1]!;
    if (v.extrapolate !== undefined && kk > u.length) {
      a.extrapolate = v.extrapolate;
      a.only = v.only;
    }
    if (v.tail !== undefined && kk > u.length) {
      // Rényi: the top spacings times their index are ~Exp(σ); a new score passes the largest of m by t
      // with probability exp(−t/σ)/(m+1); two rules share the rate.
      const step = (cal: number[]): number => {
        const m = cal.length;
        const k = Math.min(v.tail!, m - 1);
        let sig = 0;
        for (let i = 1; i <= k; i++) sig += (i * (cal[m - i]! - cal[m - i - 1]!)) / k;
        return cal[m - 1]! + Math.max(0, sig * Math.log(2 / ((m + 1) * rate)));
      };
      a.tails = [step(a.cal!), step(a.second.cal!)];
    }
    return a;
  }
  if (v.second) {
    const a = fit(train, { ...v, second: undefined }, rate / 2);
    a.second = fit(train, v.second, rate / 2);
    a.combinedLabel = v.combinedLabel;
    if (v.labelWeighting) a.labelW = v.labelWeighting(a.space.ranks, a.labels);
    return a;
  }
  const space = rankSpace(train);
  const labels = train.map((c) => c.label);
  const w = v.weighting(space.ranks, labels);
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  const nm = v.perClass ? v.normalise : undefined;
  const skip = new Set([...count].flatMap(([l, c]) => (c < (v.acceptFrom ?? 0) ? [l] : [])));
  const matrix = nm || v.small ? space.ranks.map((a) => space.ranks.map((b) => dist(a, b, w))) : [];
  const inflate = v.perClass && v.small ? smallTypeInflation(matrix, labels, v.k, v.small.stat) : undefined;
  const scores: number[] = [];
  for (let i = 0; i < train.length; i++) {
    if (count.get(labels[i]!)! < 2) continue;
    const d: number[] = [];
    const ls: string[] = [];
    for (let j = 0; j < train.length; j++)
      if (j !== i) {
        d.push(dist(space.ranks[i]!, space.ranks[j]!, w));
        ls.push(labels[j]!);
      }
    scores.push(
      nm
        ? normalisedNovelty(d, ls, v.k, typeFactors(matrix, labels, v.k, nm, i), nm.mode)
        : v.perClass
          ? classNovelty(d, ls, v.k, skip, inflate)
          : meanSmallest(d, v.k),
    );
  }
  const calRaw = scores.slice();
  scores.sort((a, b) => a - b);
  const kk = Math.ceil((1 - rate) * (scores.length + 1) - 1e-9);
  return {
    space,
    w,
    labels,
    k: v.k,
    perClass: v.perClass ?? false,
    threshold: scores[Math.min(kk, scores.length) - 1]!,
    cal: scores,
    calRaw,
    skip,
    ...(inflate ? { inflate } : {}),
    ...(nm ? { norm: { factor: typeFactors(matrix, labels, v.k, nm, -1), mode: nm.mode } } : {}),
  };
}

function score(m: Fitted, x: Float64Array): { novelty: number; label: string } {
  const q = m.space.rank(x);
  const d = m.space.ranks.map((r) => dist(q, r, m.w));
  let best = 0;
  if (m.second && m.combinedLabel) {
    const q2 = m.second.space.rank(x);
    const c = d.map(
      (v, i) =>
        v / m.threshold +
        (m.combinedLabel! * dist(q2, m.second!.space.ranks[i]!, m.second!.w)) / m.second!.threshold,
    );
    for (let i = 1; i < c.length; i++) if (c[i]! < c[best]!) best = i;
  } else if (m.labelW) {
    const c = m.space.ranks.map((r) => dist(q, r, m.labelW!));
    for (let i = 1; i < c.length; i++) if (c[i]! < c[best]!) best = i;
  } else for (let i = 1; i < d.length; i++) if (d[i]! < d[best]!) best = i;
  const nov = m.norm
    ? normalisedNovelty(d.slice(), m.labels, m.k, m.norm.factor, m.norm.mode)
    : m.perClass
      ? classNovelty(d.slice(), m.labels, m.k, m.skip, m.inflate)
      : meanSmallest(d.slice(), m.k);
  let ratio = nov / m.threshold;
  if (m.second && m.joint !== undefined) {
    const s2 = score(m.second, x).novelty * m.second.threshold;
    ratio = m.tails
      ? Math.max(nov / m.tails[0], s2 / m.tails[1])
      : m.extrapolate !== undefined
        ? Math.max(
            nov / m.cal!.at(-1)! / (m.only === 'second' ? 1 : 1 + m.extrapolate),
            s2 / m.second.cal!.at(-1)! / (m.only === 'main' ? 1 : 1 + m.extrapolate),
          )
        : Math.max(cdf(m.cal!, nov), cdf(m.second.cal!, s2)) / m.joint;
  } else if (m.second) ratio = Math.max(ratio, score(m.second, x).novelty);
  return { novelty: ratio, label: m.labels[best]! };
}

function evaluate(name: string, caps: Cap[], v: Variant, rate: number) {
  const labels = [...new Set(caps.map((c) => c.label))].sort();
  let unseen = 0;
  let unseenU = 0;
  const missed: string[] = [];
  for (const held of labels) {
    const m = fit(
      caps.filter((c) => c.label !== held),
      v,
      rate,
    );
    for (const c of caps)
      if (c.label === held) {
        unseen++;
        if (score(m, c.x).novelty > 1) unseenU++;
        else missed.push(c.name.split('-').slice(0, 2).join('-'));
      }
  }
  const accs: number[] = [];
  const forced: number[] = [];
  let knownU = 0;
  let known = 0;
  const wrong = new Map<string, number>();
  for (const seed of [0, 1, 2, 3, 4]) {
    const folds = captureFolds(
      caps.map((c) => c.label),
      5,
      seed,
    );
    let right = 0;
    let fr = 0;
    for (const test of folds) {
      const t = new Set(test);
      const m = fit(
        caps.filter((_, i) => !t.has(i)),
        v,
        rate,
      );
      for (const i of test) {
        const s = score(m, caps[i]!.x);
        const u = s.novelty > 1;
        known++;
        if (u) knownU++;
        if (s.label === caps[i]!.label) fr++;
        if (!u && s.label === caps[i]!.label) right++;
        else {
          const key = `${caps[i]!.name.split('-').slice(0, 2).join('-')}→${u ? 'U' : s.label}`;
          wrong.set(key, (wrong.get(key) ?? 0) + 1);
        }
      }
    }
    accs.push(right / caps.length);
    forced.push(fr / caps.length);
  }
  console.log(
    `${name.padEnd(12)} unseen→U ${((100 * unseenU) / unseen).toFixed(1).padStart(5)} %  known→U ${((100 * knownU) / known).toFixed(1).padStart(4)} %  ` +
      `acc ${accs.map((a) => a.toFixed(3)).join(' ')}  forced ${forced.map((a) => a.toFixed(3)).join(' ')}`,
  );
  if (process.argv.includes('--verbose')) {
    console.log(`   unseen missed: ${missed.join(' ')}`);
    console.log(`   wrong (of 5 seeds): ${[...wrong].map(([k, n]) => `${k}×${n}`).join(' ')}`);
  }
}

function heldoutSim(v: Variant, rate: number, extraType = 'HueBridge') {
  const all = simulationCaptures(corpora['roles-dev'] ?? [], corpora['iot-sentinel'] ?? [], extraType);
  const out: string[] = [];
  for (const seed of [0, 1, 2, 3, 4]) {
    const { train, test } = heldoutSplit(all, seed);
    const m = fit(train, v, rate);
    let right = 0;
    let unknown = 0;
    for (const c of test) {
      const s = score(m, c.x);
      const u = s.novelty > 1;
      if (u) unknown++;
      if (!u && s.label === c.label) right++;
    }
    out.push(`${(right / test.length).toFixed(3)}/${unknown}U`);
  }
  console.log(
    `${''.padEnd(12)} held-out sim${extraType === 'HueBridge' ? '' : ` (+${extraType})`} ${out.join(' ')}`,
  );
}

/**
 * A given split (`--train-dir DIR --eval-dir DIR...`: the captures of the cache named as the files in those
 * directories): per evaluated directory, per type, how many are called Unknown and how many labelled right,
 * with the range of their novelty in units of the threshold.
 */
function dirSplit(v: Variant, rate: number, trainDir: string, evalDirs: string[]) {
  const byName = new Map((corpora.pooled ?? []).map((c) => [c.name, c]));
  const pick = (dir: string) =>
    readdirSync(dir)
      .filter((f) => byName.has(f))
      .map((f) => byName.get(f)!);
  const train = pick(trainDir);
  const m = fit(train, v, rate);
  const known = new Set(train.map((c) => c.label));
  for (const dir of evalDirs) {
    const by = new Map<string, { n: number; u: number; right: number; lo: number; hi: number }>();
    for (const c of pick(dir)) {
      const s = score(m, c.x);
      const r = by.get(c.label) ?? { n: 0, u: 0, right: 0, lo: Number.POSITIVE_INFINITY, hi: 0 };
      by.set(c.label, r);
      r.n++;
      if (s.novelty > 1) r.u++;
      else if (s.label === c.label) r.right++;
      r.lo = Math.min(r.lo, s.novelty);
      r.hi = Math.max(r.hi, s.novelty);
    }
    const rows = [...by].sort(([a], [b]) => a.localeCompare(b));
    const sum = (f: (r: { n: number; u: number; right: number }) => number, kn: boolean) =>
      rows.filter(([l]) => known.has(l) === kn).reduce((a, [, r]) => a + f(r), 0);
    console.log(
      `${''.padEnd(12)} ${basename(dir)} (trained on ${train.length}): known ${sum((r) => r.u, true)}/${sum((r) => r.n, true)} Unknown, ` +
        `${sum((r) => r.right, true)} right; unseen ${sum((r) => r.u, false)}/${sum((r) => r.n, false)} Unknown`,
    );
    if (process.argv.includes('--verbose'))
      console.log(
        `             ${rows.map(([l, r]) => `${l}${known.has(l) ? '' : '*'} ${r.u}/${r.n}U ${r.lo.toFixed(2)}–${r.hi.toFixed(2)}`).join(', ')}`,
      );
  }
}

/**
 * Held-out devices (`--devices LABELS.tsv`, roles-dev's): each device of a type with two or more devices
 * left out in turn, the rule fitted on every other roles-dev capture (with `--devices-pooled`, and the IoT
 * Sentinel ones): its captures called Unknown, and labelled right.
 */
function heldOutDevices(v: Variant, rate: number, labelsFile: string, pooledToo: boolean) {
  const [head, ...rows] = readFileSync(labelsFile, 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  const deviceOf = new Map(
    rows.map((r) => r.split('\t')).map((c) => [c[cols.indexOf('file')]!, c[cols.indexOf('device')]!]),
  );
  const held = corpora['roles-dev'] ?? [];
  const others = pooledToo ? (corpora['iot-sentinel'] ?? []) : [];
  const devicesOfType = new Map<string, Set<string>>();
  for (const c of held)
    devicesOfType.set(c.label, (devicesOfType.get(c.label) ?? new Set()).add(deviceOf.get(c.name)!));
  const devices = [
    ...new Set(held.filter((c) => devicesOfType.get(c.label)!.size >= 2).map((c) => deviceOf.get(c.name)!)),
  ].sort();
  let tested = 0;
  let unknown = 0;
  let right = 0;
  const misses: string[] = [];
  for (const dev of devices) {
    const m = fit([...others, ...held.filter((c) => deviceOf.get(c.name) !== dev)], v, rate);
    for (const c of held) {
      if (deviceOf.get(c.name) !== dev) continue;
      tested++;
      const s = score(m, c.x);
      if (s.novelty > 1) unknown++;
      else if (s.label === c.label) right++;
      if (s.novelty > 1) misses.push(`${c.name.split('-')[1]}→U(${s.novelty.toFixed(2)})`);
    }
  }
  console.log(
    `${''.padEnd(12)} held-out devices${pooledToo ? ' (+IoT Sentinel)' : ''}: ${devices.length} devices, ${tested} captures, ` +
      `${unknown} called Unknown, ${right} right ${misses.join(' ')}`,
  );
}

/** The type whose mean of its min(k, n_c) nearest is smallest (raw, not inflated). */
function nearestType(m: Fitted, x: Float64Array): string {
  const q = m.space.rank(x);
  const by = new Map<string, number[]>();
  m.space.ranks.forEach((r, i) => {
    const l = by.get(m.labels[i]!) ?? [];
    l.push(dist(q, r, m.w));
    by.set(m.labels[i]!, l);
  });
  let best = '';
  let bd = Number.POSITIVE_INFINITY;
  for (const [l, d] of by) {
    const v = meanSmallest(d, m.k);
    if (v < bd) {
      bd = v;
      best = l;
    }
  }
  return best;
}

/**
 * Small types (`--thin J`, issue 13, 6th round): per corpus, each type T cut to J random training captures
 * (seeds 0–1) while each other type U in turn is left out: U's captures called Unknown (an unseen type next to
 * a small one), and T's other captures called Unknown (new captures of a type of J training captures).
 */
function thinSim(name: string, caps: Cap[], v: Variant, rate: number, j: number) {
  const labels = [...new Set(caps.map((c) => c.label))].sort();
  let unseen = 0;
  let unseenU = 0;
  let small = 0;
  let smallU = 0;
  let attracted = 0;
  for (const seed of [0, 1])
    for (const t of labels) {
      const of = caps.flatMap((c, i) => (c.label === t ? [i] : []));
      if (of.length <= j) continue;
      new Rng(500 + seed).shuffle(of);
      const kept = new Set(of.slice(0, j));
      for (const u of labels) {
        if (u === t) continue;
        const m = fit(
          caps.filter((c, i) => c.label !== u && (c.label !== t || kept.has(i))),
          v,
          rate,
        );
        caps.forEach((c, i) => {
          if (c.label === u) {
            unseen++;
            if (score(m, c.x).novelty > 1) unseenU++;
            else if (nearestType(m, c.x) === t) attracted++;
          } else if (c.label === t && !kept.has(i)) {
            small++;
            if (score(m, c.x).novelty > 1) smallU++;
          }
        });
      }
    }
  console.log(
    `${name.padEnd(12)} thin ${j}: unseen→U ${((100 * unseenU) / unseen).toFixed(1).padStart(5)} % (${unseen})  ` +
      `small type's own→U ${((100 * smallU) / small).toFixed(1).padStart(5)} % (${small}); missed with the small type nearest: ${attracted}`,
  );
}

const rate = Number(args('unknown-rate')[0] ?? '0.02');
const chosen = args('variant').length ? args('variant') : Object.keys(variants);
const which = args('corpus').length ? args('corpus') : ['iot-sentinel', 'roles-dev', 'pooled'];
for (const vn of chosen) {
  const v = variants[vn];
  if (!v) throw new Error(`no variant ${vn}`);
  console.log(`== ${vn}`);
  topM = v.top ?? 0;
  powerP = v.power ?? 1;
  for (const cn of which) if (corpora[cn]) evaluate(cn, corpora[cn], v, rate);
  for (const j of args('thin'))
    for (const cn of which) if (corpora[cn]) thinSim(cn, corpora[cn], v, rate, Number(j));
  if (!process.argv.includes('--no-sim'))
    for (const t of process.argv.includes('--all-extras')
      ? [...new Set((corpora['iot-sentinel'] ?? []).map((c) => c.label))].sort()
      : ['HueBridge'])
      heldoutSim(v, rate, t);
  for (const f of args('devices')) {
    heldOutDevices(v, rate, f, false);
    heldOutDevices(v, rate, f, true);
  }
  if (args('train-dir').length) dirSplit(v, rate, args('train-dir')[0]!, args('eval-dir'));
}
