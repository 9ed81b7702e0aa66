import { describe, expect, it } from 'vitest';
import {
  effectiveState,
  presenceDocument,
  MANUAL_STATES,
  type ManualState,
} from '../../../wire/presence/states.js';
import { encodePidf, parsePidf } from '../../../wire/presence/pidf.js';
import { routingStateOf, describeRoutingState } from '../../../wire/presence/routing-state.js';
import { IdleWatcher } from '../../../main/core/presence/idle-watcher.js';

const none = { inCall: false, idle: false, locked: false };

function routerSees(state: Parameters<typeof presenceDocument>[1]) {
  const parsed = parsePidf(encodePidf(presenceDocument('sip:kw1@lab.local', state)));
  if (!parsed.ok) throw new Error(parsed.error);
  return routingStateOf(parsed.value);
}

describe('presence states', () => {
  it('publishes each state so that the router maps it as the design says', () => {
    expect(routerSees('available')).toEqual({ kind: 'Ready' });
    expect(routerSees('busy')).toEqual({ kind: 'NotReady', reason: 'busy' });
    expect(routerSees('dnd')).toEqual({ kind: 'NotReady', reason: 'dnd' });
    expect(routerSees('brb')).toEqual({ kind: 'NotReady', reason: 'away' });
    expect(routerSees('away')).toEqual({ kind: 'NotReady', reason: 'away' });
    expect(routerSees('on-the-phone')).toEqual({ kind: 'NotReady', reason: 'on-the-phone' });
    expect(routerSees('offline')).toEqual({ kind: 'LoggedOut' });
  });

  it('a call overrides Available/Busy/BRB/Away, not DND or Appear offline', () => {
    const inCall = { ...none, inCall: true };
    const results = Object.fromEntries(MANUAL_STATES.map((m: ManualState) => [m, effectiveState(m, inCall)]));
    expect(results).toEqual({
      available: 'on-the-phone',
      busy: 'on-the-phone',
      dnd: 'dnd',
      brb: 'on-the-phone',
      away: 'on-the-phone',
      offline: 'offline',
    });
  });

  it('idle and lock turn Available and Busy into Away and give them back after', () => {
    expect(effectiveState('available', { ...none, idle: true })).toBe('away');
    expect(effectiveState('busy', { ...none, locked: true })).toBe('away');
    expect(effectiveState('brb', { ...none, idle: true })).toBe('brb');
    expect(effectiveState('available', none)).toBe('available');
    expect(effectiveState('available', { inCall: true, idle: true, locked: true })).toBe('on-the-phone');
  });

  it('a configurable table can make an activity Ready or LoggedOut', () => {
    const parsed = parsePidf(encodePidf(presenceDocument('sip:kw1@lab.local', 'away')));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(routingStateOf(parsed.value, { away: 'LoggedOut' })).toEqual({ kind: 'LoggedOut' });
    expect(routingStateOf(undefined)).toEqual({ kind: 'LoggedOut' });
    expect(describeRoutingState({ kind: 'NotReady', reason: 'busy' })).toMatch(/Not Ready \(busy\)/);
  });
});

describe('IdleWatcher', () => {
  it('reports idle after the threshold and active again, once per change', () => {
    let idleSeconds = 0;
    let tick: () => void = () => undefined;
    const changes: boolean[] = [];
    const w = new IdleWatcher(
      { idleSeconds: () => idleSeconds },
      () => 5,
      (idle) => changes.push(idle),
      {
        setInterval: (fn) => {
          tick = fn;
          return 1;
        },
        clearInterval: () => undefined,
      },
    );
    w.start();
    tick();
    idleSeconds = 299;
    tick();
    idleSeconds = 300;
    tick();
    tick();
    idleSeconds = 1;
    tick();
    expect(changes).toEqual([true, false]);
  });

  it('never reports idle when the threshold is 0 (off)', () => {
    const changes: boolean[] = [];
    const w = new IdleWatcher(
      { idleSeconds: () => 10_000 },
      () => 0,
      (i) => changes.push(i),
      {
        setInterval: () => 1,
        clearInterval: () => undefined,
      },
    );
    w.check();
    expect(changes).toEqual([]);
  });
});
