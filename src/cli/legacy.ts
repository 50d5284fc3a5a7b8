/**
 * The original NetworkML's flags (`networkml -a onelayer -o eval -p PATH -m MODEL -w SAVE`) rewritten into
 * our subcommands, so existing scripts keep working.
 */
import { UsageError } from '../errors.js';

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

/** argv without node and script. Returns it unchanged unless it uses the original's `-o/--operation`. */
export function translateLegacyArgs(args: string[]): string[] {
  // A subcommand first (`eval --json -o out.json x.pcap`): its own -o is an output file, not the old form.
  if (args.length > 0 && !args[0]!.startsWith('-')) return args;
  if (!args.some((a) => a === '-o' || a === '--operation' || a.startsWith('--operation='))) return args;
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split('=', 2) as [string, string | undefined];
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
  if (values.verbose) out.push('--log-level', values.verbose.toLowerCase());
  return out;
}
