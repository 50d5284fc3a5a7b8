import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z as Zod } from 'zod';
import { ExitCode, errorMessage, ModelError, NetworkmlError } from '../errors.js';
import { COMPAT_FEATURE_COUNT } from '../features/compat.js';
import { v2FeatureVersion } from '../features/v2/names.js';
import { throughLinks } from '../file-links.js';
import { type NoveltyReference, noveltyFromPoints, noveltySubset } from './novelty.js';
import type { ForestRoleModel, OneLayerRoleModel, RankNnRoleModel, RoleModel } from './role-model.js';
import type { TreeArrays } from './tree.js';
import { finiteArray, lazy, zod } from './zod-lazy.js';

/**
 * Our model file: JSON, `{"format": "networkml-model", "version": 1, "kind": …, …, "checksum":
 * "sha256:<hex>"}`. The checksum is the SHA-256 of the canonical JSON (keys sorted, no spaces) of every
 * other field, so any edited or damaged number is refused. Loading only parses and validates data.
 */
export const MODEL_FORMAT = 'networkml-model';
export const MODEL_VERSION = 1;

/** The bundled default (the original's pretrained one-layer model), in src/ and in dist/ alike. */
export const DEFAULT_MODEL_PATH = fileURLToPath(
  new URL('../../models/onelayer-v0.4.8.json', import.meta.url),
);
export const DEFAULT_SOS_MODEL_PATH = fileURLToPath(
  new URL('../../models/sos-lstm-v0.4.8.json', import.meta.url),
);

/** The role model file schemas, built with `z` (zod-lazy.ts: on first use). */
function roleSchemas(z: typeof Zod) {
  const finite = z.number().refine(Number.isFinite, 'not a finite number');
  const int = z.number().int();
  const vec = finiteArray(z);

  const common = {
    format: z.literal(MODEL_FORMAT),
    version: z.literal(MODEL_VERSION),
    description: z.string().optional(),
    labels: z.array(z.string().min(1)).min(2),
    features: z.object({
      semantics: z.enum(['compat', 'v2']),
      count: int.positive(),
      namesHash: z.string().nullable(),
    }),
    capture: z.object({ binDurationS: finite.positive(), warmupS: finite.nonnegative() }),
    normalisation: z.object({ means: vec, stds: vec }),
    selected: z.array(int.nonnegative()).min(1),
    hyperParameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
    training: z
      .object({
        dataset: z.string(),
        date: z.string(),
        seed: int.nullable(),
        nSamples: int.nonnegative().nullable(),
        scores: z.record(z.string(), finite),
      })
      .nullable(),
    source: z
      .object({
        attribution: z.string(),
        licence: z.string(),
        url: z.string().optional(),
        original: z.string().optional(),
      })
      .nullable(),
    /** The feature-space open-set rule (models/novelty.ts); absent for models without it. */
    novelty: z
      .object({
        columns: z.array(int.nonnegative()).min(1),
        points: z.array(vec).min(2),
        threshold: finite.nullable(),
        neighbours: int.positive(),
        /** Per point, its type's index: the novelty is the distance to the nearest type. */
        labels: z.array(int.nonnegative()).optional(),
        /** A second rule on some of `columns` (the service role), calibrated jointly with this one. */
        secondary: z
          .object({
            columns: z.array(int.nonnegative()).min(1),
            threshold: finite.nullable(),
            neighbours: int.positive(),
            calibration: z.array(finite).min(1),
          })
          .optional(),
        /** With `secondary`: this rule's calibration scores and the joint threshold (models/novelty.ts). */
        calibration: z.array(finite).min(1).optional(),
        jointThreshold: finite.optional(),
        /** With `secondary`: its score is divided by this before ranking; absent (models before): 1. */
        secondaryMargin: finite.refine((v) => v >= 1, 'a secondary margin below 1').optional(),
      })
      .optional(),
    checksum: z.string(),
  };

  const onelayerSchema = z.object({
    ...common,
    kind: z.literal('onelayer'),
    weights: z.object({
      hiddenSize: int.positive(),
      w1: z.array(vec),
      b1: vec,
      w2: z.array(vec),
      b2: vec,
    }),
  });

  const treeSchema = z.object({
    feature: z.array(int.min(-1)),
    threshold: vec,
    left: z.array(int.min(-1)),
    right: z.array(int.min(-1)),
    value: vec,
  });

  const forestSchema = z.object({
    ...common,
    kind: z.literal('randomforest'),
    trees: z.array(treeSchema).min(1),
  });

  const rankNnSchema = z.object({
    ...common,
    kind: z.literal('ranknn'),
    rankNn: z.object({
      columns: z.array(int.nonnegative()).min(1),
      points: z.array(vec).min(2),
      pointLabels: z.array(int.nonnegative()),
      temperature: finite.positive(),
      /**
       * The last `block` columns form a second distance term weighted `blockWeight` (v2's per-port block);
       * absent in files from before: one plain mean over all columns.
       */
      block: int.positive().optional(),
      blockWeight: finite.positive().optional(),
    }),
  });

  const roleSchema = z.discriminatedUnion('kind', [onelayerSchema, forestSchema, rankNnSchema]);
  return { roleSchema };
}

const schemas = lazy(() => roleSchemas(zod()));

/** The role model file schema (built on first use): what a file that is not a shipped one must pass. */
export function roleModelSchema(): ReturnType<typeof roleSchemas>['roleSchema'] {
  return schemas().roleSchema;
}
type RoleDoc = Zod.infer<ReturnType<typeof roleSchemas>['roleSchema']>;

/** JSON with object keys sorted recursively: the bytes the checksum covers. */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonicalJson(value, (s) => parts.push(s));
  return parts.join('');
}

/**
 * canonicalJson(value) handed to `write` in pieces: the checksum of a large model is hashed without
 * building its canonical text (for the bundled LSTM, thousands of nested strings joined: ~10 MB of
 * transient heap at start-up).
 */
function writeCanonicalJson(value: unknown, write: (s: string) => void): void {
  if (Array.isArray(value)) {
    // A model's bulk is arrays of numbers: one native stringify writes what the loop below would.
    if (allNumbers(value)) {
      write(JSON.stringify(value));
      return;
    }
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) write(',');
      writeCanonicalJson(value[i], write);
    }
    write(']');
    return;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    write('{');
    for (let i = 0; i < keys.length; i++) {
      write(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`);
      writeCanonicalJson(obj[keys[i]!], write);
    }
    write('}');
    return;
  }
  // As Array.prototype.join does, a value JSON cannot represent (undefined) writes nothing.
  write(JSON.stringify(value) ?? '');
}

/** Every index holds a number (a hole does not: `every` would skip it, and stringify writes it as null). */
function allNumbers(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

export function documentChecksum(doc: Record<string, unknown>): string {
  const { checksum: _omit, ...rest } = doc;
  const hash = createHash('sha256');
  let pending: string[] = [];
  let length = 0;
  writeCanonicalJson(rest, (s) => {
    pending.push(s);
    length += s.length;
    if (length >= 1 << 16) {
      hash.update(pending.join(''));
      pending = [];
      length = 0;
    }
  });
  hash.update(pending.join(''));
  return `sha256:${hash.digest('hex')}`;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * SHA-256 of the text of the bundled model files (models/*.json; format.test.ts checks that these are
 * theirs and that their checksums verify). The same text holds the same checksum, so it is not verified
 * again: the canonical JSON of the LSTM's 56,000 weights (number-to-text conversion) was ~50 ms of every
 * default eval. A model file not listed here (an edited bundled model, any trained one) is verified.
 */
export const BUNDLED_FILE_HASHES: ReadonlySet<string> = new Set([
  '78e0b2b3b433b80be6b2a60757a2759ec4e469e38a4b1d0902df2a91a3b6443c', // onelayer-v0.4.8.json
  'ff46a3dd2f4e87eb6cab91a05b4002f9493f80bb6ab40320c3789e94cfb15124', // host-footprint-v0.6.8.json
  'e70dc5a5ba08f884fcd487045ec62ac04846a70c3ae076d34068d66284f9841e', // sos-lstm-v0.4.8.json
]);

export interface ModelDocument {
  /** The validated envelope plus every other field as parsed. */
  doc: Record<string, unknown> & { format: string; version: number; kind: string };
  /** SHA-256 (hex) of the file's bytes: the model identity recorded in histories. */
  hash: string;
}

/**
 * Read a model file, check envelope and checksum (not the kind-specific fields). For kinds whose loader
 * lives elsewhere (e.g. 'sos-lstm').
 */
/** A model kind as a user knows it: what the file is for, then the kind it declares. */
function kindText(kind: string): string {
  const what: Record<string, string> = {
    onelayer: 'a role model',
    randomforest: 'a role model',
    behavior: 'a behaviour model',
    sos: 'an SOS anomaly model',
    'sos-lstm': 'an LSTM anomaly model',
    'host-footprint': 'a host-footprint role model',
  };
  return `${Object.hasOwn(what, kind) ? what[kind] : 'a model'} ("${kind.slice(0, 40)}")`;
}

export function loadModelDocument(path: string, expectedKind?: string): ModelDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelError(`${path}: cannot read model (${errorMessage(err)})`);
  }
  return parseModelDocument(text, path, expectedKind);
}

// Control characters but tab, line feed and carriage return, and U+FFFD (bytes that are not UTF-8).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is matched
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

/**
 * Why text is not JSON, in one printable line: the parser's message quotes the text, and a binary file (a
 * gzip-compressed model, a capture) would put raw control bytes on the terminal, so it is named instead.
 */
function notJsonReason(text: string, err: unknown): string {
  if (BINARY.test(text.slice(0, 512))) {
    // gzip's magic 1f 8b: 8b is no UTF-8 on its own.
    if (text.startsWith('\u001f\ufffd')) return 'a gzip-compressed file, not JSON: decompress it first';
    return 'a binary file, not JSON';
  }
  return `invalid JSON: ${errorMessage(err)}`;
}

export function parseModelDocument(text: string, name: string, expectedKind?: string): ModelDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${name}: not a networkml model (${notJsonReason(text, err)})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ModelError(`${name}: not a networkml model (not a JSON object)`);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.format !== MODEL_FORMAT) {
    const f = typeof obj.format === 'string' ? `format "${obj.format.slice(0, 60)}"` : 'no "format" field';
    throw new ModelError(`${name}: not a networkml model (${f})`);
  }
  if (obj.version !== MODEL_VERSION) {
    throw new ModelError(
      `${name}: unsupported model version ${JSON.stringify(obj.version)} (this networkml reads version ${MODEL_VERSION})`,
    );
  }
  if (typeof obj.kind !== 'string') throw new ModelError(`${name}: not a networkml model (no "kind" field)`);
  if (expectedKind !== undefined && obj.kind !== expectedKind) {
    throw new ModelError(`${name}: ${kindText(obj.kind)}, where ${kindText(expectedKind)} was expected`);
  }
  if (typeof obj.checksum !== 'string') throw new ModelError(`${name}: corrupt model: no checksum`);
  const hash = sha256Hex(text);
  if (!BUNDLED_FILE_HASHES.has(hash) && documentChecksum(obj) !== obj.checksum)
    throw new ModelError(`${name}: corrupt model: checksum mismatch`);
  return {
    doc: obj as ModelDocument['doc'],
    hash,
  };
}

export interface LoadedModel {
  model: RoleModel;
  hash: string;
  path: string;
  description: string | null;
}

/** Load and fully validate a role model (onelayer or randomforest). Throws a one-line ModelError. */
export function loadModel(path: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelError(`${path}: cannot read model (${errorMessage(err)})`);
  }
  return parseModel(text, path);
}

export function parseModel(text: string, name = 'model'): LoadedModel {
  const { doc, hash } = parseModelDocument(text, name);
  if (doc.kind === 'host-footprint')
    throw new ModelError(
      `${name}: the host-footprint model names a role per host from a whole capture and is used by eval and explain only (--model host-footprint-v0.6.8); this command takes a role model (onelayer, randomforest or ranknn)`,
    );
  if (doc.kind !== 'onelayer' && doc.kind !== 'randomforest' && doc.kind !== 'ranknn') {
    throw new ModelError(
      `${name}: a "${doc.kind}" model is not a role model (onelayer, randomforest or ranknn)`,
    );
  }
  // A shipped file, byte for byte (its hash): the schema accepts it as it is (format.test.ts), so it is not
  // parsed again, nor is zod loaded for it.
  const parsed = BUNDLED_FILE_HASHES.has(hash)
    ? { success: true as const, data: doc as unknown as RoleDoc }
    : schemas().roleSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelError(`${name}: invalid model (${issue.path.join('.') || 'root'}: ${issue.message})`);
  }
  const model = toRoleModel(parsed.data, name);
  return { model, hash, path: name, description: parsed.data.description ?? null };
}

function bad(name: string, what: string): never {
  throw new ModelError(`${name}: invalid model (bad shapes: ${what})`);
}

function noveltyOf(d: NonNullable<RoleDoc['novelty']>, n: number, name: string): NoveltyReference {
  if (d.columns.some((f) => f >= n)) bad(name, `a novelty column is >= ${n}`);
  const h = d.columns.length;
  if (d.points.some((p) => p.length !== h)) bad(name, `novelty points must have ${h} values`);
  if (d.labels && d.labels.length !== d.points.length) bad(name, 'novelty needs one label per point');
  const ref = noveltyFromPoints(
    Int32Array.from(d.columns),
    Float64Array.from(d.points.flat()),
    d.threshold,
    d.neighbours,
    d.labels ? Int32Array.from(d.labels) : null,
  );
  if (d.secondary) {
    if (d.secondary.columns.some((f) => !d.columns.includes(f)))
      bad(name, 'a secondary novelty column is not a novelty column');
    if (d.calibration === undefined || d.jointThreshold === undefined)
      bad(name, 'a secondary novelty rule needs calibration scores and a joint threshold');
    ref.secondary = noveltySubset(
      ref,
      Int32Array.from(d.secondary.columns),
      d.secondary.threshold,
      d.secondary.neighbours,
    );
    ref.secondary.calibration = Float64Array.from(d.secondary.calibration).sort();
    ref.calibration = Float64Array.from(d.calibration).sort();
    ref.jointThreshold = d.jointThreshold;
    ref.secondaryMargin = d.secondaryMargin ?? 1;
  }
  return ref;
}

function toRoleModel(d: RoleDoc, name: string): RoleModel {
  const n = d.features.count;
  // Every capture would be refused one by one ("feature vector has … values"): the file is, once.
  if (d.features.semantics === 'compat' ? n !== COMPAT_FEATURE_COUNT : v2FeatureVersion(n) === null)
    bad(name, `${n} features is not a count of the ${d.features.semantics} feature set`);
  const k = d.labels.length;
  if (new Set(d.labels).size !== k) bad(name, 'duplicate labels');
  if (d.normalisation.means.length !== n || d.normalisation.stds.length !== n) {
    bad(
      name,
      `normalisation has ${d.normalisation.means.length}/${d.normalisation.stds.length} values for ${n} features`,
    );
  }
  if (d.normalisation.stds.some((s) => s === 0)) bad(name, 'a normalisation std is 0');
  if (d.selected.some((f) => f >= n)) bad(name, `a selected feature is >= ${n}`);
  const base = {
    labels: d.labels,
    features: d.features,
    capture: d.capture,
    normalisation: {
      means: Float64Array.from(d.normalisation.means),
      stds: Float64Array.from(d.normalisation.stds),
    },
    selected: Int32Array.from(d.selected),
    hyperParameters: otherHyperParameters(d.hyperParameters),
    unknownThreshold: numberOrNull(d.hyperParameters[OPEN_SET_KEYS.unknownThreshold]),
    unknownRate: numberOrNull(d.hyperParameters[OPEN_SET_KEYS.unknownRate]),
    siblingMargin: numberOrNull(d.hyperParameters[OPEN_SET_KEYS.siblingMargin]),
    novelty: d.novelty ? noveltyOf(d.novelty, n, name) : null,
    training: d.training,
    source: d.source,
  };
  const s = d.selected.length;
  if (d.kind === 'onelayer') {
    const w = d.weights;
    const h = w.hiddenSize;
    if (w.w1.length !== s || w.w1.some((r) => r.length !== h)) bad(name, `w1 must be ${s}x${h}`);
    if (w.b1.length !== h) bad(name, `b1 must have ${h} values`);
    if (w.w2.length !== h || w.w2.some((r) => r.length !== k)) bad(name, `w2 must be ${h}x${k}`);
    if (w.b2.length !== k) bad(name, `b2 must have ${k} values`);
    const m: OneLayerRoleModel = {
      ...base,
      kind: 'onelayer',
      mlp: {
        hiddenSize: h,
        w1: Float64Array.from(w.w1.flat()),
        b1: Float64Array.from(w.b1),
        w2: Float64Array.from(w.w2.flat()),
        b2: Float64Array.from(w.b2),
      },
    };
    return m;
  }
  if (d.kind === 'ranknn') {
    const r = d.rankNn;
    if (r.columns.some((f) => f >= n)) bad(name, `a ranknn column is >= ${n}`);
    if (r.points.some((p) => p.length !== r.columns.length))
      bad(name, `ranknn points must have ${r.columns.length} values`);
    if (r.pointLabels.length !== r.points.length || r.pointLabels.some((l) => l >= k))
      bad(name, `ranknn needs one label index below ${k} per point`);
    if ((r.block === undefined) !== (r.blockWeight === undefined))
      bad(name, 'ranknn block and blockWeight go together');
    const block = r.block ?? 0;
    if (block >= r.columns.length)
      bad(name, `a ranknn block must be shorter than its ${r.columns.length} columns`);
    const reference = noveltyFromPoints(
      Int32Array.from(r.columns),
      Float64Array.from(r.points.flat()),
      null,
      1,
    );
    const m: RankNnRoleModel = {
      ...base,
      kind: 'ranknn',
      rankNn: {
        reference,
        pointLabels: Int32Array.from(r.pointLabels),
        temperature: r.temperature,
        primary: r.columns.length - block,
        blockWeight: r.blockWeight ?? 0,
      },
    };
    return m;
  }
  const trees: TreeArrays[] = d.trees.map((t, ti) => {
    const c = t.feature.length;
    if (
      c === 0 ||
      t.threshold.length !== c ||
      t.left.length !== c ||
      t.right.length !== c ||
      t.value.length !== c * k
    ) {
      bad(name, `tree ${ti} arrays disagree`);
    }
    for (let nd = 0; nd < c; nd++) {
      const f = t.feature[nd]!;
      if (f === -1) {
        if (t.left[nd] !== -1 || t.right[nd] !== -1) bad(name, `tree ${ti} leaf ${nd} has children`);
      } else if (f >= s || !(t.left[nd]! > nd && t.left[nd]! < c && t.right[nd]! > nd && t.right[nd]! < c)) {
        // Children after their parent: no cycles, so prediction always terminates.
        bad(name, `tree ${ti} node ${nd}`);
      }
    }
    return {
      nodeCount: c,
      nClasses: k,
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
    };
  });
  const m: ForestRoleModel = { ...base, kind: 'randomforest', trees };
  return m;
}

function rowsOf(a: Float64Array, cols: number): number[][] {
  // Rows of no column (a hidden size of 0) would never end: such a model cannot be written (a bug).
  if (a.length > 0 && !(Number.isInteger(cols) && cols >= 1))
    throw new NetworkmlError(
      `cannot save model: ${a.length} weights in rows of ${cols} columns`,
      ExitCode.INTERNAL,
    );
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += cols) out.push(Array.from(a.subarray(i, i + cols)));
  return out;
}

/** The file document of a role model (checksum included). */
export function modelToDocument(model: RoleModel, description?: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    kind: model.kind,
    ...(description ? { description } : {}),
    labels: model.labels,
    features: model.features,
    capture: model.capture,
    normalisation: {
      means: Array.from(model.normalisation.means),
      stds: Array.from(model.normalisation.stds),
    },
    selected: Array.from(model.selected),
    hyperParameters: {
      ...model.hyperParameters,
      ...openSetHyperParameters(model),
    },
    training: model.training,
    source: model.source,
  };
  if (model.novelty) {
    doc.novelty = {
      columns: Array.from(model.novelty.columns),
      points: rowsOf(model.novelty.points, model.novelty.columns.length),
      threshold: model.novelty.threshold,
      neighbours: model.novelty.neighbours,
      ...(model.novelty.labels ? { labels: Array.from(model.novelty.labels) } : {}),
      ...(model.novelty.secondary
        ? {
            secondary: {
              columns: Array.from(model.novelty.secondary.columns),
              threshold: model.novelty.secondary.threshold,
              neighbours: model.novelty.secondary.neighbours,
              calibration: Array.from(model.novelty.secondary.calibration ?? []),
            },
            calibration: Array.from(model.novelty.calibration ?? []),
            ...(model.novelty.jointThreshold !== null
              ? { jointThreshold: model.novelty.jointThreshold }
              : {}),
            // Written only when set, so a model without it is stored as before.
            ...(model.novelty.secondaryMargin !== 1
              ? { secondaryMargin: model.novelty.secondaryMargin }
              : {}),
          }
        : {}),
    };
  }
  if (model.kind === 'onelayer') {
    const m = model.mlp;
    doc.weights = {
      hiddenSize: m.hiddenSize,
      w1: rowsOf(m.w1, m.hiddenSize),
      b1: Array.from(m.b1),
      w2: rowsOf(m.w2, model.labels.length),
      b2: Array.from(m.b2),
    };
  } else if (model.kind === 'ranknn') {
    const r = model.rankNn;
    doc.rankNn = {
      columns: Array.from(r.reference.columns),
      points: rowsOf(r.reference.points, r.reference.columns.length),
      pointLabels: Array.from(r.pointLabels),
      temperature: r.temperature,
      ...(r.blockWeight > 0
        ? { block: r.reference.columns.length - r.primary, blockWeight: r.blockWeight }
        : {}),
    };
  } else {
    doc.trees = model.trees.map((t) => ({
      feature: Array.from(t.feature),
      threshold: Array.from(t.threshold),
      left: Array.from(t.left),
      right: Array.from(t.right),
      value: Array.from(t.value),
    }));
  }
  doc.checksum = documentChecksum(doc);
  return doc;
}

/** Serialise any model document (adds/refreshes its checksum); one value per line is not needed. */
export function documentToText(doc: Record<string, unknown>): string {
  const withSum = { ...doc, checksum: documentChecksum(doc) };
  // JSON.stringify writes NaN/Infinity as null: refuse rather than save a model that will not load.
  if (hasNonFinite(withSum)) throw new ModelError('cannot save model: non-finite (NaN or infinite) weights');
  return `${JSON.stringify(withSum)}\n`;
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasNonFinite);
  return false;
}

/** Write atomically (temp file + rename); returns the file's SHA-256. */
export function writeModelDocument(path: string, doc: Record<string, unknown>): string {
  return writeModelText(path, documentToText(doc));
}

/**
 * Write a model file's text atomically (temp file + rename); returns the file's SHA-256. A symbolic link
 * is written through, as `eval -o` writes: its target is replaced, the link stays (`current.json` → a
 * dated model).
 */
export function writeModelText(path: string, text: string): string {
  // The rename would replace the special file itself (as root, /dev/null by a model).
  if (isSpecialFile(path)) throw new ModelError(`${path}: cannot write model (not a regular file)`);
  const target = throughLinks(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new ModelError(`${path}: cannot write model (${errorMessage(err)})`);
  }
  return sha256Hex(text);
}

/** Whether `path` (through its links) is there and not a regular file: a directory, device, FIFO, socket. */
function isSpecialFile(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false; // nothing there (or not to be looked at): writing will say why, if it fails
  }
}

/** The file keeps the typed open-set fields among the hyper-parameters (as models trained before did). */
const OPEN_SET_KEYS = {
  unknownThreshold: 'unknownThreshold',
  unknownRate: 'unknownRate',
  siblingMargin: 'siblingMargin',
} as const;

function openSetHyperParameters(model: RoleModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of Object.keys(OPEN_SET_KEYS) as (keyof typeof OPEN_SET_KEYS)[]) {
    const value = model[field];
    if (value !== null) out[OPEN_SET_KEYS[field]] = value;
  }
  return out;
}

function otherHyperParameters(
  hyperParameters: Record<string, number | string | boolean | null>,
): Record<string, number | string | boolean | null> {
  const rest = { ...hyperParameters };
  for (const key of Object.values(OPEN_SET_KEYS)) delete rest[key];
  return rest;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/**
 * Save a role model; returns the model hash (SHA-256 of the written file). The document is first checked
 * the way loadModel checks a file (schema and shapes), so a file that would not load is never written:
 * training makes models from checked options, so a model that fails here is a bug (exit 70), not a bad
 * model file (exit 3).
 */
export function saveModel(path: string, model: RoleModel, description?: string): string {
  return writeModelText(path, roleModelText(path, model, description));
}

/**
 * The text saveModel writes for a role model, checked as it checks it: what a model going with it (the
 * behaviour model, through its hash) needs before the file is written.
 */
export function roleModelText(path: string, model: RoleModel, description?: string): string {
  const text = documentToText(modelToDocument(model, description));
  try {
    parseModel(text, path);
  } catch (err) {
    throw new NetworkmlError(
      `${path}: not written: the trained model would not load (${errorMessage(err)})`,
      ExitCode.INTERNAL,
    );
  }
  return text;
}

/** SHA-256 of a model file's bytes. */
export function modelFileHash(path: string): string {
  try {
    return sha256Hex(readFileSync(path));
  } catch (err) {
    throw new ModelError(`${path}: cannot read model (${errorMessage(err)})`);
  }
}
