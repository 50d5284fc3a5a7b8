/**
 * The model registry: role, LSTM and SOS models are loaded and validated once per process and path, and
 * shared by eval, watch, explain, train --algorithm sos and the service worker.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { errorMessage, ModelError } from '../errors.js';
import {
  BUNDLED_FILE_HASHES,
  DEFAULT_MODEL_PATH,
  DEFAULT_SOS_MODEL_PATH,
  type LoadedModel,
  loadModel,
  loadModelDocument,
} from '../models/format.js';
import { SessionSequenceLstm, type SosLstmModelFile } from '../models/lstm.js';
import { type LoadedSos, loadSosModel } from './sos-anomaly.js';

const roleModels = new Map<string, LoadedModel>();
const lstmModels = new Map<string, SessionSequenceLstm>();

/** Models are loaded and validated once per process and path. */
export function roleModelFor(path = DEFAULT_MODEL_PATH): LoadedModel {
  let loaded = roleModels.get(path);
  if (!loaded) {
    loaded = loadModel(path);
    roleModels.set(path, loaded);
  }
  return loaded;
}

/**
 * The session-sequence LSTM. Files in our format are checksum-verified like every model of ours (a flipped
 * weight would still be a finite number); the original's converted export is read as published.
 */
export function lstmFor(path = DEFAULT_SOS_MODEL_PATH): SessionSequenceLstm {
  let model = lstmModels.get(path);
  if (!model) {
    model = isOurFormat(path) ? fromOurFile(path) : SessionSequenceLstm.load(path);
    lstmModels.set(path, model);
  }
  return model;
}

/** Characters of the file's start searched for our format's marker. */
const FORMAT_PROBE_CHARS = 4096;

function isOurFormat(path: string): boolean {
  try {
    return /"format"\s*:\s*"networkml-model"/.test(fileStart(path, FORMAT_PROBE_CHARS));
  } catch {
    return false; // SessionSequenceLstm.load reports the unreadable file
  }
}

/**
 * readFileSync(path, 'utf8').slice(0, chars) without reading and decoding the whole file (1.2 MB for the
 * bundled LSTM, read again right after). A UTF-16 unit takes at most 3 bytes of UTF-8 and a sequence at
 * most 4, so the complete sequences of the first 3·chars + 3 bytes decode to at least `chars` units, each as
 * in the whole file (a sequence cut at the end decodes differently, but after them).
 */
export function fileStart(path: string, chars: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(3 * chars + 3);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('utf8', 0, length).slice(0, chars);
  } finally {
    closeSync(fd);
  }
}

/**
 * Our format's LSTM file. The shipped one, byte for byte (its hash), is accepted by the schema as it is
 * (lstm.test.ts), so it is not validated again and zod is not loaded for it (~0.1 s of start-up).
 */
function fromOurFile(path: string): SessionSequenceLstm {
  const { doc, hash } = loadModelDocument(path, 'sos-lstm');
  return BUNDLED_FILE_HASHES.has(hash)
    ? new SessionSequenceLstm(doc as unknown as SosLstmModelFile)
    : fromDocument(path, doc);
}

function fromDocument(path: string, doc: unknown): SessionSequenceLstm {
  try {
    return SessionSequenceLstm.fromJSON(doc);
  } catch (err) {
    throw new ModelError(`${path}: ${errorMessage(err)}`);
  }
}

const sosModels = new Map<string, LoadedSos>();

/** The role-conditioned SOS model at `path`, for the role model it was trained with. */
export function sosModelFor(path: string, roleModel: LoadedModel): LoadedSos {
  let model = sosModels.get(path);
  if (!model) {
    model = loadSosModel(path, roleModel);
    sosModels.set(path, model);
  }
  return model;
}
