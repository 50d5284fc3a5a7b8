/**
 * Starts a private redis-server on 127.0.0.1 for a test: a free port, no persistence, a temporary dir.
 * `redis-server` comes from Debian's package (installed by the test command); without it this throws.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export { freePort };

/** One PING over a raw socket: true on +PONG (or -NOAUTH: a server with a password is up too). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
  });
}

export interface StartRedisOptions {
  timeoutMs?: number;
  /** Default: a free one. A given one restarts a stopped server where its clients look for it. */
  port?: number;
  /** More redis-server arguments, e.g. ['--requirepass', 'pw']. */
  args?: string[];
}

export async function startRedis(options: StartRedisOptions | number = {}): Promise<RedisServer> {
  const {
    timeoutMs = 10_000,
    port: given,
    args = [],
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'redis-server is not installed: run `npm test` (it installs it) or `apt-get install redis-server`',
    );
  }
  const port = given ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'networkml-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not answer PING on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
