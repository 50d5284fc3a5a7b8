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
import { CaptureError, cannotWrite, ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { DEFAULT_MODEL_PATH } from '../models/format.js';
import { HOST_FOOTPRINT_MODEL_NAME } from '../models/host-footprint.js';
import { evaluateCaptureKeepingResult } from '../pipeline/evaluate.js';
import { hostFootprintPredict, type PredictJson } from '../pipeline/host-footprint.js';
import type { CaptureErrorDetail } from '../result.js';
import { VERSION } from '../version.js';
import { amqpUrl, describeBroker, envBool, type RabbitSettings, rabbitSettings } from './config.js';
import { closeConnection, confirmDeadline, DEFAULT_CONFIRM_TIMEOUT_MS } from './confirm-deadline.js';
import { redisHistory } from './history.js';
import {
  amqpMessageId,
  errorMessages,
  type JobIdentity,
  type ResultMessage,
  resultMessages,
} from './messages.js';
import { assertResultExchange, connectionRefusal } from './topology.js';

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
  /** The capture is corrupt at a record: these hosts are of the packets before it (as the v0 pair marks it). */
  capture_error?: CaptureErrorDetail;
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
  /** Once connected: declaring the exchange, publishing and the broker's confirms. Default 60 s. */
  publishTimeoutMs?: number;
}

export interface OneShotOptions {
  mode: OneShotMode;
  capture: string;
  /** Where the job and the broker settings come from (Poseidon passes both as environment). */
  env?: NodeJS.ProcessEnv;
  /** v0.4.8 mode: role model file (default: the bundled one-layer model). */
  modelPath?: string;
  /** v0.6.10 mode: `--srcmacid` (v0.6's default: the capture's device only) or `--no-srcmacid` (every host). */
  srcMacId?: boolean;
  retry?: PublishRetry;
}

/** What one run publishes: the v0 pair, or one HEAD-mode message (an error result: the worker's shape). */
export type OneShotMessage = ResultMessage | HostFootprintMessage;

export interface OneShotOutcome {
  messages: OneShotMessage[];
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
      const refusal = connectionRefusal(describeBroker(settings), settings.vhost, err);
      if (refusal) throw refusal;
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

/** Sends the messages persistent on a confirm channel and waits until the broker has confirmed them. */
async function sendConfirmed(
  model: ChannelModel,
  settings: RabbitSettings,
  messages: readonly OneShotMessage[],
  messageId: string | null,
): Promise<void> {
  await assertResultExchange(model, settings);
  const channel = await model.createConfirmChannel();
  channel.on('error', () => {});
  // Mandatory: a result no queue receives (nothing bound yet, or a broker restart dropped Poseidon's
  // binding) comes back instead of being confirmed and dropped, as the worker's does. The broker returns
  // such a message before it confirms it.
  let returned = 0;
  channel.on('return', () => {
    returned++;
  });
  for (const message of messages) {
    channel.publish(settings.exchange, settings.routingKey, Buffer.from(JSON.stringify(message)), {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      ...(messageId === null ? {} : { messageId }),
    });
  }
  await channel.waitForConfirms();
  await channel.close().catch(() => {});
  if (returned > 0)
    throw new NetworkmlError(
      `the broker at ${describeBroker(settings)} took the result but no queue is bound to exchange ` +
        `'${settings.exchange}' with routing key '${settings.routingKey}': nothing received it`,
      ExitCode.SERVICE,
    );
}

/**
 * Publishes persistent messages with publisher confirms; throws a one-line service error (exit 4). A broker
 * that takes the connection but never confirms (one in a memory or disk alarm blocks every publisher until
 * the alarm clears, which may be never) is given `publishTimeoutMs`: a container that waits forever is
 * worse than one that says why it stopped, with the result already on its standard output.
 */
export async function publishResults(
  settings: RabbitSettings,
  messages: readonly OneShotMessage[],
  messageId: string | null,
  retry: PublishRetry = {},
): Promise<void> {
  const model = await connectWithRetries(settings, retry);
  model.on('error', () => {});
  const bounded = confirmDeadline(
    model,
    retry.publishTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS,
    (seconds, why) =>
      new NetworkmlError(
        `the broker at ${describeBroker(settings)} did not confirm the result within ${seconds} s${why}`,
        ExitCode.SERVICE,
      ),
  );
  try {
    await bounded(sendConfirmed(model, settings, messages, messageId));
  } catch (err) {
    if (err instanceof NetworkmlError) throw err;
    throw new NetworkmlError(
      `cannot publish the result to ${describeBroker(settings)} exchange '${settings.exchange}': ${errorMessage(err)}`,
      ExitCode.SERVICE,
    );
  } finally {
    await closeConnection(model);
  }
}

/** What one run produced before anything left the process. */
interface Produced {
  messages: OneShotMessage[];
  model: string;
  /** A device history that failed: the result is still published, without what the history adds. */
  historyFailure: NetworkmlError | null;
  /** A capture corrupt part-way: its result (of the packets before the record) is published, then this fails the run. */
  captureFailure?: NetworkmlError;
  /** The reader's warnings about the capture (a truncated tail, skipped link types). */
  warnings: readonly string[];
}

/**
 * v0.4.8 mode: the v0 pair. A Redis that fails costs the device history, not the result: the original
 * caught every Redis error and published anyway, and Poseidon hears nothing from a container that exits
 * without publishing.
 */
async function v048Result(
  options: OneShotOptions,
  env: NodeJS.ProcessEnv,
  job: JobIdentity,
): Promise<Produced> {
  const evaluateOptions = {
    // Poseidon v0.10 sets POSEIDON_PUBLIC_SESSIONS=1: the original then counted public addresses too.
    capture: {
      publicSessions: pick(env, 'POSEIDON_PUBLIC_SESSIONS') !== null,
      // A capture corrupt part-way: the result of the packets before the corrupt record, marked
      // (`capture_error`), then the run fails with its error (exit 1), as eval does.
      partialOnCorrupt: true,
    },
    ...(options.modelPath ? { modelPath: options.modelPath } : {}),
  };
  const url = v048RedisUrl(env);
  // Opened on first use (after the evaluation), closed whatever happens.
  const history = url ? redisHistory(url) : null;
  const { result, historyError } = await evaluateCaptureKeepingResult(
    options.capture,
    evaluateOptions,
    history,
  ).finally(() => history?.close().catch(() => {}));
  return {
    // Marked as the worker marks it: a result the configured history was not applied to.
    messages: resultMessages('v0', job, result, VERSION, historyError ? { history: false } : {}),
    model: options.modelPath ?? DEFAULT_MODEL_PATH,
    historyFailure:
      historyError &&
      new NetworkmlError(
        `${errorMessage(historyError)} (the result is given without device history)`,
        historyError.exitCode,
      ),
    warnings: result.warnings ?? [],
    ...(result.capture_error ? { captureFailure: new CaptureError(result.capture_error.message) } : {}),
  };
}

/**
 * v0.6.10 mode: NetworkML v0.6.10 ran the v0.6.8 host-footprint model: one prediction per host,
 * predict.json's fields (uid = env id, file_path = env file_path, pcap = its basename), plus our job fields
 * at the top level.
 */
async function headResult(options: OneShotOptions, job: JobIdentity): Promise<Produced> {
  const predict = await hostFootprintPredict(options.capture, {
    selection: options.srcMacId === false ? 'no-srcmacid' : 'srcmacid',
    // A capture corrupt part-way: the hosts of the packets before the corrupt record, marked
    // (`capture_error`), then the run fails with its error (exit 1), as in v0.4.8 mode.
    partialOnCorrupt: true,
    ...(job.id !== null ? { uid: job.id } : {}),
    ...(job.file_path !== null ? { filePath: job.file_path } : {}),
  });
  const message: HostFootprintMessage = {
    tool: predict.tool,
    id: job.id,
    file_path: job.file_path,
    valid: Object.keys(predict.data.mac_addresses).length > 0,
    data: predict.data,
    ...(predict.capture_error ? { capture_error: predict.capture_error } : {}),
  };
  return {
    messages: [message],
    model: HEAD_MODE_MODEL,
    historyFailure: null,
    warnings: predict.warnings,
    ...(predict.capture_error ? { captureFailure: new CaptureError(predict.capture_error.message) } : {}),
  };
}

/**
 * Whether the environment asks for a broker. v0.4.8: `RABBIT` true, as the original. v0.6's rbqwrapper
 * published to RABBIT_HOST (default messenger) whenever it ran; here a plain run with no broker in the
 * environment just writes the file.
 */
function wantsBroker(mode: OneShotMode, env: NodeJS.ProcessEnv): boolean {
  return envBool(env.RABBIT) || (mode === 'v0.6.10' && pick(env, 'RABBIT_HOST') !== null);
}

async function writeResultFile(path: string, message: OneShotMessage): Promise<NetworkmlError | null> {
  try {
    await writeFile(path, `${JSON.stringify(message)}\n`);
    return null;
  } catch (err) {
    return cannotWrite(`RESULT_PATH ${path}`, err);
  }
}

/** One error for several failures of one run: the first one's exit code, every cause on one line. */
function joined(failures: readonly NetworkmlError[]): NetworkmlError | null {
  if (failures.length === 0) return null;
  return new NetworkmlError(failures.map((f) => errorMessage(f)).join('; '), failures[0]!.exitCode);
}

/**
 * Evaluates, then writes RESULT_PATH (HEAD mode), hands the message(s) to `show` and publishes, in that
 * order, so a later step that fails never costs what an earlier one kept. A capture that cannot be
 * evaluated gets the worker's error result (valid false, `error`), so Poseidon still hears of its job;
 * the run then fails with the capture's error (exit 1, 3, …). Every failure is thrown after publishing.
 */
export async function runOneShot(
  options: OneShotOptions,
  show: (messages: readonly OneShotMessage[], warnings: readonly string[]) => void = () => {},
): Promise<OneShotOutcome> {
  const env = options.env ?? process.env;
  const job: JobIdentity = { id: pick(env, 'id'), file_path: pick(env, 'file_path') ?? options.capture };
  const head = options.mode === 'v0.6.10';
  // A bad RABBIT_PORT is refused before any work, not after the evaluation.
  const settings = rabbitSettings(env);
  let produced: Produced;
  let evaluationFailure: unknown = null;
  try {
    produced = head ? await headResult(options, job) : await v048Result(options, env, job);
  } catch (err) {
    evaluationFailure = err;
    produced = {
      messages: errorMessages(head ? 'poseidon' : 'v0', job, errorMessage(err), VERSION),
      model: head ? HEAD_MODE_MODEL : (options.modelPath ?? DEFAULT_MODEL_PATH),
      historyFailure: null,
      warnings: [],
    };
  }
  const failures: NetworkmlError[] = [];
  if (produced.historyFailure) failures.push(produced.historyFailure);
  const resultPath = head ? resolve(pick(env, 'RESULT_PATH') ?? DEFAULT_RESULT_PATH) : null;
  if (resultPath) {
    const failure = await writeResultFile(resultPath, produced.messages[0]!);
    if (failure) failures.push(failure);
  }
  show(produced.messages, produced.warnings);
  const publish = wantsBroker(options.mode, env);
  if (publish) {
    try {
      await publishResults(settings, produced.messages, amqpMessageId(job.id), options.retry);
    } catch (err) {
      if (!(err instanceof NetworkmlError)) throw err;
      failures.unshift(err);
    }
  }
  if (produced.captureFailure) failures.unshift(produced.captureFailure);
  if (evaluationFailure !== null) {
    if (!(evaluationFailure instanceof NetworkmlError)) throw evaluationFailure;
    failures.unshift(evaluationFailure);
  }
  const failure = joined(failures);
  if (failure) throw failure;
  return {
    messages: produced.messages,
    broker: publish ? describeBroker(settings) : null,
    resultPath,
    model: produced.model,
  };
}
