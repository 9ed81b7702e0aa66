/**
 * The index file (`conversations.index`, encrypted like the journals): the
 * summary of each ended conversation with the size its journal had, so a
 * start reads one file instead of every journal. It is a cache, never the
 * record: a journal is taken from the index only while it has exactly the
 * size written there; one that grew, shrank or is not listed is read whole,
 * and an index that cannot be read is ignored.
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

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

const EntrySchema = v.strictObject({
  v: v.literal(1),
  b: Count,
  s: v.object({
    ...HeaderSchema.entries,
    messageCount: Count,
    lastMessage: v.optional(ChatMessageSchema),
    callCount: Count,
    lastCall: v.optional(CallRecordSchema),
  }),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The entries by interaction id; empty when there is no index or it cannot be read (logged). */
export async function readIndexFile(
  dir: string,
  files: HistoryFiles,
  logger: Logger,
): Promise<Map<string, IndexEntry>> {
  const entries = new Map<string, IndexEntry>();
  let text: string;
  try {
    text = utf8.decode(await files.read(join(dir, INDEX_FILE)));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT')
      logger.warn('history index unreadable: every journal is read instead', { error: String(error) });
    return entries;
  }
  let bad = 0;
  for (const line of text.split('\n')) {
    const entry = parseLine(line);
    if (entry === undefined) bad += line === '' ? 0 : 1;
    else entries.set(entry.summary.interactionId, entry);
  }
  if (bad > 0) logger.warn('history index: lines that do not parse were ignored', { lines: bad });
  return entries;
}

function parseLine(line: string): IndexEntry | undefined {
  if (line === '') return undefined;
  try {
    const parsed = v.safeParse(EntrySchema, JSON.parse(line));
    if (!parsed.success || parsed.output.s.state !== 'ended') return undefined;
    return { summary: parsed.output.s, bytes: parsed.output.b };
  } catch {
    return undefined;
  }
}

export function writeIndexFile(
  dir: string,
  files: HistoryFiles,
  entries: readonly IndexEntry[],
): Promise<void> {
  const text = entries.map((e) => `${JSON.stringify({ v: 1, b: e.bytes, s: e.summary })}\n`).join('');
  return files.replace(join(dir, INDEX_FILE), text);
}
