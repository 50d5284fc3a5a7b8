/** SIGINT and SIGTERM for a command that stops cleanly: the work in hand is finished unless the user insists. */
import { ExitCode } from '../errors.js';

/**
 * The first SIGINT or SIGTERM calls `first` (the command then stops cleanly); a second one calls `second`
 * and exits at once (130). Returns the function that removes the handlers.
 */
export function onStopSignals(
  first: (signal: NodeJS.Signals) => void,
  second: (signal: NodeJS.Signals) => void = () => {},
): () => void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      second(signal);
      process.exit(ExitCode.INTERRUPTED);
    }
    signalled = true;
    first(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
