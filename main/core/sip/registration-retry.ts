/**
 * When to try again after a failure. A failure that will not fix itself in
 * seconds is retried after minutes: a REGISTER refused for what only the
 * person can fix (credentials, an address the server does not know), since the
 * same wrong password every few seconds floods the server's log and can lock
 * the account; and a server certificate that was refused (untrusted CA, wrong
 * name, expired), which takes an administrator. Anything else (5xx, no answer,
 * a server not reachable) is retried on the usual backoff. "Retry now" still
 * tries at once (it ends the wait, whatever its length). Pure: delays come
 * from the injected backoffs.
 */
import type { Backoff } from './backoff.js';
import { registrationProblem, type ConnectionProblem } from './connection-state.js';
import type { FastReconnectWindow } from './fast-reconnect.js';

export interface RetryDecision {
  readonly delayMs: number;
  readonly problem: ConnectionProblem;
}

export interface RegistrationRetryOptions {
  /** Transient failures: seconds, growing. */
  readonly transient: Backoff;
  /** Refusals the person or an administrator must fix: minutes, growing. */
  readonly refused: Backoff;
}

/** 5 min, then 10, 20, at most 30: a few attempts an hour, under common lockout thresholds. */
export const REFUSED_RETRY = { initialMs: 5 * 60_000, maxMs: 30 * 60_000 } as const;

export class RegistrationRetryPolicy {
  constructor(private readonly options: RegistrationRetryOptions) {}

  decide(status: number | undefined, cause: string | undefined): RetryDecision {
    const problem = registrationProblem(status, cause);
    const needsPerson = problem.kind === 'credentials' || problem.kind === 'unknown-account';
    const delayMs = needsPerson ? this.options.refused.next() : this.options.transient.next();
    return { delayMs, problem };
  }

  /** Registered: the next failure starts from the shortest delays again. */
  reset(): void {
    this.options.transient.reset();
    this.options.refused.reset();
  }
}

/**
 * The wait between two rounds of connection attempts (ws-socket.ts): a round
 * that ended on a refused certificate waits on the long backoff, any other on
 * the short one, or, in the first seconds after a lost connection, on the
 * fast reconnect window (fast-reconnect.ts) when one is given.
 */
export class ConnectionRetryPolicy {
  constructor(private readonly options: RegistrationRetryOptions & { readonly fast?: FastReconnectWindow }) {}

  /** True while waits come from the fast reconnect window: the KW is getting its lost connection back. */
  get recovering(): boolean {
    return this.options.fast?.isOpen ?? false;
  }

  /** `certificate`: the round's last failure was a refused server certificate. */
  next(certificate: boolean): number {
    // A refused certificate will not fix itself in a second: never the fast window.
    if (certificate) return this.options.refused.next();
    return this.options.fast?.next() ?? this.options.transient.next();
  }

  /** The connection dropped: true when the socket should reconnect at once (the fast window opened). */
  lost(): boolean {
    return this.options.fast?.lost() ?? false;
  }

  /** Connected: the next failure starts from the shortest delays again. */
  reset(): void {
    this.options.transient.reset();
    this.options.refused.reset();
    this.options.fast?.connected();
  }
}
