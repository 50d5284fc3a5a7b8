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
