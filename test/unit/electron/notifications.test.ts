import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { PreviewNotifier } from '../../../main/electron/notifications.js';
import { FakeNotification } from './fake-electron.js';
import { preview } from './fixtures.js';

function setup(visible: boolean, supported = true) {
  const notifications: FakeNotification[] = [];
  const shownMain: string[] = [];
  const state = { visible };
  const notifier = new PreviewNotifier({
    createNotification: (options) => {
      const n = new FakeNotification(options);
      notifications.push(n);
      return n;
    },
    isSupported: () => supported,
    canShowPreviews: () => state.visible,
    showMain: (id) => shownMain.push(id),
    logger: memoryLogger().logger,
  });
  return { notifier, notifications, shownMain, state };
}

describe('PreviewNotifier', () => {
  it('escalate: a notification even while the popup is visible, once per request', () => {
    const { notifier, notifications } = setup(true);
    notifier.update([preview('a-1')]);
    expect(notifications).toEqual([]);
    notifier.escalate(preview('a-1'));
    notifier.escalate(preview('a-1'));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.shown).toBe(true);
    notifier.update([]);
    expect(notifications[0]?.closed).toBe(true);
  });

  it('no notification while the popup can be seen', () => {
    const { notifier, notifications } = setup(true);
    notifier.update([preview('a-1')]);
    expect(notifications).toEqual([]);
  });

  it('a native notification per new preview when the popup cannot be seen; a click shows the main window', () => {
    const { notifier, notifications, shownMain } = setup(false);
    notifier.update([preview('a-1', 'Invoice dispute')]);
    notifier.update([preview('a-1', 'Invoice dispute')]);
    expect(notifications).toHaveLength(1);
    const n = notifications[0];
    expect(n?.shown).toBe(true);
    expect(n?.options.title).toBe('Alex Agent: Invoice dispute');
    expect(n?.options.body).toContain('invoice 42');
    n?.emit('click');
    expect(shownMain).toEqual(['a-1']);
    notifier.update([preview('a-1'), preview('a-2')]);
    expect(notifications).toHaveLength(2);
  });

  it('closes the notification when its preview is gone', () => {
    const { notifier, notifications } = setup(false);
    notifier.update([preview('a-1')]);
    notifier.update([]);
    expect(notifications[0]?.closed).toBe(true);
  });

  it('does nothing natively where notifications are unsupported', () => {
    const { notifier, notifications } = setup(false, false);
    notifier.update([preview('a-1')]);
    expect(notifications).toEqual([]);
  });
});
