/**
 * The browser harness: serves the built renderer over HTTP on loopback and
 * speaks the preload contract over a WebSocket, so each window (main, preview
 * popup) runs as a page in any Chromium against the real app layer. It is how
 * the UI is tested without an Electron binary, and `npm start`'s fallback.
 * Like the Electron gateway: every command is validated (runCommand), only
 * pages of our own origin may connect, and events wait until a page is ready.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../core/log.js';
import type { KwApp } from '../app/kw-app.js';
import { runCommand } from '../app/run-command.js';
import type { EventName, EventPayload } from '../../preload/contract.js';
import type { MediaHostLink } from '../../wire/media-host.js';
import { wsMediaLink } from './media-link.js';

export interface HarnessOptions {
  readonly app: KwApp;
  readonly rendererDir: string;
  readonly clientScript: string;
  readonly logger: Logger;
  readonly host?: string;
  readonly port?: number;
  /** A page connected as the media host (the main page runs one); the newest wins. */
  readonly onMediaHost?: (link: MediaHostLink) => void;
  /** Extra script the main page loads after the bridge: the in-page media host. */
  readonly mediaScript?: string;
}

export interface Harness {
  readonly url: string;
  readonly mainUrl: string;
  readonly previewUrl: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

const BRIDGE_PLACEHOLDER = '<!-- kw-bridge -->';

/** The pages' CSP: our own scripts and styles only; sockets back to this origin only. */
export function harnessCsp(origin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${origin.replace(/^http/, 'ws')}`,
    "media-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger.child('harness');
  let origin = '';

  const http = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log.error('harness request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = {
      'Content-Security-Policy': harnessCsp(origin),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET') {
      res.writeHead(405, headers).end();
      return;
    }
    if (path === '/harness-client.js') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.js'] }).end(options.clientScript);
      return;
    }
    if (path === '/harness-media.js' && options.mediaScript !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.js'] }).end(options.mediaScript);
      return;
    }
    const name = path === '/' ? '/main.html' : path;
    const file = normalize(join(options.rendererDir, name));
    if (!file.startsWith(normalize(options.rendererDir)) || !TYPES[extname(file)]) {
      res.writeHead(404, headers).end();
      return;
    }
    let body: Buffer | string;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, headers).end();
      return;
    }
    if (extname(file) === '.html') {
      const html = body.toString('utf8');
      if (!html.includes(BRIDGE_PLACEHOLDER)) log.warn('renderer page has no bridge placeholder', { file });
      // The main page also hosts the media (Electron has a hidden window for it).
      const media = name === '/main.html' && options.mediaScript !== undefined;
      body = html.replace(
        BRIDGE_PLACEHOLDER,
        '<script src="/harness-client.js"></script>' +
          (media ? '<script src="/harness-media.js"></script>' : ''),
      );
    }
    res
      .writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
      .end(body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024,
  });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // Only our own pages may drive the app (the harness's "sender is our frame" check).
    const known = path === '/kw' || (path === '/media' && options.onMediaHost !== undefined);
    if (!known || req.headers.origin !== origin) {
      log.warn('harness WebSocket refused', { path, origin: req.headers.origin });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (path === '/media') options.onMediaHost?.(wsMediaLink(ws, log.child('media')));
      else connected(ws);
    });
  });

  function connected(ws: WebSocket): void {
    let ready = false;
    const queued: string[] = [];
    const push = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
      const frame = JSON.stringify({ event, payload });
      if (ready) ws.send(frame);
      else queued.push(frame);
    };
    const off = options.app.onEvent(push);
    ws.on('close', off);
    ws.on('message', (data) => {
      void (async () => {
        let id: unknown;
        let name: unknown;
        let input: unknown;
        try {
          ({ id, name, input } = JSON.parse(data.toString()) as {
            id: unknown;
            name: unknown;
            input: unknown;
          });
        } catch {
          log.warn('harness frame is not JSON: dropped');
          return;
        }
        if (typeof id !== 'number' || typeof name !== 'string') {
          log.warn('harness frame without id/name: dropped');
          return;
        }
        const result = await runCommand(options.app.handlers, name, input, log);
        ws.send(JSON.stringify({ id, ...result }));
        if (name === 'app.ready' && result.ok && !ready) {
          // The page has its snapshot: from now on it gets events, in order.
          ready = true;
          for (const frame of queued.splice(0)) ws.send(frame);
        }
      })();
    });
  }

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, host, () => resolve()));
  const { port } = http.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  log.info('browser harness listening', { url: origin });
  return {
    url: origin,
    mainUrl: `${origin}/main.html`,
    previewUrl: `${origin}/preview.html`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
