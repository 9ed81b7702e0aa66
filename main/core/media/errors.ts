/** Why a bridge request failed, so callers can tell a dead host from a host that said no. */
export type MediaBridgeErrorCode =
  /** No media host is attached (or it has not said hello yet). */
  | 'unavailable'
  /** The host did not answer within the request timeout. */
  | 'timeout'
  /** The host went away (link closed, host replaced, bridge detached). */
  | 'lost'
  /** The host answered with a message that does not follow the protocol. */
  | 'refused'
  /** The host answered with an error (e.g. the microphone is denied). */
  | 'host'
  /** The peer connection is closed. */
  | 'closed';

export class MediaBridgeError extends Error {
  override readonly name = 'MediaBridgeError';
  constructor(
    readonly code: MediaBridgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Timers the bridge uses (ICE gathering bound, request timeouts); injectable for tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  // Late-bound so fake timers installed after import are honoured.
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
