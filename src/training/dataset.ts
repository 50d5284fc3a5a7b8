import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { CaptureError, NetworkmlError, UsageError } from '../errors.js';
import { UNKNOWN_LABEL } from '../models/role-model.js';

/**
 * Labelled captures follow the original's naming convention `DeviceName-deviceID-time-duration-flags.pcap`
 * (e.g. `ActiveDirectoryController-labs-Fri0036-n00.pcap`); the label is the part before the first '-',
 * mapped through label_assignments.json when one is given.
 */
// The label is everything before the first '-', dots included (`HP.LaserJet-…`), as the original split it.
const CONVENTION = /^([^-]+)-[^-]+-[^-]+-[^-.]+(?:-[^.]*)?\.(?:pcap|pcapng|cap)(?:\.gz)?$/i;

/**
 * File-name prefix → label. A Map, not an object: a prefix may be any name, and looking up 'constructor'
 * or 'toString' in an object finds what every object inherits.
 */
export type LabelAssignments = ReadonlyMap<string, string>;

export function loadLabelAssignments(path: string): LabelAssignments {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: cannot read label assignments (${(err as Error).message.split('\n')[0]})`);
  }
  // A label is a role name in the model: never empty (the model loader refuses an empty one). JSON.parse
  // makes every key an own property ('__proto__' included), and Object.entries lists exactly those.
  const refused = new UsageError(
    `${path}: label assignments must be a JSON object of "prefix": "label" with non-empty labels`,
  );
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw refused;
  const assignments = new Map<string, string>();
  for (const [prefix, label] of Object.entries(raw)) {
    if (typeof label !== 'string' || label.length === 0) throw refused;
    assignments.set(prefix, label);
  }
  return assignments;
}

/**
 * A path given that is not there (or not reachable) as the reader says it, or null. Checked before a name
 * is judged: a mistyped folder is missing, not a file to rename.
 */
function missingPath(path: string): CaptureError | null {
  if (path === '-') return null;
  try {
    statSync(path);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return new CaptureError(`${path}: cannot read: no such file`);
    if (code === 'EACCES' || code === 'EPERM')
      return new CaptureError(`${path}: cannot read: permission denied`);
    return null;
  }
}

/** The label of a capture from its file name. Throws a readable error when the name breaks the convention. */
export function labelOf(path: string, assignments?: LabelAssignments): string {
  const name = basename(path);
  const match = CONVENTION.exec(name);
  if (!match) {
    throw new NetworkmlError(
      `${name}: file name does not follow DeviceName-deviceID-time-duration-flags.pcap (e.g. Printer-labs-Fri0036-n00.pcap)`,
    );
  }
  const prefix = match[1]!;
  if (!assignments) return prefix;
  const label = assignments.get(prefix);
  if (label === undefined)
    throw new NetworkmlError(`${name}: prefix '${prefix}' has no entry in the label assignments`);
  return label;
}

/**
 * labelOf for a path given on the command line: when it gives no label, a path that is not there is
 * reported as the reader reports it ("cannot read: no such file"), not as a file to rename.
 */
export function labelOfGiven(path: string, assignments?: LabelAssignments): string {
  try {
    return labelOf(path, assignments);
  } catch (err) {
    throw missingPath(path) ?? err;
  }
}

/** labelOf, or undefined for a name without a label (the reader of the labels reports it in its words). */
export function labelOrUndefined(path: string, assignments?: LabelAssignments): string | undefined {
  try {
    return labelOf(path, assignments);
  } catch {
    return undefined;
  }
}

/**
 * The labels that differ from another only in letter case, each group with its captures counted
 * ([label, captures][], in first-seen order): as in the original, each is a role of its own.
 */
export function labelsDifferingInCase(labels: readonly string[]): [string, number][][] {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const byFolded = new Map<string, [string, number][]>();
  for (const [label, n] of counts) {
    const folded = label.toLowerCase();
    const group = byFolded.get(folded);
    if (group) group.push([label, n]);
    else byFolded.set(folded, [[label, n]]);
  }
  return [...byFolded.values()].filter((group) => group.length > 1);
}

/**
 * The labels of training captures (labelOf), refusing the reserved label Unknown (UsageError): a model's
 * Unknown is what it calls captures of no known type, so captures named Unknown-… (or mapped to Unknown)
 * cannot teach it a role, and merging them into that label would silently change what Unknown means.
 * `test` reads such captures as captures of an unknown type instead (labelOf).
 */
export function trainingLabelsOf(paths: readonly string[], assignments?: LabelAssignments): string[] {
  return paths.map((p) => {
    const label = labelOfGiven(p, assignments);
    if (label === UNKNOWN_LABEL)
      throw new UsageError(
        `${basename(p)}: '${UNKNOWN_LABEL}' is reserved for captures of no known type and cannot be a training label; ` +
          'leave the capture out or rename it (or map its prefix with --labels)',
      );
    return label;
  });
}

const splitSchema = z.object({ train: z.array(z.string()), test: z.array(z.string()) });

/** A split file `{"train": [file names], "test": [file names]}` (e.g. dev-split.json). */
export function loadSplit(path: string): { train: string[]; test: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: cannot read split file (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = splitSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${path}: a split file is {"train": [names], "test": [names]}`);
  return parsed.data;
}

/** Keeps the captures whose file name is listed. */
export function filterByNames(paths: string[], names: readonly string[], what: string): string[] {
  const wanted = new Set(names);
  const kept = paths.filter((p) => wanted.has(basename(p)));
  if (kept.length === 0) throw new UsageError(`none of the captures is in the split's ${what} list`);
  return kept;
}

/**
 * The warning when some of a split's names for one side match no capture given (null when all do): the
 * scores, or the model, would otherwise rest on fewer captures than the split lists, and nothing would say
 * so (30 test captures read as the split's 35; a renamed training capture silently left out).
 */
export function splitNamesNotGiven(
  names: readonly string[],
  paths: readonly string[],
  side: 'train' | 'test',
): string | null {
  const given = new Set(paths.map((p) => basename(p)));
  const missing = [...new Set(names)].filter((n) => !given.has(n));
  if (missing.length === 0) return null;
  const shown = firstNames(missing);
  return `${missing.length} of the split's ${new Set(names).size} ${side} captures ${missing.length === 1 ? 'is' : 'are'} not among the captures given: ${shown}`;
}

/** "a, b, c, and 4 more": the first three names of a list for a one-line message. */
export function firstNames(names: readonly string[]): string {
  return names.slice(0, 3).join(', ') + (names.length > 3 ? `, and ${names.length - 3} more` : '');
}
