/**
 * The tray: icon, tooltip and context menu from the pure model
 * (tray-model.ts), rebuilt only when the model changes (on a status event,
 * like Signal does). Image and menu types stay Electron's (NativeImage, Menu)
 * in the app and are opaque here, so tests use plain values.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ManualState } from '../../wire/presence/manual-states.js';
import type { Logger } from '../core/log.js';
import {
  sameTrayModel,
  trayModel,
  type TrayAction,
  type TrayIconKey,
  type TrayModel,
  type TrayStatus,
} from './tray-model.js';
import { trayIconPng } from './tray-icons.js';

export interface ShellTray<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(tooltip: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayActions {
  setPresence(state: ManualState): Promise<unknown>;
  /** Do not disturb for `minutes`, then back to the state before. */
  setDndFor(minutes: number): Promise<unknown>;
  hangup(callId: string): Promise<unknown>;
  openMain(): void;
  /** The main window on the Requests section (the "N missed requests" item). */
  openRequests(): void;
  quit(): void;
}

export interface TrayDeps<Image, Menu> {
  readonly createTray: (image: Image) => ShellTray<Image, Menu>;
  readonly buildMenu: (template: MenuItemConstructorOptions[]) => Menu;
  /** A 16 px (1x) and 32 px (2x) PNG of the same icon → one image. */
  readonly createImage: (png1x: Buffer, png2x: Buffer) => Image;
  readonly actions: TrayActions;
  readonly logger: Logger;
  /** The flash's timer (tests pass a fake); default setInterval. */
  readonly timers?: {
    setInterval(fn: () => void, ms: number): unknown;
    clearInterval(handle: unknown): void;
  };
}

/** How often a flashing tray icon alternates. */
export const FLASH_MS = 600;

/** The Electron menu template of a model, with the actions bound. */
export function menuTemplate(
  model: TrayModel,
  run: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return model.items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'radio':
        return { type: 'radio', label: item.label, checked: item.checked, click: () => run(item.action) };
      case 'normal':
        return { label: item.label, click: () => run(item.action) };
    }
  });
}

export class TrayController<Image, Menu> {
  private tray: ShellTray<Image, Menu> | undefined;
  private model: TrayModel | undefined;
  private readonly images = new Map<TrayIconKey, Image>();
  private flashTimer: unknown;
  private flashOn = false;
  /** How many times the menu was built (tests, and a debug log). */
  rebuilds = 0;

  constructor(private readonly deps: TrayDeps<Image, Menu>) {}

  update(status: TrayStatus): void {
    const model = trayModel(status);
    if (this.model && sameTrayModel(this.model, model)) return;
    const previous = this.model;
    this.model = model;
    const image = this.image(model.icon);
    if (!this.tray) {
      this.tray = this.deps.createTray(image);
      this.tray.on('click', () => this.deps.actions.openMain());
    } else if (previous?.icon !== model.icon) {
      this.tray.setImage(image);
    }
    this.setFlash(model.flash === true);
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(this.deps.buildMenu(menuTemplate(model, (action) => this.run(action))));
    this.rebuilds += 1;
  }

  dispose(): void {
    this.setFlash(false);
    this.tray?.destroy();
    this.tray = undefined;
    this.model = undefined;
  }

  /** Alternates the icon with the attention icon while a request waits unseen; the state icon after. */
  private setFlash(on: boolean): void {
    const timers = this.deps.timers ?? {
      setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
      clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
    };
    if (on && this.flashTimer === undefined) {
      this.flashTimer = timers.setInterval(() => {
        const model = this.model;
        if (!model) return;
        this.flashOn = !this.flashOn;
        this.tray?.setImage(this.image(this.flashOn ? 'attention' : model.icon));
      }, FLASH_MS);
    } else if (!on && this.flashTimer !== undefined) {
      timers.clearInterval(this.flashTimer);
      this.flashTimer = undefined;
      if (this.flashOn && this.model) this.tray?.setImage(this.image(this.model.icon));
      this.flashOn = false;
    }
  }

  private run(action: TrayAction): void {
    switch (action.kind) {
      case 'presence':
        this.deps.actions.setPresence(action.state).catch((error: unknown) => {
          this.deps.logger.warn('presence from the tray failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        });
        return;
      case 'dnd-for':
        this.deps.actions.setDndFor(action.minutes).catch((error: unknown) => {
          this.deps.logger.warn('timed Do not disturb from the tray failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        });
        return;
      case 'hangup':
        this.deps.actions.hangup(action.callId).catch((error: unknown) => {
          this.deps.logger.warn('hang up from the tray failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        });
        return;
      case 'open':
        this.deps.actions.openMain();
        return;
      case 'requests':
        this.deps.actions.openRequests();
        return;
      case 'quit':
        this.deps.actions.quit();
        return;
    }
  }

  private image(key: TrayIconKey): Image {
    let image = this.images.get(key);
    if (image === undefined) {
      image = this.deps.createImage(trayIconPng(key, 16), trayIconPng(key, 32));
      this.images.set(key, image);
    }
    return image;
  }
}
