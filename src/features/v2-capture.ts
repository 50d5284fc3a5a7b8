/**
 * One capture's compat and v2 features in one read, as the pipeline computes them (the same callback
 * feeds the compat packet store and the v2 extractor). Used by training experiments and tests.
 */
import { readCapture } from '../capture/reader.js';
import { buildBins } from '../sessions/bins.js';
import { PacketStore } from '../sessions/packet-store.js';
import { type CompatFeatures, compatFeatures } from './compat.js';
import { deviceVectors, V2Extractor, type V2Result } from './v2.js';

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
  options: { durationS: number; warmupS: number; withV2?: boolean },
): Promise<CaptureFeatureSet> {
  const store = new PacketStore();
  const withV2 = options.withV2 ?? true;
  const v2 = new V2Extractor({ durationS: options.durationS, warmupS: options.warmupS });
  await readCapture(
    path,
    withV2
      ? (p) => {
          store.add(p);
          v2.add(p);
        }
      : (p) => {
          store.add(p);
        },
  );
  const bins = buildBins(store, options);
  const compat = compatFeatures(store, bins);
  const result = v2.finish(compat);
  return { compat, v2: result, compatRows: compat.bins.map((b) => b.vector), v2Rows: deviceVectors(result) };
}

/** The label of a capture: its file name's part before the first '-' (the original's convention). */
export function labelOfCapture(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.split('-')[0] ?? base;
}
