/**
 * zod for the model files' schemas, loaded the first time a schema is needed: importing it is ~0.1 s of
 * every command's start-up (issue 14), and an eval with the bundled models (hash-identified, format.ts)
 * needs no schema at all. Loaded synchronously (its CommonJS build) because model loading is synchronous;
 * only the model modules use this instance, and their schemas never mix with the rest of the code's.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let loaded: typeof Zod | null = null;

export function zod(): typeof Zod.z {
  loaded ??= createRequire(import.meta.url)('zod') as typeof Zod;
  return loaded.z;
}

/** A value built on first use (a schema), then kept. */
export function lazy<T>(build: () => T): () => T {
  let value: { v: T } | null = null;
  return () => {
    value ??= { v: build() };
    return value.v;
  };
}

/**
 * An array of finite numbers, checked in one loop: per-element zod schemas cost ~10 ms per 10,000 numbers on
 * a model's first load, and a model's bulk is such arrays (~50,000 numbers in a v2 model). The first bad
 * element's index is in the issue's path, as an element schema would put it.
 */
export function finiteArray(z: typeof Zod.z) {
  return z.custom<number[]>().superRefine((v, ctx) => {
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', message: 'expected an array of numbers' });
      return;
    }
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        ctx.addIssue({ code: 'custom', message: 'not a finite number', path: [i] });
        return;
      }
    }
  });
}
