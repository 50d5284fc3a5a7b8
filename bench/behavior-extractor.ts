/**
 * Behaviour-extractor speed: one read of a capture with a no-op consumer vs the same read feeding the
 * behaviour extractor (src/features/behavior.ts). Each run is a fresh process (in one process the reader's
 * callback site would see both consumers and be slower for either); the two kinds alternate; medians
 * reported. The digest covers every host's every bin (values, services, public peers, stacks) and the
 * device choice: an optimisation must leave it unchanged.
 *
 *   node --import tsx bench/behavior-extractor.ts [CAPTURE=bench/out/bench.pcap] [RUNS=3]
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readCapture } from '../src/capture/reader.js';
import { BehaviorExtractor, type BehaviorResult } from '../src/features/behavior.js';

const path = process.argv[2] ?? 'bench/out/bench.pcap';
const runs = Number(process.argv[3] ?? '3');
const mb = statSync(path).size / 1e6;

interface Run {
  seconds: number;
  cpu: number;
  result?: BehaviorResult | null;
}

async function run(withBehavior: boolean): Promise<Run> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const extractor = new BehaviorExtractor({ durationS: 900 });
  await readCapture(path, withBehavior ? (p) => extractor.add(p) : () => {});
  const result = withBehavior ? extractor.finish() : null;
  const cpu = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, result };
}

function digest(result: BehaviorResult): { hostBins: number; sha256: string } {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ device: result.device, hosts: result.hosts }));
  let hostBins = 0;
  for (let h = 0; h < result.hosts.length; h++) {
    const records = result.recordsOf(h);
    for (let i = 0; i < records.length; i++) {
      hash.update(JSON.stringify(records.get(i)));
      hostBins++;
    }
  }
  return { hostBins, sha256: hash.digest('hex') };
}

const once = process.argv.indexOf('--once');
if (once >= 0) {
  const r = await run(process.argv[once + 1] === 'behavior');
  const d = process.argv.includes('--digest') && r.result ? digest(r.result) : null;
  console.log(JSON.stringify({ seconds: r.seconds, cpu: r.cpu, ...d }));
  process.exit(0);
}

function child(kind: 'read' | 'behavior', withDigest = false): Run & { hostBins?: number; sha256?: string } {
  const args = [
    ...process.execArgv,
    process.argv[1]!,
    path,
    '--once',
    kind,
    ...(withDigest ? ['--digest'] : []),
  ];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const readOnly: Run[] = [];
const withBehavior: Run[] = [];
for (let i = 0; i < runs; i++) {
  readOnly.push(child('read'));
  withBehavior.push(child('behavior'));
}
const { hostBins, sha256 } = child('behavior', true);
const extra = (xs: Run[], ys: Run[], key: 'seconds' | 'cpu') =>
  Number((median(ys.map((r) => r[key])) - median(xs.map((r) => r[key]))).toFixed(3));
console.log(
  JSON.stringify(
    {
      capture: path,
      megabytes: Number(mb.toFixed(1)),
      hostBins,
      sha256,
      readSeconds: readOnly.map((r) => Number(r.seconds.toFixed(2))),
      readPlusBehaviorSeconds: withBehavior.map((r) => Number(r.seconds.toFixed(2))),
      behaviorSeconds: extra(readOnly, withBehavior, 'seconds'),
      behaviorCpuSeconds: extra(readOnly, withBehavior, 'cpu'),
    },
    null,
    1,
  ),
);
