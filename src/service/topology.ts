/**
 * The broker objects workers and submitters rely on, declared idempotently by both so either may start first.
 */
import type { ChannelModel } from 'amqplib';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { deadLetterNames, type RabbitSettings } from './config.js';

/** Deliveries of one job before the broker dead-letters it (a job that kills every worker that takes it). */
export const DEFAULT_DELIVERY_LIMIT = 5;

async function queueExists(model: ChannelModel, queue: string): Promise<boolean> {
  const probe = await model.createChannel();
  // A failed check closes the probe channel with 404: the expected "absent" answer, not an error.
  probe.on('error', () => {});
  try {
    await probe.checkQueue(queue);
    await probe.close().catch(() => {});
    return true;
  } catch {
    return false;
  }
}

/**
 * The job queue and its dead-letter queue. Rejected jobs go to `<queue>.dlx` → `<queue>.dead` instead of
 * vanishing, so a poison job is kept for inspection and never redelivered. The job queue is a quorum queue
 * with a delivery limit, so even a job that crashes every worker taking it (never acked, never rejected)
 * ends in the dead-letter queue after `deliveryLimit` + 1 deliveries. An existing job queue is used as it is,
 * so workers and submitters with other settings do not fight over its arguments.
 */
export async function assertJobQueue(
  model: ChannelModel,
  settings: RabbitSettings,
  deliveryLimit = DEFAULT_DELIVERY_LIMIT,
): Promise<void> {
  const dead = deadLetterNames(settings.queue);
  const channel = await model.createChannel();
  channel.on('error', () => {});
  try {
    await channel.assertExchange(dead.exchange, 'direct', { durable: true });
    await channel.assertQueue(dead.queue, { durable: true });
    await channel.bindQueue(dead.queue, dead.exchange, dead.queue);
    if (await queueExists(model, settings.queue)) return;
    await channel.assertQueue(settings.queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': deliveryLimit,
        'x-dead-letter-exchange': dead.exchange,
        'x-dead-letter-routing-key': dead.queue,
      },
    });
  } catch (err) {
    // 403/406 (access refused, precondition failed) are configuration problems that retrying cannot fix;
    // anything else (the broker going away mid-declaration) is left to the caller's reconnect loop.
    const code = (err as { code?: unknown }).code;
    if (code !== 403 && code !== 406) throw err;
    throw new NetworkmlError(
      `cannot declare job queue '${settings.queue}' and its dead-letter queue: ${errorMessage(err)}`,
      ExitCode.SERVICE,
    );
  } finally {
    await channel.close().catch(() => {});
  }
}

/**
 * Uses the result exchange as it is when someone (Poseidon) already declared it, whatever its durability,
 * because re-declaring with other flags closes the channel; otherwise declares it durable, so that
 * bindings of durable result queues survive a broker restart.
 */
export async function assertResultExchange(model: ChannelModel, settings: RabbitSettings): Promise<void> {
  const probe = await model.createChannel();
  // A failed check closes the probe channel with 404; that is the expected "absent" answer, not an error.
  probe.on('error', () => {});
  let exists = true;
  try {
    await probe.checkExchange(settings.exchange);
  } catch {
    exists = false;
  }
  if (exists) {
    await probe.close().catch(() => {});
    return;
  }
  const channel = await model.createChannel();
  try {
    await channel.assertExchange(settings.exchange, 'topic', { durable: true });
  } finally {
    await channel.close().catch(() => {});
  }
}
