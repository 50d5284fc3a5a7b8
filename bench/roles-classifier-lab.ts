/**
 * Offline experiments on the nearest-capture classifier (models/rank-nn.ts) and the host's service role:
 * can the columns that tell a client from a server (the MELSEC engineering PC from its PLC, the two ends of
 * the same recordings) label those captures right without mislabelling others? Forced decisions only (no
 * Unknown rule, no model selection), on the feature cache of bench/roles-accuracy.ts:
 *  - per-capture 5-fold CV, seeds 0–4 (folds change with the seed) on iot-sentinel, roles-dev, pooled;
 *  - the held-out-like 7-type simulation (bench/heldout-split.ts: roles-dev + 9 HueBridge or DLinkCam
 *    captures, a third of each type held out, splits 0–4).
 * Variants (all in rank space, distance to the nearest training capture per type):
 *  - `base`: mean |rank difference| over the 168 header aggregates (the shipped classifier);
 *  - `addL-k5` / `addL-s3`: + L × the same distance on the service-role columns (s3: out/in
 *    hostIsServer + flows.initiatedShare; k5: + local / remote port counts);
 *  - `vetoG`: a training capture is no neighbour when its out.hostIsServer differs by ≥ G (a clear
 *    server is not a clear client's neighbour), unless that leaves no candidate;
 *  - `fisherP`: each column weighted by its between-type share of rank variance (η²)^P on the training
 *    captures.
 *
 * `--all-extras`: the simulation with each IoT Sentinel type in turn as the 7th type (else HueBridge, DLinkCam).
 *
 *   node --import tsx bench/roles-classifier-lab.ts --cache FILE [--variant NAME]... [--all-extras]
 */
import { v2FeatureNames } from '../src/features/v2/index.js';
import { args, loadCorpora } from './rank-corpora.js';
import { ALL, additive, fisher, reportVariants, type Variant, veto } from './rank-space.js';

const cache = args('cache')[0];
if (!cache) {
  console.error(
    'roles-classifier-lab: --cache FILE (written by bench/roles-accuracy.ts --cache FILE) is required',
  );
  process.exit(2);
}
const corpora = loadCorpora(cache);

const names = v2FeatureNames();
const column = (s: string): number => names.indexOf(s);
const S3 = ['out.service.hostIsServer', 'in.service.hostIsServer', 'host.flows.initiatedShare'].map(column);
const K5 = [...S3, column('host.localPorts.log2'), column('host.remotePorts.log2')];

const variants: Record<string, Variant> = {
  base: additive(ALL, 0),
  'add0.1-k5': additive(K5, 0.1),
  'add0.15-k5': additive(K5, 0.15),
  'add0.2-k5': additive(K5, 0.2),
  'add0.225-k5': additive(K5, 0.225),
  'add0.25-k5': additive(K5, 0.25),
  'add0.3-k5': additive(K5, 0.3),
  'add0.5-k5': additive(K5, 0.5),
  'add0.2-s3': additive(S3, 0.2),
  'add0.5-s3': additive(S3, 0.5),
  'veto0.9': veto(0.9),
  'veto0.7': veto(0.7),
  fisher1: fisher(1),
  fisher4: fisher(4),
};

reportVariants(variants, corpora, args('variant'));
