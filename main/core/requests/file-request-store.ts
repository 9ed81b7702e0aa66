/**
 * The missed requests on disk: one small JSON file (at most the log's 100
 * records), replaced atomically on each change. It lives in its own folder
 * inside the history folder, where the history loader (which reads only
 * `*.json` / `*.jsonl` files at the top) never sees it. A record that does not
 * validate is dropped with a warning; a file that is not JSON is set aside
 * (renamed, never deleted) and the list starts empty. With `SealedHistoryFiles`
 * the file is encrypted at rest: one encrypted in plain text before is written
 * again encrypted on load, one this computer's key does not open is set aside.
 */
import { join } from 'node:path';
import * as v from 'valibot';
import type { Logger } from '../log.js';
import { nodeHistoryFiles, type HistoryFiles } from '../history/history-files.js';
import { UnreadableHistoryError } from '../history/sealed-history-files.js';
import { RequestRecordSchema, type RequestRecord } from './request-record.js';
import type { RequestStore } from './request-log.js';

export const REQUESTS_FILE = 'requests.json';
const FORMAT = 1;

export interface FileRequestStoreOptions {
  /** A folder of its own, e.g. `<history>/requests`. */
  readonly dir: string;
  readonly logger: Logger;
  readonly files?: HistoryFiles;
  readonly now?: () => number;
}

export class FileRequestStore implements RequestStore {
  private readonly files: HistoryFiles;
  private readonly path: string;

  constructor(private readonly options: FileRequestStoreOptions) {
    this.files = options.files ?? nodeHistoryFiles;
    this.path = join(options.dir, REQUESTS_FILE);
  }

  async load(): Promise<readonly RequestRecord[]> {
    let bytes: Uint8Array;
    try {
      bytes = await this.files.read(this.path);
    } catch (error) {
      if (isMissing(error)) return [];
      if (!(error instanceof UnreadableHistoryError)) throw error;
      await this.setAside(`cannot be decrypted: ${error.message}`);
      return [];
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      await this.setAside(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
    const records = this.validRecords(json);
    if (this.files.needsRewrite?.(this.path) === true) await this.migrate(records);
    return records;
  }

  /** Written again in the current (encrypted) form; on failure the plain file stays until the next save. */
  private async migrate(records: readonly RequestRecord[]): Promise<void> {
    try {
      await this.save(records);
    } catch (error) {
      this.options.logger.warn('missed requests file could not be encrypted yet', {
        file: this.path,
        error: String(error),
      });
    }
  }

  async save(records: readonly RequestRecord[]): Promise<void> {
    await this.files.makeDir(this.options.dir);
    await this.files.replace(this.path, `${JSON.stringify({ v: FORMAT, requests: records })}\n`);
  }

  private validRecords(json: unknown): RequestRecord[] {
    const list = (json as { requests?: unknown } | null)?.requests;
    if ((json as { v?: unknown } | null)?.v !== FORMAT || !Array.isArray(list)) {
      this.options.logger.warn('missed requests file of an unknown format: ignored', { file: this.path });
      return [];
    }
    const valid = list.flatMap((item: unknown) => {
      const result = v.safeParse(RequestRecordSchema, item);
      return result.success ? [result.output] : [];
    });
    if (valid.length < list.length)
      this.options.logger.warn('missed requests: invalid records dropped', {
        file: this.path,
        dropped: list.length - valid.length,
      });
    return valid;
  }

  private async setAside(reason: string): Promise<void> {
    const to = `${this.path}.${(this.options.now ?? Date.now)()}.unreadable`;
    try {
      await this.files.move(this.path, to);
      this.options.logger.warn('missed requests file unreadable: set aside', { file: this.path, to, reason });
    } catch (error) {
      this.options.logger.warn('missed requests file unreadable, and could not be set aside', {
        file: this.path,
        reason,
        error: String(error),
      });
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}
