import { describe, expect, it } from 'vitest';
import {
  broadcast,
  longestIdle,
  named,
  roundRobin,
  type StrategyInput,
} from '../../../router/strategies/index.js';
import { strategyFor } from '../../../router/strategies/index.js';
import { resolveNamedMember } from '../../../router/strategies/named.js';

const KW1 = 'sip:kw1@lab.local';
const KW2 = 'sip:kw2@lab.local';
const KW3 = 'sip:kw3@lab.local';
const MEMBERS = [KW1, KW2, KW3];

function input(partial: Partial<StrategyInput> & Pick<StrategyInput, 'eligible'>): StrategyInput {
  return { members: MEMBERS, offered: new Set(), userData: {}, cursor: undefined, limit: 10, ...partial };
}

describe('longest-idle', () => {
  it('offers the member idle the longest', () => {
    const sel = longestIdle.select(
      input({
        eligible: [
          { uri: KW1, idleSince: 300 },
          { uri: KW2, idleSince: 100 },
          { uri: KW3, idleSince: 200 },
        ],
      }),
    );
    expect(sel).toEqual({ kind: 'offer', kws: [KW2] });
  });
  it('breaks ties by config order', () => {
    const sel = longestIdle.select(
      input({
        eligible: [
          { uri: KW2, idleSince: 100 },
          { uri: KW3, idleSince: 100 },
        ],
      }),
    );
    expect(sel).toEqual({ kind: 'offer', kws: [KW2] });
  });
  it('waits when nobody is eligible', () => {
    expect(longestIdle.select(input({ eligible: [] })).kind).toBe('wait');
  });
});

describe('round-robin', () => {
  const all = [
    { uri: KW1, idleSince: 0 },
    { uri: KW2, idleSince: 0 },
    { uri: KW3, idleSince: 0 },
  ];
  it('starts with the first member and goes on after the cursor', () => {
    expect(roundRobin.select(input({ eligible: all }))).toEqual({ kind: 'offer', kws: [KW1] });
    expect(roundRobin.select(input({ eligible: all, cursor: KW1 }))).toEqual({ kind: 'offer', kws: [KW2] });
    expect(roundRobin.select(input({ eligible: all, cursor: KW3 }))).toEqual({ kind: 'offer', kws: [KW1] });
  });
  it('skips members that are not eligible, wrapping around', () => {
    expect(roundRobin.select(input({ eligible: [{ uri: KW1, idleSince: 0 }], cursor: KW2 }))).toEqual({
      kind: 'offer',
      kws: [KW1],
    });
    expect(
      roundRobin.select(
        input({
          eligible: [
            { uri: KW1, idleSince: 0 },
            { uri: KW3, idleSince: 0 },
          ],
          cursor: KW1,
        }),
      ),
    ).toEqual({
      kind: 'offer',
      kws: [KW3],
    });
  });
  it('ignores idle time', () => {
    expect(
      roundRobin.select(
        input({
          eligible: [
            { uri: KW1, idleSince: 900 },
            { uri: KW2, idleSince: 1 },
          ],
        }),
      ),
    ).toEqual({ kind: 'offer', kws: [KW1] });
  });
  it('waits when nobody is eligible', () => {
    expect(roundRobin.select(input({ eligible: [], cursor: KW1 })).kind).toBe('wait');
  });
});

describe('broadcast', () => {
  it('offers every eligible member at once', () => {
    const sel = broadcast.select(
      input({
        eligible: [
          { uri: KW1, idleSince: 5 },
          { uri: KW3, idleSince: 1 },
        ],
      }),
    );
    expect(sel).toEqual({ kind: 'offer', kws: [KW1, KW3] });
  });
  it('is capped by the attempts left, longest idle first', () => {
    const sel = broadcast.select(
      input({
        eligible: [
          { uri: KW1, idleSince: 5 },
          { uri: KW2, idleSince: 9 },
          { uri: KW3, idleSince: 1 },
        ],
        limit: 2,
      }),
    );
    expect(sel).toEqual({ kind: 'offer', kws: [KW3, KW1] });
  });
  it('waits when nobody is eligible', () => {
    expect(broadcast.select(input({ eligible: [] })).kind).toBe('wait');
  });
});

describe('named', () => {
  const eligible = [
    { uri: KW1, idleSince: 10 },
    { uri: KW2, idleSince: 5 },
  ];
  it('offers the KW named by user part or URI, key matched case-insensitively', () => {
    const s = named({ key: 'KW', fallback: undefined });
    expect(s.select(input({ eligible, userData: { KW: 'kw1' } }))).toEqual({ kind: 'offer', kws: [KW1] });
    expect(s.select(input({ eligible, userData: { kw: 'sip:kw1@lab.local' } }))).toEqual({
      kind: 'offer',
      kws: [KW1],
    });
    expect(s.select(input({ eligible, userData: { Kw: '<sip:KW1@LAB.local>' } }))).toEqual({
      kind: 'offer',
      kws: [KW1],
    });
  });
  it('uses the configured key', () => {
    const s = named({ key: 'Expert', fallback: undefined });
    expect(s.select(input({ eligible, userData: { KW: 'kw1', Expert: 'kw2' } }))).toEqual({
      kind: 'offer',
      kws: [KW2],
    });
  });
  it('falls back when the named KW is not eligible', () => {
    const s = named({ key: 'KW', fallback: longestIdle });
    expect(s.select(input({ eligible, userData: { KW: 'kw3' } }))).toEqual({ kind: 'offer', kws: [KW2] });
    expect(s.select(input({ eligible, userData: {} }))).toEqual({ kind: 'offer', kws: [KW2] });
  });
  it('without fallback waits for a named member who may become eligible', () => {
    const s = named({ key: 'KW', fallback: undefined });
    expect(s.select(input({ eligible, userData: { KW: 'kw3' } })).kind).toBe('wait');
  });
  it('without fallback gives up when the KW can never be offered', () => {
    const s = named({ key: 'KW', fallback: undefined });
    expect(s.select(input({ eligible, userData: {} })).kind).toBe('give-up');
    expect(s.select(input({ eligible, userData: { KW: 'nobody' } })).kind).toBe('give-up');
    expect(s.select(input({ eligible: [], userData: { KW: 'kw3' }, offered: new Set([KW3]) })).kind).toBe(
      'give-up',
    );
  });
  it('resolves member names', () => {
    expect(resolveNamedMember('kw2', MEMBERS)).toBe(KW2);
    expect(resolveNamedMember('sip:kw2@lab.local;transport=ws', MEMBERS)).toBe(KW2);
    expect(resolveNamedMember('sip:kw2@other.example', MEMBERS)).toBeUndefined();
    expect(resolveNamedMember('  ', MEMBERS)).toBeUndefined();
  });
});

describe('strategyFor', () => {
  it('builds the strategy a routing point names', () => {
    expect(strategyFor({ strategy: 'longest-idle', fallback: undefined, namedKey: 'KW' })).toBe(longestIdle);
    expect(strategyFor({ strategy: 'round-robin', fallback: undefined, namedKey: 'KW' })).toBe(roundRobin);
    expect(strategyFor({ strategy: 'broadcast', fallback: undefined, namedKey: 'KW' })).toBe(broadcast);
    expect(strategyFor({ strategy: 'named', fallback: 'round-robin', namedKey: 'KW' }).name).toBe(
      'named (fallback round-robin)',
    );
  });
});
