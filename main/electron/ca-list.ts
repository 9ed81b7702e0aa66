/**
 * The CAs the SIP connection trusts: Node's bundled list, the OS store (where
 * corporate CAs are deployed, e.g. by group policy or MDM), the file named by
 * NODE_EXTRA_CA_CERTS (which Node's defaults honour too) and the account's
 * extra CAs. Node's `ca` option replaces its defaults, so the list must hold
 * them all.
 */
import type { Logger } from '../core/log.js';

/** The slice of node:tls this needs; `getCACertificates` is Node ≥ 22.15 / 23.5 only. */
export interface TlsCaSource {
  readonly rootCertificates: readonly string[];
  readonly getCACertificates?: unknown;
}

/** The OS store's certificates, or undefined when this Node cannot read it. */
export function systemCertificates(tls: TlsCaSource, logger: Logger): readonly string[] | undefined {
  const read = tls.getCACertificates;
  if (typeof read !== 'function') {
    logger.warn('this runtime cannot read the OS certificate store: only the bundled CAs are trusted');
    return undefined;
  }
  try {
    const certs: unknown = read.call(tls, 'system');
    if (!Array.isArray(certs)) return undefined;
    return certs.filter((cert): cert is string => typeof cert === 'string');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn('the OS certificate store could not be read: only the bundled CAs are trusted', { reason });
    return undefined;
  }
}

/** NODE_EXTRA_CA_CERTS's certificates, where this Node can list them (quietly: the OS store warns already). */
export function environmentCertificates(tls: TlsCaSource): readonly string[] {
  const read = tls.getCACertificates;
  if (typeof read !== 'function') return [];
  try {
    const certs: unknown = read.call(tls, 'extra');
    return Array.isArray(certs) ? certs.filter((cert): cert is string => typeof cert === 'string') : [];
  } catch {
    return [];
  }
}

/** Bundled, then system, then NODE_EXTRA_CA_CERTS, then extra; each certificate once. */
export function buildCaList(tls: TlsCaSource, extra: readonly string[], logger: Logger): readonly string[] {
  const system = systemCertificates(tls, logger) ?? [];
  const fromEnv = environmentCertificates(tls);
  const all = [...tls.rootCertificates, ...system, ...fromEnv, ...extra].map((pem) => pem.trim());
  const unique = [...new Set(all)];
  logger.info('trusted CAs for the SIP servers', {
    bundled: tls.rootCertificates.length,
    system: system.length,
    ...(fromEnv.length > 0 ? { environment: fromEnv.length } : {}),
    extra: extra.length,
    total: unique.length,
  });
  return unique;
}
