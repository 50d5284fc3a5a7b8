/**
 * NetworkML v0.6.8's pretrained host-footprint model: a StandardScaler and a scikit-learn MLPClassifier
 * (ReLU hidden layers 64-32-32, softmax over 12 roles), in our model file format (`kind: "host-footprint"`,
 * models/README.md). Math: x_std = (x − mean) / scale; h_{l+1} = relu(h_l·W_l + b_l); p = softmax(h·W + b).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../errors.js';
import { loadModelDocument } from './format.js';
import { finiteArray, lazy, zod } from './zod-lazy.js';

export const HOST_FOOTPRINT_KIND = 'host-footprint';
export const HOST_FOOTPRINT_MODEL_NAME = 'host-footprint-v0.6.8';
export const HOST_FOOTPRINT_MODEL_PATH = fileURLToPath(
  new URL('../../models/host-footprint-v0.6.8.json', import.meta.url),
);

/** Bundled models selectable by name (`--model NAME`). */
export const BUNDLED_MODELS: Readonly<Record<string, string>> = {
  [HOST_FOOTPRINT_MODEL_NAME]: HOST_FOOTPRINT_MODEL_PATH,
  'onelayer-v0.4.8': fileURLToPath(new URL('../../models/onelayer-v0.4.8.json', import.meta.url)),
};

/** A bundled model's name → its path; anything else is a path. */
export function resolveModelPath(nameOrPath: string): string {
  return BUNDLED_MODELS[nameOrPath] ?? nameOrPath;
}

/** The `kind` a model file declares (read cheaply; full validation happens on load), or null. */
export function modelFileKind(path: string): string | null {
  try {
    const head = readFileSync(resolveModelPath(path), 'utf8');
    const m = /"kind"\s*:\s*"([^"]+)"/.exec(head);
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}

/** The host-footprint file schema (zod-lazy.ts: built on first use). */
const schema = lazy(() => {
  const z = zod();
  const vec = finiteArray(z);
  return z.object({
    kind: z.literal(HOST_FOOTPRINT_KIND),
    classes: z.array(z.string().min(1)).min(2),
    labels: z.array(z.string().min(1)).min(2),
    features: z.array(z.string().min(1)).min(1),
    scaler: z.object({ mean: vec, scale: vec }),
    activation: z.literal('relu'),
    layers: z.array(z.object({ weights: z.array(vec), bias: vec })).min(1),
  });
});

export interface HostFootprintModel {
  /** The original's class names (label-encoder order) and the names shown for them. */
  classes: string[];
  labels: string[];
  features: string[];
  mean: Float64Array;
  scale: Float64Array;
  /** Per layer: weights (inputs × outputs, row-major), bias, sizes. */
  layers: { weights: Float64Array; bias: Float64Array; inputs: number; outputs: number }[];
  /** SHA-256 of the file's bytes. */
  hash: string;
  path: string;
}

const loaded = new Map<string, HostFootprintModel>();

/** Load, checksum-verify and validate a host-footprint model (once per process and path). */
export function loadHostFootprintModel(nameOrPath: string = HOST_FOOTPRINT_MODEL_NAME): HostFootprintModel {
  const path = resolveModelPath(nameOrPath);
  const cached = loaded.get(path);
  if (cached) return cached;
  const { doc, hash } = loadModelDocument(path, HOST_FOOTPRINT_KIND);
  const parsed = schema().safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelError(`${path}: invalid model (${issue.path.join('.') || 'root'}: ${issue.message})`);
  }
  const d = parsed.data;
  const bad = (what: string): never => {
    throw new ModelError(`${path}: invalid model (bad shapes: ${what})`);
  };
  const n = d.features.length;
  if (d.scaler.mean.length !== n || d.scaler.scale.length !== n) bad(`scaler must have ${n} values`);
  if (d.scaler.scale.some((s) => s === 0)) bad('a scale is 0');
  if (d.labels.length !== d.classes.length) bad('labels and classes differ in length');
  let inputs = n;
  const layers = d.layers.map((l, i) => {
    const outputs = l.bias.length;
    if (l.weights.length !== inputs || l.weights.some((r) => r.length !== outputs))
      bad(`layer ${i} weights must be ${inputs}x${outputs}`);
    const layer = {
      weights: Float64Array.from(l.weights.flat()),
      bias: Float64Array.from(l.bias),
      inputs,
      outputs,
    };
    inputs = outputs;
    return layer;
  });
  if (inputs !== d.classes.length) bad(`the last layer must have ${d.classes.length} outputs`);
  const model: HostFootprintModel = {
    classes: d.classes,
    labels: d.labels,
    features: d.features,
    mean: Float64Array.from(d.scaler.mean),
    scale: Float64Array.from(d.scaler.scale),
    layers,
    hash,
    path,
  };
  loaded.set(path, model);
  return model;
}

/** x_std = (x − mean) / scale. */
export function standardize(model: HostFootprintModel, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - model.mean[i]!) / model.scale[i]!;
  return out;
}

/** Activations of every layer for one standardized row: [x_std, h1, …, logits]. */
function forward(model: HostFootprintModel, xStd: Float64Array): Float64Array[] {
  const acts = [xStd];
  let h = xStd;
  model.layers.forEach((layer, li) => {
    const out = Float64Array.from(layer.bias);
    for (let i = 0; i < layer.inputs; i++) {
      const v = h[i]!;
      if (v === 0) continue;
      const row = i * layer.outputs;
      for (let j = 0; j < layer.outputs; j++) out[j]! += v * layer.weights[row + j]!;
    }
    if (li < model.layers.length - 1) for (let j = 0; j < out.length; j++) if (out[j]! < 0) out[j] = 0;
    acts.push(out);
    h = out;
  });
  return acts;
}

/** Class probabilities (in `classes` order) for one feature row (model order). */
export function predictProba(model: HostFootprintModel, x: Float64Array): Float64Array {
  const logits = forward(model, standardize(model, x)).at(-1)!;
  let max = -Infinity;
  for (const z of logits) if (z > max) max = z;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let k = 0; k < p.length; k++) {
    p[k] = Math.exp(logits[k]! - max);
    sum += p[k]!;
  }
  for (let k = 0; k < p.length; k++) p[k]! /= sum;
  return p;
}

export interface HostFootprintExplanation {
  /** Per feature: gradient × standardized input of the class's centred logit. */
  contributions: Float64Array;
  /** The standardized inputs. */
  standardized: Float64Array;
  /** The centred logit minus the sum of the contributions (what the biases contribute on this path). */
  base: number;
  centredLogit: number;
}

/**
 * Why the model scored class `k`: a ReLU network is linear around a given input (the active units fixed),
 * so its centred logit z_k − mean_j z_j equals Σ_i g_i·x_std_i + (bias terms), with g its gradient.
 * Contribution i = g_i·x_std_i (gradient × input, exact for this piecewise-linear model).
 */
export function explainHostFootprint(
  model: HostFootprintModel,
  x: Float64Array,
  k: number,
): HostFootprintExplanation {
  const acts = forward(model, standardize(model, x));
  const logits = acts.at(-1)!;
  const K = logits.length;
  let grad: Float64Array = new Float64Array(K).fill(-1 / K);
  grad[k]! += 1;
  const centredLogit = logits.reduce((a, z, j) => a + grad[j]! * z, 0);
  for (let li = model.layers.length - 1; li >= 0; li--) {
    const layer = model.layers[li]!;
    const input = acts[li]!;
    const g = new Float64Array(layer.inputs);
    for (let i = 0; i < layer.inputs; i++) {
      // Through the ReLU of the layer below: only active units pass the gradient.
      if (li > 0 && input[i]! <= 0) continue;
      let s = 0;
      const row = i * layer.outputs;
      for (let j = 0; j < layer.outputs; j++) s += layer.weights[row + j]! * grad[j]!;
      g[i] = s;
    }
    grad = g;
  }
  const standardized = acts[0]!;
  const contributions = new Float64Array(standardized.length);
  let total = 0;
  for (let i = 0; i < contributions.length; i++) {
    contributions[i] = grad[i]! * standardized[i]!;
    total += contributions[i]!;
  }
  return { contributions, standardized, base: centredLogit - total, centredLogit };
}
