/**
 * Seeded mutation fuzz of the capture reader and pipeline (the invariants are listed in
 * src/test-helpers/fuzz.ts). Runs in a worker thread so a hang is caught too: the main thread keeps the
 * current input's bytes in shared memory and writes them as a finding when the worker stops reporting.
 *
 *   npx tsx bench/fuzz.ts [--inputs N] [--seconds S] [--seed K] [--pipeline-share F] [--findings DIR]
 *
 * Exit status: 0 without findings, 1 with findings (each written to DIR as the input file plus a .txt
 * naming the invariant it broke), 2 on a bad option.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const MAX_INPUT = 1 << 20;
const HANG_MS = 60_000;

interface Args {
  inputs: number;
  seconds: number;
  seed: number;
  pipelineShare: number;
  findings: string;
  shared: SharedArrayBuffer;
}

async function worker(args: Args): Promise<void> {
  const { runFuzz } = await import('../src/test-helpers/fuzz.js');
  const state = new Int32Array(args.shared, 0, 4);
  const bytes = new Uint8Array(args.shared, 16);
  const stats = await runFuzz({
    inputs: args.inputs,
    seconds: args.seconds,
    seed: args.seed,
    pipelineShare: args.pipelineShare,
    findingsDir: args.findings,
    progressEvery: 50_000,
    onInput: (index, data) => {
      const n = Math.min(data.length, MAX_INPUT);
      bytes.set(data.subarray(0, n));
      Atomics.store(state, 1, n);
      Atomics.store(state, 0, index);
      Atomics.add(state, 2, 1);
    },
    onProgress: (s) => parentPort!.postMessage({ progress: { ...s, findings: s.findings.length } }),
  });
  parentPort!.postMessage({
    done: {
      ...stats,
      findings: stats.findings.map((f) => ({
        invariant: f.invariant,
        file: f.file,
        detail: f.detail.split('\n')[0],
      })),
    },
  });
}

const USAGE = `usage: npx tsx bench/fuzz.ts [--inputs N] [--seconds S] [--seed K] [--pipeline-share F] [--findings DIR]

  --inputs N          inputs to try (default 100000)
  --seconds S         stop after S seconds even if inputs remain (default 600)
  --seed K            PRNG seed: the same seed tries the same inputs (default 1)
  --pipeline-share F  share of inputs also run through the pipeline (default 0.1)
  --findings DIR      where failing inputs are written (default bench/out/fuzz-findings)

Exit status: 0 without findings, 1 with findings, 2 on a bad option, 70 if the harness fails.`;

function options(): ReturnType<typeof parseOptions> | null {
  try {
    return parseOptions();
  } catch (err) {
    // parseArgs's own words name the bad option; no stack trace for a typo.
    console.error(`fuzz: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return null;
  }
}

function parseOptions() {
  return parseArgs({
    options: {
      inputs: { type: 'string', default: '100000' },
      seconds: { type: 'string', default: '600' },
      seed: { type: 'string', default: '1' },
      'pipeline-share': { type: 'string', default: '0.1' },
      findings: { type: 'string', default: 'bench/out/fuzz-findings' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function main(): void {
  const parsed = options();
  if (parsed === null) return;
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const args: Args = {
    inputs: Number(values.inputs),
    seconds: Number(values.seconds),
    seed: Number(values.seed),
    pipelineShare: Number(values['pipeline-share']),
    findings: values.findings!,
    shared: new SharedArrayBuffer(16 + MAX_INPUT),
  };
  for (const [k, v] of Object.entries(args)) {
    if (typeof v === 'number' && !(v >= 0)) {
      console.error(`fuzz: --${k} must be a number >= 0\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
  }
  const state = new Int32Array(args.shared, 0, 4);
  // The worker loads this same file through tsx's API (a worker does not inherit `--import tsx`).
  const self = JSON.stringify(import.meta.url);
  const w = new Worker(`import('tsx/esm/api').then((t) => t.tsImport(${self}, ${self}));`, {
    eval: true,
    workerData: args,
  });
  let lastBeat = -1;
  let lastChange = Date.now();
  const t0 = Date.now();
  const timer = setInterval(() => {
    const beat = Atomics.load(state, 2);
    if (beat !== lastBeat) {
      lastBeat = beat;
      lastChange = Date.now();
      return;
    }
    if (Date.now() - lastChange < HANG_MS) return;
    // The worker is stuck inside one input: keep it as a finding, then stop.
    const n = Atomics.load(state, 1);
    mkdirSync(args.findings, { recursive: true });
    const file = join(args.findings, 'hang-01.bin');
    writeFileSync(file, new Uint8Array(args.shared, 16, n));
    writeFileSync(
      `${file}.txt`,
      `invariant: hang\ninput index: ${Atomics.load(state, 0)}\n\nno progress for ${HANG_MS} ms\n`,
    );
    console.log(`fuzz: input ${Atomics.load(state, 0)} hangs; written to ${file}`);
    clearInterval(timer);
    void w.terminate().then(() => process.exit(1));
  }, 1000);
  w.on(
    'message',
    (m: { progress?: Record<string, unknown>; done?: Record<string, unknown> & { findings: unknown[] } }) => {
      if (m.progress) console.log(`fuzz: ${JSON.stringify(m.progress)}`);
      if (m.done) {
        clearInterval(timer);
        const d = m.done;
        console.log(`fuzz: done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(d)}`);
        process.exitCode = d.findings.length > 0 ? 1 : 0;
      }
    },
  );
  w.on('error', (err) => {
    clearInterval(timer);
    console.error(`fuzz: the harness failed: ${err.stack ?? err}`);
    process.exitCode = 70;
  });
}

if (isMainThread) main();
else void worker(workerData as Args);
