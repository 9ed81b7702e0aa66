/**
 * What a setup document changes: the settings after applying it (the KW's
 * other choices kept), and the summary the KW confirms first. Pure.
 */
import type { ProvisioningDocument } from '../../../wire/provisioning.js';
import type { ProvisioningView } from '../../../preload/contract.js';
import type { StoredSettings } from '../ports.js';

/** What the KW or the token exchange adds to the document. */
export interface SignInAnswer {
  /** The KW's SIP address, when the document names no account. */
  readonly uri?: string;
  /** From the token exchange, when it gives one. */
  readonly authUser?: string;
}

export function provisionedSettings(
  current: StoredSettings,
  doc: ProvisioningDocument,
  answer: SignInAnswer,
): StoredSettings {
  const uri = doc.account?.uri ?? answer.uri ?? '';
  const sameAccount = uri === current.account.uri;
  return {
    ...current,
    account: {
      uri,
      authUser: answer.authUser ?? doc.account?.authUser ?? '',
      displayName: doc.account?.displayName ?? (sameAccount ? current.account.displayName : ''),
    },
    servers: [...doc.servers],
    trustedRoutingPoints: doc.trustedRoutingPoints
      ? [...doc.trustedRoutingPoints]
      : current.trustedRoutingPoints,
    idleMinutes: doc.presence?.idleMinutes ?? current.idleMinutes,
    sounds: doc.ring?.sounds ?? current.sounds,
    extraCaCertificates: [...(doc.caCertificates ?? [])],
    updates: { ...doc.updates },
  };
}

/** The summary shown before applying. */
export function readyView(
  host: string,
  doc: ProvisioningDocument,
  current: StoredSettings,
): ProvisioningView {
  const uri = doc.account?.uri ?? '';
  const signedIn = current.account.uri;
  return {
    state: 'ready',
    host,
    account: { uri, displayName: doc.account?.displayName ?? '' },
    domain: doc.domain,
    servers: [...doc.servers],
    trustedRoutingPoints: [...(doc.trustedRoutingPoints ?? [])],
    signsInWithCode: doc.signIn !== undefined,
    ...(signedIn !== '' && signedIn !== uri ? { replacesAccount: signedIn } : {}),
  };
}
