import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../main/core/log.js';
import { RoutingEngine, type EngineEffects } from '../../../../router/engine.js';
import { CallEscalations, type CallHandle } from '../../../../router/call-escalation.js';
import type { RouterEventInput } from '../../../../router/event-log.js';
import { MemberDirectory } from '../../../../router/members.js';
import { strategyFor } from '../../../../router/strategies/index.js';
import { FakeClock } from '../../../support/fake-clock.js';
import { AGENT, ID, KW1, testRoutingPoint } from '../fixtures.js';

/** An interaction routed to KW1 on a routing point that masks CardNumber, and an INVITE for it. */
function setup() {
  const clock = new FakeClock();
  const directory = new MemberDirectory(clock);
  const config = testRoutingPoint({ mask: { CardNumber: { keepLast: 4 } } });
  const quiet: EngineEffects = {
    sendPreview: () => Promise.resolve(),
    sendCancel: () => undefined,
    sendRouted: () => Promise.resolve(),
    sendNotRouted: () => undefined,
    sendEnd: () => undefined,
    event: () => undefined,
  };
  const engine = new RoutingEngine({
    config,
    strategy: strategyFor(config),
    directory,
    clock,
    effects: quiet,
    logger: silentLogger,
  });
  const events: RouterEventInput[] = [];
  const calls = new CallEscalations({
    config,
    strategy: strategyFor(config),
    directory,
    interactions: engine,
    clock,
    logger: silentLogger,
    effects: {
      sendPreview: () => Promise.resolve(),
      sendCancel: () => undefined,
      event: (e) => void events.push(e),
    },
  });
  directory.setState(KW1, { kind: 'Ready' });
  engine.request({
    interactionId: ID,
    agent: { uri: AGENT, displayName: 'Agent One' },
    subject: 'Card dispute',
    text: 'Customer disputes a payment',
    userData: { CardNumber: '4111 1111 1111 1234' },
  });
  engine.answer(ID, KW1, 'accept');
  const handle: CallHandle = { redirect: () => undefined, refuse: () => undefined };
  const invite = (userData: Record<string, string>) =>
    calls.invite(
      {
        interactionId: ID,
        caller: { uri: AGENT, displayName: 'Agent One' },
        escalation: 'transfer',
        userData,
      },
      handle,
    );
  return { invite, events };
}

describe('masked customer data: escalated calls', () => {
  it('refuses an INVITE whose user data holds a masked key in clear, whatever its case', () => {
    const { invite, events } = setup();
    expect(invite({ cardnumber: '4111 1111 1111 1234' })).toEqual({
      kind: 'refuse',
      status: 403,
      reason: 'Customer Data Not Masked',
    });
    const refused = events.filter((e) => e.event === 'call-refused');
    expect(refused.map((e) => e.reason)).toEqual(['403 Customer Data Not Masked']);
    expect(JSON.stringify(events)).not.toContain('1111');
  });

  it('redirects an INVITE whose user data is already masked, or carries no masked key', () => {
    const { invite } = setup();
    expect(invite({ CardNumber: '•••• 1234', Tier: 'gold' })).toEqual({ kind: 'redirect', contact: KW1 });
    expect(invite({ CaseNumber: '42' })).toEqual({ kind: 'redirect', contact: KW1 });
  });
});
