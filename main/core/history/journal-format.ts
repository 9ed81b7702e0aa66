/**
 * The journal's line format: `<CRC-32 of the JSON, 8 hex digits> <entry as JSON>\n`.
 * A line counts only once its newline is on disk and its checksum matches, so a
 * write cut short by a crash (a torn last line) is recognised and dropped,
 * never read as a change. Text is UTF-8, decoded strictly: bad bytes are damage.
 */
import { crc32 } from 'node:zlib';
import * as v from 'valibot';
import { JournalEntrySchema, type JournalEntry } from './conversation-schema.js';

export interface JournalLine {
  readonly entry: JournalEntry;
  /** Its length on disk, newline included. */
  readonly bytes: number;
}

export interface DecodedJournal {
  /** The complete, valid lines before any damage. */
  readonly lines: JournalLine[];
  /** Bytes after the last newline: a write cut short. */
  readonly tornBytes: number;
  /** The first complete line that fails its checks (1-based); it and every line after it are unused. */
  readonly damaged?: { readonly line: number; readonly reason: string };
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CHECKSUM = /^[0-9a-f]{8}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeEntry(entry: JournalEntry): string {
  const json = JSON.stringify(entry);
  return `${checksum(json)} ${json}\n`;
}

export function decodeJournal(bytes: Uint8Array): DecodedJournal {
  const lines: JournalLine[] = [];
  let start = 0;
  for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
    const checked = checkLine(bytes.subarray(start, end));
    if (typeof checked === 'string')
      return { lines, tornBytes: 0, damaged: { line: lines.length + 1, reason: checked } };
    lines.push({ entry: checked, bytes: end + 1 - start });
    start = end + 1;
  }
  return { lines, tornBytes: bytes.length - start };
}

/** The entry of one line (without its newline), or why it is not one. */
function checkLine(line: Uint8Array): JournalEntry | string {
  if (line.length < 10 || line[8] !== SPACE) return 'it has no checksum';
  const json = line.subarray(9);
  try {
    const sum = utf8.decode(line.subarray(0, 8));
    if (!CHECKSUM.test(sum) || sum !== checksum(json)) return 'its checksum does not match';
    const parsed = v.safeParse(JournalEntrySchema, JSON.parse(utf8.decode(json)));
    return parsed.success ? parsed.output : `not a history entry: ${parsed.issues[0]?.message ?? 'invalid'}`;
  } catch (error) {
    return `unreadable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function checksum(data: string | Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}
