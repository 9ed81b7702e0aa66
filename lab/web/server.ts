/**
 * A small static HTTP server for the lab's web pages (dist/lab-web, built by
 * scripts/build-lab-web.mjs): /agent/ and /customer/. GET and HEAD only, no
 * directory listings, nothing outside the root, no caching (pages are rebuilt).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_WEB_ROOT = fileURLToPath(new URL('../../dist/lab-web', import.meta.url));
export const DEFAULT_WEB_PORT = 5090;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface LabWebOptions {
  readonly host?: string;
  readonly port?: number;
  readonly root?: string;
}

export interface LabWeb {
  /** e.g. http://127.0.0.1:5090 (no trailing slash) */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startLabWeb(options: LabWebOptions = {}): Promise<LabWeb> {
  const root = resolve(options.root ?? LAB_WEB_ROOT);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    serve(root, req, res).catch(() => send(res, 500, 'Internal error'));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? DEFAULT_WEB_PORT, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method not allowed');
  }
  const url = new URL(req.url ?? '/', 'http://lab');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'Bad path');
  }
  // "/agent" → "/agent/" so the page's relative script and stylesheet resolve.
  if (path === '/agent' || path === '/customer') {
    res.writeHead(301, { Location: `${path}/${url.search}` });
    return void res.end();
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'Not found');
  let body: Buffer;
  try {
    if (!(await stat(file)).isFile()) return send(res, 404, 'Not found');
    body = await readFile(file);
  } catch {
    const missing = path === '/index.html' || path.startsWith('/agent/') || path.startsWith('/customer/');
    return send(res, 404, missing ? 'Not found (build the pages: npm run build:lab-web)' : 'Not found');
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function send(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

/** The page URLs with the query parameters that fit a running lab. */
export interface PageLinks {
  readonly agent: string;
  readonly customer: string;
}

export interface LinkOptions {
  readonly webUrl: string;
  readonly sipUrl: string;
  readonly domain: string;
  readonly routingPoint: string | undefined;
  /** With auth on: the users file, to fill in the lab's (public) passwords. */
  readonly users?: ReadonlyArray<{ user: string; password: string; displayName?: string }>;
}

export function pageLinks(o: LinkOptions): PageLinks {
  const user = (name: string, fallbackName: string): Record<string, string> => {
    const found = o.users?.find((u) => u.user.toLowerCase() === name);
    return {
      uri: `sip:${name}@${o.domain}`,
      name: found?.displayName ?? fallbackName,
      ...(found ? { password: found.password } : {}),
    };
  };
  const agent = query({
    server: o.sipUrl,
    ...user('agent1', 'Agent One'),
    customer: `sip:customer@${o.domain}`,
    ...(o.routingPoint ? { rp: o.routingPoint } : {}),
  });
  const customer = query({
    server: o.sipUrl,
    ...user('customer', 'Renée Customer'),
    call: `sip:agent1@${o.domain}`,
    tone: '440',
  });
  return { agent: `${o.webUrl}/agent/?${agent}`, customer: `${o.webUrl}/customer/?${customer}` };
}

/** A query string a person can read: ':' '/' '@' are allowed in a query (RFC 3986 §3.4) and stay as they are. */
function query(params: Record<string, string>): string {
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%40/g, '@');
  return Object.entries(params)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
}
