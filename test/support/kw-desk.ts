/** A KW Desktop core for tests: the real KwCore with a file history in a temp dir. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KwCore } from '../../main/core/kw-core.js';
import { FileHistoryStore } from '../../main/core/history/file-history-store.js';
import type { ManualState } from '../../wire/presence/states.js';
import type { Logger } from '../../main/core/log.js';
import type { PendingPreview } from '../../main/core/previews/preview-inbox.js';
import type { ServerUnderTest } from './servers.js';
import type { CallMedia } from '../../main/core/calls/call-media.js';
import { createTestAgent, waitForState, withDeadline } from './agents.js';

export interface TestKw {
  readonly core: KwCore;
  readonly uri: string;
  readonly historyDir: string;
  /** The next preview that pops, or the one already pending. */
  nextPreview(timeoutMs?: number): Promise<PendingPreview>;
  stop(): Promise<void>;
}

export interface TestKwOptions {
  /** The routing points the test's router runs: the only senders of previews this KW takes. */
  readonly trustedRoutingPoints: readonly string[];
  /** Connect somewhere else than the server itself (e.g. through a WsTap). */
  readonly servers?: readonly string[];
  readonly presence?: ManualState;
  readonly historyDir?: string;
  readonly media?: CallMedia;
  readonly ringTimeoutMs?: number;
}

export async function startKw(
  server: ServerUnderTest,
  user: string,
  logger: Logger,
  options: TestKwOptions,
): Promise<TestKw> {
  const historyDir = options.historyDir ?? (await mkdtemp(join(tmpdir(), `kw-${user}-`)));
  const agent = createTestAgent(server, user, {
    logger,
    displayName: `Expert ${user}`,
    ...(options.servers ? { servers: options.servers } : {}),
  });
  const core = new KwCore({
    agent,
    history: new FileHistoryStore({ dir: historyDir, logger }),
    logger: logger.child(user),
    initialPresence: options.presence ?? 'available',
    publishExpires: 120,
    trustedRoutingPoints: options.trustedRoutingPoints,
    ...(options.media ? { media: options.media } : {}),
    ...(options.ringTimeoutMs ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
  });
  await core.start();
  await waitForState(agent, (s) => s.phase === 'registered');
  await withDeadline(
    new Promise<void>((resolve) => {
      if (core.presence.snapshot().publication.kind === 'published') resolve();
      core.presence.on('change', (s) => s.publication.kind === 'published' && resolve());
    }),
    10_000,
    () => `${user}: presence never published`,
  );
  const queue: PendingPreview[] = [];
  const waiters: Array<(p: PendingPreview) => void> = [];
  core.previews.on('added', (p) => {
    const w = waiters.shift();
    if (w) w(p);
    else queue.push(p);
  });
  return {
    core,
    uri: agent.aor,
    historyDir,
    nextPreview: (timeoutMs = 10_000) => {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return withDeadline(
        new Promise((resolve) => waiters.push(resolve)),
        timeoutMs,
        () => `${user}: no preview`,
      );
    },
    stop: () => core.stop(),
  };
}
