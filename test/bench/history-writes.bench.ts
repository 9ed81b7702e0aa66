/**
 * Bytes written to disk for one long chat (2,000 messages: 1,000 in, 1,000 out
 * with their delivery updates) through the real conversation service, with
 * the history store of today (a journal per conversation) and the one it
 * replaced (the whole file rewritten on every change, kept below as the
 * reference, run in the same process on the same machine). Counted twice: at
 * the store's file port (the file contents handed to the disk) and by Linux
 * (/proc/self/io `wchar`: every byte this process passed to write(), and
 * `write_bytes`: what reached the block layer, lower when the page cache
 * absorbed files replaced before writeback).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHistoryStore } from '../../main/core/history/file-history-store.js';
import type {
  HistoryIndex,
  HistoryLoad,
  HistoryStatus,
  HistoryStore,
} from '../../main/core/history/history-store.js';
import type { HistoryFiles } from '../../main/core/history/history-files.js';
import { ConversationService } from '../../main/core/conversations/conversation-service.js';
import type { Conversation } from '../../main/core/conversations/model.js';
import { TrustedRoutingPoints } from '../../main/core/previews/trusted-routing-points.js';
import { memoryLogger } from '../../main/core/log.js';
import type { Unsubscribe } from '../../main/core/events.js';
import { FakeClock } from '../support/fake-clock.js';
import { countingFiles } from '../support/counting-files.js';

export interface HistoryWritesRow {
  readonly store: string;
  readonly changes: number;
  /** Writes at the file port (appends and whole-file replacements). */
  readonly writes: number;
  readonly bytesWritten: number;
  /** /proc/self/io during the run. */
  readonly procWchar: number;
  readonly procWriteBytes: number;
  /** The history file at the end. */
  readonly finalFileBytes: number;
  /** The final conversation as compact JSON: what the chat holds. */
  readonly stateBytes: number;
  /** Bytes written per byte of that state. */
  readonly bytesPerStateByte: number;
  readonly ms: number;
}

export interface HistoryWritesResult {
  readonly messages: number;
  readonly rows: HistoryWritesRow[];
  /** Bytes written by the old store / by the journal. */
  readonly reduction: number;
}

const ID = '55555555-5555-4555-8555-555555555555';
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };

/** The store before the journal, as it was: the whole conversation to a temporary file, renamed, per change. */
class WholeFileHistoryStore implements HistoryStore {
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly files: HistoryFiles,
  ) {}

  close(): Promise<void> {
    return this.last;
  }

  save(conversation: Conversation): Promise<void> {
    const text = JSON.stringify({ version: 1, conversation }, null, 1);
    const path = join(this.dir, `${conversation.interactionId}.json`);
    this.last = this.last.then(async () => {
      await this.files.makeDir(this.dir);
      await this.files.replace(path, text);
    });
    return this.last;
  }

  flushed(): Promise<void> {
    return this.last;
  }

  loadAll(): Promise<HistoryLoad> {
    return Promise.resolve({ conversations: [], problems: [] });
  }

  loadIndex(): Promise<HistoryIndex> {
    return Promise.resolve({ active: [], ended: [], problems: [] });
  }

  read(): Promise<Conversation | undefined> {
    return Promise.resolve(undefined);
  }

  status(): HistoryStatus {
    return { saving: true };
  }

  onStatus(): Unsubscribe {
    return () => undefined;
  }
}

function procIo(): { wchar: number; writeBytes: number } {
  const io = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return { wchar: field('wchar'), writeBytes: field('write_bytes') };
}

/** One chat of `messages` messages into `store`; waits for each change to be written, as a KW's pace does. */
async function chat(
  store: HistoryStore,
  settle: () => Promise<void>,
  messages: number,
): Promise<{ changes: number; final: Conversation | undefined }> {
  const clock = new FakeClock();
  const service = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: { send: () => Promise.resolve() },
    history: store,
    logger: memoryLogger().logger,
    clock,
    trustedRoutingPoints: new TrustedRoutingPoints(['sip:billing@lab.local']),
  });
  let changes = 1;
  service.open({
    v: 1,
    type: 'preview',
    interactionId: ID,
    agent: AGENT,
    routingPoint: 'sip:billing@lab.local',
    subject: 'Invoice dispute',
    text: '',
    userData: { CaseNumber: '42' },
    expiresAt: '2030-01-01T00:00:00Z',
  });
  for (let i = 0; i < messages / 2; i += 1) {
    clock.advance(1000);
    service.receiveText(AGENT, ID, `Question ${i}: could you check invoice ${i} for the customer, please?`);
    await settle();
    await service.send(ID, `Answer ${i}: invoice ${i} is paid; the receipt went out yesterday.`);
    await settle();
    changes += 3; // in; out (sending); out (delivered)
  }
  return { changes, final: service.get(ID) };
}

async function measure(
  name: string,
  messages: number,
  make: (dir: string, files: HistoryFiles) => { store: HistoryStore; settle: () => Promise<void> },
): Promise<HistoryWritesRow> {
  const dir = await mkdtemp(join(tmpdir(), 'kw-bench-history-'));
  try {
    const files = countingFiles();
    const { store, settle } = make(dir, files);
    const before = procIo();
    const t0 = performance.now();
    const { changes, final } = await chat(store, settle, messages);
    const ms = performance.now() - t0;
    const after = procIo();
    const [file] = (await readdir(dir)).filter((n) => n.startsWith(ID));
    const finalFileBytes = (await readFile(join(dir, file ?? ''))).length;
    const stateBytes = Buffer.byteLength(JSON.stringify(final));
    return {
      store: name,
      changes,
      writes: files.writes,
      bytesWritten: files.bytesWritten,
      procWchar: after.wchar - before.wchar,
      procWriteBytes: after.writeBytes - before.writeBytes,
      finalFileBytes,
      stateBytes,
      bytesPerStateByte: files.bytesWritten / stateBytes,
      ms,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function historyWrites(messages = 2000): Promise<HistoryWritesResult> {
  const before = await measure('whole file per change (before)', messages, (dir, files) => {
    const store = new WholeFileHistoryStore(dir, files);
    return { store, settle: () => store.flushed() };
  });
  const after = await measure('journal per conversation (now)', messages, (dir, files) => {
    const store = new FileHistoryStore({ dir, logger: memoryLogger().logger, files });
    return { store, settle: () => store.flushed() };
  });
  const result = { messages, rows: [before, after], reduction: before.bytesWritten / after.bytesWritten };
  printHistoryWrites(result);
  return result;
}

export function printHistoryWrites(result: HistoryWritesResult): void {
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`.padStart(11);
  console.log(`\nhistory: bytes written for one ${result.messages.toLocaleString('en')}-message chat`);
  console.log(
    `${'store'.padEnd(32)} ${'changes'.padStart(7)} ${'writes'.padStart(7)} ${'written'.padStart(11)} ${'wchar'.padStart(11)} ${'write_bytes'.padStart(11)} ${'final file'.padStart(11)} ${'state'.padStart(11)} ${'× state'.padStart(8)} ${'ms'.padStart(7)}`,
  );
  for (const r of result.rows) {
    console.log(
      `${r.store.padEnd(32)} ${String(r.changes).padStart(7)} ${String(r.writes).padStart(7)} ${mb(r.bytesWritten)} ${mb(r.procWchar)} ${mb(r.procWriteBytes)} ${mb(r.finalFileBytes)} ${mb(r.stateBytes)} ${r.bytesPerStateByte.toFixed(1).padStart(8)} ${r.ms.toFixed(0).padStart(7)}`,
    );
  }
  console.log(`bytes written, before / now: ${result.reduction.toFixed(0)} ×`);
}
