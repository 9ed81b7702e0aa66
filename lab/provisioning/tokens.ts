/**
 * The lab's one-time sign-in tokens: 32 random bytes (base64url), each good
 * for one exchange within its lifetime. Spent and expired tokens are dropped
 * as new ones are issued, so the table stays small.
 */
import { randomBytes } from 'node:crypto';

export const TOKEN_LIFETIME_MS = 10 * 60_000;

export type Redeemed =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' };

interface Entry {
  readonly user: string;
  readonly expiresAt: number;
  used: boolean;
}

export class OneTimeTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly lifetimeMs = TOKEN_LIFETIME_MS,
  ) {}

  issue(user: string): string {
    this.forgetDead();
    const token = randomBytes(32).toString('base64url');
    this.entries.set(token, { user, expiresAt: this.now() + this.lifetimeMs, used: false });
    return token;
  }

  /** The token's user, once; a second redeem (or one after expiry) is refused. */
  redeem(token: string): Redeemed {
    const entry = this.entries.get(token);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.used) return { ok: false, reason: 'used' };
    if (this.now() >= entry.expiresAt) return { ok: false, reason: 'expired' };
    entry.used = true;
    return { ok: true, user: entry.user };
  }

  /** Spent tokens stay a lifetime (so a replay reads "used"), then go. */
  private forgetDead(): void {
    const now = this.now();
    for (const [token, entry] of this.entries) {
      if (now >= entry.expiresAt) this.entries.delete(token);
    }
  }
}
