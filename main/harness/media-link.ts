/**
 * A media host link over the harness WebSocket `/media`: the browser page
 * that runs the real RTCPeerConnections (the harness main page) on one end,
 * main's media bridge on the other. Frames are JSON text; the bridge
 * validates what arrives, this only carries it.
 */
import type { WebSocket } from 'ws';
import type { MediaHostLink, ToHost } from '../../wire/media-host.js';
import type { Logger } from '../core/log.js';

export function wsMediaLink(ws: WebSocket, logger: Logger): MediaHostLink {
  const messageListeners = new Set<(message: unknown) => void>();
  const closedListeners = new Set<(reason: string) => void>();
  let closedReason: string | undefined;

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      logger.warn('media host sent a binary frame: dropped');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      logger.warn('media host frame is not JSON: dropped');
      return;
    }
    for (const listener of [...messageListeners]) listener(message);
  });
  ws.on('close', (code, reason) => {
    closedReason = `media host page disconnected (${code}${reason.length ? ` ${reason.toString()}` : ''})`;
    for (const listener of [...closedListeners]) listener(closedReason);
    closedListeners.clear();
    messageListeners.clear();
  });

  return {
    send(message: ToHost): void {
      if (closedReason !== undefined || ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(message));
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClosed(listener) {
      if (closedReason !== undefined) {
        listener(closedReason);
        return () => undefined;
      }
      closedListeners.add(listener);
      return () => closedListeners.delete(listener);
    },
  };
}
