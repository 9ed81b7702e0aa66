/**
 * Retention: the newest `maxConversations` are kept, and ended conversations
 * older than `maxAgeDays` are dropped; an active one is never dropped.
 */
import type { Conversation } from '../conversations/model.js';

export interface RetentionRules {
  readonly now: number;
  readonly maxAgeDays: number;
  readonly maxConversations: number;
}

/** What retention looks at: no messages needed. */
type Dated = Pick<Conversation, 'startedAt' | 'state' | 'endedAt'>;

export function applyRetention<T>(
  items: readonly T[],
  conversationOf: (item: T) => Dated,
  rules: RetentionRules,
): { keep: T[]; drop: T[] } {
  const maxAgeMs = rules.maxAgeDays * 86_400_000;
  const newestFirst = [...items].sort((a, b) =>
    conversationOf(b).startedAt.localeCompare(conversationOf(a).startedAt),
  );
  const keep: T[] = [];
  const drop: T[] = [];
  for (const item of newestFirst) {
    const c = conversationOf(item);
    const tooOld = c.state === 'ended' && rules.now - Date.parse(c.endedAt ?? c.startedAt) > maxAgeMs;
    const tooMany = keep.length >= rules.maxConversations && c.state === 'ended';
    (tooOld || tooMany ? drop : keep).push(item);
  }
  return { keep, drop };
}
