import { describe, expect, it } from 'vitest';
import {
  describeConnectionState,
  problemOf,
  registrationFailureReason,
  registrationProblem,
} from '../../../main/core/sip/connection-state.js';

describe('connection state text (logs, router health)', () => {
  it('tells when and why it retries', () => {
    const now = 10_000;
    expect(
      describeConnectionState(
        {
          phase: 'retrying',
          retryAt: now + 4200,
          reason: 'connection refused',
          problem: { kind: 'unreachable', detail: 'connection refused' },
        },
        now,
      ),
    ).toBe('retrying in 5 s because connection refused');
  });

  it('names the server it is registered with', () => {
    expect(describeConnectionState({ phase: 'registered', server: 'wss://sip.example', since: 0 })).toBe(
      'registered with wss://sip.example',
    );
  });

  it('turns credential failures into an actionable reason', () => {
    expect(registrationFailureReason(403, 'Rejected')).toMatch(/check user and password/);
    expect(registrationFailureReason(undefined, 'Authentication Error')).toMatch(/refused the credentials/);
    expect(registrationFailureReason(500, 'SIP Failure Code')).toBe(
      'registration failed with 500 SIP Failure Code',
    );
  });
});

describe('registration problems', () => {
  it('401, 403, 407 and JsSIP\'s "Authentication Error" are the credentials; 404 the address', () => {
    for (const status of [401, 403, 407])
      expect(registrationProblem(status, undefined).kind).toBe('credentials');
    expect(registrationProblem(undefined, 'Authentication Error')).toMatchObject({ kind: 'credentials' });
    expect(registrationProblem(404, 'Not Found')).toMatchObject({ kind: 'unknown-account', status: 404 });
    expect(registrationProblem(503, 'SIP Failure Code')).toMatchObject({ kind: 'registration', status: 503 });
    expect(registrationProblem(undefined, 'Request Timeout')).toEqual({
      kind: 'registration',
      detail: 'registration failed (Request Timeout)',
    });
  });

  it('the problem stays with the next attempts until registered', () => {
    const problem = { kind: 'lost', detail: 'connection lost (ws://s)' } as const;
    expect(problemOf({ phase: 'connecting', server: 'ws://s', problem })).toBe(problem);
    expect(problemOf({ phase: 'registering', server: 'ws://s', problem })).toBe(problem);
    expect(problemOf({ phase: 'connecting', server: 'ws://s' })).toBeUndefined();
    expect(problemOf({ phase: 'registered', server: 'ws://s', since: 1 })).toBeUndefined();
    expect(problemOf({ phase: 'stopped' })).toBeUndefined();
  });
});
