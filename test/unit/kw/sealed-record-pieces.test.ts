/**
 * A file of one sealed record (the history index) is opened piece by piece,
 * so a record of megabytes never sits whole in one native buffer: the text is
 * the same as opening it whole, for any cut of the pieces; nothing comes out
 * of a record that was altered, cut short, or sealed for another file or key;
 * a file that is not one sealed record is left to the whole read.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RecordCipher, SEALED_PREFIX } from '../../../main/core/history/record-cipher.js';
import {
  SealedHistoryFiles,
  UnreadableHistoryError,
} from '../../../main/core/history/sealed-history-files.js';
import { nodeHistoryFiles, type HistoryFiles } from '../../../main/core/history/history-files.js';
import { tempDirs } from './history-fixtures.js';

const tempDir = tempDirs();

/** Text with multi-byte characters, so pieces also cut through UTF-8 sequences. */
function bigText(): string {
  return Array.from({ length: 3_000 }, (_, i) => `entry ${i}: Müller — 請求書 ${'x'.repeat(i % 50)}`).join(
    ';',
  );
}

function opened(key: Buffer, name: string, sealed: string, pieceChars: number): string | undefined {
  const reader = new RecordCipher(key).reader(name);
  const body = sealed.slice(SEALED_PREFIX.length);
  for (let i = 0; i < body.length; i += pieceChars) reader.push(body.slice(i, i + pieceChars));
  return reader.finish();
}

describe('a sealed record opened piece by piece', () => {
  it('gives the same text as opening it whole, however the pieces are cut', () => {
    const key = randomBytes(32);
    const text = bigText();
    const sealed = new RecordCipher(key).seal('conversations.index', text);
    for (const size of [17, 1021, 4096, 65_537, sealed.length])
      expect(opened(key, 'conversations.index', sealed, size)).toBe(text);
    const small = 'Müller — 請求書 ok';
    const smallSealed = new RecordCipher(key).seal('conversations.index', small);
    for (const size of [1, 2, 3, 5])
      expect(opened(key, 'conversations.index', smallSealed, size)).toBe(small);
  });

  it('gives nothing for a record altered, cut short, of another file or another key', () => {
    const key = randomBytes(32);
    const sealed = new RecordCipher(key).seal('conversations.index', bigText());
    const middle = SEALED_PREFIX.length + 2_000;
    const altered = sealed.slice(0, middle) + (sealed[middle] === 'A' ? 'B' : 'A') + sealed.slice(middle + 1);
    expect(opened(key, 'conversations.index', altered, 4096)).toBeUndefined();
    expect(opened(key, 'conversations.index', sealed.slice(0, -8), 4096)).toBeUndefined();
    expect(opened(key, 'other.index', sealed, 4096)).toBeUndefined();
    expect(opened(randomBytes(32), 'conversations.index', sealed, 4096)).toBeUndefined();
  });

  it('reads a file of one sealed record in pieces through the files port; others are left to read()', async () => {
    const key = randomBytes(32);
    const dir = await tempDir();
    const pieces: number[] = [];
    const counting: HistoryFiles = {
      ...nodeHistoryFiles,
      readPieces: async function* (path) {
        for await (const piece of nodeHistoryFiles.readPieces?.(path) ?? []) {
          pieces.push(piece.length);
          yield piece;
        }
      },
    };
    const files = new SealedHistoryFiles({ state: 'ready', key }, counting);
    const one = join(dir, 'conversations.index');
    const text = bigText();
    await files.replace(one, `${text}\n`);
    expect(await files.readRecordText(one)).toBe(`${text}\n`);
    expect(pieces.length).toBeGreaterThan(1);
    expect(Math.max(...pieces)).toBeLessThanOrEqual(64 * 1024);

    const two = join(dir, 'two-records.index');
    await files.replace(two, 'first\nsecond\n');
    expect(await files.readRecordText(two)).toBeUndefined();
    const plain = join(dir, 'plain.index');
    await writeFile(plain, 'not sealed\n');
    expect(await files.readRecordText(plain)).toBeUndefined();

    const other = new SealedHistoryFiles({ state: 'ready', key: randomBytes(32) }, counting);
    await expect(other.readRecordText(one)).rejects.toBeInstanceOf(UnreadableHistoryError);
    await writeFile(one, (await readFile(one, 'latin1')).slice(0, -100), 'latin1');
    await expect(files.readRecordText(one)).rejects.toBeInstanceOf(UnreadableHistoryError);
  });
});
