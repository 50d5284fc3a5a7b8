/**
 * Stochastic Outlier Selection (Janssens, Huszár, Postma, van den Herik, TiCC TR 2012-001) and the
 * role-conditioned anomaly model built on it.
 *
 * Math: d_ij = ‖x_i − x_j‖ (Euclidean); affinity a_ij = exp(−β_i·d_ij²) with β_i = 1/(2σ_i²) chosen by
 * binary search so that the perplexity exp(H(b_i·)) of row i's binding distribution equals h = min(perplexity,
 * n−1); binding b_ij = a_ij / Σ_{k≠i} a_ik; outlier probability P(x_j) = Π_{i≠j} (1 − b_ij).
 * A query q scored against a fitted reference set R keeps each r's β_r and adds q to r's row:
 * b_rq = a_rq / (Σ_{s∈R, s≠r} a_rs + a_rq), P(q) = Π_{r∈R} (1 − b_rq).
 * (The paper's kernel is Gaussian in d; scikit-sos/pyod use exp(−β·d) instead — numbers differ.)
 */
import type { z as Zod } from 'zod';
import { ModelError, UsageError } from '../errors.js';
import { lazy, zod } from './zod-lazy.js';

export const DEFAULT_PERPLEXITY = 30;
export const DEFAULT_SOS_THRESHOLD = 0.99;

export interface SosOptions {
  /** Effective number of neighbours; clipped to n − 1 for a reference set of n points. */
  perplexity?: number;
  /** A point is an outlier when its probability exceeds this. */
  threshold?: number;
  /** Accepted |H − ln h| of the precision search. */
  tolerance?: number;
  maxIterations?: number;
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const d = a[k]! - b[k]!;
    s += d * d;
  }
  return s;
}

/** log(σ(t)) = −log(1 + e^(−t)) without overflow. */
function logSigmoid(t: number): number {
  return t >= 0 ? -Math.log1p(Math.exp(-t)) : t - Math.log1p(Math.exp(t));
}

/**
 * Entropy (nats) of the distribution p_j ∝ exp(−β·e_j); `e` holds squared distances minus their minimum, so
 * the largest term is exp(0) = 1 and nothing underflows to an all-zero row.
 */
function entropy(e: Float64Array, beta: number): { h: number; logSum: number } {
  let sum = 0;
  let weighted = 0;
  for (let j = 0; j < e.length; j++) {
    const a = Math.exp(-beta * e[j]!);
    sum += a;
    weighted += e[j]! * a;
  }
  return { h: Math.log(sum) + (beta * weighted) / sum, logSum: Math.log(sum) };
}

/**
 * Finds β with entropy ln(perplexity) by bisection (H decreases in β). The start, 1/mean squared distance,
 * makes the search scale-free and is kept when every β fits (a single neighbour, or all neighbours
 * equidistant).
 */
export function findPrecision(
  e: Float64Array,
  perplexity: number,
  tolerance = 1e-10,
  maxIterations = 500,
  meanSquaredDistance?: number,
): number {
  if (e.length === 0) return 0;
  let mean = meanSquaredDistance ?? 0;
  if (meanSquaredDistance === undefined) {
    for (let j = 0; j < e.length; j++) mean += e[j]!;
    mean /= e.length;
  }
  const target = Math.log(perplexity);
  let beta = mean > 0 ? 1 / mean : 1;
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (let it = 0; it < maxIterations; it++) {
    const diff = entropy(e, beta).h - target;
    if (!(Math.abs(diff) > tolerance)) break;
    if (diff > 0) {
      lo = beta;
      beta = hi === Number.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
  return beta;
}

/** Learned state: the reference rows and each row's precision and normaliser. */
export interface SosState {
  dims: number;
  rows: Float64Array[];
  /** β_r = 1/(2σ_r²). */
  betas: Float64Array;
  /** min_{s≠r} d_rs² (the row's exponent offset). */
  offsets: Float64Array;
  /** ln Σ_{s≠r} exp(−β_r (d_rs² − offset_r)); −∞ for a single reference point. */
  logSums: Float64Array;
}

export class StochasticOutlierSelection {
  readonly perplexity: number;
  readonly threshold: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  state: SosState | null = null;

  constructor(options: SosOptions = {}) {
    this.perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
    this.threshold = options.threshold ?? DEFAULT_SOS_THRESHOLD;
    this.tolerance = options.tolerance ?? 1e-10;
    this.maxIterations = options.maxIterations ?? 500;
    if (!(this.perplexity >= 1))
      throw new UsageError(`SOS perplexity must be at least 1 (got ${this.perplexity})`);
    if (!(this.threshold >= 0 && this.threshold <= 1)) {
      throw new UsageError(`SOS threshold must be within [0, 1] (got ${this.threshold})`);
    }
  }

  /** Learns each reference point's precision from its distances to the other reference points. */
  fit(rows: readonly Float64Array[], betas?: Float64Array): this {
    if (rows.length === 0) throw new UsageError('SOS needs at least one reference row');
    const dims = rows[0]!.length;
    for (const r of rows) {
      if (r.length !== dims) throw new UsageError(`SOS rows differ in length (${r.length} vs ${dims})`);
      for (const v of r) if (!Number.isFinite(v)) throw new UsageError('SOS rows must hold finite numbers');
    }
    const n = rows.length;
    const h = Math.min(this.perplexity, Math.max(1, n - 1));
    const copy = rows.map((r) => Float64Array.from(r));
    const outBetas = new Float64Array(n);
    const offsets = new Float64Array(n);
    const logSums = new Float64Array(n);
    const e = new Float64Array(n - 1);
    for (let i = 0; i < n; i++) {
      let m = Number.POSITIVE_INFINITY;
      let mean = 0;
      for (let j = 0, k = 0; j < n; j++) {
        if (j === i) continue;
        const d = squaredDistance(copy[i]!, copy[j]!);
        e[k++] = d;
        mean += d / (n - 1);
        if (d < m) m = d;
      }
      if (n === 1) m = 0;
      for (let k = 0; k < e.length; k++) e[k]! -= m;
      // Perplexity n − 1 is reached only in the limit β → 0 (uniform bindings): take the limit exactly.
      const limit = n > 2 && h >= n - 1;
      const beta = betas
        ? betas[i]!
        : limit
          ? 0
          : findPrecision(e, h, this.tolerance, this.maxIterations, mean);
      outBetas[i] = beta;
      offsets[i] = m;
      logSums[i] = n === 1 ? Number.NEGATIVE_INFINITY : entropy(e, beta).logSum;
    }
    this.state = { dims, rows: copy, betas: outBetas, offsets, logSums };
    return this;
  }

  private fitted(): SosState {
    if (!this.state) throw new UsageError('SOS model is not fitted');
    return this.state;
  }

  /** Binding matrix of the reference set: b[i][j] = a_ij / Σ_{k≠i} a_ik (b[i][i] = 0). */
  bindingMatrix(): Float64Array[] {
    const { rows, betas, offsets, logSums } = this.fitted();
    return rows.map((ri, i) =>
      Float64Array.from(rows, (rj, j) =>
        j === i ? 0 : Math.exp(-betas[i]! * (squaredDistance(ri, rj) - offsets[i]!) - logSums[i]!),
      ),
    );
  }

  /** The classic unsupervised SOS output: each reference point's outlier probability within the set. */
  referenceProbabilities(): Float64Array {
    const b = this.bindingMatrix();
    const n = b.length;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let logP = 0;
      for (let i = 0; i < n; i++) if (i !== j) logP += Math.log1p(-b[i]![j]!);
      out[j] = n === 1 ? 0 : Math.exp(logP);
    }
    return out;
  }

  /** Outlier probability of each query row against the reference set. */
  scoreSamples(queries: readonly Float64Array[]): Float64Array {
    const { dims, rows, betas, offsets, logSums } = this.fitted();
    const out = new Float64Array(queries.length);
    for (let q = 0; q < queries.length; q++) {
      const x = queries[q]!;
      if (x.length !== dims)
        throw new UsageError(`SOS query has ${x.length} values, the model expects ${dims}`);
      // 1 − b_rq = σ(t) with t = ln Σ_{s≠r} a_rs − ln a_rq: products of many tiny factors stay in log space.
      let logP = 0;
      for (let r = 0; r < rows.length; r++) {
        const t = logSums[r]! + betas[r]! * (squaredDistance(rows[r]!, x) - offsets[r]!);
        logP += t === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : logSigmoid(t);
      }
      out[q] = Math.exp(logP);
    }
    return out;
  }

  /** 1 = outlier (probability above threshold), 0 = inlier. */
  predict(queries: readonly Float64Array[]): Uint8Array {
    return Uint8Array.from(this.scoreSamples(queries), (p) => (p > this.threshold ? 1 : 0));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Role-conditioned model: one SOS reference set per role.

const sosModelSchemaOf = (z: typeof Zod) =>
  z.object({
    format: z.literal('networkml-model'),
    version: z.literal(1),
    kind: z.literal('sos'),
    /** What the rows are (e.g. "onelayer-hidden", "features-normalised"); the caller must feed the same. */
    representation: z.string(),
    perplexity: z.number().min(1),
    threshold: z.number().min(0).max(1),
    dims: z.number().int().positive(),
    roles: z.record(
      z.string(),
      z.object({
        rows: z.array(z.array(z.number().refine(Number.isFinite, 'not a finite number'))).min(1),
        betas: z.array(z.number().min(0).refine(Number.isFinite, 'not a finite number')),
      }),
    ),
  });

/** The role-conditioned model's file schema (zod-lazy.ts: built on first use). */
export const sosModelSchema = lazy(() => sosModelSchemaOf(zod()));
export type SosModelFile = Zod.infer<ReturnType<typeof sosModelSchemaOf>>;

export interface RoleOutlierScore {
  /** Outlier probability against the reference devices of `role`; 0 when it could not be scored. */
  probability: number;
  outlier: boolean;
  scored: boolean;
  note?: string;
}

/** Fewer reference devices than this make every binding 1 (one neighbour) and the probability meaningless. */
export const MIN_ROLE_REFERENCES = 2;

/**
 * The perplexity used for a role with n reference devices. Clipping only to n − 1 would make every small role
 * (fewer than 31 devices at the default 30) degenerate: uniform bindings, so every query scores the same
 * whatever its distance. Half the neighbours keeps the kernel local.
 */
export function rolePerplexity(perplexity: number, n: number): number {
  return Math.min(perplexity, Math.max(1, (n - 1) / 2));
}

export class RoleConditionedSos {
  readonly perplexity: number;
  readonly threshold: number;
  readonly representation: string;
  readonly models = new Map<string, StochasticOutlierSelection>();
  dims = 0;

  constructor(options: SosOptions & { representation?: string } = {}) {
    this.perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
    this.threshold = options.threshold ?? DEFAULT_SOS_THRESHOLD;
    this.representation = options.representation ?? 'unspecified';
  }

  /** `rows[i]` is the representation of a device whose role is `roles[i]`. */
  fit(rows: readonly Float64Array[], roles: readonly string[]): this {
    if (rows.length !== roles.length) throw new UsageError('SOS: one role per row is needed');
    if (rows.length === 0) throw new UsageError('SOS needs at least one reference device');
    const byRole = new Map<string, Float64Array[]>();
    rows.forEach((r, i) => {
      const list = byRole.get(roles[i]!) ?? [];
      list.push(r);
      byRole.set(roles[i]!, list);
    });
    this.models.clear();
    this.dims = rows[0]!.length;
    for (const [role, list] of [...byRole].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.models.set(role, this.newModel(rolePerplexity(this.perplexity, list.length)).fit(list));
    }
    return this;
  }

  private newModel(perplexity = this.perplexity): StochasticOutlierSelection {
    return new StochasticOutlierSelection({ perplexity, threshold: this.threshold });
  }

  /** Each row's outlier probability among the reference devices of its predicted role. */
  score(rows: readonly Float64Array[], roles: readonly string[]): RoleOutlierScore[] {
    return rows.map((row, i) => {
      const role = roles[i]!;
      const model = this.models.get(role);
      const n = model?.state?.rows.length ?? 0;
      if (!model || n < MIN_ROLE_REFERENCES) {
        return {
          probability: 0,
          outlier: false,
          scored: false,
          note: `fewer than ${MIN_ROLE_REFERENCES} reference devices for role "${role}" (${n})`,
        };
      }
      const probability = model.scoreSamples([row])[0]!;
      return { probability, outlier: probability > this.threshold, scored: true };
    });
  }

  toJSON(): SosModelFile {
    const roles: SosModelFile['roles'] = {};
    for (const [role, model] of this.models) {
      const s = model.state!;
      roles[role] = { rows: s.rows.map((r) => Array.from(r)), betas: Array.from(s.betas) };
    }
    return {
      format: 'networkml-model',
      version: 1,
      kind: 'sos',
      representation: this.representation,
      perplexity: this.perplexity,
      threshold: this.threshold,
      dims: this.dims,
      roles,
    };
  }

  static fromJSON(doc: unknown, options: { threshold?: number } = {}): RoleConditionedSos {
    const parsed = sosModelSchema().safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new ModelError(`not an SOS model${where}: ${issue?.message ?? 'invalid'}`);
    }
    const m = parsed.data;
    const out = new RoleConditionedSos({
      perplexity: m.perplexity,
      threshold: options.threshold ?? m.threshold,
      representation: m.representation,
    });
    out.dims = m.dims;
    for (const [role, ref] of Object.entries(m.roles)) {
      if (ref.betas.length !== ref.rows.length) {
        throw new ModelError(
          `SOS model: role "${role}" has ${ref.rows.length} rows but ${ref.betas.length} betas`,
        );
      }
      for (const r of ref.rows) {
        if (r.length !== m.dims)
          throw new ModelError(
            `SOS model: role "${role}" has a row of ${r.length} values, expected ${m.dims}`,
          );
      }
      out.models.set(
        role,
        out.newModel(rolePerplexity(m.perplexity, ref.rows.length)).fit(
          ref.rows.map((r) => Float64Array.from(r)),
          Float64Array.from(ref.betas),
        ),
      );
    }
    return out;
  }
}
