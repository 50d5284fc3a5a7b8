import { createWriteStream, renameSync } from 'node:fs';
import { NetworkmlError } from '../errors.js';

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
