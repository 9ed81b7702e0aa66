/**
 * A read-only history folder, for real: tests run as root, for whom a mode of
 * 0555 stops nothing, so the KW's conversations and history run in a child
 * process as `nobody` (uid 65534; as the current user when not root). The
 * folder holds a conversation older than the retention, whose deletion fails
 * too. The KW starts, chats in memory, shows the sentence, and once the folder
 * is writable the next change writes everything and clears it.
 */
import { spawn } from 'node:child_process';
import { chmod, chown, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import { memoryLogger } from '../../../main/core/log.js';
import { INDEX_FILE } from '../../../main/core/history/history-index-file.js';
import { conversation, tempDirs } from './history-fixtures.js';

const tempDir = tempDirs();
const NOBODY = 65534;

interface Step {
  readonly step: string;
  readonly uid: number;
  readonly status: { saving: boolean; problem?: string };
  readonly conversations: string[];
  readonly messages?: string[];
}

const childIds = () => (process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {});

/** The folder and its files belong to the child's user, as a user's history does. */
async function ownedByChild(dir: string, names: readonly string[]): Promise<void> {
  const ids = childIds();
  if (ids.uid === undefined) return;
  for (const path of [dir, ...names.map((n) => join(dir, n))]) await chown(path, ids.uid, ids.gid);
}

/**
 * The child runs from one bundled file in `root` (mode 0755): `nobody` may not be
 * able to read the checkout (a clone in a 0700 temp dir, a home directory).
 */
async function bundleChild(root: string): Promise<string> {
  const outfile = join(root, 'history-child.mjs');
  await build({
    entryPoints: ['test/support/history-child.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // Bundled CommonJS dependencies require Node's built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o644);
  return outfile;
}

function runChild(script: string, dir: string) {
  const child = spawn(process.execPath, [script, dir], {
    cwd: dirname(script),
    stdio: ['pipe', 'pipe', 'inherit'],
    ...childIds(),
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    next: async (): Promise<Step> => {
      const { value, done } = await lines.next();
      if (done) throw new Error('the child stopped early');
      return JSON.parse(String(value)) as Step;
    },
    proceed: () => child.stdin.write('go\n'),
    exited: new Promise<number | null>((resolve) => child.on('exit', resolve)),
  };
}

describe('a read-only history folder (as a non-root user)', () => {
  it(
    'starts, chats in memory with a warning, and writes everything once it can',
    { timeout: 60_000 },
    async () => {
      const root = await tempDir();
      await chmod(root, 0o755);
      const dir = join(root, 'history');
      const seed = new FileHistoryStore({ dir, logger: memoryLogger().logger });
      await seed.save(conversation('expired-1', '2020-01-01T10:00:00Z'));
      await seed.save(conversation('recent-1', new Date().toISOString()));
      await ownedByChild(dir, ['expired-1.jsonl', 'recent-1.jsonl']);
      await chmod(dir, 0o555);

      const child = runChild(await bundleChild(root), dir);
      const started = await child.next();
      expect(started.uid).not.toBe(0);
      expect(started.status).toEqual({
        saving: false,
        problem: `History can't be saved: the folder ${dir} is read-only. Chats are kept until you quit.`,
      });
      expect(started.conversations).toEqual(['recent-1']);
      const chatting = await child.next();
      expect(chatting.messages).toEqual(['first', 'second']);
      expect(chatting.status.saving).toBe(false);

      await chmod(dir, 0o755);
      child.proceed();
      const changed = await child.next();
      expect(changed.status).toEqual({ saving: true });
      expect(await child.exited).toBe(0);

      const { conversations } = await new FileHistoryStore({ dir, logger: memoryLogger().logger }).loadAll();
      const chat = conversations.find((c) => c.interactionId === '33333333-3333-4333-8333-333333333333');
      expect(chat?.messages.map((m) => m.text)).toEqual(['first', 'second', 'third']);
      // The index (a cache of the list) may be there too, depending on timing.
      expect((await readdir(dir)).filter((n) => n !== INDEX_FILE).sort()).toEqual([
        '33333333-3333-4333-8333-333333333333.jsonl',
        'recent-1.jsonl',
      ]);
    },
  );
});
