/**
 * Builds the behaviour benchmark from normal device captures and the raw attack captures made by
 * gen-attacks.sh: a train folder of normals, and a test folder of normal / attacked / wrong-role captures,
 * short (one setup) and long (several setups of one device merged over ~1 h). Writes OUT/manifest.json.
 *
 *   npx tsx bench/behavior/build.ts [--out DIR] [--seed N] [--shared DIR] [--version LABEL] [--jobs N]
 *       [--force | --force-ids REGEX]
 *       [--identity device|legacy] [--list-identities] [--stack lab|device]
 *   npx tsx bench/behavior/build.ts --out DIR --attacks ADIR --split-from MANIFEST [--per-short 3] [--per-long 4]
 *       [--ids REGEX] [--own-resolver REGEX]
 *
 * With --split-from (the "fresh tools" set, README): no new normals; the test normals, their device
 * identities and the seed are the given manifest's, every raw attack of ADIR/attacks/index.jsonl is injected
 * into them (short: --per-short attacks per normal, long: --per-long, rotating over the attack ids), and
 * OUT/manifest.json lists the source's train and test normal entries (their paths) plus the new captures,
 * so score.ts scores the new attacks against exactly the split's test normals. --ids: only the attack ids that
 * match; --own-resolver: attacks whose id matches (DNS ones) talk to the DNS server the device itself uses in
 * its capture instead of a never-seen public address (entry peer "own-resolver"), as a real tunnel through the
 * device's resolver would.
 *
 * Injection rewrites the endpoint the device plays (attacker, or victim for inbound attacks) to the
 * device's own MAC and IP, the other endpoint to a LAN neighbour (same /24, a neighbour's MAC) or a
 * public-looking address behind the device's gateway MAC, with tcpdump (split by direction), tcprewrite
 * (--enet-smac/--enet-dmac per direction, --pnat for IPv4 and ARP addresses, --fixcsum), a MAC pass for the
 * other lab hosts and ARP payloads (inject.ts, lab.ts), editcap -t and mergecap.
 * --stack device: the frames the device's end of an attack sent get the device's own TTL and SYN options
 * (stack.ts), as malware running on the device would send them; lab (the default, every manifest before it):
 * they keep the lab's Linux stack. The choice is recorded in the manifest.
 * Everything is deterministic for a given --seed; existing output files are reused unless --force.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type Identity, type IdentityRule, identityOf } from './identity.js';
import { attackSpec, hashStr, type RawAttack, type RewriteSpec, rewrite, subnet24 } from './inject.js';
import { type DeviceStack, deviceStackOfCapture } from './stack.js';

const run = promisify(execFile);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const here = resolve(import.meta.dirname);
const OUT = resolve(arg('out', '/work/behavior-bench'));
/** Where attacks/index.jsonl and the raw attack captures are (default: OUT). */
const ATTACKS = resolve(arg('attacks', OUT));
const SPLIT_FROM = process.argv.includes('--split-from') ? resolve(arg('split-from', '')) : null;
const PER_SHORT = Number(arg('per-short', '3'));
const PER_LONG = Number(arg('per-long', '4'));
const IDS = process.argv.includes('--ids') ? new RegExp(arg('ids', '')) : null;
const OWN_RESOLVER = process.argv.includes('--own-resolver') ? new RegExp(arg('own-resolver', '')) : null;
interface SourceManifest {
  seed: number;
  identity?: string;
  version: string;
  split: { train: string[]; test: string[] };
  entries: Entry[];
}
const SOURCE: SourceManifest | null = SPLIT_FROM
  ? (JSON.parse(readFileSync(SPLIT_FROM, 'utf8')) as SourceManifest)
  : null;
const SEED = SOURCE ? SOURCE.seed : Number(arg('seed', '12'));
const SHARED = resolve(arg('shared', join(here, '../../../shared')));
const FORCE = process.argv.includes('--force');
/** Regenerate only the injected captures whose id matches (e.g. after changing how one family is injected). */
const FORCE_IDS = process.argv.includes('--force-ids') ? new RegExp(arg('force-ids', '^$')) : null;
const JOBS = Number(arg('jobs', '2'));
const VERSION = arg('version', 'v1');
/**
 * How a capture's device is found: 'device' (default) never takes the network's gateway or DHCP server;
 * 'legacy' is the first rule (most frequent source MAC of private-address packets), which took the gateway
 * of near-silent setups (an iKettle2 sends one packet from its address, the gateway's DHCP server two).
 */
const IDENTITY = (SOURCE?.identity ?? arg('identity', 'device')) as IdentityRule;
if (IDENTITY !== 'device' && IDENTITY !== 'legacy') {
  console.error(`build: --identity must be device or legacy, not ${IDENTITY}`);
  process.exit(2);
}

const STACK = arg('stack', 'lab');
if (STACK !== 'lab' && STACK !== 'device') {
  console.error(`build: --stack must be lab or device, not ${STACK}`);
  process.exit(2);
}

export const FAMILIES = ['scan', 'credential', 'lateral', 'c2', 'dnstunnel', 'exfil'] as const;
/** Wrong-role captures whose injected type is one of these are held out. */
const HELDOUT_WRONGROLE_TYPES = new Set(['HueBridge', 'PMU']);

// ---------- deterministic randomness ----------
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function rngFor(key: string): () => number {
  return mulberry32(hashStr(`${SEED}:${key}`));
}
function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// ---------- normals ----------
interface Normal {
  name: string;
  path: string;
  type: string;
  /** Physical device (split unit for types with several devices). */
  device: string;
  source: 'iot-sentinel' | 'roles-dev';
}

function listNormals(): Normal[] {
  const out: Normal[] = [];
  const iot = join(SHARED, 'pcaps/iot-sentinel/setups');
  for (const f of readdirSync(iot)
    .filter((x) => x.endsWith('.pcap'))
    .sort()) {
    const type = f.split('-')[0]!;
    out.push({ name: f, path: join(iot, f), type, device: type, source: 'iot-sentinel' });
  }
  const rd = join(SHARED, 'pcaps/roles-dev');
  const labels = readFileSync(join(rd, 'LABELS.tsv'), 'utf8').trim().split('\n');
  const head = labels[0]!.split('\t');
  const fi = head.indexOf('file');
  const ti = head.indexOf('type');
  const di = head.indexOf('device');
  for (const line of labels.slice(1)) {
    const c = line.split('\t');
    out.push({ name: c[fi]!, path: join(rd, c[fi]!), type: c[ti]!, device: c[di]!, source: 'roles-dev' });
  }
  return out;
}

/** Per type: 60 % of split units to train. Unit = device when the type has several devices, else capture. */
function split(normals: Normal[]): { train: Normal[]; test: Normal[] } {
  const train: Normal[] = [];
  const test: Normal[] = [];
  const types = [...new Set(normals.map((n) => n.type))].sort();
  for (const t of types) {
    const mine = normals.filter((n) => n.type === t);
    const devices = [...new Set(mine.map((n) => n.device))].sort();
    const unitOf = (n: Normal) => (devices.length > 1 ? n.device : n.name);
    const units = shuffle([...new Set(mine.map(unitOf))].sort(), rngFor(`split:${t}`));
    const nTrain = Math.min(units.length - 1, Math.max(1, Math.round(units.length * 0.6)));
    const trainUnits = new Set(units.slice(0, nTrain));
    for (const n of mine) (trainUnits.has(unitOf(n)) ? train : test).push(n);
  }
  return { train, test };
}

// ---------- capture facts ----------
async function identify(path: string): Promise<Identity> {
  const { stdout } = await run('tcpdump', ['-nn', '-e', '-tt', '-r', path], { maxBuffer: 1 << 30 });
  return identityOf(stdout, IDENTITY);
}

/** The device's own stack in a base capture (read once per base; classic pcap via editcap). */
const stacks = new Map<string, Promise<DeviceStack | null>>();
function deviceStack(b: Base, tmp: string): Promise<DeviceStack | null> {
  let s = stacks.get(b.path);
  if (!s) {
    s = deviceStackOfCapture(b.path, b.ident, tmp);
    stacks.set(b.path, s);
    s.catch(() => stacks.delete(b.path));
  }
  return s;
}

// ---------- attacks ----------
function loadAttacks(): RawAttack[] {
  const idx = join(ATTACKS, 'attacks/index.jsonl');
  if (!existsSync(idx)) return [];
  return readFileSync(idx, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RawAttack)
    .filter((a) => a.packets > 0 && existsSync(join(ATTACKS, a.file)) && (!IDS || IDS.test(a.id)));
}

const resolvers = new Map<string, string | null>();
/** The address a capture's device sends most of its DNS queries to (null: it sent none). */
async function resolverOf(path: string, ip: string): Promise<string | null> {
  if (!resolvers.has(path)) {
    const { stdout } = await run('tcpdump', ['-nn', '-r', path, `src host ${ip} and udp dst port 53`], {
      maxBuffer: 1 << 28,
    });
    const n = new Map<string, number>();
    for (const m of stdout.matchAll(/ > (\d+\.\d+\.\d+\.\d+)\.53: /g)) n.set(m[1]!, (n.get(m[1]!) ?? 0) + 1);
    resolvers.set(path, [...n].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0]?.[0] ?? null);
  }
  return resolvers.get(path)!;
}
const attackFacts = new Map<string, { start: number; end: number }>();
async function attackSpan(a: RawAttack): Promise<{ start: number; end: number }> {
  let f = attackFacts.get(a.id);
  if (!f) {
    const id = await identify(join(ATTACKS, a.file));
    f = { start: id.start, end: id.end };
    attackFacts.set(a.id, f);
  }
  return f;
}

function publicAddr(key: string): string {
  const r = rngFor(`pub:${key}`);
  const firsts = [
    23, 31, 37, 45, 46, 51, 62, 77, 78, 80, 85, 91, 93, 94, 103, 104, 139, 141, 151, 176, 178, 185, 188, 193,
    195, 212, 213, 217,
  ];
  const a = firsts[Math.floor(r() * firsts.length)]!;
  return `${a}.${1 + Math.floor(r() * 254)}.${1 + Math.floor(r() * 254)}.${2 + Math.floor(r() * 252)}`;
}

// ---------- manifest ----------
interface Entry {
  id: string;
  path: string;
  /** --stack device: whose stack the device's injected frames carry (lab when its capture showed none). */
  stack?: 'device' | 'lab';
  split: 'train' | 'test';
  kind: 'normal' | 'attack' | 'wrongrole';
  family: string | null;
  tool: string | null;
  attackId?: string;
  length: 'short' | 'long' | null;
  deviceType: string;
  device: { mac: string; ip: string };
  /** Setups this capture is made of (normal captures). */
  parts: string[];
  window?: { start: number; end: number };
  deviceRole?: 'attacker' | 'victim';
  peer?: string;
  wrongRoleType?: string;
  heldout: boolean;
  span: { start: number; end: number };
}

async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: n }, async () => {
    while (i < items.length) {
      const t = items[i++]!;
      await f(t);
    }
  });
  await Promise.all(workers);
}

interface Base {
  id: string;
  type: string;
  length: 'short' | 'long';
  path: string;
  parts: Normal[];
  ident: Identity;
}

/**
 * --split-from: the source manifest's train and test normal entries as they are, and its test normals as
 * injection bases with the identity the source used (MAC and IP from the entry; the gateway MAC, as build
 * does, from the first setup the capture is made of; span from the capture itself).
 */
async function fromSource(
  src: SourceManifest,
  normals: Normal[],
  ident: Map<string, Identity>,
): Promise<{ bases: Base[]; entries: Entry[] }> {
  const byName = new Map(normals.map((n) => [n.name, n]));
  const entries = src.entries.filter((e) => e.kind === 'normal');
  const bases: Base[] = [];
  await pool(
    entries.filter((e) => e.split === 'test'),
    JOBS,
    async (e) => {
      if (e.length !== 'short' && e.length !== 'long') throw new Error(`${e.id}: no length`);
      const parts = e.parts.map((p) => {
        const n = byName.get(p);
        if (!n) throw new Error(`${e.id}: setup ${p} not among the normals of ${SHARED}`);
        return n;
      });
      const first = ident.get(parts[0]!.name)!;
      if (first.mac !== e.device.mac || first.ip !== e.device.ip)
        throw new Error(
          `${e.id}: device ${first.mac} ${first.ip} is not the source's ${e.device.mac} ${e.device.ip}`,
        );
      const span = await identify(e.path);
      bases.push({
        id: e.id,
        type: e.deviceType,
        length: e.length,
        path: e.path,
        parts,
        ident: { ...span, mac: e.device.mac, ip: e.device.ip, gwMac: first.gwMac },
      });
    },
  );
  bases.sort((x, y) => x.id.localeCompare(y.id));
  return { bases, entries };
}

async function main(): Promise<void> {
  for (const tool of ['tcpdump', 'tcprewrite', 'editcap', 'mergecap']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      console.error(`build: ${tool} not found (bash bench/behavior/install-tools.sh)`);
      process.exit(2);
    }
  }
  const normals = listNormals();
  if (process.argv.includes('--list-identities')) {
    // What the injection will take as each normal capture's device (to compare --identity rules).
    const ids = new Map<string, Identity>();
    await pool(normals, JOBS, async (n) => {
      ids.set(n.name, await identify(n.path));
    });
    for (const n of normals) {
      const i = ids.get(n.name)!;
      process.stdout.write(`${n.name}\t${n.type}\t${i.packets}\t${i.mac}\t${i.ip}\t${i.gwMac}\n`);
    }
    return;
  }
  // --split-from: no normals of our own; the source manifest's test normals are the bases (below).
  const { train, test } = SOURCE ? { train: [], test: [] } : split(normals);
  const attacks = loadAttacks();
  const trainDir = join(OUT, 'train');
  const testDir = join(OUT, 'test');
  const tmpRoot = join(OUT, '.tmp');
  if (!SOURCE) mkdirSync(trainDir, { recursive: true });
  mkdirSync(join(testDir, 'short'), { recursive: true });
  mkdirSync(join(testDir, 'long'), { recursive: true });
  rmSync(tmpRoot, { recursive: true, force: true });
  mkdirSync(tmpRoot, { recursive: true });
  let tmpN = 0;
  const newTmp = () => {
    const d = join(tmpRoot, String(tmpN++));
    mkdirSync(d, { recursive: true });
    return d;
  };
  const entries: Entry[] = [];
  const ident = new Map<string, Identity>();
  await pool(normals, JOBS, async (n) => {
    ident.set(n.name, await identify(n.path));
  });
  for (const n of train) {
    const dst = join(trainDir, n.name);
    if (!existsSync(dst)) copyFileSync(n.path, dst);
    const id = ident.get(n.name)!;
    entries.push({
      id: `train-${n.name.replace(/\.pcap$/, '')}`,
      path: dst,
      split: 'train',
      kind: 'normal',
      family: null,
      tool: null,
      length: 'short',
      deviceType: n.type,
      device: { mac: id.mac, ip: id.ip },
      parts: [n.name],
      heldout: false,
      span: { start: id.start, end: id.end },
    });
  }

  // ----- short and long test normals -----
  const bases: Base[] = [];
  for (const n of test) {
    const id = `s-${n.name.replace(/-n00\.pcap$/, '').replace(/\.pcap$/, '')}`;
    const dst = join(testDir, 'short', `${id}.pcap`);
    if (!existsSync(dst)) copyFileSync(n.path, dst);
    bases.push({ id, type: n.type, length: 'short', path: dst, parts: [n], ident: ident.get(n.name)! });
  }
  // Long: per test device with ≥ 3 captures, 3 merged captures of 3–6 setups over ~55 min (2 when fewer).
  const byDevice = new Map<string, Normal[]>();
  for (const n of test)
    byDevice.set(`${n.type}/${n.device}`, [...(byDevice.get(`${n.type}/${n.device}`) ?? []), n]);
  const longJobs: Base[] = [];
  for (const [key, caps] of [...byDevice].sort()) {
    if (caps.length < 2) continue;
    const r = rngFor(`long:${key}`);
    const count = caps.length >= 5 ? 3 : caps.length >= 3 ? 2 : 1;
    for (let k = 0; k < count; k++) {
      const size = Math.min(caps.length, 3 + Math.floor(r() * 4));
      const parts = shuffle(caps, r).slice(0, size);
      const type = caps[0]!.type;
      const id = `l-${type}-${caps[0]!.device === type ? '' : `${caps[0]!.device}-`}${k + 1}`;
      longJobs.push({
        id,
        type,
        length: 'long',
        path: join(testDir, 'long', `${id}.pcap`),
        parts,
        ident: ident.get(parts[0]!.name)!,
      });
    }
  }
  await pool(longJobs, JOBS, async (b) => {
    if (!existsSync(b.path) || FORCE) {
      const tmp = newTmp();
      const shifted: string[] = [];
      const first = ident.get(b.parts[0]!.name)!;
      const step = (55 * 60) / Math.max(1, b.parts.length - 1);
      let prevEnd = first.start;
      for (let i = 0; i < b.parts.length; i++) {
        const p = ident.get(b.parts[i]!.name)!;
        const target = i === 0 ? first.start : Math.max(first.start + i * step, prevEnd + 30);
        const out = join(tmp, `p${i}.pcap`);
        await run('editcap', ['-F', 'pcap', '-t', (target - p.start).toFixed(6), b.parts[i]!.path, out]);
        prevEnd = target + (p.end - p.start);
        shifted.push(out);
      }
      const t = `${b.path}.tmp`;
      await run('mergecap', ['-F', 'pcap', '-w', t, ...shifted]);
      renameSync(t, b.path);
      rmSync(tmp, { recursive: true, force: true });
    }
    const id = await identify(b.path);
    b.ident = { ...id, mac: b.ident.mac, ip: b.ident.ip, gwMac: b.ident.gwMac };
  });
  bases.push(...longJobs);
  for (const b of bases) {
    entries.push({
      id: b.id,
      path: b.path,
      split: 'test',
      kind: 'normal',
      family: null,
      tool: null,
      length: b.length,
      deviceType: b.type,
      device: { mac: b.ident.mac, ip: b.ident.ip },
      parts: b.parts.map((p) => p.name),
      heldout: false,
      span: { start: b.ident.start, end: b.ident.end },
    });
  }
  if (SOURCE) {
    const r = await fromSource(SOURCE, normals, ident);
    bases.push(...r.bases);
    entries.push(...r.entries);
  }

  // ----- attacks -----
  const famVariants = new Map<string, RawAttack[]>();
  for (const a of attacks) famVariants.set(a.family, [...(famVariants.get(a.family) ?? []), a]);
  for (const v of famVariants.values()) v.sort((x, y) => x.id.localeCompare(y.id));
  interface Job {
    entry: Entry;
    base: Base;
    /** Computes the entry's window; writes the capture unless dry. */
    run: (tmp: string, dry: boolean) => Promise<void>;
  }
  const jobs: Job[] = [];
  const shortBases = bases.filter((b) => b.length === 'short');
  const longBases = bases.filter((b) => b.length === 'long');
  const famCounter = new Map<string, number>();
  const planAttack = (b: Base, fam: string) => {
    const vars = famVariants.get(fam);
    if (!vars?.length) return;
    const c = famCounter.get(`${b.length}:${fam}`) ?? 0;
    famCounter.set(`${b.length}:${fam}`, c + 1);
    planOne(b, vars[(c + (hashStr(`${SEED}:${fam}`) % vars.length)) % vars.length]!);
  };
  const planOne = (b: Base, a: RawAttack) => {
    const fam = a.family;
    const roles = a.roles.split(',') as ('attacker' | 'victim')[];
    const role = roles[hashStr(`${SEED}:${b.id}:${a.id}`) % roles.length]!;
    const id = `${b.id.replace(/^([sl])-/, `$1-${fam}-`)}--${a.id}`;
    const path = join(testDir, b.length, `${id}.pcap`);
    const entry: Entry = {
      id,
      path,
      split: 'test',
      kind: 'attack',
      family: fam,
      tool: a.tool,
      attackId: a.id,
      length: b.length,
      deviceType: b.type,
      device: { mac: b.ident.mac, ip: b.ident.ip },
      parts: b.parts.map((p) => p.name),
      deviceRole: role,
      peer: a.peer,
      heldout: a.heldout,
      span: { start: 0, end: 0 },
    };
    jobs.push({
      entry,
      base: b,
      run: async (tmp, dry) => {
        const span = await attackSpan(a);
        const dur = span.end - span.start;
        const r = rngFor(`at:${id}`);
        const bd = b.ident.end - b.ident.start;
        const start =
          b.length === 'short'
            ? b.ident.start + bd * (0.1 + 0.5 * r())
            : b.ident.start + bd / 2 - Math.min(dur, 600) / 2 + (r() - 0.5) * 120;
        entry.window = { start, end: start + dur };
        let peerIp = publicAddr(id);
        if (OWN_RESOLVER?.test(a.id)) {
          // the parts' device is the base's; a long base's first part has its DNS server like the rest
          const own = await resolverOf(b.parts[0]!.path, b.ident.ip);
          if (own) {
            peerIp = own;
            entry.peer = 'own-resolver';
          }
        }
        const spec = attackSpec(
          join(ATTACKS, a.file),
          a,
          role,
          b.ident,
          peerIp,
          // Real internet peers arrive 8–21 hops away (TTL 43–56 from 64), not with the bridge's untouched 64.
          `-${8 + (hashStr(`ttl:${id}`) % 14)}`,
        );
        if (dry) return;
        if (STACK === 'device') {
          const own = await deviceStack(b, tmp);
          if (own) spec.deviceStack = { device: b.ident, stack: own };
          entry.stack = own ? 'device' : 'lab';
        }
        const inj = join(tmp, 'inj.pcap');
        await rewrite(join(ATTACKS, a.file), inj, spec, start - span.start, tmp);
        await run('mergecap', ['-F', 'pcap', '-w', `${path}.tmp`, b.path, inj]);
        renameSync(`${path}.tmp`, path);
      },
    });
  };
  // Short: each normal gets 3 families (rotating over the fixed family list, so adding a family later
  // does not change which attack earlier captures got); long: every family.
  if (SOURCE) {
    // Every attack id as often as the next: short normal i gets ids PER_SHORT·i … (rotating), long likewise.
    const ids = attacks.slice().sort((x, y) => x.id.localeCompare(y.id));
    const sorted = (xs: Base[]) => xs.slice().sort((x, y) => x.id.localeCompare(y.id));
    if (ids.length)
      for (const [bs, per] of [
        [sorted(shortBases), PER_SHORT],
        [sorted(longBases), PER_LONG],
      ] as const)
        bs.forEach((b, i) => {
          for (let k = 0; k < Math.min(per, ids.length); k++) planOne(b, ids[(i * per + k) % ids.length]!);
        });
  } else {
    shortBases.forEach((b, i) => {
      for (let k = 0; k < 3; k++) planAttack(b, FAMILIES[(i + k) % FAMILIES.length]!);
    });
    for (const b of longBases) for (const fam of FAMILIES) planAttack(b, fam);
  }

  // ----- wrong role: another type's normal capture of the same length, rewritten to this device -----
  const planWrong = (b: Base, pool: Base[]) => {
    const others = pool.filter((o) => o.type !== b.type).sort((x, y) => x.id.localeCompare(y.id));
    if (!others.length) return;
    const o = others[hashStr(`${SEED}:wr:${b.id}`) % others.length]!;
    const id = `${b.id.replace(/^([sl])-/, '$1-wrongrole-')}--${o.type}`;
    const path = join(testDir, b.length, `${id}.pcap`);
    const entry: Entry = {
      id,
      path,
      split: 'test',
      kind: 'wrongrole',
      family: null,
      tool: null,
      attackId: o.id,
      length: b.length,
      deviceType: b.type,
      device: { mac: b.ident.mac, ip: b.ident.ip },
      parts: b.parts.map((p) => p.name),
      wrongRoleType: o.type,
      heldout: HELDOUT_WRONGROLE_TYPES.has(o.type),
      span: { start: 0, end: 0 },
    };
    jobs.push({
      entry,
      base: b,
      run: async (tmp, dry) => {
        const start = b.ident.start + (b.length === 'short' ? 0 : 60);
        entry.window = { start, end: start + (o.ident.end - o.ident.start) };
        const maps = [`${o.ident.ip}/32:${b.ident.ip}/32`];
        if (subnet24(o.ident.ip) !== subnet24(b.ident.ip))
          maps.push(`${subnet24(o.ident.ip)}:${subnet24(b.ident.ip)}`);
        const spec: RewriteSpec = {
          selfMac: o.ident.mac,
          newSelfMac: b.ident.mac,
          peerMac: o.ident.gwMac,
          newPeerMac: b.ident.gwMac,
          pnat: maps.join(','),
        };
        if (dry) return;
        const inj = join(tmp, 'inj.pcap');
        await rewrite(o.path, inj, spec, start - o.ident.start, tmp);
        await run('mergecap', ['-F', 'pcap', '-w', `${path}.tmp`, b.path, inj]);
        renameSync(`${path}.tmp`, path);
      },
    });
  };
  if (!SOURCE) {
    for (const b of shortBases) planWrong(b, shortBases);
    for (const b of longBases) planWrong(b, longBases);
  }

  let done = 0;
  await pool(jobs, JOBS, async (j) => {
    const tmp = newTmp();
    try {
      await j.run(tmp, existsSync(j.entry.path) && !FORCE && !FORCE_IDS?.test(j.entry.id));
      const id = await identify(j.entry.path);
      j.entry.span = { start: id.start, end: id.end };
      entries.push(j.entry);
    } catch (e) {
      console.error(`build: ${j.entry.id}: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    if (++done % 50 === 0) console.error(`build: ${done}/${jobs.length} injected captures`);
  });
  entries.sort((x, y) => x.id.localeCompare(y.id));

  const manifest = {
    version: SOURCE ? `${SOURCE.version}-${VERSION === 'v1' ? 'fresh' : VERSION}` : VERSION,
    ...(SOURCE ? { splitFrom: SPLIT_FROM, attacksFrom: ATTACKS } : {}),
    seed: SEED,
    identity: IDENTITY,
    stack: STACK,
    created: new Date().toISOString(),
    note: 'Behaviour benchmark: see bench/behavior/README.md. Paths are absolute; windows are epoch seconds.',
    split: SOURCE
      ? SOURCE.split
      : { train: train.map((n) => n.name).sort(), test: test.map((n) => n.name).sort() },
    families: [...famVariants.keys()].sort(),
    attacks: attacks.map((a) => ({
      id: a.id,
      family: a.family,
      tool: a.tool,
      heldout: a.heldout,
      peer: a.peer,
      roles: a.roles,
    })),
    heldoutWrongRoleTypes: [...HELDOUT_WRONGROLE_TYPES],
    entries,
  };
  const tmpM = join(OUT, 'manifest.json.tmp');
  writeFileSync(tmpM, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(tmpM, join(OUT, 'manifest.json'));
  rmSync(tmpRoot, { recursive: true, force: true });
  const count = (k: string, l: string) =>
    entries.filter((e) => e.split === 'test' && e.kind === k && e.length === l).length;
  console.error(
    `build: manifest ${join(OUT, 'manifest.json')}: train ${SOURCE ? `${entries.filter((e) => e.split === 'train').length} (the source's)` : train.length}, test normal ${count('normal', 'short')}/${count('normal', 'long')}, attack ${count('attack', 'short')}/${count('attack', 'long')}, wrong-role ${count('wrongrole', 'short')}/${count('wrongrole', 'long')} (short/long); ${basename(OUT)}`,
  );
}

await main();
