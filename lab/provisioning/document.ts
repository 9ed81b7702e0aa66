/** The provisioning document the lab serves for one of its users. */
import type { ProvisioningDocument, SignIn } from '../../wire/provisioning.js';
import { PROVISIONING_FORMAT } from '../../wire/provisioning.js';
import type { LabUser } from '../sip-server/users.js';

export interface LabSite {
  readonly servers: readonly string[];
  readonly domain: string;
  readonly trustedRoutingPoints: readonly string[];
  readonly caCertificates?: readonly string[] | undefined;
}

export function labDocument(site: LabSite, user: LabUser, signIn?: SignIn): ProvisioningDocument {
  return {
    kwDeskProvisioning: PROVISIONING_FORMAT,
    servers: [...site.servers],
    domain: site.domain,
    // authUser empty: the lab authenticates with the user part of the address.
    account: { uri: `sip:${user.user}@${site.domain}`, authUser: '', displayName: user.displayName ?? '' },
    trustedRoutingPoints: [...site.trustedRoutingPoints],
    presence: { idleMinutes: 10 },
    ring: { sounds: true },
    ...(site.caCertificates?.length ? { caCertificates: [...site.caCertificates] } : {}),
    ...(signIn ? { signIn } : {}),
  };
}
