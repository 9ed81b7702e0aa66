/**
 * History on disk: one journal per interaction (`<interactionId>.jsonl`), to
 * which each change is appended as one self-checking line, so the bytes
 * written follow what changed, not the size of the conversation. A journal is
 * rewritten whole (temporary file + rename) only when it is missing, behind
 * after a failed write, torn, damaged, in format 1, or mostly superseded lines.
 *
 * Writing never fails the caller: a change that cannot be written stays in
 * memory, `status()` says why in a sentence, and the writes are tried again on
 * the next change and every `retryMs`; when one goes through, every owed
 * conversation is written and the problem clears. Loading never throws either.
 *
 * Memory stays flat with history: an ended conversation is kept in memory only
 * until its journal is up to date; at start only the summaries of ended
 * conversations are returned (`loadIndex`), and `read` takes one from disk.
 */
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { Unsubscribe } from '../events.js';
import { systemClock, type Clock } from '../clock.js';
import type { Conversation } from '../conversations/model.js';
import type {
  HistoryIndex,
  HistoryLoad,
  HistoryProblem,
  HistoryStatus,
  HistoryStore,
} from './history-store.js';
import { summaryOf, type ConversationSummary } from '../conversations/conversation-summary.js';
import { RecentIds } from '../conversations/recent-ids.js';
import type { JournalEntry } from './conversation-schema.js';
import { nodeHistoryFiles, type HistoryFiles } from './history-files.js';
import { encodeEntry } from './journal-format.js';
import { changesBetween, snapshotEntries } from './journal-diff.js';
import { JournalSize } from './journal-size.js';
import { HistoryHealth } from './history-health.js';
import { CorruptFolder } from './corrupt-folder.js';
import {
  JOURNAL_EXTENSION,
  readConversationFile,
  readHistoryDir,
  type LoadedConversation,
  type HistoryDirContents,
  type Rewrite,
} from './history-loader.js';
import { readIndexFile, writeIndexFile, type IndexEntry, type IndexRead } from './history-index-file.js';
import { setAsideUnreadable } from './unreadable-folder.js';
import { applyRetention } from './history-retention.js';

export interface FileHistoryOptions {
  readonly dir: string;
  readonly logger: Logger;
  readonly maxConversations?: number;
  readonly maxAgeDays?: number;
  /** Time for retention and for names in corrupt/ (default: the clock's). */
  readonly now?: () => number;
  /** Ended conversations kept in memory after they are written, the last saved (default 4): a late change appends only itself. */
  readonly keepEnded?: number;
  /** How long after the last change to an ended conversation the index file is written (default 2 s). */
  readonly indexDelayMs?: number;
  /** Schedules the retries while history cannot be written. */
  readonly clock?: Clock;
  /** How long to wait before trying failed writes again (default 30 s); any change also tries at once. */
  readonly retryMs?: number;
  /**
   * The file operations; the app passes `SealedHistoryFiles` (encrypted at
   * rest). The plain node:fs default is for the journal's own tests.
   */
  readonly files?: HistoryFiles;
}

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

export class FileHistoryStore implements HistoryStore {
  /**
   * The latest state of the conversations in memory: the active ones, and any
   * with a write owed or under way. An ended one leaves once its journal holds it.
   */
  private readonly latest = new Map<string, Conversation>();
  /** What each journal on disk holds. Absent: missing, behind or torn, so the next write rewrites it whole. */
  private readonly journals = new Map<string, JournalSize>();
  /** Changes not appended yet, in order. */
  private readonly pending = new Map<string, JournalEntry[]>();
  private readonly rewrites = new Map<string, Rewrite>();
  /** Writes of one conversation run one after another, so an older state never lands last. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly files: HistoryFiles;
  private readonly now: () => number;
  private readonly health: HistoryHealth;
  private readonly corrupt: CorruptFolder;
  private readonly recentEnded: RecentIds;
  /** Every ended conversation's summary: what the index file holds. */
  private readonly summaries = new Map<string, ConversationSummary>();
  private readonly clock: Clock;
  private indexTimer: unknown;
  private dirReady = false;

  constructor(private readonly options: FileHistoryOptions) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.files = options.files ?? nodeHistoryFiles;
    this.now = options.now ?? (() => clock.now());
    this.health = new HistoryHealth({
      dir: options.dir,
      clock,
      retryMs: options.retryMs ?? 30_000,
      retry: () => this.retry(),
      logger: options.logger,
    });
    this.recentEnded = new RecentIds(options.keepEnded ?? 4);
    this.corrupt = new CorruptFolder(this.files, options.dir, this.now, options.logger);
  }

  status(): HistoryStatus {
    return this.health.status();
  }

  onStatus(listener: (status: HistoryStatus) => void): Unsubscribe {
    return this.health.on('change', listener);
  }

  save(conversation: Conversation): Promise<void> {
    const id = conversation.interactionId;
    if (!SAFE_ID.test(id))
      return Promise.reject(
        new Error(`refusing to store an interaction id that is not a safe file name: ${id}`),
      );
    const entries = changesBetween(this.latest.get(id), conversation);
    this.latest.set(id, conversation);
    if (conversation.state === 'ended') {
      this.summaries.set(id, summaryOf(conversation));
      this.indexSoon();
    } else this.summaries.delete(id);
    if (entries.length === 0) return this.queues.get(id) ?? Promise.resolve();
    const queued = this.pending.get(id);
    if (queued) queued.push(...entries);
    else this.pending.set(id, entries);
    return this.enqueue(id);
  }

  async loadAll(): Promise<HistoryLoad> {
    const index = await this.loadIndex();
    const conversations = [...index.active];
    // One at a time, so no more than one ended conversation is read into memory at once beyond the result.
    for (const { interactionId } of index.ended) {
      const c = await this.read(interactionId);
      if (c !== undefined) conversations.push(c);
    }
    conversations.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return { conversations, problems: index.problems };
  }

  async loadIndex(): Promise<HistoryIndex> {
    await this.flushed();
    // Loaded again (a new core after an account change): what was never written stays as it is in memory.
    const unsaved = this.owed().flatMap((id) => this.latest.get(id) ?? []);
    for (const map of [this.latest, this.journals, this.pending, this.rewrites]) map.clear();
    const { loaded, problems, unreadable, indexFormat } = await this.readDir();
    if (unreadable.length > 0)
      this.health.setUnreadable(
        await setAsideUnreadable(this.files, this.options.dir, unreadable, this.now(), this.options.logger),
      );
    await this.checkWritable();
    const { keep, drop } = applyRetention(loaded, (l) => l.summary, {
      now: this.now(),
      maxAgeDays: this.options.maxAgeDays ?? 90,
      maxConversations: this.options.maxConversations ?? 1000,
    });
    await this.removeFiles(drop.map((l) => l.file));
    problems.push(...(await this.adopt(keep)));
    const summaries = new Map(keep.map((l) => [l.summary.interactionId, l.summary]));
    for (const c of unsaved) {
      this.latest.set(c.interactionId, c);
      summaries.set(c.interactionId, summaryOf(c));
    }
    this.summaries.clear();
    for (const [id, s] of summaries) if (s.state === 'ended') this.summaries.set(id, s);
    await Promise.all(this.owed().map((id) => this.enqueue(id)));
    // Journals read whole, or gone, or an index in format 1: the index is brought up to date.
    const stale = keep.some((l) => l.indexed !== true && l.summary.state === 'ended');
    if (stale || drop.length > 0 || (indexFormat === 1 && this.summaries.size > 0)) this.indexSoon();
    return { ...this.indexOf(summaries.values()), problems };
  }

  async read(interactionId: string): Promise<Conversation | undefined> {
    if (!SAFE_ID.test(interactionId)) return undefined;
    // A write under way lands first, so the file holds everything saved.
    await this.queues.get(interactionId);
    const inMemory = this.latest.get(interactionId);
    if (inMemory !== undefined) return inMemory;
    return this.journals.has(interactionId) ? this.readFromDisk(interactionId) : undefined;
  }

  /** Active conversations whole (they are in memory), ended ones as summaries; newest first. */
  private indexOf(summaries: Iterable<ConversationSummary>): Omit<HistoryIndex, 'problems'> {
    const active: Conversation[] = [];
    const ended: ConversationSummary[] = [];
    for (const s of summaries) {
      const whole = s.state === 'active' ? this.latest.get(s.interactionId) : undefined;
      if (whole !== undefined) active.push(whole);
      else ended.push(s);
    }
    const newestFirst = (a: { startedAt: string }, b: { startedAt: string }) =>
      b.startedAt.localeCompare(a.startedAt);
    return { active: active.sort(newestFirst), ended: ended.sort(newestFirst) };
  }

  /** A journal damaged since start is repaired as at start (a copy set aside first); unreadable: logged, undefined. */
  private async readFromDisk(id: string): Promise<Conversation | undefined> {
    const file = this.pathOf(id);
    const result = await readConversationFile(file, id, true, this.files, this.options.logger);
    if (typeof result === 'string' || 'unreadable' in result) {
      const error = typeof result === 'string' ? result : result.unreadable;
      this.options.logger.error('history: a conversation could not be read from disk', { file, error });
      return undefined;
    }
    if (result.rewrite !== undefined && !this.latest.has(id)) {
      // The file is no longer what was loaded: written whole again once a copy is aside.
      this.journals.delete(id);
      for (const p of await this.adopt([result]))
        this.options.logger.warn('history entry set aside', {
          file: p.file,
          error: p.error,
          movedTo: p.movedTo,
        });
      void this.enqueue(id);
    }
    return this.latest.get(id) ?? result.conversation;
  }

  /** The journal as the index noted it, if it still has that size; else undefined (it is read whole). */
  private async fromIndex(
    entry: IndexEntry | undefined,
    file: string,
    stem: string,
  ): Promise<LoadedConversation | undefined> {
    if (entry === undefined || entry.summary.interactionId !== stem || this.files.size === undefined)
      return undefined;
    if ((await this.files.size(file)) !== entry.bytes) return undefined;
    // What the journal holds is not known line by line: the next change appends a whole snapshot.
    return {
      summary: entry.summary,
      conversation: undefined,
      file,
      size: new JournalSize(),
      rewrite: undefined,
      indexed: true,
    };
  }

  /**
   * Writes the index now: ended conversations whose journal is written and
   * idle, with its size. Never throws: without an index, a start reads every journal.
   */
  async writeIndex(): Promise<void> {
    this.clearIndexTimer();
    const entries: IndexEntry[] = [];
    for (const [id, summary] of this.summaries) {
      if (!this.idleOnDisk(id)) continue;
      const bytes = await this.files.size?.(this.pathOf(id));
      // Changed meanwhile: its size may not match the summary; left out (read whole next start).
      if (bytes === undefined || this.summaries.get(id) !== summary || !this.idleOnDisk(id)) continue;
      entries.push({ summary, bytes });
    }
    try {
      await writeIndexFile(this.options.dir, this.files, entries);
    } catch (error) {
      this.options.logger.debug('history index not written', { error: String(error) });
    }
  }

  /** Its journal holds all of it, and no write is queued. */
  private idleOnDisk(id: string): boolean {
    return !this.queues.has(id) && this.writtenOut(id);
  }

  /** Its journal holds all of it (a write of it may still be finishing). */
  private writtenOut(id: string): boolean {
    return this.journals.has(id) && !this.rewrites.has(id) && (this.pending.get(id)?.length ?? 0) === 0;
  }

  /** The index follows the ended conversations a moment after the last change (one write for a burst). */
  private indexSoon(): void {
    this.clearIndexTimer();
    this.indexTimer = this.clock.setTimeout(() => {
      this.indexTimer = undefined;
      void this.writeIndex();
    }, this.options.indexDelayMs ?? 2_000);
  }

  private clearIndexTimer(): void {
    if (this.indexTimer !== undefined) this.clock.clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
  }

  /** Quitting: the writes under way finish, and an index owed is written now, not 2 s later (next start reads less). */
  async close(): Promise<void> {
    await this.flushed();
    if (this.indexTimer !== undefined) await this.writeIndex();
  }

  /** Resolves when no write is under way (tests; quitting). */
  async flushed(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values());
  }

  private async readDir(): Promise<HistoryDirContents & { indexFormat: IndexRead['format'] }> {
    try {
      await this.ensureDir();
    } catch (error) {
      this.health.failed(error);
    }
    try {
      const index = await readIndexFile(this.options.dir, this.files, this.options.logger);
      const contents = await readHistoryDir(
        this.options.dir,
        this.files,
        this.corrupt,
        this.options.logger,
        (file, stem) => this.fromIndex(index.entries.get(stem), file, stem),
      );
      return { ...contents, indexFormat: index.format };
    } catch (error) {
      this.options.logger.error('history folder unreadable: starting without history', {
        dir: this.options.dir,
        error: String(error),
      });
      this.health.failed(error);
      return { loaded: [], problems: [], unreadable: [], indexFormat: 'none' };
    }
  }

  /** Takes loaded conversations in; those that need a rewrite get their plan (a damaged file is copied aside first). */
  private async adopt(loaded: readonly LoadedConversation[]): Promise<HistoryProblem[]> {
    const problems: HistoryProblem[] = [];
    for (const { summary, conversation, file, size, rewrite } of loaded) {
      const id = summary.interactionId;
      if (conversation !== undefined) this.latest.set(id, conversation);
      if (rewrite === undefined && size !== undefined) {
        this.journals.set(id, size);
        continue;
      }
      let plan = rewrite ?? { reason: 'format 1' };
      if (plan.keepCopy !== undefined) {
        const problem = await this.corrupt.setAside(file, plan.keepCopy, 'copy');
        problems.push(problem);
        if (problem.movedTo !== undefined) plan = { ...plan, keepCopy: undefined };
      }
      this.rewrites.set(id, plan);
    }
    return problems;
  }

  private enqueue(id: string): Promise<void> {
    const next = (this.queues.get(id) ?? Promise.resolve()).then(() => this.write(id));
    this.queues.set(id, next);
    void next.then(() => {
      if (this.queues.get(id) === next) this.queues.delete(id);
    });
    return next;
  }

  /** Never rejects: a failure is kept as the status, and the conversation is owed a whole rewrite. */
  private async write(id: string): Promise<void> {
    try {
      if (await this.writeChanges(id)) this.wrote();
      this.forgetIfOnDisk(id);
    } catch (error) {
      this.journals.delete(id);
      this.dirReady = false;
      this.health.failed(error);
    }
  }

  /** Appends what is pending, or rewrites the journal whole; false when there was nothing to write. */
  private async writeChanges(id: string): Promise<boolean> {
    if (!this.latest.has(id) || (this.journals.has(id) && !this.pending.get(id)?.length)) return false;
    await this.ensureDir();
    const journal = this.journals.get(id);
    if (journal === undefined) {
      await this.rewrite(id);
      return true;
    }
    // Taken after the last await: nothing saved meanwhile is left behind.
    const lines = encodeAll(this.pending.get(id) ?? []);
    this.pending.delete(id);
    await this.files.append(this.pathOf(id), textOf(lines));
    for (const { entry, line } of lines) journal.add(entry, Buffer.byteLength(line));
    if (journal.wasteful) await this.rewrite(id);
    return true;
  }

  /** Writes the journal anew as a snapshot of the latest state. */
  private async rewrite(id: string): Promise<void> {
    const plan = this.rewrites.get(id);
    if (plan?.keepCopy !== undefined) {
      await this.corrupt.put(this.pathOf(id), plan.keepCopy, 'copy');
      this.rewrites.set(id, { ...plan, keepCopy: undefined });
    }
    const conversation = this.latest.get(id);
    if (conversation === undefined) return;
    // Taken after the last await: the snapshot holds every change saved so far.
    this.pending.delete(id);
    const lines = encodeAll(snapshotEntries(conversation));
    await this.files.replace(this.pathOf(id), textOf(lines));
    const size = new JournalSize();
    for (const { entry, line } of lines) size.add(entry, Buffer.byteLength(line));
    this.journals.set(id, size);
    if (plan?.removeAfter !== undefined) await this.files.remove(plan.removeAfter);
    this.rewrites.delete(id);
  }

  /**
   * Ended conversations leave memory once their journal holds all of them,
   * except the last few written (a late delivery or call record appends only
   * itself): `read` takes them from disk.
   */
  private forgetIfOnDisk(id: string): void {
    if (this.latest.get(id)?.state !== 'ended') return;
    for (const old of this.recentEnded.touch(id))
      if (this.latest.get(old)?.state === 'ended' && this.writtenOut(old)) this.latest.delete(old);
  }

  /** A write went through: the folder takes writes again, so every owed conversation is written now. */
  private wrote(): void {
    if (this.health.status().saving) return;
    const owed = this.owed();
    if (owed.length === 0) this.health.recovered();
    else for (const id of owed) if (!this.queues.has(id)) void this.enqueue(id);
  }

  /** Conversations whose journal is missing or behind. */
  private owed(): string[] {
    return [...this.latest.keys()].filter((id) => !this.journals.has(id));
  }

  private async retry(): Promise<void> {
    const owed = this.owed();
    if (owed.length > 0) {
      await Promise.all(owed.map((id) => this.enqueue(id)));
      return;
    }
    if (await this.checkWritable()) this.health.recovered();
  }

  private async checkWritable(): Promise<boolean> {
    try {
      await this.ensureDir();
      await this.files.checkWritable(this.options.dir);
      return true;
    } catch (error) {
      this.health.failed(error);
      return false;
    }
  }

  private async removeFiles(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      try {
        await this.files.remove(path);
      } catch (error) {
        this.options.logger.warn('history: an expired conversation could not be deleted', {
          file: path,
          error: String(error),
        });
        this.health.failed(error);
      }
    }
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    await this.files.makeDir(this.options.dir);
    this.dirReady = true;
  }

  private pathOf(id: string): string {
    return join(this.options.dir, `${id}${JOURNAL_EXTENSION}`);
  }
}

interface EncodedLine {
  readonly entry: JournalEntry;
  readonly line: string;
}

function encodeAll(entries: readonly JournalEntry[]): EncodedLine[] {
  return entries.map((entry) => ({ entry, line: encodeEntry(entry) }));
}

function textOf(lines: readonly EncodedLine[]): string {
  return lines.map((l) => l.line).join('');
}
