/**
 * When the chat scrolls by itself (pure; messages.tsx applies it). A KW who
 * reads the newest item keeps seeing the newest one; a KW who scrolled up to
 * read is never pulled away: new items then raise a "New messages" pill. The
 * KW's own message always brings the timeline to its end (it answers what is
 * there).
 */
import type { ConversationView } from '../../../preload/contract.js';

/** Within this many pixels of the end counts as "at the end" (a fraction of a line). */
export const AT_BOTTOM_SLACK_PX = 40;

/** One item of the timeline, for telling new ones from old: a message or a call record. */
export interface TimelineItem {
  readonly id: string;
  /** Written by the KW (an outgoing message). */
  readonly own: boolean;
}

/** scroll: to the end; pill: show "New messages"; stay: leave the scroll position alone. */
export type FollowAction = 'scroll' | 'pill' | 'stay';

export function isAtBottom(
  box: { readonly scrollHeight: number; readonly scrollTop: number; readonly clientHeight: number },
  slack = AT_BOTTOM_SLACK_PX,
): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= slack;
}

/** The items of a conversation's timeline (messages and call records; ids are unique per kind). */
export function timelineItems(c: Pick<ConversationView, 'messages' | 'calls'>): TimelineItem[] {
  return [
    ...c.messages.map((m) => ({ id: `m:${m.id}`, own: m.direction === 'out' })),
    ...c.calls.map((r) => ({ id: `c:${r.callId}`, own: false })),
  ];
}

/** The items of `next` that `seen` lacks. */
export function newItems(seen: ReadonlySet<string>, next: readonly TimelineItem[]): TimelineItem[] {
  return next.filter((item) => !seen.has(item.id));
}

/**
 * What to do after the timeline changed: at the end, follow it (new items,
 * a delivery state, a taller bubble); scrolled up, stay and raise the pill
 * for what others added, unless the KW just wrote something.
 */
export function followAction(atBottom: boolean, added: readonly TimelineItem[]): FollowAction {
  if (atBottom || added.some((item) => item.own)) return 'scroll';
  return added.length > 0 ? 'pill' : 'stay';
}
