/**
 * Seeded mutants of valid SIP requests for the lab server's fuzz test. Each
 * mutant says what the server owes it: `invalid` ones are built to break a
 * rule the server enforces (a 4xx, or the connection closed for a frame over
 * the WebSocket limit), `maybe` ones may still be valid (any final answer).
 * Everything comes from the seed, so a failing run is replayed with its seed.
 */

import { seededRandom } from '../../../support/seeded-random.js';

export type Expectation = 'invalid' | 'maybe' | 'closed';

export interface Mutant {
  readonly n: number;
  readonly op: string;
  readonly expect: Expectation;
  readonly bytes: Buffer;
  readonly callId: string;
}

interface Draft {
  startLine: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

class Dice {
  constructor(private readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.int(16).toString(16);
    return s;
  }
}

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';
const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
const SINGLE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards'];
/** Control characters that no header value may hold (HTAB allowed; LF would start a new line). */
const CONTROLS = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x7f];
const BAD_UTF8 = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]];
/** Over `maxMessageBytes` (64 KiB) but under the WebSocket limit: 413. Over 1 MiB: the socket closes (1009). */
const OVER_SIP_LIMIT = 70_000;
const OVER_FRAME_LIMIT = 1_100_000;

function base(d: Dice, method: string, n: number): Draft & { callId: string } {
  const callId = `fz${n}-${d.hex(12)}`;
  const target: Record<string, string> = {
    REGISTER: 'sip:lab.local',
    MESSAGE: 'sip:sink@lab.local',
    INVITE: 'sip:sink@lab.local',
    SUBSCRIBE: 'sip:sink@lab.local',
    OPTIONS: 'sip:lab.local',
  };
  const to = method === 'REGISTER' ? `sip:fz${n}@lab.local` : (target[method] as string);
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/WS ${d.hex(6)}.invalid;branch=z9hG4bK${d.hex(16)}`],
    ['Max-Forwards', '70'],
    ['From', `"Fuzz ${n}" <sip:fz${n}@lab.local>;tag=${d.hex(8)}`],
    ['To', `<${to}>`],
    ['Call-ID', callId],
    ['CSeq', `${1 + d.int(1000)} ${method}`],
    ['Contact', `<sip:fz${n}@${d.hex(6)}.invalid;transport=ws>`],
    ['User-Agent', 'kw-fuzz'],
  ];
  let body = '';
  if (method === 'REGISTER') headers.push(['Expires', '60']);
  if (method === 'SUBSCRIBE') headers.push(['Event', 'presence'], ['Expires', '0']);
  if (method === 'MESSAGE') {
    headers.push(['Content-Type', 'text/plain;charset=utf-8']);
    body = `fuzz message ${n}: héllo ✓`;
  }
  if (method === 'INVITE') {
    headers.push(['Content-Type', 'application/sdp']);
    body = SDP;
  }
  return {
    startLine: `${method} ${target[method] as string} SIP/2.0`,
    headers,
    body: Buffer.from(body),
    callId,
  };
}

function encode(draft: Draft, contentLength: string | undefined = String(draft.body.length)): Buffer {
  const lines = [draft.startLine, ...draft.headers.map(([k, v]) => `${k}: ${v}`)];
  if (contentLength !== undefined) lines.push(`Content-Length: ${contentLength}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), draft.body]);
}

function insertAt(buf: Buffer, at: number, bytes: readonly number[] | Buffer): Buffer {
  return Buffer.concat([buf.subarray(0, at), Buffer.from(bytes), buf.subarray(at)]);
}

/** Offset of a random position inside the value of header line `line` (1-based, after the start line). */
function valueOffset(d: Dice, bytes: Buffer, line: number): number {
  let at = bytes.indexOf('\r\n') + 2;
  for (let i = 1; i < line; i++) at = bytes.indexOf('\r\n', at) + 2;
  const colon = bytes.indexOf(':', at);
  const end = bytes.indexOf('\r\n', at);
  return colon + 2 + d.int(Math.max(1, end - colon - 2));
}

type Op = (d: Dice, draft: Draft) => { expect: Expectation; bytes: Buffer };

const invalidOps: Record<string, Op> = {
  'remove a mandatory header': (d, draft) => {
    const name = d.pick(MANDATORY);
    draft.headers = draft.headers.filter(([k]) => k !== name);
    return { expect: 'invalid', bytes: encode(draft) };
  },
  'duplicate a single-value header': (d, draft) => {
    const [name, value] = d.pick(draft.headers.filter(([k]) => SINGLE.includes(k)));
    draft.headers.splice(d.int(draft.headers.length + 1), 0, [name, d.int(2) === 0 ? value : `${value}x`]);
    return { expect: 'invalid', bytes: encode(draft) };
  },
  'bad Content-Length': (d, draft) => {
    const cl = d.pick([String(draft.body.length + 1 + d.int(500)), '-1', 'abc', '', '1e3', '99999999999']);
    return { expect: 'invalid', bytes: encode(draft, cl) };
  },
  'control byte in a header value': (d, draft) => {
    const bytes = encode(draft);
    return {
      expect: 'invalid',
      bytes: insertAt(bytes, valueOffset(d, bytes, 1 + d.int(draft.headers.length)), [d.pick(CONTROLS)]),
    };
  },
  'bad UTF-8 in a header value': (d, draft) => {
    const bytes = encode(draft);
    return {
      expect: 'invalid',
      bytes: insertAt(bytes, valueOffset(d, bytes, 1 + d.int(draft.headers.length)), d.pick(BAD_UTF8)),
    };
  },
  'broken request line': (d, draft) => {
    const [method, uri] = draft.startLine.split(' ') as [string, string];
    draft.startLine = d.pick([
      `${method.toLowerCase()} ${uri} SIP/2.0`,
      `${method} ${uri}`,
      `${method} ${uri.replace(':', ': ')} SIP/2.0`,
      `${method}  SIP/2.0`,
      `${method} ${uri} SIP/2.0\u0001`,
      `${method.slice(0, 2)}<${method.slice(2)} ${uri} SIP/2.0`,
      `${method} ${uri} SIP/two`,
      `${method}`,
    ]);
    return { expect: 'invalid', bytes: encode(draft) };
  },
  'body cut short': (d, draft) => {
    if (draft.body.length === 0) draft.body = Buffer.from('x'.repeat(10));
    const bytes = encode(draft);
    return { expect: 'invalid', bytes: bytes.subarray(0, bytes.length - 1 - d.int(draft.body.length)) };
  },
  'value over the SIP size limit': (d, draft) => {
    draft.headers.splice(1 + d.int(draft.headers.length), 0, ['Subject', 'A'.repeat(OVER_SIP_LIMIT)]);
    return { expect: 'invalid', bytes: encode(draft) };
  },
};

const maybeOps: Record<string, Op> = {
  'flip bits': (d, draft) => {
    const bytes = Buffer.from(encode(draft));
    for (let i = 0, n = 1 + d.int(3); i < n; i++) {
      const at = d.int(bytes.length);
      bytes[at] = (bytes[at] as number) ^ (1 << d.int(8));
    }
    return { expect: 'maybe', bytes };
  },
  'insert bytes': (d, draft) => {
    const bytes = encode(draft);
    const junk = Array.from({ length: 1 + d.int(4) }, () => d.int(256));
    return { expect: 'maybe', bytes: insertAt(bytes, 1 + d.int(bytes.length - 1), junk) };
  },
  'delete bytes': (d, draft) => {
    const bytes = encode(draft);
    const at = 1 + d.int(bytes.length - 2);
    return {
      expect: 'maybe',
      bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + d.int(8))]),
    };
  },
  truncate: (d, draft) => {
    const bytes = encode(draft);
    return { expect: 'maybe', bytes: bytes.subarray(0, 8 + d.int(bytes.length - 8)) };
  },
  'remove an optional header': (d, draft) => {
    const name = d.pick(['Max-Forwards', 'Contact', 'User-Agent', 'Content-Length']);
    draft.headers = draft.headers.filter(([k]) => k !== name);
    return {
      expect: 'maybe',
      bytes: encode(draft, name === 'Content-Length' ? undefined : String(draft.body.length)),
    };
  },
  'duplicate a list header': (d, draft) => {
    const via = draft.headers.find(([k]) => k === 'Via') as [string, string];
    draft.headers.unshift(['Via', `SIP/2.0/WS ${d.hex(4)}.invalid;branch=z9hG4bK${d.hex(10)}`]);
    if (d.int(2) === 0) via[1] = `${via[1]}, SIP/2.0/WS ${d.hex(4)}.invalid;branch=z9hG4bK${d.hex(10)}`;
    return { expect: 'maybe', bytes: encode(draft) };
  },
  'Content-Length shorter than the body': (d, draft) => {
    if (draft.body.length === 0) draft.body = Buffer.from('trailing octets');
    return { expect: 'maybe', bytes: encode(draft, String(d.int(draft.body.length))) };
  },
  'body that is not UTF-8': (d, draft) => {
    draft.body = Buffer.concat([draft.body, Buffer.from(d.pick(BAD_UTF8)), Buffer.from([0, 1, 2])]);
    return { expect: 'maybe', bytes: encode(draft) };
  },
  'long value': (d, draft) => {
    draft.headers.push([d.pick(['Subject', 'X-Long', 'User-Agent']), 'v'.repeat(1000 + d.int(20_000))]);
    return { expect: 'maybe', bytes: encode(draft) };
  },
  'shuffled headers and odd spacing': (d, draft) => {
    for (let i = draft.headers.length - 1; i > 0; i--) {
      const j = d.int(i + 1);
      [draft.headers[i], draft.headers[j]] = [
        draft.headers[j] as [string, string],
        draft.headers[i] as [string, string],
      ];
    }
    draft.headers = draft.headers.map(([k, v]) => [
      d.int(2) === 0 ? k.toLowerCase() : k,
      d.int(2) === 0 ? ` ${v}\t` : v,
    ]);
    return { expect: 'maybe', bytes: encode(draft) };
  },
};

const METHODS = ['REGISTER', 'MESSAGE', 'INVITE', 'SUBSCRIBE', 'OPTIONS'];

/** `count` mutants from `seed`, about half built invalid; every `closeEvery`-th is a frame over the WebSocket limit. */
export function* mutants(seed: number, count: number, closeEvery = 1000): Generator<Mutant> {
  const d = new Dice(seededRandom(seed));
  for (let n = 0; n < count; n++) {
    const draft = base(d, d.pick(METHODS), n);
    if (n % closeEvery === closeEvery - 1) {
      draft.headers.push(['Subject', 'B'.repeat(OVER_FRAME_LIMIT)]);
      yield {
        n,
        op: 'frame over the WebSocket limit',
        expect: 'closed',
        bytes: encode(draft),
        callId: draft.callId,
      };
      continue;
    }
    const ops = d.int(2) === 0 ? invalidOps : maybeOps;
    const op = d.pick(Object.keys(ops));
    const { expect, bytes } = (ops[op] as Op)(d, draft);
    yield { n, op, expect, bytes, callId: draft.callId };
  }
}
