/**
 * History on disk: one JSON file per interaction, written atomically (temporary
 * file + rename), validated on load. A file that cannot be read is moved to
 * `corrupt/` and reported, never fatal. Retention keeps the newest
 * `maxConversations` and drops ended ones older than `maxAgeDays`.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { Logger } from '../log.js';
import type { Conversation } from '../conversations/model.js';
import type { HistoryLoad, HistoryProblem, HistoryStore } from './history-store.js';
import { HistoryFileSchema } from './conversation-schema.js';

export interface FileHistoryOptions {
  readonly dir: string;
  readonly logger: Logger;
  readonly maxConversations?: number;
  readonly maxAgeDays?: number;
  readonly now?: () => number;
}

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

export class FileHistoryStore implements HistoryStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly options: FileHistoryOptions) {}

  async save(conversation: Conversation): Promise<void> {
    const id = conversation.interactionId;
    if (!SAFE_ID.test(id))
      throw new Error(`refusing to store an interaction id that is not a safe file name: ${id}`);
    // Writes of one conversation are serialised so an older snapshot never lands last.
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.write(id, conversation));
    this.writes.set(id, next);
    try {
      await next;
    } finally {
      if (this.writes.get(id) === next) this.writes.delete(id);
    }
  }

  async loadAll(): Promise<HistoryLoad> {
    await mkdir(this.options.dir, { recursive: true });
    const conversations: Conversation[] = [];
    const problems: HistoryProblem[] = [];
    for (const name of await readdir(this.options.dir)) {
      if (!name.endsWith('.json')) continue;
      const file = join(this.options.dir, name);
      try {
        const parsed = v.safeParse(HistoryFileSchema, JSON.parse(await readFile(file, 'utf8')));
        if (!parsed.success)
          throw new Error(`not a conversation file: ${parsed.issues[0]?.message ?? 'invalid'}`);
        conversations.push(parsed.output.conversation);
      } catch (error) {
        problems.push(await this.setAside(file, name, error));
      }
    }
    const kept = await this.applyRetention(conversations);
    kept.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return { conversations: kept, problems };
  }

  private async write(id: string, conversation: Conversation): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const target = join(this.options.dir, `${id}.json`);
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify({ version: 1, conversation }, null, 1), { mode: 0o600 });
    await rename(temp, target);
  }

  private async setAside(file: string, name: string, error: unknown): Promise<HistoryProblem> {
    const text = error instanceof Error ? error.message : String(error);
    const dir = join(this.options.dir, 'corrupt');
    const movedTo = join(dir, `${name}.${Date.now()}`);
    try {
      await mkdir(dir, { recursive: true });
      await rename(file, movedTo);
      this.options.logger.warn('history file unreadable: set aside', { file, movedTo, error: text });
      return { file, error: text, movedTo };
    } catch (moveError) {
      this.options.logger.error('history file unreadable and could not be moved', {
        file,
        error: String(moveError),
      });
      return { file, error: text, movedTo: undefined };
    }
  }

  private async applyRetention(all: Conversation[]): Promise<Conversation[]> {
    const now = this.options.now?.() ?? Date.now();
    const maxAgeMs = (this.options.maxAgeDays ?? 90) * 86_400_000;
    const max = this.options.maxConversations ?? 1000;
    const newestFirst = [...all].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    const keep: Conversation[] = [];
    for (const c of newestFirst) {
      const tooOld = c.state === 'ended' && now - Date.parse(c.endedAt ?? c.startedAt) > maxAgeMs;
      const tooMany = keep.length >= max && c.state === 'ended';
      if (tooOld || tooMany) {
        await rm(join(this.options.dir, `${c.interactionId}.json`), { force: true });
        continue;
      }
      keep.push(c);
    }
    return keep;
  }
}
