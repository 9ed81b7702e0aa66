/** The dry-run form → request (dashboard/dry-run/dry-run-form.ts) and the answer → table (result-model.ts). */
import { describe, expect, it } from 'vitest';
import {
  formFor,
  presenceFromLive,
  requestOf,
  type DryRunForm,
  type MemberForm,
} from '../../../dashboard/dry-run/dry-run-form.js';
import { resultHeadline, resultRows } from '../../../dashboard/dry-run/result-model.js';
import type { DryRunResult, MemberView } from '../../../wire/dashboard.js';

function live(over: Partial<MemberView>): MemberView {
  return {
    kw: 'sip:a@lab.local',
    name: 'Anna',
    routingState: 'Ready',
    reason: '',
    since: '2026-03-02T10:00:00Z',
    interactions: 1,
    capacity: 2,
    offered: false,
    ...over,
  };
}

const anna: MemberForm = {
  kw: 'sip:a@lab.local',
  name: 'Anna',
  presence: 'available',
  pidf: '',
  interactions: '1',
};
const bruno: MemberForm = {
  kw: 'sip:b@lab.local',
  name: 'Bruno',
  presence: 'none',
  pidf: '',
  interactions: '',
};
const base: DryRunForm = {
  routingPoint: 'sip:billing@lab.local',
  members: [anna, bruno],
  userData: '',
  config: '',
};

describe('dry-run form', () => {
  it('presets each member from the live view', () => {
    expect(presenceFromLive(live({}))).toBe('available');
    expect(presenceFromLive(live({ routingState: 'LoggedOut' }))).toBe('offline');
    expect(presenceFromLive(live({ routingState: 'NotReady', reason: 'DND' }))).toBe('dnd');
    expect(presenceFromLive(live({ routingState: 'NotReady', reason: 'at capacity' }))).toBe('busy');
    const form = formFor({
      uri: 'sip:p@x',
      name: 'P',
      strategy: 's',
      members: [live({ name: '' })],
      waiting: [],
    });
    expect(form.routingPoint).toBe('sip:p@x');
    expect(form.members).toEqual([
      { kw: 'sip:a@lab.local', name: 'sip:a@lab.local', presence: 'available', pidf: '', interactions: '1' },
    ]);
  });

  it('makes the request: states, nothing published, counts, no user data or config when empty', () => {
    expect(requestOf(base)).toEqual({
      ok: true,
      request: {
        routingPoint: 'sip:billing@lab.local',
        members: [
          { kw: 'sip:a@lab.local', presence: { kind: 'state', state: 'available' }, interactions: 1 },
          { kw: 'sip:b@lab.local', presence: { kind: 'none' }, interactions: undefined },
        ],
      },
    });
  });

  it('takes a pasted PIDF document, user data lines and an edited config', () => {
    const outcome = requestOf({
      ...base,
      members: [{ ...anna, presence: 'pidf', pidf: '<presence/>' }],
      userData: 'CaseNumber: 42\n\nTopic = refunds: late\n',
      config: '{"routingPoints": []}',
    });
    expect(outcome).toEqual({
      ok: true,
      request: {
        routingPoint: 'sip:billing@lab.local',
        members: [
          { kw: 'sip:a@lab.local', presence: { kind: 'pidf', document: '<presence/>' }, interactions: 1 },
        ],
        userData: { CaseNumber: '42', Topic: 'refunds: late' },
        config: { routingPoints: [] },
      },
    });
  });

  it('says in sentences what to fix, all at once', () => {
    const outcome = requestOf({
      routingPoint: ' ',
      members: [
        { ...anna, presence: 'pidf', pidf: '  ' },
        { ...bruno, interactions: '1.5' },
      ],
      userData: 'CaseNumber 42',
      config: '{ routingPoints: [] }',
    });
    expect(outcome.ok).toBe(false);
    const problems = outcome.ok ? [] : outcome.problems;
    expect(problems.slice(0, 4)).toEqual([
      'Pick a routing point.',
      'Paste a PIDF document for Anna, or pick a state.',
      'Interactions of Bruno must be a whole number, 0 or more.',
      'Line 1 of the user data needs a name and a value, like “CaseNumber: 42”.',
    ]);
    expect(problems[4]).toMatch(/^The edited config is not valid JSON \(.+\)\.$/);
    expect(problems).toHaveLength(5);
  });

  it('refuses what the wire schema refuses, as a sentence', () => {
    const outcome = requestOf({ ...base, userData: `Note: ${'x'.repeat(600)}` });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.problems[0]).toMatch(/^The dry run cannot take userData › Note: .+\.$/);
  });
});

describe('dry-run result', () => {
  const result: Extract<DryRunResult, { ok: true }> = {
    ok: true,
    routingPoint: 'sip:billing@lab.local',
    strategy: 'longest-idle',
    members: [
      { kw: 'sip:a@x', presence: 'closed', routingState: 'LoggedOut', reason: 'offline' },
      { kw: 'sip:b@x', presence: 'open', routingState: 'Ready', reason: '' },
      { kw: 'sip:c@x', presence: 'open, activity busy', routingState: 'NotReady', reason: 'busy' },
      { kw: 'sip:d@x', presence: 'open', routingState: 'Ready', reason: '' },
      { kw: 'sip:e@x', presence: 'open', routingState: 'Ready', reason: '' },
    ],
    order: ['sip:d@x', 'sip:b@x'],
    skipped: [
      { kw: 'sip:a@x', reason: 'logged out' },
      { kw: 'sip:c@x', reason: 'not ready (busy)' },
    ],
  };
  const names = new Map([['sip:d@x', 'Dora']]);

  it('lists the offer order first, then the skipped with why, then the rest', () => {
    expect(resultRows(result, names).map((r) => [r.name, r.state, r.outcome])).toEqual([
      ['Dora', 'Ready', '1st offer'],
      ['sip:b@x', 'Ready', '2nd offer'],
      ['sip:a@x', 'Logged out', 'skipped: logged out'],
      ['sip:c@x', 'Not ready', 'skipped: not ready (busy)'],
      ['sip:e@x', 'Ready', 'not offered'],
    ]);
  });

  it('names who gets the next offer, or says nobody would', () => {
    expect(resultHeadline(result, names)).toBe('Dora would get the next offer (strategy longest-idle).');
    expect(resultHeadline({ ...result, order: [] }, names)).toBe(
      'Nobody would be offered this interaction: it would not be routed.',
    );
  });
});
