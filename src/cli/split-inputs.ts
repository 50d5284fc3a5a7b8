// Apart from inputs.ts: the split file's reader brings in zod, which eval (importing inputs.ts) must not load.
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { filterByNames, firstNames, loadSplit } from '../training/dataset.js';
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
  // The other side's captures are left out by design; one the split lists nowhere may be a capture the user
  // meant to use (a second corpus beside the split's), left out without a word before.
  const listed = new Set([...split.train, ...split.test]);
  // A link to a listed capture (or the same file under another name) is that capture, not one left out.
  const listedFiles = new Set(given.filter((p) => listed.has(basename(p))).map(realPathOrSelf));
  const unlisted = given.filter((p) => !listed.has(basename(p)) && !listedFiles.has(realPathOrSelf(p)));
  if (unlisted.length > 0)
    process.stderr.write(
      `networkml: warning: ${unlisted.length === 1 ? '1 capture given is' : `${unlisted.length} captures given are`} in neither list of ${splitPath}, left out: ${firstNames(unlisted.map((p) => basename(p)))}\n`,
    );
  return { paths: filterByNames(given, split[side], side), listed: split[side], digests };
}

function realPathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
