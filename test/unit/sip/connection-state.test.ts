import { describe, expect, it } from 'vitest';
import {
  describeConnectionState,
  registrationFailureReason,
} from '../../../main/core/sip/connection-state.js';

describe('connection state text', () => {
  it('tells when and why it retries', () => {
    const now = 10_000;
    expect(
      describeConnectionState({ phase: 'retrying', retryAt: now + 4200, reason: 'connection refused' }, now),
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
