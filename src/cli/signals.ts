import { constants } from 'node:os';

/** The signals that stop a command gracefully (it finishes its output and reports). SIGHUP is taken like SIGINT. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The exit code of a command stopped by `signal`, as shells report it: 128 + the signal's number (SIGINT 130). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** Call `onSignal` on the first stop signal; returns the function that stops listening. */
export function onStopSignal(onSignal: (signal: NodeJS.Signals) => void): () => void {
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  };
}
