/**
 * The media host runtime (DESIGN.md §3): executes main's HostRequests on real
 * RTCPeerConnections and microphone streams, answers each request, and
 * reports peer-connection events, every one with the peer connection's
 * versioned snapshot (main applies it before it resolves or dispatches, since
 * JsSIP reads that state synchronously).
 *
 * - Requests about one peer connection run one at a time, in order; the
 *   others (capture, devices, …) run in order in a queue of their own.
 * - Ids main sees are the host's own (host-holdings.ts).
 * - Remote audio plays through one `<audio>` element per remote track.
 *
 * The parts: host-holdings.ts (what the host holds), stream-ops.ts and
 * pc-ops.ts (the operations), host-ops.ts (answers), peer-connection.ts
 * (events and remote audio), pc-snapshot.ts, host-messages.ts, serial-queues.ts,
 * level-reports.ts (the sound levels of each connected call, unasked).
 */
import { MEDIA_PROTOCOL_VERSION, type FromHost, type HostRequest } from '../../wire/media-host.js';
import type { HostContext } from './host-context.js';
import { HostHoldings, type MediaHostInventory } from './host-holdings.js';
import { parseToHost } from './host-messages.js';
import { answer, hostOps } from './host-ops.js';
import { startLevelReports } from './level-reports.js';
import { takeSnapshot } from './pc-snapshot.js';
import { SerialQueues } from './serial-queues.js';
import type { MediaHostTransport } from './transports.js';

export type { MediaHostInventory } from './host-holdings.js';

export interface AudioProcessing {
  readonly echoCancellation: boolean;
  readonly noiseSuppression: boolean;
  readonly autoGainControl: boolean;
}

export interface MediaHostOptions {
  /** Names the host in its `hello` (main logs it): 'electron-media-window', 'harness-page'… */
  readonly host: string;
  /** Microphone processing; every flag defaults to on (tests turn them off to measure a tone). */
  readonly audioProcessing?: Partial<AudioProcessing>;
  /** After every change in what the host holds (tests and diagnostics read it). */
  readonly onInventory?: (inventory: MediaHostInventory) => void;
  /** Where the remote `<audio>` elements go; default `document.body`. */
  readonly audioParent?: HTMLElement;
}

export interface MediaHostHandle {
  inventory(): MediaHostInventory;
  /** Closes every peer connection, stops every track, stops listening. */
  stop(): void;
}

/** getUserMedia for the microphone with `processing`; a device id asks for exactly that one. */
function microphone(options: MediaHostOptions): (deviceId: string | undefined) => Promise<MediaStream> {
  const processing: AudioProcessing = {
    echoCancellation: options.audioProcessing?.echoCancellation ?? true,
    noiseSuppression: options.audioProcessing?.noiseSuppression ?? true,
    autoGainControl: options.audioProcessing?.autoGainControl ?? true,
  };
  return (deviceId) =>
    navigator.mediaDevices.getUserMedia({
      audio: { ...processing, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) },
      video: false,
    });
}

/**
 * Requests of one peer connection run in order, the others in the host's queue; `setSending`
 * has its own, or it would wait behind the very capture it is meant to reach.
 */
function queueKey(request: HostRequest): string {
  if (request.op === 'setSending') return `sending:${request.streamId}`;
  return 'pcId' in request ? `pc:${request.pcId}` : 'host';
}

export function startMediaHost(transport: MediaHostTransport, options: MediaHostOptions): MediaHostHandle {
  const holdings = new HostHoldings();
  /** Bumped by a reset: answers and events of an older link never reach the new one. */
  let epoch = 0;
  const send = (message: FromHost, at = epoch): void => {
    if (at === epoch) transport.send(message);
  };
  const changed = (): void => options.onInventory?.(holdings.inventory());
  const ctx: HostContext = {
    holdings,
    getAudio: microphone(options),
    emit: (entry, event) => {
      if (holdings.pcs.get(entry.id) !== entry) return;
      send({ kind: 'event', pcId: entry.id, event, snapshot: takeSnapshot(entry) });
    },
    audioParent: () => options.audioParent ?? document.body,
    changed,
  };
  const ops = hostOps(ctx);
  const queues = new SerialQueues();

  const run = async (id: number, request: HostRequest, at: number): Promise<void> => {
    try {
      send(await answer(id, request, ops, holdings), at);
    } finally {
      changed();
    }
  };
  const onMessage = (raw: unknown): void => {
    const parsed = parseToHost(raw);
    if (!parsed.ok) {
      if (parsed.reply) send(parsed.reply);
      else console.warn('[media host] dropped a message without an id:', parsed.problem);
      return;
    }
    const { id, request } = parsed.message;
    const at = epoch;
    queues.push(queueKey(request), () => run(id, request, at));
  };
  const dropEverything = (): void => {
    epoch++;
    holdings.clear();
    changed();
  };
  const hello = (): void =>
    transport.send({ kind: 'hello', protocol: MEDIA_PROTOCOL_VERSION, host: options.host.slice(0, 128) });

  const levels = startLevelReports(holdings, (message) => send(message));
  const offMessage = transport.onMessage(onMessage);
  const offReset = transport.onReset?.(() => {
    dropEverything();
    hello();
  });
  hello();
  changed();

  return {
    inventory: () => holdings.inventory(),
    stop() {
      levels.stop();
      offMessage();
      offReset?.();
      dropEverything();
    },
  };
}
