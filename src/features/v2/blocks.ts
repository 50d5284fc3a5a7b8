/**
 * Flat layouts: a vector (or an accumulator row) made of named blocks laid end to end. Offsets are derived
 * from one declared list of (name, width) blocks, so adding or resizing a block cannot leave a stale
 * hand-numbered offset behind.
 */

export type BlockList = readonly (readonly [name: string, width: number])[];

export interface Block<N extends string = string> {
  readonly name: N;
  readonly offset: number;
  readonly width: number;
}

export interface Layout<N extends string = string> {
  /** Offset of each block. */
  readonly at: { readonly [K in N]: number };
  /** The blocks in order. */
  readonly blocks: readonly Block<N>[];
  /** Total width (the offset after the last block). */
  readonly size: number;
}

export function layout<const B extends BlockList>(list: B): Layout<B[number][0]> {
  type N = B[number][0];
  const at: Record<string, number> = {};
  const blocks: Block<N>[] = [];
  let offset = 0;
  for (const [name, width] of list) {
    if (name in at) throw new Error(`layout: block ${name} declared twice`);
    if (!(Number.isInteger(width) && width >= 0)) throw new Error(`layout: block ${name} has width ${width}`);
    at[name] = offset;
    blocks.push({ name: name as N, offset, width });
    offset += width;
  }
  return { at: at as { readonly [K in N]: number }, blocks, size: offset };
}

/** The index of each label of a list (for label lists used as one-per-slot blocks). */
export function labelIndex<const L extends readonly string[]>(
  labels: L,
): { readonly [K in L[number]]: number } {
  const out: Record<string, number> = {};
  labels.forEach((l, i) => {
    out[l] = i;
  });
  return out as { readonly [K in L[number]]: number };
}
