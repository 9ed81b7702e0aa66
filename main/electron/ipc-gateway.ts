/**
 * The contract's end in main: one invoke channel (`IPC_CHANNELS.invoke`,
 * payload `{ name, input }`) answered with `runCommand` (contract validation,
 * then the KwApp handler) as `{ ok, value | error }`; one event channel
 * (`IPC_CHANNELS.event`, payload `{ event, payload }`). The channel names are
 * in preload/ipc-channels.ts, shared with the preloads.
 *
 * It is the only user of `ipcMain` for the contract, not the only user of
 * `ipcMain`: the media window (media-window.ts) listens on
 * `IPC_CHANNELS.mediaFromHost` for its media host, and electron-store, when
 * main/index.ts opens the settings file, registers its own synchronous
 * `electron-store-get-data` listener (no preload exposes `ipcRenderer`, so no
 * page can send to it). main/index.ts hands `ipcMain` to the gateway and the
 * media window; nothing else in main/ touches it.
 *
 * Sender rule: a command is accepted only when
 *  1. `event.sender` is the webContents of one of our windows (its id was
 *     attached here and it is not destroyed),
 *  2. `event.senderFrame` is that webContents' *main* frame (no parent, same
 *     process and routing id as `sender.mainFrame`): a subframe is refused
 *     even when same-origin,
 *  3. the frame's URL is our own origin `app://kw` and exactly the page of
 *     that window (`/main.html`, `/preview.html` or `/call.html`); `file://`
 *     and anything else are refused.
 * The media window's channel (media-window.ts) applies the same frame rule
 * through `frameProblem`.
 * A refused sender or a malformed envelope rejects with an Error (logged,
 * nothing runs). A well-formed envelope with a bad command (unknown name,
 * wrong types, extra fields) or one its window may not call (least privilege:
 * `WINDOW_COMMANDS` in the contract, by the kind the window was attached as —
 * "the preview window may not call settings.save") is refused by runCommand,
 * which resolves `{ ok: false, error }` (the preload turns that into a
 * rejected Error with that message) without calling any handler.
 *
 * Events wait per window: from `attach()` until that window's renderer has
 * been answered `app.ready` (its snapshot), events are queued in order; after
 * the reply they are flushed in order, then sent directly. A navigation
 * (reload) of the window makes it not-ready again.
 */
import * as v from 'valibot';
import type { IpcMain, WebContents, WebFrameMain } from 'electron';
import type { CommandHandlers, EventSink } from '../app/kw-app.js';
import { runCommand, type CommandResult } from '../app/run-command.js';
import type { Logger } from '../core/log.js';
import type { EventName, EventPayload, WindowKind } from '../../preload/contract.js';
import { IPC_CHANNELS } from '../../preload/ipc-channels.js';
import { isAppUrl, PAGES } from './security.js';

/** What the gateway reads of a frame (Electron's WebFrameMain). */
export type GatewayFrame = Pick<WebFrameMain, 'url' | 'processId' | 'routingId'> & {
  readonly parent: object | null;
};

/** What the gateway uses of a window's webContents. */
export type GatewayWebContents = Pick<WebContents, 'id' | 'isDestroyed'> & {
  readonly mainFrame: GatewayFrame;
  send(channel: string, message: unknown): void;
  on(event: 'did-navigate' | 'destroyed', listener: () => void): unknown;
};

/** What the gateway reads of an invoke event (Electron's IpcMainInvokeEvent). */
export interface GatewayInvokeEvent {
  readonly sender: Pick<WebContents, 'id'>;
  readonly senderFrame: GatewayFrame | null;
}

export type GatewayIpcMain = Pick<IpcMain, 'removeHandler'> & {
  handle(
    channel: string,
    listener: (event: GatewayInvokeEvent, request: unknown) => Promise<CommandResult>,
  ): void;
};

export interface IpcGatewayOptions {
  readonly ipcMain: GatewayIpcMain;
  readonly handlers: CommandHandlers;
  readonly logger: Logger;
  /** Runs a flush after the `app.ready` reply has gone out (default: setImmediate). */
  readonly afterReply?: (fn: () => void) => void;
  /** Events kept per not-ready window; the oldest go first beyond it. */
  readonly maxQueued?: number;
}

export interface EventMessage {
  readonly event: EventName;
  readonly payload: unknown;
}

interface Attached {
  readonly contents: GatewayWebContents;
  readonly kind: WindowKind;
  ready: boolean;
  queue: EventMessage[];
  dropped: number;
}

/**
 * Why `frame` may not speak for `contents` showing `page`, or undefined when
 * it may: it must be that webContents' top frame (no parent, same process and
 * routing id as `mainFrame`: a same-origin iframe is refused too) and show
 * exactly `page` on our origin.
 */
export function frameProblem(
  contents: Pick<GatewayWebContents, 'mainFrame'>,
  frame: GatewayFrame | null,
  page: string,
): string | undefined {
  if (!frame) return 'no sender frame';
  const main = contents.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId)
    return 'not the top frame of the window';
  if (!isAppUrl(frame.url, page)) return 'not our origin or page';
  return undefined;
}

const Envelope = v.strictObject({
  name: v.pipe(v.string(), v.maxLength(64)),
  input: v.optional(v.unknown()),
});

export class IpcGateway {
  private readonly windows = new Map<number, Attached>();
  private started = false;

  constructor(private readonly options: IpcGatewayOptions) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.options.ipcMain.handle(IPC_CHANNELS.invoke, (event, request) => this.handleInvoke(event, request));
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.options.ipcMain.removeHandler(IPC_CHANNELS.invoke);
    this.windows.clear();
  }

  /** A window of ours: its renderer may send commands and will receive events once ready. */
  attach(contents: GatewayWebContents, kind: WindowKind): void {
    const entry: Attached = { contents, kind, ready: false, queue: [], dropped: 0 };
    this.windows.set(contents.id, entry);
    contents.on('did-navigate', () => {
      if (this.windows.get(contents.id) === entry) entry.ready = false;
    });
    contents.on('destroyed', () => {
      if (this.windows.get(contents.id) === entry) this.windows.delete(contents.id);
    });
  }

  /** Whether that window's renderer has said it is ready (and is still there). */
  isReady(contentsId: number): boolean {
    const entry = this.windows.get(contentsId);
    return entry !== undefined && entry.ready && !entry.contents.isDestroyed();
  }

  /** The EventSink to register with `KwApp.onEvent`. */
  readonly publish: EventSink = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    const message: EventMessage = { event, payload };
    for (const entry of this.windows.values()) this.deliver(entry, message);
  };

  /** The `IPC_CHANNELS.invoke` handler (public for tests). */
  async handleInvoke(event: GatewayInvokeEvent, request: unknown): Promise<CommandResult> {
    const entry = this.checkSender(event);
    const envelope = v.safeParse(Envelope, request);
    if (!envelope.success) {
      this.options.logger.warn('ipc refused: malformed request', { webContents: entry.contents.id });
      throw new Error('malformed request: expected { name, input }');
    }
    const { name, input } = envelope.output;
    const result = await runCommand(this.options.handlers, name, input, this.options.logger, entry.kind);
    if (name === 'app.ready' && result.ok && !entry.ready) {
      const defer = this.options.afterReply ?? ((fn: () => void) => void setImmediate(fn));
      defer(() => this.markReady(entry));
    }
    return result;
  }

  private checkSender(event: GatewayInvokeEvent): Attached {
    const refuse = (reason: string, fields: Record<string, unknown> = {}): never => {
      this.options.logger.warn('ipc refused: bad sender', {
        reason,
        webContents: event.sender.id,
        ...fields,
      });
      throw new Error(`refused: ${reason}`);
    };
    const entry = this.windows.get(event.sender.id);
    if (!entry || entry.contents.isDestroyed()) return refuse('not one of our windows');
    const problem = frameProblem(entry.contents, event.senderFrame, PAGES[entry.kind]);
    if (problem) return refuse(problem, { url: event.senderFrame?.url.slice(0, 200) });
    return entry;
  }

  private markReady(entry: Attached): void {
    if (this.windows.get(entry.contents.id) !== entry || entry.ready) return;
    entry.ready = true;
    if (entry.dropped > 0)
      this.options.logger.warn('events dropped while a window was not ready', {
        window: entry.kind,
        dropped: entry.dropped,
      });
    entry.dropped = 0;
    for (const message of entry.queue.splice(0)) this.deliver(entry, message);
  }

  private deliver(entry: Attached, message: EventMessage): void {
    if (entry.contents.isDestroyed()) return;
    if (!entry.ready) {
      entry.queue.push(message);
      const max = this.options.maxQueued ?? 1000;
      if (entry.queue.length > max) {
        entry.queue.splice(0, entry.queue.length - max);
        entry.dropped += 1;
      }
      return;
    }
    entry.contents.send(IPC_CHANNELS.event, message);
  }
}
