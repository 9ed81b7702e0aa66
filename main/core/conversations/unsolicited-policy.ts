/**
 * How much a known agent may open without a preview (docs/decisions.md,
 * "Unsolicited conversations are bounded"). Conversations the KW uses (accepted
 * from a preview, replied in) are never counted or refused here: the caller
 * asks only for messages that would open, or go into, an unsolicited
 * conversation the KW has not taken up.
 */
import type { Clock } from '../clock.js';
import type { SipReply } from '../sip/agent.js';
import { TokenBucket, type BucketRate } from './token-bucket.js';
import type { Conversation } from './model.js';

export interface UnsolicitedLimits {
  /** Active unsolicited conversations the KW has not taken up, all senders together. */
  readonly maxActive: number;
  /** New unsolicited conversations per sender. */
  readonly newConversations: BucketRate;
  /** Messages per sender into unsolicited conversations not taken up, each opening one included. */
  readonly messages: BucketRate;
}

/** At most 20 waiting at once; per sender 5 new ones a minute and 2 messages a second (bursts of 10). */
export const UNSOLICITED_LIMITS: UnsolicitedLimits = {
  maxActive: 20,
  newConversations: { capacity: 5, perSecond: 5 / 60 },
  messages: { capacity: 10, perSecond: 2 },
};

/**
 * Whether the KW uses this conversation: it came from an accepted preview, or the
 * KW replied in it or took a call of it. Such conversations are never bounded.
 */
export function isTakenUp(conversation: Conversation): boolean {
  return (
    conversation.unsolicited !== true ||
    conversation.messages.some((m) => m.direction === 'out') ||
    (conversation.calls?.length ?? 0) > 0
  );
}

/** Past this many senders, those whose buckets are full again are forgotten. */
const REMEMBERED_SENDERS = 256;

interface SenderBuckets {
  readonly conversations: TokenBucket;
  readonly messages: TokenBucket;
}

export interface UnsolicitedPolicyOptions {
  readonly clock: Pick<Clock, 'now'>;
  readonly limits?: UnsolicitedLimits;
}

export class UnsolicitedPolicy {
  private readonly senders = new Map<string, SenderBuckets>();
  private readonly limits: UnsolicitedLimits;

  constructor(private readonly options: UnsolicitedPolicyOptions) {
    this.limits = options.limits ?? UNSOLICITED_LIMITS;
  }

  /** A message that would open a new unsolicited conversation: undefined if admitted, else the reply. */
  admitNew(sender: string, activeUnsolicited: number): SipReply | undefined {
    // The bound first: retrying later does not help while it is full.
    if (activeUnsolicited >= this.limits.maxActive)
      return { status: 486, reason: 'Too Many Unsolicited Conversations' };
    const buckets = this.bucketsOf(sender);
    const waitMs = Math.max(buckets.conversations.waitMs(), buckets.messages.waitMs());
    if (waitMs > 0) return rateLimited(waitMs, 'Too Many New Conversations, Retry Later');
    buckets.conversations.take();
    buckets.messages.take();
    return undefined;
  }

  /** A message into an unsolicited conversation not taken up: undefined if admitted, else the reply. */
  admitMessage(sender: string): SipReply | undefined {
    const { messages } = this.bucketsOf(sender);
    const waitMs = messages.waitMs();
    if (waitMs > 0) return rateLimited(waitMs, 'Too Many Messages, Retry Later');
    messages.take();
    return undefined;
  }

  private bucketsOf(sender: string): SenderBuckets {
    const known = this.senders.get(sender);
    if (known) return known;
    if (this.senders.size >= REMEMBERED_SENDERS) this.forgetIdleSenders();
    const clock = this.options.clock;
    const fresh = {
      conversations: new TokenBucket(this.limits.newConversations, clock),
      messages: new TokenBucket(this.limits.messages, clock),
    };
    this.senders.set(sender, fresh);
    return fresh;
  }

  private forgetIdleSenders(): void {
    for (const [sender, b] of this.senders) {
      if (b.conversations.isFull && b.messages.isFull) this.senders.delete(sender);
    }
  }
}

function rateLimited(waitMs: number, reason: string): SipReply {
  return { status: 503, reason, headers: [`Retry-After: ${Math.max(1, Math.ceil(waitMs / 1000))}`] };
}
