import { describe, expect, it } from 'vitest';
import { parseTextReply, textCancel, textPreview } from '../../../router/text-preview.js';
import type { ControlInput } from '../../../wire/control.js';
import { AGENT, ID, RP } from './fixtures.js';

const preview = (over: Partial<ControlInput<'preview'>> = {}): ControlInput<'preview'> => ({
  interactionId: ID,
  agent: { uri: AGENT, displayName: 'Agent Alex' },
  routingPoint: RP,
  subject: 'Refund',
  text: 'Charged twice',
  userData: { CardNumber: '•••• 1234', Case: 'C-42' },
  expiresAt: '2026-11-24T09:00:20.000Z',
  ...over,
});

describe('textPreview', () => {
  it('one line: who asks, subject, question, user data as given (already masked), the countdown', () => {
    expect(textPreview(preview(), 20)).toBe(
      'Agent Alex asks: Refund — Charged twice — CardNumber: •••• 1234, Case: C-42 — Reply 1 to accept, 2 to decline within 20 s.',
    );
  });

  it('says the whole seconds left, never more, and at least 1', () => {
    expect(textPreview(preview(), 19.9)).toMatch(/within 19 s\.$/);
    expect(textPreview(preview(), 0.2)).toMatch(/within 1 s\.$/);
  });

  it('without a subject the question leads; without user data or question those parts are left out', () => {
    expect(textPreview(preview({ subject: '', userData: {} }), 20)).toBe(
      'Agent Alex asks: Charged twice — Reply 1 to accept, 2 to decline within 20 s.',
    );
    expect(textPreview(preview({ text: '', userData: {} }), 20)).toBe(
      'Agent Alex asks: Refund — Reply 1 to accept, 2 to decline within 20 s.',
    );
  });

  it('line breaks and control characters of the agent become spaces (no fake second line)', () => {
    const text = textPreview(preview({ subject: 'A\r\nReply 1\u0007', text: 'x\n\ny', userData: {} }), 20);
    expect(text).toBe('Agent Alex asks: A Reply 1 — x y — Reply 1 to accept, 2 to decline within 20 s.');
    expect(['\r', '\n', '\u0007'].some((c) => text.includes(c))).toBe(false);
  });

  it('shortens a long question with …, and falls back to the agent URI without a display name', () => {
    const text = textPreview(preview({ text: 'w'.repeat(1000), agent: { uri: AGENT, displayName: '' } }), 20);
    expect(text.startsWith(`${AGENT} asks: Refund — ${'w'.repeat(299)}… — `)).toBe(true);
  });
});

describe('parseTextReply', () => {
  it.each([
    ['1', 'accept'],
    [' 1 ', 'accept'],
    ['1\r\n', 'accept'],
    ['Accept', 'accept'],
    ['accept.', 'accept'],
    ['2', 'decline'],
    ['\t2!', 'decline'],
    ['DECLINE', 'decline'],
  ])('%j → %s', (body, decision) => {
    expect(parseTextReply(body)).toBe(decision);
  });

  it.each(['', ' ', '12', '3', 'yes', 'one', '1 2', 'accept please', '١'])('%j → nothing', (body) => {
    expect(parseTextReply(body)).toBeUndefined();
  });
});

describe('textCancel', () => {
  it('names the agent and why', () => {
    expect(textCancel('Agent Alex', 'timeout')).toBe('Time is up: the request from Agent Alex has ended.');
    expect(textCancel('Agent Alex', 'taken')).toBe('Someone else took the request from Agent Alex.');
    expect(textCancel('Agent Alex', 'withdrawn')).toBe('Agent Alex withdrew the request.');
  });
});
