/**
 * One attached media host: its link, the requests waiting for an answer and
 * the peer connections it carries. Every message from the host is validated
 * here; one that does not follow the protocol is logged and refused before it
 * can change any state. Snapshots are applied before a promise settles or an
 * event is dispatched.
 */
import * as v from 'valibot';
import {
  FromHostSchema,
  HostResultSchemas,
  type FromHost,
  type HostOp,
  type HostResults,
  type MediaHostLink,
  type Snapshot,
  type SoundLevels,
} from '../../../wire/media-host.js';
import type {
  BridgedPeerConnection,
  HostRequestOf,
  PeerConnectionChannel,
} from './bridged-peer-connection.js';
import { MediaBridgeError, type Timers } from './errors.js';
import type { Logger } from '../log.js';

interface Pending {
  readonly op: HostOp;
  readonly pcId: string | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: unknown;
}

export interface HostSessionOptions {
  readonly link: MediaHostLink;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
  readonly timers: Timers;
  readonly onHello: (hostName: string) => void;
  /** The link closed by itself. */
  readonly onClosed: (reason: string) => void;
  /** The host measured the sound of one of its open peer connections. */
  readonly onLevels: (pc: BridgedPeerConnection, levels: SoundLevels) => void;
}

export class HostSession implements PeerConnectionChannel {
  private phase: 'waiting' | 'ready' | 'ended' = 'waiting';
  private name: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly pcs = new Map<string, BridgedPeerConnection>();
  private readonly offs: Array<() => void>;
  private readonly log: Logger;

  constructor(private readonly options: HostSessionOptions) {
    this.log = options.logger;
    this.offs = [
      options.link.onMessage((message) => this.receive(message)),
      options.link.onClosed((reason) => {
        if (this.phase === 'ended') return;
        options.onClosed(reason);
      }),
    ];
  }

  get ready(): boolean {
    return this.phase === 'ready';
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  get hostName(): string | undefined {
    return this.name;
  }

  adopt(pc: BridgedPeerConnection): void {
    this.pcs.set(pc.id, pc);
  }

  forget(pcId: string): void {
    this.pcs.delete(pcId);
  }

  /** Peer connections not closed yet (for diagnostics and tests). */
  get openPeerConnections(): number {
    return this.pcs.size;
  }

  request<K extends HostOp>(request: HostRequestOf<K>): Promise<HostResults[K]> {
    if (this.phase === 'ended') return Promise.reject(new MediaBridgeError('lost', 'the media host is gone'));
    if (this.phase !== 'ready') {
      return Promise.reject(new MediaBridgeError('unavailable', 'the media host has not said hello yet'));
    }
    const id = this.nextId++;
    const pcId = 'pcId' in request ? request.pcId : undefined;
    return new Promise<HostResults[K]>((resolve, reject) => {
      const timer = this.options.timers.setTimeout(() => {
        if (!this.pending.delete(id)) return;
        this.log.warn('media host did not answer in time', {
          op: request.op,
          pcId,
          ms: this.options.requestTimeoutMs,
        });
        reject(
          new MediaBridgeError(
            'timeout',
            `the media host did not answer ${request.op} within ${this.options.requestTimeoutMs} ms`,
          ),
        );
      }, this.options.requestTimeoutMs);
      this.pending.set(id, {
        op: request.op,
        pcId,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      this.options.link.send({ kind: 'request', id, request });
    });
  }

  /**
   * Ends this session: pending requests reject, every open peer connection
   * fails (so JsSIP hangs up), the link is no longer listened to.
   */
  end(reason: string): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    for (const off of this.offs.splice(0)) off();
    for (const p of this.pending.values()) {
      this.options.timers.clearTimeout(p.timer);
      p.reject(new MediaBridgeError('lost', `media host lost: ${reason}`));
    }
    this.pending.clear();
    const pcs = [...this.pcs.values()];
    this.pcs.clear();
    for (const pc of pcs) pc.fail(reason);
  }

  private receive(raw: unknown): void {
    if (this.phase === 'ended') return;
    const parsed = v.safeParse(FromHostSchema, raw);
    if (!parsed.success) {
      this.refuse('does not follow the protocol', raw, describeIssues(parsed.issues));
      return;
    }
    const message = parsed.output;
    if (message.kind === 'hello') {
      if (this.phase !== 'waiting') {
        this.refuse('a second hello', raw);
        return;
      }
      this.phase = 'ready';
      this.name = message.host;
      this.log.info('media host ready', { host: message.host });
      this.options.onHello(message.host);
      return;
    }
    if (this.phase !== 'ready') {
      this.refuse('came before hello', raw);
      return;
    }
    switch (message.kind) {
      case 'result':
      case 'error':
        this.answer(message, raw);
        return;
      case 'event': {
        if (message.snapshot.pcId !== message.pcId) {
          this.refuse('an event with the snapshot of another peer connection', raw);
          return;
        }
        const pc = this.pcs.get(message.pcId);
        if (!pc) {
          this.log.debug('media host event for a closed or unknown peer connection', { pcId: message.pcId });
          return;
        }
        pc.hostEvent(message.event, message.snapshot);
        return;
      }
      case 'levels': {
        // Sent unasked on a timer: one may cross the close of its peer connection.
        const pc = this.pcs.get(message.pcId);
        if (pc && !pc.closed) this.options.onLevels(pc, message.levels);
        return;
      }
    }
  }

  private answer(message: Extract<FromHost, { kind: 'result' | 'error' }>, raw: unknown): void {
    const pending = this.pending.get(message.id);
    if (!pending) {
      this.refuse('answers no pending request', raw);
      return;
    }
    if (message.snapshot && message.snapshot.pcId !== pending.pcId) {
      this.refuse(`answers ${pending.op} with the snapshot of another peer connection`, raw);
      this.settle(message.id, pending);
      pending.reject(
        new MediaBridgeError('refused', `the media host answered ${pending.op} with a wrong snapshot`),
      );
      return;
    }
    if (message.kind === 'error') {
      this.settle(message.id, pending);
      this.applySnapshot(message.snapshot);
      pending.reject(
        new MediaBridgeError(
          'host',
          `${pending.op} failed on the media host: ${message.name}: ${message.message}`,
        ),
      );
      return;
    }
    const result = v.safeParse(HostResultSchemas[pending.op], message.result);
    if (!result.success) {
      this.refuse(`answers ${pending.op} with an invalid result`, raw, describeIssues(result.issues));
      this.settle(message.id, pending);
      pending.reject(
        new MediaBridgeError('refused', `the media host answered ${pending.op} with an invalid result`),
      );
      return;
    }
    this.settle(message.id, pending);
    this.applySnapshot(message.snapshot);
    pending.resolve(result.output);
  }

  private settle(id: number, pending: Pending): void {
    this.pending.delete(id);
    this.options.timers.clearTimeout(pending.timer);
  }

  private applySnapshot(snapshot: Snapshot | undefined): void {
    if (snapshot) this.pcs.get(snapshot.pcId)?.applySnapshot(snapshot);
  }

  private refuse(why: string, raw: unknown, issues?: string): void {
    this.log.warn(`media host message refused: ${why}`, {
      kind: kindOf(raw),
      ...(issues ? { issues } : {}),
    });
  }
}

function kindOf(raw: unknown): string {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind.slice(0, 32) : typeof raw;
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((i) => {
      const path = i.path?.map((p) => String(p.key)).join('.') ?? '';
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}
