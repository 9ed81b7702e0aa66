/**
 * The lab's provisioning server (issue 13), over https with a throw-away
 * certificate like the SIP server's wss:
 *   GET  /provision/<user>.json[?token=1]  the user's document (with a one-time sign-in token)
 *   POST /provision/exchange {"token"}     200 {"password"} once; 410 used or expired; 400 bad body
 * Answers are JSON; bodies are never logged (they carry passwords and tokens).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../main/core/log.js';
import {
  MAX_TOKEN_EXCHANGE_BYTES,
  parseProvisioningDocument,
  parseTokenExchangeRequest,
} from '../../wire/provisioning.js';
import { generateCertificate, type TlsMaterial } from '../sip-server/tls.js';
import type { LabUser } from '../sip-server/users.js';
import { labDocument, type LabSite } from './document.js';
import { OneTimeTokens } from './tokens.js';

export interface ProvisioningServerOptions {
  /** 0 = any free port (default). */
  readonly port?: number;
  readonly host?: string;
  readonly users: readonly LabUser[];
  readonly servers: readonly string[];
  readonly domain: string;
  readonly trustedRoutingPoints: readonly string[];
  /** CAs the documents carry (the lab SIP server's own certificate when it serves wss). */
  readonly caCertificates?: readonly string[];
  /** Default: a fresh self-signed certificate for localhost and 127.0.0.1. */
  readonly tls?: TlsMaterial;
  /** Every document carries a one-time token, not only those asked with ?token=1. */
  readonly oneTimeTokens?: boolean;
  /** The clock of the tokens' lifetime (tests). */
  readonly now?: () => number;
  readonly logger: Logger;
}

export interface ProvisioningServer {
  /** https://host:port */
  readonly url: string;
  /** The certificate clients must trust (self-signed). */
  readonly caPem: string;
  documentUrl(user: string, opts?: { readonly token?: boolean }): string;
  close(): Promise<void>;
}

const DOCUMENT_PATH = /^\/provision\/([^/]+)\.json$/;
const EXCHANGE_PATH = '/provision/exchange';

export async function startProvisioningServer(
  options: ProvisioningServerOptions,
): Promise<ProvisioningServer> {
  checkOwnDocuments(options, options.users);
  const tls = options.tls ?? (await generateCertificate());
  const host = options.host ?? '127.0.0.1';
  const tokens = new OneTimeTokens(options.now);
  const site: LabSite = options;
  const logger = options.logger;
  let url = '';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    logger.debug('provisioning request', { method: req.method, path: req.url?.split('?')[0] });
    const path = new URL(req.url ?? '/', 'https://lab.invalid');
    if (path.pathname === EXCHANGE_PATH) return exchange(req, res);
    const match = DOCUMENT_PATH.exec(path.pathname);
    if (!match) return answer(res, 404, { error: 'not found' });
    if (req.method !== 'GET') return answer(res, 405, { error: 'GET only' }, { allow: 'GET' });
    const user = options.users.find((u) => u.user === decodeSafely(match[1] ?? ''));
    if (!user) return answer(res, 404, { error: 'no such lab user' });
    const withToken = options.oneTimeTokens === true || path.searchParams.get('token') === '1';
    const signIn = withToken
      ? { token: tokens.issue(user.user), exchangeUrl: `${url}${EXCHANGE_PATH}` }
      : undefined;
    answer(res, 200, labDocument(site, user, signIn));
  };
  const exchange = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' }, { allow: 'POST' });
    readSmallBody(req).then(
      (body) => {
        if (body === undefined)
          return answer(
            res,
            413,
            { error: `the body is over ${MAX_TOKEN_EXCHANGE_BYTES} bytes` },
            { connection: 'close' },
          );
        const request = parseJson(body);
        const parsed = request === undefined ? { problem: 'not JSON' } : parseTokenExchangeRequest(request);
        if ('problem' in parsed) return answer(res, 400, { error: parsed.problem });
        const redeemed = tokens.redeem(parsed.token);
        if (!redeemed.ok) return answer(res, 410, { error: `the token is ${redeemed.reason}` });
        const user = options.users.find((u) => u.user === redeemed.user);
        if (!user) return answer(res, 410, { error: 'the user is gone' });
        logger.debug('sign-in token exchanged', { user: user.user });
        answer(res, 200, { password: user.password });
      },
      () => res.destroy(),
    );
  };
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, handle);
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(`provisioning server listening on ${url}`);
  return {
    url,
    caPem: tls.cert,
    documentUrl: (user, opts) =>
      `${url}/provision/${encodeURIComponent(user)}.json${opts?.token === true ? '?token=1' : ''}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The lab's own documents must pass the schema the KW applies; a bad site config fails at start. */
function checkOwnDocuments(site: LabSite, users: readonly LabUser[]): void {
  for (const user of users) {
    const parsed = parseProvisioningDocument(labDocument(site, user));
    if (!parsed.ok) throw new Error(`the lab's document for ${user.user} is not valid: ${parsed.problem}`);
  }
}

function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** The body as text, or undefined when it is over the limit (reading stops there). */
function readSmallBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TOKEN_EXCHANGE_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
