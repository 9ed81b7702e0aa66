/**
 * Reads the history folder: each `<interactionId>.jsonl` journal (format 2) and
 * `<interactionId>.json` file (format 1, migrated). A file is trusted only if
 * it decodes as strict UTF-8, validates, and holds the interaction its name
 * says; anything else goes to `corrupt/` with the reason. Two files of one
 * interaction: the one with the latest activity stays (a tie goes to the
 * journal), the other is set aside. A journal whose last line was cut short by
 * a crash keeps every line before it. Files are read one at a time, and of an
 * ended conversation that needs no rewrite only its summary is kept: memory at
 * start follows the number of conversations, not their length.
 */
import { join } from 'node:path';
import * as v from 'valibot';
import type { Logger } from '../log.js';
import type { Conversation } from '../conversations/model.js';
import {
  lastActivityOf,
  summaryOf,
  type ConversationSummary,
} from '../conversations/conversation-summary.js';
import type { HistoryProblem } from './history-store.js';
import { TEMP_SUFFIX, type HistoryFiles } from './history-files.js';
import { HistoryFileSchema } from './conversation-schema.js';
import { decodeJournal } from './journal-format.js';
import { replayJournal } from './journal-replay.js';
import type { JournalSize } from './journal-size.js';
import type { CorruptFolder } from './corrupt-folder.js';
import { UnreadableHistoryError } from './sealed-history-files.js';

export const JOURNAL_EXTENSION = '.jsonl';
const FORMAT_1_EXTENSION = '.json';

/** What must happen before anything is appended to a conversation's journal. */
export interface Rewrite {
  readonly reason: string;
  /** Keep a copy of the file in corrupt/ first, with this reason (it had damaged lines). */
  readonly keepCopy?: string;
  /** A format-1 file the new journal replaces: removed once the journal is written. */
  readonly removeAfter?: string;
}

export interface LoadedConversation {
  readonly summary: ConversationSummary;
  /** The whole conversation: kept while it is active or must be rewritten, dropped otherwise. */
  readonly conversation: Conversation | undefined;
  readonly file: string;
  /** The journal as it is on disk; undefined for a format-1 file. */
  readonly size: JournalSize | undefined;
  /** Set when the file must be rewritten whole before it is appended to. */
  readonly rewrite: Rewrite | undefined;
  /** Taken from the index file without reading the journal. */
  readonly indexed?: boolean;
}

/** A journal's summary from the index, when the index may be trusted for it. */
export type IndexLookup = (file: string, stem: string) => Promise<LoadedConversation | undefined>;

export interface HistoryDirContents {
  readonly loaded: LoadedConversation[];
  readonly problems: HistoryProblem[];
  /** Files encrypted with a key this computer does not have (or none): left in place for the store to set aside. */
  readonly unreadable: Array<{ readonly file: string; readonly reason: string }>;
}

export interface Unreadable {
  readonly unreadable: string;
}

/** A loaded conversation with its messages. */
export type WholeConversation = LoadedConversation & { readonly conversation: Conversation };

/** One file read: the conversation, why it must be set aside (a string), or unreadable with this key. */
export type FileRead = WholeConversation | Unreadable | string;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Throws only when the folder itself cannot be listed. */
export async function readHistoryDir(
  dir: string,
  files: HistoryFiles,
  corrupt: CorruptFolder,
  logger: Logger,
  fromIndex?: IndexLookup,
): Promise<HistoryDirContents> {
  const names = await files.list(dir);
  const problems: HistoryProblem[] = [];
  const loaded: LoadedConversation[] = [];
  const unreadable: HistoryDirContents['unreadable'] = [];
  const fromIndexAll = fromIndex
    ? await lookUpAll(dir, names, fromIndex)
    : new Map<string, LoadedConversation>();
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX)) {
      // A rewrite cut short: the file it was to replace is still whole.
      await files.remove(join(dir, name)).catch(() => undefined);
      continue;
    }
    const stem = stemOf(name);
    if (stem === undefined) continue;
    const file = join(dir, name);
    const journal = name.endsWith(JOURNAL_EXTENSION);
    const indexed = fromIndexAll.get(name);
    if (indexed !== undefined) {
      loaded.push(indexed);
      continue;
    }
    const result = await readConversationFile(file, stem, journal, files, logger);
    if (typeof result === 'string') problems.push(await corrupt.setAside(file, result));
    else if ('unreadable' in result) unreadable.push({ file, reason: result.unreadable });
    else loaded.push(slim(result));
  }
  const { kept, duplicates } = keepNewestOfEach(loaded);
  for (const d of duplicates) problems.push(await corrupt.setAside(d.file, d.reason));
  return { loaded: kept, problems, unreadable };
}

/** Index lookups (a stat each) run this many at a time: one after another, 2,000 of them cost a start ~200 ms. */
const LOOKUPS_AT_ONCE = 32;

/** Every journal the index may answer for, by file name. Files are still read one at a time. */
async function lookUpAll(
  dir: string,
  names: readonly string[],
  fromIndex: IndexLookup,
): Promise<Map<string, LoadedConversation>> {
  const journals = names.filter((n) => n.endsWith(JOURNAL_EXTENSION) && !n.endsWith(TEMP_SUFFIX));
  const found = new Map<string, LoadedConversation>();
  for (let i = 0; i < journals.length; i += LOOKUPS_AT_ONCE) {
    const batch = journals.slice(i, i + LOOKUPS_AT_ONCE);
    const answers = await Promise.all(
      batch.map((name) => fromIndex(join(dir, name), name.slice(0, -JOURNAL_EXTENSION.length))),
    );
    answers.forEach((answer, k) => {
      const name = batch[k];
      if (answer !== undefined && name !== undefined) found.set(name, answer);
    });
  }
  return found;
}

/** Only the summary of an ended conversation whose file is fine: its messages are read again when opened. */
function slim(loaded: LoadedConversation): LoadedConversation {
  if (loaded.rewrite !== undefined || loaded.summary.state === 'active') return loaded;
  return { ...loaded, conversation: undefined };
}

/** A journal read in plain text (from before encryption) is written whole again, encrypted. */
function needsRewrite<T extends LoadedConversation>(loaded: T, files: HistoryFiles): T {
  if (loaded.rewrite !== undefined || files.needsRewrite?.(loaded.file) !== true) return loaded;
  return { ...loaded, rewrite: { reason: 'not encrypted yet' } };
}

function stemOf(name: string): string | undefined {
  if (name.endsWith(JOURNAL_EXTENSION)) return name.slice(0, -JOURNAL_EXTENSION.length);
  if (name.endsWith(FORMAT_1_EXTENSION)) return name.slice(0, -FORMAT_1_EXTENSION.length);
  return undefined;
}

/** The conversation in one file (`<stem>.jsonl`, or `.json` in format 1), or why it cannot be trusted. */
export async function readConversationFile(
  file: string,
  stem: string,
  journal: boolean,
  files: HistoryFiles,
  logger: Logger,
): Promise<FileRead> {
  try {
    const bytes = await files.read(file);
    const read = journal ? readJournal(file, stem, bytes, logger) : readFormat1(file, stem, bytes);
    return typeof read === 'string' ? read : needsRewrite(read, files);
  } catch (error) {
    if (error instanceof UnreadableHistoryError) return { unreadable: error.message };
    return `unreadable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function readJournal(
  file: string,
  stem: string,
  bytes: Uint8Array,
  logger: Logger,
): WholeConversation | string {
  const decoded = decodeJournal(bytes);
  const replayed = replayJournal(decoded.lines, stem);
  const damaged = decoded.damaged ?? replayed.damaged;
  if (replayed.conversation === undefined)
    return damaged ? `line ${damaged.line}: ${damaged.reason}` : 'an empty journal';
  let rewrite: Rewrite | undefined;
  if (damaged) {
    const reason = `line ${damaged.line}: ${damaged.reason}; the ${damaged.line - 1} lines before it were kept`;
    rewrite = { reason, keepCopy: reason };
  } else if (decoded.tornBytes > 0) {
    logger.warn('history: the last change of a journal was cut short (a crash while writing): dropped', {
      file,
      bytes: decoded.tornBytes,
    });
    rewrite = { reason: 'its last line was cut short' };
  } else if (replayed.size.wasteful) rewrite = { reason: 'mostly superseded changes' };
  const conversation = replayed.conversation;
  return { summary: summaryOf(conversation), conversation, file, size: replayed.size, rewrite };
}

function readFormat1(file: string, stem: string, bytes: Uint8Array): WholeConversation | string {
  const parsed = v.safeParse(HistoryFileSchema, JSON.parse(utf8.decode(bytes)));
  if (!parsed.success) return `not a conversation file: ${parsed.issues[0]?.message ?? 'invalid'}`;
  const conversation = parsed.output.conversation;
  if (conversation.interactionId !== stem)
    return `its interaction id ${conversation.interactionId} does not match the file name`;
  return {
    summary: summaryOf(conversation),
    conversation,
    file,
    size: undefined,
    rewrite: { reason: 'format 1', removeAfter: file },
  };
}

/** One file per interaction: the latest activity wins, then the journal, then the name. */
function keepNewestOfEach(loaded: readonly LoadedConversation[]): {
  kept: LoadedConversation[];
  duplicates: Array<{ file: string; reason: string }>;
} {
  const best = new Map<string, LoadedConversation>();
  const duplicates: Array<{ file: string; reason: string }> = [];
  for (const item of loaded) {
    const id = item.summary.interactionId;
    const other = best.get(id);
    if (other === undefined) {
      best.set(id, item);
      continue;
    }
    const [keep, drop] = newer(item, other) ? [item, other] : [other, item];
    best.set(id, keep);
    duplicates.push({ file: drop.file, reason: `a newer copy of interaction ${id} is in ${keep.file}` });
  }
  return { kept: [...best.values()], duplicates };
}

function newer(a: LoadedConversation, b: LoadedConversation): boolean {
  const activity = lastActivityOf(a.summary) - lastActivityOf(b.summary);
  if (activity !== 0) return activity > 0;
  if ((a.size === undefined) !== (b.size === undefined)) return a.size !== undefined;
  return a.file < b.file;
}
