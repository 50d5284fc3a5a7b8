/**
 * The two command lines Poseidon's workers start NetworkML with (workers.json of ../shared/poseidon),
 * rewritten into the hidden `oneshot` subcommand:
 * - Poseidon v0.10 / NetworkML v0.4.8: `networkml -p FILE` (the original's flags without `-o/--operation`,
 *   which the original ran as eval with the one-layer model) → `oneshot --mode v0.4.8 FILE`;
 * - Poseidon HEAD / NetworkML v0.6.10: `networkml --no-srcmacid -o/tmp FILE` (also `-o /tmp`, `--output DIR`,
 *   `--output=DIR`, `--srcmacid`) → `oneshot --mode v0.6.10 [--no-srcmacid] FILE`.
 * Anything else is returned unchanged: subcommands, and the original's `-o train|eval|test` form, which
 * legacy.ts translates.
 */
import { UsageError } from '../errors.js';

const OPERATIONS = new Set(['train', 'eval', 'test']);

/** `--flag=value`, `-fvalue` (argparse's attached short form) or a lone word, as [flag, inline value]. */
export function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 0) return [arg.slice(0, eq), arg.slice(eq + 1)];
  // `-o/tmp`, `-pFILE`: a short flag with its value attached, as argparse accepts.
  if (/^-[a-z]./.test(arg)) return [arg.slice(0, 2), arg.slice(2)];
  return [arg, undefined];
}

/** argv without node and script; returns it unchanged unless it is one of Poseidon's two invocations. */
export function translatePoseidonArgs(args: string[]): string[] {
  const first = args[0];
  if (first === undefined || !first.startsWith('-')) return args;
  const flags = args.map((a) => splitFlag(a)[0]);
  const has = (...names: string[]) => flags.some((f) => names.includes(f));
  if (has('-h', '--help', '-V', '--version')) return args;
  const operationAt = flags.indexOf('-o');
  const operationValue =
    operationAt < 0 ? undefined : (splitFlag(args[operationAt]!)[1] ?? args[operationAt + 1]);
  // The original's -o/--operation form (with -p, any -o is an operation, valid or not: legacy.ts says which).
  if (has('--operation') || (has('-o') && (has('-p', '--path') || OPERATIONS.has(operationValue ?? '')))) {
    return args;
  }
  if (has('-p', '--path')) return v048(args);
  if (has('--no-srcmacid', '--srcmacid', '-o', '--output')) return v0610(args);
  return args;
}

/** `-p FILE [-m MODEL] [-a onelayer] [-v LEVEL]` with no operation: eval with the one-layer model. */
function v048(args: string[]): string[] {
  let path: string | undefined;
  let model: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]!);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option '${flag}' needs a value`);
    switch (flag) {
      case '-p':
      case '--path':
        path = value;
        break;
      case '-m':
      case '--trained_model':
        model = value;
        break;
      case '-a':
      case '--algorithm':
        if (value !== 'onelayer')
          throw new UsageError(`-p without -o evaluates with the one-layer model, not '${value}'`);
        break;
      case '-v':
      case '--verbose':
        break;
      default:
        throw new UsageError(`unknown option '${flag}' with the original's -p form`);
    }
  }
  if (!path) throw new UsageError('-p needs a capture file');
  return ['oneshot', '--mode', 'v0.4.8', ...(model ? ['--model', model] : []), path];
}

/** `[--srcmacid|--no-srcmacid] [-o DIR] FILE`, as NetworkML v0.6's argparse took it. */
function v0610(args: string[]): string[] {
  const paths: string[] = [];
  let srcMacId = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      paths.push(arg);
      continue;
    }
    const [flag, inline] = splitFlag(arg);
    switch (flag) {
      case '--srcmacid':
        srcMacId = true;
        break;
      case '--no-srcmacid':
        srcMacId = false;
        break;
      case '-o':
      case '--output':
        // v0.6's directory for its intermediate CSV files; we keep none, so it only has to be given.
        if ((inline ?? args[++i]) === undefined) throw new UsageError(`option '${flag}' needs a directory`);
        break;
      default:
        throw new UsageError(
          `unknown option '${flag}' with NetworkML v0.6's form (--no-srcmacid -o DIR FILE)`,
        );
    }
  }
  if (paths.length !== 1)
    throw new UsageError(`NetworkML v0.6's form takes one capture, got ${paths.length}`);
  return ['oneshot', '--mode', 'v0.6.10', ...(srcMacId ? [] : ['--no-srcmacid']), paths[0]!];
}
