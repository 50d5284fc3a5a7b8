/** Broker flags shared by `networkml worker` and `networkml submit`; each overrides its environment variable. */
import type { Command } from 'commander';
import { parsePort, type RabbitSettings, rabbitSettings } from './config.js';

export interface RabbitFlags {
  rabbitHost?: string;
  rabbitPort?: string;
  rabbitExchange?: string;
  rabbitRoutingKey?: string;
  rabbitQueue?: string;
}

/** Adds the broker flags shared by `worker` and `submit`; each overrides its environment variable. */
export function addRabbitFlags(command: Command): Command {
  return command
    .option('--rabbit-host <host>', 'broker host (env RABBIT_HOST; default messenger)')
    .option('--rabbit-port <port>', 'broker port (env RABBIT_PORT; default 5672)')
    .option(
      '--rabbit-exchange <name>',
      'topic exchange for results (env RABBIT_EXCHANGE; default topic-poseidon-internal)',
    )
    .option(
      '--rabbit-routing-key <key>',
      'routing key of results (env RABBIT_ROUTING_KEY; default poseidon.algos.decider)',
    )
    .option('--rabbit-queue <name>', 'durable job queue (env RABBIT_QUEUE_NAME; default networkml_jobs)');
}

export function rabbitFromFlags(flags: RabbitFlags, env: NodeJS.ProcessEnv = process.env): RabbitSettings {
  const overrides: Partial<RabbitSettings> = {};
  if (flags.rabbitHost !== undefined) overrides.host = flags.rabbitHost;
  if (flags.rabbitPort !== undefined) overrides.port = parsePort(flags.rabbitPort, '--rabbit-port');
  if (flags.rabbitExchange !== undefined) overrides.exchange = flags.rabbitExchange;
  if (flags.rabbitRoutingKey !== undefined) overrides.routingKey = flags.rabbitRoutingKey;
  if (flags.rabbitQueue !== undefined) overrides.queue = flags.rabbitQueue;
  return rabbitSettings(env, overrides);
}
