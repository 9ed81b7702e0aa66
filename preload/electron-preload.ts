/**
 * The Electron preload (sandboxed: it can only `require('electron')`, so the
 * build bundles everything else into it). Exposes `window.kw` — tasks built
 * from the contract (`kw.presence.set(...)`, `kw.on('status', cb)`), never a
 * channel name or ipcRenderer itself. The channels are in ipc-channels.ts.
 * - invoke: `ipcRenderer.invoke(IPC_CHANNELS.invoke, { name, input })`, whose
 *   `{ ok, value | error }` answer becomes a resolved value or a rejected Error;
 * - subscribe: the contract's listener registry (`eventListeners`), fed by one
 *   `IPC_CHANNELS.event` listener that dispatches each `{ event, payload }`;
 *   an event name the contract does not know is refused, and a listener that
 *   throws is logged without stopping the others.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  buildKwApi,
  EVENT_NAMES,
  eventListeners,
  type EventName,
  type Invoke,
  type Subscribe,
} from './contract.js';
import { IPC_CHANNELS } from './ipc-channels.js';

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

const invoke: Invoke = async (name, input) => {
  const reply = (await ipcRenderer.invoke(IPC_CHANNELS.invoke, { name, input })) as Reply;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value as never;
};

const events = eventListeners();

ipcRenderer.on(IPC_CHANNELS.event, (_event, message: { event: EventName; payload: unknown }) => {
  events.dispatch(message.event, message.payload);
});

const subscribe: Subscribe = (event, listener) => {
  if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event ${String(event)}`);
  return events.subscribe(event, (payload) => {
    try {
      listener(payload);
    } catch (error) {
      console.error(`kw.on('${event}') listener failed`, error);
    }
  });
};

contextBridge.exposeInMainWorld('kw', buildKwApi(invoke, subscribe));
