/**
 * The browser harness: serves the built renderer over HTTP on loopback and
 * speaks the preload contract over a WebSocket, so each window (main, preview
 * popup) runs as a page in any Chromium against the real app layer. It is how
 * the UI is tested without an Electron binary, and `npm start`'s fallback.
 * Like the Electron gateway: every command is validated (runCommand), only
 * pages of our own origin may connect, and events wait until a page is ready.
 *
 * Three parts, each on its own: the static files (`staticFiles`: the
 * renderer's pages with the bridge scripts injected), the WebSocket upgrade
 * (`acceptSockets`: own origin only, `/kw` or `/media`), and the contract
 * socket of one page (`contractSocket`); the media socket is a
 * `MediaHostLink` (media-link.ts). `startHarness` wires them to one server.
 *
 * Least privilege: a page connects as its window kind (`/kw?window=preview`,
 * set by preload/harness-client.ts from its page; none = `main`) and may call
 * only that kind's commands (the contract's WINDOW_COMMANDS), as in Electron.
 * Unlike Electron, where main knows which window sent a command, the kind is
 * the page's own claim here: every page shares one origin, so this keeps the
 * harness honest about what each renderer calls; it is no boundary against a
 * hostile page (the harness is for tests and demos, on loopback).
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../core/log.js';
import type { KwApp } from '../app/kw-app.js';
import { runCommand } from '../app/run-command.js';
import {
  WINDOW_COMMANDS,
  type EventName,
  type EventPayload,
  type WindowKind,
} from '../../preload/contract.js';
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
  // Known once the server listens (port 0 = any free port); requests come after that.
  let origin = '';
  const currentOrigin = (): string => origin;

  const http = createServer(staticFiles(options, currentOrigin, log));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  acceptSockets(http, wss, {
    origin: currentOrigin,
    log,
    onContract: (ws, window) => contractSocket(ws, window, options.app, log),
    ...(options.onMediaHost
      ? { onMedia: (ws: WebSocket) => options.onMediaHost?.(wsMediaLink(ws, log.child('media'))) }
      : {}),
  });

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, host, () => resolve()));
  const { port } = http.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  log.info('browser harness listening', { url: origin });
  return {
    url: origin,
    mainUrl: `${origin}/main.html`,
    previewUrl: `${origin}/preview.html`,
    close: () => closeServer(http, wss),
  };
}

/**
 * The HTTP side: GET only; the bridge scripts, and the renderer's files under
 * `rendererDir` (nothing outside it, known types only) with the CSP and
 * no-store headers on every answer.
 */
function staticFiles(options: HarnessOptions, origin: () => string, log: Logger): RequestListener {
  const scripts = new Map<string, string>([['/harness-client.js', options.clientScript]]);
  if (options.mediaScript !== undefined) scripts.set('/harness-media.js', options.mediaScript);
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = {
      'Content-Security-Policy': harnessCsp(origin()),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET') {
      res.writeHead(405, headers).end();
      return;
    }
    const script = scripts.get(path);
    if (script !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.js'] }).end(script);
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
      // The main page also hosts the media (Electron has a hidden window for it).
      const media = name === '/main.html' && options.mediaScript !== undefined;
      body = withBridge(body.toString('utf8'), media, () =>
        log.warn('renderer page has no bridge placeholder', { file }),
      );
    }
    res
      .writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
      .end(body);
  }
  return (req, res) => {
    serve(req, res).catch((error: unknown) => {
      log.error('harness request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

/** A renderer page with the harness's scripts in place of the bridge placeholder. */
function withBridge(html: string, media: boolean, noPlaceholder: () => void): string {
  if (!html.includes(BRIDGE_PLACEHOLDER)) noPlaceholder();
  return html.replace(
    BRIDGE_PLACEHOLDER,
    '<script src="/harness-client.js"></script>' + (media ? '<script src="/harness-media.js"></script>' : ''),
  );
}

interface SocketRoutes {
  /** Our pages' origin: any other is refused (the harness's "sender is our frame" check). */
  readonly origin: () => string;
  readonly log: Logger;
  /** `/kw`: a page speaking the contract, as the window kind it connected as. */
  readonly onContract: (ws: WebSocket, window: WindowKind) => void;
  /** `/media`: a page that hosts the media; absent = `/media` is refused. */
  readonly onMedia?: (ws: WebSocket) => void;
}

/**
 * The WebSocket upgrades: `/kw` (with an optional `window` kind) and `/media`
 * from our own origin only, anything else 403.
 */
function acceptSockets(http: Server, wss: WebSocketServer, routes: SocketRoutes): void {
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const window = windowKindOf(url.searchParams.get('window'));
    const route =
      path === '/kw' && window
        ? (ws: WebSocket) => routes.onContract(ws, window)
        : path === '/media'
          ? routes.onMedia
          : undefined;
    if (!route || req.headers.origin !== routes.origin()) {
      routes.log.warn('harness WebSocket refused', {
        path,
        window: url.searchParams.get('window')?.slice(0, 20),
        origin: req.headers.origin,
      });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, route);
  });
}

/** The window kind a contract socket asks for (none: the main window), or undefined when it names none of ours. */
function windowKindOf(param: string | null): WindowKind | undefined {
  if (param === null) return 'main';
  return Object.hasOwn(WINDOW_COMMANDS, param) ? (param as WindowKind) : undefined;
}

/**
 * One page's contract socket: frames `{ id, name, input }` are run through
 * `runCommand` as that page's window kind and answered `{ id, ok, value |
 * error }`; events go out as `{ event, payload }`, held back in order until
 * the page has been answered `app.ready` (its snapshot).
 */
function contractSocket(ws: WebSocket, window: WindowKind, app: KwApp, log: Logger): void {
  let ready = false;
  const queued: string[] = [];
  const push = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    const frame = JSON.stringify({ event, payload });
    if (ready) ws.send(frame);
    else queued.push(frame);
  };
  const off = app.onEvent(push);
  ws.on('close', off);
  ws.on('message', (data) => {
    const command = parseCommandFrame(data, log);
    if (!command) return;
    void runCommand(app.handlers, command.name, command.input, log, window).then((result) => {
      ws.send(JSON.stringify({ id: command.id, ...result }));
      if (command.name === 'app.ready' && result.ok && !ready) {
        // The page has its snapshot: from now on it gets events, in order.
        ready = true;
        for (const frame of queued.splice(0)) ws.send(frame);
      }
    });
  });
}

/** `{ id: number, name: string, input }` from a contract frame, or undefined (logged) when it is not one. */
function parseCommandFrame(
  data: RawData,
  log: Logger,
): { readonly id: number; readonly name: string; readonly input: unknown } | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(data.toString());
  } catch {
    log.warn('harness frame is not JSON: dropped');
    return undefined;
  }
  const { id, name, input } = (typeof frame === 'object' && frame !== null ? frame : {}) as {
    id?: unknown;
    name?: unknown;
    input?: unknown;
  };
  if (typeof id !== 'number' || typeof name !== 'string') {
    log.warn('harness frame without id/name: dropped');
    return undefined;
  }
  return { id, name, input };
}

function closeServer(http: Server, wss: WebSocketServer): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.close(() => resolve());
    http.closeAllConnections();
  });
}
