import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../../preload/contract.js';
import {
  bannerRetryLine,
  connectionStatusLine,
  emptyStateText,
  presenceReachNote,
  reachability,
  retryCountdown,
} from '../../../renderer/main/connection-text.js';

const T = 1_700_000_000_000;
type Connection = StatusView['connection'];

const registered: Connection = { phase: 'registered', text: 'Registered with wss://sip.example' };
const unreachable: Connection = {
  phase: 'retrying',
  text: 'Not connected',
  retryAt: T + 12_000,
  problem: {
    kind: 'unreachable',
    sentence: 'KW Desktop cannot reach the SIP server, so requests cannot reach you.',
    detail: 'connect ECONNREFUSED 127.0.0.1:1',
  },
};
const refused: Connection = {
  phase: 'retrying',
  text: 'Not connected',
  retryAt: T + 5 * 60_000,
  problem: { kind: 'credentials', sentence: 'The server refused your password.', detail: '403' },
};

function status(connection: Connection, patch: Partial<StatusView> = {}): StatusView {
  const reachable = connection.phase === 'registered';
  return {
    connection,
    presence: { manual: 'available', effective: 'available', published: reachable },
    routable: { routable: reachable, explanation: '' },
    account: { uri: 'sip:kw1@lab.local', displayName: 'Kim' },
    previews: [],
    history: { saving: true },
    signIn: false,
    ...patch,
  };
}

describe('connection text in the main window', () => {
  it('reachable only when registered; a first attempt is "connecting", any problem "unreachable"', () => {
    expect(reachability(registered)).toBe('reachable');
    expect(reachability({ phase: 'connecting', text: 'Connecting…' })).toBe('connecting');
    expect(reachability({ ...unreachable, phase: 'connecting' })).toBe('unreachable');
    expect(reachability(unreachable)).toBe('unreachable');
    expect(reachability({ phase: 'stopped', text: 'Not connected' })).toBe('unreachable');
  });

  it('counts down in seconds, then minutes, with the unit kept on its number', () => {
    expect(retryCountdown(T + 4200, T)).toBe('in 5\u00a0s');
    expect(retryCountdown(T + 5 * 60_000, T)).toBe('in 5\u00a0min');
    expect(retryCountdown(T - 1, T)).toBe('now');
  });

  it('the status panel: "Not connected — retrying in 12 s", then "retrying now…" while it tries', () => {
    expect(connectionStatusLine(unreachable, T)).toBe('Not connected — retrying in 12\u00a0s');
    expect(connectionStatusLine({ ...unreachable, phase: 'connecting' }, T)).toBe(
      'Not connected — retrying now…',
    );
    expect(connectionStatusLine(registered, T)).toBe('Registered with wss://sip.example');
  });

  it('the banner says when it tries again, and for a refused password what else brings it back', () => {
    expect(bannerRetryLine(unreachable, T)).toBe('Trying again in 12\u00a0s.');
    expect(bannerRetryLine(refused, T)).toBe('Trying again in 5\u00a0min, or when you save Settings.');
    expect(bannerRetryLine(unreachable, T + 13_000)).toBe('Trying again now…');
  });

  it('the presence note: nothing when reachable, "not reachable" otherwise', () => {
    expect(presenceReachNote(registered)).toBeNull();
    expect(presenceReachNote(unreachable)).toBe('Not reachable — not connected');
    expect(presenceReachNote({ phase: 'registering', text: 'Signing in…' })).toBe('connecting…');
  });
});

describe('the empty screen', () => {
  it('never tells a KW who is Available to set Available', () => {
    for (const s of [
      status(unreachable),
      status(refused),
      status({ phase: 'connecting', text: 'Connecting…' }),
    ])
      expect(emptyStateText(s)).not.toMatch(/Set your presence to Available/);
    expect(emptyStateText(status(unreachable))).toBe(
      'KW Desktop is not connected, so requests cannot reach you. The message above says why.',
    );
  });

  it('says what stands between the KW and requests', () => {
    expect(emptyStateText(status(registered))).toMatch(/^You are receiving expert requests/);
    const busy = status(registered, {
      presence: { manual: 'busy', effective: 'busy', published: true },
      routable: { routable: false, explanation: '' },
    });
    expect(emptyStateText(busy)).toBe(
      'You are set to Busy. Set your presence to Available to receive expert requests.',
    );
    const inCall = status(registered, {
      presence: { manual: 'available', effective: 'on-the-phone', published: true },
      routable: { routable: false, explanation: '' },
    });
    expect(emptyStateText(inCall)).toBe('You are in a call. Requests reach you again when it ends.');
    const idle = status(registered, {
      presence: { manual: 'available', effective: 'away', published: true },
      routable: { routable: false, explanation: '' },
    });
    expect(emptyStateText(idle)).toMatch(/^You are shown as Away for now/);
  });
});
