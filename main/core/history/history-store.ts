/** Where finished and running conversations are kept across restarts. */
import type { Conversation } from '../conversations/model.js';
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
  /** Never throws: what cannot be read is reported in `problems` or in `status`. */
  loadAll(): Promise<HistoryLoad>;
  status(): HistoryStatus;
  onStatus(listener: (status: HistoryStatus) => void): Unsubscribe;
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

  status(): HistoryStatus {
    return { saving: true };
  }

  onStatus(): Unsubscribe {
    return () => undefined;
  }
}
