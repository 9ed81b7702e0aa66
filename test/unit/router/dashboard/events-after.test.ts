import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../../router/store/memory-store.js';
import { EVENT_STREAM_MAX } from '../../../../router/store/types.js';

describe('memory store: reading the event stream on with a cursor', () => {
  it('returns each event once, in order, page by page; no new events keep the cursor', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 5; i++) await store.appendEvent({ n: i });
    const first = await store.eventsAfter(undefined, 3);
    expect(first.events).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    const second = await store.eventsAfter(first.cursor, 3);
    expect(second.events).toEqual([{ n: 3 }, { n: 4 }]);
    const none = await store.eventsAfter(second.cursor, 3);
    expect(none).toEqual({ events: [], cursor: second.cursor });
    await store.appendEvent({ n: 5 });
    expect((await store.eventsAfter(none.cursor, 3)).events).toEqual([{ n: 5 }]);
    await expect(store.eventsAfter('not-a-cursor', 3)).rejects.toThrow(TypeError);
  });

  it('goes on from the oldest event kept when the stream was trimmed past the cursor', async () => {
    const store = new MemoryStore();
    await store.appendEvent({ n: 0 });
    const start = await store.eventsAfter(undefined, 1);
    for (let i = 1; i <= EVENT_STREAM_MAX + 1; i++) await store.appendEvent({ n: i });
    // Events 0 and 1 were trimmed: the reader resumes at 2, the oldest kept.
    const next = await store.eventsAfter(start.cursor, 2);
    expect(next.events).toEqual([{ n: 2 }, { n: 3 }]);
    expect((await store.eventsAfter(next.cursor, 1)).events).toEqual([{ n: 4 }]);
  });
});
