/**
 * The broker objects workers and submitters rely on, declared idempotently by both so either may start first.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { deadLetterNames, type RabbitSettings } from './config.js';

/**
 * A job queue whose rejected messages go to `<queue>.dlx` → `<queue>.dead` instead of vanishing, so a poison
 * job is kept for inspection and never redelivered to a worker.
 */
export async function assertJobQueue(channel: Channel, settings: RabbitSettings): Promise<void> {
  const dead = deadLetterNames(settings.queue);
  await channel.assertExchange(dead.exchange, 'direct', { durable: true });
  await channel.assertQueue(dead.queue, { durable: true });
  await channel.bindQueue(dead.queue, dead.exchange, dead.queue);
  try {
    await channel.assertQueue(settings.queue, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': dead.exchange, 'x-dead-letter-routing-key': dead.queue },
    });
  } catch (err) {
    throw new NetworkmlError(
      `cannot declare job queue '${settings.queue}' (${errorMessage(err)}); if it already exists with other ` +
        'arguments, delete it or choose another RABBIT_QUEUE_NAME',
      ExitCode.SERVICE,
    );
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
