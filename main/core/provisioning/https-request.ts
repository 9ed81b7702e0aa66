/**
 * One https request for provisioning (the document GET, the token POST): TLS
 * always verified, through the host's proxy when it names one, under one
 * deadline, with a byte limit enforced while reading. Failures are values
 * with a kind the caller turns into a sentence; nothing here throws.
 */
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { resolveRoute, type ProxyResolver, type ProxyRoute } from '../sip/proxy-route.js';
import { openTunnel, secureOver, serverAddress } from '../sip/proxy-tunnel.js';
import { isCertificateError } from '../sip/tls-failure.js';

export type TransportFailureKind =
  'invalid-link' | 'unreachable' | 'timeout' | 'certificate' | 'http' | 'too-large';

export interface TransportFailure {
  readonly ok: false;
  readonly kind: TransportFailureKind;
  /** The technical reason, for the log. */
  readonly detail: string;
}

/** The final answer. The body is read only for a 2xx status (empty otherwise). */
export interface HttpsResponse {
  readonly ok: true;
  readonly status: number;
  readonly body: Uint8Array;
}

export interface HttpsRequestOptions {
  readonly method: 'GET' | 'POST';
  /** A JSON body (POST). */
  readonly json?: string;
  /** Given, replaces Node's CA list (the app passes Node's + the OS's + extras). */
  readonly ca?: readonly string[] | undefined;
  /** For the whole request, redirects included. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly resolveProxy?: ProxyResolver | undefined;
}

/** A provisioning request's default time limit, redirects included. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The request's time limit: `signal` aborts when it passes, at `at` (epoch ms). */
interface Deadline {
  readonly signal: AbortSignal;
  readonly at: number;
}

export async function httpsRequest(
  url: string,
  options: HttpsRequestOptions,
): Promise<HttpsResponse | TransportFailure> {
  const first = httpsUrl(url);
  if (!first) return fail('invalid-link', `not an https:// URL: ${url}`);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no complete answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const deadline: Deadline = { signal: controller.signal, at: Date.now() + options.timeoutMs };
  try {
    return await follow(first, options, deadline);
  } catch (error) {
    return classify(error, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function follow(
  start: URL,
  options: HttpsRequestOptions,
  deadline: Deadline,
): Promise<HttpsResponse | TransportFailure> {
  let url = start;
  for (let redirects = 0; ; redirects += 1) {
    const hop = await exchange(url, options, deadline);
    if (!('location' in hop)) return hop;
    if (redirects >= options.maxRedirects) {
      return fail(
        'http',
        `HTTP ${hop.status} redirect after ${redirects} redirect(s) (at most ${options.maxRedirects})`,
      );
    }
    const next = hop.location === undefined ? undefined : httpsUrl(hop.location, url);
    if (!next)
      return fail('http', `HTTP ${hop.status} redirect to a non-https location: ${hop.location ?? '(none)'}`);
    url = next;
  }
}

type Hop =
  HttpsResponse | TransportFailure | { readonly status: number; readonly location: string | undefined };

/** One request on a fresh connection (no keep-alive: provisioning is one or two requests). */
async function exchange(url: URL, options: HttpsRequestOptions, deadline: Deadline): Promise<Hop> {
  const { signal } = deadline;
  const route = await untilAborted(resolveRoute(options.resolveProxy, url.href), signal);
  const socket = await untilAborted(openSecure(url, route, options.ca, deadline), signal, (s) => s.destroy());
  try {
    const res = await send(socket, url, options, signal);
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status)) return { status, location: res.headers.location };
    if (status < 200 || status > 299) return { ok: true, status, body: new Uint8Array() };
    const body = await readBody(res, options.maxBytes, signal);
    return typeof body === 'string' ? fail('too-large', body) : { ok: true, status, body };
  } finally {
    socket.destroy();
  }
}

async function openSecure(
  url: URL,
  route: ProxyRoute,
  ca: readonly string[] | undefined,
  deadline: Deadline,
): Promise<Socket> {
  const tls = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  const timeoutMs = Math.max(1, deadline.at - Date.now());
  if (route.kind === 'proxy') {
    return openTunnel({ proxyHost: route.host, proxyPort: route.port, url: url.href, timeoutMs }, tls);
  }
  const { host, port } = serverAddress(url.href);
  const tcp = await connectTcp(host, port, deadline.signal);
  return secureOver(tcp, host, tls, timeoutMs);
}

function connectTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

function send(
  socket: Socket,
  url: URL,
  options: HttpsRequestOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const body = options.json === undefined ? undefined : Buffer.from(options.json, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request({
      createConnection: () => socket,
      method: options.method,
      path: `${url.pathname}${url.search}`,
      signal,
      headers: {
        host: url.host,
        accept: 'application/json',
        connection: 'close',
        'user-agent': 'KW-Desktop',
        ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
      },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
}

/** The body, or why it was refused: a Content-Length over the limit before reading, else as soon as it grows past it. */
function readBody(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Uint8Array | string> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    res.destroy();
    return Promise.resolve(`Content-Length ${declared} is over the limit of ${maxBytes} bytes`);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        res.socket.destroy();
        resolve(`the body grew past the limit of ${maxBytes} bytes (aborted)`);
        return;
      }
      chunks.push(chunk);
    });
    res.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    res.once('error', (error) => reject(signal.aborted ? signal.reason : error));
    res.once('close', () => {
      if (!res.complete) reject(signal.aborted ? signal.reason : new Error('the connection closed mid-body'));
    });
  });
}

/** Rejects when the deadline passes; what arrives later is handed to `discard` (a socket is closed). */
function untilAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal,
  discard: (late: T) => void = () => undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) discard(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function classify(error: unknown, signal: AbortSignal): TransportFailure {
  if (signal.aborted) return fail('timeout', describe(signal.reason));
  if (isCertificateError(error)) return fail('certificate', describe(error));
  return fail('unreachable', describe(error));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
  return `${error.message}${code}`;
}

function httpsUrl(text: string, base?: URL): URL | undefined {
  try {
    const url = new URL(text, base);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function fail(kind: TransportFailureKind, detail: string): TransportFailure {
  return { ok: false, kind, detail };
}
