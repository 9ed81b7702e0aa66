/**
 * Who an authenticated request may claim to be (issue 11, finding 1a): its
 * From must be the authenticated user's own address-of-record, else anyone
 * with an account could write as a routing point or a colleague. A REGISTER
 * also binds only that AOR (To), a PUBLISH only sets that presentity.
 */
import type { Identity } from './identity.js';
import { forLog } from './sanitize.js';
import { formatUri, type SipUri } from './syntax.js';
import type { RequestInfo } from './validate.js';

export type IdentityVerdict =
  | { readonly ok: true }
  /** `reason` is the reason phrase of the 403, `detail` what the log adds (sanitised) */
  | { readonly ok: false; readonly reason: string; readonly detail: string };

export function checkSenderIdentity(
  identity: Identity,
  method: string,
  info: RequestInfo,
  authUser: string,
): IdentityVerdict {
  const own = `${authUser}@${identity.domain}`;
  const claims = (uri: SipUri | undefined): boolean => uri !== undefined && identity.aorOf(uri) === own;
  const refuse = (claim: string, text: string): IdentityVerdict => ({
    ok: false,
    reason: `${claim} Does Not Match Authenticated User`,
    detail: `authenticated as ${forLog(authUser, 40)}, ${claim} ${forLog(text, 80)}`,
  });
  // What the request acts on first (the AOR bound, the presentity set), then who sends it.
  if (method === 'REGISTER' && !claims(info.to.uri)) return refuse('To', info.to.addr.uri);
  if (method === 'PUBLISH') {
    const presentity = info.ruri.user === undefined ? info.to.uri : info.ruri;
    if (!claims(presentity))
      return refuse('Presentity', presentity ? formatUri(presentity) : info.to.addr.uri);
  }
  if (!claims(info.from.uri)) return refuse('From', info.from.addr.uri);
  return { ok: true };
}
