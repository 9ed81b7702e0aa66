/**
 * When to try REGISTER again after the server refused it. A refusal that only
 * the person can fix (credentials, an address the server does not know) is
 * retried after minutes, not seconds: the same wrong password every few
 * seconds floods the server's log and can lock the account. Anything else
 * (5xx, no answer) is retried on the usual backoff. Pure: delays come from
 * the injected backoffs.
 */
import type { Backoff } from './backoff.js';
import { registrationProblem, type ConnectionProblem } from './connection-state.js';

export interface RetryDecision {
  readonly delayMs: number;
  readonly problem: ConnectionProblem;
}

export interface RegistrationRetryOptions {
  /** Transient failures: seconds, growing. */
  readonly transient: Backoff;
  /** Refusals the person must fix (settings): minutes, growing. */
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
