/**
 * How a media host talks to main: the Electron media window's preload
 * (`window.kwMedia`), or the browser harness's WebSocket `/media` on the
 * page's own origin (JSON text frames).
 */
import type { FromHost } from '../../wire/media-host.js';
import type { KwMediaBridge } from '../../preload/media-bridge.js';

declare global {
  interface Window {
    readonly kwMedia?: KwMediaBridge;
  }
}

export interface MediaHostTransport {
  send(message: FromHost): void;
  /** Raw messages from main; the host validates them. Returns the unsubscribe. */
  onMessage(listener: (raw: unknown) => void): () => void;
  /**
   * The link to main dropped: main has forgotten this host and will see a new
   * one when it comes back. The host drops every call's media and greets again.
   */
  onReset?(listener: () => void): () => void;
}

/** The Electron media window: the preload's two tasks, as they are. */
export function electronTransport(bridge: KwMediaBridge): MediaHostTransport {
  return {
    send: (message) => bridge.send(message),
    onMessage: (listener) => bridge.onMessage(listener),
  };
}

export interface WebSocketTransportOptions {
  /** Default: `/media` on the page's own origin. */
  readonly url?: string;
  /** Reconnect delay: starts here, doubles up to `maxDelayMs`, back to the start after a good connection. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

export type ClosableTransport = MediaHostTransport & { close(): void };

/** Frames sent before the first connection opens (the hello, early replies); beyond that, main is not there. */
const OUTBOX_LIMIT = 256;

export function webSocketTransport(options: WebSocketTransportOptions = {}): ClosableTransport {
  const url = options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/media`;
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const messageListeners = new Set<(raw: unknown) => void>();
  const resetListeners = new Set<() => void>();
  let socket: WebSocket | null = null;
  let outbox: string[] = [];
  let delay = minDelay;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const connect = (): void => {
    timer = undefined;
    const ws = new WebSocket(url);
    socket = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      delay = minDelay;
      for (const frame of outbox.splice(0)) ws.send(frame);
    });
    ws.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (typeof e.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(e.data);
      } catch {
        console.warn('[media host] frame from main is not JSON: dropped');
        return;
      }
      for (const listener of [...messageListeners]) listener(raw);
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      if (opened) {
        // A main was there and is gone: nothing queued for it may reach the next one.
        outbox = [];
        for (const listener of [...resetListeners]) listener();
      }
      // Polite: back off, with jitter so several pages do not knock in step.
      timer = setTimeout(connect, delay * (0.75 + Math.random() / 2));
      delay = Math.min(maxDelay, delay * 2);
    });
  };
  connect();

  return {
    send(message) {
      const frame = JSON.stringify(message);
      if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
      else if (outbox.length < OUTBOX_LIMIT) outbox.push(frame);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onReset(listener) {
      resetListeners.add(listener);
      return () => resetListeners.delete(listener);
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close(1000, 'media host stopped');
      socket = null;
    },
  };
}
