#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: V8's young generation grows to 2 × 4 MiB instead of 2 × 16 MiB. Measured on the
// 1 GB benchmark capture (bench/README.md, issue 14): 15–22 MB less peak memory for eval and inspect at no
// measurable CPU cost. `node bin/networkml.js` runs without it (NODE_OPTIONS=--max-semi-space-size=4 adds it).
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
