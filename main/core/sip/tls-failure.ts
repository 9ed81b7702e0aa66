/**
 * Whether a connection failed on the server's certificate (not trusted, wrong
 * name, expired), so the KW reads that, not "cannot reach the server": only an
 * administrator can fix it, and retrying faster would not help.
 */

/** OpenSSL's verification codes (as Node reports them) and Node's own name check. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isCertificateError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const { code } = error;
  return typeof code === 'string' && CERTIFICATE_CODES.has(code);
}

/** An error whose cause was the certificate, kept apart from other connection failures. */
export class CertificateError extends Error {
  readonly certificate = true;
}

/** The failure as an Error whose kind survives the socket's retry loop. */
export function connectionFailure(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return isCertificateError(error) ? new CertificateError(message) : new Error(message);
}
