import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../main/app/run-command.js';
import type { CommandHandlers } from '../../../main/app/kw-app.js';
import { safeExternalUrl } from '../../../wire/links.js';
import { COMMAND_NAMES, buildKwApi, checkCommand, eventListeners } from '../../../preload/contract.js';
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
    const result = await runCommand(handlers, name, input, log.logger);
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
    const result = await runCommand(failing, 'previews.accept', { interactionId: ID }, memoryLogger().logger);
    expect(result).toEqual({ ok: false, error: 'this preview is no longer pending' });
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
      'devices',
      'links',
      'on',
      'presence',
      'previews',
      'settings',
      'windows',
    ]);
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
