/**
 * A bounded wait for a broker's publisher confirms. A broker in a memory or disk alarm takes connections but
 * blocks every publisher until the alarm clears, which may be never: a command that publishes must then stop
 * and say why, not wait forever.
 */
import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';

export const DEFAULT_CONFIRM_TIMEOUT_MS = 60_000;

/**
 * Bounds each wait given to it by `limitMs`: past that, the error is `message(seconds, why)`, `why` being
 * ` (it blocks publishers: low on memory)` when the broker said so, else ''.
 */
export function confirmDeadline(
  model: ChannelModel,
  limitMs: number,
  message: (seconds: number, why: string) => Error,
): <T>(work: Promise<T>) => Promise<T> {
  let blocked: string | null = null;
  model.on('blocked', (reason: unknown) => {
    blocked = String(reason);
  });
  model.on('unblocked', () => {
    blocked = null;
  });
  return async (work) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(message(limitMs / 1000, blocked === null ? '' : ` (it blocks publishers: ${blocked})`));
      }, limitMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Closes the connection and its socket: amqplib only half-closes the socket, and a blocked broker never closes
 * its side, so the open socket would keep the process alive after the error.
 */
export async function closeConnection(model: ChannelModel): Promise<void> {
  await model.close().catch(() => {});
  (model.connection as unknown as { stream?: Socket }).stream?.destroy();
}
