/**
 * Enqueues capture jobs `{"id", "file_path"}`, persistent and confirmed by the broker, so a job that was
 * reported as submitted is on disk at the broker.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { amqpUrl, describeBroker, RABBIT_DEFAULTS, type RabbitSettings } from './config.js';
import type { Job } from './job.js';
import { assertJobQueue } from './topology.js';

export interface SubmitOptions {
  rabbit?: Partial<RabbitSettings>;
  /** Called once per job after the broker confirmed it. */
  onSubmitted?: (job: Job) => void;
  /** Ids to use instead of random UUIDs (same length as the paths). */
  ids?: string[];
  /** Raw bodies to publish as they are, for tests of malformed jobs. */
  raw?: boolean;
}

/** Jobs in flight before waiting for confirms: bounds memory while keeping the pipe full. */
const WINDOW = 500;

export async function submitJobs(filePaths: string[], options: SubmitOptions = {}): Promise<Job[]> {
  const rabbit: RabbitSettings = { ...RABBIT_DEFAULTS, ...options.rabbit };
  let model: Awaited<ReturnType<typeof connect>>;
  try {
    model = await connect(amqpUrl(rabbit), { timeout: 10_000 });
  } catch (err) {
    throw new NetworkmlError(
      `cannot reach RabbitMQ at ${describeBroker(rabbit)}: ${errorMessage(err)}`,
      ExitCode.SERVICE,
    );
  }
  model.on('error', () => {});
  try {
    await assertJobQueue(model, rabbit);
    const channel = await model.createConfirmChannel();
    const jobs: Job[] = [];
    for (let start = 0; start < filePaths.length; start += WINDOW) {
      const batch: Job[] = filePaths.slice(start, start + WINDOW).map((file_path, index) => ({
        id: options.ids?.[start + index] ?? randomUUID(),
        file_path,
      }));
      for (const job of batch) {
        const body = options.raw ? Buffer.from(job.file_path) : Buffer.from(JSON.stringify(job));
        channel.sendToQueue(rabbit.queue, body, {
          persistent: true,
          contentType: 'application/json',
          messageId: job.id,
        });
      }
      await channel.waitForConfirms();
      for (const job of batch) options.onSubmitted?.(job);
      jobs.push(...batch);
    }
    return jobs;
  } catch (err) {
    if (err instanceof NetworkmlError) throw err;
    throw new NetworkmlError(
      `submitting to ${describeBroker(rabbit)} failed: ${errorMessage(err)}`,
      ExitCode.SERVICE,
    );
  } finally {
    await model.close().catch(() => {});
  }
}
