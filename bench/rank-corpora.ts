/**
 * What the roles lab scripts (novelty-lab.ts, roles-classifier-lab.ts) share: their repeatable flags and
 * the corpora of a `bench/roles-accuracy.ts --cache FILE` file as capture means over the header features.
 */
import { readFileSync } from 'node:fs';
import { V2_OWN_COUNT, V2_PORT_COUNT, V2_PORT_OFFSET } from '../src/features/v2/index.js';

/** Every value given to `--name` (repeatable), in order. */
export function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && i + 1 < process.argv.length) out.push(process.argv[i + 1]!);
  });
  return out;
}

export interface Cap {
  name: string;
  label: string;
  /** Mean of the capture's bins over the header aggregates. */
  x: Float64Array;
}

/**
 * The cache's corpora by name (captures without bins left out), plus `pooled`: IoT Sentinel and roles-dev.
 * With `ports` (a cache written by a build with the per-port block), x also holds that block after the
 * header aggregates (V2_OWN_COUNT + V2_PORT_COUNT values).
 */
export function loadCorpora(cache: string, ports = false): Record<string, Cap[]> {
  const raw = JSON.parse(readFileSync(cache, 'utf8')) as {
    name: string;
    captures: { name: string; label: string; rows: number[][] }[];
  }[];
  const H = V2_OWN_COUNT;
  const corpora: Record<string, Cap[]> = {};
  for (const corpus of raw)
    corpora[corpus.name] = corpus.captures
      .filter((c) => c.rows.length > 0)
      .map((c) => {
        const x = new Float64Array(H + (ports ? V2_PORT_COUNT : 0));
        for (const r of c.rows) for (let f = 0; f < H; f++) x[f]! += r[f]! / c.rows.length;
        if (ports)
          for (const r of c.rows)
            for (let f = 0; f < V2_PORT_COUNT; f++) x[H + f]! += r[V2_PORT_OFFSET + f]! / c.rows.length;
        return { name: c.name, label: c.label, x };
      });
  corpora.pooled = [...(corpora['iot-sentinel'] ?? []), ...(corpora['roles-dev'] ?? [])];
  return corpora;
}
