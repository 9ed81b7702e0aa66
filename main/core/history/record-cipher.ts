/**
 * One history record (a journal line, the requests file) encrypted on its own
 * with AES-256-GCM: a fresh random 96-bit IV each time, and the file's name as
 * associated data, so a record moved into another file does not decrypt. On
 * disk a sealed record is one line, `enc1:<base64 of IV | ciphertext | tag>`,
 * which keeps the journal append-only and a torn last line recognisable.
 */
import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
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

  /** A reader for one record that comes in pieces (see `SealedRecordReader`). */
  reader(fileName: string): SealedRecordReader {
    return new SealedRecordReader(this.key, fileName);
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
      const body = decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES));
      const rest = decipher.final();
      // GCM gives everything from update(): no second copy of a large record.
      return rest.length === 0 ? body : Buffer.concat([body, rest]);
    } catch {
      return undefined;
    }
  }
}

/**
 * Opens one sealed record given in pieces of its base64 text (the prefix
 * already taken off), so a record of megabytes (the index) never sits whole
 * in one native buffer: large transient buffers raise glibc's mmap threshold
 * and stay in the process's memory afterwards. Nothing is returned before the
 * tag checks out.
 */
export class SealedRecordReader {
  private decipher: DecipherGCM | undefined;
  /** Base64 characters not decoded yet (decoding goes by 4). */
  private chars = '';
  /** Decoded bytes held back: the IV until it is whole, then the last 16 (the tag, at the end). */
  private held: Buffer = Buffer.alloc(0);
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly parts: string[] = [];
  private notUtf8 = false;

  constructor(
    private readonly key: Uint8Array,
    private readonly fileName: string,
  ) {}

  push(base64: string): void {
    const all = this.chars + base64;
    const whole = all.length - (all.length % 4);
    this.chars = all.slice(whole);
    this.take(Buffer.from(all.slice(0, whole), 'base64'));
  }

  /** The record's text, or undefined when it does not open (another key, damage, cut short, not UTF-8). */
  finish(): string | undefined {
    this.take(Buffer.from(this.chars, 'base64'));
    if (this.decipher === undefined || this.held.length < TAG_BYTES || this.notUtf8) return undefined;
    try {
      this.decipher.setAuthTag(this.held);
      this.decode(this.decipher.final());
      this.parts.push(this.decoder.decode());
      return this.parts.join('');
    } catch {
      return undefined;
    }
  }

  private take(bytes: Buffer): void {
    let data = this.held.length > 0 ? Buffer.concat([this.held, bytes]) : bytes;
    if (this.decipher === undefined) {
      if (data.length < IV_BYTES) {
        this.held = Buffer.from(data);
        return;
      }
      this.decipher = createDecipheriv(ALGORITHM, this.key, data.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      this.decipher.setAAD(associatedData(this.fileName));
      data = data.subarray(IV_BYTES);
    }
    const open = Math.max(0, data.length - TAG_BYTES);
    if (open > 0) this.decode(this.decipher.update(data.subarray(0, open)));
    this.held = Buffer.from(data.subarray(open));
  }

  private decode(bytes: Buffer): void {
    if (this.notUtf8) return;
    try {
      this.parts.push(this.decoder.decode(bytes, { stream: true }));
    } catch {
      this.notUtf8 = true;
    }
  }
}

export function isSealedLine(line: string): boolean {
  return line.startsWith(SEALED_PREFIX);
}

function associatedData(fileName: string): Buffer {
  return Buffer.from(CONTEXT + fileName, 'utf8');
}
