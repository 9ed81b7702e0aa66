/**
 * An in-process media host link: main's end is a `MediaHostLink`, the host's
 * end a `HostEnd`. Messages travel as JSON text, delivered on a later
 * microtask in order, so tests exercise serialization and the asynchrony of
 * the real links (IPC, WebSocket) without a network.
 */
import type { FromHost, HostEnd, MediaHostLink, ToHost } from '../../../wire/media-host.js';

/** Main's side, closable (the media host window died, the test ends...). */
export interface ClosableMediaHostLink extends MediaHostLink {
  close(reason: string): void;
}

export interface LinkPair {
  readonly main: ClosableMediaHostLink;
  readonly host: HostEnd;
}

interface Side {
  readonly messageListeners: Set<(message: unknown) => void>;
  readonly closedListeners: Set<(reason: string) => void>;
}

export function createLinkPair(): LinkPair {
  const mainSide: Side = { messageListeners: new Set(), closedListeners: new Set() };
  const hostSide: Side = { messageListeners: new Set(), closedListeners: new Set() };
  let closedReason: string | undefined;

  const deliver = (to: Side, text: string): void => {
    queueMicrotask(() => {
      if (closedReason !== undefined) return;
      const message: unknown = JSON.parse(text);
      for (const listener of [...to.messageListeners]) listener(message);
    });
  };
  const close = (reason: string): void => {
    if (closedReason !== undefined) return;
    closedReason = reason;
    for (const side of [mainSide, hostSide]) {
      const listeners = [...side.closedListeners];
      side.closedListeners.clear();
      side.messageListeners.clear();
      for (const listener of listeners) listener(reason);
    }
  };
  const onMessage = (side: Side) => (listener: (message: unknown) => void) => {
    side.messageListeners.add(listener);
    return () => void side.messageListeners.delete(listener);
  };
  const onClosed = (side: Side) => (listener: (reason: string) => void) => {
    if (closedReason !== undefined) {
      const reason = closedReason;
      queueMicrotask(() => listener(reason));
      return () => undefined;
    }
    side.closedListeners.add(listener);
    return () => void side.closedListeners.delete(listener);
  };

  return {
    main: {
      send(message: ToHost): void {
        if (closedReason === undefined) deliver(hostSide, JSON.stringify(message));
      },
      onMessage: onMessage(mainSide),
      onClosed: onClosed(mainSide),
      close,
    },
    host: {
      send(message: FromHost): void {
        if (closedReason === undefined) deliver(mainSide, JSON.stringify(message));
      },
      onMessage: onMessage(hostSide),
      onClosed: onClosed(hostSide),
      close,
    },
  };
}
