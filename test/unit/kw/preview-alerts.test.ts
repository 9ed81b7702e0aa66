/**
 * Alerts that reach the KW (issue 16, point 5) on a fake clock: an unseen
 * request reaches level 2 (chime again louder, the tray flashes) and 3 (a
 * native notification joins); seeing it, answering it or its end stops them.
 */
import { describe, expect, it } from 'vitest';
import { PreviewInbox } from '../../../main/core/previews/preview-inbox.js';
import {
  ALERT_STEPS_MS,
  PreviewAlerts,
  type AlertSteps,
  type PreviewAlert,
} from '../../../main/core/previews/preview-alerts.js';
import type { Preview } from '../../../wire/control.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeClock } from '../../support/fake-clock.js';

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';

function preview(clock: FakeClock, id: string): Preview {
  return {
    v: 1,
    type: 'preview',
    interactionId: id,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    routingPoint: 'sip:billing@lab.local',
    subject: 'Refund',
    text: 'Can you help?',
    userData: {},
    expiresAt: new Date(clock.now() + 60_000).toISOString(),
  };
}

function setup(steps?: AlertSteps) {
  const clock = new FakeClock();
  const logger = memoryLogger('warn').logger;
  const inbox = new PreviewInbox({ sender: { send: () => Promise.resolve() }, logger, clock });
  const alerts = new PreviewAlerts(inbox, logger, clock, steps);
  const seen: Array<PreviewAlert | 'calm'> = [];
  alerts.on('alert', (a) => seen.push(a));
  alerts.on('calm', () => seen.push('calm'));
  return { clock, inbox, alerts, seen };
}

describe('alerts for an unseen request', () => {
  it('level 2 after 8 s, level 3 after 16 s; calm when it ends', async () => {
    const { clock, inbox, alerts, seen } = setup();
    inbox.receive(preview(clock, ID1));
    clock.advance(ALERT_STEPS_MS[2] - 1);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([{ interactionId: ID1, level: 2 }]);
    expect(alerts.isAlerting()).toBe(true);
    clock.advance(ALERT_STEPS_MS[3] - ALERT_STEPS_MS[2]);
    expect(seen).toEqual([
      { interactionId: ID1, level: 2 },
      { interactionId: ID1, level: 3 },
    ]);
    await inbox.decline(ID1);
    expect(seen.at(-1)).toBe('calm');
    expect(alerts.isAlerting()).toBe(false);
  });

  it('seen before level 2: no alert at all; seen later: no level 3, and calm', () => {
    const { clock, inbox, alerts, seen } = setup();
    inbox.receive(preview(clock, ID1));
    inbox.receive(preview(clock, ID2));
    alerts.markSeen(ID1);
    clock.advance(ALERT_STEPS_MS[2]);
    expect(seen).toEqual([{ interactionId: ID2, level: 2 }]);
    alerts.markSeen(ID2);
    clock.advance(60_000);
    expect(seen).toEqual([{ interactionId: ID2, level: 2 }, 'calm']);
  });

  it('an unknown or already seen id changes nothing', () => {
    const { alerts, seen } = setup();
    alerts.markSeen(ID1);
    expect(seen).toEqual([]);
  });

  it("the product's levels are 8 s and 16 s; the steps a test harness gives replace them", () => {
    // The e2e runs on shortened steps (alertStepsMs): the product's own figures are pinned here.
    expect(ALERT_STEPS_MS).toEqual({ 2: 8_000, 3: 16_000 });
    const { clock, inbox, seen } = setup({ 2: 300, 3: 700 });
    inbox.receive(preview(clock, ID1));
    clock.advance(299);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([{ interactionId: ID1, level: 2 }]);
    clock.advance(400);
    expect(seen).toEqual([
      { interactionId: ID1, level: 2 },
      { interactionId: ID1, level: 3 },
    ]);
  });
});
