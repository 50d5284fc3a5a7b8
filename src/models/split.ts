import type { Rng } from './rng.js';

/**
 * Stratified hold-out: per class, round(fraction · count) rows (at least one when the class has two or
 * more) go to the test side, chosen by shuffling that class's rows.
 */
export function stratifiedSplit(
  y: ArrayLike<number>,
  fraction: number,
  rng: Rng,
): { train: Int32Array; test: Int32Array } {
  const byClass = groupByClass(y);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byClass) {
    rng.shuffle(rows);
    let nt = Math.round(fraction * rows.length);
    if (nt === 0 && rows.length >= 2 && fraction > 0) nt = 1;
    for (let i = 0; i < rows.length; i++) (i < nt ? test : train).push(rows[i]!);
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/**
 * Stratified k folds without shuffling: each class's rows, in order, are dealt to the folds in turn, so
 * every fold gets a share of every class with at least k rows.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number): { train: Int32Array; test: Int32Array }[] {
  const fold = new Int32Array(y.length);
  let offset = 0;
  for (const rows of groupByClass(y)) {
    for (let i = 0; i < rows.length; i++) fold[rows[i]!] = (offset + i) % k;
    offset += rows.length;
  }
  const out: { train: Int32Array; test: Int32Array }[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === f ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}

function groupByClass(y: ArrayLike<number>): number[][] {
  const byClass: number[][] = [];
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    while (byClass.length <= c) byClass.push([]);
    byClass[c]!.push(i);
  }
  return byClass;
}
