import { describe, expect, it } from 'vitest';
import { decideCall } from '../../../lab/router/call-routing.js';
import type { InteractionSnapshot } from '../../../lab/router/engine.js';

const ID = '5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
const routed: InteractionSnapshot = {
  interactionId: ID,
  phase: 'routed',
  kw: 'sip:kw1@lab.local',
  offers: {},
  attempts: 1,
};

describe('decideCall', () => {
  it('redirects to the voice address of the KW who accepted', () => {
    expect(
      decideCall({
        interactionId: ID,
        interaction: routed,
        kwState: { kind: 'Ready' },
        voiceUri: 'sip:kw1-phone@lab.local',
      }),
    ).toEqual({
      kind: 'redirect',
      kw: 'sip:kw1@lab.local',
      contact: 'sip:kw1-phone@lab.local',
    });
  });

  it('still redirects after the chat ended, and while the KW is busy in chat', () => {
    const ended = { ...routed, phase: 'ended' as const };
    expect(
      decideCall({
        interactionId: ID,
        interaction: ended,
        kwState: { kind: 'NotReady', reason: 'busy' },
        voiceUri: undefined,
      }),
    ).toMatchObject({
      kind: 'redirect',
      contact: 'sip:kw1@lab.local',
    });
  });

  it.each([
    [undefined, routed, { kind: 'Ready' } as const, 400],
    ['not-a-uuid', routed, { kind: 'Ready' } as const, 400],
    [ID, undefined, { kind: 'Ready' } as const, 404],
    [ID, { ...routed, phase: 'routing' as const, kw: undefined }, { kind: 'Ready' } as const, 404],
    [ID, routed, { kind: 'LoggedOut' } as const, 480],
    [ID, routed, { kind: 'NotReady', reason: 'on-the-phone' } as const, 486],
    [ID, routed, { kind: 'NotReady', reason: 'dnd' } as const, 480],
  ])('refuses %s / %j / %j with %i', (interactionId, interaction, kwState, status) => {
    const d = decideCall({ interactionId, interaction, kwState, voiceUri: undefined });
    expect(d.kind).toBe('refuse');
    if (d.kind === 'refuse') expect(d.status).toBe(status);
  });
});
