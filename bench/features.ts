/**
 * Feature-extraction speed: the compat pipeline alone (read → packet store → bins → compat vectors) vs the
 * same pass also feeding the v2 extractor. Runs alternate to share cache/JIT conditions; medians reported.
 *
 *   node --import tsx bench/features.ts [CAPTURE=bench/out/bench.pcap] [RUNS=3]
 *   node --import tsx bench/features.ts CAPTURE --once compat|v2   (one pass in a fresh process, for external
 *     timers: e.g. /usr/bin/time, or two such commands compared by a whole-process A/B timer)
 * Build the capture with: /work/shared/tools/make-bench-pcap.sh bench/out/bench.pcap 256
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readCapture } from '../src/capture/reader.js';
import { compatFeatures } from '../src/features/compat.js';
import { deviceVectors, V2Extractor } from '../src/features/v2/index.js';
import { buildBins } from '../src/sessions/bins.js';
import { PacketStore } from '../src/sessions/packet-store.js';

const path = process.argv[2] ?? 'bench/out/bench.pcap';
const runs = process.argv[3]?.startsWith('--') ? 3 : Number(process.argv[3] ?? '3');
const bins = { durationS: 900, warmupS: 120 };
const mb = statSync(path).size / 1e6;

async function run(
  withV2: boolean,
  digest = true,
): Promise<{ seconds: number; cpu: number; packets: number; v2Bins: number; v2Sha256: string }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const store = new PacketStore();
  const v2 = new V2Extractor(bins);
  const summary = await readCapture(
    path,
    withV2
      ? (p) => {
          store.add(p);
          v2.add(p);
        }
      : (p) => {
          store.add(p);
        },
  );
  const compat = compatFeatures(store, buildBins(store, bins));
  const result = withV2 ? v2.finish(compat) : undefined;
  // What the role pipeline reads (jobs, train, eval): the device's full vectors. V2Bin.vector is built on
  // first access, so this keeps that cost inside the timing.
  if (result !== undefined) deviceVectors(result);
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  // A digest of every v2 value (outside the timing): optimisations must leave it unchanged.
  const hash = createHash('sha256');
  for (const b of digest ? (result?.bins ?? []) : []) {
    hash.update(new Uint8Array(Float64Array.of(b.bin, b.host, b.start, b.end).buffer));
    hash.update(new Uint8Array(b.vector.buffer, b.vector.byteOffset, b.vector.byteLength));
  }
  return {
    seconds,
    cpu: (cpu.user + cpu.system) / 1e6,
    packets: summary.packets,
    v2Bins: result?.bins.length ?? 0,
    v2Sha256: hash.digest('hex'),
  };
}

const once = process.argv.indexOf('--once');
if (once >= 0) {
  // One timed pass and nothing else: no warm-up, no digest (an external timer measures the process).
  await run(process.argv[once + 1] === 'v2', false);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const compatTimes: number[] = [];
const bothTimes: number[] = [];
const compatCpu: number[] = [];
const bothCpu: number[] = [];
let packets = 0;
let v2Bins = 0;
let v2Sha256 = '';
await run(false); // warm-up run: JIT and page cache
for (let i = 0; i < runs; i++) {
  const c1 = await run(false);
  compatTimes.push(c1.seconds);
  compatCpu.push(c1.cpu);
  const r = await run(true);
  bothTimes.push(r.seconds);
  bothCpu.push(r.cpu);
  packets = r.packets;
  v2Bins = r.v2Bins;
  v2Sha256 = r.v2Sha256;
}
const c = median(compatTimes);
const b = median(bothTimes);
console.log(
  JSON.stringify(
    {
      capture: path,
      megabytes: Number(mb.toFixed(1)),
      packets,
      v2HostBins: v2Bins,
      v2Sha256,
      compatSeconds: compatTimes.map((x) => Number(x.toFixed(2))),
      compatPlusV2Seconds: bothTimes.map((x) => Number(x.toFixed(2))),
      compatMBps: Number((mb / c).toFixed(1)),
      compatPlusV2MBps: Number((mb / b).toFixed(1)),
      relativeSpeed: Number((c / b).toFixed(3)),
      relativeSpeedBestRuns: Number((Math.min(...compatTimes) / Math.min(...bothTimes)).toFixed(3)),
      compatCpuSeconds: compatCpu.map((x) => Number(x.toFixed(2))),
      compatPlusV2CpuSeconds: bothCpu.map((x) => Number(x.toFixed(2))),
      relativeSpeedCpu: Number((median(compatCpu) / median(bothCpu)).toFixed(3)),
      within80Percent: median(compatCpu) / median(bothCpu) >= 0.8,
    },
    null,
    1,
  ),
);
