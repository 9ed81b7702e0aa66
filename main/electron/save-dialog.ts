/**
 * Exported history saved where the KW chooses: Electron's save dialog (over
 * the main window when it is open), starting in Documents with the suggested
 * name; the file is written only once a path is chosen, readable by this user
 * only (0600): it holds the conversations in plain text, by the KW's choice.
 */
import { writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { SaveDialogOptions, SaveDialogReturnValue } from 'electron';
import type { Logger } from '../core/log.js';
import type { HistoryExportResult } from '../../preload/contract.js';
import type { ExportFile, HistoryExportTarget } from '../app/history-export.js';

export interface SaveDialogExportOptions {
  /** `dialog.showSaveDialog`, over the main window when there is one. */
  readonly showSaveDialog: (options: SaveDialogOptions) => Promise<SaveDialogReturnValue>;
  /** Where the dialog starts (`app.getPath('documents')`). */
  readonly defaultDir: () => string;
  readonly logger: Logger;
  readonly writeFile?: (path: string, content: string) => Promise<void>;
}

const FILTERS: Record<string, { name: string; extensions: string[] }> = {
  '.json': { name: 'JSON', extensions: ['json'] },
  '.html': { name: 'Web page', extensions: ['html'] },
};

const writePrivate = (path: string, content: string): Promise<void> =>
  writeFile(path, content, { mode: 0o600 });

export class SaveDialogExport implements HistoryExportTarget {
  constructor(private readonly options: SaveDialogExportOptions) {}

  async deliver(file: ExportFile): Promise<HistoryExportResult> {
    const filter = FILTERS[extname(file.fileName)];
    const chosen = await this.options.showSaveDialog({
      title: 'Export chat history',
      defaultPath: join(this.options.defaultDir(), file.fileName),
      ...(filter ? { filters: [filter] } : {}),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (chosen.canceled || !chosen.filePath) {
      this.options.logger.info('history export cancelled');
      return { kind: 'canceled' };
    }
    try {
      await (this.options.writeFile ?? writePrivate)(chosen.filePath, file.content);
    } catch (error) {
      this.options.logger.error('history export could not be written', {
        path: chosen.filePath,
        error: String(error),
      });
      throw new Error(`The export could not be saved to ${chosen.filePath}.`, { cause: error });
    }
    this.options.logger.info('history exported to a file', { path: chosen.filePath });
    return { kind: 'saved', path: chosen.filePath };
  }
}
