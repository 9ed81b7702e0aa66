/**
 * The routing points this KW takes previews, preview-cancels and router `end`s
 * from. Any SIP user can write a preview naming itself as the routing point, so
 * the sender's address of record must be on the list the KW was configured with.
 */
import { toAor } from '../../../wire/sip/uri.js';

export class TrustedRoutingPoints {
  private readonly aors: ReadonlySet<string>;

  /** Throws RangeError naming the entry that is not a SIP address of record. */
  constructor(uris: readonly string[]) {
    const aors = new Set<string>();
    for (const uri of uris) {
      const aor = toAor(uri);
      if (!aor) throw new RangeError(`not a SIP address of a routing point: ${uri}`);
      aors.add(aor);
    }
    this.aors = aors;
  }

  /** Whether `uri` (a From URI, any parameters) is one of the trusted routing points. */
  has(uri: string): boolean {
    const aor = toAor(uri);
    return aor !== undefined && this.aors.has(aor);
  }

  get size(): number {
    return this.aors.size;
  }
}

/** The reason phrase every refusal for this cause carries, so logs and tests can match it. */
export const NOT_TRUSTED = { status: 403, reason: 'Not A Trusted Routing Point' } as const;
