#!/usr/bin/env node
/**
 * Worker teardown stress: looks for the rare SIGABRT "node::NodePlatform::ForIsolate ... Assertion failed:
 * (data.first) != nullptr", a worker isolate disposed while a V8 background job still works for it.
 * Runs against the build (dist/; `npx tsc -p tsconfig.build.json` first) and counts child processes that
 * die by a signal or print that assertion.
 *
 *   node bench/worker-teardown-stress.mjs PATTERN [--runs N] [--parallel P] [--per-run K] [--root DIR]
 *
 * PATTERN (each run is one child process doing K iterations, P children at a time, N runs in all):
 *   startup-lstm    start lstm-worker.js (with a real model) and terminate() it after 0-50 ms
 *   startup-reader  start a spare reader-worker.js and terminate() it after 0-50 ms
 *   startup-pool    start pool-worker.js and terminate() it after 0-50 ms
 *   pool            runJobs('eval', 4 small captures, { threads: 2 }): the pool's own start and teardown
 *   lstm            scoreOnTwoThreads on a few sequences (the worker is torn down however far it got)
 *   cli             ./bin/networkml.js eval --threads 2 --json --no-history -o /dev/null on 40 captures
 *                   (K is ignored: one batch a run)
 * --root DIR stresses the build in DIR/dist and DIR/bin (default: this tree's).
 * Defaults: --runs 20 --parallel 2 --per-run 100. Bounded: every child is killed after 120 s (counted).
 * Prints one line per finished run that did not exit 0, then the totals.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --root DIR: the build (DIR/dist, DIR/bin) to stress, e.g. a copy of another commit's; captures stay ours.
const rootArg = process.argv.indexOf('--root');
const build = rootArg < 0 ? root : process.argv[rootArg + 1];
const dist = (p) => pathToFileURL(join(build, 'dist', p));
const MODEL = join(root, 'test-data/models/networkml-v0.4.8-sos-lstm.json');
const CHILD_TIMEOUT_MS = 120_000;
const CLI_FLAGS = ['--max-semi-space-size=4', '--expose-gc'];

function smallCaptures(n) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'edge' && e.name !== 'fuzz') walk(p);
      } else if (e.name.endsWith('.pcap') && statSync(p).size < 2 * 1024 * 1024) out.push(p);
    }
  };
  walk(join(root, 'test-data'));
  return out.sort().slice(0, n);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `url` and terminates it after a random 0-50 ms: mid-startup most of the time. */
async function startAndTerminate(url, workerData) {
  const w = new Worker(url, { workerData });
  w.on('error', () => {});
  await sleep(Math.random() * 50);
  await w.terminate();
}

async function child(pattern, k) {
  if (pattern === 'startup-lstm' || pattern === 'lstm') {
    const { SessionSequenceLstm } = await import(dist('models/lstm.js'));
    const lstm = SessionSequenceLstm.load(MODEL);
    if (pattern === 'startup-lstm') {
      for (let i = 0; i < k; i++)
        await startAndTerminate(dist('models/lstm-worker.js'), { model: lstm.parts() });
      return;
    }
    const { scoreOnTwoThreads } = await import(dist('models/lstm-threads.js'));
    const { shareRowArrays } = await import(dist('features/shared-rows.js'));
    const rows = Array.from({ length: 400 }, (_, i) => {
      const v = new Float64Array(lstm.inputSize);
      v[0] = i % 2;
      v[5] = i;
      return v;
    });
    const label = lstm.labelVector('Unknown');
    for (let i = 0; i < k; i++) {
      const n = 1 + Math.floor(Math.random() * 40); // a few sequences: this thread is done in 0-15 ms
      scoreOnTwoThreads(lstm, rows, shareRowArrays(rows, lstm.inputSize), label, 0, n);
      await sleep(Math.random() * 20);
    }
    return;
  }
  if (pattern === 'startup-reader') {
    for (let i = 0; i < k; i++) await startAndTerminate(dist('capture/reader-worker.js'), null);
    return;
  }
  if (pattern === 'startup-pool') {
    for (let i = 0; i < k; i++) await startAndTerminate(dist('pipeline/pool-worker.js'), undefined);
    return;
  }
  if (pattern === 'pool') {
    const { runJobs } = await import(dist('pipeline/pool.js'));
    const captures = smallCaptures(40);
    for (let i = 0; i < k; i++) {
      const pick = Array.from({ length: 4 }, () => captures[Math.floor(Math.random() * captures.length)]);
      const out = await runJobs(
        'eval',
        pick.map((path) => ({ path, options: { capture: {} }, perHost: false })),
        { threads: 2 },
      );
      if (out.some((r) => !r.ok && r.error.startsWith('internal'))) throw new Error(JSON.stringify(out));
    }
    return;
  }
  throw new Error(`unknown pattern ${pattern}`);
}

function runOne(pattern, k) {
  // The CLI runs with its shebang's V8 flags (a small young generation: more collections); so do children.
  const [command, args] =
    pattern === 'cli'
      ? [
          join(build, 'bin/networkml.js'),
          ['eval', ...smallCaptures(40), '--threads', '2', '--json', '--no-history', '-o', '/dev/null'],
        ]
      : [
          process.execPath,
          [...CLI_FLAGS, fileURLToPath(import.meta.url), '--child', pattern, String(k), '--root', build],
        ];
  return new Promise((resolve) => {
    const p = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function main(argv) {
  if (argv[0] === '--child') return child(argv[1], Number(argv[2]));
  const pattern = argv[0];
  const opt = (name, d) => {
    const i = argv.indexOf(name);
    return i < 0 ? d : Number(argv[i + 1]);
  };
  const runs = opt('--runs', 20);
  const parallel = opt('--parallel', 2);
  const k = opt('--per-run', 100);
  const t0 = Date.now();
  const tally = { runs: 0, ok: 0, aborts: 0, assertion: 0, otherSignal: 0, failed: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < runs) {
        const n = next++;
        const { code, signal, stderr } = await runOne(pattern, k);
        tally.runs++;
        const assertion = /ForIsolate|data\.first/.test(stderr);
        if (assertion) tally.assertion++;
        if (signal === 'SIGABRT') tally.aborts++;
        else if (signal) tally.otherSignal++;
        else if (code !== 0) tally.failed++;
        if (code === 0 && !assertion) {
          tally.ok++;
          continue;
        }
        const tail = stderr.split('\n').filter(Boolean).slice(0, 3).join(' | ');
        console.log(`run ${n}: code ${code} signal ${signal} ${tail.slice(0, 300)}`);
      }
    }),
  );
  const s = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(
    `${pattern}: ${tally.runs} runs x ${pattern === 'cli' ? 1 : k} in ${s} s (parallel ${parallel}): ` +
      `${tally.aborts} SIGABRT, ${tally.assertion} with the ForIsolate assertion, ` +
      `${tally.otherSignal} other signals, ${tally.failed} other failures`,
  );
}

await main(process.argv.slice(2));
