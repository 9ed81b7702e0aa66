import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { IpcGateway } from '../../../main/electron/ipc-gateway.js';
import { IPC_CHANNELS } from '../../../preload/ipc-channels.js';
import {
  COMMAND_NAMES,
  WINDOW_COMMANDS,
  type CommandName,
  type WindowKind,
} from '../../../preload/contract.js';
import { FakeFrame, FakeIpcMain, FakeWebContents } from './fake-electron.js';
import { recordingHandlers, SNAPSHOT, status } from './fixtures.js';

function setup() {
  const ipcMain = new FakeIpcMain();
  const { handlers, calls } = recordingHandlers();
  const { logger, records } = memoryLogger();
  const pending: Array<() => void> = [];
  const gateway = new IpcGateway({ ipcMain, handlers, logger, afterReply: (fn) => pending.push(fn) });
  gateway.start();
  const main = new FakeWebContents('app://kw/main.html');
  const preview = new FakeWebContents('app://kw/preview.html');
  gateway.attach(main, 'main');
  gateway.attach(preview, 'preview');
  /** Electron sends the reply, then our deferred flush runs. */
  const replySent = (): void => {
    for (const fn of pending.splice(0)) fn();
  };
  return { ipcMain, gateway, calls, records, main, preview, replySent };
}

const presenceSet = { name: 'presence.set', input: { state: 'busy' } };

const ID = '5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
/** A valid input for every command (app.ready's is per window). */
const VALID_INPUTS: Record<CommandName, unknown> = {
  'app.ready': { window: 'main' },
  'connection.retry': {},
  'presence.set': { state: 'busy' },
  'previews.accept': { interactionId: ID },
  'previews.decline': { interactionId: ID },
  'previews.seen': { interactionId: ID },
  'chats.send': { interactionId: ID, text: 'hi' },
  'chats.retry': { interactionId: ID, messageId: 'm-1' },
  'chats.typing': { interactionId: ID, active: true },
  'chats.end': { interactionId: ID },
  'chats.open': { interactionId: ID },
  'settings.get': {},
  'provisioning.open': { url: 'https://prov.example.com/kw1.json' },
  'provisioning.apply': { password: 'pw' },
  'provisioning.cancel': {},
  'settings.save': {
    account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim' },
    servers: ['ws://127.0.0.1:5080'],
    idleMinutes: 10,
    startAtLogin: false,
    sounds: true,
    trustedRoutingPoints: [],
  },
  'links.open': { url: 'https://example.com/' },
  'calls.answer': { callId: 'c-1' },
  'calls.decline': { callId: 'c-1' },
  'calls.hangup': { callId: 'c-1' },
  'calls.mute': { callId: 'c-1', muted: true },
  'calls.hold': { callId: 'c-1', held: true },
  'calls.dtmf': { callId: 'c-1', tones: '42#' },
  'devices.list': {},
  'devices.select': { input: 'mic' },
  'requests.markSeen': {},
  'windows.showMain': {},
  'history.export': { interactionId: ID, format: 'html' },
  'history.keepAside': {},
  'app.quit': {},
};

describe('IpcGateway: commands', () => {
  it('registers one invoke channel and runs a valid command from our window', async () => {
    const { ipcMain, calls, main } = setup();
    expect([...ipcMain.handlers.keys()]).toEqual([IPC_CHANNELS.invoke]);
    const result = await ipcMain.invoke(IPC_CHANNELS.invoke, main.invokeEvent(), presenceSet);
    expect(result).toEqual({ ok: true, value: null });
    expect(calls).toEqual([{ name: 'presence.set', input: { state: 'busy' } }]);
  });

  it('returns the handler result (app.ready → snapshot)', async () => {
    const { ipcMain, preview } = setup();
    const result = await ipcMain.invoke(IPC_CHANNELS.invoke, preview.invokeEvent(), {
      name: 'app.ready',
      input: { window: 'preview' },
    });
    expect(result).toEqual({ ok: true, value: SNAPSHOT });
  });

  const badSenders: Array<
    [string, (ctx: ReturnType<typeof setup>) => ReturnType<FakeWebContents['invokeEvent']>]
  > = [
    ['an unknown webContents', () => new FakeWebContents('app://kw/main.html').invokeEvent()],
    [
      'a subframe of our page (same origin)',
      ({ main }) => main.invokeEvent(main.subframe('app://kw/main.html')),
    ],
    [
      'a subframe with a foreign origin',
      ({ main }) => main.invokeEvent(main.subframe('https://evil.example/')),
    ],
    [
      'another top frame claiming our webContents',
      ({ main }) => main.invokeEvent(new FakeFrame('app://kw/main.html', 999, 7)),
    ],
    ['no sender frame (navigated away)', ({ main }) => main.invokeEvent(null)],
    [
      'a foreign URL in our window',
      ({ main }) => {
        main.mainFrame.url = 'https://evil.example/main.html';
        return main.invokeEvent();
      },
    ],
    [
      'a file:// page in our window',
      ({ main }) => {
        main.mainFrame.url = 'file:///opt/kw/dist/renderer/main.html';
        return main.invokeEvent();
      },
    ],
    [
      'our origin with another host',
      ({ main }) => {
        main.mainFrame.url = 'app://evil/main.html';
        return main.invokeEvent();
      },
    ],
    [
      "the other window's page in this window",
      ({ main }) => {
        main.mainFrame.url = 'app://kw/preview.html';
        return main.invokeEvent();
      },
    ],
    [
      'a destroyed webContents',
      ({ main }) => {
        main.destroyed = true;
        return main.invokeEvent();
      },
    ],
  ];

  for (const [label, makeEvent] of badSenders) {
    it(`refuses ${label}: rejects, logs, runs nothing`, async () => {
      const ctx = setup();
      await expect(ctx.ipcMain.invoke(IPC_CHANNELS.invoke, makeEvent(ctx), presenceSet)).rejects.toThrow(
        /refused/,
      );
      expect(ctx.calls).toEqual([]);
      expect(ctx.records.some((r) => r.level === 'warn' && r.msg === 'ipc refused: bad sender')).toBe(true);
    });
  }

  it("accepts the call popup's commands from call.html, and only from it", async () => {
    const ctx = setup();
    const call = new FakeWebContents('app://kw/call.html');
    ctx.gateway.attach(call, 'call');
    const answer = { name: 'calls.answer', input: { callId: 'c-1' } };
    expect(await ctx.ipcMain.invoke(IPC_CHANNELS.invoke, call.invokeEvent(), answer)).toEqual({
      ok: true,
      value: null,
    });
    expect(ctx.calls).toEqual([{ name: 'calls.answer', input: { callId: 'c-1' } }]);
    call.mainFrame.url = 'app://kw/media.html';
    await expect(ctx.ipcMain.invoke(IPC_CHANNELS.invoke, call.invokeEvent(), answer)).rejects.toThrow(
      /refused/,
    );
    // A call window showing the main page is refused too: the page must match the window's kind.
    call.mainFrame.url = 'app://kw/main.html';
    await expect(ctx.ipcMain.invoke(IPC_CHANNELS.invoke, call.invokeEvent(), answer)).rejects.toThrow(
      /refused/,
    );
    expect(ctx.calls).toHaveLength(1);
  });

  it('the preview window may not save settings: a sentence, logged with the window, nothing runs', async () => {
    const { ipcMain, calls, preview, records } = setup();
    const save = {
      name: 'settings.save',
      input: {
        account: { uri: 'sip:mallory@lab.local', authUser: '', displayName: 'M', password: 'x' },
        servers: ['ws://evil.example'],
        idleMinutes: 0,
        startAtLogin: true,
        sounds: false,
        trustedRoutingPoints: ['sip:mallory@lab.local'],
      },
    };
    const result = await ipcMain.invoke(IPC_CHANNELS.invoke, preview.invokeEvent(), save);
    expect(result).toEqual({ ok: false, error: 'the preview window may not call settings.save' });
    expect(calls).toEqual([]);
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'command refused',
        fields: expect.objectContaining({ command: 'settings.save', window: 'preview' }) as unknown,
      }),
    );
  });

  it('each window runs exactly the commands of its kind (WINDOW_COMMANDS), whatever it is sent', async () => {
    const ctx = setup();
    const call = new FakeWebContents('app://kw/call.html');
    ctx.gateway.attach(call, 'call');
    const windows = { main: ctx.main, preview: ctx.preview, call } as const;
    for (const [kind, contents] of Object.entries(windows) as Array<[WindowKind, FakeWebContents]>) {
      for (const name of COMMAND_NAMES) {
        ctx.calls.splice(0);
        const input = name === 'app.ready' ? { window: kind } : VALID_INPUTS[name];
        const result = await ctx.ipcMain.invoke(IPC_CHANNELS.invoke, contents.invokeEvent(), { name, input });
        const allowed = WINDOW_COMMANDS[kind].includes(name);
        if (allowed)
          expect(
            ctx.calls.map((c) => c.name),
            `${kind} ${name}`,
          ).toEqual([name]);
        else {
          expect(result, `${kind} ${name}`).toEqual({
            ok: false,
            error: `the ${kind} window may not call ${name}`,
          });
          expect(ctx.calls).toEqual([]);
        }
      }
    }
    // The popups are small: neither may change settings, presence or chats.
    for (const name of ['settings.save', 'presence.set', 'chats.send', 'devices.select'] as const) {
      expect(WINDOW_COMMANDS.preview).not.toContain(name);
      expect(WINDOW_COMMANDS.call).not.toContain(name);
    }
  });

  it('a window is what it was attached as: the preview page cannot start as the main window', async () => {
    const { ipcMain, calls, preview } = setup();
    const result = await ipcMain.invoke(IPC_CHANNELS.invoke, preview.invokeEvent(), {
      name: 'app.ready',
      input: { window: 'main' },
    });
    expect(result).toEqual({ ok: false, error: 'the preview window may not start as the main window' });
    expect(calls).toEqual([]);
  });

  const malformed: Array<[string, unknown]> = [
    ['a string', 'presence.set'],
    ['null', null],
    ['no name', { input: { state: 'busy' } }],
    ['a non-string name', { name: 42, input: {} }],
    ['an extra envelope field', { ...presenceSet, channel: 'x' }],
  ];
  for (const [label, request] of malformed) {
    it(`rejects a malformed request (${label}) without running anything`, async () => {
      const { ipcMain, calls, main, records } = setup();
      await expect(ipcMain.invoke(IPC_CHANNELS.invoke, main.invokeEvent(), request)).rejects.toThrow(
        /malformed/,
      );
      expect(calls).toEqual([]);
      expect(records.some((r) => r.msg === 'ipc refused: malformed request')).toBe(true);
    });
  }

  const badCommands: Array<[string, unknown, RegExp]> = [
    ['an unknown command', { name: 'shell.exec', input: {} }, /unknown command/],
    ['a prototype key as command', { name: 'constructor', input: {} }, /unknown command/],
    [
      'a wrong type',
      { name: 'presence.set', input: { state: 7 } },
      /invalid input for presence.set at state/,
    ],
    ['a value outside the picklist', { name: 'presence.set', input: { state: 'root' } }, /at state/],
    ['an extra field', { name: 'presence.set', input: { state: 'busy', admin: true } }, /invalid input/],
    ['a missing input', { name: 'previews.accept' }, /invalid input for previews.accept/],
    ['a bad id', { name: 'previews.accept', input: { interactionId: '../etc/passwd' } }, /interactionId/],
  ];
  for (const [label, request, error] of badCommands) {
    it(`refuses ${label} with an error and does not call the handler`, async () => {
      const { ipcMain, calls, main, records } = setup();
      const result = await ipcMain.invoke(IPC_CHANNELS.invoke, main.invokeEvent(), request);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.error).toMatch(error);
      expect(calls).toEqual([]);
      expect(records.some((r) => r.msg === 'command refused')).toBe(true);
    });
  }

  it('stop() removes the channel', () => {
    const { ipcMain, gateway } = setup();
    gateway.stop();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('IpcGateway: events', () => {
  const ready = (ctx: ReturnType<typeof setup>, contents: FakeWebContents, window: 'main' | 'preview') =>
    ctx.ipcMain.invoke(IPC_CHANNELS.invoke, contents.invokeEvent(), { name: 'app.ready', input: { window } });

  it('queues events per window until its renderer is ready, then flushes them in order after the reply', async () => {
    const ctx = setup();
    const { gateway, main, preview } = ctx;
    gateway.publish('status', status('busy'));
    gateway.publish('typing', { interactionId: 'a-1', active: true });
    gateway.publish('focus', { interactionId: 'a-1' });
    expect(main.sent).toEqual([]);
    expect(preview.sent).toEqual([]);

    await ready(ctx, main, 'main');
    expect(main.sent).toEqual([]); // the reply goes first
    gateway.publish('status', status('away')); // still queued behind the others
    ctx.replySent();
    expect(main.sent.map((s) => s.channel)).toEqual([
      IPC_CHANNELS.event,
      IPC_CHANNELS.event,
      IPC_CHANNELS.event,
      IPC_CHANNELS.event,
    ]);
    expect(main.sent.map((s) => s.message)).toEqual([
      { event: 'status', payload: status('busy') },
      { event: 'typing', payload: { interactionId: 'a-1', active: true } },
      { event: 'focus', payload: { interactionId: 'a-1' } },
      { event: 'status', payload: status('away') },
    ]);
    expect(gateway.isReady(main.id)).toBe(true);
    expect(gateway.isReady(preview.id)).toBe(false);
    expect(preview.sent).toEqual([]);

    gateway.publish('status', status('dnd'));
    expect(main.sent.at(-1)?.message).toEqual({ event: 'status', payload: status('dnd') });
    expect(preview.sent).toEqual([]);

    await ready(ctx, preview, 'preview');
    ctx.replySent();
    expect(preview.sent.map((s) => (s.message as { event: string }).event)).toEqual([
      'status',
      'typing',
      'focus',
      'status',
      'status',
    ]);
  });

  it('a failed app.ready does not open the gate', async () => {
    const ctx = setup();
    ctx.gateway.publish('status', status());
    await ctx.ipcMain.invoke(IPC_CHANNELS.invoke, ctx.main.invokeEvent(), {
      name: 'app.ready',
      input: { window: 'x' },
    });
    ctx.replySent();
    expect(ctx.main.sent).toEqual([]);
    expect(ctx.gateway.isReady(ctx.main.id)).toBe(false);
  });

  it('a reload (navigation) queues again until the new page is ready', async () => {
    const ctx = setup();
    await ready(ctx, ctx.main, 'main');
    ctx.replySent();
    ctx.main.emit('did-navigate');
    ctx.gateway.publish('status', status('brb'));
    expect(ctx.main.sent).toEqual([]);
    await ready(ctx, ctx.main, 'main');
    ctx.replySent();
    expect(ctx.main.sent.map((s) => s.message)).toEqual([{ event: 'status', payload: status('brb') }]);
  });

  it('forgets a destroyed window and never sends to it', async () => {
    const ctx = setup();
    await ready(ctx, ctx.main, 'main');
    ctx.replySent();
    ctx.main.destroyed = true;
    ctx.main.emit('destroyed');
    ctx.gateway.publish('status', status());
    expect(ctx.main.sent).toEqual([]);
    expect(ctx.gateway.isReady(ctx.main.id)).toBe(false);
  });

  it('bounds the queue of a window that never gets ready (oldest dropped, logged on ready)', async () => {
    const ipcMain = new FakeIpcMain();
    const { logger, records } = memoryLogger();
    const gateway = new IpcGateway({
      ipcMain,
      handlers: recordingHandlers().handlers,
      logger,
      afterReply: (fn) => fn(),
      maxQueued: 3,
    });
    gateway.start();
    const main = new FakeWebContents('app://kw/main.html');
    gateway.attach(main, 'main');
    for (let i = 0; i < 5; i++) gateway.publish('typing', { interactionId: `i-${i}`, active: true });
    await ipcMain.invoke(IPC_CHANNELS.invoke, main.invokeEvent(), {
      name: 'app.ready',
      input: { window: 'main' },
    });
    expect(
      main.sent.map((s) => (s.message as { payload: { interactionId: string } }).payload.interactionId),
    ).toEqual(['i-2', 'i-3', 'i-4']);
    expect(records.some((r) => r.msg === 'events dropped while a window was not ready')).toBe(true);
  });
});
