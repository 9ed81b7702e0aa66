/** What a conversation is: the data the UI shows and the history keeps. */
import type { UserData } from '../sip/headers.js';

export type Delivery = 'sending' | 'delivered' | 'failed';

export interface ChatMessage {
  readonly id: string;
  readonly direction: 'in' | 'out';
  readonly text: string;
  readonly at: string; // ISO time
  readonly delivery?: Delivery; // outgoing only
  readonly error?: string; // why the last send failed
}

export interface Conversation {
  readonly interactionId: string;
  readonly agent: { readonly uri: string; readonly displayName: string };
  readonly routingPoint: string | undefined;
  readonly subject: string;
  readonly userData: UserData;
  readonly state: 'active' | 'ended';
  /** Who ended it, when it ended. */
  readonly endedBy?: 'me' | 'agent';
  readonly startedAt: string;
  readonly endedAt?: string;
  /** Opened by a message for an interaction we had no preview for (kept, not dropped). */
  readonly unsolicited?: boolean;
  readonly messages: readonly ChatMessage[];
}
