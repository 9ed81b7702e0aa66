/**
 * Runs an export and says what became of it, in a sentence: saved where the
 * KW chose (Electron's dialog), nothing (cancelled), or downloaded by the page
 * (the harness hands the file back; a Blob link needs no CSP source: it is a
 * download, not a fetch).
 */
import type { CommandInput, HistoryExportResult } from '../../preload/contract.js';
import { kwApi } from '../shared/kw.js';

export async function exportHistory(input: CommandInput<'history.export'>): Promise<string> {
  const kw = kwApi();
  if (!kw) return '';
  const result = await kw.history.export(input);
  switch (result.kind) {
    case 'saved':
      return `Saved to ${result.path}.`;
    case 'canceled':
      return '';
    case 'download':
      download(result);
      return `Downloaded ${result.fileName}.`;
  }
}

function download(file: Extract<HistoryExportResult, { kind: 'download' }>): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the download may still be reading it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
