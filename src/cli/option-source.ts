import type { Command } from 'commander';

/**
 * Where a value the user gave for this run comes from: typed on the command line, or the environment. A
 * config file's values and the defaults are standing settings for every command, not a request for this one.
 */
export type GivenFrom = 'cli' | 'env';

/** The option keys among `keys` whose value came from one of `from` (for the "… ignored" warnings). */
export function optionsGiven<K extends string>(
  command: Command,
  keys: readonly K[],
  from: readonly GivenFrom[],
): K[] {
  return keys.filter((key) =>
    (from as readonly (string | undefined)[]).includes(command.getOptionValueSource(key)),
  );
}
