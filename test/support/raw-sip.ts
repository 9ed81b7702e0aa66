/** A bare WebSocket SIP client that sends hand-written (or broken) messages and collects what comes back. */
import WebSocket from 'ws';

export interface RawSipClient {
  send(frame: string | Buffer): void;
  /** Waits for a received message matching the predicate. */
  next(match: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  readonly received: string[];
  close(): void;
}

export async function connectRaw(url: string, ca?: string): Promise<RawSipClient> {
  const ws = new WebSocket(url, 'sip', ca ? { ca: [ca] } : {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const received: string[] = [];
  const waiters = new Set<(text: string) => void>();
  ws.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    received.push(text);
    for (const w of [...waiters]) w(text);
  });
  return {
    received,
    send: (frame) => ws.send(frame),
    next(match, timeoutMs = 5000) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `no matching SIP message within ${timeoutMs} ms; got: ${received.map((r) => r.split('\r\n')[0]).join(' | ')}`,
            ),
          );
        }, timeoutMs);
        const waiter = (text: string): void => {
          if (!match(text)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(text);
        };
        waiters.add(waiter);
      });
    },
    close: () => ws.terminate(),
  };
}

let counter = 0;

/** A syntactically valid request skeleton; callers break parts of it on purpose. */
export function rawRequest(
  method: string,
  ruri: string,
  opts: {
    from?: string;
    to?: string;
    toTag?: string;
    headers?: string[];
    body?: string;
    callId?: string;
  } = {},
): string {
  counter += 1;
  const body = opts.body ?? '';
  return [
    `${method} ${ruri} SIP/2.0`,
    `Via: SIP/2.0/WS raw${counter}.invalid;branch=z9hG4bK-raw-${Date.now()}-${counter}`,
    'Max-Forwards: 70',
    `From: <${opts.from ?? 'sip:raw@lab.local'}>;tag=raw${counter}`,
    `To: <${opts.to ?? ruri}>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? `raw-${Date.now()}-${counter}`}`,
    `CSeq: 1 ${method}`,
    ...(opts.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The same skeleton with a body of arbitrary bytes (e.g. not UTF-8); Content-Length counts them. */
export function rawRequestBytes(
  method: string,
  ruri: string,
  body: Buffer,
  opts: { from?: string; to?: string; toTag?: string; headers?: string[]; callId?: string } = {},
): Buffer {
  const head = rawRequest(method, ruri, { ...opts, body: '' }).replace(
    /Content-Length: 0\r\n\r\n$/,
    `Content-Length: ${body.length}\r\n\r\n`,
  );
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

export function statusOf(response: string): number {
  const m = /^SIP\/2\.0 (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}
