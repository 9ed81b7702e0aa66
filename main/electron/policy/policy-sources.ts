/**
 * What the policy readers need from the OS, injected so that each reader is
 * tested with fixture files and fixture command outputs (no real registry,
 * no real managed preferences in tests).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A file's text, or undefined when it does not exist (any other error throws). */
export type ReadText = (path: string) => Promise<string | undefined>;
/** A file's bytes, or undefined when it does not exist (any other error throws). */
export type ReadBytes = (path: string) => Promise<Buffer | undefined>;

export interface CommandResult {
  /** The exit code; undefined when the command could not be started (not installed). */
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}
export type RunCommand = (file: string, args: readonly string[]) => Promise<CommandResult>;

export const readBytesFromDisk: ReadBytes = async (path) => {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

export const readTextFromDisk: ReadText = async (path) => (await readBytesFromDisk(path))?.toString('utf8');

/** Runs a program without a shell; 10 s at most, 1 MB of output at most. */
export const runProgram: RunCommand = (file, args) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: 10_000, maxBuffer: 1_000_000, windowsHide: true },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
        resolve({ code, stdout, stderr });
      },
    );
  });
