/**
 * Driving real worker processes against a real broker, for tests and the benchmark: spawn `networkml worker`
 * processes and collect what they publish, surviving broker restarts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Channel, type ChannelModel, type ConsumeMessage, connect } from 'amqplib';
import type { RabbitSettings } from '../service/config.js';
import { amqpUrl, RABBIT_DEFAULTS } from '../service/config.js';
import { POSEIDON_EXCHANGE_OPTIONS } from '../service/topology.js';

// Test scaffolding runs from sources only (test-helpers are not built).
const WORKER_MAIN = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

export interface LogLine {
  msg?: string;
  job?: { id: string | null; file_path: string | null };
  redelivered?: boolean;
  outcome?: string;
  [key: string]: unknown;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Parsed pino lines from its stderr, in order. */
  logs: LogLine[];
  /** Non-JSON stderr text (one-line errors), for failure messages. */
  text: string[];
  /** Resolves with the first log line that satisfies `predicate` (also one already seen). */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
}

export function spawnWorker(args: string[], env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        text.push(raw);
        continue;
      }
      logs.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i]!;
        if (waiter.predicate(line)) {
          waiters.splice(i, 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return {
    child,
    logs,
    text,
    exited,
    waitForLog(predicate, timeoutMs) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching worker log within ${timeoutMs} ms; stderr: ${text.join(' | ')}`));
        }, timeoutMs);
        waiters.push(waiter);
        void exited.then((code) => {
          if (waiters.includes(waiter)) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(waiter), 1);
            reject(new Error(`worker exited (${code}) first; stderr: ${text.join(' | ')}`));
          }
        });
      });
    },
  };
}

/** Worker flags for a broker on loopback. */
/** Broker settings of their own for one test (its queue and routing key named after it) on a test broker. */
export function settingsNamed(broker: { host: string; port: number }, name: string): RabbitSettings {
  return {
    ...RABBIT_DEFAULTS,
    host: broker.host,
    port: broker.port,
    queue: `jobs.${name}`,
    routingKey: `poseidon.algos.decider.${name}`,
  };
}

/** A started collector of the results published under `settings`, kept in `collectors` to be closed after. */
export async function startCollector(
  settings: RabbitSettings,
  name: string,
  collectors: ResultCollector[],
): Promise<ResultCollector> {
  const c = new ResultCollector(settings, `results.${name}`);
  await c.start();
  collectors.push(c);
  return c;
}

export function workerArgs(settings: RabbitSettings, captureRoot: string, extra: string[] = []): string[] {
  return [
    '--rabbit-host',
    settings.host,
    '--rabbit-port',
    String(settings.port),
    '--rabbit-exchange',
    settings.exchange,
    '--rabbit-routing-key',
    settings.routingKey,
    '--rabbit-queue',
    settings.queue,
    '--capture-root',
    captureRoot,
    ...extra,
  ];
}

export async function stopWorker(worker: WorkerProcess, timeoutMs = 20_000): Promise<number | string> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs);
  try {
    return await worker.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Collects messages routed to `routingKey` on the result exchange into a durable queue of its own, so nothing
 * published while it reconnects (broker restart) is lost.
 */
export class ResultCollector {
  readonly messages: unknown[] = [];
  private model: ChannelModel | null = null;
  private closing = false;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly settings: RabbitSettings,
    private readonly queue: string,
  ) {}

  async start(): Promise<void> {
    const model = await connect(amqpUrl(this.settings));
    model.on('error', () => {});
    const channel: Channel = await model.createChannel();
    channel.on('error', () => {});
    await channel.assertExchange(this.settings.exchange, 'topic', POSEIDON_EXCHANGE_OPTIONS);
    await channel.assertQueue(this.queue, { durable: true });
    await channel.bindQueue(this.queue, this.settings.exchange, this.settings.routingKey);
    await channel.consume(this.queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      this.messages.push(JSON.parse(message.content.toString('utf8')));
      channel.ack(message);
      for (const listener of this.listeners) listener();
    });
    this.model = model;
    model.once('close', () => {
      this.model = null;
      if (!this.closing) void this.reconnect();
    });
  }

  private async reconnect(): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (!this.closing && Date.now() < deadline) {
      try {
        await this.start();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Resolves once `predicate(messages)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (messages: unknown[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (!predicate(this.messages)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.messages.length} messages)`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.model?.close().catch(() => {});
  }
}

/**
 * Writes a classic pcap made of `times` copies of `source`'s records, each copy shifted in time past the
 * previous one: a real capture that takes long enough to evaluate that a job is reliably "in hand".
 */
export async function writeRepeatedCapture(source: string, target: string, times: number): Promise<void> {
  const input = await readFile(source);
  const magic = input.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4) throw new Error(`${source}: expected a little-endian microsecond pcap`);
  let first = -1;
  let last = 0;
  for (let offset = 24; offset + 16 <= input.length; ) {
    const seconds = input.readUInt32LE(offset);
    if (first < 0) first = seconds;
    last = seconds;
    offset += 16 + input.readUInt32LE(offset + 8);
  }
  const span = last - first + 60;
  const body = input.subarray(24);
  const out = await open(target, 'w');
  try {
    await out.write(input.subarray(0, 24));
    for (let copy = 0; copy < times; copy++) {
      const shifted = Buffer.from(body);
      for (let offset = 0; offset + 16 <= shifted.length; ) {
        shifted.writeUInt32LE(shifted.readUInt32LE(offset) + copy * span, offset);
        offset += 16 + shifted.readUInt32LE(offset + 8);
      }
      await out.write(shifted);
    }
  } finally {
    await out.close();
  }
}
