import { describe, expect, it } from 'vitest';
import { callPreview, decideCall, escalationKind } from '../../../router/call-routing.js';
import type { InteractionSnapshot } from '../../../router/engine.js';

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

  it('previewEscalation: an available KW is previewed first', () => {
    expect(
      decideCall({
        interactionId: ID,
        interaction: routed,
        kwState: { kind: 'Ready' },
        voiceUri: undefined,
        previewEscalation: true,
      }),
    ).toEqual({ kind: 'preview', kw: 'sip:kw1@lab.local' });
  });

  it.each([
    [undefined, routed, 400],
    ['not-a-uuid', routed, 400],
    [ID, undefined, 404],
    [ID, { ...routed, phase: 'routing' as const, kw: undefined }, 404],
    [ID, { ...routed, phase: 'not-routed' as const }, 404],
  ])('refuses %s / %j with %i', (interactionId, interaction, status) => {
    const d = decideCall({ interactionId, interaction, kwState: { kind: 'Ready' }, voiceUri: undefined });
    expect(d).toMatchObject({ kind: 'refuse', status });
  });

  it.each([
    [{ kind: 'LoggedOut' } as const, 480, 'Expert Logged Out'],
    [undefined, 480, 'Expert Logged Out'],
    [{ kind: 'NotReady', reason: 'on-the-phone' } as const, 486, 'Expert In Another Call'],
    [{ kind: 'NotReady', reason: 'dnd' } as const, 480, 'Expert Set Do Not Disturb'],
  ])('%j: another member, else %i %s', (kwState, status, reason) => {
    for (const previewEscalation of [false, true]) {
      expect(
        decideCall({
          interactionId: ID,
          interaction: routed,
          kwState,
          voiceUri: undefined,
          previewEscalation,
        }),
      ).toEqual({
        kind: 'reroute',
        kw: 'sip:kw1@lab.local',
        refusal: { status, reason },
      });
    }
  });
});

describe('call previews', () => {
  const input = {
    interactionId: ID,
    escalation: 'transfer' as const,
    caller: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    routingPoint: 'sip:rp@lab.local',
    original: { subject: 'Invoice', text: 'Why twice?' },
    newKw: false,
    userData: [{ CaseNumber: '42' }],
    expiresAt: '2026-11-24T09:00:10.000Z',
  };

  it('X-Escalation → the kind; absent or unknown → call', () => {
    expect([
      escalationKind('Transfer'),
      escalationKind(' conference '),
      escalationKind('merge'),
      escalationKind(undefined),
    ]).toEqual(['transfer', 'conference', 'call', 'call']);
  });

  it('says what comes; a new KW also gets the agent’s question', () => {
    expect(callPreview(input)).toEqual({
      interactionId: ID,
      agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
      routingPoint: 'sip:rp@lab.local',
      subject: 'Invoice',
      text: 'Incoming transfer',
      userData: { CaseNumber: '42' },
      expiresAt: '2026-11-24T09:00:10.000Z',
    });
    expect(callPreview({ ...input, newKw: true, original: undefined })).toMatchObject({
      subject: 'Incoming transfer',
      text: 'Incoming transfer',
    });
    expect(callPreview({ ...input, newKw: true }).text).toBe(
      "Incoming transfer. The agent's question was: Why twice?",
    );
  });

  it("after a blind transfer the caller is the customer: the preview keeps the chat's agent and names the caller", () => {
    const transferred = {
      ...input,
      caller: { uri: 'sip:customer@lab.local', displayName: 'Renée Customer' },
      original: {
        subject: 'Invoice',
        text: 'Why twice?',
        agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
      },
    };
    expect(callPreview(transferred)).toMatchObject({
      agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
      text: 'Incoming transfer — Renée Customer on the line',
    });
  });

  it('user data a preview cannot carry falls back to the next source, then to none', () => {
    expect(callPreview({ ...input, userData: [{ 'bad key': 'x' }, { CaseNumber: '7' }] }).userData).toEqual({
      CaseNumber: '7',
    });
    expect(callPreview({ ...input, userData: [{ 'bad key': 'x' }] }).userData).toEqual({});
  });
});
