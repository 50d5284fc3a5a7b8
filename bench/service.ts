/**
 * Service throughput: jobs per second through RabbitMQ with 1 and 2 worker processes (`networkml worker`,
 * real evaluator) on N jobs naming the same real capture. Starts a private rabbitmq-server on loopback
 * unless --rabbit-host is given. Each worker first gets two warm-up jobs (model loading, JIT), which are not
 * timed; the clock runs from submitting the N jobs to the last result arriving at a collector queue.
 *
 *   node --import tsx bench/service.ts [--jobs 500] [--capture test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap]
 *                                      [--workers 1,2] [--concurrency 1] [--prefetch N]
 *                                      [--rabbit-host H --rabbit-port P]
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RABBIT_DEFAULTS, type RabbitSettings } from '../src/service/config.js';
import { submitJobs } from '../src/service/submit.js';
import { type RabbitServer, startRabbit } from '../src/test-helpers/rabbitmq.js';
import { ResultCollector, spawnWorker, stopWorker, workerArgs } from '../src/test-helpers/service-harness.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '500' },
    capture: { type: 'string', default: 'test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap' },
    workers: { type: 'string', default: '1,2' },
    concurrency: { type: 'string', default: '1' },
    prefetch: { type: 'string' },
    'rabbit-host': { type: 'string' },
    'rabbit-port': { type: 'string', default: '5672' },
  },
});
const jobs = Number(values.jobs);
const workerCounts = values.workers.split(',').map(Number);
const capture = resolve(values.capture);

function dataMessages(messages: unknown[]): number {
  return (messages as { data: unknown }[]).filter((m) => m.data !== '').length;
}

async function measure(base: RabbitSettings, root: string, workers: number, run: number): Promise<number> {
  const settings: RabbitSettings = {
    ...base,
    queue: `bench.jobs.${run}.${workers}`,
    routingKey: `bench.results.${run}.${workers}`,
  };
  const collector = new ResultCollector(settings, `bench.results.${run}.${workers}`);
  await collector.start();
  const procs = Array.from({ length: workers }, () =>
    spawnWorker(
      workerArgs(settings, root, [
        // The figures in docs/service.md were measured with v0 (two messages per job).
        '--result-format',
        'v0',
        '--concurrency',
        values.concurrency,
        ...(values.prefetch ? ['--prefetch', values.prefetch] : []),
      ]),
    ),
  );
  try {
    await Promise.all(procs.map((p) => p.waitForLog((l) => l.msg === 'consuming', 60_000)));
    const name = basename(capture);
    await submitJobs(Array(workers * 2).fill(name), { rabbit: settings });
    await collector.waitFor((m) => dataMessages(m) >= workers * 2, 120_000, 'warm-up results');
    const warm = dataMessages(collector.messages);
    const started = performance.now();
    await submitJobs(Array(jobs).fill(name), { rabbit: settings });
    await collector.waitFor((m) => dataMessages(m) >= warm + jobs, 600_000, `${jobs} results`);
    const seconds = (performance.now() - started) / 1000;
    const shares = procs.map((p) => p.logs.filter((l) => l.msg === 'job done').length - 2);
    console.log(
      `${workers} worker(s): ${jobs} jobs in ${seconds.toFixed(2)} s = ${(jobs / seconds).toFixed(1)} jobs/s` +
        ` (jobs per worker ≈ ${shares.join(' / ')})`,
    );
    return jobs / seconds;
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p)));
    await collector.close();
  }
}

const root = await mkdtemp(join(tmpdir(), 'networkml-bench-'));
let rabbit: RabbitServer | null = null;
try {
  await copyFile(capture, join(root, basename(capture)));
  let base: RabbitSettings;
  if (values['rabbit-host']) {
    base = { ...RABBIT_DEFAULTS, host: values['rabbit-host'], port: Number(values['rabbit-port']) };
  } else {
    rabbit = await startRabbit();
    base = { ...RABBIT_DEFAULTS, host: rabbit.host, port: rabbit.port };
  }
  console.log(
    `capture ${basename(capture)}, ${jobs} jobs, concurrency ${values.concurrency}, prefetch ` +
      `${values.prefetch ?? values.concurrency} per worker; ` +
      `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}`,
  );
  const rates = new Map<number, number>();
  const run = Date.now();
  for (const workers of workerCounts) rates.set(workers, await measure(base, root, workers, run));
  const one = rates.get(1);
  if (one)
    for (const [w, rate] of rates)
      if (w > 1) console.log(`speed-up with ${w} workers: ${(rate / one).toFixed(2)}×`);
} finally {
  await rabbit?.dispose();
  await rm(root, { recursive: true, force: true });
}
