/**
 * One injection as build.ts makes them, for a small test capture: a raw attack (gen-attacks.sh) rewritten
 * into one normal capture's network and merged into it.
 *   npx tsx bench/behavior/inject-one.ts NORMAL.pcap RAW.pcap OUT.pcap --index OUT/attacks/index.jsonl
 *     --role attacker|victim [--at 0.3] [--public 46.87.60.150] [--ttl -12] [--stack lab|device]
 * --at: where in the normal capture the attack starts (share of its span); --public: the address a public
 * peer gets; --ttl: added to the TTL of frames from a public peer (it is hops away); --stack device: the
 * device's own TTL and SYN options on the frames its end sent (as build.ts --stack device). Needs tcpdump,
 * tcprewrite, editcap and mergecap (install-tools.sh).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { identityOf } from './identity.js';
import { attackSpec, type RawAttack, rewrite } from './inject.js';
import { deviceStackOfCapture } from './stack.js';

const run = promisify(execFile);

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
  if (v === undefined) fail(`--${name} is required`);
  return v;
}

function fail(message: string): never {
  process.stderr.write(`inject-one: ${message}\n`);
  process.exit(2);
}

async function identify(path: string) {
  const { stdout } = await run('tcpdump', ['-nn', '-e', '-tt', '-r', path], { maxBuffer: 1 << 30 });
  return identityOf(stdout, 'device');
}

const [normal, raw, out] = process.argv.slice(2, 5);
if (!normal || !raw || !out || normal.startsWith('--') || raw.startsWith('--') || out.startsWith('--'))
  fail('usage: inject-one.ts NORMAL.pcap RAW.pcap OUT.pcap --index INDEX.jsonl --role attacker|victim');
const role = arg('role');
if (role !== 'attacker' && role !== 'victim') fail(`--role must be attacker or victim, not ${role}`);
const attack = readFileSync(arg('index'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as RawAttack)
  .find((a) => basename(a.file) === basename(raw));
if (!attack) fail(`${basename(raw)} is not in the index`);
if (!attack.roles.split(',').includes(role)) fail(`${attack.id} has no ${role} role`);
const at = Number(arg('at', '0.3'));
const stack = arg('stack', 'lab');
if (stack !== 'lab' && stack !== 'device') fail(`--stack must be lab or device, not ${stack}`);
const dev = await identify(normal);
const span = await identify(raw);
const start = dev.start + (dev.end - dev.start) * at;
const tmp = mkdtempSync(join(tmpdir(), 'inject-one-'));
try {
  const spec = attackSpec(raw, attack, role, dev, arg('public', '46.87.60.150'), arg('ttl', '-12'));
  if (stack === 'device') {
    const own = await deviceStackOfCapture(normal, dev, tmp);
    if (own) spec.deviceStack = { device: dev, stack: own };
  }
  const injected = join(tmp, 'inj.pcap');
  await rewrite(raw, injected, spec, start - span.start, tmp);
  await run('mergecap', ['-F', 'pcap', '-w', out, normal, injected]);
  process.stdout.write(
    `${out}: ${attack.id} as the ${role} ${dev.mac} ${dev.ip}, from ${start.toFixed(3)}\n`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
