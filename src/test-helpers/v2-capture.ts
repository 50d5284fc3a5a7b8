/**
 * One capture's compat and v2 features in one read — the pipeline's own pass (`analyzeCapture` with
 * features 'v2'), in the shape training experiments and tests use.
 */
import type { CompatFeatures } from '../features/compat.js';
import { deviceVectors, type V2Result } from '../features/v2/index.js';
import { analyzeCapture } from '../pipeline/analyze.js';

export interface CaptureFeatureSet {
  compat: CompatFeatures;
  v2: V2Result;
  /** Compat vectors of the non-empty bins (the rows a compat model sees). */
  compatRows: Float64Array[];
  /** The device's v2 vectors (the rows a v2 model sees). */
  v2Rows: Float64Array[];
}

export async function captureFeatureSet(
  path: string,
  options: { durationS: number; warmupS: number },
): Promise<CaptureFeatureSet> {
  const analysis = await analyzeCapture(path, { ...options, features: 'v2', sessionRows: false });
  const v2 = analysis.v2!;
  return {
    compat: analysis.compat,
    v2,
    compatRows: analysis.compat.bins.map((b) => b.vector),
    v2Rows: deviceVectors(v2),
  };
}
