/**
 * The global accept / decline shortcuts (issue 16, point 5): off by default;
 * when the KW turns them on (Settings), Electron's globalShortcut answers the
 * oldest pending request from any app. A shortcut another app holds is not
 * registered: the KW reads why in Settings, and the other one still works.
 */
import type { GlobalShortcut } from 'electron';
import type { GlobalShortcutsPort, StoredSettings } from '../app/ports.js';
import type { Logger } from '../core/log.js';

export interface ShortcutActions {
  /** Accept / decline the oldest pending request; nothing when none is pending. */
  accept(): void;
  decline(): void;
}

export class ElectronGlobalShortcuts implements GlobalShortcutsPort {
  private registered: string[] = [];

  constructor(
    private readonly globalShortcut: Pick<GlobalShortcut, 'register' | 'unregister'>,
    private readonly actions: ShortcutActions,
    private readonly logger: Logger,
  ) {}

  apply(shortcuts: StoredSettings['globalShortcuts']): string | undefined {
    this.clear();
    if (!shortcuts) return undefined;
    const taken: string[] = [];
    for (const [accelerator, run, what] of [
      [shortcuts.accept, () => this.actions.accept(), 'accept'],
      [shortcuts.decline, () => this.actions.decline(), 'decline'],
    ] as const) {
      let ok = false;
      try {
        ok = this.globalShortcut.register(accelerator, run);
      } catch (error) {
        this.logger.warn('global shortcut refused', { accelerator, error: String(error) });
      }
      if (ok) this.registered.push(accelerator);
      else taken.push(`${accelerator} (${what})`);
    }
    this.logger.info('global shortcuts', { registered: this.registered, taken });
    if (taken.length === 0) return undefined;
    return `Another app already uses ${taken.join(' and ')}: choose another shortcut.`;
  }

  dispose(): void {
    this.clear();
  }

  private clear(): void {
    for (const accelerator of this.registered) this.globalShortcut.unregister(accelerator);
    this.registered = [];
  }
}

/** What a shortcut needs of the app: the pending requests (oldest first) and the two commands. */
export interface PreviewAnswering {
  snapshot(): { readonly status: { readonly previews: readonly { readonly interactionId: string }[] } };
  readonly handlers: {
    'previews.accept'(input: { interactionId: string }): Promise<unknown>;
    'previews.decline'(input: { interactionId: string }): Promise<unknown>;
  };
}

/** Accepts or declines the oldest pending request, if any; a failure is logged (the KW sees the popup). */
export function answerOldestPreview(
  app: PreviewAnswering,
  decision: 'accept' | 'decline',
  logger: Logger,
): void {
  const oldest = app.snapshot().status.previews[0];
  if (!oldest) {
    logger.info('global shortcut: no pending request', { decision });
    return;
  }
  const command = decision === 'accept' ? 'previews.accept' : 'previews.decline';
  app.handlers[command]({ interactionId: oldest.interactionId }).catch((error: unknown) => {
    logger.warn('global shortcut could not answer', { decision, error: String(error) });
  });
}
