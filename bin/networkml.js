#!/usr/bin/env -S node --max-semi-space-size=2 --expose-gc
// --max-semi-space-size=2: V8's young generation grows to 2 × 2 MiB instead of 2 × 16 MiB. 4 MiB semi-spaces
// saved 15–22 MB of peak memory against the default on the 1 GB benchmark capture at no measurable CPU cost
// (bench/README.md, issue 14); once eval made little garbage per packet (2026-12-04) minor collections became
// rare enough that standard input's chunk buffers, freed only by one, raised the ~10 GB stream's peak to
// 140–150 MiB: 2 MiB collects twice as often (128–140 MiB there, 4 MiB less at 1 GB, default eval's CPU the
// same, v2 eval's ~3 % more). `node bin/networkml.js` runs without it (NODE_OPTIONS=--max-semi-space-size=2 adds it).
// --expose-gc: eval collects the garbage of a long capture's reading before the stages that add their
// own memory (src/gc.ts; only when the heap holds more than 32 MiB): peak RSS of default eval on the
// ~11 GB stream with history on, see bench/README.md. Without the flag those collections are skipped.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`networkml: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
