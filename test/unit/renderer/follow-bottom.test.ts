/** When the chat scrolls by itself: follow the newest item at the end, a pill when the KW scrolled up. */
import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../../preload/contract.js';
import {
  AT_BOTTOM_SLACK_PX,
  followAction,
  isAtBottom,
  newItems,
  timelineItems,
} from '../../../renderer/main/chat/follow-bottom.js';

type Timeline = Pick<ConversationView, 'messages' | 'calls'>;

const msg = (id: string, direction: 'in' | 'out') => ({
  id,
  direction,
  text: id,
  at: '2025-01-01T10:00:00Z',
});
const call = (callId: string) => ({
  callId,
  escalation: 'transfer' as const,
  outcome: 'answered' as const,
  offeredAt: '2025-01-01T10:01:00Z',
  durationMs: 1000,
  endReason: 'done',
});

function timeline(messages: ReturnType<typeof msg>[], calls: ReturnType<typeof call>[] = []): Timeline {
  return { messages, calls } as unknown as Timeline;
}

/** The action after `before` became `after`, for a KW at the end or scrolled up. */
function after(before: Timeline, next: Timeline, atBottom: boolean) {
  const seen = new Set(timelineItems(before).map((i) => i.id));
  return followAction(atBottom, newItems(seen, timelineItems(next)));
}

describe('isAtBottom', () => {
  it('is at the end within the slack, not beyond it', () => {
    const box = { scrollHeight: 1000, clientHeight: 300 };
    expect(isAtBottom({ ...box, scrollTop: 700 })).toBe(true);
    expect(isAtBottom({ ...box, scrollTop: 700 - AT_BOTTOM_SLACK_PX })).toBe(true);
    expect(isAtBottom({ ...box, scrollTop: 700 - AT_BOTTOM_SLACK_PX - 1 })).toBe(false);
    expect(isAtBottom({ ...box, scrollTop: 0 })).toBe(false);
  });

  it('a timeline shorter than its box is at the end', () => {
    expect(isAtBottom({ scrollHeight: 200, clientHeight: 300, scrollTop: 0 })).toBe(true);
  });
});

describe('followAction', () => {
  const two = timeline([msg('1', 'in'), msg('2', 'out')]);

  it('a new message while the KW reads the end: scrolled to it', () => {
    expect(after(two, timeline([...two.messages, msg('3', 'in')]), true)).toBe('scroll');
  });

  it('a new message while the KW scrolled up: not scrolled, the pill instead', () => {
    expect(after(two, timeline([...two.messages, msg('3', 'in')]), false)).toBe('pill');
  });

  it('a call record arriving counts as new', () => {
    expect(after(two, timeline(two.messages, [call('c1')]), false)).toBe('pill');
    expect(after(two, timeline(two.messages, [call('c1')]), true)).toBe('scroll');
  });

  it("the KW's own message brings the timeline to its end even when scrolled up", () => {
    expect(after(two, timeline([...two.messages, msg('3', 'out')]), false)).toBe('scroll');
    expect(after(two, timeline([...two.messages, msg('3', 'in'), msg('4', 'out')]), false)).toBe('scroll');
  });

  it('nothing new (a delivery state changed): stays when scrolled up, follows at the end', () => {
    const delivered = timeline([msg('1', 'in'), { ...msg('2', 'out') }]);
    expect(after(two, delivered, false)).toBe('stay');
    expect(after(two, delivered, true)).toBe('scroll');
  });

  it('a message id seen before is not new (an update replaces the list)', () => {
    const items = timelineItems(timeline([msg('1', 'in')], [call('1')]));
    expect(items.map((i) => i.id)).toEqual(['m:1', 'c:1']);
    expect(newItems(new Set(['m:1']), items)).toEqual([{ id: 'c:1', own: false }]);
  });
});
