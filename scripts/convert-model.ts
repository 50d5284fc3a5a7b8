/**
 * Convert NetworkML v0.4.8's exported pretrained models into our model format (models/README.md).
 *   node --import tsx scripts/convert-model.ts [SRC_DIR] [OUT_DIR]
 * SRC_DIR defaults to ../shared/models (networkml-v0.4.8-onelayer.json, networkml-v0.4.8-sos-lstm.json,
 * networkml-v0.6.8-host-footprint.json).
 * Numbers are copied as parsed (float64 JSON round-trips exactly), so the converted models compute the
 * same probabilities as the originals.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  loadModel,
  loadModelDocument,
  MODEL_FORMAT,
  MODEL_VERSION,
  saveModel,
  writeModelDocument,
} from '../src/models/format.js';
import { HOST_FOOTPRINT_KIND, loadHostFootprintModel } from '../src/models/host-footprint.js';
import type { OneLayerRoleModel } from '../src/models/role-model.js';

const ATTRIBUTION =
  'CyberReboot NetworkML v0.4.8 (Copyright In-Q-Tel / CyberReboot), pretrained weights exported from';
const URL = 'https://github.com/CyberReboot/NetworkML/tree/v0.4.8';

const srcDir = resolve(process.argv[2] ?? join(import.meta.dirname, '../../shared/models'));
const outDir = resolve(process.argv[3] ?? join(import.meta.dirname, '../models'));

interface OriginalOneLayer {
  format: string;
  source: string;
  description: string;
  duration_s: number;
  hidden_size: number;
  labels: string[];
  activation: string;
  out_activation: string;
  alpha: number;
  sklearn_version: string;
  feature_list: number[];
  means: number[];
  stds: number[];
  coefs: [number[][], number[][]];
  intercepts: [number[], number[]];
}

function convertOneLayer(): void {
  const src = join(srcDir, 'networkml-v0.4.8-onelayer.json');
  const o = JSON.parse(readFileSync(src, 'utf8')) as OriginalOneLayer;
  if (o.format !== 'networkml-v0.4.8-onelayer' || o.activation !== 'relu' || o.out_activation !== 'softmax') {
    throw new Error(`${src}: unexpected original format`);
  }
  const h = o.hidden_size;
  const model: OneLayerRoleModel = {
    kind: 'onelayer',
    labels: o.labels,
    features: { semantics: 'compat', count: o.means.length, namesHash: null },
    capture: { binDurationS: o.duration_s, warmupS: 120 },
    normalisation: { means: Float64Array.from(o.means), stds: Float64Array.from(o.stds) },
    selected: Int32Array.from(o.feature_list),
    mlp: {
      hiddenSize: h,
      w1: Float64Array.from(o.coefs[0].flat()),
      b1: Float64Array.from(o.intercepts[0]),
      w2: Float64Array.from(o.coefs[1].flat()),
      b2: Float64Array.from(o.intercepts[1]),
    },
    hyperParameters: {
      hiddenSize: h,
      activation: o.activation,
      alpha: o.alpha,
      solver: 'adam',
      sklearnVersion: o.sklearn_version,
    },
    training: null,
    source: {
      attribution: `${ATTRIBUTION} ${o.source}`,
      licence: 'Apache-2.0',
      url: URL,
      original: o.format,
    },
  };
  const out = join(outDir, 'onelayer-v0.4.8.json');
  const description =
    'NetworkML v0.4.8 pretrained one-layer role model, trained by CyberReboot on their lab captures. ' +
    'Per bin: z = ((x - means) / stds)[selected]; hidden = relu(z W1 + b1); p = softmax(hidden W2 + b2). ' +
    'A capture is the mean of its bins.';
  const hash = saveModel(out, model, description);
  const back = loadModel(out).model as OneLayerRoleModel;
  if (
    back.mlp.w1.some((v, i) => v !== model.mlp.w1[i]) ||
    back.normalisation.means.some((v, i) => v !== o.means[i])
  ) {
    throw new Error('round trip changed numbers');
  }
  console.log(`${out} sha256 ${hash}`);
}

function convertSos(): void {
  const src = join(srcDir, 'networkml-v0.4.8-sos-lstm.json');
  const o = JSON.parse(readFileSync(src, 'utf8')) as Record<string, unknown>;
  if (o.format !== 'networkml-v0.4.8-sos-lstm') throw new Error(`${src}: unexpected original format`);
  const { format: originalFormat, source, description, ...fields } = o;
  const doc: Record<string, unknown> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    kind: 'sos-lstm',
    description,
    source: {
      attribution: `${ATTRIBUTION} ${String(source)}`,
      licence: 'Apache-2.0',
      url: URL,
      original: originalFormat,
    },
    ...fields,
  };
  const out = join(outDir, 'sos-lstm-v0.4.8.json');
  const hash = writeModelDocument(out, doc);
  const back = loadModelDocument(out, 'sos-lstm').doc;
  for (const [k, v] of Object.entries(fields)) {
    if (JSON.stringify(back[k]) !== JSON.stringify(v)) throw new Error(`round trip changed ${k}`);
  }
  console.log(`${out} sha256 ${hash}`);
}

/** NetworkML v0.6.8's label_assignments.json: class name → the role name its results show. */
const V068_LABELS: Record<string, string> = {
  ActiveDirectoryController: 'Active Directory controller',
  AdminServer: 'Administrator server',
  AdminWorkstation: 'Administrator workstation',
  BusinessWorkstation: 'Business workstation',
  ConfluenceServer: 'Confluence server',
  DevWorkstation: 'Developer workstation',
  DistrFileShare: 'Distributed file share',
  ExchangeServer: 'Exchange server',
  GPULaptop: 'GPU laptop',
  GithubRepo: 'GitHub server',
  PKIServer: 'PKI server',
  Printer: 'Printer',
};

interface OriginalHostFootprint {
  format: string;
  source: string;
  description: string;
  features: string[];
  scaler_mean: number[];
  scaler_scale: number[];
  hidden_layer_sizes: number[];
  activation: string;
  classes: string[];
  coefs: number[][][];
  intercepts: number[][];
}

function convertHostFootprint(): void {
  const src = join(srcDir, 'networkml-v0.6.8-host-footprint.json');
  const o = JSON.parse(readFileSync(src, 'utf8')) as OriginalHostFootprint;
  if (o.format !== 'networkml-v0.6.8-host-footprint' || o.activation !== 'relu') {
    throw new Error(`${src}: unexpected original format`);
  }
  const doc: Record<string, unknown> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    kind: HOST_FOOTPRINT_KIND,
    description:
      "NetworkML v0.6.8's pretrained host-footprint role model (what Poseidon runs since v0.6): per host, " +
      '221 header features (docs/features-host-footprint.md); x_std = (x - scaler.mean) / scaler.scale in ' +
      '`features` order; h = relu(h W + b) for each hidden layer (64, 32, 32); p = softmax(h W + b) over ' +
      '`classes` (shown as `labels`, the original label_assignments.json).',
    source: {
      attribution: `IQTLabs NetworkML v0.6.8 (Copyright In-Q-Tel), pretrained weights exported from ${o.source}`,
      licence: 'Apache-2.0',
      url: 'https://github.com/IQTLabs/NetworkML/tree/v0.6.8',
      original: o.format,
    },
    classes: o.classes,
    labels: o.classes.map((c) => {
      const label = V068_LABELS[c];
      if (!label) throw new Error(`no label for class ${c}`);
      return label;
    }),
    features: o.features,
    scaler: { mean: o.scaler_mean, scale: o.scaler_scale },
    activation: o.activation,
    layers: o.coefs.map((weights, i) => ({ weights, bias: o.intercepts[i]! })),
  };
  const out = join(outDir, 'host-footprint-v0.6.8.json');
  const hash = writeModelDocument(out, doc);
  const back = loadHostFootprintModel(out);
  if (back.layers.some((l, i) => l.weights.some((v, j) => v !== o.coefs[i]!.flat()[j]))) {
    throw new Error('round trip changed numbers');
  }
  console.log(`${out} sha256 ${hash}`);
}

convertOneLayer();
convertSos();
convertHostFootprint();
