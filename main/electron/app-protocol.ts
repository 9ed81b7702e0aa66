/**
 * The `app://kw/` origin our windows load from: a privileged custom scheme
 * (standard + secure, so the pages are a secure context with a real origin,
 * ES modules and getUserMedia work) served from `dist/renderer` only. Every
 * response carries the CSP; a path outside the renderer directory is a 404.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import type { Logger } from '../core/log.js';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security.js';

export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** Must run before `app` is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.woff2': 'font/woff2',
};

/** The file an `app://kw/...` URL stands for, or undefined when it is not ours or leaves the root. */
export function resolveAppPath(rootDir: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const root = resolve(rootDir);
  const file = resolve(root, `.${normalize(`/${path}`)}`);
  return file.startsWith(root + sep) ? file : undefined;
}

export type AppProtocol = Pick<Protocol, 'handle'>;

/** Serves the renderer directory under `app://kw/`; call once `app` is ready. */
export function serveRenderer(protocol: AppProtocol, rootDir: string, logger: Logger): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(rootDir, request.url);
    const headers = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    };
    if (!file) {
      logger.warn('app:// request refused', { url: request.url.slice(0, 200) });
      return new Response('not found', { status: 404, headers });
    }
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' },
      });
    } catch {
      logger.warn('app:// file not found', { path: join('/', file.slice(resolve(rootDir).length)) });
      return new Response('not found', { status: 404, headers });
    }
  });
}
