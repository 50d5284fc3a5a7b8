/**
 * Host-footprint (NetworkML v0.6.8) speed: read → per-host footprint of every unicast MAC → model, on a
 * large capture, against the reader alone in the same process (alternating runs; medians reported).
 *
 *   node --import tsx bench/host-footprint.ts [CAPTURE=/work/bench-data/bench-1024.pcap] [RUNS=3]
 *   node --import tsx bench/host-footprint.ts CAPTURE --once   (one full pass, for whole-process timers)
 * Build the capture once with: bash ../shared/tools/make-bench-pcap.sh /work/bench-data/bench-1024.pcap 1024
 */
import { statSync } from 'node:fs';
import { readCapture } from '../src/capture/reader.js';
import { HostFootprintExtractor } from '../src/features/host-footprint/extractor.js';
import { loadHostFootprintModel } from '../src/models/host-footprint.js';
import { predictHost } from '../src/pipeline/host-footprint.js';

const path = process.argv[2] ?? '/work/bench-data/bench-1024.pcap';
const once = process.argv.includes('--once');
const runs = once ? 1 : Number(process.argv[3] ?? '3');
const mb = statSync(path).size / 1e6;

async function footprint(): Promise<{ seconds: number; packets: number; hosts: number; top: string }> {
  const t0 = performance.now();
  const ex = new HostFootprintExtractor();
  const summary = await readCapture(path, (p) => ex.add(p));
  const { hosts } = ex.finish('no-srcmacid');
  const model = loadHostFootprintModel();
  const predictions = hosts.map((h) => predictHost(model, h));
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    packets: summary.packets,
    hosts: hosts.length,
    top: predictions[0]?.ranked[0]?.label ?? '-',
  };
}

async function readerOnly(): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  await readCapture(path, (p) => {
    n += p.originalLength;
  });
  if (n < 0) throw new Error('unreachable');
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fp: number[] = [];
const rd: number[] = [];
let info = { packets: 0, hosts: 0, top: '' };
for (let i = 0; i < runs; i++) {
  const r = await footprint();
  fp.push(r.seconds);
  info = r;
  if (!once) rd.push(await readerOnly());
}
const rss = process.resourceUsage().maxRSS / 1024;
console.log(
  `${path}: ${mb.toFixed(0)} MB, ${info.packets} packets, ${info.hosts} hosts (no-srcmacid; first: ${info.top})`,
);
console.log(
  `host footprint + model: median ${median(fp).toFixed(2)} s = ${(mb / median(fp)).toFixed(0)} MB/s (runs: ${fp.map((s) => s.toFixed(2)).join(', ')})`,
);
if (rd.length) {
  console.log(
    `reader alone:           median ${median(rd).toFixed(2)} s = ${(mb / median(rd)).toFixed(0)} MB/s; footprint/reader time ${(median(fp) / median(rd)).toFixed(2)}`,
  );
}
console.log(`peak RSS ${rss.toFixed(0)} MiB`);
