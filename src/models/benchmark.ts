import { Rng } from './rng.js';
import {
  predictCapture,
  type RoleAlgorithm,
  type TrainOptions,
  topLabels,
  trainRoleModel,
} from './role-model.js';

/**
 * Synthetic bins shaped like the 4,104 compat features (~2 % non-zero): each class has 12 typical port
 * features (each present with probability 0.6), every bin adds ~70 random port entries and the 8 ratios.
 */
export function syntheticBins(
  n: number,
  classes: number,
  seed: number,
): { rows: Float64Array[]; labels: string[]; density: number } {
  const rng = new Rng(seed);
  const ports = Array.from({ length: classes }, (_, c) => {
    const r = new Rng(1000 + c);
    return Array.from({ length: 12 }, () => r.int(0, 4096));
  });
  const rows: Float64Array[] = [];
  const labels: string[] = [];
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const x = new Float64Array(4104);
    for (const f of ports[c]!) if (rng.next() < 0.6) x[f] = rng.next();
    for (let q = 0; q < 70; q++) x[rng.int(0, 4096)] = rng.next() * 0.5;
    for (let f = 4096; f < 4104; f++) if (rng.next() < 0.5) x[f] = rng.next();
    for (let f = 0; f < 4104; f++) if (x[f] !== 0) nnz++;
    rows.push(x);
    labels.push(`class${c}`);
  }
  return { rows, labels, density: nnz / (n * 4104) };
}

export interface TrainingBenchmark {
  algorithm: RoleAlgorithm;
  rows: number;
  density: number;
  seconds: { normalise: number; select: number; fit: number; total: number };
  selected: number;
  heldOutAccuracy: number;
}

/** Train on n synthetic bins, score on n/2 fresh ones: the fit-time figure of the role-model recipe. */
export function benchmarkTraining(
  n: number,
  classes: number,
  algorithm: RoleAlgorithm,
  options: Partial<TrainOptions> = {},
): TrainingBenchmark {
  const train = syntheticBins(n, classes, 1);
  const test = syntheticBins(Math.max(classes, Math.round(n / 2)), classes, 2);
  const r = trainRoleModel(train.rows, train.labels, { algorithm, seed: 1, ...options });
  let ok = 0;
  test.rows.forEach((x, i) => {
    if (topLabels(r.model.labels, predictCapture(r.model, [x])!, 1).labels[0] === test.labels[i]) ok++;
  });
  return {
    algorithm,
    rows: n,
    density: train.density,
    seconds: r.seconds,
    selected: r.model.selected.length,
    heldOutAccuracy: ok / test.rows.length,
  };
}
