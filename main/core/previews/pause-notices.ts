/**
 * A routing point stopped sending this KW requests after they missed several
 * in a row (the router's `paused` control message, issue 16). Kept per routing
 * point until the KW comes back: choosing Available sends `resume` to each
 * (the router lets them back), and presence becoming Available again by itself
 * clears the notices (the router saw the same change).
 */
import { TypedEmitter } from '../events.js';
import type { Logger } from '../log.js';
import type { Paused } from '../../../wire/control.js';
import type { SipReply } from '../sip/agent.js';
import type { ControlSender } from './control-sender.js';

export interface PauseNotice {
  readonly routingPoint: string;
  /** The routing point's name as the router gave it ("Billing experts"). */
  readonly displayName: string;
  readonly missed: number;
  /** The interaction of the last miss: `resume` names it. */
  readonly interactionId: string;
}

interface PauseEvents extends Record<string, unknown> {
  changed: readonly PauseNotice[];
}

export class PauseNotices extends TypedEmitter<PauseEvents> {
  private readonly notices = new Map<string, PauseNotice>();

  constructor(
    private readonly sender: ControlSender,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** A `paused` from a trusted routing point (the caller checked who sent it). */
  receive(paused: Paused): SipReply {
    this.notices.set(paused.routingPoint, {
      routingPoint: paused.routingPoint,
      displayName: paused.displayName,
      missed: paused.missed,
      interactionId: paused.interactionId,
    });
    this.logger.info('a routing point paused this KW', {
      routingPoint: paused.routingPoint,
      missed: paused.missed,
    });
    this.changed();
    return { status: 200 };
  }

  list(): PauseNotice[] {
    return [...this.notices.values()];
  }

  /** "Receive requests again": `resume` to every routing point that paused this KW. */
  async resumeAll(): Promise<void> {
    const notices = this.list();
    if (notices.length === 0) return;
    this.notices.clear();
    this.changed();
    const sent = await Promise.allSettled(
      notices.map((n) => this.sender.send(n.routingPoint, 'resume', { interactionId: n.interactionId })),
    );
    sent.forEach((result, i) => {
      if (result.status === 'rejected')
        this.logger.warn('resume not delivered', {
          routingPoint: notices[i]?.routingPoint,
          error: String(result.reason),
        });
    });
  }

  /** Presence became Available by itself: the routers let this KW back on that change. */
  clear(): void {
    if (this.notices.size === 0) return;
    this.notices.clear();
    this.changed();
  }

  private changed(): void {
    this.emit('changed', this.list());
  }
}

/** The notice as the KW reads it. */
export function pauseSentence(notice: PauseNotice): string {
  return `You missed ${notice.missed} requests, so ${notice.displayName} stopped sending you requests.`;
}
