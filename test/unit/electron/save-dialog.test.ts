/** The export's save dialog against a typed fake: the suggested path and filter, cancel writes nothing, a write failure is a sentence. */
import { describe, expect, it } from 'vitest';
import type { SaveDialogOptions, SaveDialogReturnValue } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import { SaveDialogExport } from '../../../main/electron/save-dialog.js';

const FILE = { fileName: 'kw-chat-billing-2026-12-05.html', mimeType: 'text/html', content: '<p>hi</p>' };

function setup(answer: SaveDialogReturnValue, failWrite = false) {
  const asked: SaveDialogOptions[] = [];
  const written: Array<{ path: string; content: string }> = [];
  const target = new SaveDialogExport({
    showSaveDialog: (options) => {
      asked.push(options);
      return Promise.resolve(answer);
    },
    defaultDir: () => '/home/kw/Documents',
    logger: memoryLogger().logger,
    writeFile: (path, content) => {
      if (failWrite) return Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }));
      written.push({ path, content });
      return Promise.resolve();
    },
  });
  return { target, asked, written };
}

describe('SaveDialogExport', () => {
  it('suggests Documents/<name> with the format filter and writes the chosen path', async () => {
    const { target, asked, written } = setup({ canceled: false, filePath: '/tmp/out.html' });
    expect(await target.deliver(FILE)).toEqual({ kind: 'saved', path: '/tmp/out.html' });
    expect(asked[0]?.defaultPath).toBe('/home/kw/Documents/kw-chat-billing-2026-12-05.html');
    expect(asked[0]?.filters).toEqual([{ name: 'Web page', extensions: ['html'] }]);
    expect(written).toEqual([{ path: '/tmp/out.html', content: '<p>hi</p>' }]);
  });

  it('writes nothing when the KW cancels', async () => {
    const { target, written } = setup({ canceled: true, filePath: '' });
    expect(await target.deliver(FILE)).toEqual({ kind: 'canceled' });
    expect(written).toEqual([]);
  });

  it('says where it could not write, in a sentence', async () => {
    const { target } = setup({ canceled: false, filePath: '/ro/out.html' }, true);
    await expect(target.deliver(FILE)).rejects.toThrow('The export could not be saved to /ro/out.html.');
  });
});
