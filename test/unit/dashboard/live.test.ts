/**
 * The page's network side: the live feed's states over an EventSource (a fake
 * with the browser's readyState rules), snapshot checking, and the login and
 * dry-run answers turned into sentences (a fake fetch).
 */
import { describe, expect, it } from 'vitest';
import { dryRun, login, type Fetch } from '../../../dashboard/live/api.js';
import {
  checkSnapshot,
  LiveFeed,
  type EventSourceLike,
  type FeedState,
  type StreamMessage,
} from '../../../dashboard/live/live-feed.js';
import { snapshotFor } from '../../../dashboard/dev/fixtures.js';
import type { DashboardSnapshot } from '../../../wire/dashboard.js';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  private listener: ((event: StreamMessage) => void) | undefined;

  addEventListener(_type: 'snapshot', listener: (event: StreamMessage) => void): void {
    this.listener = listener;
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  /** A network error: the browser retries (CONNECTING); a refused stream: CLOSED. */
  fail(refused: boolean): void {
    this.readyState = refused ? 2 : 0;
    this.onerror?.(new Event('error'));
  }
  send(data: string): void {
    this.listener?.({ data });
  }
}

function harness() {
  const sources: FakeEventSource[] = [];
  const states: FeedState[] = [];
  const snapshots: DashboardSnapshot[] = [];
  const rejected: string[] = [];
  const feed = new LiveFeed(
    () => {
      const source = new FakeEventSource();
      sources.push(source);
      return source;
    },
    { state: (s) => states.push(s), snapshot: (s) => snapshots.push(s), rejected: (w) => rejected.push(w) },
  );
  return { feed, sources, states, snapshots, rejected };
}

function source(h: ReturnType<typeof harness>): FakeEventSource {
  const first = h.sources[0];
  if (!first) throw new Error('the feed opened no EventSource');
  return first;
}

const good = JSON.stringify(snapshotFor('busy', Date.parse('2026-03-02T10:00:00Z')));

describe('live feed', () => {
  it('goes live, says reconnecting after a network error, and live again when the browser reconnects', () => {
    const h = harness();
    h.feed.start();
    source(h).open();
    source(h).send(good);
    source(h).fail(false);
    source(h).open();
    expect(h.states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(h.snapshots).toHaveLength(1);
    expect(h.sources).toHaveLength(1);
  });

  it('reports a refused stream (no session) and does not retry it', () => {
    const h = harness();
    h.feed.start();
    source(h).fail(true);
    expect(h.states).toEqual(['connecting', 'refused']);
    expect(source(h).closed).toBe(true);
    h.feed.start();
    expect(h.sources).toHaveLength(2);
  });

  it('ignores a bad snapshot, and stops on another protocol', () => {
    const h = harness();
    h.feed.start();
    source(h).open();
    source(h).send('{nope');
    source(h).send(JSON.stringify({ ...JSON.parse(good), routingPoints: [{ uri: 1 }] }));
    expect(h.snapshots).toHaveLength(0);
    expect(h.states).toEqual(['connecting', 'live']);
    source(h).send(JSON.stringify({ ...JSON.parse(good), protocol: 2 }));
    expect(h.states.at(-1)).toBe('outdated');
    expect(source(h).closed).toBe(true);
    expect(h.rejected).toEqual([
      'a snapshot that is not JSON',
      expect.stringMatching(/^a snapshot with a bad field routingPoints\.0\.uri: /),
      'a snapshot of protocol 2',
    ]);
  });

  it('checks a snapshot with the wire schema', () => {
    expect(checkSnapshot(good).ok).toBe(true);
    expect(checkSnapshot('null')).toEqual({
      ok: false,
      outdated: true,
      why: 'a snapshot of protocol undefined',
    });
  });
});

function answering(status: number, body?: unknown): { fetch: Fetch; calls: [string, RequestInit][] } {
  const calls: [string, RequestInit][] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push([url, init]);
      return Promise.resolve(new Response(body === undefined ? null : JSON.stringify(body), { status }));
    },
  };
}

describe('login', () => {
  it('posts the token as JSON to the page-relative login path', async () => {
    const fake = answering(204);
    expect(await login('s3cret', fake.fetch)).toEqual({ ok: true });
    const [url, init] = fake.calls[0] ?? [];
    expect(url).toBe('login');
    expect(init).toMatchObject({ method: 'POST', body: '{"token":"s3cret"}' });
  });

  it.each([
    [401, 'That token is not right.'],
    [429, 'Too many tries. Wait a minute, then try again.'],
    [404, 'The dashboard is switched off on this router.'],
    [500, 'The router could not sign you in. Try again in a moment.'],
  ])('answers %i with a sentence', async (status, message) => {
    expect(await login('x', answering(status, { error: 'wrong token' }).fetch)).toEqual({
      ok: false,
      message,
    });
  });

  it('says when the router cannot be reached', async () => {
    const outcome = await login('x', () => Promise.reject(new TypeError('Failed to fetch')));
    expect(outcome).toEqual({
      ok: false,
      message: 'The router cannot be reached. Check the network, then try again.',
    });
  });
});

describe('dry run request', () => {
  const request = { routingPoint: 'sip:p@x', members: [] };

  it('returns a checked result, problems included', async () => {
    const problems = { ok: false, problems: ['The config has no routing point sip:p@x.'] };
    expect(await dryRun(request, answering(400, problems).fetch)).toEqual({
      kind: 'result',
      result: problems,
    });
  });

  it('notices an ended session, and refuses an answer it does not understand', async () => {
    expect(await dryRun(request, answering(401).fetch)).toEqual({ kind: 'signed-out' });
    expect(await dryRun(request, answering(200, { ok: true, order: 'all' }).fetch)).toEqual({
      kind: 'failed',
      message: 'The router’s answer to the dry run was not understood.',
    });
  });
});
