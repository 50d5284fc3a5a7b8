/**
 * The broker objects workers and submitters rely on, declared idempotently by both so either may start first.
 */
import type { ChannelModel } from 'amqplib';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import { retryQueueName } from './capture-retry.js';
import { deadLetterNames, type RabbitSettings } from './config.js';

/** Deliveries of one job before the broker dead-letters it (a job that kills every worker that takes it). */
export const DEFAULT_DELIVERY_LIMIT = 5;

/**
 * Whether a queue exists, and if so whether it has these arguments, on a probe channel of its own: a failed
 * check closes it with 404 (the expected "absent"), and declaring an existing queue again succeeds exactly when
 * the arguments match (406 PRECONDITION_FAILED otherwise; any other refusal, say 405 for an exclusive queue, is
 * a queue this worker did not make either). Only a warning hangs on 'other'.
 */
async function existingQueue(
  model: ChannelModel,
  queue: string,
  options: { durable: boolean; arguments: Record<string, unknown> },
): Promise<'absent' | 'same' | 'other'> {
  const probe = await model.createChannel();
  probe.on('error', () => {});
  try {
    await probe.checkQueue(queue);
  } catch {
    return 'absent';
  }
  try {
    await probe.assertQueue(queue, options);
  } catch {
    return 'other';
  }
  await probe.close().catch(() => {});
  return 'same';
}

/**
 * The job queue and its dead-letter queue. Rejected jobs go to `<queue>.dlx` → `<queue>.dead` instead of
 * vanishing, so a poison job is kept for inspection and never redelivered. The job queue is a quorum queue
 * with a delivery limit, so even a job that crashes every worker taking it (never acked, never rejected)
 * ends in the dead-letter queue after `deliveryLimit` + 1 deliveries. An existing job queue is used as it is,
 * so workers and submitters with other settings do not fight over its arguments; the answer says whether it
 * has the arguments this one would give it ('other': a queue someone declared otherwise — without the
 * dead-letter exchange a rejected job is dropped, without a delivery limit a job that kills its worker comes
 * back forever — or another delivery limit), for the worker to warn.
 */
export async function assertJobQueue(
  model: ChannelModel,
  settings: RabbitSettings,
  deliveryLimit = DEFAULT_DELIVERY_LIMIT,
): Promise<'declared' | 'same' | 'other'> {
  const dead = deadLetterNames(settings.queue);
  const channel = await model.createChannel();
  channel.on('error', () => {});
  const options = {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': dead.exchange,
      'x-dead-letter-routing-key': dead.queue,
    },
  };
  try {
    await channel.assertExchange(dead.exchange, 'direct', { durable: true });
    await channel.assertQueue(dead.queue, { durable: true });
    await channel.bindQueue(dead.queue, dead.exchange, dead.queue);
    const existing = await existingQueue(model, settings.queue, options);
    if (existing !== 'absent') return existing;
    await channel.assertQueue(settings.queue, options);
    return 'declared';
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
 * The retry queues of jobs whose capture could not be read yet (capture-retry.ts), one per pause: a durable
 * queue whose messages expire after the pause into the job queue (dead-lettered through the default
 * exchange, routed by the job queue's name). Classic queues: per-queue message TTL on every RabbitMQ version
 * the job queue's quorum type needs. Declaring one that exists with the same arguments is a no-op; one
 * declared otherwise is a configuration problem retrying cannot fix (exit 4), as for the job queue.
 */
export async function assertRetryQueues(
  model: ChannelModel,
  settings: RabbitSettings,
  delaysMs: readonly number[],
): Promise<void> {
  if (delaysMs.length === 0) return;
  const channel = await model.createChannel();
  channel.on('error', () => {});
  let queue = '';
  try {
    for (const delayMs of new Set(delaysMs)) {
      queue = retryQueueName(settings.queue, delayMs);
      await channel.assertQueue(queue, {
        durable: true,
        arguments: {
          'x-message-ttl': delayMs,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': settings.queue,
        },
      });
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 403 && code !== 406) throw err;
    throw new NetworkmlError(`cannot declare retry queue '${queue}': ${errorMessage(err)}`, ExitCode.SERVICE);
  } finally {
    await channel.close().catch(() => {});
  }
}

/**
 * The result exchange exactly as Poseidon's `rabbit.py` declares it (v0.10 and HEAD:
 * `exchange_declare(exchange=…, exchange_type='topic')`, i.e. a non-durable, non-auto-delete topic exchange),
 * so whoever starts first, Poseidon's re-declaration matches ours instead of failing with 406
 * PRECONDITION_FAILED. An exchange that already exists is used as it is (checked passively first), so a
 * site that declared it otherwise keeps working with us too.
 */
export const POSEIDON_EXCHANGE_OPTIONS = { durable: false, autoDelete: false, internal: false } as const;

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
  channel.on('error', () => {});
  try {
    await channel.assertExchange(settings.exchange, 'topic', POSEIDON_EXCHANGE_OPTIONS);
  } catch (err) {
    // Poseidon declared it between our check and our declaration: the same arguments, so this only fails
    // when someone declared it otherwise, which the check above then sees on the next attempt.
    const code = (err as { code?: unknown }).code;
    if (code !== 406) throw err;
  } finally {
    await channel.close().catch(() => {});
  }
}

/** The broker's answer to a login it refuses (wrong user or password): amqplib reports it only in text. */
export function isAccessRefused(err: unknown): boolean {
  return /\b403 \(ACCESS-REFUSED\)/.test(errorMessage(err));
}

export function accessRefused(broker: string, err: unknown): NetworkmlError {
  return new NetworkmlError(
    `RabbitMQ at ${broker} refused the login (check RABBIT_USER, RABBIT_PASSWORD): ${errorMessage(err)}`,
    ExitCode.SERVICE,
  );
}

/**
 * The broker's answer to connection.open naming a virtual host that does not exist or that the user may not
 * use: it closes the connection, and amqplib keeps neither the code nor the text, only this message.
 */
export function isVhostRefused(err: unknown): boolean {
  return /^Expected ConnectionOpenOk; got <ConnectionClose\b/.test(errorMessage(err));
}

export function vhostRefused(broker: string, vhost: string): NetworkmlError {
  return new NetworkmlError(
    `RabbitMQ at ${broker} refused to open virtual host '${vhost}' (it does not exist, or RABBIT_USER may not use it; check RABBIT_VHOST)`,
    ExitCode.SERVICE,
  );
}

/**
 * A connection refusal that retrying cannot cure (wrong login, a virtual host that is not there) as the one
 * line to stop with (exit 4), or null for anything else (broker down, a timeout: worth retrying).
 */
export function connectionRefusal(broker: string, vhost: string, err: unknown): NetworkmlError | null {
  if (isAccessRefused(err)) return accessRefused(broker, err);
  if (isVhostRefused(err)) return vhostRefused(broker, vhost);
  return null;
}
