/**
 * One worker process of the WebSocket load generator (forked by
 * ws-load.bench.ts): connects and registers its pairs of load clients, says
 * `ready`, waits for `go` (a common absolute start time), drives its share of
 * the load, sends its report and exits. Any failure is reported as `failed`
 * with the reason, and the process exits non-zero.
 */
import { LoadClient } from './ws-load-client.js';
import { drive, type LoadMode, type Pair } from './ws-load-driver.js';
import type { WorkerReport } from './ws-load-result.js';

export interface WorkerSetup {
  readonly type: 'setup';
  readonly url: string;
  readonly domain: string;
  /** Distinguishes this worker's users: `<prefix>p<i>a`, `<prefix>p<i>b`. */
  readonly prefix: string;
  readonly pairs: number;
  readonly mode: LoadMode;
  readonly seconds: number;
  readonly maxMessages: number;
  readonly timeoutMs: number;
}

export type ToWorker = WorkerSetup | { readonly type: 'go'; readonly startAt: number };
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'report'; readonly report: WorkerReport }
  | { readonly type: 'failed'; readonly error: string };

const REGISTER_TIMEOUT_MS = 10_000;

async function connectPair(setup: WorkerSetup, i: number): Promise<Pair> {
  const make = async (side: 'a' | 'b'): Promise<LoadClient> => {
    const c = await LoadClient.connect(setup.url, `${setup.prefix}p${i}${side}`, setup.domain);
    const r = await c.register(REGISTER_TIMEOUT_MS);
    if (!('status' in r) || r.status < 200 || r.status >= 300)
      throw new Error(`REGISTER ${c.aor}: ${'status' in r ? r.status : r.failure}`);
    return c;
  };
  return [await make('a'), await make('b')];
}

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, () => resolve());
  });
}

function nextMessage(): Promise<ToWorker> {
  return new Promise((resolve) => process.once('message', (m: ToWorker) => resolve(m)));
}

async function main(): Promise<void> {
  const setup = await nextMessage();
  if (setup.type !== 'setup') throw new Error(`expected setup, got ${setup.type}`);
  const pairs: Pair[] = [];
  try {
    for (let i = 0; i < setup.pairs; i += 1) pairs.push(await connectPair(setup, i));
    await send({ type: 'ready' });
    const go = await nextMessage();
    if (go.type !== 'go') throw new Error(`expected go, got ${go.type}`);
    const report = await drive(pairs, { ...setup, startAt: go.startAt });
    await send({ type: 'report', report });
  } finally {
    for (const [a, b] of pairs) {
      a.close();
      b.close();
    }
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    await send({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
