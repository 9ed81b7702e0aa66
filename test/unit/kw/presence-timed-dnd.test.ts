/**
 * Do not disturb until a time (issue 16, point 2) on a fake clock: the end
 * time is published as the activities' RPID `until`, the state before comes
 * back by itself, a restart keeps (or ends) it, and a choice in between wins.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { PresenceManager, type TimedState } from '../../../main/core/presence/presence-manager.js';
import type { Publisher, PublicationState } from '../../../main/core/sip/publisher.js';
import { parsePidf } from '../../../wire/presence/pidf.js';
import { FakeClock } from '../../support/fake-clock.js';

const MIN = 60_000;

/** The Publisher surface PresenceManager uses, recording each body. */
function fakePublisher(): { publisher: Publisher; bodies: string[] } {
  const bodies: string[] = [];
  const state: PublicationState = { kind: 'published', etag: 'e', expires: 600 };
  const publisher = {
    state,
    on: () => () => undefined,
    publish: (body: string) => {
      bodies.push(body);
      return Promise.resolve(state);
    },
  } as unknown as Publisher;
  return { publisher, bodies };
}

function manager(
  clock: FakeClock,
  initial: 'available' | 'busy' | 'dnd' = 'busy',
  initialTimed?: TimedState,
) {
  const { publisher, bodies } = fakePublisher();
  const presence = new PresenceManager({
    entity: 'sip:kw1@lab.local',
    publisher,
    logger: memoryLogger('warn').logger,
    initial,
    clock,
    ...(initialTimed ? { initialTimed } : {}),
  });
  const last = () => {
    const parsed = parsePidf(bodies.at(-1) ?? '');
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };
  return { presence, bodies, last };
}

describe('Do not disturb until a time', () => {
  it('publishes the end time, then comes back to the state before by itself', async () => {
    const clock = new FakeClock();
    const { presence, last } = manager(clock, 'busy');
    await presence.start();
    const until = clock.now() + 30 * MIN;
    await presence.setDndUntil(until);
    expect(presence.snapshot()).toMatchObject({ manual: 'dnd', until, returnTo: 'busy' });
    expect(last()).toMatchObject({ dnd: true, until: new Date(until).toISOString() });

    clock.advance(30 * MIN - 1);
    expect(presence.snapshot().manual).toBe('dnd');
    clock.advance(1);
    expect(presence.snapshot()).toEqual(expect.objectContaining({ manual: 'busy' }));
    expect(presence.snapshot()).not.toHaveProperty('until');
    expect(last()).toMatchObject({ dnd: false, activities: ['busy'] });
    expect(last()).not.toHaveProperty('until');
  });

  it('a new end time keeps the state to come back to; a manual choice in between cancels the timer', async () => {
    const clock = new FakeClock();
    const { presence } = manager(clock, 'available');
    await presence.setDndUntil(clock.now() + 30 * MIN);
    await presence.setDndUntil(clock.now() + 60 * MIN);
    expect(presence.snapshot()).toMatchObject({ returnTo: 'available', until: clock.now() + 60 * MIN });
    await presence.set('brb');
    clock.advance(2 * 60 * MIN);
    expect(presence.snapshot().manual).toBe('brb');
  });

  it('refuses an end time in the past or more than 7 days ahead, changing nothing', async () => {
    const clock = new FakeClock();
    const { presence, bodies } = manager(clock, 'available');
    expect(() => presence.setDndUntil(clock.now())).toThrow('in the next 7 days');
    expect(() => presence.setDndUntil(clock.now() + 8 * 24 * 60 * MIN)).toThrow('in the next 7 days');
    expect(presence.snapshot().manual).toBe('available');
    expect(bodies).toEqual([]);
  });

  it('after a restart: a timed DND still running goes on; one that ended while the app was closed is over', async () => {
    const clock = new FakeClock();
    const running = manager(clock, 'dnd', { until: clock.now() + 10 * MIN, returnTo: 'busy' });
    await running.presence.start();
    expect(running.last()).toMatchObject({
      dnd: true,
      until: new Date(clock.now() + 10 * MIN).toISOString(),
    });
    clock.advance(10 * MIN);
    expect(running.presence.snapshot().manual).toBe('busy');

    const ended = manager(clock, 'dnd', { until: clock.now() - 1, returnTo: 'available' });
    expect(ended.presence.snapshot().manual).toBe('available');
  });

  it('stop() cancels the timer: a stopped core publishes nothing later', async () => {
    const clock = new FakeClock();
    const { presence, bodies } = manager(clock, 'available');
    await presence.setDndUntil(clock.now() + 5 * MIN);
    const published = bodies.length;
    presence.stop();
    clock.advance(10 * MIN);
    expect(bodies).toHaveLength(published);
  });
});
