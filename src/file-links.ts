import { readlinkSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The file a path names through symbolic links: its target, a dangling link's target, or the path itself. */
export function throughLinks(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Missing, or a link to a file not there yet.
  }
  try {
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return path;
  }
}
