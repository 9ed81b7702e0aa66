import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../main/app/run-command.js';
import type { CommandHandlers } from '../../../main/app/kw-app.js';
import { safeExternalUrl } from '../../../wire/links.js';
import {
  COMMAND_NAMES,
  WINDOW_COMMANDS,
  buildKwApi,
  checkCommand,
  eventListeners,
  type CommandName,
  type WindowKind,
} from '../../../preload/contract.js';
import { memoryLogger } from '../../../main/core/log.js';

const ID = '5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';

function recordingHandlers(): { handlers: CommandHandlers; calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  const handlers = Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      (input: unknown) => {
        calls.push([name, input]);
        return Promise.resolve(null);
      },
    ]),
  ) as unknown as CommandHandlers;
  return { handlers, calls };
}

describe('runCommand', () => {
  it('runs a valid command with its validated input', async () => {
    const { handlers, calls } = recordingHandlers();
    const result = await runCommand(
      handlers,
      'chats.send',
      { interactionId: ID, text: 'hi' },
      memoryLogger().logger,
      'main',
    );
    expect(result).toEqual({ ok: true, value: null });
    expect(calls).toEqual([['chats.send', { interactionId: ID, text: 'hi' }]]);
  });

  it.each([
    ['unknown command', 'fs.readFile', { path: '/etc/passwd' }, /unknown command/],
    ['prototype key as a command', '__proto__', {}, /unknown command/],
    ['wrong type', 'presence.set', { state: 42 }, /presence\.set at state/],
    ['unknown state', 'presence.set', { state: 'invisible' }, /at state/],
    ['extra field', 'previews.accept', { interactionId: ID, admin: true }, /previews\.accept/],
    ['not an object', 'chats.end', 'x', /chats\.end/],
    ['bad id', 'chats.end', { interactionId: '../../x' }, /interactionId/],
    ['text too long', 'chats.send', { interactionId: ID, text: 'x'.repeat(4001) }, /at text/],
    ['empty text', 'chats.send', { interactionId: ID, text: '' }, /at text/],
    ['bad settings', 'settings.save', { account: { uri: 'kw1' } }, /settings\.save/],
  ])('refuses %s with a precise error, logs it, and calls nothing', async (_what, name, input, error) => {
    const { handlers, calls } = recordingHandlers();
    const log = memoryLogger();
    const result = await runCommand(handlers, name, input, log.logger, 'main');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
    expect(calls).toEqual([]);
    expect(log.records.some((r) => r.msg === 'command refused')).toBe(true);
  });

  it('turns a handler failure into an error result', async () => {
    const { handlers } = recordingHandlers();
    const failing = {
      ...handlers,
      'previews.accept': () => Promise.reject(new Error('this preview is no longer pending')),
    };
    const result = await runCommand(
      failing,
      'previews.accept',
      { interactionId: ID },
      memoryLogger().logger,
      'preview',
    );
    expect(result).toEqual({ ok: false, error: 'this preview is no longer pending' });
  });
});

const SETTINGS_INPUT = {
  account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim' },
  servers: ['ws://127.0.0.1:5080'],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
};

/** A valid input for each command a popup may call (what its renderer sends). */
const POPUP_INPUTS: Partial<Record<CommandName, unknown>> = {
  'app.ready': undefined, // per window, below
  'previews.accept': { interactionId: ID },
  'previews.decline': { interactionId: ID, reason: 'lunch' },
  'previews.seen': { interactionId: ID },
  'settings.get': {},
  'links.open': { url: 'https://example.com/' },
  'calls.answer': { callId: 'c-1' },
  'calls.decline': { callId: 'c-1' },
};

describe('runCommand: each window may call only its own commands', () => {
  it('the popups get exactly what their renderers call; the main window everything', () => {
    expect(WINDOW_COMMANDS.main).toEqual(COMMAND_NAMES);
    expect([...WINDOW_COMMANDS.preview].sort()).toEqual(
      [
        'app.ready',
        'links.open',
        'previews.accept',
        'previews.decline',
        'previews.seen',
        'settings.get',
      ].sort(),
    );
    expect([...WINDOW_COMMANDS.call].sort()).toEqual(
      ['app.ready', 'calls.answer', 'calls.decline', 'links.open', 'settings.get'].sort(),
    );
  });

  for (const window of ['preview', 'call'] as const satisfies readonly WindowKind[]) {
    it(`the ${window} popup runs its own commands`, async () => {
      const { handlers, calls } = recordingHandlers();
      for (const name of WINDOW_COMMANDS[window]) {
        const input = name === 'app.ready' ? { window } : POPUP_INPUTS[name];
        const result = await runCommand(handlers, name, input, memoryLogger().logger, window);
        expect(result, name).toEqual({ ok: true, value: null });
      }
      expect(calls.map(([name]) => name)).toEqual(WINDOW_COMMANDS[window]);
    });

    it(`the ${window} popup may call nothing else: a sentence, logged, no handler runs`, async () => {
      const { handlers, calls } = recordingHandlers();
      const others = COMMAND_NAMES.filter((name) => !WINDOW_COMMANDS[window].includes(name));
      expect(others).toContain('settings.save');
      for (const name of others) {
        const log = memoryLogger();
        // The privilege is checked before the input: even garbage gets the same answer.
        const result = await runCommand(handlers, name, { garbage: true }, log.logger, window);
        expect(result).toEqual({ ok: false, error: `the ${window} window may not call ${name}` });
        expect(log.records).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            msg: 'command refused',
            fields: expect.objectContaining({ command: name, window }) as unknown,
          }),
        );
      }
      expect(calls).toEqual([]);
    });
  }

  it('the preview popup may not save settings, whatever it sends', async () => {
    const { handlers, calls } = recordingHandlers();
    const result = await runCommand(
      handlers,
      'settings.save',
      { ...SETTINGS_INPUT, account: { ...SETTINGS_INPUT.account, password: 'x' } },
      memoryLogger().logger,
      'preview',
    );
    expect(result).toEqual({ ok: false, error: 'the preview window may not call settings.save' });
    expect(calls).toEqual([]);
  });

  it('a window starts only as what it is (app.ready names its own kind)', async () => {
    const { handlers, calls } = recordingHandlers();
    const result = await runCommand(
      handlers,
      'app.ready',
      { window: 'main' },
      memoryLogger().logger,
      'preview',
    );
    expect(result).toEqual({ ok: false, error: 'the preview window may not start as the main window' });
    expect(calls).toEqual([]);
  });

  it('an unknown command is still "unknown" from a popup', async () => {
    const { handlers } = recordingHandlers();
    const result = await runCommand(handlers, 'fs.readFile', {}, memoryLogger().logger, 'call');
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command/) as unknown });
  });
});

describe('contract', () => {
  it('gives the renderer tasks, not channels', async () => {
    const seen: Array<[string, unknown]> = [];
    const api = buildKwApi(
      (name, input) => {
        seen.push([name, input]);
        return Promise.resolve(null as never);
      },
      () => () => undefined,
    );
    await api.presence.set({ state: 'busy' });
    await api.previews.decline({ interactionId: ID, reason: 'lunch' });
    expect(seen).toEqual([
      ['presence.set', { state: 'busy' }],
      ['previews.decline', { interactionId: ID, reason: 'lunch' }],
    ]);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual([
      'app',
      'calls',
      'chats',
      'connection',
      'devices',
      'history',
      'links',
      'on',
      'presence',
      'previews',
      'provisioning',
      'requests',
      'settings',
      'windows',
    ]);
  });

  it('trusted routing points: SIP addresses of record, normalised, each once, at most 50', () => {
    const save = (trustedRoutingPoints: unknown) =>
      checkCommand('settings.save', { ...SETTINGS_INPUT, trustedRoutingPoints });
    const ok = save([' sip:billing-experts@LAB.local ', 'sips:claims@example.com']);
    expect(ok).toMatchObject({
      ok: true,
      input: { trustedRoutingPoints: ['sip:billing-experts@lab.local', 'sips:claims@example.com'] },
    });
    expect(save([])).toMatchObject({ ok: true, input: { trustedRoutingPoints: [] } });
    // Absent: the stored list is kept (KwApp).
    expect(checkCommand('settings.save', SETTINGS_INPUT)).toMatchObject({ ok: true });
    const refused: Array<[unknown, RegExp]> = [
      [['billing-experts'], /at trustedRoutingPoints\.0: a routing point is a SIP address/],
      [['sip:lab.local'], /at trustedRoutingPoints\.0: a routing point is a SIP address/],
      [['sip:a@lab.local', 'sip:b@lab.local:5060'], /at trustedRoutingPoints\.1: .*without port/],
      [['sip:b@lab.local;transport=ws'], /at trustedRoutingPoints\.0: .*without port or parameters/],
      [['https://a@lab.local'], /at trustedRoutingPoints\.0:/],
      [
        ['sip:a@lab.local', 'sip:a@LAB.LOCAL'],
        /at trustedRoutingPoints\.1: this routing point is already in the list/,
      ],
      [Array.from({ length: 51 }, (_, i) => `sip:rp${i}@lab.local`), /at trustedRoutingPoints: at most 50/],
      [[`sip:${'x'.repeat(260)}@lab.local`], /at trustedRoutingPoints\.0: .*at most 256/],
      ['sip:a@lab.local', /at trustedRoutingPoints:/],
      [[42], /at trustedRoutingPoints\.0:/],
    ];
    for (const [list, error] of refused) {
      const check = save(list);
      expect(check.ok, JSON.stringify(list).slice(0, 60)).toBe(false);
      if (!check.ok) expect(check.error).toMatch(error);
    }
    expect(save(Array.from({ length: 50 }, (_, i) => `sip:rp${i}@lab.local`)).ok).toBe(true);
  });

  it('accepts a full settings input', () => {
    const check = checkCommand('settings.save', {
      account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim', password: 'x' },
      servers: ['wss://sip.example.com/ws', 'ws://127.0.0.1:5080'],
      idleMinutes: 10,
      startAtLogin: false,
      sounds: true,
    });
    expect(check.ok).toBe(true);
  });
});

describe('external links', () => {
  it('lets only https: and mailto: out', () => {
    expect(safeExternalUrl('https://example.com/a?b=c')?.href).toBe('https://example.com/a?b=c');
    expect(safeExternalUrl('mailto:help@example.com')?.href).toBe('mailto:help@example.com');
    for (const bad of [
      'javascript:alert(1)',
      'http://example.com',
      'file:///etc/passwd',
      'sip:kw1@lab.local',
      'data:text/html,x',
      'https://',
      'nonsense',
    ]) {
      expect(safeExternalUrl(bad), bad).toBeUndefined();
    }
  });
});

describe('eventListeners', () => {
  it('dispatches to the listeners of that event only, until they unsubscribe', () => {
    const events = eventListeners();
    const seen: unknown[] = [];
    const off = events.subscribe('typing', (p) => seen.push(p));
    events.subscribe('focus', () => seen.push('wrong event'));
    events.dispatch('typing', { interactionId: 'a', active: true });
    off();
    events.dispatch('typing', { interactionId: 'a', active: false });
    expect(seen).toEqual([{ interactionId: 'a', active: true }]);
  });
});
