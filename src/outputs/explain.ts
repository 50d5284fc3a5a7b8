import { compatFeatureName } from '../features/compat.js';
import { v2FeatureNames } from '../features/v2/index.js';
import { explain, type RoleModel, UNKNOWN_LABEL } from '../models/role-model.js';
import type { CaptureErrorDetail, CaptureResult } from '../result.js';
import { abnormalityText, partialLine } from './table.js';

/** What explaining needs of an evaluation (pipeline/evaluate's Evaluation has it). */
export interface ExplainInput {
  result: Pick<CaptureResult, 'file' | 'key' | 'data' | 'detail' | 'reason' | 'capture_error'>;
  /** The anomaly model's outcome (a behaviour model's is explained too). */
  anomaly: { abnormality: number; threshold: number; note?: string } | null;
  /** Labels by probability, most likely first; empty for a capture without usable bins. */
  ranked: readonly (readonly [string, number])[];
  /** The feature rows the model saw, one per bin. */
  vectors: readonly Float64Array[];
}

export interface FeatureInfluence {
  feature: number;
  name: string;
  /** Mean over bins of the feature's contribution to the top role's score. */
  contribution: number;
  /** Mean raw feature value over bins. */
  value: number;
  /**
   * One-layer model: the feature's mean over the training bins. Its contribution is linear in the distance
   * from this mean (a feature at its mean adds 0), so a positive one may come from a value below the mean:
   * "less DNS than the training devices pushed Unknown up", not "its DNS did".
   */
  trainingMean?: number;
}

export interface CaptureExplanation {
  file: string;
  label: string | null;
  probability: number | null;
  /**
   * The role whose contributions are shown, when not `label`: the model's most likely role when `label` is
   * Unknown by the model's Unknown rule (its probability, 1 − that role's, comes from no feature).
   */
  explained?: { label: string; probability: number };
  /**
   * v2 models with the novelty (Unknown) rule: the capture's novelty in units of the rule's threshold
   * (eval's `detail.role_novelty`; above 1: Unknown). Absent for other models.
   */
  roleNovelty?: number;
  /** How far past the most unusual training capture (eval's `detail.role_novelty_beyond`), when the rule says. */
  roleNoveltyBeyond?: number;
  /** Why there is nothing to explain (no usable bins), as eval says it. */
  reason?: string;
  /**
   * The capture is corrupt at a record: what is explained is of the packets before it (eval's
   * `capture_error`; the error is also printed on stderr, exit 1). Absent otherwise.
   */
  captureError?: CaptureErrorDetail;
  /**
   * 'centred logit' for the one-layer model, 'probability' for the random forest, 'log-odds against the
   * nearest other role' for the nearest-capture model.
   */
  scale: string;
  base: number;
  influences: FeatureInfluence[];
  /** With a behaviour model: its decision and what made the device unusual. */
  behavior?: {
    decision: string;
    abnormality: number;
    threshold: number;
    worstBin: { index: number; start: number; end: number } | null;
    reasons: string[];
    note?: string;
  };
}

function behaviorOf(evaluation: ExplainInput): CaptureExplanation['behavior'] {
  const { result, anomaly } = evaluation;
  const device = result.data[result.key];
  if (result.detail?.anomaly_model !== 'behavior' || !anomaly || typeof device !== 'object' || !device.valid)
    return undefined;
  const detail = result.detail.behavior;
  return {
    decision: device.decisions.behavior,
    // The result's: the device's own history may have raised the model's.
    abnormality: result.detail.abnormality,
    threshold: anomaly.threshold,
    worstBin: detail?.worst_bin ?? null,
    reasons: detail?.reasons ?? [],
    ...(anomaly.note ? { note: anomaly.note } : {}),
  };
}

/**
 * Which features pushed the capture's top role: the model's exact per-feature contributions to that
 * role in each bin (see `explain` in src/models/role-model.ts), averaged over the capture's bins.
 */
export function explainCapture(model: RoleModel, evaluation: ExplainInput, top = 10): CaptureExplanation {
  const bins = evaluation.vectors;
  const names = model.features.semantics === 'v2' ? v2FeatureNames() : null;
  const file = evaluation.result.file;
  const captureError = evaluation.result.capture_error;
  const partial = captureError ? { captureError } : {};
  const scale =
    model.kind === 'onelayer'
      ? 'centred logit'
      : model.kind === 'ranknn'
        ? 'log-odds against the nearest other role'
        : 'probability';
  if (evaluation.ranked.length === 0 || bins.length === 0) {
    const reason = evaluation.result.reason;
    return {
      file,
      label: null,
      probability: null,
      scale,
      base: 0,
      influences: [],
      ...(reason ? { reason } : {}),
      ...partial,
    };
  }
  const [label, probability] = evaluation.ranked[0]!;
  const explained = ruledUnknownFallback(evaluation);
  const target = explained?.label ?? label;
  const sums = new Map<number, number>();
  let base = 0;
  for (const vector of bins) {
    const e = explain(model, vector, target);
    base += e.base;
    for (const c of e.contributions) sums.set(c.feature, (sums.get(c.feature) ?? 0) + c.contribution);
  }
  const influences = [...sums]
    .map(([feature, total]) => ({
      feature,
      name: names ? names[feature]! : compatFeatureName(feature),
      contribution: total / bins.length,
      value: bins.reduce((a, v) => a + v[feature]!, 0) / bins.length,
      ...(model.kind === 'onelayer' ? { trainingMean: model.normalisation.means[feature]! } : {}),
    }))
    .filter((f) => f.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature - b.feature)
    .slice(0, top);
  const behavior = behaviorOf(evaluation);
  const roleNovelty = evaluation.result.detail?.role_novelty;
  const roleNoveltyBeyond = evaluation.result.detail?.role_novelty_beyond;
  return {
    file,
    label,
    probability,
    ...(explained ? { explained } : {}),
    ...(roleNovelty !== undefined ? { roleNovelty } : {}),
    ...(roleNoveltyBeyond !== undefined ? { roleNoveltyBeyond } : {}),
    scale,
    base: base / bins.length,
    influences,
    ...(behavior ? { behavior } : {}),
    ...partial,
  };
}

/**
 * The model's most likely role when the top label is an Unknown that the model's Unknown rule made (the
 * model itself gave another role more probability): Unknown then has no contributions of its own, and
 * what the features pushed is that role. Null when the top label is the model's own.
 */
function ruledUnknownFallback(evaluation: ExplainInput): { label: string; probability: number } | null {
  const [top] = evaluation.ranked[0]!;
  const detail = evaluation.result.detail;
  if (top !== UNKNOWN_LABEL || !detail) return null;
  let best = -1;
  for (let i = 0; i < detail.labels.length; i++)
    if (best < 0 || detail.probabilities[i]! > detail.probabilities[best]!) best = i;
  if (best < 0 || detail.labels[best] === UNKNOWN_LABEL) return null;
  return { label: detail.labels[best]!, probability: detail.probabilities[best]! };
}

/** ", below its training mean 0.210": which side of the mean the contribution comes from. */
function againstMean(f: FeatureInfluence): string {
  if (f.trainingMean === undefined) return '';
  const side = f.value < f.trainingMean ? 'below' : f.value > f.trainingMean ? 'above' : 'at';
  return `, ${side} its training mean ${f.trainingMean.toFixed(3)}`;
}

function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/**
 * The Unknown rule's view of the capture: a top role whose capture is nearly as unlike the training
 * captures as an Unknown one is a weak guess, whatever its probability (an unseen camera's nearest type).
 */
function noveltyLine(ratio: number, beyond: number | undefined): string {
  // As many decimals as it takes not to read as the threshold itself (1.0036 is above it; "1.00" is not).
  const head = `Unknown rule: novelty ${abnormalityText(ratio, 1)} × its threshold`;
  // The ratio is a rank: past every training capture it stops; how far past is the distance's own ratio.
  const past =
    beyond !== undefined && beyond > 1
      ? `; ${beyond.toFixed(2)}× as far from the known roles as the most unusual training capture`
      : '';
  if (ratio > 1) return `${head} (above 1: unlike every known role's training captures${past})`;
  if (ratio >= 0.95)
    return `${head} (Unknown above 1): nearly Unknown, more unusual than almost every training capture — the top role is a weak guess`;
  return `${head} (Unknown above 1)`;
}

export function explainText(e: CaptureExplanation): string {
  const partial = partialLine({ capture_error: e.captureError });
  const file = partial ? `${e.file}\n  partial: ${partial}` : e.file;
  if (!e.label) return `${file}\n  ${e.reason ?? 'not enough sessions to explain'} (valid: false)`;
  const heading = e.explained
    ? `  top role ${e.label} (${percent(e.probability!)}: no role fits well enough); contributions to the most likely role, ${e.explained.label} (${percent(e.explained.probability)}), its ${e.scale}:`
    : `  top role ${e.label} (${percent(e.probability!)}), contributions to its ${e.scale}:`;
  const lines = [file, heading];
  if (e.influences.some((f) => f.trainingMean !== undefined))
    lines.push(
      '    (each from how far the feature is from its mean over the training bins: one at its mean adds 0)',
    );
  for (const f of e.influences) {
    const sign = f.contribution >= 0 ? '+' : '−';
    lines.push(
      `    ${f.name}: ${sign}${Math.abs(f.contribution).toFixed(3)}   (value ${f.value.toFixed(3)}${againstMean(f)})`,
    );
  }
  lines.push(`    (baseline ${e.base.toFixed(3)})`);
  if (e.roleNovelty !== undefined) lines.push(`  ${noveltyLine(e.roleNovelty, e.roleNoveltyBeyond)}`);
  const b = e.behavior;
  if (b) {
    lines.push(
      `  behaviour ${b.decision} (abnormality ${b.abnormality.toFixed(3)}, abnormal above ${b.threshold.toFixed(3)})` +
        (b.note ? `: ${b.note}` : ''),
    );
    if (b.worstBin)
      lines.push(
        `    worst bin ${b.worstBin.index}: ${new Date(b.worstBin.start * 1000).toISOString()} – ${new Date(b.worstBin.end * 1000).toISOString()}`,
      );
    for (const r of b.reasons) lines.push(`    - ${r}`);
    if (b.reasons.length === 0 && !b.note)
      lines.push('    nothing stands out from the nearest normal devices');
  }
  return lines.join('\n');
}
