/**
 * Fetches a provisioning document from a setup link (kwdesk://provision?url=…
 * or --provision URL): https only, TLS verified, at most 3 redirects, size
 * limited, strict UTF-8 JSON, then the wire schema. Every failure is a value
 * with a sentence for the user; nothing is applied here.
 */
import type { ProxyResolver } from '../sip/proxy-route.js';
import {
  MAX_PROVISIONING_BYTES,
  parseProvisioningDocument,
  type ProvisioningDocument,
} from '../../../wire/provisioning.js';
import { DEFAULT_TIMEOUT_MS, httpsRequest } from './https-request.js';
import { hostOf, provisioningFailure, type FailureSubject, type ProvisioningFailure } from './failure.js';
import { parseJsonBody } from './json-body.js';

export interface FetchOptions {
  /** Given, replaces Node's CA list (the app passes Node's + the OS's + extras). */
  readonly ca?: readonly string[];
  /** Default 10 s, for the whole fetch. */
  readonly timeoutMs?: number;
  /** Default MAX_PROVISIONING_BYTES. */
  readonly maxBytes?: number;
  readonly resolveProxy?: ProxyResolver;
}

export type FetchResult =
  { readonly ok: true; readonly document: ProvisioningDocument } | ProvisioningFailure;

const MAX_REDIRECTS = 3;

export async function fetchProvisioningDocument(
  url: string,
  options: FetchOptions = {},
): Promise<FetchResult> {
  const maxBytes = options.maxBytes ?? MAX_PROVISIONING_BYTES;
  const subject: FailureSubject = { thing: 'setup document', host: hostOf(url), maxBytes };
  const response = await httpsRequest(url, {
    method: 'GET',
    ca: options.ca,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes,
    maxRedirects: MAX_REDIRECTS,
    resolveProxy: options.resolveProxy,
  });
  if (!response.ok) return provisioningFailure(response.kind, subject, response.detail);
  if (response.status !== 200)
    return provisioningFailure('http', subject, `HTTP ${response.status} for ${url}`);
  const json = parseJsonBody(response.body);
  if (!json.ok) return provisioningFailure('not-json', subject, json.detail);
  const parsed = parseProvisioningDocument(json.data);
  if (!parsed.ok) return provisioningFailure('schema', subject, parsed.problem, parsed.problem);
  return { ok: true, document: parsed.document };
}
