import { Rng } from '../src/models/rng.js';

/**
 * The held-out-like simulation's split: per label (sorted), the captures shuffled by `Rng(1000 + seed)` and
 * the first third (at least one) held out for testing. Shared by the roles labs (roles-heldout-sim.ts,
 * novelty-lab.ts, rank-space.ts) so all report on the same splits.
 */
export function heldoutSplit<T extends { label: string }>(
  all: readonly T[],
  seed: number,
): { train: T[]; test: T[] } {
  const rng = new Rng(1000 + seed);
  const train: T[] = [];
  const test: T[] = [];
  for (const l of [...new Set(all.map((c) => c.label))].sort()) {
    const idx = Int32Array.from(all.flatMap((c, i) => (c.label === l ? [i] : [])));
    rng.shuffle(idx);
    const nTest = Math.max(1, Math.round(idx.length / 3));
    idx.forEach((i, j) => {
      (j < nTest ? test : train).push(all[i]!);
    });
  }
  return { train, test };
}

/**
 * The simulation's captures: roles-dev's, plus every other capture of IoT Sentinel type `extraType`, at most 9,
 * as a 7th type nobody tuned to.
 */
export function simulationCaptures<T extends { label: string }>(
  rolesDev: readonly T[],
  iotSentinel: readonly T[],
  extraType: string,
): T[] {
  const extra = iotSentinel
    .filter((c) => c.label === extraType)
    .filter((_, i) => i % 2 === 0)
    .slice(0, 9);
  return [...rolesDev, ...extra];
}
