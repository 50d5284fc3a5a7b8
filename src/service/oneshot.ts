/**
 * One-shot Poseidon mode: evaluate one capture, publish its result, exit. Poseidon never ran NetworkML as a
 * service: its worker starts one container per capture with the job in the environment, and the container
 * publishes the result to RabbitMQ itself. Two releases, two contracts (../shared/poseidon, workers.json):
 * - 'v0.4.8' (Poseidon v0.10): `networkml -p FILE`, `RABBIT=True`, `REDIS=true`, `id`, `file_path`, … → the v0
 *   message pair (result, end of batch) with `id`/`file_path` from the environment; history in Redis when
 *   `REDIS` is true.
 * - 'v0.6.10' (Poseidon HEAD): `networkml --no-srcmacid -o/tmp FILE`, `RABBIT_*`, `RESULT_PATH` → one
 *   `mac_addresses` message (a device per host), also written to `RESULT_PATH` (the file NetworkML v0.6's
 *   rbqwrapper read and published).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ChannelModel, connect } from 'amqplib';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { DEFAULT_MODEL_PATH } from '../models/format.js';
import { HOST_FOOTPRINT_MODEL_NAME } from '../models/host-footprint.js';
import { evaluateCapture } from '../pipeline/evaluate.js';
import { hostFootprintPredict, type PredictJson } from '../pipeline/host-footprint.js';
import type { CaptureResult } from '../result.js';
import { VERSION } from '../version.js';
import { amqpUrl, describeBroker, envBool, type RabbitSettings, rabbitSettings } from './config.js';
import { redisHistory } from './history.js';
import { type JobIdentity, type ResultMessage, resultMessages } from './messages.js';
import { accessRefused, assertResultExchange, isAccessRefused } from './topology.js';

export type OneShotMode = 'v0.4.8' | 'v0.6.10';
export const ONE_SHOT_MODES: readonly OneShotMode[] = ['v0.4.8', 'v0.6.10'];

/** The model of Poseidon HEAD's mode: NetworkML v0.6.10 ran the v0.6.8 host-footprint model, one result per host. */
export const HEAD_MODE_MODEL = HOST_FOOTPRINT_MODEL_NAME;

/** HEAD mode's message: predict.json (`tool`, `data.mac_addresses`) plus the job it answers. */
export interface HostFootprintMessage {
  tool: 'networkml';
  id: string | null;
  file_path: string | null;
  valid: boolean;
  data: PredictJson['data'];
}

/** Default of RESULT_PATH, as in NetworkML v0.6's rbqwrapper: `result.json` in the working directory. */
export const DEFAULT_RESULT_PATH = 'result.json';

export interface PublishRetry {
  /** Connection attempts before giving up (exit 4). Default 5. */
  attempts?: number;
  /** Pause after the first failed attempt, doubled after each further one. Default 500 ms. */
  initialDelayMs?: number;
  /** Per attempt: TCP connect and AMQP handshake. Default 5 s. */
  connectTimeoutMs?: number;
}

export interface OneShotOptions {
  mode: OneShotMode;
  capture: string;
  /** Where the job and the broker settings come from (Poseidon passes both as environment). */
  env?: NodeJS.ProcessEnv;
  /** v0.4.8 mode: role model file (default: the bundled one-layer model). */
  modelPath?: string;
  /** v0.6.10 mode: `--srcmacid` (v0.6's default) or `--no-srcmacid`; both give one result per host here. */
  srcMacId?: boolean;
  retry?: PublishRetry;
}

export interface OneShotOutcome {
  messages: (ResultMessage | HostFootprintMessage)[];
  /** Where the messages went, or null when the environment asks for no broker. */
  broker: string | null;
  /** v0.6.10 mode: the file the result was written to. */
  resultPath: string | null;
  /** The model the result came from (a path, or HEAD_MODE_MODEL's name). */
  model: string;
}

function pick(env: NodeJS.ProcessEnv, name: string): string | null {
  const value = env[name];
  return value === undefined || value === '' ? null : value;
}

/** NetworkML v0.4.8: history in Redis only when REDIS is true, at REDIS_HOST or else host `redis`. */
export function v048RedisUrl(env: NodeJS.ProcessEnv): string | null {
  if (!envBool(env.REDIS)) return null;
  const host = pick(env, 'REDIS_HOST') ?? 'redis';
  return host.includes('://') ? host : `redis://${host}:6379`;
}

async function connectWithRetries(settings: RabbitSettings, retry: PublishRetry): Promise<ChannelModel> {
  const attempts = retry.attempts ?? 5;
  let delay = retry.initialDelayMs ?? 500;
  let last: unknown = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await connect(amqpUrl(settings), { timeout: retry.connectTimeoutMs ?? 5000 });
    } catch (err) {
      if (isAccessRefused(err)) throw accessRefused(describeBroker(settings), err);
      last = err;
      if (attempt < attempts) {
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
  throw new NetworkmlError(
    `cannot reach the broker at ${describeBroker(settings)} after ${attempts} attempts: ${errorMessage(last)}`,
    ExitCode.SERVICE,
  );
}

/** Publishes persistent messages with publisher confirms; throws a one-line service error (exit 4). */
export async function publishResults(
  settings: RabbitSettings,
  messages: readonly (ResultMessage | HostFootprintMessage)[],
  messageId: string | null,
  retry: PublishRetry = {},
): Promise<void> {
  const model = await connectWithRetries(settings, retry);
  model.on('error', () => {});
  try {
    await assertResultExchange(model, settings);
    const channel = await model.createConfirmChannel();
    channel.on('error', () => {});
    for (const message of messages) {
      channel.publish(settings.exchange, settings.routingKey, Buffer.from(JSON.stringify(message)), {
        persistent: true,
        contentType: 'application/json',
        ...(messageId === null ? {} : { messageId }),
      });
    }
    await channel.waitForConfirms();
    await channel.close().catch(() => {});
  } catch (err) {
    if (err instanceof NetworkmlError) throw err;
    throw new NetworkmlError(
      `cannot publish the result to ${describeBroker(settings)} exchange '${settings.exchange}': ${errorMessage(err)}`,
      ExitCode.SERVICE,
    );
  } finally {
    await model.close().catch(() => {});
  }
}

export async function runOneShot(options: OneShotOptions): Promise<OneShotOutcome> {
  const env = options.env ?? process.env;
  const job: JobIdentity = { id: pick(env, 'id'), file_path: pick(env, 'file_path') ?? options.capture };
  const settings = rabbitSettings(env);
  if (options.mode === 'v0.4.8') {
    const url = v048RedisUrl(env);
    const history = url ? redisHistory(url) : null;
    let result: CaptureResult;
    try {
      result = await evaluateCapture(options.capture, {
        // Poseidon v0.10 sets POSEIDON_PUBLIC_SESSIONS=1: the original then counted public addresses too.
        capture: { publicSessions: pick(env, 'POSEIDON_PUBLIC_SESSIONS') !== null },
        ...(options.modelPath ? { modelPath: options.modelPath } : {}),
        ...(history ? { history } : {}),
      });
    } finally {
      await history?.close();
    }
    const messages = resultMessages('v0', job, result, VERSION);
    const publish = envBool(env.RABBIT);
    if (publish) await publishResults(settings, messages, job.id, options.retry);
    return {
      messages,
      broker: publish ? describeBroker(settings) : null,
      resultPath: null,
      model: options.modelPath ?? DEFAULT_MODEL_PATH,
    };
  }
  // NetworkML v0.6.10 ran the v0.6.8 host-footprint model: one prediction per host, predict.json's fields
  // (uid = env id, file_path = env file_path, pcap = its basename), plus our job fields at the top level.
  const predict = await hostFootprintPredict(options.capture, {
    selection: options.srcMacId === false ? 'no-srcmacid' : 'srcmacid',
    ...(job.id !== null ? { uid: job.id } : {}),
    ...(job.file_path !== null ? { filePath: job.file_path } : {}),
  });
  const message: HostFootprintMessage = {
    tool: predict.tool,
    id: job.id,
    file_path: job.file_path,
    valid: Object.keys(predict.data.mac_addresses).length > 0,
    data: predict.data,
  };
  const resultPath = resolve(pick(env, 'RESULT_PATH') ?? DEFAULT_RESULT_PATH);
  try {
    await writeFile(resultPath, `${JSON.stringify(message)}\n`);
  } catch (err) {
    throw new NetworkmlError(`cannot write RESULT_PATH ${resultPath}: ${errorMessage(err)}`);
  }
  // v0.6's rbqwrapper published to RABBIT_HOST (default messenger) whenever it ran; here a plain run with
  // no broker in the environment just writes the file.
  const publish = pick(env, 'RABBIT_HOST') !== null || envBool(env.RABBIT);
  if (publish) await publishResults(settings, [message], job.id, options.retry);
  return {
    messages: [message],
    broker: publish ? describeBroker(settings) : null,
    resultPath,
    model: HEAD_MODE_MODEL,
  };
}
