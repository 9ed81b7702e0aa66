/**
 * The part of JsSIP's RTCSession the call manager drives, as a small
 * interface so the manager's state machine is testable without a network.
 * `jssipCallSession` adapts a real RTCSession.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import { JsSIP } from '../sip/jssip.js';
import type { Unsubscribe } from '../events.js';

export interface EndedEvent {
  readonly originator: 'local' | 'remote' | 'system';
  readonly cause: string;
}

/** The session's peer connection as the manager watches it (the bridged one in main). */
export interface WatchedConnection {
  readonly iceConnectionState: string;
  addEventListener(type: 'iceconnectionstatechange', listener: () => void): void;
  removeEventListener(type: 'iceconnectionstatechange', listener: () => void): void;
}

export interface CallSession {
  /** Without `mediaStream` nothing is sent yet (no microphone asked for): `sendStream` adds it later. */
  answer(options: { mediaStream?: unknown; pcConfig: Record<string, unknown> }): void;
  /**
   * Puts a stream captured after the answer on the call's connection, its tracks
   * `enabled` or not (JsSIP's mute and hold reach only tracks already sent).
   */
  sendStream(mediaStream: unknown, enabled: boolean): void;
  terminate(options?: { status_code?: number; reason_phrase?: string }): void;
  mute(): void;
  unmute(): void;
  hold(): boolean;
  unhold(): boolean;
  sendDtmf(tones: string): void;
  readonly connection: WatchedConnection | undefined;
  onAccepted(listener: () => void): Unsubscribe;
  onConfirmed(listener: () => void): Unsubscribe;
  onEnded(listener: (e: EndedEvent) => void): Unsubscribe;
  /** `originator` says who holds: remote = the other side put us on hold. */
  onHold(listener: (e: { originator: 'local' | 'remote'; held: boolean }) => void): Unsubscribe;
  onConnection(listener: (connection: WatchedConnection) => void): Unsubscribe;
}

type Listener = (...args: never[]) => void;

interface LocalStream {
  getTracks(): { enabled: boolean }[];
}
interface SendingConnection {
  addTrack(track: unknown, stream: unknown): unknown;
}

export function jssipCallSession(session: RTCSession): CallSession {
  const on = (event: string, listener: Listener): Unsubscribe => {
    const s = session as unknown as { on(e: string, l: Listener): void; off(e: string, l: Listener): void };
    s.on(event, listener);
    return () => s.off(event, listener);
  };
  const originatorOf = (e: unknown): 'local' | 'remote' | 'system' => {
    const o = (e as { originator?: unknown } | undefined)?.originator;
    return o === 'local' || o === 'remote' ? o : 'system';
  };
  return {
    answer: ({ mediaStream, pcConfig }) =>
      session.answer({
        ...(mediaStream !== undefined ? { mediaStream: mediaStream as never } : {}),
        pcConfig: pcConfig as never,
        // No stream and audio: false: JsSIP must not open a microphone of its own.
        mediaConstraints: { audio: mediaStream !== undefined, video: false },
      }),
    sendStream: (mediaStream, enabled) => {
      const pc = (session as unknown as { connection?: SendingConnection }).connection;
      if (!pc) throw new Error('the call has no connection to send on');
      const stream = mediaStream as LocalStream;
      for (const track of stream.getTracks()) {
        track.enabled = enabled;
        pc.addTrack(track, stream);
      }
    },
    terminate: (options) => session.terminate(options ?? {}),
    mute: () => session.mute({ audio: true }),
    unmute: () => session.unmute({ audio: true }),
    hold: () => session.hold(),
    unhold: () => session.unhold(),
    // SIP INFO (application/dtmf-relay): works through any SIP server and needs no RTP sender.
    sendDtmf: (tones) =>
      session.sendDTMF(tones, {
        transportType: JsSIP.C.DTMF_TRANSPORT.INFO,
        duration: 100,
        interToneGap: 70,
      }),
    get connection() {
      return (session as unknown as { connection?: WatchedConnection }).connection ?? undefined;
    },
    onAccepted: (l) => on('accepted', () => l()),
    onConfirmed: (l) => on('confirmed', () => l()),
    onEnded: (l) => {
      const ended = (e: { cause?: unknown }) =>
        l({ originator: originatorOf(e), cause: String(e?.cause ?? '') });
      const offEnded = on('ended', ended);
      const offFailed = on('failed', ended);
      return () => {
        offEnded();
        offFailed();
      };
    },
    onHold: (l) => {
      const offHold = on('hold', (e: unknown) =>
        l({ originator: originatorOf(e) === 'remote' ? 'remote' : 'local', held: true }),
      );
      const offUnhold = on('unhold', (e: unknown) =>
        l({ originator: originatorOf(e) === 'remote' ? 'remote' : 'local', held: false }),
      );
      return () => {
        offHold();
        offUnhold();
      };
    },
    onConnection: (l) =>
      on('peerconnection', (e: { peerconnection: WatchedConnection }) => l(e.peerconnection)),
  };
}
