import type { RoleModel } from '../src/models/role-model.js';
import { captureNovelty, isUnknown } from '../src/models/role-model.js';
import { type LabelledCapture, predictLabel } from '../src/training/select.js';

/**
 * A role model's answer for one capture, as eval gives it: Unknown by the model's open-set rule, else its best
 * role (`forced`: the best role either way; null without bins). Shared by the roles benches.
 */
export function decideCapture(
  model: RoleModel,
  c: LabelledCapture,
): { label: string; forced: string | null } {
  const p = predictLabel(model, c.rows);
  if (p.label === null) return { label: '(no bins)', forced: null };
  const unknown = isUnknown(model, p.top, p.secondTop, captureNovelty(model, c.rows));
  return { label: unknown ? 'Unknown' : p.label, forced: p.label };
}
