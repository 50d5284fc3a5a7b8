/**
 * Scores behaviour methods on the behaviour benchmark (see README.md) with the real CLI of this tree.
 *
 *   npx tsx bench/behavior/score.ts [--manifest FILE] [--methods lstm,sos,baseline,baseline-type,behavior] [--work DIR]
 *       [--json FILE] [--threads N] [--seed N] [--retrain] [--only-heldout | --no-heldout] [--limit N]
 *       [--cli TREE/bin/networkml.js] [--timeout S (per CLI call, default 900)] [--by-attack]
 *
 * Trains a v2 role model on the manifest's train normals, then per method evaluates every test capture:
 *   lstm      eval --model ROLE --anomaly lstm (the bundled SoS LSTM)
 *   sos       train TRAIN -a sos -m ROLE; eval --model ROLE --anomaly sos --anomaly-model SOS
 *   behavior  train TRAIN --algorithm behavior --model ROLE; eval --anomaly behavior --anomaly-model B
 *   default   eval --model ROLE, no anomaly flags (the behaviour model `train` wrote beside ROLE)
 *             ("not available" until the CLI has it)
 *   baseline  kNN distance of per-capture header aggregates (inspect --features v2) to the train normals;
 *             abnormality = share of train normals' leave-one-out distances below it, abnormal above 0.99
 *   baseline-type  the same among train normals of the capture's TRUE type (an anchor: not deployable)
 * Reports per method, family and length: ROC AUC (normal test captures of that length vs the group),
 * detection at the method's own decision, false alarms on normal captures, and captures not scored;
 * with --by-attack also per raw attack id (rows "id:ATTACK"), with the abnormality of each miss.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const here = resolve(import.meta.dirname);
/** The CLI under test: this tree's, or another tree's with --cli /path/to/tree/bin/networkml.js. */
const CLI = resolve(arg('cli', join(here, '../../bin/networkml.js')));
const ROOT = resolve(dirname(CLI), '..');
const MANIFEST = resolve(arg('manifest', '/work/behavior-bench/manifest.json'));
const WORK = resolve(arg('work', join(dirname(MANIFEST), 'score')));
const JSON_OUT = resolve(arg('json', join(WORK, 'results.json')));
const METHODS = arg('methods', 'lstm,sos,baseline,baseline-type,behavior').split(',');
const THREADS = arg('threads', '2');
const SEED = arg('seed', '0');
const RETRAIN = process.argv.includes('--retrain');
const HELDOUT = process.argv.includes('--only-heldout')
  ? 'only'
  : process.argv.includes('--no-heldout')
    ? 'none'
    : 'all';
const LIMIT = Number(arg('limit', '0'));
const BY_ATTACK = process.argv.includes('--by-attack');
const BATCH = 40;

interface Entry {
  id: string;
  path: string;
  split: 'train' | 'test';
  kind: 'normal' | 'attack' | 'wrongrole';
  family: string | null;
  tool: string | null;
  attackId?: string;
  length: 'short' | 'long' | null;
  deviceType: string;
  device?: { mac: string; ip: string };
  heldout: boolean;
}
interface Manifest {
  version: string;
  entries: Entry[];
}

/** What one method said about one capture. */
interface Outcome {
  abnormality: number;
  abnormal: boolean;
  /** Why it was not scored (note, unknown, invalid, no result), or null when scored. */
  unscored: string | null;
  /** The MAC the CLI scored (`source_mac`), when it is not the manifest's device (eval methods only). */
  otherHost?: string;
}

function log(msg: string): void {
  process.stderr.write(`score: ${msg}\n`);
}

/**
 * Per CLI call (training: 4×); an eval batch that outlives it (seen once: idle, never finishing) is killed
 * and retried once.
 */
const CALL_TIMEOUT_MS = Number(arg('timeout', '900')) * 1000;

async function cli(
  args: string[],
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], {
      maxBuffer: 1 << 30,
      cwd: ROOT,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stdout, stderr, timedOut: false };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean; signal?: string };
    return {
      code: typeof x.code === 'number' ? x.code : 1,
      stdout: x.stdout ?? '',
      // A process killed by a signal (a crash's SIGABRT, say) has no exit code: say which signal.
      stderr: `${x.signal ? `killed by ${x.signal}\n` : ''}${x.stderr ?? ''}`,
      timedOut: x.killed === true || x.signal === 'SIGKILL',
    };
  }
}

function fresh(file: string, than: string): boolean {
  return !RETRAIN && existsSync(file) && statSync(file).mtimeMs >= statSync(than).mtimeMs;
}

async function trainModel(what: string, file: string, args: string[]): Promise<string | null> {
  if (fresh(file, MANIFEST)) return null;
  log(`training ${what} → ${file}`);
  const r = await cli([...args, '--save', file, '--seed', SEED, '--threads', THREADS], 4 * CALL_TIMEOUT_MS);
  if (r.code !== 0) return (r.stderr.trim().split('\n')[0] || `exit ${r.code}`).slice(0, 300);
  return null;
}

interface EvalJson {
  file?: string;
  valid?: boolean;
  data?: Record<string, { decisions?: { behavior?: string }; source_mac?: string } | string>;
  detail?: { abnormality?: number; abnormality_note?: string };
}

function outcomeOf(j: EvalJson | undefined, device?: string): Outcome {
  if (!j) return { abnormality: 0, abnormal: false, unscored: 'no result' };
  const rec = Object.values(j.data ?? {}).find(
    (v): v is { decisions?: { behavior?: string }; source_mac?: string } => typeof v === 'object',
  );
  const behavior = rec?.decisions?.behavior;
  const abnormality = j.detail?.abnormality ?? 0;
  let unscored: string | null = null;
  if (j.valid === false || !j.detail) unscored = 'invalid (no sessions or no result)';
  else if (j.detail.abnormality_note) unscored = `note: ${j.detail.abnormality_note}`;
  else if (behavior === 'unknown' || behavior === undefined) unscored = 'behavior unknown';
  const out: Outcome = { abnormality, abnormal: behavior === 'abnormal', unscored };
  // An injection that leaves a busier host than the device (an SMB server's replies) gets that host scored.
  if (device && rec?.source_mac && rec.source_mac !== device) out.otherHost = rec.source_mac;
  return out;
}

async function evalAll(tests: Entry[], args: string[]): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const byPath = new Map(tests.map((e) => [e.path, e]));
  for (let i = 0; i < tests.length; i += BATCH) {
    const batch = tests.slice(i, i + BATCH);
    const evalArgs = [
      'eval',
      '--json',
      '--no-history',
      '--threads',
      THREADS,
      ...args,
      ...batch.map((e) => e.path),
    ];
    let r = await cli(evalArgs);
    if (r.timedOut) {
      log(`eval batch ${i / BATCH} did not finish in ${CALL_TIMEOUT_MS / 1000} s: killed, retrying once`);
      r = await cli(evalArgs);
    }
    for (const line of r.stdout.split('\n')) {
      if (!line.trim()) continue;
      try {
        const j = JSON.parse(line) as EvalJson;
        const e = j.file ? byPath.get(resolve(j.file)) : undefined;
        if (e) out.set(e.id, outcomeOf(j, e.device?.mac));
      } catch {
        // a non-JSON line (warning) is not a result
      }
    }
    if (r.code !== 0) {
      // The whole stderr is kept: a crash's first line says what failed, its last only where.
      const kept = join(WORK, `eval-batch-${i / BATCH}.stderr`);
      writeFileSync(kept, r.stderr);
      log(
        `eval batch ${i / BATCH} exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''} (all of stderr: ${kept})`,
      );
    }
    log(`  ${Math.min(i + BATCH, tests.length)}/${tests.length}`);
  }
  return out;
}

// ---------- baseline: kNN on per-capture header aggregates ----------
async function inspectVectors(entries: Entry[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const r = await cli([
      'inspect',
      '--features',
      'v2',
      '--json',
      '--warmup',
      '0',
      '--threads',
      THREADS,
      ...batch.map((e) => e.path),
    ]);
    for (const line of r.stdout.split('\n')) {
      if (!line.trim()) continue;
      let j: {
        file?: string;
        pcap?: string;
        v2?: { device?: number; bins?: { host: number; features: Record<string, number> }[] };
      };
      try {
        j = JSON.parse(line);
      } catch {
        continue;
      }
      const e =
        (j.file && byPath.get(resolve(j.file))) ||
        batch.find((b) => b.path.endsWith(`/${j.pcap ?? '\u0000'}`));
      if (!e || !j.v2?.bins) continue;
      const bins = j.v2.bins.filter((b) => b.host === j.v2!.device);
      const v = new Map<string, number>();
      // mean and max over the device's bins: a short burst inside a long capture still shows in the max
      for (const b of bins)
        for (const [k, x] of Object.entries(b.features)) {
          v.set(`mean:${k}`, (v.get(`mean:${k}`) ?? 0) + x / bins.length);
          v.set(`max:${k}`, Math.max(v.get(`max:${k}`) ?? Number.NEGATIVE_INFINITY, x));
        }
      out.set(e.id, v);
    }
    log(`  inspect ${Math.min(i + BATCH, entries.length)}/${entries.length}`);
  }
  return out;
}

const vectorCache = new Map<string, Map<string, number>>();
async function vectorsOf(entries: Entry[]): Promise<Map<string, Map<string, number>>> {
  const todo = entries.filter((e) => !vectorCache.has(e.id));
  if (todo.length) for (const [k, v] of await inspectVectors(todo)) vectorCache.set(k, v);
  return new Map(
    entries.flatMap((e) => (vectorCache.has(e.id) ? [[e.id, vectorCache.get(e.id)!] as const] : [])),
  );
}

/**
 * kNN on header aggregates. byType (the anchor, not deployable): neighbours only among train normals of the
 * capture's TRUE device type.
 */
async function baseline(train: Entry[], tests: Entry[], byType: boolean): Promise<Map<string, Outcome>> {
  const K = 5;
  const tv = await vectorsOf(train);
  const sv = await vectorsOf(tests);
  const trainE = train.filter((e) => tv.has(e.id));
  const keys = [...new Set([...tv.values()].flatMap((v) => [...v.keys()]))].sort();
  const dense = (v: Map<string, number>) => keys.map((k) => v.get(k) ?? 0);
  const trainX = trainE.map((e) => dense(tv.get(e.id)!));
  const mu = keys.map((_, j) => trainX.reduce((s, x) => s + x[j]!, 0) / trainX.length);
  const sd = keys.map(
    (_, j) => Math.sqrt(trainX.reduce((s, x) => s + (x[j]! - mu[j]!) ** 2, 0) / trainX.length) || 1,
  );
  const z = (x: number[]) => x.map((v, j) => (v - mu[j]!) / sd[j]!);
  const T = trainX.map(z);
  // score = mean Euclidean distance to the K nearest train normals (skipping `self` for leave-one-out)
  const knn = (x: number[], type: string, self = -1) => {
    const d: number[] = [];
    T.forEach((t, i) => {
      if (i === self || (byType && trainE[i]!.deviceType !== type)) return;
      d.push(Math.sqrt(t.reduce((s, v, j) => s + (v - x[j]!) ** 2, 0)));
    });
    if (!d.length) return Number.NaN;
    d.sort((a, b) => a - b);
    const k = Math.min(K, d.length);
    return d.slice(0, k).reduce((s, v) => s + v, 0) / k;
  };
  const ref = T.map((t, i) => knn(t, trainE[i]!.deviceType, i))
    .filter((r) => !Number.isNaN(r))
    .sort((a, b) => a - b);
  const out = new Map<string, Outcome>();
  for (const e of tests) {
    const v = sv.get(e.id);
    if (!v || v.size === 0) {
      out.set(e.id, { abnormality: 0, abnormal: false, unscored: 'no v2 bins for the device' });
      continue;
    }
    const s = knn(z(dense(v)), e.deviceType);
    if (Number.isNaN(s)) {
      out.set(e.id, { abnormality: 0, abnormal: false, unscored: 'no train normal of its type' });
      continue;
    }
    const below = ref.filter((r) => r < s).length / ref.length;
    out.set(e.id, { abnormality: below, abnormal: below > 0.99, unscored: null });
  }
  return out;
}

// ---------- metrics ----------
/** Mann-Whitney AUC: P(score of a positive > score of a normal), ties count half. */
function auc(neg: number[], pos: number[]): number | null {
  if (!neg.length || !pos.length) return null;
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (neg.length * pos.length);
}

interface Row {
  method: string;
  group: string;
  length: string;
  n: number;
  auc: number | null;
  detection: number | null;
  falseAlarm: number | null;
  unscored: number;
  unscoredNormal: number;
  /** --by-attack rows: the abnormality of each capture of the group not flagged, lowest first. */
  misses?: number[];
}

function rows(method: string, tests: Entry[], res: Map<string, Outcome>): Row[] {
  const out: Row[] = [];
  const groups: { name: string; f: (e: Entry) => boolean }[] = [
    { name: 'attack (all)', f: (e) => e.kind === 'attack' },
    ...[...new Set(tests.filter((e) => e.kind === 'attack').map((e) => e.family!))]
      .sort()
      .map((fam) => ({ name: fam, f: (e: Entry) => e.kind === 'attack' && e.family === fam })),
    { name: 'wrong role', f: (e) => e.kind === 'wrongrole' },
    ...(BY_ATTACK
      ? [...new Set(tests.filter((e) => e.kind === 'attack').map((e) => `${e.family}/${e.attackId}`))]
          .sort()
          .map((k) => ({
            name: `id:${k.split('/')[1]}`,
            f: (e: Entry) => e.kind === 'attack' && `${e.family}/${e.attackId}` === k,
          }))
      : []),
  ];
  for (const length of ['short', 'long']) {
    const normals = tests.filter((e) => e.kind === 'normal' && e.length === length);
    const nOut = normals.map((e) => res.get(e.id) ?? outcomeOf(undefined));
    for (const g of groups) {
      const pos = tests.filter((e) => e.length === length && g.f(e));
      if (!pos.length) continue;
      const pOut = pos.map((e) => res.get(e.id) ?? outcomeOf(undefined));
      out.push({
        method,
        group: g.name,
        length,
        n: pos.length,
        auc: auc(
          nOut.map((o) => o.abnormality),
          pOut.map((o) => o.abnormality),
        ),
        detection: pOut.filter((o) => o.abnormal).length / pOut.length,
        falseAlarm: nOut.length ? nOut.filter((o) => o.abnormal).length / nOut.length : null,
        unscored: pOut.filter((o) => o.unscored).length,
        unscoredNormal: nOut.filter((o) => o.unscored).length,
        ...(g.name.startsWith('id:')
          ? {
              misses: pOut
                .filter((o) => !o.abnormal)
                .map((o) => o.abnormality)
                .sort((a, b) => a - b),
            }
          : {}),
      });
    }
  }
  return out;
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
const f2 = (x: number | null) => (x === null ? '–' : x.toFixed(2));

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/cli'))) {
    console.error(`score: ${ROOT} is not built: run npx tsc -p tsconfig.build.json there`);
    process.exit(2);
  }
  const m = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const train = m.entries.filter((e) => e.split === 'train');
  let tests = m.entries.filter((e) => e.split === 'test');
  if (HELDOUT === 'only') tests = tests.filter((e) => e.heldout || e.kind === 'normal');
  if (HELDOUT === 'none') tests = tests.filter((e) => !e.heldout);
  if (LIMIT > 0) {
    // first N of each (kind, family, length) group, for quick runs
    const seen = new Map<string, number>();
    tests = tests.filter((e) => {
      const k = `${e.kind}/${e.family}/${e.length}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
      return seen.get(k)! <= LIMIT;
    });
  }
  const trainDir = dirname(train[0]!.path);
  mkdirSync(WORK, { recursive: true });
  log(`manifest ${m.version}: ${train.length} train normals in ${trainDir}, ${tests.length} test captures`);

  const role = join(WORK, 'role-v2.json');
  const roleErr = await trainModel('v2 role model', role, ['train', trainDir, '--features', 'v2']);
  if (roleErr) {
    console.error(`score: training the v2 role model failed: ${roleErr}`);
    process.exit(1);
  }
  const all: Row[] = [];
  const status: Record<string, string> = {};
  const perCapture: Record<string, Record<string, Outcome>> = {};
  for (const method of METHODS) {
    const t0 = Date.now();
    let res: Map<string, Outcome> | null = null;
    if (method === 'lstm') {
      res = await evalAll(tests, ['--model', role, '--anomaly', 'lstm']);
    } else if (method === 'sos') {
      const f = join(WORK, 'sos.json');
      const err = await trainModel('sos', f, ['train', trainDir, '-a', 'sos', '-m', role]);
      if (err) status[method] = `training failed: ${err}`;
      else res = await evalAll(tests, ['--model', role, '--anomaly', 'sos', '--anomaly-model', f]);
    } else if (method === 'behavior') {
      const f = join(WORK, 'behavior.json');
      const err = await trainModel('behavior', f, [
        'train',
        trainDir,
        '--algorithm',
        'behavior',
        '--model',
        role,
      ]);
      if (err) status[method] = `not available: ${err}`;
      else res = await evalAll(tests, ['--model', role, '--anomaly', 'behavior', '--anomaly-model', f]);
    } else if (method === 'default') {
      // What a user gets with no anomaly flags: the behaviour model `train` wrote beside the role model.
      res = await evalAll(tests, ['--model', role]);
    } else if (method === 'baseline' || method === 'baseline-type') {
      res = await baseline(train, tests, method === 'baseline-type');
    } else {
      status[method] = 'unknown method';
    }
    if (res) {
      status[method] = `ok (${((Date.now() - t0) / 1000).toFixed(0)} s)`;
      all.push(...rows(method, tests, res));
      perCapture[method] = Object.fromEntries(res);
      const other = [...res].filter(([, o]) => o.otherHost);
      if (other.length)
        log(
          `${method}: ${other.length} captures scored on another host than the manifest's device: ${other.map(([id, o]) => `${id} (${o.otherHost})`).join(', ')}`,
        );
    }
    log(`${method}: ${status[method]}`);
  }

  const lines = [
    `Behaviour benchmark ${m.version} (${MANIFEST}), held-out: ${HELDOUT}; AUC = normal captures of the same length vs the group.`,
    '',
    '| method | group | length | n | AUC | detected | false alarms | not scored (group / normals) |',
    '|---|---|---|---|---|---|---|---|',
    ...all.map(
      (r) =>
        `| ${r.method} | ${r.group} | ${r.length} | ${r.n} | ${f2(r.auc)} | ${pct(r.detection)} | ${pct(r.falseAlarm)} | ${r.unscored} / ${r.unscoredNormal} |${r.misses ? ` misses ${r.misses.map((x) => x.toFixed(3)).join(', ') || '–'} |` : ''}`,
    ),
    ...Object.entries(status)
      .filter(([, s]) => !s.startsWith('ok'))
      .map(([k, s]) => `\n${k}: ${s}`),
  ];
  console.log(lines.join('\n'));
  mkdirSync(dirname(JSON_OUT), { recursive: true });
  writeFileSync(
    JSON_OUT,
    `${JSON.stringify({ manifest: MANIFEST, version: m.version, heldout: HELDOUT, status, rows: all, perCapture }, null, 1)}\n`,
  );
  log(`wrote ${JSON_OUT}`);
}

await main();
