/**
 * A native notification for a new preview when the popup cannot be seen
 * (the popup window is gone, hidden or its renderer is not ready — e.g. it
 * failed to show). Clicking it shows the main window on that request.
 * Notifications are kept referenced until their preview is gone (Electron
 * drops the click handler of a collected Notification) and closed then.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { PreviewView } from '../../preload/contract.js';
import type { Logger } from '../core/log.js';

export interface ShellNotification {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
  close(): void;
}

export interface PreviewNotifierDeps {
  readonly createNotification: (options: NotificationConstructorOptions) => ShellNotification;
  readonly isSupported: () => boolean;
  /** Whether the popup shows previews where the KW can see them now. */
  readonly canShowPreviews: () => boolean;
  readonly showMain: (interactionId: string) => void;
  readonly logger: Logger;
}

export function previewNotificationOptions(preview: PreviewView): NotificationConstructorOptions {
  const from = preview.agent.displayName || preview.agent.uri;
  return {
    title: preview.subject ? `${from}: ${preview.subject}` : `Expert request from ${from}`,
    body: preview.text.slice(0, 240),
    urgency: 'critical',
    timeoutType: 'never',
  };
}

export class PreviewNotifier {
  private readonly seen = new Set<string>();
  private readonly shown = new Map<string, ShellNotification>();

  constructor(private readonly deps: PreviewNotifierDeps) {}

  /** Call with the previews of every status, after the popup was updated. */
  update(previews: readonly PreviewView[]): void {
    const ids = new Set(previews.map((p) => p.interactionId));
    for (const [id, notification] of this.shown) {
      if (!ids.has(id)) {
        notification.close();
        this.shown.delete(id);
      }
    }
    for (const id of this.seen) if (!ids.has(id)) this.seen.delete(id);
    const fresh = previews.filter((p) => !this.seen.has(p.interactionId));
    for (const p of fresh) this.seen.add(p.interactionId);
    if (fresh.length === 0 || this.deps.canShowPreviews()) return;
    if (!this.deps.isSupported()) {
      this.deps.logger.warn('a preview arrived, the popup cannot be seen and notifications are unsupported');
      return;
    }
    for (const preview of fresh) {
      this.notify(preview);
      this.deps.logger.info('preview notified natively (popup not visible)', {
        interactionId: preview.interactionId,
      });
    }
  }

  private notify(preview: PreviewView): void {
    const notification = this.deps.createNotification(previewNotificationOptions(preview));
    notification.on('click', () => this.deps.showMain(preview.interactionId));
    notification.show();
    this.shown.set(preview.interactionId, notification);
  }

  /**
   * A request still unseen after its louder chime (alert level 3): a native
   * notification joins even when the popup is visible. It does not take focus.
   */
  escalate(preview: PreviewView): void {
    if (this.shown.has(preview.interactionId)) return;
    if (!this.deps.isSupported()) return;
    this.notify(preview);
    this.deps.logger.info('preview notified natively (not seen)', { interactionId: preview.interactionId });
  }

  dispose(): void {
    for (const n of this.shown.values()) n.close();
    this.shown.clear();
  }
}
