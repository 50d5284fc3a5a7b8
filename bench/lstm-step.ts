/**
 * The LSTM's scoring alone, in-process: every sequence of a capture's session rows scored REPS times under
 * one label on one thread, µs per step, and how many of the 200 gate pairs a step summed h's rows for
 * (the rest were decided by the inputs alone: lstm-wasm.ts, saturationBounds). Run it in two checkouts to
 * compare builds.
 *
 *   node --import tsx bench/lstm-step.ts [CAPTURE=test-data/reference/captures/HueBridge-sentinel-Mon0000-n00.pcap] [REPS=20]
 */
import { wasmStep } from '../src/models/lstm-core.js';
import { wasmAccumulator } from '../src/models/lstm-wasm.js';
import { analyzeCapture } from '../src/pipeline/analyze.js';
import { lstmFor } from '../src/pipeline/model-registry.js';

const capture = process.argv[2] ?? 'test-data/reference/captures/HueBridge-sentinel-Mon0000-n00.pcap';
const reps = Number(process.argv[3] ?? '20');
const lstm = lstmFor();
const { rows } = (await analyzeCapture(capture, {})).sessions;
const sequences = Math.floor(rows.length / lstm.seqLen);
if (sequences === 0) throw new Error(`${capture}: no sequence of ${lstm.seqLen} session rows`);
const label = lstm.labelVector('Unknown')!;

const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const start = process.hrtime.bigint();
  lstm.scoreRange(rows, 0, sequences, label);
  times.push(Number(process.hrtime.bigint() - start) / 1e3 / (sequences * lstm.seqLen));
}
times.sort((a, b) => a - b);

// The pairs summed, from an accumulator of the same weights stepped over the same rows.
const parts = lstm.parts();
const gates = 4 * parts.rnnSize;
const acc = wasmAccumulator(parts.kernel, gates, lstm.inputSize + parts.rnnSize, parts.bias);
let summed = 0;
let steps = 0;
if (acc) {
  for (let s = 0; s < sequences; s++) {
    acc.c.fill(0);
    acc.h.fill(0);
    for (let t = 0; t < lstm.seqLen; t++) {
      acc.x.set(rows[s * lstm.seqLen + t]!);
      wasmStep(acc, parts.rnnSize);
      if (t > 0) {
        summed += acc.pairsSummed();
        steps++;
      }
    }
  }
}
const median = times[Math.floor(times.length / 2)]!;
process.stdout.write(
  `${capture}: ${sequences} sequences × ${reps}, ${lstm.simd ? 'WebAssembly SIMD' : 'JS'}; ` +
    `µs per step: median ${median.toFixed(2)} (min ${times[0]!.toFixed(2)}, max ${times.at(-1)!.toFixed(2)})` +
    (steps ? `; pairs summed over h per step ${(summed / steps).toFixed(1)} of ${gates / 2}` : '') +
    '\n',
);
