/**
 * The file operations history needs, behind a port so that tests and the bench
 * can count the bytes written or make writes fail; `nodeHistoryFiles` is the
 * real one (node:fs, no native module).
 */
import {
  appendFile,
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export interface HistoryFiles {
  makeDir(dir: string): Promise<void>;
  list(dir: string): Promise<string[]>;
  read(path: string): Promise<Uint8Array>;
  /** Appends `text` in one write (O_APPEND), creating the file (0600) if needed. */
  append(path: string, text: string): Promise<void>;
  /** Replaces the file atomically: a synced temporary file (`*.tmp`) renamed over it. */
  replace(path: string, text: string): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  move(from: string, to: string): Promise<void>;
  /** Removes a file; one that is already gone is fine. */
  remove(path: string): Promise<void>;
  /** Fails the way a write into `dir` would (read-only folder, full disk, a file in the way). */
  checkWritable(dir: string): Promise<void>;
  /** The file was read in an older form (not encrypted yet): it is to be written whole again. */
  needsRewrite?(path: string): boolean;
  /** The file's size on disk, undefined when it is missing (the index trusts a journal of the size it noted). */
  size?(path: string): Promise<number | undefined>;
  /** The file in pieces of at most 64 KB (a large file read without one large buffer). */
  readPieces?(path: string): AsyncIterable<Uint8Array>;
  /**
   * The text of a file that holds one record (the index), opened piece by piece;
   * undefined when the file is not of that kind (then `read` it). Throws as `read` does.
   */
  readRecordText?(path: string): Promise<string | undefined>;
}

/** Pieces small enough for malloc's pools: larger ones leave native memory behind once freed. */
export const PIECE_BYTES = 64 * 1024;

/** Temporary files end so; one left behind was cut short and is never history. */
export const TEMP_SUFFIX = '.tmp';

export const nodeHistoryFiles: HistoryFiles = {
  makeDir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  list: (dir) => readdir(dir),
  read: (path) => readFile(path),
  append: (path, text) => appendFile(path, text, { mode: 0o600 }),
  replace: async (path, text) => {
    const temp = `${path}.${randomUUID()}${TEMP_SUFFIX}`;
    try {
      const file = await open(temp, 'w', 0o600);
      try {
        await file.writeFile(text);
        // Synced before the rename, so a power cut never leaves an empty file in its place.
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  },
  copy: (from, to) => copyFile(from, to),
  move: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  readPieces: (path) => createReadStream(path, { highWaterMark: PIECE_BYTES }),
  size: async (path) => {
    try {
      return (await stat(path)).size;
    } catch {
      return undefined;
    }
  },
  checkWritable: async (dir) => {
    const probe = join(dir, `.write-check-${randomUUID()}${TEMP_SUFFIX}`);
    await writeFile(probe, '', { mode: 0o600 });
    await rm(probe, { force: true });
  },
};
