import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../main/core/sip/backoff.js';
import {
  ConnectionRetryPolicy,
  REFUSED_RETRY,
  RegistrationRetryPolicy,
} from '../../../main/core/sip/registration-retry.js';

const MIN = 60_000;

/** No jitter: the delays are exactly the bounds, so the test reads them. */
function policy(): RegistrationRetryPolicy {
  return new RegistrationRetryPolicy({
    transient: new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0 }),
    refused: new Backoff({ ...REFUSED_RETRY, jitter: 0 }),
  });
}

/** The same bounds for the waits between connection rounds. */
function connectionPolicy(): ConnectionRetryPolicy {
  return new ConnectionRetryPolicy({
    transient: new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0 }),
    refused: new Backoff({ ...REFUSED_RETRY, jitter: 0 }),
  });
}

describe('registration retry policy', () => {
  it('a refused password is not retried for minutes, and less often each time, up to 30 min', () => {
    const p = policy();
    const delays = [403, 401, 403, 407, 403].map((status) => p.decide(status, 'Rejected').delayMs);
    expect(delays).toEqual([5 * MIN, 10 * MIN, 20 * MIN, 30 * MIN, 30 * MIN]);
    expect(p.decide(undefined, 'Authentication Error')).toMatchObject({
      delayMs: 30 * MIN,
      problem: { kind: 'credentials' },
    });
  });

  it('in an hour of refusals it tries at most 4 times (no retry storm, under lockout thresholds)', () => {
    const p = policy();
    let elapsed = 0;
    let attempts = 1; // the first REGISTER
    while (elapsed < 60 * MIN) {
      elapsed += p.decide(403, 'Rejected').delayMs;
      if (elapsed < 60 * MIN) attempts += 1;
    }
    expect(attempts).toBe(4);
  });

  it('an address the server does not know (404) waits for minutes too', () => {
    expect(policy().decide(404, 'Not Found')).toMatchObject({
      delayMs: 5 * MIN,
      problem: { kind: 'unknown-account', status: 404 },
    });
  });

  it('a server error or no answer is retried on the short backoff', () => {
    const p = policy();
    expect(p.decide(503, 'SIP Failure Code')).toMatchObject({
      delayMs: 1000,
      problem: { kind: 'registration', status: 503 },
    });
    expect(p.decide(undefined, 'Request Timeout')).toMatchObject({
      delayMs: 2000,
      problem: { kind: 'registration' },
    });
    // A refusal in between does not use up the short backoff, nor the other way round.
    expect(p.decide(403, 'Rejected').delayMs).toBe(5 * MIN);
    expect(p.decide(500, 'SIP Failure Code').delayMs).toBe(4000);
  });

  it('registered: both start from their shortest delay again', () => {
    const p = policy();
    p.decide(403, 'Rejected');
    p.decide(503, undefined);
    p.reset();
    expect(p.decide(403, 'Rejected').delayMs).toBe(5 * MIN);
    expect(p.decide(503, undefined).delayMs).toBe(1000);
  });

  it('the default bounds are minutes, never seconds', () => {
    expect(REFUSED_RETRY.initialMs).toBeGreaterThanOrEqual(5 * MIN);
    expect(REFUSED_RETRY.maxMs).toBeLessThanOrEqual(60 * MIN);
  });
});

describe('connection retry policy', () => {
  it('a refused server certificate waits minutes, like a refused password, growing up to 30 min', () => {
    const p = connectionPolicy();
    expect([true, true, true, true].map((certificate) => p.next(certificate))).toEqual([
      5 * MIN,
      10 * MIN,
      20 * MIN,
      30 * MIN,
    ]);
  });

  it('a server not reachable is retried on the short backoff, which certificate failures do not use up', () => {
    const p = connectionPolicy();
    expect(p.next(false)).toBe(1000);
    expect(p.next(true)).toBe(5 * MIN);
    expect(p.next(false)).toBe(2000);
    expect(p.next(true)).toBe(10 * MIN);
  });

  it('connected: both start from their shortest delay again', () => {
    const p = connectionPolicy();
    p.next(true);
    p.next(false);
    p.reset();
    expect(p.next(true)).toBe(5 * MIN);
    expect(p.next(false)).toBe(1000);
  });
});
