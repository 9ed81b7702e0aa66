/** History file operations that count what they write (for tests and the bench), around the real ones. */
import { nodeHistoryFiles, type HistoryFiles } from '../../main/core/history/history-files.js';

export interface CountingFiles extends HistoryFiles {
  /** Bytes handed to append and replace (the file contents written). */
  readonly bytesWritten: number;
  /** Appends and replacements. */
  readonly writes: number;
}

export function countingFiles(inner: HistoryFiles = nodeHistoryFiles): CountingFiles {
  let bytesWritten = 0;
  let writes = 0;
  const count = (text: string): void => {
    bytesWritten += Buffer.byteLength(text);
    writes += 1;
  };
  return {
    ...inner,
    append: async (path, text) => {
      await inner.append(path, text);
      count(text);
    },
    replace: async (path, text) => {
      await inner.replace(path, text);
      count(text);
    },
    get bytesWritten() {
      return bytesWritten;
    },
    get writes() {
      return writes;
    },
  };
}
