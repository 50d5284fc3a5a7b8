/**
 * Offline lab for per-port service features (bench/port-role-features.ts): the nearest-capture classifier
 * (forced decisions) with those features appended to the 168 header aggregates, or as a second distance
 * added with a weight, or as a veto; same protocol as roles-classifier-lab.ts (per-capture 5-fold CV seeds
 * 0–4 on iot-sentinel, roles-dev, pooled; the held-out-like simulation, `--all-extras` for all 35 splits).
 *
 *   node --import tsx bench/port-role-lab.ts --cache FILE --ports FILE [--variant NAME]... [--all-extras]
 */
import { readFileSync } from 'node:fs';
import { V2_OWN_COUNT, v2FeatureNames } from '../src/features/v2/index.js';
import { PORT_FEATURES } from './port-role-features.js';
import { args, loadCorpora } from './rank-corpora.js';
import {
  ALL,
  additive,
  columnVeto,
  fisher,
  nearestLabel,
  reportVariants,
  Space,
  type Variant,
  veto,
} from './rank-space.js';

const cache = args('cache')[0];
const portsFile = args('ports')[0];
if (!cache || !portsFile) {
  console.error('port-role-lab: --cache FILE and --ports FILE are required');
  process.exit(2);
}
const ports = JSON.parse(readFileSync(portsFile, 'utf8')) as Record<string, Record<string, number>>;
const H0 = V2_OWN_COUNT;
const P = PORT_FEATURES.length;
const corpora = loadCorpora(cache);
for (const caps of Object.values(corpora))
  for (const c of caps) {
    if (c.x.length > H0) continue;
    const x = new Float64Array(H0 + P);
    x.set(c.x);
    const e = ports[c.name];
    if (!e) throw new Error(`no port features for ${c.name}`);
    PORT_FEATURES.forEach((f, i) => {
      x[H0 + i] = e[f]!;
    });
    c.x = x;
  }
const pcol = (f: string): number => H0 + PORT_FEATURES.indexOf(f as (typeof PORT_FEATURES)[number]);
const names = v2FeatureNames();
const column = (s: string): number => names.indexOf(s);
const S3 = ['out.service.hostIsServer', 'in.service.hostIsServer', 'host.flows.initiatedShare'].map(column);
const K5 = [...S3, column('host.localPorts.log2'), column('host.remotePorts.log2')];
const PALL = PORT_FEATURES.map((f) => pcol(f));
const PSEL = ['localReg', 'remoteReg', 'fixedLocalP', 'fixedRemoteP', 'groupTalk', 'groupServe'].map(pcol);
const PFIX = ['fixedLocalP', 'fixedRemoteP', 'fixedLocalF', 'fixedRemoteF', 'groupTalk', 'groupServe'].map(
  pcol,
);
const PREG = ['localWK', 'remoteWK', 'localReg', 'remoteReg'].map(pcol);

function appended(extra: number[], base: number[] = ALL): Variant {
  return additive0([...base, ...extra]);
}
function additive0(cols: number[]): Variant {
  return (train) => {
    const a = new Space(cols, train);
    return (x) => {
      const q = a.rank(x);
      return nearestLabel(train, (i) => a.dist(q, i));
    };
  };
}
/** + lambda × the mean absolute difference of the raw shares on `sec` (no ranks: shares are comparable). */
function additiveRaw(sec: number[], lambda: number): Variant {
  return (train) => {
    const a = new Space(ALL, train);
    return (x) => {
      const qa = a.rank(x);
      return nearestLabel(train, (i) => {
        let t = 0;
        for (const c of sec) t += Math.abs(x[c]! - train[i]!.x[c]!);
        return a.dist(qa, i) + (lambda * t) / sec.length;
      });
    };
  };
}

const variants: Record<string, Variant> = {
  base: additive(ALL, 0),
  'app-all': appended(PALL),
  'app-sel': appended(PSEL),
  'app-fix': appended(PFIX),
  'app-reg': appended(PREG),
  'app-all-x2': appended([...PALL, ...PALL]),
  'app-all-x3': appended([...PALL, ...PALL, ...PALL]),
  'add0.1-all': additive(PALL, 0.1),
  'add0.2-all': additive(PALL, 0.2),
  'add0.3-all': additive(PALL, 0.3),
  'add0.5-all': additive(PALL, 0.5),
  'add0.1-sel': additive(PSEL, 0.1),
  'add0.2-sel': additive(PSEL, 0.2),
  'add0.3-sel': additive(PSEL, 0.3),
  'add0.5-sel': additive(PSEL, 0.5),
  'add0.1-fix': additive(PFIX, 0.1),
  'add0.2-fix': additive(PFIX, 0.2),
  'add0.3-fix': additive(PFIX, 0.3),
  'add0.2-reg': additive(PREG, 0.2),
  'add0.3-reg': additive(PREG, 0.3),
  'add0.2-k5': additive(K5, 0.2),
  'add0.25-k5': additive(K5, 0.25),
  'veto0.9': veto(0.9),
  fisher1: fisher(1),
  'raw0.05-sel': additiveRaw(PSEL, 0.05),
  'raw0.1-sel': additiveRaw(PSEL, 0.1),
  'raw0.15-sel': additiveRaw(PSEL, 0.15),
  'raw0.2-sel': additiveRaw(PSEL, 0.2),
  'raw0.3-sel': additiveRaw(PSEL, 0.3),
  'raw0.5-sel': additiveRaw(PSEL, 0.5),
  'raw0.75-sel': additiveRaw(PSEL, 0.75),
  'raw1-sel': additiveRaw(PSEL, 1),
  'raw1.5-sel': additiveRaw(PSEL, 1.5),
  'raw2-sel': additiveRaw(PSEL, 2),
  'raw3-sel': additiveRaw(PSEL, 3),
  'raw0.08-sel': additiveRaw(PSEL, 0.08),
  'raw0.3-all': additiveRaw(PALL, 0.3),
  'add0.15-sel': additive(PSEL, 0.15),
  'add0.25-sel': additive(PSEL, 0.25),
  'veto-groupTalk0.9': columnVeto(pcol('groupTalk'), 0.9),
  'veto-groupServe0.9': columnVeto(pcol('groupServe'), 0.9),
  'veto-serve1.5': columnVeto(pcol('serveMinusTalk'), 1.5),
  'veto-remoteReg0.9': columnVeto(pcol('remoteReg'), 0.9),
  'veto-localReg0.9': columnVeto(pcol('localReg'), 0.9),
};

reportVariants(variants, corpora, args('variant'));
