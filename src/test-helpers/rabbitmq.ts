/**
 * A private RabbitMQ broker for tests: Debian's rabbitmq-server on 127.0.0.1 with its own node name, port,
 * data and log directories, cookie and epmd, so parallel runs and a system broker never meet.
 *
 * Cleanup does not depend on this process exiting politely: the broker runs with the Erlang shell reading
 * a pipe from us (RABBITMQ_ALLOW_INPUT), so when we die, even by SIGKILL, the pipe closes and the VM halts;
 * our private epmd is wrapped in a shell that kills it when its stdin pipe closes, for the same reason.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * Debian's rabbitmq scripts. $NETWORKML_TEST_RABBITMQ_BIN names another directory, so that what a machine
 * without the package gets can be seen on one that has it.
 */
function rabbitmqScript(name: 'rabbitmq-server' | 'rabbitmqctl'): string {
  return join(process.env.NETWORKML_TEST_RABBITMQ_BIN || '/usr/lib/rabbitmq/bin', name);
}

const INSTALL = 'run `npm test` (it installs it) or `apt-get install rabbitmq-server`';
export const RABBITMQ_MISSING = `rabbitmq-server is not installed: ${INSTALL}`;
export const EPMD_MISSING = `epmd (Erlang, installed with rabbitmq-server) is not on PATH: ${INSTALL}`;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface RabbitServer {
  readonly host: string;
  readonly port: number;
  /** amqp://guest:guest@127.0.0.1:<port> */
  readonly url: string;
  /** Stops the broker, keeping its data directory (durable queues and persistent messages survive). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the broker and removes every file it wrote. Safe to call twice. */
  dispose(): Promise<void>;
  /** Runs `rabbitmqctl ARGS` against this broker (e.g. a memory alarm: set_vm_memory_high_watermark). */
  ctl(args: string[]): Promise<string>;
}

/** True when rabbitmq-server is installed, so a test can skip with a reason instead of failing obscurely. */
export function rabbitmqAvailable(): boolean {
  return existsSync(rabbitmqScript('rabbitmq-server'));
}

/**
 * Refuses at once a machine the broker cannot start on: without the scripts every attempt fails with a bare
 * ENOENT, and without epmd the wait for its port ends in "nothing listens" that names neither.
 */
function requireRabbitmq(): void {
  if (!rabbitmqAvailable()) throw new Error(RABBITMQ_MISSING);
  if (spawnSync('sh', ['-c', 'command -v epmd'], { stdio: 'ignore' }).status !== 0)
    throw new Error(EPMD_MISSING);
}

export { freePort };

/** Resolves once the broker answers an AMQP protocol header with a connection.start frame. */
async function speaksAmqp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.length > 0 && chunk[0] === 1));
    socket.connect(port, '127.0.0.1', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a private broker. Its ports are free when chosen but may be taken before the broker binds them
 * (another test file's server): a broker that exits while starting is tried again on fresh ports.
 */
export async function startRabbit(): Promise<RabbitServer> {
  requireRabbitmq();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRabbitOnce();
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.startsWith(EXITED_WHILE_STARTING))
        throw err;
    }
  }
}

const EXITED_WHILE_STARTING = 'rabbitmq-server exited while starting';

async function startRabbitOnce(): Promise<RabbitServer> {
  const dir = await mkdtemp(join(tmpdir(), 'networkml-rabbit-'));
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const node = `nmltest${process.pid}x${port}@localhost`;
  await writeFile(join(dir, 'enabled_plugins'), '[].\n');
  await writeFile(join(dir, 'empty-env.conf'), '');
  await writeFile(
    join(dir, 'rabbitmq.conf'),
    [
      'loopback_users = none',
      `listeners.tcp.default = 127.0.0.1:${port}`,
      // Tests fill disks with temp files; the default 50 MB alarm would block publishers on a busy CI box.
      'disk_free_limit.absolute = 1MB',
      'log.console = false',
      'log.file.level = warning',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_ALLOW_INPUT: '1',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'empty-env.conf'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_QUORUM_DIR: join(dir, 'quorum'),
    RABBITMQ_STREAM_DIR: join(dir, 'stream'),
  };

  const epmd = spawn('sh', ['-c', `epmd -port ${epmdPort} & p=$!; cat >/dev/null; kill $p`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  try {
    await waitForPort(epmdPort, 10_000);
  } catch (err) {
    // The wrapper reads our end of its stdin until it closes: left open, it would keep this process alive
    // after the failure, a test file that never ends.
    epmd.stdin?.end();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let broker: ChildProcess | null = null;
  let output = '';
  let disposed = false;

  // On exit our end of both stdin pipes closes, which stops the broker and epmd by itself; a signal to
  // the epmd wrapper shell would orphan epmd, so only the broker is killed here, to be quick.
  const onExit = () => {
    broker?.kill('SIGKILL');
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort: it is a temp directory.
    }
  };
  process.once('exit', onExit);

  async function start(): Promise<void> {
    if (broker && broker.exitCode === null && broker.signalCode === null) return;
    output = '';
    const child = spawn(rabbitmqScript('rabbitmq-server'), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    broker = child;
    const keep = (chunk: Buffer | string) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A script that cannot be run (not executable): said in the error below, not thrown later, uncaught.
    child.once('error', (err) => keep(String(err)));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${EXITED_WHILE_STARTING}: ${output.slice(-1500)}`);
      }
      if (await speaksAmqp(port)) {
        // The answer must be ours: a broker of an earlier test still dying on this port would answer while
        // ours fails to bind it (eaddrinuse) and exits, and every job would then wait for a dead broker.
        await new Promise((r) => setTimeout(r, 1000));
        if (child.exitCode === null && child.signalCode === null && (await speaksAmqp(port))) return;
        continue;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    child.kill('SIGKILL');
    throw new Error(
      `rabbitmq-server did not accept AMQP within ${START_TIMEOUT_MS} ms: ${output.slice(-1500)}`,
    );
  }

  async function stop(): Promise<void> {
    const child = broker;
    if (!child) return;
    broker = null;
    // SIGTERM makes the VM run init:stop, a clean broker shutdown that flushes the message store.
    child.kill('SIGTERM');
    if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
  }

  async function ctl(args: string[]): Promise<string> {
    // rabbitmqctl runs from the rabbitmq user's home: the broker's cookie is handed over explicitly.
    const cookie = (await readFile(join(home, '.erlang.cookie'), 'utf8')).trim();
    const child = spawn(rabbitmqScript('rabbitmqctl'), ['--erlang-cookie', cookie, '-n', node, ...args], {
      env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    if (code !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} exited ${code}: ${text.slice(-1500)}`);
    return text;
  }

  const server: RabbitServer = {
    host: '127.0.0.1',
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    stop,
    start,
    ctl,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await stop();
      // Closing its stdin lets the wrapper kill epmd itself; a signal to the shell would orphan epmd.
      epmd.stdin?.end();
      if (!(await waitExit(epmd, 5000))) epmd.kill('SIGKILL');
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return server;
}
