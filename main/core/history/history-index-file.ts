/**
 * The index file (`conversations.index`, encrypted like the journals): the
 * summary of each ended conversation with the size its journal had, so a
 * start reads one file instead of every journal. It is a cache, never the
 * record: a journal is taken from the index only while it has exactly the
 * size written there; one that grew, shrank or is not listed is read whole,
 * and an index that cannot be read is ignored.
 *
 * Format 2 is one line, `{"v":2,"e":[{"b":…,"s":…},…]}`, so it is sealed as one
 * record: a start opens one cipher and one buffer, not one per conversation
 * (2,000 small decryptions left ~8 MB of fragmented native memory behind).
 * Format 1 (a line per entry) is still read; the store then writes format 2.
 */
import { join } from 'node:path';
import * as v from 'valibot';
import type { Logger } from '../log.js';
import { CallRecordSchema, ChatMessageSchema } from '../conversations/model.js';
import type { ConversationSummary } from '../conversations/conversation-summary.js';
import type { HistoryFiles } from './history-files.js';
import { HeaderSchema } from './conversation-schema.js';

export const INDEX_FILE = 'conversations.index';

export interface IndexEntry {
  readonly summary: ConversationSummary;
  /** The journal's size on disk when the entry was written. */
  readonly bytes: number;
}

export interface IndexRead {
  readonly entries: Map<string, IndexEntry>;
  /** The format read: 2 is current; 1 and 'none' (missing or unreadable) mean it is to be written anew. */
  readonly format: 1 | 2 | 'none';
}

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

const EntryFields = {
  b: Count,
  s: v.object({
    ...HeaderSchema.entries,
    messageCount: Count,
    lastMessage: v.optional(ChatMessageSchema),
    callCount: Count,
    lastCall: v.optional(CallRecordSchema),
  }),
};
const EntrySchema = v.strictObject(EntryFields);
const Format1LineSchema = v.strictObject({ v: v.literal(1), ...EntryFields });
const FORMAT_2_START = '{"v":2,';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The entries by interaction id; empty when there is no index or it cannot be read (logged). */
export async function readIndexFile(dir: string, files: HistoryFiles, logger: Logger): Promise<IndexRead> {
  let text: string;
  try {
    const path = join(dir, INDEX_FILE);
    text = (await files.readRecordText?.(path)) ?? utf8.decode(await files.read(path));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT')
      logger.warn('history index unreadable: every journal is read instead', { error: String(error) });
    return { entries: new Map(), format: 'none' };
  }
  const { entries, bad, format } = text.startsWith(FORMAT_2_START) ? format2(text) : format1(text);
  if (bad > 0) logger.warn('history index: entries that do not parse were ignored', { entries: bad });
  return { entries, format };
}

interface Parsed {
  readonly entries: Map<string, IndexEntry>;
  readonly bad: number;
  readonly format: IndexRead['format'];
}

function format2(text: string): Parsed {
  const entries = new Map<string, IndexEntry>();
  let raw: unknown;
  try {
    raw = (JSON.parse(text) as { e?: unknown }).e;
  } catch {
    return { entries, bad: 1, format: 'none' };
  }
  if (!Array.isArray(raw)) return { entries, bad: 1, format: 'none' };
  let bad = 0;
  for (const item of raw) {
    const entry = entryOf(v.safeParse(EntrySchema, item));
    if (entry === undefined) bad += 1;
    else entries.set(entry.summary.interactionId, entry);
  }
  return { entries, bad, format: 2 };
}

function format1(text: string): Parsed {
  const entries = new Map<string, IndexEntry>();
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const entry = parseFormat1Line(line);
    if (entry === undefined) bad += 1;
    else entries.set(entry.summary.interactionId, entry);
  }
  return { entries, bad, format: 1 };
}

function parseFormat1Line(line: string): IndexEntry | undefined {
  try {
    return entryOf(v.safeParse(Format1LineSchema, JSON.parse(line)));
  } catch {
    return undefined;
  }
}

type EntryParse = v.SafeParseResult<typeof EntrySchema> | v.SafeParseResult<typeof Format1LineSchema>;

function entryOf(parsed: EntryParse): IndexEntry | undefined {
  if (!parsed.success || parsed.output.s.state !== 'ended') return undefined;
  return { summary: parsed.output.s, bytes: parsed.output.b };
}

/** Writes format 2: one line, sealed as one record. */
export function writeIndexFile(
  dir: string,
  files: HistoryFiles,
  entries: readonly IndexEntry[],
): Promise<void> {
  const text = `${JSON.stringify({ v: 2, e: entries.map((e) => ({ b: e.bytes, s: e.summary })) })}\n`;
  return files.replace(join(dir, INDEX_FILE), text);
}
