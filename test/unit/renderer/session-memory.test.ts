/** Drafts and the selected conversation survive a reload of the window (its sessionStorage). */
import { describe, expect, it } from 'vitest';
import {
  DRAFTS_KEY,
  DraftStore,
  MAX_DRAFT_LENGTH,
  MAX_DRAFTS,
  SELECTED_KEY,
  SelectionMemory,
  parseDrafts,
  type KeyValueStorage,
} from '../../../renderer/shared/session-memory.js';

/** sessionStorage's behaviour: strings by key; `fail` makes writes throw (quota, disabled). */
class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  fail = false;
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.fail) throw new Error('QuotaExceededError');
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    if (this.fail) throw new Error('SecurityError');
    this.items.delete(key);
  }
}

describe('DraftStore', () => {
  it('a draft written before a reload is there after it, per conversation', () => {
    const storage = new MemoryStorage();
    const before = new DraftStore(storage);
    before.set('ix-1', 'Checking the invoice');
    before.set('ix-2', 'Line one\nline two');
    const after = new DraftStore(storage);
    expect(after.get('ix-1')).toBe('Checking the invoice');
    expect(after.get('ix-2')).toBe('Line one\nline two');
    expect(after.get('ix-3')).toBeUndefined();
  });

  it('sending (delete) or clearing the text forgets the draft; the last one removes the key', () => {
    const storage = new MemoryStorage();
    const drafts = new DraftStore(storage);
    drafts.set('ix-1', 'a');
    drafts.set('ix-2', 'b');
    drafts.delete('ix-1');
    drafts.set('ix-2', '');
    expect(new DraftStore(storage).get('ix-1')).toBeUndefined();
    expect(new DraftStore(storage).get('ix-2')).toBeUndefined();
    expect(storage.items.has(DRAFTS_KEY)).toBe(false);
  });

  it('keepOnly forgets the drafts of conversations that are gone or ended', () => {
    const storage = new MemoryStorage();
    const drafts = new DraftStore(storage);
    drafts.set('ix-1', 'keep');
    drafts.set('ix-2', 'drop');
    drafts.keepOnly(new Set(['ix-1']));
    const after = new DraftStore(storage);
    expect(after.get('ix-1')).toBe('keep');
    expect(after.get('ix-2')).toBeUndefined();
  });

  it('keeps at most MAX_DRAFTS, dropping the least recently edited', () => {
    const storage = new MemoryStorage();
    const drafts = new DraftStore(storage);
    for (let i = 0; i <= MAX_DRAFTS; i++) drafts.set(`ix-${i}`, `draft ${i}`);
    drafts.set('ix-1', 'edited again');
    drafts.set('ix-new', 'newest');
    const after = new DraftStore(storage);
    expect(after.get('ix-0')).toBeUndefined();
    expect(after.get('ix-2')).toBeUndefined();
    expect(after.get('ix-1')).toBe('edited again');
    expect(after.get('ix-new')).toBe('newest');
  });

  it('a storage that fails to write: the drafts live on in memory', () => {
    const storage = new MemoryStorage();
    storage.fail = true;
    const drafts = new DraftStore(storage);
    drafts.set('ix-1', 'still here');
    expect(drafts.get('ix-1')).toBe('still here');
    drafts.delete('ix-1');
    expect(drafts.get('ix-1')).toBeUndefined();
  });

  it('no storage at all (no window): memory only', () => {
    const drafts = new DraftStore(null);
    drafts.set('ix-1', 'x');
    expect(drafts.get('ix-1')).toBe('x');
  });
});

describe('parseDrafts: what is stored but not ours is dropped, never thrown', () => {
  it.each([
    ['not JSON', '{oops'],
    ['an array', '["a"]'],
    ['null', 'null'],
    ['a string', '"text"'],
  ])('%s → no drafts', (_what, stored) => {
    expect(parseDrafts(stored).size).toBe(0);
  });

  it('keeps the good entries of a partly bad object', () => {
    const stored = JSON.stringify({
      'ix-1': 'good',
      'ix-2': 42,
      'ix-3': '',
      'ix-4': 'x'.repeat(MAX_DRAFT_LENGTH + 1),
      ['y'.repeat(201)]: 'id too long',
    });
    expect([...parseDrafts(stored)]).toEqual([['ix-1', 'good']]);
  });
});

describe('SelectionMemory', () => {
  it('remembers the selected conversation across a reload, and forgets it', () => {
    const storage = new MemoryStorage();
    new SelectionMemory(storage).write('ix-7');
    expect(new SelectionMemory(storage).read()).toBe('ix-7');
    new SelectionMemory(storage).write(null);
    expect(new SelectionMemory(storage).read()).toBeNull();
    expect(storage.items.has(SELECTED_KEY)).toBe(false);
  });

  it('something stored that is not an id reads as nothing', () => {
    const storage = new MemoryStorage();
    storage.items.set(SELECTED_KEY, '');
    expect(new SelectionMemory(storage).read()).toBeNull();
    storage.items.set(SELECTED_KEY, 'z'.repeat(201));
    expect(new SelectionMemory(storage).read()).toBeNull();
  });

  it('a failing storage reads as nothing and writes without throwing', () => {
    const storage = new MemoryStorage();
    storage.fail = true;
    const memory = new SelectionMemory(storage);
    expect(() => memory.write('ix-1')).not.toThrow();
    expect(memory.read()).toBeNull();
  });
});
