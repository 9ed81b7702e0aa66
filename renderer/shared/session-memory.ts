/**
 * What a window remembers across a reload: the selected conversation and the
 * drafts, one per conversation. Kept in the window's sessionStorage (allowed
 * under the pages' CSP, per window, gone when the window closes); a storage
 * that is missing, full or holds something else never breaks the window: it
 * then remembers in memory only.
 */

/** The part of the Web Storage API used here (sessionStorage, or a map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DRAFTS_KEY = 'kw.drafts';
export const SELECTED_KEY = 'kw.selected';
/** The composer's limit: a stored draft longer than this was not written by it. */
export const MAX_DRAFT_LENGTH = 4000;
/** Conversations with a draft that are remembered (the most recently edited ones). */
export const MAX_DRAFTS = 200;
/** Interaction ids are short tokens; anything longer in storage is not ours. */
const MAX_ID_LENGTH = 200;

/** This window's sessionStorage, or null where there is none or it may not be used. */
export function windowSessionStorage(): KeyValueStorage | null {
  try {
    // Through globalThis: this module also runs in Node (unit tests), where there is none.
    return (globalThis as { sessionStorage?: KeyValueStorage }).sessionStorage ?? null;
  } catch {
    return null; // access itself can throw (storage disabled)
  }
}

function read(storage: KeyValueStorage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Writes, or removes for null; a full or failing storage is ignored (memory still has it). */
function write(storage: KeyValueStorage | null, key: string, value: string | null): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, value);
  } catch {
    // Quota or a disabled storage: the window goes on with what it has in memory.
  }
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** The drafts in a stored value; anything that is not an object of id → text is dropped. */
export function parseDrafts(stored: string | null): Map<string, string> {
  const drafts = new Map<string, string>();
  if (stored === null) return drafts;
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return drafts;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return drafts;
  for (const [id, text] of Object.entries(value as Record<string, unknown>)) {
    if (drafts.size >= MAX_DRAFTS) break;
    if (isId(id) && typeof text === 'string' && text !== '' && text.length <= MAX_DRAFT_LENGTH) {
      drafts.set(id, text);
    }
  }
  return drafts;
}

/** Drafts per conversation (what the composer holds but has not sent), remembered across a reload. */
export class DraftStore {
  private readonly drafts: Map<string, string>;

  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly key = DRAFTS_KEY,
  ) {
    this.drafts = parseDrafts(read(storage, key));
  }

  get(interactionId: string): string | undefined {
    return this.drafts.get(interactionId);
  }

  /** An empty text removes the draft. The newest edit goes last, so the oldest goes first past MAX_DRAFTS. */
  set(interactionId: string, text: string): void {
    this.drafts.delete(interactionId);
    if (text !== '') this.drafts.set(interactionId, text.slice(0, MAX_DRAFT_LENGTH));
    for (const id of this.drafts.keys()) {
      if (this.drafts.size <= MAX_DRAFTS) break;
      this.drafts.delete(id);
    }
    this.save();
  }

  delete(interactionId: string): void {
    if (this.drafts.delete(interactionId)) this.save();
  }

  /** Forgets the drafts of conversations that are gone or ended. */
  keepOnly(interactionIds: ReadonlySet<string>): void {
    let changed = false;
    for (const id of [...this.drafts.keys()]) {
      if (!interactionIds.has(id)) changed = this.drafts.delete(id) || changed;
    }
    if (changed) this.save();
  }

  private save(): void {
    write(this.storage, this.key, this.drafts.size ? JSON.stringify(Object.fromEntries(this.drafts)) : null);
  }
}

/** The selected conversation, remembered across a reload. */
export class SelectionMemory {
  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly key = SELECTED_KEY,
  ) {}

  /** The remembered id, or null (nothing, or something that is not an id). */
  read(): string | null {
    const stored = read(this.storage, this.key);
    return isId(stored) ? stored : null;
  }

  write(interactionId: string | null): void {
    write(this.storage, this.key, interactionId);
  }
}
