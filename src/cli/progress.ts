import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

/** A progress bar on stderr for multi-file work, only when stderr is a terminal and output is not JSON. */
export function createProgress(total: number, label: string, quiet = false): Progress {
  if (quiet || total < 2 || !process.stderr.isTTY) return { tick() {}, stop() {} };
  // Loaded only for a bar actually shown: its ~20 modules were ~15 ms of every command's start-up (issue 14).
  const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} captures | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
