/**
 * Reader benchmark: our readCapture vs `tcpdump -r FILE -w /dev/null` on the same large capture, in the
 * same run, each in its own process (so peak RSS is its own).
 *
 *   npx tsx bench/reader.ts [SIZE_MB=256 | FILE] [--runs N]
 *
 * Without a FILE it builds (once, cached) bench/out/bench-<SIZE_MB>.pcap from real captures with
 * ../shared/tools/make-bench-pcap.sh (needs mergecap/editcap and that folder).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

interface Run {
  seconds: number;
  packets: number;
  peakRssMiB: number;
}

/** The measured side: read the file, touch the decoded fields, print one JSON line. */
async function child(file: string): Promise<void> {
  const { readCapture } = await import('../src/capture/reader.js');
  let check = 0;
  const t0 = process.hrtime.bigint();
  const s = await readCapture(file, (p) => {
    check =
      (check + p.srcPort + p.dstPort + p.tcpFlags + p.ipVersion + p.l4Proto + p.srcAddr[3]! + p.tsNsec) | 0;
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ seconds, packets: s.packets, peakRssMiB, check }));
}

function ours(file: string): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'reader.ts'), '--child', file], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`reader run failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
  return { seconds: j.seconds, packets: j.packets, peakRssMiB: j.peakRssMiB };
}

function tcpdump(file: string, packets: number): Run {
  // GNU time prints elapsed seconds and max RSS (KiB) on stderr, after tcpdump's own lines.
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', 'tcpdump', '-r', file, '-w', '/dev/null'], {
    encoding: 'utf8',
  });
  const m = /BENCH ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) throw new Error(`tcpdump run failed: ${r.stderr}`);
  return { seconds: Number(m[1]), packets, peakRssMiB: Number(m[2]) / 1024 };
}

function capture(arg: string | undefined): string {
  if (arg !== undefined && !/^\d+$/.test(arg)) return arg;
  const size = Number(arg ?? 256);
  const out = join(root, 'bench/out', `bench-${size}.pcap`);
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    const script = join(root, '../shared/tools/make-bench-pcap.sh');
    console.log(`building ${out} (${size} MB) ...`);
    execFileSync('bash', [script, out, String(size)], { stdio: 'inherit' });
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
  const file = capture(args[0]);
  const mb = statSync(file).size / 1e6;
  // Warm the page cache so neither side pays for the disk.
  execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 });
  const best = (xs: Run[]): Run => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const o: Run[] = [];
  const t: Run[] = [];
  for (let i = 0; i < runs; i++) {
    o.push(ours(file));
    t.push(tcpdump(file, o[0]!.packets));
  }
  const a = best(o);
  const b = best(t);
  const line = (name: string, r: Run): string =>
    `${name.padEnd(9)} ${(mb / r.seconds).toFixed(0).padStart(6)} MB/s  ${(r.packets / r.seconds / 1e6).toFixed(2).padStart(6)} Mpkt/s  ${r.seconds.toFixed(2).padStart(6)} s  peak RSS ${r.peakRssMiB.toFixed(0).padStart(4)} MiB`;
  console.log(`${file}: ${mb.toFixed(0)} MB, ${a.packets} packets, best of ${runs}, node ${process.version}`);
  console.log(line('networkml', a));
  console.log(line('tcpdump', b));
  console.log(`ratio: networkml runs at ${((100 * b.seconds) / a.seconds).toFixed(0)} % of tcpdump's speed`);
}

await main();
