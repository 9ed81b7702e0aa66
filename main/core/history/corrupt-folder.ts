/**
 * History files that cannot be trusted go to `corrupt/` beside a note saying
 * why: set aside, never deleted, so nothing is lost without a trace.
 */
import { basename, join } from 'node:path';
import type { Logger } from '../log.js';
import type { HistoryFiles } from './history-files.js';
import type { HistoryProblem } from './history-store.js';

/** The note beside a set-aside file, saying why (for a person: never encrypted). */
export const NOTE_SUFFIX = '.reason.txt';

export class CorruptFolder {
  constructor(
    private readonly files: HistoryFiles,
    private readonly dir: string,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /**
   * Moves `file` aside (or copies it, when a salvaged part of it stays in use);
   * throws when it cannot.
   */
  async put(file: string, reason: string, how: 'move' | 'copy'): Promise<string> {
    const folder = join(this.dir, 'corrupt');
    const movedTo = join(folder, `${basename(file)}.${this.now()}`);
    await this.files.makeDir(folder);
    await (how === 'move' ? this.files.move(file, movedTo) : this.files.copy(file, movedTo));
    // The note is for whoever looks in the folder; the log has the reason too.
    await this.files.replace(`${movedTo}${NOTE_SUFFIX}`, `${reason}\n`).catch(() => undefined);
    this.logger.warn('history file set aside', { file, movedTo, reason });
    return movedTo;
  }

  /** `put`, reported instead of thrown: a file that cannot move stays where it is. */
  async setAside(file: string, reason: string, how: 'move' | 'copy' = 'move'): Promise<HistoryProblem> {
    try {
      return { file, error: reason, movedTo: await this.put(file, reason, how) };
    } catch (error) {
      this.logger.error('history file could not be set aside: left in place', {
        file,
        reason,
        error: String(error),
      });
      return { file, error: reason, movedTo: undefined };
    }
  }
}
