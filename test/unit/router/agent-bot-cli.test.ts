import { describe, expect, it } from 'vitest';
import { UsageError, describeOutcome, parseAgentArgs } from '../../../lab/agent-bot/cli.js';

const ID = '0b8a3c52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';

describe('agent-bot CLI arguments', () => {
  it('takes server, routing point, user data and the text; defaults the agent address to the routing point domain', () => {
    const opts = parseAgentArgs(
      [
        '--server',
        'ws://127.0.0.1:5080',
        '--to',
        'sip:billing-experts@lab.local',
        '--data',
        'CaseNumber=42',
        '--data',
        'Note=a=b',
        'Customer',
        'disputes',
      ],
      { AGENT_BOT_PASSWORD: 'pw' },
    );
    expect(opts).toMatchObject({
      servers: ['ws://127.0.0.1:5080'],
      to: 'sip:billing-experts@lab.local',
      from: 'sip:agent-bot@lab.local',
      password: 'pw',
      userData: { CaseNumber: '42', Note: 'a=b' },
      timeoutMs: 60_000,
      chatMs: 0,
      interactive: false,
      text: 'Customer disputes',
    });
  });

  it.each([
    [['--to', 'sip:rp@lab.local', 'x'], /--server is required/],
    [['--server', 'http://x', '--to', 'sip:rp@lab.local', 'x'], /ws:\/\/ or wss:\/\//],
    [['--server', 'ws://x', 'x'], /--to is required/],
    [['--server', 'ws://x', '--to', 'billing', 'x'], /--to must be a SIP URI/],
    [['--server', 'ws://x', '--to', 'sip:rp@lab.local'], /text/],
    [
      ['--server', 'ws://x', '--to', 'sip:rp@lab.local', '--data', 'novalue', 'x'],
      /--data must be Key=Value/,
    ],
    [
      ['--server', 'ws://x', '--to', 'sip:rp@lab.local', '--timeout', 'soon', 'x'],
      /--timeout must be a number/,
    ],
    [['--bogus'], /bogus/],
  ])('%j → usage error', (argv, message) => {
    expect(() => parseAgentArgs(argv)).toThrow(UsageError);
    expect(() => parseAgentArgs(argv)).toThrow(message);
  });

  it('--help', () => {
    expect(parseAgentArgs(['-h'])).toBe('help');
  });

  it('describes outcomes', () => {
    expect(
      describeOutcome({
        kind: 'routed',
        interactionId: ID,
        kw: { uri: 'sip:kw1@lab.local', displayName: 'KW 1', voiceUri: 'sip:kw1@lab.local' },
      }),
    ).toBe(`routed to KW 1 <sip:kw1@lab.local> (voice sip:kw1@lab.local), interaction ${ID}`);
    expect(describeOutcome({ kind: 'not-routed', interactionId: ID, reason: 'declined' })).toBe(
      `not routed (declined), interaction ${ID}`,
    );
  });
});
