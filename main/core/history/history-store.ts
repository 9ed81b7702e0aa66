/** Where finished and running conversations are kept across restarts. */
import type { Conversation } from '../conversations/model.js';
import { summaryOf, type ConversationSummary } from '../conversations/conversation-summary.js';
import type { Unsubscribe } from '../events.js';

export interface HistoryProblem {
  readonly file: string;
  readonly error: string;
  /** Where the unreadable file was moved (or copied), so nothing is lost. */
  readonly movedTo: string | undefined;
}

export interface HistoryLoad {
  readonly conversations: Conversation[];
  readonly problems: HistoryProblem[];
}

/**
 * History as the app starts on it: active conversations whole, ended ones as
 * summaries (their messages stay on disk until `read`), so memory does not
 * grow with history.
 */
export interface HistoryIndex {
  readonly active: Conversation[];
  readonly ended: ConversationSummary[];
  readonly problems: HistoryProblem[];
}

/** Whether history reaches the disk; `problem` says why not, as a sentence for the user. */
export interface HistoryStatus {
  readonly saving: boolean;
  readonly problem?: string;
  /** History from before could not be decrypted at start: set aside (never deleted) in `folder`. */
  readonly unreadable?: UnreadableHistory;
}

export interface UnreadableHistory {
  /** Where the files were moved. */
  readonly folder: string;
  /** Why they cannot be read, a clause for the user ("the key that protects it is missing"). */
  readonly reason: string;
  /** How many files. */
  readonly files: number;
}

export interface HistoryStore {
  /**
   * Records a conversation's new state. Resolves once it is written, or kept
   * in memory for a retry when it cannot be (see `status`); rejects only an
   * interaction id that is not a safe file name.
   */
  save(conversation: Conversation): Promise<void>;
  /** Every conversation whole, newest first (export, tests): reads each from disk. Never throws, like `loadIndex`. */
  loadAll(): Promise<HistoryLoad>;
  /** Never throws: what cannot be read is reported in `problems` or in `status`. */
  loadIndex(): Promise<HistoryIndex>;
  /**
   * One conversation whole, from memory or read from disk; undefined when it
   * is unknown or its file cannot be read any more (logged). Never throws.
   */
  read(interactionId: string): Promise<Conversation | undefined>;
  status(): HistoryStatus;
  onStatus(listener: (status: HistoryStatus) => void): Unsubscribe;
  /** Quitting: resolves once the writes under way are done and an index owed is written. Never throws. */
  close(): Promise<void>;
}

/** For tests and for running without a disk. */
export class MemoryHistoryStore implements HistoryStore {
  private readonly items = new Map<string, Conversation>();

  close(): Promise<void> {
    return Promise.resolve();
  }

  save(conversation: Conversation): Promise<void> {
    this.items.set(conversation.interactionId, structuredClone(conversation));
    return Promise.resolve();
  }

  loadAll(): Promise<HistoryLoad> {
    return Promise.resolve({
      conversations: [...this.items.values()].map((c) => structuredClone(c)),
      problems: [],
    });
  }

  loadIndex(): Promise<HistoryIndex> {
    const all = [...this.items.values()].map((c) => structuredClone(c));
    return Promise.resolve({
      active: all.filter((c) => c.state === 'active'),
      ended: all.filter((c) => c.state === 'ended').map(summaryOf),
      problems: [],
    });
  }

  read(interactionId: string): Promise<Conversation | undefined> {
    const c = this.items.get(interactionId);
    return Promise.resolve(c === undefined ? undefined : structuredClone(c));
  }

  status(): HistoryStatus {
    return { saving: true };
  }

  onStatus(): Unsubscribe {
    return () => undefined;
  }
}
