/**
 * A scripted fake media host for unit tests of the bridge: it records every
 * request main sends and delivers whatever the test scripts (valid or not),
 * synchronously, so a test controls the exact order of answers and events.
 */
import type { MediaHostLink, Snapshot, ToHost } from '../../../wire/media-host.js';
import { MEDIA_PROTOCOL_VERSION } from '../../../wire/media-host.js';

export class FakeHostLink implements MediaHostLink {
  readonly sent: ToHost[] = [];
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly closedListeners = new Set<(reason: string) => void>();

  /** Scripted reaction inside send (a host that answers synchronously). */
  onSend: ((message: ToHost) => void) | undefined;

  send(message: ToHost): void {
    this.sent.push(message);
    this.onSend?.(message);
  }
  onMessage(listener: (message: unknown) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }
  onClosed(listener: (reason: string) => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /** Delivers any value as if the host had sent it. */
  deliver(message: unknown): void {
    for (const listener of [...this.messageListeners]) listener(message);
  }
  hello(): void {
    this.deliver({ kind: 'hello', protocol: MEDIA_PROTOCOL_VERSION, host: 'fake host' });
  }
  close(reason: string): void {
    for (const listener of [...this.closedListeners]) listener(reason);
    this.closedListeners.clear();
    this.messageListeners.clear();
  }

  /** The last request sent with this op. */
  last(op: ToHost['request']['op']): ToHost {
    const found = this.sent.filter((m) => m.request.op === op).at(-1);
    if (!found)
      throw new Error(`no ${op} request was sent (sent: ${this.sent.map((m) => m.request.op).join(', ')})`);
    return found;
  }
  /** Answers the last `op` request. */
  answer(op: ToHost['request']['op'], result: unknown, snapshot?: Snapshot): void {
    this.deliver({ kind: 'result', id: this.last(op).id, result, ...(snapshot ? { snapshot } : {}) });
  }
  event(pcId: string, event: Record<string, unknown>, snapshot: Snapshot): void {
    this.deliver({ kind: 'event', pcId, event, snapshot });
  }
}

export function snapshot(pcId: string, version: number, patch: Partial<Snapshot> = {}): Snapshot {
  return {
    pcId,
    version,
    signalingState: 'stable',
    iceGatheringState: 'new',
    iceConnectionState: 'new',
    connectionState: 'new',
    localDescription: null,
    remoteDescription: null,
    ...patch,
  };
}
