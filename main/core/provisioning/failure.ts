/**
 * A provisioning step that failed: what kind, a sentence for the user (it
 * names the host only, never a status line), and the technical detail for the
 * log. The fetcher and the token exchange share the words.
 */
import type { TransportFailureKind } from './https-request.js';

export type ProvisioningFailureKind = TransportFailureKind | 'not-json' | 'schema' | 'token-refused';

export interface ProvisioningFailure {
  readonly ok: false;
  readonly kind: ProvisioningFailureKind;
  readonly sentence: string;
  readonly detail: string;
}

/** What was being fetched, for the sentence: the setup document or the sign-in answer. */
export interface FailureSubject {
  /** "setup document", "sign-in answer" */
  readonly thing: string;
  readonly host: string;
  readonly maxBytes: number;
}

export function provisioningFailure(
  kind: ProvisioningFailureKind,
  subject: FailureSubject,
  detail: string,
  problem = '',
): ProvisioningFailure {
  return { ok: false, kind, sentence: sentence(kind, subject, problem), detail };
}

function sentence(
  kind: ProvisioningFailureKind,
  { thing, host, maxBytes }: FailureSubject,
  problem: string,
): string {
  const server = `The setup link's server (${host})`;
  switch (kind) {
    case 'invalid-link':
      return `The setup link is not valid: KW Desktop only follows https:// links to the server that gave the setup document.`;
    case 'unreachable':
      return `${server} could not be reached.`;
    case 'timeout':
      return `${server} did not answer in time.`;
    case 'certificate':
      return `${server} has a certificate that is not trusted, so KW Desktop did not use it. Ask your administrator.`;
    case 'http':
      return `${server} did not give the ${thing}. Ask your administrator.`;
    case 'too-large':
      return `The ${thing} from ${host} is larger than ${Math.round(maxBytes / 1024)} KB.`;
    case 'not-json':
      return `The ${thing} from ${host} is not valid JSON.`;
    case 'schema':
      return `The ${thing} from ${host} is not valid: ${problem}.`;
    case 'token-refused':
      return 'The one-time sign-in code was already used or has expired. Ask your administrator for a new setup link.';
  }
}

/** The host a sentence names: the URL's host name, or the text itself when it is no URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url.slice(0, 200);
  }
}
