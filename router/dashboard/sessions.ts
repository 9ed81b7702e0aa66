/**
 * The dashboard's sign-in: the token compared in constant time (hashes of
 * both, crypto.timingSafeEqual), sessions of random 32-byte ids valid 12 h,
 * and a limit on wrong tokens per remote address (10 a minute), so the token
 * cannot be guessed at speed. Sessions live in this process: signing in on
 * one instance does not sign in on another.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

export const SESSION_MS = 12 * 60 * 60_000;
export const MAX_FAILURES_PER_MINUTE = 10;

export type SignIn =
  | { readonly ok: true; readonly sessionId: string; readonly expiresAt: number }
  | { readonly ok: false; readonly why: 'wrong-token' | 'too-many-tries' };

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export class DashboardSessions {
  private readonly tokenDigest: Buffer;
  private readonly sessions = new Map<string, number>();
  private readonly failures = new Map<string, number[]>();
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    token: string,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.tokenDigest = digest(token);
  }

  signIn(token: string, remote: string): SignIn {
    const now = this.clock.now();
    // At most once a minute: expired sessions and old failures (many addresses must not grow the maps for good).
    if (now - this.prunedAt >= 60_000) this.prune(now);
    const recent = (this.failures.get(remote) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= MAX_FAILURES_PER_MINUTE) {
      this.failures.set(remote, recent);
      return { ok: false, why: 'too-many-tries' };
    }
    if (!timingSafeEqual(digest(token), this.tokenDigest)) {
      this.failures.set(remote, [...recent, now]);
      return { ok: false, why: 'wrong-token' };
    }
    const sessionId = randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_MS;
    this.sessions.set(sessionId, expiresAt);
    return { ok: true, sessionId, expiresAt };
  }

  /** When the session ends, or undefined when it is not a valid one. */
  validUntil(sessionId: string | undefined): number | undefined {
    if (sessionId === undefined) return undefined;
    const until = this.sessions.get(sessionId);
    if (until === undefined) return undefined;
    if (until <= this.clock.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return until;
  }

  signOut(sessionId: string | undefined): void {
    if (sessionId !== undefined) this.sessions.delete(sessionId);
  }

  private prune(now: number): void {
    this.prunedAt = now;
    for (const [id, until] of this.sessions) if (until <= now) this.sessions.delete(id);
    for (const [remote, times] of this.failures)
      if (times.every((t) => now - t >= 60_000)) this.failures.delete(remote);
  }
}
