/**
 * Presence load generator: publishes PIDF presence for many KWs
 * (`sip:kwNNNN@domain`) without a user agent per KW. A few raw WebSocket SIP
 * connections send one PUBLISH per presentity (Request-URI, From and To = the
 * presentity), paced (at most `ratePerSecond` started per second, at most
 * `maxInFlight` unanswered at once), bounded in count (MAX_PRESENTITIES) and in
 * time (`timeoutMs`: what is not answered by then is reported, not waited for).
 *
 * Why one connection may publish for many presentities: with auth off (the
 * benchmarks' default: no users file, no `-A WITH_AUTH`) neither server ties a
 * PUBLISH to the connection's registration.
 *  - Lab SIP server (lab/sip-server/server.ts `publish`): the presentity is the
 *    Request-URI; From and presentity must equal the authenticated user only when
 *    a users file turns auth on (403 From Does Not Match Authenticated User). Without users any AOR of
 *    its domain may be published, from any connection, registered or not.
 *  - Kamailio (lab/kamailio/kamailio.cfg): PUBLISH goes to `handle_publish()`
 *    (presentity = Request-URI); `route[AUTH]` only exists with `WITH_AUTH`, and
 *    then `proxy_authorize` checks the credentials against the From user (so one
 *    connection could still publish for many users only with each user's password).
 * With auth on, this generator would need N sets of credentials; it refuses
 * nothing itself, it reports the servers' answers.
 */
import { encodePidf } from '../../wire/presence/pidf.js';
import { presenceDocument, type EffectiveState } from '../../wire/presence/states.js';
import { PIDF_CONTENT_TYPE } from '../../wire/content-types.js';
import { RawUa } from './raw-ua.js';

/** No run publishes more than this many presentities. */
export const MAX_PRESENTITIES = 50_000;
const MAX_CONNECTIONS = 8;

export interface Presentity {
  /** The user part: `kw0042`. */
  readonly user: string;
  readonly state: EffectiveState;
  /** Modify this earlier publication (SIP-If-Match) instead of adding one: watchers get the new state. */
  readonly etag?: string;
}

export interface PresenceLoadOptions {
  /** The SIP server's ws:// URL. */
  readonly url: string;
  readonly domain: string;
  readonly presentities: readonly Presentity[];
  /** Raw WebSocket connections, used in turn; default 2, at most 8. */
  readonly connections?: number;
  /** Unanswered PUBLISHes at once; default 32. */
  readonly maxInFlight?: number;
  /** PUBLISHes started per second at most; default 2000. */
  readonly ratePerSecond?: number;
  /** PUBLISH Expires; default 3600 (both servers' maximum). */
  readonly expires?: number;
  /** The whole run; default 30 s + the time the pace needs. */
  readonly timeoutMs?: number;
}

export interface PresenceLoadResult {
  readonly requested: number;
  readonly published: number;
  /** Non-2xx answers and errors (timeouts, a closed connection), grouped: `"503 Service Unavailable": 12`. */
  readonly failures: Readonly<Record<string, number>>;
  /** Presentities never sent because the time was up. */
  readonly notSent: number;
  /** The SIP-ETag of each publication that succeeded, by user: for the next change. */
  readonly etags: ReadonlyMap<string, string>;
  readonly elapsedMs: number;
}

export function kwUser(index: number, count: number): string {
  return `kw${String(index).padStart(Math.max(4, String(count - 1).length), '0')}`;
}

export async function publishPresence(options: PresenceLoadOptions): Promise<PresenceLoadResult> {
  const { presentities, domain } = options;
  if (presentities.length > MAX_PRESENTITIES)
    throw new Error(`presence load: ${presentities.length} presentities, at most ${MAX_PRESENTITIES}`);
  const connections = Math.min(Math.max(1, options.connections ?? 2), MAX_CONNECTIONS);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 32);
  const rate = Math.max(1, options.ratePerSecond ?? 2000);
  const expires = options.expires ?? 3600;
  const timeoutMs = options.timeoutMs ?? 30_000 + (presentities.length / rate) * 1000;

  const uas: RawUa[] = [];
  const failures: Record<string, number> = {};
  const etags = new Map<string, string>();
  let published = 0;
  let sent = 0;
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  try {
    for (let i = 0; i < connections; i += 1)
      uas.push(await RawUa.connect(options.url, `sip:presence-load-${i}@${domain}`));
    const inFlight = new Set<Promise<void>>();
    for (const p of presentities) {
      // Pace: the i-th PUBLISH starts no earlier than i / rate seconds after the start.
      const due = t0 + (sent / rate) * 1000;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (performance.now() > deadline) break;
      const aor = `sip:${p.user}@${domain}`;
      const ua = uas[sent % uas.length] as RawUa;
      sent += 1;
      const one = ua
        .request('PUBLISH', aor, {
          from: aor,
          to: aor,
          headers: [
            'Event: presence',
            `Expires: ${expires}`,
            ...(p.etag !== undefined ? [`SIP-If-Match: ${p.etag}`] : []),
          ],
          contentType: PIDF_CONTENT_TYPE,
          body: encodePidf(presenceDocument(aor, p.state)),
          timeoutMs: Math.max(1000, Math.min(10_000, deadline - performance.now())),
        })
        .then(
          (r) => {
            if (r.status >= 200 && r.status < 300) {
              published += 1;
              const etag = r.headers.get('SIP-ETag');
              if (etag !== undefined) etags.set(p.user, etag);
            } else count(failures, `${r.status} ${r.reason}`);
          },
          (error: unknown) => count(failures, errorKind(error)),
        )
        .finally(() => inFlight.delete(one));
      inFlight.add(one);
    }
    await Promise.all(inFlight);
  } finally {
    for (const ua of uas) ua.close();
  }
  return {
    requested: presentities.length,
    published,
    failures,
    notSent: presentities.length - sent,
    elapsedMs: performance.now() - t0,
    etags,
  };
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function errorKind(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (text.includes('no final response')) return 'timeout';
  if (text.includes('closed') || text.includes('not open')) return 'connection closed';
  return text.slice(0, 80);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
