/** Runs a call command once at a time, with its error next to the buttons. */
import { useState } from 'preact/hooks';
import { errorText } from '../shared/kw.js';

export interface CallCommand {
  /** The label of the command on its way, or null. */
  busy: string | null;
  error: string | null;
  /** Does nothing while a command is on its way; `command` returns undefined when main is not reachable. */
  run: (label: string, command: () => Promise<null> | undefined) => void;
}

export function useCallCommand(): CallCommand {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (label: string, command: () => Promise<null> | undefined): void => {
    if (busy) return;
    const promise = command();
    if (!promise) {
      setError('The KW Desktop core is not reachable.');
      return;
    }
    setBusy(label);
    setError(null);
    promise.then(
      () => setBusy(null),
      (e: unknown) => {
        setBusy(null);
        setError(`${label} failed: ${errorText(e)}`);
      },
    );
  };
  return { busy, error, run };
}
