import { describe, expect, it } from 'vitest';
import { dispatchInbound } from '../../../main/core/inbound-dispatch.js';
import { PreviewInbox } from '../../../main/core/previews/preview-inbox.js';
import { PauseNotices } from '../../../main/core/previews/pause-notices.js';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { ControlInput, ControlType } from '../../../wire/control.js';
import { encodeControlMessage } from '../../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../../wire/content-types.js';
import type { IncomingSipMessage } from '../../../main/core/sip/agent.js';
import { pausedView } from '../../../main/app/views.js';
import { trayModel } from '../../../main/electron/tray-model.js';
import { FakeClock } from '../../support/fake-clock.js';

const ID = '11111111-1111-4111-8111-111111111111';
const RP = 'sip:billing@lab.local';
const MALLORY = 'sip:mallory@lab.local';

function setup() {
  const clock = new FakeClock();
  const log = memoryLogger();
  const sent: Array<{ to: string; type: ControlType; fields: unknown }> = [];
  const sender = {
    send: <K extends ControlType>(to: string, type: K, fields: ControlInput<K>) => {
      sent.push({ to, type, fields });
      return Promise.resolve();
    },
  };
  const trustedRoutingPoints = new TrustedRoutingPoints([RP]);
  const pauses = new PauseNotices(sender, log.logger);
  const targets = {
    previews: new PreviewInbox({ sender, logger: log.logger, clock }),
    conversations: new ConversationService({
      transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
      control: sender,
      history: new MemoryHistoryStore(),
      logger: log.logger,
      clock,
      trustedRoutingPoints,
    }),
    trustedRoutingPoints,
    logger: log.logger,
    pauses,
  };
  const deliver = (from: string, routingPoint = RP) => {
    const body = encodeControlMessage('paused', {
      interactionId: ID,
      routingPoint,
      displayName: 'Billing experts',
      reason: 'missed-requests',
      missed: 3,
    });
    const message: IncomingSipMessage = {
      from: { uri: from, displayName: undefined },
      to: 'sip:kw1@lab.local',
      contentType: CONTROL_CONTENT_TYPE,
      body,
      header: (n) => (n.toLowerCase() === 'x-interaction-id' ? ID : undefined),
      raw: '',
    };
    return dispatchInbound(message, targets);
  };
  return { deliver, pauses, sent };
}

describe('the KW Desktop paused by a routing point (issue 16)', () => {
  it('shows the notice from a trusted routing point, in the status view and the tray', () => {
    const t = setup();
    expect(t.deliver(RP)).toEqual({ status: 200 });
    const view = pausedView(t.pauses.list());
    expect(view).toEqual({
      paused: { sentence: 'You missed 3 requests, so Billing experts stopped sending you requests.' },
    });
    const tray = trayModel({
      presence: { manual: 'available', effective: 'available', published: true },
      connection: { phase: 'registered', text: 'Connected' },
      ...view,
    });
    expect(tray.items).toContainEqual({ type: 'label', label: view.paused?.sentence });
  });

  it('refuses a paused from anyone else, or naming another routing point, and shows nothing', () => {
    const t = setup();
    expect(t.deliver(MALLORY, MALLORY)).toEqual({ status: 403, reason: 'Not A Trusted Routing Point' });
    expect(t.deliver(RP, 'sip:claims@lab.local')).toMatchObject({ status: 403 });
    expect(t.pauses.list()).toEqual([]);
    expect(pausedView(t.pauses.list())).toEqual({});
  });

  it('"Receive requests again" sends resume to the routing point and clears the notice', async () => {
    const t = setup();
    t.deliver(RP);
    await t.pauses.resumeAll();
    expect(t.sent).toEqual([{ to: RP, type: 'resume', fields: { interactionId: ID } }]);
    expect(t.pauses.list()).toEqual([]);
    await t.pauses.resumeAll();
    expect(t.sent).toHaveLength(1);
  });
});
