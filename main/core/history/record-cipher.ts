/**
 * One history record (a journal line, the requests file) encrypted on its own
 * with AES-256-GCM: a fresh random 96-bit IV each time, and the file's name as
 * associated data, so a record moved into another file does not decrypt. On
 * disk a sealed record is one line, `enc1:<base64 of IV | ciphertext | tag>`,
 * which keeps the journal append-only and a torn last line recognisable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HISTORY_KEY_BYTES } from './history-key.js';

export const SEALED_PREFIX = 'enc1:';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CONTEXT = 'kw-history-v1\0';

export class RecordCipher {
  constructor(private readonly key: Uint8Array) {
    if (key.length !== HISTORY_KEY_BYTES) throw new Error(`a history key is ${HISTORY_KEY_BYTES} bytes`);
  }

  /** `record` (without its newline) as a sealed line (without its newline). */
  seal(fileName: string, record: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(fileName));
    const body = Buffer.concat([cipher.update(record, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The record's bytes, or undefined when this key (and name) does not open it: another key, or damage. */
  open(fileName: string, line: string): Buffer | undefined {
    const data = Buffer.from(line.slice(SEALED_PREFIX.length), 'base64');
    if (data.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, data.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(associatedData(fileName));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      return undefined;
    }
  }
}

export function isSealedLine(line: string): boolean {
  return line.startsWith(SEALED_PREFIX);
}

function associatedData(fileName: string): Buffer {
  return Buffer.from(CONTEXT + fileName, 'utf8');
}
