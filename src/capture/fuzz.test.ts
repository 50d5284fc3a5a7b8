/**
 * A short seeded run of the project's fuzzer (src/test-helpers/fuzz.ts; long runs: bench/fuzz.ts): mutated
 * real and edge captures, plain and gzip, each read whole, in random chunks (and byte by byte, and from a
 * file, for a sample), with the invariants checked: one-line CaptureErrors only, the same result for every
 * chunking, a consistent summary, decoded records inside their frames, the full pipeline on a tenth of the
 * inputs, a per-input time bound and bounded memory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { checkInput, prng, runFuzz, SEED_DIR } from '../test-helpers/fuzz.js';

const INPUTS = Number(process.env.FUZZ_ITERATIONS ?? 3000);
const BUDGET_S = Number(process.env.FUZZ_BUDGET_S ?? 40);

it(`keeps every invariant on ${INPUTS} mutated captures (seed 17, at most ${BUDGET_S} s)`, async () => {
  const stats = await runFuzz({
    inputs: INPUTS,
    seconds: BUDGET_S,
    seed: 17,
    pipelineShare: 0.1,
    perInputMs: 5_000,
    maxRssMiB: 1024,
    findingsDir: null,
    stopOnFinding: true,
  });
  const found = stats.findings.map(
    (f) => `${f.invariant} (input ${f.index}, ${f.input.toString('hex').slice(0, 200)}): ${f.detail}`,
  );
  assert.deepEqual(found, []);
  // A slow machine may cut the run short, but not to nothing.
  assert.ok(stats.inputs >= Math.min(INPUTS, 500), `only ${stats.inputs} inputs ran`);
  assert.ok(stats.pipelineInputs > 0 && stats.gzipInputs > 0 && stats.captureErrors > 0 && stats.packets > 0);
  console.log(
    `fuzz: ${stats.inputs} inputs (${stats.gzipInputs} gzip, ${stats.pipelineInputs} through the pipeline), ` +
      `${stats.captureErrors} CaptureErrors, ${stats.packets} packets, slowest ${stats.slowestInputMs.toFixed(0)} ms, ` +
      `peak RSS ${stats.peakRssMiB.toFixed(0)} MiB, ${stats.elapsedS.toFixed(1)} s`,
  );
});

it('a stream whose times go back across a bin: its one-line refusal is not a finding, and the bytes pass the pipeline read whole', async () => {
  // Found by a long run (seed 7) after batch eval became streaming: a mutated capture read from a stream.
  const input = readFileSync(join(SEED_DIR, 'fuzz/reordered-stream-01.pcap'));
  const path = join(tmpdir(), `networkml-fuzz-${process.pid}.pcap`);
  try {
    await checkInput(input, prng(7), { pipeline: true, path });
  } finally {
    rmSync(path, { force: true });
  }
});

it('bench/fuzz.ts answers --help with its usage and a bad option with one line and exit 2', () => {
  const root = join(import.meta.dirname, '../..');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'bench/fuzz.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
    });
  const help = run('--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: npx tsx bench\/fuzz\.ts .*--seed K/);
  const bad = run('--bogus');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^fuzz: Unknown option '--bogus'\nusage:/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});
