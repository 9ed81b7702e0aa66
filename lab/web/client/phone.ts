/**
 * A JsSIP user agent for a lab page: registration state as one value, remote
 * audio of a session, and the few JsSIP quirks the pages have to work around.
 */
import * as JsSIP from 'jssip';
import type { RTCSession, ReferOptions } from 'jssip/lib/RTCSession';
import type { IncomingMessageEvent, RTCSessionEvent, UA } from 'jssip/lib/UA';
import { rawHeaders, type RawHeader } from '../../../wire/sip/headers.js';

export interface PhoneConfig {
  readonly server: string;
  readonly uri: string;
  readonly displayName: string;
  readonly password: string;
}

export type RegState = 'unregistered' | 'connecting' | 'registered' | 'failed';

export interface PhoneHandlers {
  state(state: RegState, detail: string): void;
  session(event: RTCSessionEvent): void;
  message?(event: IncomingMessageEvent): void;
}

/** No STUN: the lab is one machine; host candidates are all we need. */
export const PC_CONFIG: RTCConfiguration = { iceServers: [] };

export class Phone {
  readonly ua: UA;

  constructor(
    readonly config: PhoneConfig,
    handlers: PhoneHandlers,
  ) {
    const socket = new JsSIP.WebSocketInterface(config.server);
    this.ua = new JsSIP.UA({
      sockets: [socket],
      uri: config.uri,
      display_name: config.displayName || undefined,
      password: config.password || undefined,
      register: true,
      register_expires: 300,
      session_timers: false,
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 10,
      user_agent: 'KW lab page (JsSIP)',
    });
    this.ua.on('connecting', () => handlers.state('connecting', `connecting to ${config.server}`));
    this.ua.on('disconnected', () => handlers.state('failed', `cannot reach ${config.server}`));
    this.ua.on('registered', () => handlers.state('registered', `registered as ${config.uri}`));
    this.ua.on('unregistered', () => handlers.state('unregistered', 'not registered'));
    this.ua.on('registrationFailed', (e) =>
      handlers.state(
        'failed',
        `registration failed: ${e.response?.status_code ?? ''} ${e.cause ?? ''}`.trim(),
      ),
    );
    this.ua.on('newRTCSession', (e: RTCSessionEvent) => handlers.session(e));
    this.ua.on('newMessage', (e: IncomingMessageEvent | { originator: string }) => {
      if (e.originator === 'remote' && handlers.message) handlers.message(e as IncomingMessageEvent);
    });
  }

  start(): void {
    this.ua.start();
  }

  stop(): void {
    this.ua.stop();
  }

  /** Sends a MESSAGE; resolves with the final status (2xx) or rejects with "480 Temporarily Unavailable". */
  sendMessage(
    target: string,
    body: string,
    contentType: string,
    headers: readonly string[],
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      this.ua.sendMessage(target, body, {
        contentType,
        extraHeaders: [...headers],
        eventHandlers: {
          succeeded: () => resolve(200),
          failed: (e) =>
            reject(
              new Error(
                e.response ? `${e.response.status_code} ${e.response.reason_phrase}` : String(e.cause),
              ),
            ),
        },
      });
    });
  }
}

/** Calls back with the session's remote audio as soon as it arrives (calls made or taken). */
export function onRemoteStream(session: RTCSession, callback: (stream: MediaStream) => void): void {
  let done = false;
  const watch = (pc: RTCPeerConnection): void => {
    pc.addEventListener('track', (e) => {
      if (done || e.track.kind !== 'audio') return;
      done = true;
      callback(e.streams[0] ?? new MediaStream([e.track]));
    });
  };
  // An outgoing session has its connection right away; an incoming one gets it on answer.
  const pc = session.connection as RTCPeerConnection | undefined;
  if (pc) watch(pc);
  else session.on('peerconnection', (e) => watch(e.peerconnection));
}

/** The audio sender of a session, whose track conference mixing replaces. */
export function audioSender(session: RTCSession): RTCRtpSender | undefined {
  const pc = session.connection as RTCPeerConnection | undefined;
  return pc?.getSenders().find((s) => s.track?.kind === 'audio' || s.track === null);
}

/** Headers of an incoming request as written (JsSIP normalises names; user data keys keep their case). */
export function requestHeaders(request: { toString(): string }): RawHeader[] {
  return rawHeaders(request.toString());
}

export interface ReferProgress {
  /** The REFER itself was accepted (202) or refused. */
  requestSucceeded?(): void;
  requestFailed?(status: number, reason: string): void;
  /** A NOTIFY with the new call's status (sipfrag). */
  notify(status: number, reason: string): void;
}

interface StatusLine {
  readonly status_line?: { readonly status_code: number; readonly reason_phrase: string };
}

interface ReferFailure {
  readonly response: { readonly status_code: number; readonly reason_phrase: string } | null;
  readonly cause: string;
}

/**
 * REFER with a Refer-To that carries URI headers exactly as written. JsSIP's
 * refer() parses a string target and re-serialises it with header names
 * "headerized" (X-UserData-CaseNumber → X-Userdata-Casenumber); a URI instance
 * is used as is, so we give it one whose string form is our text.
 */
export function referWithHeaders(session: RTCSession, referTo: string, progress: ReferProgress): void {
  const base = JsSIP.URI.parse(referTo.split('?')[0] ?? referTo);
  if (!(base instanceof JsSIP.URI)) throw new Error(`not a SIP URI: ${referTo}`);
  Object.defineProperty(base, 'toString', { value: () => referTo });
  const line = (e: StatusLine, f: (s: number, r: string) => void): void => {
    if (e.status_line) f(Number(e.status_line.status_code), e.status_line.reason_phrase);
  };
  const options = {
    eventHandlers: {
      requestSucceeded: () => progress.requestSucceeded?.(),
      requestFailed: (e: ReferFailure) =>
        progress.requestFailed?.(e.response?.status_code ?? 0, e.response?.reason_phrase ?? e.cause),
      trying: (e: StatusLine) => line(e, progress.notify),
      progress: (e: StatusLine) => line(e, progress.notify),
      accepted: (e: StatusLine) => line(e, progress.notify),
      failed: (e: StatusLine) => line(e, progress.notify),
    },
  } as unknown as ReferOptions; // JsSIP's typings wrongly require `reject` on refer options.
  session.refer(base, options);
}

/** URI headers (RFC 3261 §19.1.1) of a Refer-To / name-addr value, names as written, values unescaped once. */
export function uriHeaders(nameAddr: string): RawHeader[] {
  const uri = /<([^>]*)>/.exec(nameAddr)?.[1] ?? nameAddr.trim();
  const query = uri.indexOf('?');
  if (query === -1) return [];
  const out: RawHeader[] = [];
  for (const pair of uri.slice(query + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      out.push({
        name: decodeURIComponent(pair.slice(0, eq)),
        value: decodeURIComponent(pair.slice(eq + 1)),
      });
    } catch {
      // A malformed escape: skip that header, keep the others.
    }
  }
  return out;
}

/** The Refer-To URI without its headers. */
export function uriWithoutHeaders(nameAddr: string): string {
  const uri = /<([^>]*)>/.exec(nameAddr)?.[1] ?? nameAddr.trim();
  return uri.split('?')[0] ?? uri;
}

/** "sip:user@host" of a JsSIP identity, for display and comparisons. */
export function aorOf(identity: { uri: { toAor(): string } } | undefined): string {
  return identity?.uri.toAor() ?? '';
}
