/**
 * Enqueues capture jobs `{"id", "file_path"}`, persistent and confirmed by the broker, so a job that was
 * reported as submitted is on disk at the broker.
 */
import { randomUUID } from 'node:crypto';
import { type ConfirmChannel, connect } from 'amqplib';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { amqpUrl, describeBroker, RABBIT_DEFAULTS, type RabbitSettings } from './config.js';
import { closeConnection, confirmDeadline, DEFAULT_CONFIRM_TIMEOUT_MS } from './confirm-deadline.js';
import type { Job } from './job.js';
import { amqpMessageId } from './messages.js';
import { assertJobQueue, connectionRefusal } from './topology.js';

export interface SubmitOptions {
  rabbit?: Partial<RabbitSettings>;
  /** Called once per job as soon as the broker confirmed it. */
  onSubmitted?: (job: Job) => void;
  /** Ids to use instead of random UUIDs (same length as the paths). */
  ids?: string[];
  /** Raw bodies to publish as they are, for tests of malformed jobs. */
  raw?: boolean;
  /** How long the broker has to confirm each window of jobs (default 60 s; see confirm-deadline.ts). */
  confirmTimeoutMs?: number;
  /**
   * Aborting stops publishing: the jobs already sent are waited for (and reported through `onSubmitted`),
   * the rest are not sent, and the confirmed ones are returned.
   */
  signal?: AbortSignal;
}

/** Jobs in flight before waiting for confirms: bounds memory while keeping the pipe full. */
const WINDOW = 500;

async function connectTo(rabbit: RabbitSettings): Promise<Awaited<ReturnType<typeof connect>>> {
  try {
    return await connect(amqpUrl(rabbit), { timeout: 10_000 });
  } catch (err) {
    const broker = describeBroker(rabbit);
    const refusal = connectionRefusal(broker, rabbit.vhost, err);
    if (refusal) throw refusal;
    throw new NetworkmlError(`cannot reach RabbitMQ at ${broker}: ${errorMessage(err)}`, ExitCode.SERVICE);
  }
}

/**
 * Publishes one window and waits for its confirms. Each job is reported as its own confirm arrives, so when
 * the broker fails mid-window the jobs it did confirm are still reported.
 */
async function publishWindow(
  channel: ConfirmChannel,
  queue: string,
  batch: Job[],
  options: SubmitOptions,
  confirmed: Job[],
): Promise<void> {
  for (const job of batch) {
    const body = options.raw ? Buffer.from(job.file_path) : Buffer.from(JSON.stringify(job));
    channel.sendToQueue(
      queue,
      body,
      { persistent: true, contentType: 'application/json', messageId: amqpMessageId(job.id) },
      (err) => {
        if (err) return;
        confirmed.push(job);
        options.onSubmitted?.(job);
      },
    );
  }
  await channel.waitForConfirms();
}

export async function submitJobs(filePaths: string[], options: SubmitOptions = {}): Promise<Job[]> {
  const rabbit: RabbitSettings = { ...RABBIT_DEFAULTS, ...options.rabbit };
  const model = await connectTo(rabbit);
  model.on('error', () => {});
  const confirmed: Job[] = [];
  const bounded = confirmDeadline(
    model,
    options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS,
    (seconds, why) =>
      new NetworkmlError(
        `the broker at ${describeBroker(rabbit)} did not confirm jobs within ${seconds} s${why}: ${confirmed.length} of ${filePaths.length} jobs were confirmed ` +
          '(those sent but unconfirmed may still be queued: check the queue before submitting them again)',
        ExitCode.SERVICE,
      ),
  );
  try {
    await bounded(assertJobQueue(model, rabbit));
    const channel = await model.createConfirmChannel();
    for (let start = 0; start < filePaths.length && !options.signal?.aborted; start += WINDOW) {
      const batch: Job[] = filePaths.slice(start, start + WINDOW).map((file_path, index) => ({
        id: options.ids?.[start + index] ?? randomUUID(),
        file_path,
      }));
      await bounded(publishWindow(channel, rabbit.queue, batch, options, confirmed));
    }
    return confirmed;
  } catch (err) {
    if (err instanceof NetworkmlError) throw err;
    throw new NetworkmlError(
      `submitting to ${describeBroker(rabbit)} failed after ${confirmed.length} of ${filePaths.length} jobs were confirmed: ${errorMessage(err)}`,
      ExitCode.SERVICE,
    );
  } finally {
    await closeConnection(model);
  }
}
