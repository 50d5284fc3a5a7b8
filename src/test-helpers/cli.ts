import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Commands that keep device history must never write into the user's real data directory from a test.
const TEST_DATA_DIR = mkdtempSync(join(tmpdir(), 'networkml-test-data-'));
process.on('exit', () => rmSync(TEST_DATA_DIR, { recursive: true, force: true }));

const RUN = fileURLToPath(new URL('../cli/run.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI from sources in a child process (the same code as bin/networkml.js). */
export function runCli(
  args: string[],
  options: {
    input?: string | Buffer;
    /** A file as standard input itself (`< FILE`), not piped in. */
    stdinFile?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    uid?: number;
  } = {},
): CliResult {
  const stdin = options.stdinFile === undefined ? undefined : openSync(options.stdinFile, 'r');
  try {
    return run(args, options, stdin);
  } finally {
    if (stdin !== undefined) closeSync(stdin);
  }
}

function run(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number; uid?: number },
  stdin: number | undefined,
): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, ...args], {
    cwd: ROOT,
    ...(stdin === undefined ? { input: options.input } : { stdio: [stdin, 'pipe', 'pipe'] }),
    env: { ...process.env, NETWORKML_DATA_DIR: TEST_DATA_DIR, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
