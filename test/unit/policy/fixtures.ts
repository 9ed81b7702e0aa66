/** Fixture access for the policy tests: files under test/fixtures/policy, and a recording fake command runner. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CommandResult,
  ReadBytes,
  ReadText,
  RunCommand,
} from '../../../main/electron/policy/policy-sources.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'policy');

export const fixtureText = (name: string): string => readFileSync(join(DIR, name), 'utf8');
export const fixtureBytes = (name: string): Buffer => readFileSync(join(DIR, name));

/** Reads the named fixture for each path in `files`; other paths do not exist. */
export function fixtureFiles(files: Record<string, string>): { readText: ReadText; readBytes: ReadBytes } {
  const readBytes: ReadBytes = (path) => {
    const name = files[path];
    return Promise.resolve(name === undefined ? undefined : fixtureBytes(name));
  };
  return { readBytes, readText: async (path) => (await readBytes(path))?.toString('utf8') };
}

export function fakeRunner(result: CommandResult): { run: RunCommand; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: (file, args) => {
      calls.push([file, ...args]);
      return Promise.resolve(result);
    },
  };
}
