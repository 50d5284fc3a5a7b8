import { randomUUID } from 'node:crypto';
import { createWriteStream, renameSync } from 'node:fs';
import { NetworkmlError } from '../errors.js';
import type { CaptureResult } from '../result.js';

export interface Output {
  write(text: string): void;
  close(): Promise<void>;
}

/**
 * Standard output, or a file written beside its final name and renamed at the end, so an interrupted
 * run never leaves a half-written results file behind.
 */
export async function openOutput(path: string | undefined): Promise<Output> {
  if (!path || path === '-') {
    return { write: (t) => void process.stdout.write(t), close: async () => {} };
  }
  const temp = `${path}.${process.pid}.partial`;
  const stream = createWriteStream(temp);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new NetworkmlError(`${path}: cannot write (${e.message})`)));
  });
  return {
    write: (t) => void stream.write(t),
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.end(() => {
          try {
            renameSync(temp, path);
            resolve();
          } catch (e) {
            reject(new NetworkmlError(`${path}: cannot write (${(e as Error).message})`));
          }
        });
      }),
  };
}

/** Bins per piece when a result is written in pieces. */
const BINS_PER_PIECE = 1024;

/**
 * Writes `${JSON.stringify(result)}\n` in pieces, the same bytes: a long capture's result lists every bin
 * (20 MB of JSON for 56,000 bins), and that one string plus its bytes on the way out doubled the peak.
 */
export function writeJsonLine(out: Output, result: CaptureResult): void {
  const detail = result.detail;
  const bins = detail?.bins;
  if (!detail || !bins || bins.length <= BINS_PER_PIECE) {
    out.write(`${JSON.stringify(result)}\n`);
    return;
  }
  // The result with its bins replaced by a marker no other field can hold, then the bins in its place.
  const marker = JSON.stringify(`\u0000bins ${randomUUID()}`);
  const text = JSON.stringify({ ...result, detail: { ...detail, bins: JSON.parse(marker) as string } });
  const at = text.indexOf(marker);
  out.write(`${text.slice(0, at)}[`);
  for (let i = 0; i < bins.length; i += BINS_PER_PIECE) {
    const piece = bins
      .slice(i, i + BINS_PER_PIECE)
      .map((b) => JSON.stringify(b))
      .join(',');
    out.write(i > 0 ? `,${piece}` : piece);
  }
  out.write(`]${text.slice(at + marker.length)}\n`);
}
