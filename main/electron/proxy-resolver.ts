/**
 * The SIP socket's proxy resolver on Chromium's proxy settings: the OS proxy,
 * PAC scripts and WPAD, as the browser part of the app already follows them.
 */
import type { ProxyResolver } from '../core/sip/proxy-route.js';

export type ProxySession = Pick<Electron.Session, 'resolveProxy'>;

/**
 * PAC scripts and proxy rules are written for http(s) URLs, and Chromium
 * resolves a WebSocket's proxy with its http(s) twin too: ask the same way.
 */
export function proxyLookupUrl(url: string): string {
  return url.replace(/^ws(s?):/i, (_match, secure: string) => `http${secure.toLowerCase()}:`);
}

export function sessionProxyResolver(session: ProxySession): ProxyResolver {
  return (url) => session.resolveProxy(proxyLookupUrl(url));
}
