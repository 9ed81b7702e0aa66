/**
 * History that cannot be decrypted on this computer (its key is missing or
 * another one) is moved, never deleted, into `unreadable-<date>-<time>/` in
 * the history folder, with a note saying why: the app starts with empty
 * history, and the files can still be read where their key is.
 */
import { basename, join } from 'node:path';
import type { Logger } from '../log.js';
import type { HistoryFiles } from './history-files.js';
import type { UnreadableHistory } from './history-store.js';
import { NOTE_SUFFIX } from './corrupt-folder.js';

export interface UnreadableFile {
  readonly file: string;
  readonly reason: string;
}

/** Moves `unreadable` (not empty) aside; a file that cannot move is left in place and logged. */
export async function setAsideUnreadable(
  files: HistoryFiles,
  dir: string,
  unreadable: readonly UnreadableFile[],
  now: number,
  logger: Logger,
): Promise<UnreadableHistory> {
  const folder = join(dir, `unreadable-${stampOf(now)}`);
  const reason = unreadable[0]?.reason ?? 'it cannot be decrypted';
  let moved = 0;
  try {
    await files.makeDir(folder);
    await files
      .replace(
        join(folder, `why${NOTE_SUFFIX}`),
        `This chat history could not be decrypted on this computer: ${reason}. It was kept, not deleted.\n`,
      )
      .catch(() => undefined);
    for (const { file } of unreadable) {
      await files.move(file, join(folder, basename(file)));
      moved += 1;
    }
  } catch (error) {
    logger.error('unreadable history could not all be set aside: the rest is left in place', {
      folder,
      error: String(error),
    });
  }
  logger.warn('history from before cannot be decrypted: set aside, starting with empty history', {
    folder,
    files: moved,
    reason,
  });
  return { folder, reason, files: moved };
}

/** `2026-12-05-024410` (UTC): sorts by time, and is a valid file name everywhere. */
function stampOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', '-').replaceAll(':', '');
}
