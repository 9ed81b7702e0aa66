/**
 * The Electron preload (sandboxed: it can only `require('electron')`, so the
 * build bundles everything else into it). Exposes `window.kw` — tasks built
 * from the contract (`kw.presence.set(...)`, `kw.on('status', cb)`), never a
 * channel name or ipcRenderer itself.
 * - invoke: `ipcRenderer.invoke('kw:invoke', { name, input })`, whose
 *   `{ ok, value | error }` answer becomes a resolved value or a rejected Error;
 * - subscribe: one `kw:event` listener dispatching `{ event, payload }` to the
 *   listeners of that event name; returns the unsubscribe.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildKwApi, EVENT_NAMES, type EventName, type Invoke, type Subscribe } from './contract.js';

const INVOKE_CHANNEL = 'kw:invoke';
const EVENT_CHANNEL = 'kw:event';

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

const invoke: Invoke = async (name, input) => {
  const reply = (await ipcRenderer.invoke(INVOKE_CHANNEL, { name, input })) as Reply;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value as never;
};

const listeners = new Map<EventName, Set<(payload: never) => void>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, message: { event: EventName; payload: unknown }) => {
  const set = listeners.get(message.event);
  if (!set) return;
  for (const listener of [...set]) {
    try {
      listener(message.payload as never);
    } catch (error) {
      console.error(`kw.on('${message.event}') listener failed`, error);
    }
  }
});

const subscribe: Subscribe = (event, listener) => {
  if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event ${String(event)}`);
  let set = listeners.get(event);
  if (!set) {
    set = new Set();
    listeners.set(event, set);
  }
  const entry = listener as (payload: never) => void;
  set.add(entry);
  return () => {
    set.delete(entry);
  };
};

contextBridge.exposeInMainWorld('kw', buildKwApi(invoke, subscribe));
