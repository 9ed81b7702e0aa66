/**
 * Who the server is on the wire: the names it answers to, its Via, its
 * Record-Route and Contact, and how a URI maps to an address-of-record here.
 */
import { randomToken } from './responses.js';
import type { SipUri } from './syntax.js';

/** User part of the server's own Contact (presence dialogs are addressed to it). */
export const SERVER_USER = 'lab-sip-server';

const FLOW_TOKEN = /^kwflow-(\d+)-(\d+)$/;

export class Identity {
  /** host written in Via / Record-Route / Contact ('localhost' with TLS so the certificate name matches) */
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly viaTransport: 'WS' | 'WSS';
  private readonly names: ReadonlySet<string>;

  constructor(opts: { host: string; port: number; domain: string; tls: boolean; bindHost: string }) {
    this.host = opts.host;
    this.port = opts.port;
    this.domain = opts.domain.toLowerCase();
    this.viaTransport = opts.tls ? 'WSS' : 'WS';
    this.names = new Set(['127.0.0.1', 'localhost', opts.host.toLowerCase(), opts.bindHost.toLowerCase()]);
  }

  /** The configured domain (any port), or 127.0.0.1/localhost/our host without a port or with ours. */
  isLocal(host: string, port: number | undefined): boolean {
    const h = host.toLowerCase();
    if (h === this.domain) return true;
    return this.names.has(h) && (port === undefined || port === this.port);
  }

  /** `user@domain` when the URI names a user of this server, else undefined. */
  aorOf(uri: SipUri): string | undefined {
    if (uri.user === undefined || !this.isLocal(uri.host, uri.port)) return undefined;
    return `${uri.user}@${this.domain}`;
  }

  /** Addressed to the server itself rather than to a user (e.g. OPTIONS keep-alives, presence dialogs). */
  isServerUri(uri: SipUri): boolean {
    return this.isLocal(uri.host, uri.port) && (uri.user === undefined || uri.user === SERVER_USER);
  }

  newBranch(upstreamConnId: number): string {
    // The upstream connection id rides in the branch so a response that
    // outlived its transaction can still be sent back statelessly.
    return `z9hG4bK${randomToken(8)}-${upstreamConnId}`;
  }

  static connIdOfBranch(branch: string): number | undefined {
    const m = /-(\d+)$/.exec(branch);
    return m ? Number(m[1]) : undefined;
  }

  via(branch: string): string {
    return `SIP/2.0/${this.viaTransport} ${this.host}:${this.port};branch=${branch}`;
  }

  isOwnVia(host: string, port: number | undefined): boolean {
    return host.toLowerCase() === this.host.toLowerCase() && port === this.port;
  }

  /** Record-Route carrying both flows of the dialog: in-dialog requests go to the other one. */
  recordRoute(connA: number, connB: number): string {
    return `<sip:kwflow-${connA}-${connB}@${this.host}:${this.port};transport=ws;lr>`;
  }

  static flowToken(uri: SipUri): readonly [number, number] | undefined {
    const m = FLOW_TOKEN.exec(uri.user ?? '');
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  }

  contact(): string {
    return `<sip:${SERVER_USER}@${this.host}:${this.port};transport=ws>`;
  }

  label(uri: SipUri | undefined): string {
    if (!uri) return '?';
    if (uri.user === undefined) return uri.host;
    return this.isLocal(uri.host, uri.port) ? uri.user : `${uri.user}@${uri.host}`;
  }
}
