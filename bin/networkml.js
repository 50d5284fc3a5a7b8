#!/usr/bin/env -S node --max-semi-space-size=4 --expose-gc
// --max-semi-space-size=4: V8's young generation grows to 2 × 4 MiB instead of 2 × 16 MiB. Measured on the
// 1 GB benchmark capture (bench/README.md, issue 14): 15–22 MB less peak memory for eval and inspect at no
// measurable CPU cost. `node bin/networkml.js` runs without it (NODE_OPTIONS=--max-semi-space-size=4 adds it).
// --expose-gc: eval collects the garbage of a long capture's reading before the stages that add their
// own memory (src/gc.ts; only when the heap holds more than 40 MiB): peak RSS of default eval on the
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
