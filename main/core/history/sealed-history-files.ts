/**
 * History files encrypted at rest: a `HistoryFiles` that seals each record
 * (each line written) on its way to disk and opens it on the way back, so the
 * journal, its snapshots and the requests file hold no plain text. Reading
 * also takes plain lines (history from before encryption): such a file is
 * reported by `needsRewrite` and rewritten sealed. A file whose first sealed
 * record does not open (another key, or no key) is unreadable: reading it
 * throws `UnreadableHistoryError`, and the store sets it aside. A later record
 * that does not open is damage, handed on as a line that fails its checks.
 */
import { basename } from 'node:path';
import { nodeHistoryFiles, type HistoryFiles } from './history-files.js';
import type { HistoryKeyLoad } from './history-key.js';
import { RecordCipher, SEALED_PREFIX, isSealedLine } from './record-cipher.js';
import { NOTE_SUFFIX } from './corrupt-folder.js';

/** The error code of a write refused because no key can be kept (history-error-text.ts says it). */
export const NO_KEY_CODE = 'KW_NO_HISTORY_KEY';

export class UnreadableHistoryError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnreadableHistoryError';
  }
}

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');
/** Stands in for a record that does not open: the journal reads it as damage. */
const DAMAGED = Buffer.from('(a record that does not decrypt)\n');
const ANOTHER_KEY = 'the key that protects it is not the one this computer has';

export class SealedHistoryFiles implements HistoryFiles {
  private readonly cipher: RecordCipher | undefined;
  /** Files read with plain (not yet encrypted) lines. */
  private readonly plain = new Set<string>();
  /** Why history from before cannot be read (a clause for the user), when the key says so. */
  readonly keyProblem: string | undefined;

  constructor(
    key: HistoryKeyLoad,
    private readonly inner: HistoryFiles = nodeHistoryFiles,
  ) {
    this.cipher = key.state === 'unavailable' ? undefined : new RecordCipher(key.key);
    this.keyProblem = key.state === 'ready' ? undefined : key.reason;
  }

  makeDir = (dir: string): Promise<void> => this.inner.makeDir(dir);
  list = (dir: string): Promise<string[]> => this.inner.list(dir);
  copy = (from: string, to: string): Promise<void> => this.inner.copy(from, to);
  move = (from: string, to: string): Promise<void> => this.inner.move(from, to);
  remove = (path: string): Promise<void> => this.inner.remove(path);
  size = (path: string): Promise<number | undefined> => this.inner.size?.(path) ?? Promise.resolve(undefined);

  async checkWritable(dir: string): Promise<void> {
    this.requireCipher();
    await this.inner.checkWritable(dir);
  }

  async read(path: string): Promise<Uint8Array> {
    return this.openAll(path, await this.inner.read(path));
  }

  /**
   * A file of one sealed record (the index) opened piece by piece; undefined
   * when it is something else (several lines, plain text): `read` it then.
   */
  async readRecordText(path: string): Promise<string | undefined> {
    if (this.cipher === undefined || this.inner.readPieces === undefined) return undefined;
    const reader = this.cipher.reader(basename(path));
    let seen = 0;
    let ended = false;
    for await (const piece of this.inner.readPieces(path)) {
      if (ended) return undefined;
      let text = Buffer.from(piece.buffer, piece.byteOffset, piece.length).toString('latin1');
      if (seen === 0) {
        if (!isSealedLine(text)) return undefined;
        text = text.slice(SEALED_PREFIX.length);
      }
      seen += piece.length;
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        if (newline !== text.length - 1) return undefined;
        text = text.slice(0, newline);
        ended = true;
      }
      reader.push(text);
    }
    const record = reader.finish();
    if (record === undefined) throw new UnreadableHistoryError(this.keyProblem ?? ANOTHER_KEY);
    return `${record}\n`;
  }

  async append(path: string, text: string): Promise<void> {
    await this.inner.append(path, this.sealAll(path, text));
  }

  async replace(path: string, text: string): Promise<void> {
    // The notes beside set-aside files say why, for a person: they hold no conversation.
    if (path.endsWith(NOTE_SUFFIX)) return this.inner.replace(path, text);
    await this.inner.replace(path, this.sealAll(path, text));
    this.plain.delete(path);
  }

  /** The file was read with plain lines: write it whole again (sealed). */
  needsRewrite(path: string): boolean {
    return this.plain.has(path);
  }

  private sealAll(path: string, text: string): string {
    const cipher = this.requireCipher();
    const name = basename(path);
    return text
      .split('\n')
      .map((record) => (record === '' ? '' : cipher.seal(name, record)))
      .join('\n');
  }

  private requireCipher(): RecordCipher {
    if (this.cipher !== undefined) return this.cipher;
    throw Object.assign(new Error('no key to encrypt history with'), { code: NO_KEY_CODE });
  }

  private openAll(path: string, bytes: Uint8Array): Uint8Array {
    const name = basename(path);
    const out: Uint8Array[] = [];
    let opened = 0;
    let plain = false;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      const whole = bytes.subarray(start, end + 1);
      // A view, not a copy: the index is one record of a megabyte or more.
      const line = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
      start = end + 1;
      if (!isSealedLine(line)) {
        plain = true;
        out.push(whole);
        continue;
      }
      const record = this.cipher?.open(name, line);
      if (record === undefined) {
        if (opened === 0) throw new UnreadableHistoryError(this.keyProblem ?? ANOTHER_KEY);
        out.push(DAMAGED);
        return Buffer.concat(out);
      }
      opened += 1;
      out.push(record, NEWLINE_BYTES);
    }
    // A line cut short stays as it is, without its newline: the journal drops it as torn.
    out.push(bytes.subarray(start));
    if (plain) this.plain.add(path);
    else this.plain.delete(path);
    return Buffer.concat(out);
  }
}
