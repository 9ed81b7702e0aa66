/**
 * Trades a provisioning document's one-time sign-in token for the account's
 * password: POST {"token"} to the document's exchange URL, which must be
 * https on the document's own origin (a document cannot send the token
 * elsewhere). A 4xx means the token is spent or expired.
 */
import type { ProxyResolver } from '../sip/proxy-route.js';
import {
  MAX_TOKEN_EXCHANGE_BYTES,
  parseTokenExchangeAnswer,
  type SignIn,
} from '../../../wire/provisioning.js';
import { DEFAULT_TIMEOUT_MS, httpsRequest } from './https-request.js';
import { hostOf, provisioningFailure, type FailureSubject, type ProvisioningFailure } from './failure.js';
import { parseJsonBody } from './json-body.js';

export interface ExchangeOptions {
  readonly ca?: readonly string[];
  readonly timeoutMs?: number;
  readonly resolveProxy?: ProxyResolver;
}

export type ExchangeResult =
  { readonly ok: true; readonly password: string; readonly authUser?: string } | ProvisioningFailure;

export async function exchangeSignInToken(
  documentUrl: string,
  signIn: SignIn,
  options: ExchangeOptions = {},
): Promise<ExchangeResult> {
  const subject: FailureSubject = {
    thing: 'sign-in answer',
    host: hostOf(documentUrl),
    maxBytes: MAX_TOKEN_EXCHANGE_BYTES,
  };
  if (!sameHttpsOrigin(documentUrl, signIn.exchangeUrl)) {
    return provisioningFailure(
      'invalid-link',
      subject,
      `exchange URL ${signIn.exchangeUrl} is not on ${documentUrl}'s https origin`,
    );
  }
  const response = await httpsRequest(signIn.exchangeUrl, {
    method: 'POST',
    json: JSON.stringify({ token: signIn.token }),
    ca: options.ca,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: MAX_TOKEN_EXCHANGE_BYTES,
    // A redirect could carry the token to another place: none is followed.
    maxRedirects: 0,
    resolveProxy: options.resolveProxy,
  });
  if (!response.ok) return provisioningFailure(response.kind, subject, response.detail);
  const { status } = response;
  if (status >= 400 && status < 500)
    return provisioningFailure('token-refused', subject, `HTTP ${status} from the exchange`);
  if (status !== 200) return provisioningFailure('http', subject, `HTTP ${status} from the exchange`);
  const json = parseJsonBody(response.body);
  if (!json.ok) return provisioningFailure('not-json', subject, json.detail);
  const answer = parseTokenExchangeAnswer(json.data);
  if ('problem' in answer) return provisioningFailure('schema', subject, answer.problem, answer.problem);
  return answer.authUser === undefined
    ? { ok: true, password: answer.password }
    : { ok: true, password: answer.password, authUser: answer.authUser };
}

function sameHttpsOrigin(a: string, b: string): boolean {
  try {
    const left = new URL(a);
    const right = new URL(b);
    return left.protocol === 'https:' && right.protocol === 'https:' && left.origin === right.origin;
  } catch {
    return false;
  }
}
