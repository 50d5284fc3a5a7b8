import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { NetworkmlError } from '../errors.js';
import { writeJsonPieces } from '../outputs/json-pieces.js';
import type { CaptureResult } from '../result.js';

export interface Output {
  write(text: string): void;
  close(): Promise<void>;
}

/**
 * Standard output, or a file written beside its final name and renamed at the end, so an interrupted
 * run never leaves a half-written results file behind. The file is written synchronously, as standard
 * output is on Linux: a stream would queue a long result's pieces in memory until the event loop ran.
 */
export async function openOutput(path: string | undefined): Promise<Output> {
  if (!path || path === '-') {
    return { write: (t) => void process.stdout.write(t), close: async () => {} };
  }
  const temp = `${path}.${process.pid}.partial`;
  const failed = (e: unknown) => new NetworkmlError(`${path}: cannot write (${(e as Error).message})`);
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch (e) {
    throw failed(e);
  }
  return {
    write: (t) => {
      try {
        writeFileSync(fd, t);
      } catch (e) {
        throw failed(e);
      }
    },
    close: async () => {
      try {
        closeSync(fd);
        renameSync(temp, path);
      } catch (e) {
        throw failed(e);
      }
    },
  };
}

/**
 * Writes `${JSON.stringify(result)}\n` in pieces, the same bytes: a long capture's result lists every bin
 * (20 MB of JSON for 56,000 bins), and that one string plus its bytes on the way out doubled the peak.
 */
export function writeJsonLine(out: Output, result: CaptureResult): void {
  writeJsonPieces(result, out.write);
  out.write('\n');
}
