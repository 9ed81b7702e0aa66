/**
 * A call as the core knows it: what the call manager emits and returns. The
 * application layer (main/app/views.ts) turns it into the contract's view.
 */
export interface CallPartyState {
  readonly uri: string;
  readonly displayName: string;
}

/** ringing: offered, not answered; connecting: answered, media not up yet; active: talking; ended: gone. */
export type CallPhase = 'ringing' | 'connecting' | 'active' | 'ended';

export interface CallState {
  readonly callId: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly phase: CallPhase;
  readonly remote: CallPartyState;
  readonly interactionId?: string;
  readonly escalation?: 'transfer' | 'conference';
  /** The escalating conversation's subject, agent and user data, when the call belongs to one. */
  readonly context?: {
    readonly subject: string;
    readonly agent: CallPartyState;
    readonly userData: Readonly<Record<string, string>>;
  };
  /** Everyone in the call besides this KW: the remote party, plus the others of a conference. */
  readonly participants: readonly CallPartyState[];
  readonly muted: boolean;
  readonly held: boolean;
  readonly remoteHeld: boolean;
  /** ms since epoch. */
  readonly offeredAt: number;
  readonly answeredAt?: number;
  readonly endedAt?: number;
  /** Why it ended, in words. */
  readonly endReason?: string;
  /** Tones sent with the keypad, in order. */
  readonly dtmf: string;
  /** Another call is active: answering this one puts that one on hold. */
  readonly waiting: boolean;
}

export interface DeviceState {
  readonly inputs: readonly { readonly deviceId: string; readonly label: string }[];
  readonly outputs: readonly { readonly deviceId: string; readonly label: string }[];
  /** The chosen ones ('' = the system default). */
  readonly input: string;
  readonly output: string;
  /** False when no media host is attached (calls cannot be answered). */
  readonly available: boolean;
}

/** A call's sound for its meters (the call manager's `levels` event), linear 0..1. */
export interface CallLevels {
  readonly callId: string;
  /** What the KW's microphone sends into the call (0 while muted or held). */
  readonly input: number;
  /** What the far end sends and the KW hears. */
  readonly output: number;
  /** Nothing audible from the microphone for a few seconds, although the call is active, unmuted, not held. */
  readonly inputSilent: boolean;
}
