// Apart from inputs.ts: the split file's reader brings in zod, which eval (importing inputs.ts) must not load.
import { filterByNames, loadSplit } from '../training/dataset.js';
import { expandCaptureArgs, type FileDigests, warnOfSplitLeaks } from './inputs.js';

/**
 * The captures `args` name for one side of a `--split` file (all of them without one), before the once-per-
 * file and once-per-content rules: the split's leak check runs first, on every capture given, and `digests`
 * keeps what it hashed for onceEachContent. `listed`: the split's names for that side (null without a split).
 */
export async function capturesOfSplit(
  args: string[],
  splitPath: string | undefined,
  side: 'train' | 'test',
): Promise<{ paths: string[]; listed: readonly string[] | null; digests: FileDigests }> {
  // train refuses a capture it cannot read, so a folder too (a model trained without it would pass for one
  // trained with it); test scores the others and exits 1, for a folder as for a capture.
  const given = expandCaptureArgs(args, { allOrNothing: side === 'train' });
  const digests: FileDigests = new Map();
  if (!splitPath) return { paths: given, listed: null, digests };
  const split = loadSplit(splitPath);
  await warnOfSplitLeaks(given, split, digests);
  return { paths: filterByNames(given, split[side], side), listed: split[side], digests };
}
