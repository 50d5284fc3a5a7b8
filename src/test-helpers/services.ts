/** The service tests' real servers, started together. */
import { type RabbitServer, startRabbit } from './rabbitmq.js';
import { type RedisServer, startRedis } from './redis.js';

/**
 * A private RabbitMQ and Redis. When one fails to start, the other is stopped before the error is thrown:
 * left running, its pipes would keep the test process alive after its tests had failed.
 */
export async function startRabbitAndRedis(): Promise<[RabbitServer, RedisServer]> {
  const [rabbit, redis] = await Promise.allSettled([startRabbit(), startRedis()]);
  if (rabbit.status === 'fulfilled' && redis.status === 'fulfilled') return [rabbit.value, redis.value];
  if (rabbit.status === 'fulfilled') await rabbit.value.dispose();
  if (redis.status === 'fulfilled') await redis.value.stop();
  throw rabbit.status === 'rejected' ? rabbit.reason : (redis as PromiseRejectedResult).reason;
}
