/** What a preview card does: accept and decline through main, one at a time, and its actions for a window's keys. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, kwApi } from '../kw.js';

export interface PreviewActions {
  accept(): void;
  declineNow(): void;
  openReason(): void;
}

export interface PreviewCommands {
  /** The command on its way, or null. */
  readonly busy: null | 'accept' | 'decline';
  readonly error: string | null;
  readonly accept: () => void;
  /** An empty or missing reason declines without one. */
  readonly decline: (reason?: string) => void;
}

export function usePreviewCommands(interactionId: string): PreviewCommands {
  const [busy, setBusy] = useState<null | 'accept' | 'decline'>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (kind: 'accept' | 'decline', call: () => Promise<null> | undefined) => {
    if (busy) return;
    const promise = call();
    if (!promise) return;
    setBusy(kind);
    setError(null);
    promise.then(
      () => setBusy(null),
      (err: unknown) => {
        setBusy(null);
        setError(`${kind === 'accept' ? 'Accept' : 'Decline'} failed: ${errorText(err)}`);
      },
    );
  };
  return {
    busy,
    error,
    accept: () => run('accept', () => kwApi()?.previews.accept({ interactionId })),
    decline: (reason?: string) =>
      run('decline', () => kwApi()?.previews.decline(reason ? { interactionId, reason } : { interactionId })),
  };
}

/**
 * Registers the card's actions under its interaction id while it is shown.
 * The registered functions call the latest render's actions, so `register`
 * runs once per card, not on every render.
 */
export function useRegisteredActions(
  interactionId: string,
  register: ((id: string, actions: PreviewActions | null) => void) | undefined,
  actions: PreviewActions,
): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    if (!register) return undefined;
    register(interactionId, {
      accept: () => latest.current.accept(),
      declineNow: () => latest.current.declineNow(),
      openReason: () => latest.current.openReason(),
    });
    return () => register(interactionId, null);
  }, [interactionId, register]);
}
