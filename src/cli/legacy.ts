/**
 * The original NetworkML's flags (`networkml -a onelayer -o eval -p PATH -m MODEL -w SAVE`) rewritten into
 * our subcommands, so existing scripts keep working.
 */
import { UsageError } from '../errors.js';
import { splitFlag } from './poseidon-args.js';

const LEGACY_FLAGS: Record<string, string> = {
  '-a': 'algorithm',
  '--algorithm': 'algorithm',
  '-o': 'operation',
  '--operation': 'operation',
  '-p': 'path',
  '--path': 'path',
  '-m': 'model',
  '--trained_model': 'model',
  '-w': 'save',
  '--save': 'save',
  '-v': 'verbose',
  '--verbose': 'verbose',
};

/**
 * Whether argv is the original's form: no subcommand (every word is a flag or a legacy flag's value) and an
 * `-o/--operation` (train, eval or test; another value gets a clear error below, since without a subcommand
 * nothing else could be meant). Our own `-o FILE` after a subcommand (`eval -o results.jsonl`) is not.
 */
function isLegacyForm(args: string[]): boolean {
  let operation: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]!);
    if (!flag.startsWith('-')) return false; // a subcommand (or its argument)
    const name = LEGACY_FLAGS[flag];
    if (!name) continue;
    const value = inline ?? args[++i];
    if (name === 'operation') operation = value;
  }
  return operation !== undefined;
}

/** argv without node and script. Returns it unchanged unless it is the original's `-o/--operation` form. */
export function translateLegacyArgs(args: string[]): string[] {
  if (!isLegacyForm(args)) return args;
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]!);
    const name = LEGACY_FLAGS[flag];
    if (!name) throw new UsageError(`unknown option '${flag}' with the original's -o/--operation form`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option '${flag}' needs a value`);
    values[name] = value;
  }
  const operation = values.operation;
  const path = values.path;
  if (!path) throw new UsageError('the original form needs -p/--path');
  const out: string[] = [];
  switch (operation) {
    case 'eval':
      out.push('eval', path);
      if (values.model) out.push('--model', values.model);
      break;
    case 'train':
      out.push('train', path, '--algorithm', values.algorithm ?? 'onelayer');
      if (values.save) out.push('--save', values.save);
      break;
    case 'test':
      out.push('test', path);
      if (values.model) out.push('--model', values.model);
      break;
    default:
      throw new UsageError(`unknown operation '${operation}' (eval, train or test)`);
  }
  // `-v LEVEL` set the original's Python log level; we log nothing there, so it is accepted and has no effect.
  return out;
}
