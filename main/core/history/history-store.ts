/** Where finished and running conversations are kept across restarts. */
import type { Conversation } from '../conversations/model.js';

export interface HistoryProblem {
  readonly file: string;
  readonly error: string;
  /** Where the unreadable file was moved, so nothing is lost. */
  readonly movedTo: string | undefined;
}

export interface HistoryLoad {
  readonly conversations: Conversation[];
  readonly problems: HistoryProblem[];
}

export interface HistoryStore {
  save(conversation: Conversation): Promise<void>;
  loadAll(): Promise<HistoryLoad>;
}

/** For tests and for running without a disk. */
export class MemoryHistoryStore implements HistoryStore {
  private readonly items = new Map<string, Conversation>();

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
}
