/**
 * A default eval (`eval CAPTURE --json --no-history`, the shipped models) run in a child process with an ESM
 * resolve hook, for tests of what eval's start-up imports (issue 14: modules it never uses are start-up time).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

const DEFAULT_EVAL = [
  'eval',
  'test-data/reference/captures/WeMoSwitch-sentinel-Mon0000-n00.pcap',
  '--json',
  '--no-history',
];

/**
 * `resolveHook`: the source of an ESM `resolve` hook (it may write to stderr); `after`: statements run in the
 * child after eval returned (its exit code is in `code`); `args`: another command line to run instead.
 */
export function defaultEvalWithHook(
  resolveHook: string,
  after: string[] = [],
  args: readonly string[] = DEFAULT_EVAL,
): SpawnSyncReturns<string> {
  const hook = `data:text/javascript,${encodeURIComponent(resolveHook)}`;
  const script = [
    "import { register, createRequire } from 'node:module';",
    `register(${JSON.stringify(hook)});`,
    "const { main } = await import('./src/cli/main.ts');",
    `const code = await main(${JSON.stringify(['node', 'networkml', ...args])});`,
    ...after,
    'process.exitCode = code;',
  ].join('\n');
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NETWORKML_DATA_DIR: join(ROOT, 'no-such-dir') },
  });
}
