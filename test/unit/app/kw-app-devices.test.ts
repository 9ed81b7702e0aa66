/**
 * The KW app keeps the chosen microphone and speaker in its settings, and a
 * new core starts from them. The media port is a fake (named so); the app and
 * its core are real (never started: no network needed for device choice).
 */
import { describe, expect, it } from 'vitest';
import { kwCoreFactory } from '../../../main/core/core-factory.js';
import { KwApp } from '../../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../../main/app/ports.js';
import { labSettings } from '../../support/lab-settings.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { CallMedia } from '../../../main/core/calls/call-media.js';

function fakeMedia(outputs: string[]): CallMedia {
  return {
    available: true,
    onAvailability: () => () => undefined,
    capture: () => Promise.resolve({ id: 's1' }),
    release: () => undefined,
    switchInput: () => Promise.resolve(),
    devices: () =>
      Promise.resolve({
        inputs: [{ deviceId: 'usb-mic', label: 'USB headset' }],
        outputs: [{ deviceId: 'usb-out', label: 'USB headset' }],
      }),
    setOutput: (id) => {
      outputs.push(id);
      return Promise.resolve();
    },
    pcConfig: () => ({}),
  };
}

describe('KwApp devices', () => {
  it('saves the chosen microphone and speaker, and a new app starts from them', async () => {
    const settings = new MemorySettingsStore(labSettings(['ws://127.0.0.1:5080']));
    const outputs: string[] = [];
    const make = () =>
      new KwApp({
        settings,
        secrets: new MemorySecretStore(),
        createCore: kwCoreFactory({
          history: new MemoryHistoryStore(),
          logger: memoryLogger().logger,
          media: fakeMedia(outputs),
        }),
        links: { open: () => Promise.resolve() },
        windows: { showMain: () => undefined, setCallPopup: () => undefined },
        logger: memoryLogger().logger,
      });
    const view = await make().handlers['devices.select']({ input: 'usb-mic', output: 'usb-out' });
    expect(view).toMatchObject({ input: 'usb-mic', output: 'usb-out', available: true });
    expect(outputs).toEqual(['usb-out']);
    expect(settings.load()).toMatchObject({ audioInput: 'usb-mic', audioOutput: 'usb-out' });
    expect(await make().handlers['devices.list']({})).toMatchObject({ input: 'usb-mic', output: 'usb-out' });
  });
});
