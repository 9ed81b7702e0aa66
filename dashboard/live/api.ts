/**
 * The page's two requests to the router: sign in with the token, and a dry
 * run. Paths are relative to the page (/dashboard/), so the dashboard also
 * works behind a proxy that serves it under another prefix. Answers become
 * sentences; a dry-run answer is checked with the wire schema.
 */
import * as v from 'valibot';
import { DryRunResultSchema, type DryRunRequest, type DryRunResult } from '../../wire/dashboard.js';

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export type LoginOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

export type DryRunOutcome =
  | { readonly kind: 'result'; readonly result: DryRunResult }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'failed'; readonly message: string };

const UNREACHABLE = 'The router cannot be reached. Check the network, then try again.';

function post(fetchFn: Fetch, url: string, body: unknown): Promise<Response> {
  return fetchFn(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
}

export async function login(token: string, fetchFn: Fetch = fetch): Promise<LoginOutcome> {
  let response: Response;
  try {
    response = await post(fetchFn, 'login', { token });
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
  if (response.ok) return { ok: true };
  if (response.status === 401) return { ok: false, message: 'That token is not right.' };
  if (response.status === 429)
    return { ok: false, message: 'Too many tries. Wait a minute, then try again.' };
  if (response.status === 404) return { ok: false, message: 'The dashboard is switched off on this router.' };
  return { ok: false, message: 'The router could not sign you in. Try again in a moment.' };
}

export async function dryRun(request: DryRunRequest, fetchFn: Fetch = fetch): Promise<DryRunOutcome> {
  let response: Response;
  try {
    response = await post(fetchFn, 'dry-run', request);
  } catch {
    return { kind: 'failed', message: UNREACHABLE };
  }
  if (response.status === 401) return { kind: 'signed-out' };
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  const checked = v.safeParse(DryRunResultSchema, json);
  if (checked.success) return { kind: 'result', result: checked.output };
  if (response.status === 413) return { kind: 'failed', message: 'The dry run is too large for the router.' };
  return { kind: 'failed', message: 'The router’s answer to the dry run was not understood.' };
}
