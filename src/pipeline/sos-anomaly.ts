import { ModelError } from '../errors.js';
import type { LoadedModel } from '../models/format.js';
import { loadModelDocument, writeModelDocument } from '../models/format.js';
import { hiddenRepresentation, type RoleModel, selectedZ } from '../models/role-model.js';
import { RoleConditionedSos } from '../models/sos.js';

/**
 * The anomaly model the seed names: Stochastic Outlier Selection among devices of the same role. A device
 * is represented the way its role model sees it — the one-layer model's hidden layer (the original's
 * "representation"), or the model's normalised selected features for a forest — averaged over its bins.
 */
export function deviceRepresentation(
  model: RoleModel,
  vectors: readonly Float64Array[],
): Float64Array | null {
  if (vectors.length === 0) return null;
  const rows = vectors.map((v) =>
    model.kind === 'onelayer' ? hiddenRepresentation(model, v) : selectedZ(model, v),
  );
  const mean = new Float64Array(rows[0]!.length);
  for (const r of rows) for (let i = 0; i < r.length; i++) mean[i]! += r[i]!;
  for (let i = 0; i < mean.length; i++) mean[i]! /= rows.length;
  return mean;
}

/** How many values deviceRepresentation gives for this role model. */
function representationWidth(model: RoleModel): number {
  return model.kind === 'onelayer' ? model.mlp.hiddenSize : model.selected.length;
}

export function representationName(model: LoadedModel): string {
  return `${model.model.kind === 'onelayer' ? 'onelayer-hidden' : 'selected-normalised'} of role model ${model.hash}`;
}

export interface LoadedSos {
  sos: RoleConditionedSos;
  path: string;
}

export function saveSosModel(path: string, sos: RoleConditionedSos): string {
  return writeModelDocument(path, {
    ...sos.toJSON(),
    description: 'Role-conditioned Stochastic Outlier Selection (Janssens et al., 2012)',
  });
}

/** Loads an SOS model and checks it was fitted on representations of this very role model. */
export function loadSosModel(path: string, roleModel: LoadedModel, threshold?: number): LoadedSos {
  const { doc } = loadModelDocument(path, 'sos');
  let sos: RoleConditionedSos;
  try {
    sos = RoleConditionedSos.fromJSON(doc, threshold === undefined ? {} : { threshold });
  } catch (err) {
    throw new ModelError(`${path}: ${(err as Error).message}`);
  }
  if (sos.representation !== representationName(roleModel)) {
    throw new ModelError(
      `${path}: this SOS model was fitted on "${sos.representation}", not on the role model in use (${roleModel.path}); train it with --model ${roleModel.path}`,
    );
  }
  // The name alone does not make the rows that wide (an edited file): else every device fails when scored.
  const width = representationWidth(roleModel.model);
  if (sos.dims !== width)
    throw new ModelError(
      `${path}: SOS model rows of ${sos.dims} values, but the role model's representation has ${width}`,
    );
  return { sos, path };
}
