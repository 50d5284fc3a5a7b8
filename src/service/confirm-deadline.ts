/**
 * A bounded wait for a broker's publisher confirms. A broker in a memory or disk alarm takes connections but
 * blocks every publisher until the alarm clears, which may be never: a command that publishes must then stop
 * and say why, not wait forever.
 */
import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';

export const DEFAULT_CONFIRM_TIMEOUT_MS = 60_000;

/** The reason the broker gave for blocking this connection's publishers, while it does; null otherwise. */
export function blockedReason(model: ChannelModel): () => string | null {
  let reason: string | null = null;
  model.on('blocked', (why: unknown) => {
    reason = String(why);
  });
  model.on('unblocked', () => {
    reason = null;
  });
  return () => reason;
}

/** ` (it blocks publishers: …)` when the broker said so, else ''. For the end of a timeout message. */
export function blockedNote(reason: string | null): string {
  return reason === null ? '' : ` (it blocks publishers: ${reason})`;
}

/** `work`'s outcome, or `timedOut()`'s error when `limitMs` pass first. */
export async function within<T>(work: Promise<T>, limitMs: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), limitMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes the connection and its socket: amqplib only half-closes the socket, and a blocked broker never closes
 * its side, so the open socket would keep the process alive after the error.
 */
export async function closeConnection(model: ChannelModel): Promise<void> {
  await model.close().catch(() => {});
  (model.connection as unknown as { stream?: Socket }).stream?.destroy();
}
