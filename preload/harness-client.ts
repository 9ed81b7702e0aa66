/**
 * The browser harness's implementation of the contract: `window.kw` over a
 * WebSocket to the harness server, which runs the same app layer as the
 * Electron main process. Loaded by a classic <script> before the renderer
 * bundle, so `window.kw` exists when the app starts; calls made before the
 * socket opens are queued.
 */
import { buildKwApi, eventListeners, type EventName, type Invoke, type WindowKind } from './contract.js';

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}
interface Push {
  readonly event: EventName;
  readonly payload: unknown;
}

/** The window this page is, from its page name: the harness lets it call only that kind's commands. */
function windowKind(path: string): WindowKind {
  if (path.endsWith('/preview.html')) return 'preview';
  if (path.endsWith('/call.html')) return 'call';
  return 'main';
}

const socket = new WebSocket(
  `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/kw?window=${windowKind(location.pathname)}`,
);
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const outbox: string[] = [];
const events = eventListeners();
let nextId = 1;

socket.addEventListener('open', () => {
  for (const frame of outbox.splice(0)) socket.send(frame);
});
socket.addEventListener('message', (e: MessageEvent<string>) => {
  const data = JSON.parse(e.data) as Reply | Push;
  if ('id' in data) {
    const call = pending.get(data.id);
    pending.delete(data.id);
    if (!call) return;
    if (data.ok) call.resolve(data.value);
    else call.reject(new Error(data.error ?? 'command failed'));
    return;
  }
  events.dispatch(data.event, data.payload);
});
socket.addEventListener('close', () => {
  for (const call of pending.values()) call.reject(new Error('the KW Desktop core is not reachable'));
  pending.clear();
});

const invoke: Invoke = (name, input) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    const frame = JSON.stringify({ id, name, input });
    if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    else outbox.push(frame);
  });

Object.defineProperty(window, 'kw', {
  value: buildKwApi(invoke, events.subscribe),
  writable: false,
  configurable: false,
});
