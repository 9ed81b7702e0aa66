import { describe, expect, it } from 'vitest';
import type { ConversationView, PreviewView, SettingsView } from '../../../preload/contract.js';
import {
  applyTyping,
  fieldErrorFromMessage,
  filterConversations,
  formFromSettings,
  inputFromForm,
  move,
  newIds,
  orderPreviews,
  typingAfterUpdate,
  upsertConversation,
} from '../../../renderer/shared/model.js';

function conv(id: string, patch: Partial<ConversationView> = {}): ConversationView {
  return {
    interactionId: id,
    agent: { uri: `sip:${id}@lab.local`, displayName: `Agent ${id}` },
    subject: `subject ${id}`,
    userData: {},
    state: 'active',
    startedAt: '2026-11-10T10:00:00.000Z',
    messages: [],
    calls: [],
    ...patch,
  };
}

describe('conversations', () => {
  it('upserts by interaction id', () => {
    const a = conv('a');
    const b = conv('b');
    const list = upsertConversation(upsertConversation([], a), b);
    expect(list.map((c) => c.interactionId)).toEqual(['a', 'b']);
    const a2 = conv('a', { subject: 'changed' });
    const next = upsertConversation(list, a2);
    expect(next).toHaveLength(2);
    expect(next[0]?.subject).toBe('changed');
    expect(list[0]?.subject).toBe('subject a');
  });

  it('lists active first, then history, most recent first', () => {
    const old = conv('old', { startedAt: '2026-11-01T10:00:00.000Z' });
    const recent = conv('recent', { startedAt: '2026-11-10T11:00:00.000Z' });
    const ended = conv('ended', { state: 'ended', startedAt: '2026-11-10T12:00:00.000Z' });
    const chatty = conv('chatty', {
      startedAt: '2026-11-01T09:00:00.000Z',
      messages: [{ id: 'm', direction: 'in', text: 'hi', at: '2026-11-10T11:30:00.000Z' }],
    });
    expect(filterConversations([ended, old, recent, chatty], '').map((c) => c.interactionId)).toEqual([
      'chatty',
      'recent',
      'old',
      'ended',
    ]);
  });

  it('searches agent, subject, user data and message text; every word must match', () => {
    const a = conv('a', {
      agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
      subject: 'Refund',
      userData: { CaseNumber: 'CS-48177' },
      messages: [{ id: 'm', direction: 'in', text: 'The IBAN changed', at: '2026-11-10T11:30:00.000Z' }],
    });
    const b = conv('b', { subject: 'Invoice copy' });
    const ids = (q: string) => filterConversations([a, b], q).map((c) => c.interactionId);
    expect(ids('one')).toEqual(['a']);
    expect(ids('INVOICE')).toEqual(['b']);
    expect(ids('iban refund')).toEqual(['a']);
    expect(ids('cs-48177')).toEqual(['a']);
    expect(ids('iban invoice')).toEqual([]);
    expect(ids('   ')).toHaveLength(2);
  });

  it('tracks typing, and stops it when a message from the agent arrives or the chat ends', () => {
    let typing = applyTyping(new Set(), { interactionId: 'a', active: true });
    expect(typing.has('a')).toBe(true);
    expect(applyTyping(typing, { interactionId: 'a', active: true })).toBe(typing);
    const before = conv('a');
    const mine = conv('a', {
      messages: [{ id: '1', direction: 'out', text: 'x', at: '2026-11-10T11:00:00.000Z' }],
    });
    expect(typingAfterUpdate(typing, before, mine).has('a')).toBe(true);
    const theirs = conv('a', {
      messages: [{ id: '2', direction: 'in', text: 'y', at: '2026-11-10T11:00:00.000Z' }],
    });
    expect(typingAfterUpdate(typing, before, theirs).has('a')).toBe(false);
    expect(typingAfterUpdate(typing, before, conv('a', { state: 'ended' })).has('a')).toBe(false);
    typing = applyTyping(typing, { interactionId: 'a', active: false });
    expect(typing.size).toBe(0);
  });
});

describe('previews', () => {
  const p = (id: string, receivedAt: string): PreviewView => ({
    interactionId: id,
    agent: { uri: 'sip:a@x', displayName: 'A' },
    routingPoint: 'sip:rp@x',
    subject: '',
    text: '',
    userData: {},
    receivedAt,
    expiresAt: receivedAt,
  });
  it('stacks oldest first so the newest is at the bottom, and finds new ones', () => {
    const list = orderPreviews([p('new', '2026-11-10T10:00:05Z'), p('old', '2026-11-10T10:00:00Z')]);
    expect(list.map((x) => x.interactionId)).toEqual(['old', 'new']);
    expect(newIds(new Set(['old']), list)).toEqual(['new']);
  });
});

describe('settings form', () => {
  const view: SettingsView = {
    account: { uri: 'sip:kw1@lab.local', authUser: 'kw1', displayName: 'KW One', hasPassword: true },
    servers: ['wss://a:7443', 'wss://b:7443'],
    idleMinutes: 10,
    startAtLogin: false,
    sounds: true,
    trustedRoutingPoints: [],
    locked: [],
    globalShortcuts: null,
  };

  it('keeps the stored password when the field is empty, forgets it on request, sets a new one', () => {
    const form = formFromSettings(view);
    const keep = inputFromForm(form);
    expect(keep.ok && keep.input.account).toEqual({
      uri: 'sip:kw1@lab.local',
      authUser: 'kw1',
      displayName: 'KW One',
    });
    const set = inputFromForm({ ...form, password: 's3cret' });
    expect(set.ok && set.input.account.password).toBe('s3cret');
    const forget = inputFromForm({ ...form, password: 'ignored', forgetPassword: true });
    expect(forget.ok && forget.input.account.password).toBe('');
  });

  it('checks idle minutes itself and passes the rest to main', () => {
    const form = formFromSettings(view);
    expect(inputFromForm({ ...form, idleMinutes: 'ten' })).toEqual({
      ok: false,
      errors: { idleMinutes: 'a whole number of minutes' },
    });
    const ok = inputFromForm({ ...form, idleMinutes: ' 15 ', servers: [' wss://a:7443 '] });
    expect(ok.ok && ok.input.idleMinutes).toBe(15);
    expect(ok.ok && ok.input.servers).toEqual(['wss://a:7443']);
  });

  it("maps main's validation error to the field it names", () => {
    expect(
      fieldErrorFromMessage(
        'invalid input for settings.save at account.uri: the SIP address looks like sip:user@domain',
      ),
    ).toEqual({ field: 'uri', message: 'the SIP address looks like sip:user@domain' });
    expect(
      fieldErrorFromMessage(
        'invalid input for settings.save at servers.1: a server is a ws:// or wss:// URL',
      ),
    ).toEqual({ field: 'servers.1', message: 'a server is a ws:// or wss:// URL' });
    expect(fieldErrorFromMessage('invalid input for settings.save at servers: at least one server')).toEqual({
      field: 'servers',
      message: 'at least one server',
    });
    expect(fieldErrorFromMessage('the settings store is read-only')).toEqual({
      field: null,
      message: 'the settings store is read-only',
    });
  });

  it('moves servers up and down in failover order', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});
