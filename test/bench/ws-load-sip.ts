/**
 * The load generator's SIP, on bytes: a MESSAGE prebuilt once per sender and
 * receiver with only its number patched per send, and the few fields a load
 * client reads (a response's status and CSeq number) or copies (a request's
 * Via, From, To, Call-ID and CSeq into its 200 OK) found by index, without
 * parsing the message or building strings. Nothing here allocates per message.
 */

/** Digits of the number patched into a prebuilt MESSAGE (Via branch, Call-ID, CSeq). */
export const ID_DIGITS = 10;
const ID_MARK = '@@ID@@';

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const ZERO = 0x30;

/** A request with fixed-width number fields, patched in place of each copy sent. */
export class MessageTemplate {
  readonly bytes: Buffer;
  private readonly idAt: readonly number[];

  /** `text` holds `@@ID@@` wherever the message number goes. */
  constructor(text: string) {
    const parts = text.split(ID_MARK);
    const zeros = '0'.repeat(ID_DIGITS);
    this.bytes = Buffer.from(parts.join(zeros), 'latin1');
    const at: number[] = [];
    let offset = 0;
    for (const part of parts.slice(0, -1)) {
      offset += part.length;
      at.push(offset);
      offset += ID_DIGITS;
    }
    this.idAt = at;
  }

  /** Copies the template to `dst` at `at` with `id` in every number field; returns its length. */
  writeInto(dst: Buffer, at: number, id: number): number {
    this.bytes.copy(dst, at);
    for (const field of this.idAt) writeDigits(dst, at + field, id);
    return this.bytes.length;
  }
}

/** `n` as ID_DIGITS zero-padded decimal digits at `at`. */
function writeDigits(dst: Buffer, at: number, n: number): void {
  let rest = n;
  for (let i = ID_DIGITS - 1; i >= 0; i -= 1) {
    dst[at + i] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

/** Whether the message in `buf[start, end)` is a response ("SIP/2.0 "). */
export function isResponse(buf: Buffer, start: number, end: number): boolean {
  return end - start > 12 && buf[start] === 0x53 && buf[start + 1] === 0x49 && buf[start + 2] === 0x50;
}

/** A response's status code (its three digits after "SIP/2.0 "), or -1. */
export function statusOf(buf: Buffer, start: number): number {
  let n = 0;
  for (let i = start + 8; i < start + 11; i += 1) {
    const d = (buf[i] ?? 0) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The CSeq number of the message in `buf[start, end)`, or -1. */
export function cseqOf(buf: Buffer, start: number, end: number): number {
  for (let line = nextLine(buf, start, end); line < end; line = nextLine(buf, line, end)) {
    if (buf[line] === CR) break; // the blank line: end of the head
    const value = valueAfterName(buf, line, end, 'cseq');
    if (value < 0) continue;
    let n = -1;
    for (let i = value; i < end; i += 1) {
      const d = (buf[i] ?? 0) - ZERO;
      if (d < 0 || d > 9) break;
      n = (n < 0 ? 0 : n * 10) + d;
    }
    return n;
  }
  return -1;
}

/** Header names a response copies from its request (RFC 3261 8.2.6.2), full and compact. */
const COPIED = ['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq'] as const;
const TO_NAMES = new Set(['to', 't']);
const OK_LINE = Buffer.from('SIP/2.0 200 OK\r\n', 'latin1');
const OK_END = Buffer.from('Content-Length: 0\r\n\r\n', 'latin1');
const TAG = Buffer.from(';tag=', 'latin1');

/**
 * Writes a 200 OK to the request in `src[start, end)` into `dst` at `at`: its
 * Via (all, in order), From, To (+ `;tag=` `toTag` unless it has one), Call-ID
 * and CSeq lines copied; returns the length. `dst` must have room for the
 * request's head plus 64 bytes.
 */
export function writeOk(
  src: Buffer,
  start: number,
  end: number,
  toTag: Buffer,
  dst: Buffer,
  at: number,
): number {
  let out = at + OK_LINE.copy(dst, at);
  for (let line = nextLine(src, start, end); line < end;) {
    const eol = lineEnd(src, line, end);
    if (eol === line) break; // the blank line: end of the head
    const name = copiedName(src, line, eol);
    if (name !== undefined) {
      out += src.copy(dst, out, line, eol);
      if (TO_NAMES.has(name) && !hasTag(src, line, eol)) {
        out += TAG.copy(dst, out);
        out += toTag.copy(dst, out);
      }
      dst[out++] = CR;
      dst[out++] = LF;
    }
    line = eol + 2;
  }
  return out + OK_END.copy(dst, out) - at;
}

function copiedName(buf: Buffer, line: number, eol: number): (typeof COPIED)[number] | undefined {
  for (const name of COPIED) if (valueAfterName(buf, line, eol, name) >= 0) return name;
  return undefined;
}

/** Where the value starts if the header line at `line` is named `name` (any case), else -1. */
function valueAfterName(buf: Buffer, line: number, end: number, name: string): number {
  let i = line;
  for (let k = 0; k < name.length; k += 1, i += 1) {
    if (i >= end || ((buf[i] ?? 0) | 0x20) !== name.charCodeAt(k)) return -1;
  }
  while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i += 1;
  if (buf[i] !== COLON) return -1;
  i += 1;
  while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i += 1;
  return i;
}

/** Whether the line has a `;tag=` parameter (any case, spaces allowed around `;`). */
function hasTag(buf: Buffer, line: number, eol: number): boolean {
  for (let i = line; i < eol; i += 1) {
    if (buf[i] !== 0x3b) continue; // ';'
    let j = i + 1;
    while (j < eol && (buf[j] === SPACE || buf[j] === TAB)) j += 1;
    if (
      ((buf[j] ?? 0) | 0x20) === 0x74 &&
      ((buf[j + 1] ?? 0) | 0x20) === 0x61 &&
      ((buf[j + 2] ?? 0) | 0x20) === 0x67 &&
      buf[j + 3] === 0x3d // '='
    )
      return true;
  }
  return false;
}

/** The index of the line's CR (or `end`). */
function lineEnd(buf: Buffer, line: number, end: number): number {
  const cr = buf.indexOf(CR, line);
  return cr < 0 || cr > end ? end : cr;
}

/** The start of the line after the one at `line`. */
function nextLine(buf: Buffer, line: number, end: number): number {
  const eol = lineEnd(buf, line, end);
  return eol >= end ? end : eol + 2;
}
