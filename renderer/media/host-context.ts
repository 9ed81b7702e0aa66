/** What the host's operations share: the holdings, the microphone, the way events reach main. */
import type { HostEvent, HostOp, HostRequest, HostResults } from '../../wire/media-host.js';
import type { HostHoldings, PcEntry } from './host-holdings.js';

export interface HostContext {
  readonly holdings: HostHoldings;
  /** The microphone with the host's audio processing; a device id asks for exactly that one. */
  readonly getAudio: (deviceId: string | undefined) => Promise<MediaStream>;
  /** Sends a peer connection's event with its snapshot, unless the connection is closed. */
  readonly emit: (entry: PcEntry, event: HostEvent) => void;
  /** Where a remote track's `<audio>` goes. */
  readonly audioParent: () => HTMLElement;
  /** After a change in what the host holds. */
  readonly changed: () => void;
}

export type Request<K extends HostOp> = Extract<HostRequest, { op: K }>;
/** One function per operation of the protocol, resolving to its result. */
export type Handlers = { [K in HostOp]: (request: Request<K>) => Promise<HostResults[K]> };
